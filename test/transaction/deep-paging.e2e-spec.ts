import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSERTED_EVENT_RETURNING, PUBLISH_INSERTED_EVENTS } from '../../src/transaction/acc-transaction-publish';
import { TransactionMaintenanceService } from '../../src/transaction/transaction-maintenance.service';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Deep pages seek through the per-day tally instead of skipping index entries; they must return exactly
 * what a plain OFFSET returns, with and without device and date filters, across day boundaries.
 * (Fixture rows by SQL: 12,000 events are far more than a device test should upload.)
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  // 12,000 events over ~9 days, uneven per day, 3 devices, several events per second.
  for (const [from, to] of [[1, 6000], [6001, 12000]]) {
    await t.ds.query(
      `WITH ins AS (INSERT INTO acc_transaction (unique_key, device_sn, event_time, pin, event_no, log_id)
       SELECT 'DP_' || i, 'DP' || (i % 3), timestamptz '2024-02-01 00:00:00+00' + make_interval(secs => (i * i) / 200.0), (i % 50)::text, 0, i
       FROM generate_series($1::int, $2::int) AS i ${INSERTED_EVENT_RETURNING}), ${PUBLISH_INSERTED_EVENTS} SELECT 1`,
      [from, to],
    );
  }
});
afterAll(async () => {
  await t?.close();
});

async function expected(where: string, params: unknown[], offset: number, limit: number): Promise<string[]> {
  const rows: Array<{ id: string }> = await t.ds.query(
    `SELECT id::text AS id FROM acc_transaction ${where} ORDER BY event_time DESC, id DESC OFFSET ${offset} LIMIT ${limit}`,
    params,
  );
  return rows.map((r) => BigInt(r.id).toString(16).padStart(32, '0'));
}

describe('deep pages', () => {
  it.each([
    [51, 100],
    [60, 100],
    [119, 100],
    [120, 100],
    [6, 1000],
    [12, 1000],
    [13, 1000],
  ])('v2/transaction/list pageNo %i pageSize %i equals OFFSET paging', async (pageNo, pageSize) => {
    const r = await t.get('/api/v2/transaction/list', { pageNo, pageSize });
    expect(r.body.data.total).toBe(12000);
    expect(r.body.data.data.map((e: { id: string }) => e.id)).toEqual(await expected('', [], (pageNo - 1) * pageSize, pageSize));
  });

  it('with a device and a date range cutting days in half, also after the tally is compacted', async () => {
    const start = '2024-02-02 13:30:00';
    const end = '2024-02-08 07:15:00';
    const where = `WHERE device_sn = 'DP1' AND event_time >= '2024-02-02 13:30:00+00' AND event_time < '2024-02-08 07:15:01+00'`;
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_transaction ${where}`);
    expect(n).toBeGreaterThan(2000);
    for (const compact of [false, true]) {
      if (compact) await t.app.get(TransactionMaintenanceService).compactTally();
      for (const pageNo of [26, 30, Math.ceil(n / 100)]) {
        const r = await t.get('/api/v2/transaction/device/DP1', { pageNo, pageSize: 100, startDate: start, endDate: end });
        expect(r.body.data.total).toBe(n);
        expect(r.body.data.data.map((e: { id: string }) => e.id)).toEqual(await expected(where, [], (pageNo - 1) * 100, 100));
      }
      const v1 = await t.get('/api/transaction/list', { pageNo: 70, pageSize: 100, startDate: '2024-02-03', endDate: '2024-02-09 12:00:00' });
      expect(v1.body.data.map((e: { id: string }) => e.id)).toEqual(
        await expected(`WHERE event_time >= '2024-02-03 00:00:00+00' AND event_time < '2024-02-09 12:00:01+00'`, [], 6900, 100),
      );
    }
    const past = await t.get('/api/v2/transaction/list', { pageNo: 500, pageSize: 100 });
    expect(past.body.data).toMatchObject({ total: 12000, data: [], lastPage: true });
  });
});
