import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `module_monitor_cursor.created_at`: when the cursor was made, as `transaction_monitor_cursor` has it. A new
 * cursor hands out at most MONITOR_LOOKBACK_SECONDS of events from before it was made, whatever its `timestamp`
 * says (src/transaction/monitor-start.ts); each poll needs that moment to skip the same events as the first.
 * Cursors made before this migration count from it.
 */
export class ModuleMonitorCreated1763700004700 implements MigrationInterface {
  name = 'ModuleMonitorCreated1763700004700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "module_monitor_cursor" ADD "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "module_monitor_cursor" DROP COLUMN "created_at"`);
  }
}
