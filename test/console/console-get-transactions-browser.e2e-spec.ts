import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ConsoleBrowserRun } from '../support/console-browser';
import type { TestApp } from '../support/test-app';
import { navTo } from './browser';
import { createOperator } from './console-helpers';

/**
 * CVSecurity's Device > Get transactions on the Devices page: an operator asks an access panel for its new records,
 * all of them, or those of a period (DATA QUERY tablename=transaction); the records it kept while the gateway could
 * not be reached come in, each once, and the page says how many the panel sent only once it answered; a Return that
 * counts records that did not come (a packet lost) is said so, and the ask again followed; an empty answer reads none.
 * A viewer is offered no such action.
 */
const run = new ConsoleBrowserRun('console get transactions browser tests');

let t: TestApp;
let page: Page;
let sim: DeviceSimulator;
const SN = 'H2GTXWEB01';
const wall = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
const input = (d: Date) => wall(d).replace(' ', 'T').replace(/:00$/, '');
const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

const logIds = async () =>
  ((await t.get('/api/transaction/list', { pageNo: 1, pageSize: 100 })).body.data as Array<{ devSn: string; logId: number }>)
    .filter((e) => e.devSn === SN)
    .map((e) => e.logId)
    .sort((a, b) => a - b);

async function openForm() {
  const row = page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${SN} `) });
  await row.getByRole('button', { name: `Get transactions of ${SN}`, exact: true }).click();
  const form = page.getByRole('form', { name: `Get transactions of ${SN}` });
  return { form, submit: () => form.getByRole('button', { name: 'Get transactions', exact: true }).click() };
}

describe.skipIf(!run.executable)('Get transactions of a panel on the Devices page in Chromium', () => {
  beforeAll(async () => {
    t = await run.startGateway({ syncReconcileIntervalMs: 0 });
    await createOperator(t, 'h2tove', 'operator', 'h2tove-password-1');
    await createOperator(t, 'h2vera', 'viewer', 'h2vera-password-1');
    sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: SN, doors: 2, queryPackSize: 2 });
    await sim.connect();
    await sim.pollUntilIdle();
    await sim.uploadRtlog([{ time: wall(ago(300)), pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 1 }]);
    sim.logOffline([
      { time: wall(ago(200)), pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 2 },
      { time: wall(ago(120)), pin: 0, eventaddr: 2, event: 8, inoutstatus: 2, verifytype: 200, index: 3 },
      { time: wall(ago(30)), pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 4 },
    ]);
    page = await run.signedInPage('h2tove', 'h2tove-password-1');
  }, 120_000);
  afterAll(() => run.close());

  it('asks for a period, then for the new records, follows each to the panel\'s answer, and the records are listed once', async () => {
    await navTo(page, 'Devices');
    let { form, submit } = await openForm();
    await form.getByLabel('Records').selectOption('period');
    await form.getByLabel('Start time').fill(input(ago(150)));
    await form.getByLabel('End time').fill(input(ago(60)));
    await submit();
    const status = page.getByRole('status').filter({ hasText: /^Get transactions: / });
    await status.getByText(`Get transactions: ${SN} is asked for its records of ${wall(ago(150))} to ${wall(ago(60))}, waiting for the panel`, { exact: true }).waitFor();
    const ran = await sim.pollUntilIdle();
    expect(ran.map((c) => c.command)).toEqual([`DATA QUERY tablename=transaction,fielddesc=*,filter=starttime=${wall(ago(150))}\tendtime=${wall(ago(60))}`]);
    await status.getByText(new RegExp(`^Get transactions: the panel ${SN} sent 1 record \\(its records of`)).waitFor({ timeout: 10_000 });
    expect(await logIds()).toEqual([1, 3]);

    ({ form, submit } = await openForm());
    expect(await form.getByLabel('Records').inputValue()).toBe('new');
    await submit();
    await status.getByText(`Get transactions: ${SN} is asked for the records it has not uploaded, waiting for the panel`, { exact: true }).waitFor();
    await sim.pollUntilIdle();
    // The rtlog event was uploaded: the three kept offline are the new ones (one of them the gateway had already).
    await status.getByText(new RegExp(`^Get transactions: the panel ${SN} sent 3 records \\(the records it has not uploaded\\)`)).waitFor({ timeout: 10_000 });
    expect(await logIds()).toEqual([1, 2, 3, 4]);

    const audit = await t.ds.query(`SELECT target, outcome FROM console_audit WHERE action = 'device.getTransactions' ORDER BY id`);
    expect(audit).toEqual([
      { target: `${SN} period ${wall(ago(150))} - ${wall(ago(60))}`, outcome: 'ok' },
      { target: `${SN} new`, outcome: 'ok' },
    ]);
  });

  it('a packet lost: the page says how many records did not come and follows the ask again to its answer; an empty period reads none', async () => {
    sim.logOffline([
      { time: wall(ago(20)), pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 5 },
      { time: wall(ago(15)), pin: 0, eventaddr: 2, event: 8, inoutstatus: 2, verifytype: 200, index: 6 },
      { time: wall(ago(10)), pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 7 },
    ]);
    // Seven records in packets of two: the first (records 1 and 2, held already) never reaches the gateway.
    sim.loseQueryPackets('transaction', 1);
    await navTo(page, 'Devices');
    let { form, submit } = await openForm();
    await form.getByLabel('Records').selectOption('all');
    await submit();
    const status = page.getByRole('status').filter({ hasText: /^Get transactions: / });
    await status.getByText(`Get transactions: ${SN} is asked for all its records, waiting for the panel`, { exact: true }).waitFor();
    expect((await sim.poll()).map((c) => c.command)).toEqual(['DATA QUERY tablename=transaction,fielddesc=*,filter=*']);
    const [{ id: again }]: Array<{ id: string }> = await t.ds.query(`SELECT max(id)::text AS id FROM device_command WHERE device_sn = $1 AND state = 'pending'`, [SN]);
    await status
      .getByText(`Get transactions: the panel ${SN} counted 7 records (all its records), but 2 of the 7 records its Return counts did not come; asked again: command ${again}, waiting for the panel`, { exact: true })
      .waitFor({ timeout: 10_000 });
    await sim.pollUntilIdle();
    await status.getByText(new RegExp(`^Get transactions: the panel ${SN} sent 7 records \\(all its records\\); each is in Transactions once`)).waitFor({ timeout: 10_000 });
    expect(await logIds()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The queue shows the short answer's shortfall beside its Return's meaning.
    const row = page.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${SN} `) });
    await row.getByRole('button', { name: `Command queue of ${SN}`, exact: true }).click();
    await page
      .getByRole('table', { name: `Command queue of ${SN}` })
      .getByRole('cell', { name: `Successful; 2 of the 7 records its Return counts did not come; asked again: command ${again}`, exact: true })
      .waitFor();

    ({ form, submit } = await openForm());
    await form.getByLabel('Records').selectOption('period');
    await form.getByLabel('Start time').fill(input(ago(100)));
    await form.getByLabel('End time').fill(input(ago(60)));
    await submit();
    await status.getByText(`Get transactions: ${SN} is asked for its records of ${wall(ago(100))} to ${wall(ago(60))}, waiting for the panel`, { exact: true }).waitFor();
    await sim.pollUntilIdle();
    await status
      .getByText(`Get transactions: the panel ${SN} holds no records of what was asked (its records of ${wall(ago(100))} to ${wall(ago(60))}): it answered Return 0, none`, { exact: true })
      .waitFor({ timeout: 10_000 });
  });

  it('offers a viewer no Get transactions', async () => {
    const viewer = await run.signedInPage('h2vera', 'h2vera-password-1');
    await navTo(viewer, 'Devices');
    const row = viewer.getByRole('table', { name: 'Devices' }).getByRole('row', { name: new RegExp(`^${SN} `) });
    await row.getByRole('button', { name: `Command queue of ${SN}`, exact: true }).waitFor();
    expect(await row.getByRole('button', { name: /Get transactions/ }).count()).toBe(0);
  });
});
