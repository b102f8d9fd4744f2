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
    // The delete trigger tallied the deleted events out: the compacted counts hold the one left, the deltas are gone.
    const sums = async () =>
      (await t.ds.query(`SELECT (SELECT coalesce(sum(n), 0)::int FROM acc_transaction_tally_day WHERE device_sn = 'RET0000001') AS days,
        (SELECT coalesce(sum(n), 0)::int FROM acc_transaction_tally_total WHERE device_sn = 'RET0000001') AS total,
        (SELECT count(*)::int FROM acc_transaction_tally_day WHERE device_sn = 'RET0000001') AS "dayRows",
        (SELECT count(*)::int FROM acc_transaction_tally) AS deltas`))[0];
    expect(await sums()).toEqual({ days: 1, total: 1, dayRows: 3, deltas: 0 });
    // The days whose events are all gone say nothing any more: their rows go.
    await maintenance.dropEmptyTallies();
    expect(await sums()).toEqual({ days: 1, total: 1, dayRows: 1, deltas: 0 });
    expect((await t.get('/api/transaction/monitor', { timestamp: ts })).body.data).toEqual([]);
    await expect(maintenance.deleteExpired()).resolves.toBe(0);
  });

  it('answers the totals from the compacted counts plus the deltas since, and a compaction rewrites only the days that changed (issue 11)', async () => {
    const a = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TALLY00001', doors: 1 });
    const b = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TALLY00002', doors: 1 });
    await a.connect();
    await b.connect();
    const day = (daysAgo: number, h: number) => new Date(Math.floor(Date.now() / 86_400_000 - daysAgo) * 86_400_000 + h * 3_600_000);
    const maintenance = t.app.get(TransactionMaintenanceService);
    let index = 0;
    const upload = async (sim: DeviceSimulator, times: Date[]) => expect((await sim.uploadRtlog(times.map((time) => ({ time, pin: 7, event: 0, index: ++index })))).status).toBe(200);
    const fmt = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
    // Every total the tally answers, each beside the exact count of the same events.
    const check = async (label: string) => {
      const queries: Array<[string, Record<string, string>, string, unknown[]]> = [
        ['/api/v2/transaction/list', {}, `device_sn LIKE 'TALLY%'`, []],
        ['/api/v2/transaction/device/TALLY00001', {}, `device_sn = 'TALLY00001'`, []],
        ['/api/v2/transaction/device/TALLY00002', { startDate: fmt(day(3, 0)), endDate: fmt(day(1, 0)) }, `device_sn = 'TALLY00002' AND event_time >= $1 AND event_time <= $2`, [day(3, 0), day(1, 0)]],
        ['/api/v2/transaction/list', { startDate: fmt(day(4, 12)), endDate: fmt(day(0, 23)) }, `device_sn LIKE 'TALLY%' AND event_time >= $1 AND event_time <= $2`, [day(4, 12), day(0, 23)]],
      ];
      for (const [path, q, where, params] of queries) {
        const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_transaction WHERE ${where}`, params);
        // Other tests' events are in the unfiltered total too: compare without them.
        const others = path === '/api/v2/transaction/list' ? (await t.ds.query(`SELECT count(*)::int AS n FROM acc_transaction WHERE device_sn NOT LIKE 'TALLY%' ${params.length ? 'AND event_time >= $1 AND event_time <= $2' : ''}`, params))[0].n : 0;
        expect((await t.get(path, { ...page, ...q })).body.data.total - others, `${label}: ${path} ${JSON.stringify(q)}`).toBe(n);
        expect(n, label).toBeGreaterThan(0);
      }
    };
    await upload(a, [day(5, 8), day(4, 8), day(4, 9), day(2, 8), day(0, 1)]);
    await upload(b, [day(3, 8), day(2, 8), day(2, 9)]);
    await check('deltas only');
    await maintenance.compactTally();
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM acc_transaction_tally`))[0].n).toBe(0);
    await check('compacted only');
    const rowVersions = async () =>
      new Map<string, string>(
        ((await t.ds.query(`SELECT device_sn || ' ' || day::text AS k, xmin::text AS v FROM acc_transaction_tally_day WHERE device_sn LIKE 'TALLY%'`)) as Array<{ k: string; v: string }>).map((r) => [r.k, r.v]),
      );
    const before = await rowVersions();
    // A panel catching up on an old day, and a new day: the compacted counts and the deltas together.
    await upload(b, [day(3, 10), day(1, 8)]);
    await check('compacted and deltas');
    await maintenance.compactTally();
    await check('compacted again');
    const after = await rowVersions();
    const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
    expect(changed.sort()).toEqual([`TALLY00002 ${day(1, 0).toISOString().slice(0, 10)}`, `TALLY00002 ${day(3, 0).toISOString().slice(0, 10)}`].sort());
  });
});
