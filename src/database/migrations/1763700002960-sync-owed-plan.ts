import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The plan id of an owed full sync, shared by all its pages: a later page replays the commands in flight for its
 * own pins, and the commands of the same full sync's earlier pages carry only earlier pins, so they are skipped
 * by plan id instead of being read item by item (a million-record full sync otherwise reads its own queue once
 * per page).
 */
export class SyncOwedPlan1763700002960 implements MigrationInterface {
  name = 'SyncOwedPlan1763700002960';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_owed" ADD "plan" character varying(32)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_owed" DROP COLUMN "plan"`);
  }
}
