import { afterAll, beforeAll, expect, it } from 'vitest';
import { INSERTED_EVENT_RETURNING, PUBLISH_INSERTED_EVENTS } from '../../src/transaction/acc-transaction-publish';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The v2 "with total number" lists while integrators write and devices upload: each answer's total, page and
 * lastPage must describe one state of the database. Read as separate statements, a write committing between the
 * page and the count answered "total 45" beside persons 51-60 (lastPage true with more to come), or an empty page
 * beyond a total of 60 that was not the last.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

interface V2 {
  page: number;
  size: number;
  total: number;
  data: unknown[];
  offset: number;
  lastPage: boolean;
}

/** What is wrong with one page answer, if anything: in one state, a short page ends the list exactly at total. */
function inconsistency(d: V2): string | undefined {
  const n = d.data.length;
  const fits = n === d.size ? d.total >= d.offset + n : n > 0 ? d.total === d.offset + n : d.total <= d.offset;
  if (fits && d.lastPage === d.offset + n >= d.total) return undefined;
  return `total ${d.total}, offset ${d.offset}, ${n} items, lastPage ${d.lastPage}`;
}

/** Pages through a list over and over (pages 1-8 of 10) while `write` runs, and returns the inconsistent answers. */
async function pageWhileWriting(read: (pageNo: number) => Promise<{ body: { code: number; data: V2 } }>, write: (k: number) => Promise<unknown>): Promise<string[]> {
  let stop = false;
  const writers = [0, 1].map(async (w) => {
    for (let k = w; !stop; k += 2) await write(k);
  });
  const bad: string[] = [];
  try {
    await Promise.all(
      [0, 1].map(async () => {
        for (let i = 0; i < 150; i++) {
          const r = await read(1 + (i % 8));
          expect(r.body.code).toBe(0);
          const wrong = inconsistency(r.body.data);
          if (wrong) bad.push(wrong);
        }
      }),
    );
  } finally {
    stop = true;
    await Promise.all(writers);
  }
  return bad;
}

it('v2/person/getPersonList: total, page and lastPage agree while persons are added and deleted in batches', async () => {
  for (let i = 0; i < 30; i++) expect((await t.post('/api/person/add', { pin: String(5000 + i), name: `P${i}` })).body.code).toBe(0);
  const bad = await pageWhileWriting(
    (pageNo) => t.post('/api/v2/person/getPersonList', undefined, { pageNo, pageSize: 10 }),
    async (k) => {
      const pins = Array.from({ length: 15 }, (_, i) => String(6000 + (k % 2) * 100 + i));
      const r = k % 4 < 2 ? await t.post('/api/v2/person/addPersons', pins.map((pin) => ({ pin, name: 'W' }))) : await t.post('/api/v2/person/deleteByPins', undefined, { pins: pins.join(',') });
      expect(r.body.code).toBe(0);
    },
  );
  expect(bad).toEqual([]);
}, 180_000);

it('v2/transaction/list: total, page and lastPage agree while events arrive', async () => {
  const bad = await pageWhileWriting(
    (pageNo) => t.get('/api/v2/transaction/list', { pageNo, pageSize: 10 }),
    (k) =>
      t.ds.query(
        // As the rtlog ingest stores a batch: the rows, their tally and their feed entries in one statement.
        `WITH ins AS (INSERT INTO acc_transaction (unique_key, device_sn, event_time, pin, event_no, log_id)
         SELECT 'PW_' || $1::int || '_' || i, 'PAGEWRITE', now(), '5000', 0, $1::int * 100 + i FROM generate_series(1, 7) i ${INSERTED_EVENT_RETURNING}),
         ${PUBLISH_INSERTED_EVENTS} SELECT 1`,
        [k],
      ),
  );
  expect(bad).toEqual([]);
}, 180_000);

it("gateway/devices/{sn}/commands: total, page and lastPage agree while commands are queued and pruned", async () => {
  await t.ds.query(`INSERT INTO device (id, sn, alias, time_zone) VALUES (replace(gen_random_uuid()::text, '-', ''), 'PAGEQUEUE', 'q', 'UTC')`);
  await t.ds.query(`INSERT INTO device_command (device_sn, command, state) SELECT 'PAGEQUEUE', 'C:' || i || ':DATA', 'done' FROM generate_series(1, 30) i`);
  const bad = await pageWhileWriting(
    (pageNo) => t.get('/api/gateway/devices/PAGEQUEUE/commands', { pageNo, pageSize: 10 }),
    // Done commands of a device that never polls: neither handed out nor answered while the list is read.
    (k) =>
      k % 4 < 2
        ? t.ds.query(`INSERT INTO device_command (device_sn, command, state) SELECT 'PAGEQUEUE', 'W' || $1::int % 2 || ':' || i, 'done' FROM generate_series(1, 15) i`, [k])
        : // Each writer deletes its own: two deleting the same rows would delete 15 between them, and the list grow.
          t.ds.query(`DELETE FROM device_command WHERE id IN (SELECT id FROM device_command WHERE device_sn = 'PAGEQUEUE' AND command LIKE 'W' || $1::int % 2 || ':%' ORDER BY id LIMIT 15)`, [k]),
  );
  expect(bad).toEqual([]);
}, 180_000);

it('gateway/pushTargets/{id}/deliveries: total, page and lastPage agree while events are queued and pruned', async () => {
  const target = await t.post('/api/gateway/pushTargets', { name: 'paging', url: 'http://127.0.0.1:8/never', enabled: false });
  expect(target.body.code).toBe(0);
  const id: string = target.body.data.id;
  // Delivered rows: the worker leaves them alone, as the pruning of delivered rows would not.
  const add = (n: number, tag: number) =>
    t.ds.query(
      `INSERT INTO push_outbox (target_id, transaction_id, device_sn, xid, event, state, delivered_at)
       SELECT $1, $2::int * 100 + i, 'PAGEPUSH', 1, '{}'::jsonb, 'delivered', now() FROM generate_series(1, $3::int) i`,
      [id, tag, n],
    );
  await add(30, 0);
  const bad = await pageWhileWriting(
    (pageNo) => t.get(`/api/gateway/pushTargets/${id}/deliveries`, { pageNo, pageSize: 10 }),
    // Each writer deletes its own rows (tag k + 1, so its parity is the writer's).
    (k) =>
      k % 4 < 2
        ? add(15, k + 1)
        : t.ds.query(`DELETE FROM push_outbox WHERE id IN (SELECT id FROM push_outbox WHERE target_id = $1 AND transaction_id >= 100 AND (transaction_id / 100) % 2 = $2 ORDER BY id LIMIT 15)`, [id, (k + 1) % 2]),
  );
  expect(bad).toEqual([]);
}, 180_000);
