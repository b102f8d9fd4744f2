import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * att_transaction.unique_key compares in the "C" collation (bytes), not the database's, as acc_transaction's
 * does since migration 1763700007500.
 *
 * The punch key (`<SN>_<pin>_<time>`) is only ever compared with itself (its unique index, the ATTLOG batch's
 * ON CONFLICT), never sorted for anyone nor compared with another table's text (the lists and the Push Center
 * read it, or its md5, as a value), so the locale's rules bought nothing: under a libc collation (even
 * C.UTF-8) each comparison copies both strings and calls strcoll, and each punch descends the unique index
 * twice (the conflict check and the insertion). In bytes that is 2.8 % fewer PostgreSQL instructions per
 * one-punch ATTLOG upload at batches of 20 (callgrind, docs/performance-log.md, stop 45). Uniqueness is the
 * same in any deterministic collation.
 *
 * PostgreSQL does not rewrite the table for a change of collation alone; it rebuilds the column's unique index.
 */
export class PunchKeyCollation1763700009110 implements MigrationInterface {
  name = 'PunchKeyCollation1763700009110';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_transaction" ALTER COLUMN "unique_key" TYPE character varying(200) COLLATE "C"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_transaction" ALTER COLUMN "unique_key" TYPE character varying(200) COLLATE "default"`);
  }
}
