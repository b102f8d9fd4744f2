import { Client } from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { flushAttlog, type AttlogItem } from '../../src/push/attendance/attlog-batch';
import { recordArray, textArray } from '../../src/database/pg-array';
import { EventNamesCache } from '../../src/push/event-names';
import { flushRealtime, PushTargetsSeen, type RealtimeItem } from '../../src/push/rtlog-ingest.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim } from './push-helpers';

/**
 * The upload batch statements (rtlog, ATTLOG) keep one cached (generic) plan per connection at any batch size. At
 * low load every batch is a single upload; for the rtlog statement PostgreSQL used to find a plan for one row
 * cheaper than its cached plan and planned the statement again on every execution, about half of its CPU for such
 * a batch (performance log, stop 42; genericRows in src/database/pg-array.ts). The ATTLOG statement's own plans
 * never looked cheaper than its cached one; the second test keeps it so.
 */
const onPglite = inject('testDb').mode === 'embedded';
let t: TestApp;
let client: Client;
let deviceId: string;
const db = { query: async <R>(name: string, text: string, values: unknown[]) => (await client.query({ name, text, values })).rows as R[] };

/** Generic and custom plans of the prepared statement `name` on the test's connection so far. */
async function plans(name: string): Promise<{ generic: number; custom: number }> {
  return (await client.query(`SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = $1`, [name])).rows[0];
}

beforeAll(async () => {
  t = await startTestApp();
  await connectedSim(t, { sn: 'PLAN-1' });
  [{ id: deviceId }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'PLAN-1'`);
  client = new Client({ connectionString: t.db.url });
  if (!onPglite) await client.connect();
});
afterAll(async () => {
  if (!onPglite) await client?.end();
  await t?.close();
});

it.skipIf(onPglite)('one-event batches run the cached plan once the connection has seen five of them', async () => {
  const names = new EventNamesCache();
  const batch = (i: number): RealtimeItem[] => [
    {
      deviceId,
      doors: [],
      events: [{ key: `PLAN-1_${i}_2026-04-01 09:00:00`, logId: i, at: '2026-04-01T09:00:00.000Z', pin: '1', card: null, doorNo: 1, inOut: 0, event: 0, eventName: 'Normal Verify Open', level: 0, verifyNo: 1, verifyName: 'Card', temperature: null, maskFlag: null, convTemperature: null }],
    },
  ];
  // A hint of its own that no target is enabled: the process-wide one is shared by the worker's files (isolate: false).
  const seen = new PushTargetsSeen();
  for (let i = 1; i <= 9; i++) expect(await flushRealtime(db, batch(i), names, seen)).toEqual([{ events: 1, doors: 0 }]);
  // PostgreSQL plans the first five executions for their own values, then compares.
  expect(await plans('cvgw_realtime_events')).toEqual({ generic: 4, custom: 5 });
  const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_transaction WHERE device_sn = 'PLAN-1'`);
  expect(n).toBe(9);
});

it.skipIf(onPglite)('one-punch ATTLOG batches run the cached plan as well', async () => {
  const batch = (i: number): AttlogItem[] => [
    {
      deviceId,
      punches: [{ key: `PLAN-1_att_${i}`, at: '2026-04-01T09:00:00.000Z', pin: '1', status: 0, verify: 1, verifyName: 'Fingerprint', workCode: null, reserved: null }],
      via: 'ATTLOG',
      stamp: String(i),
      lastPunchAt: '2026-04-01T09:00:00.000Z',
    },
  ];
  for (let i = 1; i <= 9; i++) expect(await flushAttlog(db, batch(i))).toEqual([1]);
  expect(await plans('cvgw_attlog_ingest')).toEqual({ generic: 4, custom: 5 });
});

/** The `Output` of every plan node below `plan` that writes `relation` (EXPLAIN VERBOSE, JSON). */
function writesOf(plan: Record<string, unknown>, relation: string): string[][] {
  const own = plan['Node Type'] === 'ModifyTable' && plan['Relation Name'] === relation ? [plan.Output as string[]] : [];
  return [...own, ...((plan.Plans as Array<Record<string, unknown>> | undefined) ?? []).flatMap((p) => writesOf(p, relation))];
}

