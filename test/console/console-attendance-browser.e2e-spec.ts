import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';
import { createOperator, lastSeenLongAgo } from './console-helpers';

/**
 * The Attendance page as an operator used to CVSecurity's attendance module reads it: each terminal's state, last
 * contact, whether it holds its area's members (and what it still has to receive) — honest about a terminal that
 * is offline or refused someone —, and the punches filtered by department, terminal and person, with the filters in
 * the address so a reload or a link shows the same list.
 */
const run = new ConsoleBrowserRun('console attendance browser tests');

let t: TestApp;
let page: Page;
let front: AttendanceTerminal;
let gate: AttendanceTerminal;

describe.skipIf(!run.executable)('the Attendance page in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway({ syncReconcileIntervalMs: 0 });
    await createOperator(t, 'anna', 'operator', 'anna-password-1');
    expect((await t.post('/api/department/add', { code: 'PAY', name: 'Payroll' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '901', name: 'Jon', lastName: 'Berg', deptCode: 'PAY' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '902', name: 'Kim', lastName: 'Lund', deptCode: '1' })).body.code).toBe(0);
    front = await initialisedTerminal(t, { sn: 'ATTFRONT01' });
    gate = await initialisedTerminal(t, { sn: 'ATTGATE001' });
    // Punches at both terminals, by persons of two departments.
    await front.punch({ pin: '901', time: '2026-11-20 08:01:00', status: 0, verify: 1 });
    await front.punch({ pin: '902', time: '2026-11-20 08:02:00', status: 0, verify: 1 });
    await gate.punch({ pin: '901', time: '2026-11-20 17:05:00', status: 1, verify: 15 });
    page = await run.signedInPage('anna', 'anna-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it("shows each terminal's state, last contact and whether it holds its area's members, offline and refused ones as they are", async () => {
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['901', '902'] })).body.code).toBe(0);
    // The front terminal fetches both and refuses Kim; the gate terminal's network is down: it fetches nothing.
    front.failCommands((c) => c.includes('PIN=902'), -1004, 'always');
    await front.drain();
    await lastSeenLongAgo(t, 'ATTGATE001');

    await page.goto(`${t.baseUrl}/console/attendance`);
    const terminals = page.getByRole('table', { name: 'Attendance devices' });
    const frontRow = terminals.getByRole('row', { name: /^ATTFRONT01 / });
    const gateRow = terminals.getByRole('row', { name: /^ATTGATE001 / });
    await frontRow.getByText('online', { exact: true }).waitFor();
    await frontRow.getByText('confirmed holding 1 of 2 area members', { exact: true }).waitFor();
    // Kim's user record is refused for good (-1004): said so, with the refusal and its probe, not as divergent.
    await frontRow.getByText(/^refused by the firmware: DATA UPDATE USERINFO \(Return -1004, 1 item, probed again \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\); \d+ of \d+ confirmed$/).waitFor();
    await gateRow.getByText('offline', { exact: true }).waitFor();
    // Its kind in CVSecurity's words, as the Devices page names it, not the gateway's code (att).
    await gateRow.getByRole('cell', { name: 'Attendance terminal', exact: true }).waitFor();
    await gateRow.getByText('confirmed holding 0 of 2 area members', { exact: true }).waitFor();
    // Offline: its commands wait in its queue, nothing is being synced.
    await gateRow.getByText(/^waiting for the device, offline, \d+ commands? queued: 0 of \d+ confirmed$/).waitFor();
    expect(await gateRow.getByText(/syncing/).count()).toBe(0);
    // Last seen is the terminal's last contact, ten minutes ago.
    const lastSeen = (await gateRow.getByRole('cell').nth(5).textContent())!;
    expect(lastSeen).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/attendance-terminals.png` });

    // The gate terminal comes back and takes both; the front one is still short of Kim.
    await gate.drain();
    await page.reload();
    await gateRow.getByText('confirmed holding 2 of 2 area members', { exact: true }).waitFor();
    await gateRow.getByText(/^in sync: (\d+) of \1 confirmed$/).waitFor();
    await frontRow.getByText('confirmed holding 1 of 2 area members', { exact: true }).waitFor();

    // Jon leaves the area: until the terminals confirm removing him, they say they still hold him.
    expect((await t.delete('/api/attAreaPerson/delete', {}, { code: '1', pins: '901' })).body.code).toBe(0);
    await page.reload();
    await gateRow.getByText('confirmed holding 1 of 1 area members; 1 no longer members, still held', { exact: true }).waitFor();
    await gate.drain();
    await page.reload();
    await gateRow.getByText('confirmed holding 1 of 1 area members', { exact: true }).waitFor();

    // Each terminal links to its convergence on the Devices page. The front one, once it confirmed Jon's removal,
    // lacks only Kim, whom its firmware refused: said so, with the refusal, its Return code and its probe.
    await front.drain();
    await page.reload();
    await frontRow.getByRole('link', { name: 'Convergence of ATTFRONT01' }).click();
    await page.waitForURL(/\/console\/devices\/ATTFRONT01$/);
    await page.getByRole('heading', { name: 'Convergence of ATTFRONT01' }).waitFor();
    const convergence = page.getByRole('region', { name: 'Convergence of ATTFRONT01' });
    await convergence.getByText('refused by the firmware', { exact: true }).waitFor();
    await convergence.getByText(/^DATA UPDATE USERINFO \(Return -1004, 1 item, probed again \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)$/).waitFor();
    await page.goBack();
    await page.getByRole('table', { name: 'Attendance devices' }).waitFor();
  });

  it('filters punches by department, terminal and person, keeps the filters in the address, and names each department', async () => {
    await navTo(page, 'Attendance');
    const form = page.getByRole('form', { name: 'Filter punches' });
    const punches = page.getByRole('table', { name: 'Punches' });
    await punches.getByRole('cell', { name: 'Kim Lund (902)' }).waitFor();
    expect(await punches.getByRole('columnheader').allTextContents()).toContain('Department');

    await form.getByLabel('Department').selectOption('PAY');
    await form.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1 of 1 · 2 in all').waitFor();
    expect(await punches.getByRole('cell', { name: 'Kim Lund (902)' }).count()).toBe(0);
    expect(await punches.getByRole('cell', { name: 'Payroll', exact: true }).count()).toBe(2);
    expect(new URL(page.url()).searchParams.get('deptCode')).toBe('PAY');

    // And the terminal: Jon's punch at the front terminal only.
    await form.locator('select[name=sn]').selectOption('ATTFRONT01');
    await form.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1 of 1 · 1 in all').waitFor();
    await punches.getByRole('row', { name: /Jon Berg \(901\)\s+Payroll\s+ATTFRONT01/ }).waitFor();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/attendance-filtered.png` });

    // A reload, or the address sent to a colleague, shows the same list with the same filters chosen.
    const address = page.url();
    await page.goto(address);
    await page.getByText('Page 1 of 1 · 1 in all').waitFor();
    await expect.poll(() => page.getByRole('form', { name: 'Filter punches' }).getByLabel('Department').inputValue(), { timeout: 10_000 }).toBe('PAY');
    await page.goto(`${t.baseUrl}/console/attendance?deptCode=1`);
    await page.getByRole('table', { name: 'Punches' }).getByRole('cell', { name: 'Kim Lund (902)' }).waitFor();
    await page.getByText('Page 1 of 1 · 1 in all').waitFor();
  });

  it("names the area's offline terminal when persons are put on or taken off its terminals", async () => {
    expect((await t.post('/api/person/add', { pin: '903', name: 'Lea', lastName: 'Moe', deptCode: '1' })).body.code).toBe(0);
    await front.drain();
    await gate.drain();
    await lastSeenLongAgo(t, 'ATTGATE001');
    await navTo(page, 'Attendance');
    const members = page.getByRole('form', { name: "Persons on an area's terminals" });
    await members.getByLabel('Pins').fill('903');
    await members.getByRole('button', { name: "Put on the area's terminals" }).click();
    await page.getByRole('status').filter({ hasText: '903 joined area Area Name; its terminals are sent them; ATTGATE001 is offline and receives them when it polls again' }).waitFor();
    // The gate terminal holds Kim (902): taken off, it keeps her until it polls again; the online front terminal is not named.
    await members.getByLabel('Pins').fill('902');
    await members.getByRole('button', { name: "Take off the area's terminals" }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Take 902 off' }).click();
    const status = page.getByRole('status').filter({ hasText: '902 left area Area Name; its terminals are told to remove them' });
    await status.waitFor();
    expect(await status.textContent()).toBe('902 left area Area Name; its terminals are told to remove them; ATTGATE001 is offline and still holds them until it polls again');
    await gate.drain();
    expect(gate.users.has('902')).toBe(false);
    expect(gate.users.has('903')).toBe(true);
  });

  it('names the area by its name, not its code, when persons join or leave it', async () => {
    const inWarehouse = () => t.ds.query(`SELECT p.pin FROM att_area_person ap JOIN person p ON p.id = ap.person_id JOIN area a ON a.id = ap.area_id WHERE a.code = 'WH'`);
    expect((await t.post('/api/gateway/areas', { code: 'WH', name: 'Warehouse' })).body.code).toBe(0);
    // Opened afresh, so that its area list holds the new area.
    await page.goto(`${t.baseUrl}/console/attendance`);
    const members = page.getByRole('form', { name: "Persons on an area's terminals" });
    await members.getByLabel('Area').selectOption('WH');
    await members.getByLabel('Pins').fill('903');
    await members.getByRole('button', { name: "Put on the area's terminals" }).click();
    const joined = page.getByRole('status').filter({ hasText: '903 joined area' });
    await joined.waitFor();
    expect(await joined.textContent()).toBe('903 joined area Warehouse; its terminals are sent them');
    expect(await inWarehouse()).toEqual([{ pin: '903' }]);
    await members.getByLabel('Pins').fill('903');
    await members.getByRole('button', { name: "Take off the area's terminals" }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByText('Take 903 off the terminals of area Warehouse?', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Take 903 off' }).click();
    const left = page.getByRole('status').filter({ hasText: '903 left area' });
    await left.waitFor();
    expect(await left.textContent()).toBe('903 left area Warehouse; its terminals are told to remove them');
    expect(await inWarehouse()).toEqual([]);
  });
});
