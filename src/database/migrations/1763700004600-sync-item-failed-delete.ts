import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `sync_item.failed_delete` and `failed_delete_at`: the device command whose delete of the item failed (its queue
 * position) and when that failure was recorded, until a delete of the item succeeds. A rights, card or template
 * put queued after that delete by a plan made before the failure was known assumed the old rows deleted first;
 * its success then says the device holds the new rows, not that it holds only them (sync-confirm.ts).
 */
export class SyncItemFailedDelete1763700004600 implements MigrationInterface {
  name = 'SyncItemFailedDelete1763700004600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_item" ADD "failed_delete" bigint`);
    await q.query(`ALTER TABLE "sync_item" ADD "failed_delete_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sync_item" DROP COLUMN "failed_delete_at"`);
    await q.query(`ALTER TABLE "sync_item" DROP COLUMN "failed_delete"`);
  }
}
