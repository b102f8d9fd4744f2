import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { SCREENSHOT_DIR } from './browser';
import { createOperator, lastSeenLongAgo } from './console-helpers';

/**
 * A device's page on the Devices page, as CVSecurity operators use it: its options (declared at registration,
 * reported, a terminal's INFO) and Get options followed to the device's Return, a positive Return read as the success
 * both manuals make it; the commands a panel has not fetched cleared, the panel then read divergent until a Full sync;
 * an offline terminal's reboot refused as a panel's is.
 */
const run = new ConsoleBrowserRun('console device page browser tests');

let t: TestApp;
let page: Page;
let term: AttendanceTerminal;
let panel: DeviceSimulator;
const ATT = 'PAGEATT001';
const ACC = 'PAGEACC001';

describe.skipIf(!run.executable)("a device's page in Chromium", () => {
  beforeAll(async () => {
    t = await run.startGateway({ syncReconcileIntervalMs: 0 });
    await createOperator(t, 'otis', 'operator', 'otis-password-1');
    term = await initialisedTerminal(t, { sn: ATT });
    await term.drain();
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: ACC, doors: 1, ipAddress: '10.44.0.1' });
    await panel.connect();
    await panel.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Page', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    const doorName = (await t.get('/api/door/list?pageNo=1&pageSize=10')).body.data[0].name;
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Page', doorName }] })).body.code).toBe(0);
    await panel.pollUntilIdle();
    page = await run.signedInPage('otis', 'otis-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it("shows a terminal's options, asks for its INFO, and reads a positive Return as done, not as a refusal", async () => {
    await page.goto(`${t.baseUrl}/console/devices`);
    const row = page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${ATT} `) });
    await row.getByRole('button', { name: `Options of ${ATT}`, exact: true }).click();
    await page.waitForURL(`**/console/devices/${ATT}?view=options`);
    const declared = page.getByRole('table', { name: 'Declared at registration' });
    await declared.getByRole('row', { name: /^pushver / }).waitFor();

    const status = page.getByRole('status').filter({ hasText: /^Get options: / });
    await page.getByRole('button', { name: `Get options of ${ATT}`, exact: true }).click();
    await status.getByText(`Get options: ${ATT} is asked for its options, waiting for the attendance terminal`, { exact: true }).waitFor();
    expect((await term.drain()).map((c) => [c.command, c.returnCode])).toEqual([['INFO', 0]]);
    await status.getByText(`Get options: done by the attendance terminal for ${ATT}`, { exact: true }).waitFor({ timeout: 10_000 });
    await page.getByRole('table', { name: 'Terminal information' }).getByRole('row', { name: /^UserCount / }).waitFor();

    // A positive Return is success in both manuals (a count for a query): "done", never "answered Return 2".
    term.failCommands((c) => c === 'INFO', 2);
    await page.getByRole('button', { name: `Get options of ${ATT}`, exact: true }).click();
    await status.getByText(/waiting for the attendance terminal$/).waitFor();
    expect((await term.drain()).map((c) => [c.command, c.returnCode])).toEqual([['INFO', 2]]);
    await status.getByText(`Get options: done by the attendance terminal for ${ATT} (Return 2: a count, success)`, { exact: true }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/device-options.png`, fullPage: true });
  });

  it("refuses an offline terminal's reboot, as a panel's, with nothing queued", async () => {
    await lastSeenLongAgo(t, ATT);
    await page.goto(`${t.baseUrl}/console/devices`);
    const row = page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${ATT} `) });
    await row.getByRole('button', { name: `Reboot ${ATT}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Reboot attendance terminal' }).getByRole('button', { name: 'Reboot', exact: true }).click();
    await page.getByRole('alert').getByText(new RegExp(`Device ${ATT} is offline: the command was not sent`)).waitFor();
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND command = 'REBOOT'`, [ATT]);
    expect(n).toBe(0);
  });

  it('clears the commands a panel has not fetched, says it reads divergent, and a Full sync puts it right', async () => {
    await lastSeenLongAgo(t, ACC);
    const levelId = (await t.get('/api/accLevel/list?pageNo=1&pageSize=10')).body.data[0].id;
    expect((await t.post('/api/person/add', { pin: '8101', name: 'Queued', cardNo: '88101', accLevelIds: levelId })).body.code).toBe(0);
    await page.goto(`${t.baseUrl}/console/devices/${ACC}?view=queue`);
    // Each command says when it was queued (CVSecurity's Device Commands list), in the gateway's zone.
    const queue = page.getByRole('table', { name: `Command queue of ${ACC}` });
    await queue.getByRole('columnheader', { name: 'Queued', exact: true }).waitFor();
    await queue.getByRole('cell', { name: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/ }).first().waitFor();
    await page.getByRole('button', { name: `Clear commands of ${ACC}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Clear commands' }).getByRole('button', { name: 'Clear commands', exact: true }).click();
    await page.getByRole('status').getByText(new RegExp(`^\\d+ commands? not yet fetched by ${ACC} cleared; \\d+ carried data it should hold: it does not hold them and reads divergent until a Full sync$`)).waitFor();
    await page.getByText(/^Nothing waiting\./).waitFor();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/device-queue-cleared.png`, fullPage: true });

    await page.goto(`${t.baseUrl}/console/devices/${ACC}`);
    await page.getByRole('region', { name: `Convergence of ${ACC}` }).getByText('divergent', { exact: true }).waitFor();
    await panel.pollUntilIdle();
    expect(panel.user('8101')).toBeUndefined();

    const row = page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${ACC} `) });
    await row.getByRole('button', { name: `Full sync ${ACC}`, exact: true }).click();
    await page.getByRole('dialog', { name: 'Full sync' }).getByRole('button', { name: 'Queue full sync', exact: true }).click();
    await page.waitForURL(`**/console/devices/${ACC}?view=queue`);
    await panel.pollUntilIdle();
    expect(panel.user('8101')).toMatchObject({ Pin: '8101', CardNo: '88101' });
    await page.goto(`${t.baseUrl}/console/devices/${ACC}`);
    await page.getByRole('region', { name: `Convergence of ${ACC}` }).getByText('converged', { exact: true }).waitFor({ timeout: 10_000 });
  });
});
