import { Client } from 'pg';
import { INSERTED_EVENT_RETURNING, PUBLISH_INSERTED_EVENTS } from '../../src/transaction/acc-transaction-publish';

export interface SeedOptions {
  events: number;
  /** Serial numbers BENCH000000 … */
  devices: number;
  pins: number;
  days: number;
  /** ms since the epoch of the first event; events spread evenly over `days`. */
  start: number;
  /** Rows per INSERT. */
  chunk: number;
}

const secs = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);

/**
 * Fills acc_transaction with `events` synthetic events by `INSERT … SELECT generate_series`, published the
 * way the ingest publishes (tally, outbox), then VACUUM ANALYZE.
 */
export async function seedEvents(url: string, o: SeedOptions): Promise<void> {
  const { events: EVENTS, devices: DEVICES, pins: PINS, days: DAYS, start: START, chunk: CHUNK } = o;
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`SET synchronous_commit = off`);
    for (let from = 1; from <= EVENTS; from += CHUNK) {
      const to = Math.min(from + CHUNK - 1, EVENTS);
      const t0 = Date.now();
      // Event i: device i % 50, time spread evenly over a year (increasing with i), pin for 90% of events.
      await c.query(
        `WITH ins AS (INSERT INTO acc_transaction (unique_key, device_sn, dev_alias, log_id, event_time, pin, name, last_name, dept_code, dept_name,
           card_no, door_no, door_name, reader_name, reader_state, event_no, event_name, event_level, event_point_name,
           verify_mode_no, verify_mode_name, area_name)
         SELECT 'BENCH' || (i % ${DEVICES}) || '_' || i || '_x', 'BENCH' || lpad((i % ${DEVICES})::text, 6, '0'), '10.0.0.' || (i % ${DEVICES}), i,
           to_timestamp(${START / 1000} + (i::float8 * ${DAYS} * 86400 / ${EVENTS})),
           CASE WHEN i % 10 = 0 THEN NULL ELSE ((i * 7919) % ${PINS})::text END,
           CASE WHEN i % 10 = 0 THEN NULL ELSE 'Name' || ((i * 7919) % ${PINS}) END, 'Last', '1', 'Department Name',
           NULL, 1 + i % 2, '10.0.0.' || (i % ${DEVICES}) || '-' || (1 + i % 2), '10.0.0.' || (i % ${DEVICES}) || '-' || (1 + i % 2) || '-In', 0,
           CASE WHEN i % 10 = 0 THEN 8 ELSE 0 END, CASE WHEN i % 10 = 0 THEN 'Open the door remotely' ELSE 'The door opens normally after verification' END, 0,
           '10.0.0.' || (i % ${DEVICES}) || '-' || (1 + i % 2), 15, 'Face', 'Area Name'
         FROM generate_series(${from}::bigint, ${to}::bigint) AS i ${INSERTED_EVENT_RETURNING}), ${PUBLISH_INSERTED_EVENTS} SELECT 1`,
      );
      process.stdout.write(`  loaded ${to.toLocaleString('en')} events (${secs(t0)} s)\n`);
    }
    const t0 = Date.now();
    await c.query(`VACUUM ANALYZE acc_transaction`);
    await c.query(`VACUUM ANALYZE acc_transaction_tally`);
    process.stdout.write(`  vacuum analyze (${secs(t0)} s)\n`);
  } finally {
    await c.end();
  }
}

