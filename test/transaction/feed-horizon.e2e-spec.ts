import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { holdXmin } from '../support/held-back';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The feeds (monitor, Push Center) hand an event out once every older transaction that could still write before it
 * has ended. Only this database's transactions can: a long write transaction of another database on the same
 * PostgreSQL server (another application, a batch job) must not hold the site's events back. Real PostgreSQL only:
 * the embedded one has a single database and a single connection.
 */
const onPglite = inject('testDb').mode === 'embedded';

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  setPushCenterTimings({ retryBaseMs: 50, retryMaxMs: 400, pollMs: 60_000 });
  receiver = await Receiver.answering(200);
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
  await receiver?.stop();
});

/** A write transaction (one with an xid) held open on another database of the same server. */
async function holdOtherDatabase(): Promise<{ xid: bigint; end: () => Promise<void> }> {
  const url = new URL(t.db.url);
  url.pathname = '/postgres';
  const c = new Client({ connectionString: url.toString() });
  await c.connect();
  await c.query('BEGIN');
  const [{ xid }] = (await c.query('SELECT pg_current_xact_id()::text AS xid')).rows;
  return { xid: BigInt(xid), end: () => c.query('COMMIT').then(() => c.end()) };
}

async function horizons(): Promise<{ feed: bigint; cluster: bigint }> {
  const [r] = await t.ds.query(`SELECT feed_xmin()::text AS feed, pg_snapshot_xmin(pg_current_snapshot())::text AS cluster`);
  return { feed: BigInt(r.feed), cluster: BigInt(r.cluster) };
}

describe.skipIf(onPglite)('the feeds\' horizon', () => {
  it('is not held back by another database\'s transaction, and is by this database\'s own', async () => {
    const other = await holdOtherDatabase();
    try {
      // Some transaction has to end after the foreign one began, or the snapshot's xmax stays at its xid. The
      // gateway's own background work (a sweep, the outbox) may be mid-transaction on this database when the
      // horizon is read, and then rightly holds it: read again until none is. The foreign transaction stays open
      // throughout, so a horizon held back by it never gets past it, however long this waits.
      let h = { feed: 0n, cluster: 0n };
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        await t.ds.query(`SELECT pg_current_xact_id()`);
        h = await horizons();
        expect(h.cluster).toBeLessThanOrEqual(other.xid);
        if (h.feed > other.xid) break;
      }
      expect(h.feed).toBeGreaterThan(other.xid);

      const own = await holdXmin(t.db.url);
      try {
        await t.ds.query(`SELECT pg_current_xact_id()`);
        const [{ xid }] = await t.ds.query(`SELECT max(backend_xid::text::bigint)::text AS xid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL`);
        expect((await horizons()).feed).toBeLessThanOrEqual(BigInt(xid));
      } finally {
        await own.commit();
        await own.end();
      }
    } finally {
      await other.end();
    }
  });

  it('hands a panel\'s event to the monitor and the Push Center while another database\'s transaction runs', async () => {
    expect((await t.post('/api/gateway/pushTargets', { name: 'hr', url: receiver.url })).body.code).toBe(0);
    const since = Date.now();
    expect((await t.get('/api/transaction/monitor', { timestamp: since })).body.data).toEqual([]);
    const other = await holdOtherDatabase();
    try {
      const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'HORIZON001', doors: 1 });
      await panel.connect();
      expect((await panel.uploadRtlog([{ time: '2026-05-01 08:00:00', pin: 5, cardno: 4711, event: 0, eventaddr: 1 }])).status).toBe(200);

      // The monitor's first poll that reads the event hands it out (it waits a little for held-back events).
      let got: any[] = [];
      for (let i = 0; i < 20 && got.length === 0; i++) {
        got = (await t.get('/api/transaction/monitor', { timestamp: since })).body.data;
        if (!got.length) await new Promise((r) => setTimeout(r, 100));
      }
      expect(got.map((e) => e.devSn)).toEqual(['HORIZON001']);

      for (let i = 0; i < 100 && receiver.delivered().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(receiver.delivered()).toHaveLength(1);
      expect(JSON.parse(JSON.parse(receiver.delivered()[0].body).content)).toMatchObject({ devSn: 'HORIZON001', cardNo: '4711' });
    } finally {
      await other.end();
    }
  });
});
