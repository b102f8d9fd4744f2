import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * sync_verify: when each access panel was last asked, by the periodic verification (SyncVerifier), to count
 * its users. One row per panel; it goes with the device.
 */
export class SyncVerify1763700002200 implements MigrationInterface {
  name = 'SyncVerify1763700002200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "sync_verify" (
         "device_id" character(32) NOT NULL,
         "asked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "pk_sync_verify" PRIMARY KEY ("device_id"))`,
    );
    await q.query(`ALTER TABLE "sync_verify" ADD CONSTRAINT "fk_sync_verify_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sync_verify"`);
  }
}
