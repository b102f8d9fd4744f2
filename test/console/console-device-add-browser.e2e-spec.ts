import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo, SCREENSHOT_DIR } from './browser';
import { createOperator } from './console-helpers';

/**
 * CVSecurity's Device > New: an operator adds a panel by its SN before it is ever wired up, and when it then calls
 * (here under DEVICE_ADMISSION=manual, where an unknown device would wait for approval) it is served at once:
 * registered, sent the persons its doors' levels grant, its doors named after the name given.
 */
const run = new ConsoleBrowserRun('console device add browser tests');

let t: TestApp;
let page: Page;

describe.skipIf(!run.executable)('console: a device added by SN before its first contact (CVSecurity Device > New)', () => {
  beforeAll(async () => {
    t = await run.startGateway({ deviceAdmission: 'manual' });
    await createOperator(t, 'ada', 'admin', 'ada-password-1');
    page = await run.signedInPage('ada', 'ada-password-1');
    await navTo(page, 'Devices');
  }, 120_000);
  afterAll(() => run.close());

  it('adds the panel, which is admitted when it first calls and receives its data', async () => {
    const form = page.getByRole('form', { name: 'Add device' });
    await form.getByLabel('Serial number (SN)').fill('NEWPANEL01');
    await form.getByLabel('Name (optional)').fill('Lobby panel');
    await form.getByRole('button', { name: 'Add device' }).click();
    await page.getByText('Device NEWPANEL01 added: it is admitted and receives its data as soon as it contacts the gateway').waitFor();
    const row = page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: /NEWPANEL01/ });
    await expect.poll(async () => (await row.getByRole('cell').allTextContents()).slice(0, 4), { timeout: 20_000 }).toEqual(['NEWPANEL01', 'Lobby panel', 'Access panel', 'not contacted yet']);
    expect((await row.getByRole('cell').allTextContents())[7]).toBe('sent everything at its first contact');
    await page.screenshot({ path: `${SCREENSHOT_DIR}/device-added.png` });

    // The same SN again: refused in words, the form keeping what was typed.
    await form.getByLabel('Serial number (SN)').fill('NEWPANEL01');
    await form.getByRole('button', { name: 'Add device' }).click();
    await page.getByRole('alert').getByText('Device NEWPANEL01 is already known (admitted)').waitFor();
    expect(await form.getByLabel('Serial number (SN)').inputValue()).toBe('NEWPANEL01');

    // A level on the panel's first door, with a person, before the panel is wired up: the doors come with its registration.
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'NEWPANEL01', doors: 2, ipAddress: '10.54.0.1' });
    expect((await sim.connect()).registered).toBe(true);
    await sim.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Lobby', areaName: 'Area Name' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Lobby', doorName: 'Lobby panel-1' }] })).body.code).toBe(0);
    const [level] = await t.ds.query(`SELECT id FROM acc_level WHERE name = 'Lobby'`);
    expect((await t.post('/api/person/add', { pin: '7101', name: 'Lia', cardNo: '771010', accLevelIds: level.id })).body.code).toBe(0);
    await sim.pollUntilIdle();
    expect(sim.rightsOf('7101').flatMap((r) => r.doors)).toEqual([1]);
    await expect.poll(async () => (await row.getByRole('cell').allTextContents())[3], { timeout: 30_000 }).toBe('online');

    await navTo(page, 'Doors');
    await page.getByRole('table', { name: 'Doors' }).getByRole('row', { name: /Lobby panel-2/ }).waitFor();
  });

  it('adds a device through the REST API too, and refuses an SN no device could send', async () => {
    const added = await t.post('/api/gateway/devices', { sn: 'NEWPANEL02' });
    expect(added.body).toMatchObject({ code: 0, data: { sn: 'NEWPANEL02', alias: 'NEWPANEL02', admission: 'admitted', online: false, lastSeen: null } });
    const bad = await t.post('/api/gateway/devices', { sn: 'NEW PANEL' });
    expect(bad.status).toBeLessThan(500);
    expect(bad.body.code).toBeLessThan(0);
    expect(bad.body.message).toContain('sn');
    const again = await t.post('/api/gateway/devices', { sn: 'NEWPANEL02' });
    expect(again.body).toMatchObject({ code: -409, message: 'Device NEWPANEL02 is already known (admitted)' });
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'NEWPANEL02', doors: 1, ipAddress: '10.54.0.2' });
    expect((await sim.connect()).registered).toBe(true);
    // Named after its address once it registers, as a device approved on arrival is.
    expect((await t.get('/api/gateway/devices/NEWPANEL02')).body.data).toMatchObject({ alias: '10.54.0.2', admission: 'admitted' });
  });
});
