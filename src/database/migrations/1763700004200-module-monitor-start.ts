import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * psgTransaction/monitor cursors keep the snapshot of their first poll, as the access monitor's cursors do: only
 * events already visible then and stored before the client's timestamp are skipped, so a client whose clock runs
 * ahead of the server's no longer loses the events stored after its first poll. Cursors made before this keep the
 * old rule (no snapshot: every event stored before the timestamp is skipped).
 */
export class ModuleMonitorStart1763700004200 implements MigrationInterface {
  name = 'ModuleMonitorStart1763700004200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "module_monitor_cursor" ADD COLUMN "start_snapshot" character varying(4000)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "module_monitor_cursor" DROP COLUMN "start_snapshot"`);
  }
}
