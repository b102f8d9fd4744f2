import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { levelId, PHOTO } from '../sync/access-helpers';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';
import { createOperator } from './console-helpers';

/**
 * What an operator coming from CVSecurity's web client does with a person's credentials and papers: removes a
 * photo and clears a keypad password (the panel loses both, not only the database), gives a certificate type and
 * number; and around it, an attendance terminal approved under its own name and an empty access-level list that
 * says so.
 */
const run = new ConsoleBrowserRun('console person credentials browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;
let terminal: AttendanceTerminal;

const photos = () => panel.table('biophoto').map((r) => String(r.PIN));

/** The Persons page loaded afresh (persons added through the API since are listed), then the person opened. */
async function openPerson(pin: string) {
  await page.goto(`${t.baseUrl}/console/persons`);
  await page.getByRole('heading', { level: 1, name: 'Persons' }).waitFor();
  await page.getByRole('button', { name: `Open ${pin}` }).click();
  return page.getByRole('form', { name: `Edit person ${pin}` });
}

describe.skipIf(!run.executable)('a person\'s photo, device password and certificate in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway({ deviceAdmission: 'manual' });
    // An administrator: approving a device is theirs.
    await createOperator(t, 'cora', 'admin', 'cora-password-1');
    page = await run.signedInPage('cora', 'cora-password-1');
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CREDPANEL01', doors: 2, ipAddress: '10.93.0.1' });
    terminal = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'CREDATT001' });
    await panel.connect();
    // Pending: the terminal's first contact registers it, waiting for approval (it is refused until then).
    await terminal.init().catch(() => false);
  }, 120_000);
  afterAll(() => run.close());

  it('says "No access levels yet." while there is none', async () => {
    await navTo(page, 'Access levels');
    await expect.poll(() => page.getByRole('cell', { name: 'No access levels yet.' }).count(), { timeout: 10_000 }).toBe(1);
    await page.getByRole('tab', { name: 'Holidays' }).click();
    await expect.poll(() => page.getByRole('cell', { name: 'No holidays yet.' }).count(), { timeout: 10_000 }).toBe(1);
  });

  it('approves an attendance terminal as an attendance terminal, not a panel', async () => {
    await navTo(page, 'Devices');
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'CREDATT001' }).getByRole('cell', { name: 'Attendance terminal', exact: true }).count(), { timeout: 10_000 }).toBe(1);
    await page.getByRole('button', { name: 'Approve CREDATT001' }).click();
    await page.getByText('Attendance terminal CREDATT001 approved').waitFor();
    expect(await page.getByText('Panel CREDATT001 approved').count()).toBe(0);
    await page.getByRole('button', { name: 'Approve CREDPANEL01' }).click();
    await page.getByText('Access panel CREDPANEL01 approved').waitFor();
    // Just approved, the panel is owed a full sync the worker queues a moment later: on its way, not "divergent".
    const sync = page.getByRole('row').filter({ hasText: 'CREDPANEL01' }).getByRole('cell').nth(7);
    expect(await page.getByRole('columnheader').nth(7).textContent()).toBe('Sync');
    // The first reading once the list is back from the approval (the message shows before it is).
    let first = 'not admitted';
    for (const end = Date.now() + 20_000; first === 'not admitted' && Date.now() < end; ) first = (await sync.textContent()) ?? '';
    expect(first).toMatch(/^(syncing|in sync|not confirmed yet)/);
    await panel.connect();
    await expect.poll(async () => (await panel.pollUntilIdle(), await sync.textContent()), { timeout: 60_000, interval: 1000 }).toMatch(/^in sync/);
    // A full sync owed and not yet tried (what an approval leaves for a moment, held here an hour so the page is
    // read while it waits) is on its way; once a try failed, the device is divergent.
    await t.ds.query(`INSERT INTO sync_owed (device_id, kind, next_try_at) SELECT id, 'full', now() + interval '1 hour' FROM device WHERE sn = 'CREDPANEL01'`);
    await page.reload();
    await expect.poll(() => sync.textContent(), { timeout: 30_000 }).toMatch(/^syncing, a full sync being queued: /);
    await t.ds.query(`UPDATE sync_owed SET attempts = 1, last_error = 'test' WHERE device_id = (SELECT id FROM device WHERE sn = 'CREDPANEL01')`);
    await page.reload();
    await expect.poll(() => sync.textContent(), { timeout: 30_000 }).toMatch(/^divergent: /);
    await t.ds.query(`DELETE FROM sync_owed WHERE device_id = (SELECT id FROM device WHERE sn = 'CREDPANEL01')`);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'devices-kinds.png') });
  });

  it('removes the photo and clears the device password: the panel loses both; the certificate is kept', async () => {
    await panel.connect();
    await panel.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Cred' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Cred', doorName: '10.93.0.1-1' }] })).body.code).toBe(0);
    const level = await levelId(t, 'Cred');
    const added = await t.post('/api/person/add', { pin: '7301', name: 'Pia', cardNo: '730100', personPwd: '4321', personPhoto: PHOTO, certType: '3', certNumber: 'P-1', accLevelIds: level });
    expect(added.body.code).toBe(0);
    await panel.pollUntilIdle({ maxPolls: 100 });
    expect(panel.user('7301')?.Password).toBe('4321');
    expect(photos()).toEqual(['7301']);

    const form = await openPerson('7301');
    await expect.poll(() => form.locator('select[name=certType]').inputValue(), { timeout: 10_000 }).toBe('3');
    expect(await form.locator('select[name=certType] option:checked').textContent()).toBe('Passport');
    expect(await form.getByLabel('Certificate number').inputValue()).toBe('P-1');
    await form.locator('select[name=certType]').selectOption({ label: 'ID card' });
    await form.getByLabel('Certificate number').fill('110101199001011234');
    await form.getByLabel('Clear the device password').check();
    await form.getByLabel('Remove the photo (from the panels too)').check();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'person-credentials.png') });
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByText('Saved 7301').waitFor();

    const [row] = await t.ds.query(`SELECT password, photo, cert_type, cert_number, card_no FROM person WHERE pin = '7301'`);
    expect(row).toEqual({ password: null, photo: null, cert_type: '2', cert_number: '110101199001011234', card_no: '730100' });
    // The panel is told: its user record no longer carries the password, its face photo is gone.
    await expect.poll(async () => (await panel.pollUntilIdle(), [panel.user('7301')?.Password ?? 'no user', photos()]), { timeout: 60_000, interval: 500 }).toEqual(['', []]);
    expect(panel.user('7301')?.CardNo).toBe('730100');

    // Opened again, the form offers neither: nothing is left to remove or clear.
    const again = await openPerson('7301');
    await expect.poll(() => again.getByLabel('Certificate number').inputValue(), { timeout: 10_000 }).toBe('110101199001011234');
    expect(await again.getByLabel('Clear the device password').count()).toBe(0);
    expect(await again.getByLabel('Remove the photo (from the panels too)').count()).toBe(0);
    expect(await page.getByRole('img', { name: 'Photo of Pia' }).count()).toBe(0);
  });

  it('keeps the password and the photo when the boxes are left alone', async () => {
    const level = await levelId(t, 'Cred');
    expect((await t.post('/api/person/add', { pin: '7302', name: 'Kai', personPwd: '5555', personPhoto: PHOTO, accLevelIds: level })).body.code).toBe(0);
    await panel.pollUntilIdle({ maxPolls: 100 });
    const form = await openPerson('7302');
    await form.getByLabel('Clear the device password').waitFor();
    await form.getByLabel('Last name').fill('Lund');
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByText('Saved 7302').waitFor();
    const [row] = await t.ds.query(`SELECT password, photo IS NOT NULL AS photo, last_name FROM person WHERE pin = '7302'`);
    expect(row).toEqual({ password: '5555', photo: true, last_name: 'Lund' });
    await expect.poll(async () => (await panel.pollUntilIdle(), [panel.user('7302')?.Password, photos().includes('7302')]), { timeout: 60_000, interval: 500 }).toEqual(['5555', true]);
  });

  it('shows an attendance terminal among a person\'s devices as a terminal holding them, not a panel owing no rights', async () => {
    await terminal.init();
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['7302'] })).body.code).toBe(0);
    await expect.poll(async () => (await terminal.drain(), terminal.users.has('7302')), { timeout: 60_000, interval: 500 }).toBe(true);
    await openPerson('7302');
    const table = page.getByRole('table', { name: 'Panels holding this person' });
    const cells = async (sn: string) => {
      const heads = await table.getByRole('columnheader').allTextContents();
      const row = await table.getByRole('row').filter({ hasText: sn }).getByRole('cell').allTextContents();
      return Object.fromEntries(heads.map((h, i) => [h, row[i]]));
    };
    await expect.poll(() => cells('CREDATT001'), { timeout: 30_000 }).toMatchObject({
      Device: 'CREDATT001 Attendance terminal',
      State: 'holds them',
      'Should hold': 'the person (attendance: no doors)',
      'Confirmed rights': 'not applicable',
    });
    await expect.poll(() => cells('CREDPANEL01'), { timeout: 10_000 }).toMatchObject({ Device: '10.93.0.1 (CREDPANEL01) Access panel', 'Should hold': '10.93.0.1-1 (24-Hour Accessible)' });
  });

  it("lists a person's fingerprints and deletes them after a confirmation: the panel drops them too", async () => {
    const finger = (n: number) => Buffer.from(`finger ${n} of 7302`).toString('base64');
    for (const n of [2, 3]) expect((await t.post('/api/bioTemplate/add', { personId: '7302', validType: '1', template: finger(n), templateNo: String(n) })).body.code).toBe(0);
    const fingers = () => panel.table('templatev10').filter((r) => String(r.Pin) === '7302').length + panel.table('biodata').filter((r) => String(r.Pin) === '7302').length;
    await expect.poll(async () => (await panel.pollUntilIdle(), fingers()), { timeout: 60_000, interval: 500 }).toBe(2);
    await openPerson('7302');
    const table = page.getByRole('table', { name: 'Biometric templates' });
    await table.getByRole('row', { name: 'Fingerprints 2' }).waitFor();
    await table.getByRole('button', { name: 'Delete fingerprints of 7302' }).click();
    await page.getByRole('dialog', { name: 'Delete templates' }).getByRole('button', { name: 'Delete fingerprints of 7302' }).click();
    await page.getByRole('status').filter({ hasText: 'Fingerprints of 7302 deleted; the devices are told to drop them' }).waitFor();
    await table.getByRole('cell', { name: /^None enrolled/ }).waitFor();
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = '7302'`))[0].n).toBe(0);
    await expect.poll(async () => (await panel.pollUntilIdle(), fingers()), { timeout: 60_000, interval: 500 }).toBe(0);
    const [audit] = await t.ds.query(`SELECT target, outcome FROM console_audit WHERE action = 'person.deleteTemplates'`);
    expect(audit).toEqual({ target: '7302 1', outcome: 'ok' });
  });
});
