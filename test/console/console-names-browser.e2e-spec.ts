import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { createOperator } from './console-helpers';

/**
 * Chinese names as an operator of a site in China types them: the family name first and no space between the two
 * (张伟 for the person whose first name is 伟 and last name 张), in the Persons search, the transactions' and the
 * punches' person name.
 */
const run = new ConsoleBrowserRun('console names browser tests');

let t: TestApp;
let page: Page;
let panel: DeviceSimulator;
let term: AttendanceTerminal;

describe.skipIf(!run.executable)('Chinese names in the console', () => {
  beforeAll(async () => {
    t = await run.startGateway();
    await createOperator(t, 'li', 'operator', 'li-password-1');
    panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CNPANEL001', doors: 1, ipAddress: '10.61.0.1' });
    await panel.connect();
    await panel.pollUntilIdle();
    term = await initialisedTerminal(t, { sn: 'CNATT00001' });
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: '大门', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    const [door] = (await t.get('/api/door/list?pageNo=1&pageSize=10')).body.data;
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: '大门', doorName: door.name }] })).body.code).toBe(0);
    const levelId = (await t.get('/api/accLevel/list?pageNo=1&pageSize=10')).body.data[0].id;
    expect((await t.post('/api/person/add', { pin: '801', name: '伟', lastName: '张', cardNo: '880801', accLevelIds: levelId })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '802', name: '芳', lastName: '王', cardNo: '880802', accLevelIds: levelId })).body.code).toBe(0);
    await panel.pollUntilIdle();
    expect((await panel.access({ cardno: '880801', door: 1 })).decision.granted).toBe(true);
    expect((await panel.access({ cardno: '880802', door: 1 })).decision.granted).toBe(true);
    for (const pin of ['801', '802']) expect((await term.punch({ pin, time: '2026-11-20 08:00:00', status: 0, verify: 1 }))?.status).toBe(200);
    page = await run.signedInPage('li', 'li-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('finds 张伟 (family name first, no space) in the Persons search, the transactions and the punches', async () => {
    await page.goto(`${t.baseUrl}/console/persons?q=${encodeURIComponent('张伟')}`);
    const persons = page.getByRole('table', { name: 'Persons', exact: true });
    await persons.getByRole('row', { name: /^801 / }).waitFor();
    expect(await persons.getByRole('row', { name: /^802 / }).count()).toBe(0);

    await page.goto(`${t.baseUrl}/console/transactions?name=${encodeURIComponent('张伟')}`);
    const events = page.getByRole('table', { name: 'Transactions' });
    await events.getByRole('cell', { name: '伟 张 (801)' }).first().waitFor();
    expect(await events.getByText('(802)').count()).toBe(0);

    await page.goto(`${t.baseUrl}/console/attendance?name=${encodeURIComponent('张伟')}`);
    const punches = page.getByRole('table', { name: 'Punches' });
    await punches.getByRole('cell', { name: '伟 张 (801)' }).waitFor();
    expect(await punches.getByText('(802)').count()).toBe(0);
  });
});
