import { Client } from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { EventNamesCache } from '../../src/push/event-names';
import { flushRealtime, type RealtimeItem } from '../../src/push/rtlog-ingest.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim } from './push-helpers';

/**
 * The real-time batch statement keeps one cached (generic) plan per connection at any batch size. At low load
 * every batch is a single upload; PostgreSQL used to find a plan for one row cheaper than its cached plan and
 * planned the statement again on every execution, about half of its CPU for such a batch (performance log, stop 42).
 */
const onPglite = inject('testDb').mode === 'embedded';
let t: TestApp;
let client: Client;
let deviceId: string;

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
  const db = { query: async <R>(name: string, text: string, values: unknown[]) => (await client.query({ name, text, values })).rows as R[] };
  const names = new EventNamesCache();
  const batch = (i: number): RealtimeItem[] => [
    {
      deviceId,
      doors: [],
      events: [{ key: `PLAN-1_${i}_2026-04-01 09:00:00`, logId: i, at: '2026-04-01T09:00:00.000Z', pin: '1', card: null, doorNo: 1, inOut: 0, event: 0, eventName: 'Normal Verify Open', level: 0, verifyNo: 1, verifyName: 'Card', temperature: null, maskFlag: null, convTemperature: null }],
    },
  ];
  for (let i = 1; i <= 9; i++) expect(await flushRealtime(db, batch(i), names)).toEqual([{ events: 1, doors: 0 }]);
  const [plans] = (await client.query(`SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = 'cvgw_realtime_events'`)).rows;
  // PostgreSQL plans the first five executions for their own values, then compares.
  expect(plans).toEqual({ generic: 4, custom: 5 });
  const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_transaction WHERE device_sn = 'PLAN-1'`);
  expect(n).toBe(9);
});
