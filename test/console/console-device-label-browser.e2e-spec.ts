import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { createOperator } from './console-helpers';

/**
 * A panel replaced by another on the same address: the successor takes the address as its name, so the old panel's
 * transactions and the new one's both say "10.9.0.5". The Transactions page names each device with its SN beside,
 * as the Doors and Attendance pages do, so the operator tells the two apart.
 */
const run = new ConsoleBrowserRun('console device label browser tests');

let t: TestApp;
let page: Page;

describe.skipIf(!run.executable)('console: devices named after the same address', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'olga', 'operator', 'olga-password-1');
    page = await run.signedInPage('olga', 'olga-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it("the Transactions page tells a replaced panel's events from its successor's", async () => {
    const old = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'OLDPANEL01', doors: 1, ipAddress: '10.9.0.5' });
    await old.connect();
    await old.pollUntilIdle();
    expect((await old.uploadRtlog([{ time: '2024-05-01 08:00:00', pin: 0, cardno: 700001, event: 27, eventaddr: 1, inoutstatus: 0, verifytype: 4 }])).status).toBe(200);
    expect((await t.delete('/api/gateway/devices/OLDPANEL01')).body.code).toBe(0);
    const successor = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'NEWPANEL01', doors: 1, ipAddress: '10.9.0.5' });
    await successor.connect();
    await successor.pollUntilIdle();
    expect((await successor.uploadRtlog([{ time: '2024-05-01 09:00:00', pin: 0, cardno: 700002, event: 27, eventaddr: 1, inoutstatus: 0, verifytype: 4 }])).status).toBe(200);
    expect((await t.ds.query(`SELECT alias FROM device WHERE sn = 'NEWPANEL01'`))[0].alias).toBe('10.9.0.5');

    await page.goto(`${t.baseUrl}/console/transactions`);
    const list = page.getByRole('table').last();
    await list.getByRole('row').filter({ hasText: '700001' }).getByRole('cell', { name: '10.9.0.5 (OLDPANEL01)', exact: true }).waitFor();
    await list.getByRole('row').filter({ hasText: '700002' }).getByRole('cell', { name: '10.9.0.5 (NEWPANEL01)', exact: true }).waitFor();
  });
});
