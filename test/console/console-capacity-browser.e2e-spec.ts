import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { signInPage } from './browser';
import { createOperator } from './console-helpers';

/**
 * A device's convergence page says how many users it is given against the ~MaxUserCount it reported, and says so
 * plainly when that is more than it can hold (the users beyond are refused by the device, no retry makes room).
 */
const run = new ConsoleBrowserRun('console capacity browser tests');

let t: TestApp;
let page: Page;

describe.skipIf(!run.executable)('console: device capacity', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'root', 'admin', 'root-password-1');
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CAPCON0001', doors: 1, ipAddress: '10.45.0.1', registryExtras: { '~MaxUserCount': 1 } });
    await panel.connect();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'CapCon' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'CapCon', doorName: '10.45.0.1-1' }] })).body.code).toBe(0);
    const level = (await t.get('/api/accLevel/getByName/CapCon')).body.data.id;
    for (const pin of ['9201', '9202']) expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level })).body.code).toBe(0);
    page = await run.newPage();
  }, 120_000);
  afterAll(() => run.close());

  it("shows the users against the device's capacity and the excess as an alert", async () => {
    await signInPage(page, t.baseUrl, 'root', 'root-password-1');
    await page.goto(`${t.baseUrl}/console/devices/CAPCON0001`);
    const region = page.getByRole('region', { name: 'Convergence of CAPCON0001' });
    await region.getByRole('alert').filter({ hasText: '2 users are to be held by this device, which holds at most 1 (~MaxUserCount): 1 cannot be held' }).waitFor();
    expect(await region.getByText('2 of the 1 it can hold (~MaxUserCount)').count()).toBe(1);
  });
});
