import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The row type of the real-time ingest's batch parameter (src/push/rtlog-ingest.service.ts, realtimeSql).
 *
 * The batch statement took one array per column, `unnest($1::varchar[], $2::varchar[], … $23::varchar[])`:
 * PostgreSQL parses 23 array literals and materialises each array in a tuple store of its own (a function scan
 * of 23 functions) before joining them into rows. One array of this row type, `unnest($1::acc_transaction_ingest_row[])`,
 * is one literal and one tuple store: 8 % fewer PostgreSQL instructions per event at the bench's batches of 20
 * one-event uploads (callgrind, docs/performance-log.md, stop 44). The fields are the statement's columns, in
 * the order the gateway writes them; nothing stores values of this type.
 */
export class RtlogEventRow1763700008100 implements MigrationInterface {
  name = 'RtlogEventRow1763700008100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "acc_transaction_ingest_row" AS (
      "device_id" character varying, "unique_key" character varying, "log_id" integer, "event_time" timestamptz,
      "pin" character varying, "card_no" character varying, "door_no" integer, "reader_state" integer, "event_no" integer,
      "event_name" character varying, "event_level" integer, "verify_mode_no" integer, "verify_mode_name" character varying,
      "temperature" character varying, "mask_flag" smallint, "conv_temperature" numeric,
      "device_sn" character varying, "dev_alias" character varying, "area_name" character varying, "door_id" character varying,
      "door_name" character varying, "reader_id" character varying, "reader_name" character varying)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TYPE "acc_transaction_ingest_row"`);
  }
}
