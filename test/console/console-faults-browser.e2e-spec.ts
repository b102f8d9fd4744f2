import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';
import { createOperator, lastSeenLongAgo, signIn } from './console-helpers';

/**
 * What the console says under device faults, played as an operator: a panel that refuses a door command, and a
 * panel that is offline when a person leaves, is deleted or a visitor checks out. A panel decides at the door by
 * itself: until the offline one polls again it still lets them in, and the message says so by name.
 */
const run = new ConsoleBrowserRun('console faults browser tests');

let t: TestApp;
let page: Page;
let near: DeviceSimulator;
let far: DeviceSimulator;

describe.skipIf(!run.executable)('the console under device faults', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'fred', 'operator', 'fred-password-1');
    await createOperator(t, 'alma', 'admin', 'alma-password-1');
    near = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'NEARPANEL1', doors: 1, ipAddress: '10.51.0.1' });
    far = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'FARPANEL01', doors: 1, ipAddress: '10.51.0.2' });
    for (const p of [near, far]) {
      await p.connect();
      await p.pollUntilIdle();
    }
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Everywhere', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    const doors = (await t.get('/api/door/list?pageNo=1&pageSize=10')).body.data;
    for (const d of doors) expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Everywhere', doorName: d.name }] })).body.code).toBe(0);
    const levelId = (await t.get('/api/accLevel/list?pageNo=1&pageSize=10')).body.data[0].id;
    for (const pin of ['6001', '6002']) expect((await t.post('/api/person/add', { pin, name: `Worker${pin}`, lastName: 'Field', cardNo: `66${pin}`, accLevelIds: levelId })).body.code).toBe(0);
    for (const p of [near, far]) await p.pollUntilIdle();
    page = await run.signedInPage('fred', 'fred-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('says a refused door command was refused, with its Return code and meaning once', async () => {
    near.failCommands((c) => c.verb === 'CONTROL DEVICE', -11, 1);
    await navTo(page, 'Doors');
    const door = (await t.get('/api/door/list?pageNo=1&pageSize=10')).body.data.find((d: any) => d.name.startsWith('10.51.0.1')).name as string;
    await page.getByRole('button', { name: `Open ${door}`, exact: true }).click();
    await page.locator('dialog[open]').getByRole('button', { name: `Open ${door}` }).click();
    await page.getByText(`Open: command queued for ${door}, waiting for the panel`).waitFor();
    await near.pollUntilIdle();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toBe(`Open ${door}: the panel answered Return -11 (Incorrect data parameter)`);
  });

  it('names the offline panel that still holds a person who left or was deleted, until it polls again', async () => {
    await lastSeenLongAgo(t, 'FARPANEL01');
    await page.goto(`${t.baseUrl}/console/persons/6001`);
    await page.getByRole('button', { name: 'Leave', exact: true }).click();
    await page.locator('dialog[open]').getByRole('button', { name: '6001 leaves' }).click();
    await page.getByRole('status').filter({ hasText: '6001 has left; the panels are told to remove them; 10.51.0.2 (FARPANEL01) is offline and still holds them until it polls again' }).waitFor();
    // The online panel removes them at once: it is not named.
    await near.pollUntilIdle();
    expect(await page.getByText(/NEARPANEL1\) is offline/).count()).toBe(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/leave-offline-panel.png` });

    await navTo(page, 'Persons');
    await page.getByRole('button', { name: 'Delete 6002' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Delete 6002' }).click();
    await page.getByText('Deleted 6002; the panels that hold them are told to remove them (the Devices page follows them); 10.51.0.2 (FARPANEL01) is offline and still holds them until it polls again').waitFor();

    // The dashboard says which device its "offline" count means, with its last contact, and links to it.
    await navTo(page, 'Dashboard');
    const offline = page.getByRole('table', { name: 'Devices offline' });
    const farRow = offline.getByRole('row', { name: /FARPANEL01/ });
    await farRow.waitFor();
    expect(await farRow.getByRole('cell').first().textContent()).toBe('10.51.0.2 (FARPANEL01)');
    expect(await farRow.getByRole('cell').nth(1).textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await offline.getByRole('row', { name: /NEARPANEL1/ }).count()).toBe(0);
    await farRow.getByRole('link', { name: 'Convergence of FARPANEL01' }).click();
    await page.getByRole('heading', { name: 'Convergence of FARPANEL01' }).waitFor();

    // Back online, it removes both: a later removal names no panel.
    await far.pollUntilIdle();
    expect(far.received.map((r) => r.command)).toEqual(expect.arrayContaining(['DATA DELETE user Pin=6001', 'DATA DELETE user Pin=6002']));
  });

  it("names the offline panel that has not got a visitor's card at check-in, and the one that still holds it at check-out", async () => {
    expect((await t.post('/api/person/add', { pin: '6100', name: 'Host' })).body.code).toBe(0);
    // Checked in while the far panel is offline: it gets the card only when it polls again.
    await lastSeenLongAgo(t, 'FARPANEL01');
    await navTo(page, 'Visitors');
    await page.getByRole('button', { name: 'Check a visitor in' }).click();
    const form = page.getByRole('form', { name: 'Check a visitor in' });
    await form.getByLabel('Visitor name').fill('Late Guest');
    await form.getByLabel('Document number').fill('FAULT0001');
    await form.getByLabel('Host (pin or name)').fill('6100');
    await form.getByLabel('Reason').fill('Audit');
    await form.getByLabel('Card number').fill('7770701');
    await form.getByLabel('Everywhere').check();
    await form.getByRole('button', { name: 'Check in' }).click();
    await page.getByText('Late Guest checked in; the panels of their visitor levels are sent the card; 10.51.0.2 (FARPANEL01) is offline and receives it when it polls again').waitFor();
    for (const p of [near, far]) await p.pollUntilIdle();
    await lastSeenLongAgo(t, 'FARPANEL01');
    await page.getByRole('button', { name: 'Check out Late Guest' }).click();
    const dialog = page.getByRole('dialog', { name: 'Check out visitor' });
    expect(await dialog.textContent()).toContain('a panel that is offline keeps it until it polls again');
    await dialog.getByRole('button', { name: 'Check out Late Guest' }).click();
    await page.getByText('Late Guest checked out; the panels are told to remove their card; 10.51.0.2 (FARPANEL01) is offline and still holds their card until it polls again').waitFor();
  });

  it("says on the Elevator and Entrance pages which floors' and gates' controller is offline, before a button is pressed", async () => {
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'ELEFAULT01', floors: 2, ipAddress: '10.51.0.3' });
    const cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PSGFAULT01', gates: 1, ipAddress: '10.51.0.4' });
    for (const c of [ec, cc]) {
      await c.connect();
      await c.pollUntilIdle();
    }
    // Floors and gates appear once the registration listener ran.
    for (let i = 0; i < 100; i++) {
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM door g JOIN device d ON d.id = g.device_id WHERE d.sn = 'PSGFAULT01'`);
      const [{ f }] = await t.ds.query(`SELECT count(*)::int AS f FROM floor x JOIN device d ON d.id = x.device_id WHERE d.sn = 'ELEFAULT01'`);
      if (n >= 1 && f >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await navTo(page, 'Elevator');
    const floor = page.getByRole('table', { name: 'Floors' }).getByRole('row', { name: /^10\.51\.0\.3-1 / });
    await floor.getByText('online', { exact: true }).waitFor();
    await lastSeenLongAgo(t, 'ELEFAULT01');
    await lastSeenLongAgo(t, 'PSGFAULT01');
    await page.reload();
    await floor.getByRole('cell', { name: '10.51.0.3 (ELEFAULT01) offline' }).waitFor();
    await navTo(page, 'Entrance control');
    await page.getByRole('table', { name: 'Gates' }).getByRole('row', { name: /^10\.51\.0\.4-1 / }).getByRole('cell', { name: '10.51.0.4 (PSGFAULT01) offline' }).waitFor();
  });

  it("counts a disabled panel on the dashboard and says its doors' panel is disabled, not offline", async () => {
    // An administrator disables NEARPANEL1: it is no device online, offline or waiting for approval, and its doors
    // are not "offline" (the dashboard's offline count and list do not hold it).
    const admin = await signIn(t, 'alma', 'alma-password-1');
    expect((await admin.call('POST', 'devices/NEARPANEL1/disable')).body.code).toBe(0);
    await navTo(page, 'Doors');
    await navTo(page, 'Dashboard');
    const card = page.getByRole('region', { name: 'Devices' }).locator('article', { hasText: 'disabled' });
    await card.waitFor();
    expect(await card.textContent()).toBe('1 disabled');
    expect(await page.getByRole('table', { name: 'Devices disabled' }).getByRole('row', { name: /NEARPANEL1/ }).count()).toBe(1);
    const door = page.getByRole('table', { name: 'Door states' }).getByRole('row', { name: /^10\.51\.0\.1-1 / });
    expect(await door.getByRole('cell').nth(1).textContent()).toBe('panel disabled');
  });
});
