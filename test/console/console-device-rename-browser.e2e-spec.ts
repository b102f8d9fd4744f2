import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { createOperator } from './console-helpers';

/**
 * The Devices page as an operator who ran CVSecurity uses it on a panel just connected: its doors are named after
 * its address (10.7.9.1-1), so renaming the panel can rename its doors with it; and a Full sync, followed in the
 * queue below the list, is followed in the panel's row too, which does not go on saying "syncing, N commands
 * waiting" beside a queue that says nothing is.
 */
const run = new ConsoleBrowserRun('console device rename browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;

describe.skipIf(!run.executable)('console: renaming a panel and following its sync on the Devices page', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'RENAME0001', doors: 2, ipAddress: '10.7.9.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    await createOperator(t, 'rita', 'operator', 'rita-password-1');
    page = await run.signedInPage('rita', 'rita-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('renames a panel and, when asked, its doors still named after it; the Doors page and the REST door list show the new names', async () => {
    await page.goto(`${t.baseUrl}/console/devices`);
    await page.getByRole('button', { name: 'Rename RENAME0001' }).click();
    const form = page.getByRole('form', { name: 'Rename RENAME0001' });
    await form.getByLabel('New name for RENAME0001').fill('Yard');
    const doorsToo = form.getByRole('checkbox', { name: /Rename its doors and floors named after it too \(10\.7\.9\.1-1 becomes Yard-1\)/ });
    // Unticked unless the operator asks: integrations may open these doors by name.
    expect(await doorsToo.isChecked()).toBe(false);
    await doorsToo.check();
    await form.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Renamed RENAME0001; its doors are now Yard-1, Yard-2').waitFor();
    await form.waitFor({ state: 'detached' });
    expect(await t.ds.query(`SELECT d.name FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = 'RENAME0001' ORDER BY d.door_no`)).toEqual([{ name: 'Yard-1' }, { name: 'Yard-2' }]);
    const listed = (await t.get('/api/door/list?pageNo=1&pageSize=10')).body.data.map((d: { name: string }) => d.name).sort();
    expect(listed).toEqual(['Yard-1', 'Yard-2']);
    await page.goto(`${t.baseUrl}/console/doors`);
    await page.getByRole('table', { name: 'Doors' }).getByRole('cell', { name: 'Yard-2', exact: true }).waitFor();

    // Left unticked, the doors keep their names.
    await page.goto(`${t.baseUrl}/console/devices`);
    await page.getByRole('button', { name: 'Rename RENAME0001' }).click();
    await form.getByLabel('New name for RENAME0001').fill('Yard north');
    await form.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Renamed RENAME0001', { exact: true }).waitFor();
    expect(await t.ds.query(`SELECT alias FROM device WHERE sn = 'RENAME0001'`)).toEqual([{ alias: 'Yard north' }]);
    expect(await t.ds.query(`SELECT d.name FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = 'RENAME0001' ORDER BY d.door_no`)).toEqual([{ name: 'Yard-1' }, { name: 'Yard-2' }]);
  });

  it("reads the panel's row again as its queue is followed: a finished Full sync is not left reading 'syncing' until the list's 10 s refresh", async () => {
    const p = await run.signedInPage('rita', 'rita-password-1');
    // The list's own 10 s refresh never fires on this page: what the row reads after the sync comes from following it.
    await p.addInitScript({
      content: `{ const real = window.setInterval.bind(window); window.setInterval = (fn, ms, ...args) => real(ms >= 10000 ? () => undefined : fn, ms, ...args); }`,
    });
    await p.goto(`${t.baseUrl}/console/devices`);
    const row = p.getByRole('row').filter({ hasText: 'RENAME0001' });
    await row.getByText(/^in sync/).waitFor();
    await p.getByRole('button', { name: 'Full sync RENAME0001' }).click();
    await p.getByRole('dialog').getByRole('button', { name: 'Queue full sync' }).click();
    await row.getByText(/^syncing, \d+ commands waiting/).waitFor();
    await p.getByRole('heading', { name: 'Command queue of RENAME0001' }).waitFor();
    // The panel fetches and answers all of it.
    await sim.pollUntilIdle();
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = 'RENAME0001' AND state IN ('pending', 'sent')`)).toEqual([{ n: 0 }]);
    // The queue reads "Nothing waiting" after its next 2 s read, and the row reads in sync with it (the wait is long
    // for a loaded machine: without the list's refresh nothing but following the device reads the row again).
    await p.getByText(/^Nothing waiting\./).waitFor({ timeout: 15_000 });
    await row.getByText(/^in sync/).waitFor({ timeout: 15_000 });
  }, 60_000);
});
