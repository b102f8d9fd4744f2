import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { signInPage } from './browser';
import { createOperator } from './console-helpers';

/**
 * A device's convergence page says plainly when the device answered that it is full (Return -18), which items it
 * refused and why; ~MaxUserCount is shown as the figure the device reported, never as a number of users it can hold
 * (the manual's panels report ~MaxUserCount=50 beside ~MaxAttLogCount=10 and TransactionCount=23).
 */
const run = new ConsoleBrowserRun('console capacity browser tests');

let t: TestApp;
let page: Page;

describe.skipIf(!run.executable)('console: device capacity', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'root', 'admin', 'root-password-1');
    const panel = new DeviceSimulator({
      baseUrl: t.baseUrl,
      sn: 'CAPCON0001',
      doors: 1,
      ipAddress: '10.45.0.1',
      registryExtras: { '~MaxUserCount': 1 },
      resultFor: (c) => (c.verb === 'DATA UPDATE' && c.table === 'user' && /(?:^|\t)Pin=9202(?:\t|$)/.test(c.args) ? -18 : undefined),
    });
    await panel.connect();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'CapCon' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'CapCon', doorName: '10.45.0.1-1' }] })).body.code).toBe(0);
    const level = (await t.get('/api/accLevel/getByName/CapCon')).body.data.id;
    for (const pin of ['9201', '9202']) {
      expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level })).body.code).toBe(0);
      await panel.pollUntilIdle({ maxPolls: 20 });
    }
    page = await run.newPage();
  }, 120_000);
  afterAll(() => run.close());

  it('says the device is full when it answered so, with what it refused; ~MaxUserCount as the figure it reported', async () => {
    await signInPage(page, t.baseUrl, 'root', 'root-password-1');
    await page.goto(`${t.baseUrl}/console/devices/CAPCON0001`);
    const region = page.getByRole('region', { name: 'Convergence of CAPCON0001' });
    await region.getByRole('alert').filter({ hasText: 'the device answered Return -18 (The device has insufficient space) to 1 item it lacks (user 9202): the device is full' }).waitFor();
    expect(await region.getByText('device full: Return -18 The device has insufficient space, 1 item').count()).toBe(1);
    expect(await region.getByText('2 (the device reports ~MaxUserCount=1)').count()).toBe(1);
  });
});
