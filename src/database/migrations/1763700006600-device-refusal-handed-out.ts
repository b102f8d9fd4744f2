import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the commands of a device's latest counted refusal were handed out (their getrequest reply). A reply is one
 * occasion however its results come back, in one body or one body each, so it counts as one refusal of its key.
 * Null: a refusal recorded before this column, counted as before.
 */
export class DeviceRefusalHandedOut1763700006600 implements MigrationInterface {
  name = 'DeviceRefusalHandedOut1763700006600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_refusal" ADD "handed_out_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_refusal" DROP COLUMN "handed_out_at"`);
  }
}
