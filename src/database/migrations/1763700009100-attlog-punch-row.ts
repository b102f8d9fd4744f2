import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The row type of the ATTLOG ingest's batch parameter (src/push/attendance/attlog-batch.ts, ATTLOG_SQL), as
 * acc_transaction_ingest_row (migration 1763700008100) is the rtlog ingest's.
 *
 * The batch statement took one array per column, `unnest($1::varchar[], … $13::varchar[])`: PostgreSQL parsed
 * ten array literals and materialised each in a tuple store of its own before joining them into rows. One array
 * of this row type is one literal and one tuple store (callgrind figures: docs/performance-log.md, stop 45). The
 * fields are the statement's punch columns, in the order the gateway writes them; nothing stores values of
 * this type.
 */
export class AttlogPunchRow1763700009100 implements MigrationInterface {
  name = 'AttlogPunchRow1763700009100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "att_transaction_ingest_row" AS (
      "device_id" character varying, "unique_key" character varying, "event_time" timestamptz, "pin" character varying,
      "status" smallint, "verify" integer, "verify_name" character varying, "work_code" character varying, "reserved" text,
      "via" character varying)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TYPE "att_transaction_ingest_row"`);
  }
}
