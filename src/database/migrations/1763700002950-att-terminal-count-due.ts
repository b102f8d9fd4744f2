import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A terminal that initialised again has its next INFO user count checked against what it confirmed (a factory
 * reset shows as 0 users). The flag was kept in memory only, so a gateway restart between the initialisation and
 * that INFO lost the check: it is a column of att_terminal now.
 */
export class AttTerminalCountDue1763700002950 implements MigrationInterface {
  name = 'AttTerminalCountDue1763700002950';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" ADD "count_due" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" DROP COLUMN "count_due"`);
  }
}
