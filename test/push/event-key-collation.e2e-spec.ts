import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim } from './push-helpers';

/**
 * acc_transaction.unique_key compares in the "C" collation (migration 1763700007500): byte comparisons in its
 * unique index, which every upload descends twice, instead of the database's locale (performance log, stop 43).
 * The key still makes a re-sent upload add nothing. att_transaction.unique_key likewise (migration 1763700009110,
 * stop 45).
 */
let t: TestApp;
let sim: DeviceSimulator;

beforeAll(async () => {
  t = await startTestApp();
  sim = await connectedSim(t, { sn: 'KeyColl-1', doors: 2 });
});
afterAll(async () => {
  await t?.close();
});

it('stores the event key in the C collation, its unique index too', async () => {
  const [column] = await t.ds.query(
    `SELECT collation_name FROM information_schema.columns WHERE table_name = 'acc_transaction' AND column_name = 'unique_key'`,
  );
  expect(column.collation_name).toBe('C');
  const [index] = await t.ds.query(
    `SELECT c.collname FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_collation c ON c.oid = i.indcollation[0]
     WHERE x.relname = 'uq_acc_transaction_unique_key'`,
  );
  expect(index.collname).toBe('C');
});

it('still stores a re-sent upload once, and looks an event up by its key', async () => {
  const line = { time: '2026-06-01 08:00:00', pin: 7, event: 0, index: 31 };
  expect((await sim.uploadRtlog([line])).body).toBe('OK');
  expect((await sim.uploadRtlog([line, { ...line, index: 32 }])).body).toBe('OK');
  const rows: Array<{ log_id: number }> = await t.ds.query(`SELECT log_id FROM acc_transaction WHERE device_sn = 'KeyColl-1' ORDER BY log_id`);
  expect(rows.map((r) => r.log_id)).toEqual([31, 32]);
  const [byKey] = await t.ds.query(`SELECT log_id FROM acc_transaction WHERE unique_key = $1`, ['KeyColl-1_31_2026-06-01 08:00:00']);
  expect(byKey.log_id).toBe(31);
});

it('stores the punch key in the C collation, its unique index too', async () => {
  const [column] = await t.ds.query(
    `SELECT collation_name FROM information_schema.columns WHERE table_name = 'att_transaction' AND column_name = 'unique_key'`,
  );
  expect(column.collation_name).toBe('C');
  const [index] = await t.ds.query(
    `SELECT c.collname FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_collation c ON c.oid = i.indcollation[0]
     WHERE x.relname = 'uq_att_transaction_unique_key'`,
  );
  expect(index.collname).toBe('C');
});
