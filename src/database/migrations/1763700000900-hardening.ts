import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Production hardening: the address an admitted device talks from, and the last time a second
 * device claimed its SN from another address (DEVICE_SN_CONFLICT).
 */
export class Hardening1763700000900 implements MigrationInterface {
  name = 'Hardening1763700000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" ADD "last_ip" character varying(64)`);
    await q.query(`ALTER TABLE "device" ADD "sn_conflict_ip" character varying(64)`);
    await q.query(`ALTER TABLE "device" ADD "sn_conflict_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" DROP COLUMN "sn_conflict_at"`);
    await q.query(`ALTER TABLE "device" DROP COLUMN "sn_conflict_ip"`);
    await q.query(`ALTER TABLE "device" DROP COLUMN "last_ip"`);
  }
}
