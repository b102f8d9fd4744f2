import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { INSERTED_EVENT_RETURNING, PUBLISH_INSERTED_EVENTS } from '../../src/transaction/acc-transaction-publish';
import { DeviceSimulator } from '../simulator/device-simulator';
import { abandonedGet, holdXmin } from '../support/held-back';
import { TransactionMonitorService } from '../../src/transaction/transaction-monitor.service';
import { MONITOR_CURSORS_PER_CLIENT } from '../../src/transaction/monitor-poll';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';
import { expectSameShape, manualExample } from './transaction-fixtures';

/** Concurrency belongs on real PostgreSQL: the embedded PGlite serialises transactions (stack notes). */
const onPglite = inject('testDb').mode === 'embedded';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

type Item = { cardNo: string; devSn: string; eventTime: string };

async function poll(timestamp: number, token = TEST_TOKEN): Promise<Item[]> {
  const r = await t.request<{ code: number; data: Item[] }>('GET', '/api/transaction/monitor', { query: { access_token: token, timestamp } });
  expect(r.body.code).toBe(0);
  return r.body.data;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until `n` events came (or 20 s passed). Events wait while any older transaction of the database runs
 * (FEED_XMIN), so a busy gateway may need more than one poll.
 */
async function pollFor(timestamp: number, n: number): Promise<Item[]> {
  const got: Item[] = [];
  for (const end = Date.now() + 20_000; got.length < n && Date.now() < end; ) {
    got.push(...(await poll(timestamp)));
    if (got.length < n) await sleep(50);
  }
  return got;
}

/** Inserts one event the way the ingest does, on its own connection (optionally left uncommitted by the caller). */
async function insertEvent(c: Client, sn: string, cardNo: string): Promise<void> {
  await c.query(
    `WITH ins AS (INSERT INTO acc_transaction (unique_key, device_sn, event_time, card_no, event_no) VALUES ($1, $2, now(), $3, 0) ${INSERTED_EVENT_RETURNING}), ${PUBLISH_INSERTED_EVENTS} SELECT 1`,
    [`${sn}_${cardNo}`, sn, cardNo],
  );
}

describe('transaction/monitor (2.18.5)', () => {
  it('requires a millisecond timestamp and starts at it: later events once, in the manual item shape', async () => {
    expect((await t.get('/api/transaction/monitor')).body).toMatchObject({ code: -400, data: null });
    expect((await t.get('/api/transaction/monitor', { timestamp: '2024-01-01' })).body).toMatchObject({ code: -100, data: null });
    // Digits past the last instant a date can hold (8.64e15 ms, year 275760) are no time either: -100 naming the
    // timestamp, as 17 digits are, on every monitor; not the database's "A value has the wrong format".
    for (const path of ['/api/transaction/monitor', '/api/hep/transaction/monitor', '/api/psgTransaction/monitor']) {
      expect((await t.get(path, { timestamp: '8640000000000001' })).body, path).toEqual({ code: -100, message: 'Time format error: timestamp must be milliseconds since the epoch', data: null });
    }
    expect((await t.get('/api/transaction/monitor', { timestamp: '8640000000000000' })).body).toMatchObject({ code: 0, data: [] });

    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'MON0000001', doors: 1 });
    await sim.connect();
    await sim.uploadRtlog([{ pin: 1, cardno: 1001, event: 0 }]);
    await sleep(20);
    const ts = Date.now();
    expect(await poll(ts)).toEqual([]);
    await sim.uploadRtlog([{ pin: 1, cardno: 1002, event: 0, verifytype: 4 }]);
    const got = await pollFor(ts, 1);
    expect(got.map((e) => e.cardNo)).toEqual(['1002']);
    expect(got[0]).toMatchObject({ pin: '1', devSn: 'MON0000001', areaName: 'Area Name' });
    expectSameShape(got[0], manualExample('2.18.5').data[0], '2.18.5 item');
    expect(await poll(ts)).toEqual([]);

    // An older timestamp is another cursor: it starts before both events.
    expect((await pollFor(ts - 60_000, 2)).map((e) => e.cardNo)).toEqual(['1001', '1002']);
  });

  it.skipIf(onPglite)('never skips an event whose transaction commits after a later one was handed out', async () => {
    const ts = Date.now();
    expect(await poll(ts)).toEqual([]);
    const slow = new Client({ connectionString: t.db.url });
    const fast = new Client({ connectionString: t.db.url });
    await slow.connect();
    await fast.connect();
    try {
      await slow.query('BEGIN');
      await insertEvent(slow, 'SLOW', '1'); // smaller id, not committed yet
      await insertEvent(fast, 'FAST', '2'); // larger id, committed
      const [{ a }] = (await fast.query(`SELECT (SELECT id FROM acc_transaction WHERE unique_key = 'SLOW_1') AS a`)).rows;
      expect(a).toBeNull(); // invisible while open
      // While the slow transaction runs, nothing after it may be handed out (an id cursor would hand out FAST and later skip SLOW).
      expect(await poll(ts)).toEqual([]);
      await slow.query('COMMIT');
      expect((await pollFor(ts, 2)).map((e) => e.devSn)).toEqual(['SLOW', 'FAST']);
      expect(await poll(ts)).toEqual([]);
    } finally {
      await slow.end();
      await fast.end();
    }
  });

  it.skipIf(onPglite)('starts exactly at the timestamp even while an older transaction holds the snapshot back', async () => {
    const holder = new Client({ connectionString: t.db.url });
    const writer = new Client({ connectionString: t.db.url });
    await holder.connect();
    await writer.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()'); // an old running transaction: xmin stays below what follows
      await insertEvent(writer, 'BEFORE', '1');
      await sleep(20);
      const ts = Date.now();
      expect(await poll(ts)).toEqual([]);
      await insertEvent(writer, 'AFTER', '2');
      await holder.query('COMMIT');
      expect((await pollFor(ts, 1)).map((e) => e.devSn)).toEqual(['AFTER']);
      expect(await poll(ts)).toEqual([]);
    } finally {
      await holder.end();
      await writer.end();
    }
  });

  it.skipIf(onPglite)('waits briefly for an older transaction to end rather than answer empty while new events are held back', async () => {
    // The held-back test reads the cluster-wide snapshot horizon: a long transaction of another test file running
    // beside this one (another database, same server) can hold the event back past the poll's wait, so the poll
    // rightly answers empty. Up to three tries, each with its own event and cursor; a poll that never waits fails all.
    const seen: string[][] = [];
    for (let attempt = 0; attempt < 3 && !seen.some((s) => s.length === 1); attempt++) {
      const ts = Date.now();
      expect(await poll(ts)).toEqual([]);
      await withHeldBackEvent(`HELD${attempt}`, async (commit) => {
        const release = sleep(150).then(commit);
        seen.push((await poll(ts)).map((e) => e.devSn));
        await release;
      });
      await sleep(50);
    }
    expect(seen.at(-1)).toEqual([`HELD${seen.length - 1}`]);
  });

  it.skipIf(onPglite)('keeps the events for the next poll when the client gave up waiting for the answer (its HTTP timeout)', async () => {
    const ts = Date.now();
    expect(await poll(ts)).toEqual([]);
    await withHeldBackEvent('GAVEUP', async (commit) => {
      // The poll waits for the held-back event; the client times out at 150 ms, the holder ends at 300 ms.
      const lost = abandonedGet(`${t.baseUrl}/api/transaction/monitor?access_token=${TEST_TOKEN}&timestamp=${ts}`, 150);
      await sleep(300);
      await commit();
      expect(await lost).toBe('aborted');
    });
    await sleep(700); // the gateway's poll has long finished
    // The answer never reached the client, so the next poll with the same timestamp hands the event out.
    expect((await pollFor(ts, 1)).map((e) => e.devSn)).toEqual(['GAVEUP']);
    expect(await poll(ts)).toEqual([]);
  });

  /** One event (device `sn`) stored while an older transaction holds it back, until `commit`. */
  async function withHeldBackEvent(sn: string, run: (commit: () => Promise<void>) => Promise<void>): Promise<void> {
    const holder = await holdXmin(t.db.url);
    const writer = new Client({ connectionString: t.db.url });
    await writer.connect();
    try {
      await insertEvent(writer, sn, '3');
      await run(holder.commit);
    } finally {
      await holder.end();
      await writer.end();
    }
  }

  async function uploadConcurrently(prefix: string, devices: number, batches: number, perBatch: number): Promise<void> {
    const sims = Array.from({ length: devices }, (_, i) => new DeviceSimulator({ baseUrl: t.baseUrl, sn: `${prefix}${String(i).padStart(6, '0')}`, doors: 1 }));
    await Promise.all(sims.map((s) => s.connect()));
    await Promise.all(
      sims.map(async (s, d) => {
        for (let b = 0; b < batches; b++) {
          const events = Array.from({ length: perBatch }, (_, k) => ({ pin: d + 1, cardno: (d + 1) * 100_000 + b * perBatch + k, event: 0 }));
          const r = await s.uploadRtlog(events);
          expect(r.status).toBe(200);
        }
      }),
    );
  }

  it.skipIf(onPglite)('delivers every event exactly once, in order per device, under concurrent rtlog uploads', async () => {
    const devices = 8;
    const batches = 15;
    const perBatch = 4;
    const ts = Date.now();
    expect(await poll(ts)).toEqual([]);

    const received: Item[] = [];
    let uploading = true;
    let polls = 0;
    const poller = (async () => {
      while (uploading) {
        received.push(...(await poll(ts)));
        polls++;
        await sleep(5);
      }
    })();
    await uploadConcurrently('MONC', devices, batches, perBatch);
    uploading = false;
    await poller;
    expect(polls).toBeGreaterThan(3); // the client really polled while devices uploaded
    const expected = devices * batches * perBatch;
    // Events of still-running transactions of this database wait (FEED_XMIN).
    for (const end = Date.now() + 20_000; received.length < expected && Date.now() < end; ) {
      received.push(...(await poll(ts)));
      if (received.length < expected) await sleep(50);
    }
    expect(await poll(ts)).toEqual([]);

    const cards = received.map((e) => Number(e.cardNo));
    expect(new Set(cards).size).toBe(cards.length); // no duplicates
    expect(cards.length).toBe(expected); // no gaps
    for (let d = 0; d < devices; d++) {
      const mine = cards.filter((c) => Math.floor(c / 100_000) === d + 1);
      expect(mine).toEqual(Array.from({ length: batches * perBatch }, (_, k) => (d + 1) * 100_000 + k)); // in order
    }
  });

  it.skipIf(onPglite)('hands each event to only one of two concurrent polls with the same client and timestamp', async () => {
    const ts = Date.now();
    expect(await poll(ts)).toEqual([]);
    const batches: Item[][] = [];
    let uploading = true;
    const poller = async () => {
      while (uploading) {
        batches.push(await poll(ts));
        await sleep(2);
      }
    };
    const pollers = [poller(), poller()];
    await uploadConcurrently('MOND', 4, 10, 5);
    uploading = false;
    await Promise.all(pollers);
    for (const end = Date.now() + 20_000; batches.flat().length < 200 && Date.now() < end; await sleep(50)) batches.push(await poll(ts));
    const cards = batches.flat().map((e) => Number(e.cardNo));
    expect(cards.length).toBe(200);
    expect(new Set(cards).size).toBe(200);
    for (const batch of batches) {
      // Within one answer, each device's events are in order.
      for (let d = 1; d <= 4; d++) {
        const mine = batch.map((e) => Number(e.cardNo)).filter((c) => Math.floor(c / 100_000) === d);
        expect(mine).toEqual([...mine].sort((x, y) => x - y));
      }
    }
  });

  it.skipIf(onPglite)('a poll while another answer of the cursor is being written does not skip that answer\'s events when it fails', async () => {
    const ts = Date.now();
    expect(await poll(ts)).toEqual([]);
    const { client_id: clientId } = (await t.ds.query(`SELECT client_id FROM transaction_monitor_cursor WHERE timestamp = $1`, [ts]))[0] as { client_id: string };
    const pg = new Client({ connectionString: t.db.url });
    await pg.connect();
    try {
      for (let k = 1; k <= 5; k++) await insertEvent(pg, 'MONFAIL-A', String(800_000 + k));
      // Poll A's answer is handed out and still being written: its client reads slowly; how it ends is told later.
      let endA: ((delivered: boolean) => void) | undefined;
      const goneA = Object.assign(() => false, { settled: (then: (delivered: boolean) => void) => void (endA = then) });
      const answerA = await t.app.get(TransactionMonitorService).poll(clientId, ts, goneA);
      expect(answerA.map((e) => e.cardNo)).toEqual(['800001', '800002', '800003', '800004', '800005']);
      for (let k = 1; k <= 5; k++) await insertEvent(pg, 'MONFAIL-B', String(900_000 + k));
      // The same client polls again meanwhile (a second worker, a retry after its own timeout)...
      const got = await poll(ts);
      // ...then A's answer fails: its connection was reset before the client read it.
      endA!(false);
      for (const end = Date.now() + 20_000; got.length < 10 && Date.now() < end; await sleep(20)) got.push(...(await poll(ts)));
      await sleep(200);
      got.push(...(await poll(ts)));
      // A's events come again, B's once (without the wait: B's answer started after A's and moved the cursor past it).
      expect(got.map((e) => Number(e.cardNo)).sort()).toEqual([800_001, 800_002, 800_003, 800_004, 800_005, 900_001, 900_002, 900_003, 900_004, 900_005]);
    } finally {
      await pg.end();
    }
  });

  it(`keeps at most ${MONITOR_CURSORS_PER_CLIENT} cursors of a client that sends a new timestamp with every poll, the least recently polled going first`, { timeout: 120_000 }, async () => {
    const base = Date.now() + 3_600_000; // in the future: no event belongs to these cursors
    const steady = base - 1; // a timestamp the client keeps polling with meanwhile
    expect(await poll(steady)).toEqual([]);
    const extra = 30;
    for (let k = 0; k < MONITOR_CURSORS_PER_CLIENT + extra; k++) {
      expect(await poll(base + k)).toEqual([]);
      if (k % 20 === 0) expect(await poll(steady)).toEqual([]);
    }
    const kept: number[] = (await t.ds.query(`SELECT timestamp::text AS ts FROM transaction_monitor_cursor WHERE timestamp BETWEEN $1 AND $2`, [steady, base + 1_000])).map((r: { ts: string }) => Number(r.ts));
    expect(kept.length).toBe(MONITOR_CURSORS_PER_CLIENT);
    expect(kept).toContain(steady);
    expect(kept).toContain(base + MONITOR_CURSORS_PER_CLIENT + extra - 1);
    expect(kept).not.toContain(base); // the oldest of the one-poll cursors went
  });

  it('bounds a new cursor at MONITOR_LOOKBACK_SECONDS (600) before its first poll: the manual\'s 2017 example timestamp gets live events, not the history', async () => {
    const store = async (key: string, ageSeconds: number) => {
      await t.ds.query(
        `WITH ins AS (INSERT INTO acc_transaction (unique_key, device_sn, event_time, card_no, event_no) VALUES ($1, 'LOOKBACK', now(), $1, 0) ${INSERTED_EVENT_RETURNING}), ${PUBLISH_INSERTED_EVENTS} SELECT 1`,
        [key],
      );
      await t.ds.query(`UPDATE acc_transaction SET created_at = now() - make_interval(secs => $2) WHERE unique_key = $1`, [key, ageSeconds]);
    };
    await store('LB-OLD', 11 * 60);
    await store('LB-RECENT', 60);
    await sleep(20);
    // Some real clients send the manual's own example value on every call; one sending seconds asks for 1970.
    for (const timestamp of [1494467276539, 1494467276]) {
      const first = await pollFor(timestamp, 1);
      const seen = new Set<string>(first.map((e) => e.cardNo));
      for (let more = await poll(timestamp); more.length > 0; more = await poll(timestamp)) for (const e of more) seen.add(e.cardNo);
      expect(seen.has('LB-RECENT')).toBe(true);
      expect(seen.has('LB-OLD')).toBe(false);
      // After that first answer it is live: a new event once, nothing again.
      await store('LB-NEW-' + timestamp, 0);
      expect((await pollFor(timestamp, 1)).map((e) => e.cardNo)).toEqual(['LB-NEW-' + timestamp]);
      expect(await poll(timestamp)).toEqual([]);
    }
  });
});
