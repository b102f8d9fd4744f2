import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A terminal reports a command's later failure through ERRORLOG (Attendance PUSH 11.16: `DataOrigin=cmd CmdId=`, a
 * face photo whose face it could not detect, appendix 9): the items the command had confirmed are failing again,
 * with the code and its meaning (`last_error`); `error_hash`/`error_failures` count such failures of one content
 * in a row, across the Return 0 each retry gets, so the retries back off instead of coming every base interval.
 */
export class SyncItemErrorLog1764300010000 implements MigrationInterface {
  name = 'SyncItemErrorLog1764300010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_item" ADD "last_error" text`);
    await q.query(`ALTER TABLE "sync_item" ADD "error_hash" text`);
    await q.query(`ALTER TABLE "sync_item" ADD "error_failures" integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_item" DROP COLUMN "error_failures"`);
    await q.query(`ALTER TABLE "sync_item" DROP COLUMN "error_hash"`);
    await q.query(`ALTER TABLE "sync_item" DROP COLUMN "last_error"`);
  }
}
