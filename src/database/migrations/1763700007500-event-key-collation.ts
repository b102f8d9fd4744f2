import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * acc_transaction.unique_key compares in the "C" collation (bytes), not the database's.
 *
 * The key is only ever compared with itself (its unique index, the ingest's ON CONFLICT, a lookup by a key the
 * gateway built), never sorted for anyone nor compared with another table's text, so the locale's rules bought
 * nothing: under a libc collation (even C.UTF-8) each comparison copies both strings and calls strcoll. Every
 * one-event upload descends the unique index twice (the conflict check and the insertion) through keys sharing
 * their panel's SN prefix; in bytes that is 2 % fewer PostgreSQL instructions per event at the bench's batches
 * (callgrind, docs/performance-log.md, stop 43). Uniqueness is the same in any deterministic collation.
 *
 * PostgreSQL does not rewrite the table for a change of collation alone; it rebuilds the column's unique index
 * (under an exclusive lock, a few seconds per million events).
 */
export class EventKeyCollation1763700007500 implements MigrationInterface {
  name = 'EventKeyCollation1763700007500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "acc_transaction" ALTER COLUMN "unique_key" TYPE character varying(200) COLLATE "C"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "acc_transaction" ALTER COLUMN "unique_key" TYPE character varying(200) COLLATE "default"`);
  }
}
