import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/common/ids';
import { initialisedTerminal, insertPerson } from './attendance-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * ATTLOG on group commit: concurrent one-punch uploads of many terminals share one statement (its own
 * transaction), each punch stored once with its feed row and its Push Center outbox row, each terminal's
 * Stamp recorded, and every upload answered `OK: 1` only after its batch committed.
 */

const TERMINALS = 24;
/** Dozens of terminals initialised and uploading at once: 30 s is not enough on a loaded 2-core machine. */
const SLOW = 120_000;
const PER_TERMINAL = 5;
const sn = (i: number) => `GC-ATT-${String(i).padStart(3, '0')}`;
const punch = (pin: string, n: number) => `${pin}\t2026-07-01 08:${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}\t0\t1\t\t0\t0\n`;

describe('ATTLOG group commit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const upload = (i: number, n: number, body: string) =>
    t.request('POST', '/iclock/cdata', { query: { SN: sn(i), table: 'ATTLOG', Stamp: String(1000 + n) }, body, headers: { 'Content-Type': 'text/plain' } });
  const metric = async (name: string) =>
    (await t.request('GET', '/metrics')).text
      .split('\n')
      .filter((l) => l.startsWith(name) && l.includes('kind="ATTLOG"'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);

  it('stores concurrent one-punch uploads exactly once, published once, in shared transactions', async () => {
    await insertPerson(t, '4242', 'Grace', 'Hopper');
    const [target] = await t.ds.query(`INSERT INTO push_target (id, name, url, enabled) VALUES ($1, 'gc', 'http://127.0.0.1:8/none', true) RETURNING id`, [newId()]);
    for (let i = 0; i < TERMINALS; i++) await initialisedTerminal(t, { sn: sn(i) });
    const batches0 = await metric('cvgw_group_commit_batches_total');
    const items0 = await metric('cvgw_group_commit_items_total');
    const answers = await Promise.all(
      Array.from({ length: TERMINALS }, (_, i) =>
        (async () => {
          const bodies: string[] = [];
          for (let n = 0; n < PER_TERMINAL; n++) bodies.push((await upload(i, n, punch('4242', i * PER_TERMINAL + n))).text);
          return bodies;
        })(),
      ),
    );
    expect(answers.flat()).toEqual(new Array(TERMINALS * PER_TERMINAL).fill('OK: 1'));
    // A terminal that sends an upload again (its acknowledgement was lost) adds nothing.
    expect((await upload(0, 0, punch('4242', 0))).text).toBe('OK: 1');

    const [counts] = await t.ds.query(
      `SELECT count(*)::int AS punches, count(DISTINCT a.unique_key)::int AS keys, count(f.transaction_id)::int AS feed,
         count(*) FILTER (WHERE a.name = 'Grace')::int AS named,
         (SELECT count(*)::int FROM push_outbox o WHERE o.target_id = $1 AND o.event->>'module' = 'att') AS outbox
       FROM att_transaction a LEFT JOIN att_transaction_feed f ON f.transaction_id = a.id WHERE a.device_sn LIKE 'GC-ATT-%'`,
      [target.id],
    );
    expect(counts).toEqual({ punches: TERMINALS * PER_TERMINAL, keys: TERMINALS * PER_TERMINAL, feed: TERMINALS * PER_TERMINAL, named: TERMINALS * PER_TERMINAL, outbox: TERMINALS * PER_TERMINAL });
    const stamps = await t.ds.query(
      `SELECT d.sn, s.stamps->>'ATTLOG' AS stamp, to_char(s.last_punch_at AT TIME ZONE 'UTC', 'HH24:MI:SS') AS last FROM att_terminal s JOIN device d ON d.id = s.device_id WHERE d.sn = $1`,
      [sn(3)],
    );
    expect(stamps).toEqual([{ sn: sn(3), stamp: String(1000 + PER_TERMINAL - 1), last: `08:00:${String(3 * PER_TERMINAL + PER_TERMINAL - 1).padStart(2, '0')}` }]);
    const items = (await metric('cvgw_group_commit_items_total')) - items0;
    const batches = (await metric('cvgw_group_commit_batches_total')) - batches0;
    expect(items).toBe(TERMINALS * PER_TERMINAL + 1);
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(items);
  }, SLOW);

  it('keeps the good punches of an upload with a bad line (the bad one kept raw), answering the records it took (attendance manual 11.2)', async () => {
    await initialisedTerminal(t, { sn: 'GC-ATT-BAD' });
    const r = await t.request('POST', '/iclock/cdata', { query: { SN: 'GC-ATT-BAD', table: 'ATTLOG', Stamp: '7' }, body: `${punch('77', 1)}not a punch line\n${punch('78', 2)}`, headers: { 'Content-Type': 'text/plain' } });
    expect(r.text).toBe('OK: 2');
    expect((await t.ds.query(`SELECT pin FROM att_transaction WHERE device_sn = 'GC-ATT-BAD' ORDER BY pin`)).map((x: { pin: string }) => x.pin)).toEqual(['77', '78']);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM device_upload WHERE device_sn = 'GC-ATT-BAD' AND table_name = 'ATTLOG.rejected'`))[0].n).toBe(1);
  }, SLOW);
});