it.skipIf(onPglite)('the ATTLOG statement returns six values per punch, the whole row only while a Push Center target is enabled', async () => {
  // The key, id, SN, device id (whose fresh punch lets a lower Stamp be taken: attlog-batch.ts), fresh, and the row
  // only for Push Center. RETURNING * put every column of every punch into the CTE's tuple store and read it back in each of its scans
  // (performance log, stop 46: 2 % of PostgreSQL's instructions per one-punch upload, 4.4 % with a target enabled).
  const row = [deviceId, 'PLAN-1_att_explain', '2026-04-01T09:00:00.000Z', '1', 0, 1, 'Fingerprint', null, null, 'ATTLOG'];
  const args = [recordArray([row]), textArray([deviceId]), textArray(['1']), textArray(['2026-04-01T09:00:00.000Z']), textArray(['2026-04-01T09:00:00.000Z'])].map((a) => client.escapeLiteral(a));
  const [{ 'QUERY PLAN': explained }] = (await client.query(`EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE cvgw_attlog_ingest(${args.join(', ')})`)).rows;
  // Two writers: the punches under their punch keys, and another punch of a PIN at a second held with another
  // reading (a terminal whose clock went back), under its extra key; each returns the same six.
  const outputs = writesOf(explained[0].Plan, 'att_transaction');
  expect(outputs).toHaveLength(2);
  for (const output of outputs) {
    expect(output).toHaveLength(6);
    expect(output.at(-1)).toMatch(/^CASE WHEN \$\d+ THEN to_jsonb\(att_transaction(_\d+)?\.\*\) ELSE NULL::jsonb END$/);
  }
});

it.skipIf(onPglite)('while no Push Center target is enabled, the rtlog statement has no outbox part; once one is, the batch writes its outbox', async () => {
  // The outbox part set up an insert, joined every event with push_target and sorted in every batch, to insert
  // nothing (performance log, stop 60). The guarded statement returns the three values the tally and the answer read.
  const explain = async (name: string) => {
    const [{ v }] = await t.ds.query(`SELECT v::text FROM event_names_version WHERE id = 1`);
    const row = [deviceId, 'PLAN-1_explain', 1, '2026-04-01T09:00:00.000Z', '1', null, 1, 0, 0, 'Normal Verify Open', 0, 1, 'Card', null, null, null, 'PLAN-1', null, null, null, null, null, null];
    const [{ 'QUERY PLAN': explained }] = (await client.query(`EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE ${name}(${client.escapeLiteral(recordArray([row]))}, ${client.escapeLiteral(v)})`)).rows;
    return explained[0].Plan as Record<string, unknown>;
  };
  const guarded = await explain('cvgw_realtime_events');
  expect(writesOf(guarded, 'push_outbox')).toEqual([]);
  expect(writesOf(guarded, 'acc_transaction')[0]).toHaveLength(3);

  const [target] = await t.ds.query(`INSERT INTO push_target (id, name, url) VALUES (md5('plan'), 'plan', 'http://127.0.0.1:8/') RETURNING id`);
  try {
    const seen = new PushTargetsSeen();
    const event = { key: 'PLAN-1_outbox', logId: 100, at: '2026-04-01T09:00:00.000Z', pin: '1', card: null, doorNo: 1, inOut: 0, event: 0, eventName: 'Normal Verify Open', level: 0, verifyNo: 1, verifyName: 'Card', temperature: null, maskFlag: null, convTemperature: null };
    expect(await flushRealtime(db, [{ deviceId, doors: [], events: [event] }], new EventNamesCache(), seen)).toEqual([{ events: 1, doors: 0 }]);
    expect(seen.enabled).toBe(true);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM push_outbox o JOIN acc_transaction a ON a.id = o.transaction_id WHERE a.unique_key = 'PLAN-1_outbox'`);
    expect(n).toBe(1);
    expect(writesOf(await explain('cvgw_realtime_events_outbox'), 'push_outbox')).toHaveLength(1);
  } finally {
    await t.ds.query(`DELETE FROM push_target WHERE id = $1`, [target.id]);
  }
});
