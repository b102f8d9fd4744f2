import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';
import { createOperator, lastSeenLongAgo } from './console-helpers';

/**
 * What the console says of what a panel does. Commands for a panel that went offline (its network dropped): they wait in its queue
 * and nothing is being synced, so no page may call them "on their way" or the panel "syncing" until it polls
 * again; once it does and confirms, the same pages say it holds them.
 */
const run = new ConsoleBrowserRun('console offline browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;

describe.skipIf(!run.executable)('the console while a panel is offline', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'olga', 'operator', 'olga-password-1');
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'OFFLINE001', doors: 2 });
    await panel.connect();
    await panel.pollUntilIdle();
    const level = await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Main', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] });
    expect(level.body.code).toBe(0);
    const doorName = (await t.get('/api/door/list?pageNo=1&pageSize=10')).body.data[0].name;
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Main', doorName }] })).body.code).toBe(0);
    page = await run.signedInPage('olga', 'olga-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('says the commands wait for the offline panel (person, Devices, dashboard), then that it holds them once it polled', async () => {
    await lastSeenLongAgo(t, 'OFFLINE001');
    const levelId = (await t.get('/api/accLevel/list?pageNo=1&pageSize=10')).body.data[0].id;
    expect((await t.post('/api/person/add', { pin: '5001', name: 'Olek', lastName: 'Nowak', cardNo: '55001', accLevelIds: levelId })).body.code).toBe(0);

    await page.goto(`${t.baseUrl}/console/persons/5001`);
    const panels = page.getByRole('table', { name: 'Panels holding this person' });
    const row = panels.getByRole('row', { name: /OFFLINE001/ });
    await row.getByText('waiting for the panel: offline', { exact: true }).waitFor();
    expect(await row.getByText('on its way').count()).toBe(0);

    await navTo(page, 'Devices');
    const device = page.getByRole('row', { name: /^OFFLINE001 / });
    await device.getByText(/^waiting for the device, offline, \d+ commands? queued: \d+ of \d+ confirmed$/).waitFor();
    expect(await device.getByText(/syncing/).count()).toBe(0);

    await navTo(page, 'Dashboard');
    const notConverged = page.getByRole('region', { name: 'Not converged' });
    await notConverged.getByRole('row', { name: /OFFLINE001/ }).getByText('waiting for the device', { exact: true }).waitFor();
    await page.screenshot({ path: `${SCREENSHOT_DIR}/dashboard-offline-waiting.png` });

    // The device's convergence view: its commands are queued, not sent, so no Return is awaited.
    await page.goto(`${t.baseUrl}/console/devices/OFFLINE001`);
    const convergence = page.getByRole('region', { name: 'Convergence of OFFLINE001' });
    await convergence.getByText('waiting for the device: offline', { exact: true }).waitFor();
    await convergence.getByText(/^\d+ commands? queued since .+; the device is offline and receives them when it polls again\.$/).waitFor();
    expect(await convergence.getByText(/waiting for a Return|converging/).count()).toBe(0);

    // A full sync asked of the offline panel is queued, and the message says it waits for the panel.
    await navTo(page, 'Devices');
    await page.getByRole('button', { name: 'Full sync OFFLINE001' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Queue full sync' }).click();
    await page.getByText('A full sync of OFFLINE001 is queued; the device is offline: it receives it when it polls again').waitFor();

    // The panel comes back, fetches and confirms: each page says so.
    await panel.pollUntilIdle();
    await page.goto(`${t.baseUrl}/console/persons/5001`);
    await page.getByRole('table', { name: 'Panels holding this person' }).getByRole('row', { name: /OFFLINE001/ }).getByText('holds them', { exact: true }).waitFor();
    await navTo(page, 'Devices');
    await page.getByRole('row', { name: /^OFFLINE001 / }).getByText(/^in sync: /).waitFor();
    // Offline again with everything confirmed, a full sync asked of it waits in its queue: not "in sync" alone.
    await lastSeenLongAgo(t, 'OFFLINE001');
    await page.reload();
    await page.getByRole('row', { name: /^OFFLINE001 / }).getByText('offline', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Full sync OFFLINE001' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Queue full sync' }).click();
    await page.getByRole('row', { name: /^OFFLINE001 / }).getByText(/^waiting for the device, offline, \d+ commands? queued: (\d+) of \1 confirmed$/).waitFor();
    await panel.pollUntilIdle();
    await page.reload();
    await page.getByRole('row', { name: /^OFFLINE001 / }).getByText(/^in sync: /).waitFor();
    // The Persons list names the person's levels (a count would not say which doors).
    await navTo(page, 'Persons');
    await page.getByRole('row', { name: /^5001 Olek Nowak/ }).getByRole('cell', { name: 'Main', exact: true }).waitFor();
  });

  it("shows the card of a badge nobody holds in the live events and the transactions, as CVSecurity's event list does", async () => {
    await navTo(page, 'Dashboard');
    await page.getByText('live', { exact: true }).waitFor();
    expect((await panel.uploadRtlog([{ pin: 0, cardno: '509582', eventaddr: 2, event: 27, verifytype: 4 }, { pin: '5001', cardno: '55001', eventaddr: 1, event: 0, verifytype: 4 }])).status).toBe(200);
    const live = page.locator('#live-events');
    await live.getByRole('row', { name: /card is not registered\s+warning\s+\S+-2\s+card 509582$/ }).waitFor();
    await live.getByRole('row', { name: /Normal Verify Open\s+\S+-1\s+Olek Nowak \(5001\), card 55001$/ }).waitFor();
    await navTo(page, 'Transactions');
    const table = page.locator('main table').last();
    await table.getByRole('row', { name: /card is not registered/ }).getByRole('cell', { name: '509582', exact: true }).waitFor();
    expect(await table.getByRole('columnheader').allTextContents()).toContain('Card number');
  });

  it('says which offline panel receives an edit only when it polls again (it keeps the old card until then)', async () => {
    await lastSeenLongAgo(t, 'OFFLINE001');
    await page.goto(`${t.baseUrl}/console/persons/5001`);
    const form = page.getByRole('form', { name: 'Edit person 5001' });
    await form.getByLabel('Card number').fill('55002');
    await form.getByRole('button', { name: 'Save person' }).click();
    await page.getByText(/^Saved 5001; (\S+ \()?OFFLINE001\)? is offline and receives the change when it polls again$/).waitFor();
    await panel.pollUntilIdle();
    expect(panel.user('5001')?.CardNo).toBe('55002');
  });

  it('deletes a person: the message says what the panels are told, and the panel converges once it removed them', async () => {
    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Delete 5001' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Delete 5001' }).click();
    await page.getByText('Deleted 5001; the panels that hold them are told to remove them (the Devices page follows them)').waitFor();
    await navTo(page, 'Devices');
    const row = page.getByRole('row', { name: /^OFFLINE001 / });
    await row.getByText(/^(syncing|in sync), \d+ commands? waiting/).waitFor();
    const before = panel.received.length;
    await panel.pollUntilIdle();
    expect(panel.received.slice(before).map((r) => r.command)).toEqual(expect.arrayContaining([expect.stringMatching(/^DATA DELETE user Pin=5001$/)]));
    await page.reload();
    await row.getByText(/^in sync: (\d+) of \1 confirmed$/).waitFor();
  });

  it("names the work a device is owed in words (the API's code in the title), on the dashboard and in its convergence", async () => {
    // A full sync that failed twice and waits for its next try, and a check of its data: both owed for a day yet.
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'OFFLINE001'`);
    await t.ds.query(
      `INSERT INTO sync_owed (device_id, kind, attempts, last_error, next_try_at) VALUES ($1, 'full', 2, 'no answer', now() + interval '1 day'), ($1, 'verify', 0, NULL, now() + interval '1 day')`,
      [id],
    );
    try {
      await navTo(page, 'Dashboard');
      const owed = page.getByRole('table', { name: 'Devices whose state has not converged' }).getByRole('row', { name: /OFFLINE001/ }).getByRole('cell').last();
      await owed.getByText('Full sync', { exact: true }).waitFor();
      expect(await owed.textContent()).toBe('Full sync, Data check');
      expect(await owed.getByText('Full sync', { exact: true }).getAttribute('title')).toBe('owed: full');
      expect(await owed.getByText('Data check', { exact: true }).getAttribute('title')).toBe('owed: verify');
      await page.getByRole('link', { name: 'Convergence of OFFLINE001' }).click();
      const work = page.getByRole('region', { name: 'Convergence of OFFLINE001' }).getByText(/^Full sync \(2 tries, no answer; next /);
      await work.waitFor();
      expect(await work.getAttribute('title')).toBe('owed: full');
    } finally {
      await t.ds.query(`DELETE FROM sync_owed WHERE device_id = $1`, [id]);
    }
  });
});
