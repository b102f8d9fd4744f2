import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactionMaintenanceService } from '../../src/transaction/transaction-maintenance.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  process.env.EVENT_RETENTION_DAYS = '30';
  t = await startTestApp();
});
afterAll(async () => {
  delete process.env.EVENT_RETENTION_DAYS;
  await t?.close();
});

const page = { pageNo: 1, pageSize: 100 };

describe('event retention (EVENT_RETENTION_DAYS)', () => {
  it('deletes events older than the limit and keeps totals, monitor and tallies consistent', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'RET0000001', doors: 1 });
    await sim.connect();
    const recent = new Date(Date.now() - 86_400_000);
    await sim.uploadRtlog([
      { time: '2020-01-01 08:00:00', pin: 1, event: 0 },
      { time: '2020-01-02 08:00:00', pin: 1, event: 0 },
      { time: recent, pin: 1, event: 0 },
    ]);
    expect((await t.get('/api/v2/transaction/list', page)).body.data.total).toBe(3);
    const ts = Date.now() - 60_000;
    const seen: unknown[] = [];
    for (const end = Date.now() + 20_000; seen.length < 3 && Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
      seen.push(...(await t.get('/api/transaction/monitor', { timestamp: ts })).body.data);
    }
    expect(seen).toHaveLength(3);

    const maintenance = t.app.get(TransactionMaintenanceService);
    expect(maintenance.config.retentionDays).toBe(30);
    await expect(maintenance.deleteExpired()).resolves.toBe(2);
    await maintenance.compactTally();

    const v2 = (await t.get('/api/v2/transaction/list', page)).body.data;
    expect(v2.total).toBe(1);
    expect(v2.data).toHaveLength(1);
    expect((await t.get('/api/v2/transaction/device/RET0000001', { ...page, startDate: '2019-12-01 00:00:00' })).body.data.total).toBe(1);
    // The delete trigger tallied the deleted events out: the compacted tally holds the one left.
    const [{ n }] = await t.ds.query(`SELECT coalesce(sum(n), 0)::int AS n FROM acc_transaction_tally`);
    expect(n).toBe(1);
    expect((await t.get('/api/transaction/monitor', { timestamp: ts })).body.data).toEqual([]);
    await expect(maintenance.deleteExpired()).resolves.toBe(0);
  });
});
