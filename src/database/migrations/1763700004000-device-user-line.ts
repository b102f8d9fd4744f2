import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * device_user_line: per device and pin, the hash of the last user line applied (OPERLOG USER, tabledata user).
 * An identical line sent again (a resend, a replay after a reboot) is skipped: it must not undo later REST edits.
 * It goes with the device.
 */
export class DeviceUserLine1763700004000 implements MigrationInterface {
  name = 'DeviceUserLine1763700004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "device_user_line" (
         "device_id" character(32) NOT NULL,
         "pin" character varying(64) NOT NULL,
         "hash" character(32) NOT NULL,
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "pk_device_user_line" PRIMARY KEY ("device_id", "pin"))`,
    );
    await q.query(`ALTER TABLE "device_user_line" ADD CONSTRAINT "fk_device_user_line_device" FOREIGN KEY ("device_id") REFERENCES "device"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "device_user_line"`);
  }
}
