import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A monitor answer handed out but not yet written to its client (transaction_monitor_cursor: access 2.18.5 and
 * hep 2.26.2; module_monitor_cursor: entrance control 2.34.3 and the elevator monitor). The cursor (`xid`, `transaction_id`) moves only once the answer left the process; until then the
 * answer's end and the answering process's tag (`handed_by`, its PostgreSQL application_name and a sequence
 * number) are kept here, so a concurrent poll starts after it while its process lives, and the next poll after
 * a kill -9 hands the same events again.
 */
export class MonitorHanded1763700006700 implements MigrationInterface {
  name = 'MonitorHanded1763700006700';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['transaction_monitor_cursor', 'module_monitor_cursor']) {
      await q.query(`ALTER TABLE "${table}" ADD "handed_xid" bigint, ADD "handed_id" bigint, ADD "handed_by" character varying(100)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['transaction_monitor_cursor', 'module_monitor_cursor']) {
      await q.query(`ALTER TABLE "${table}" DROP COLUMN "handed_xid", DROP COLUMN "handed_id", DROP COLUMN "handed_by"`);
    }
  }
}
