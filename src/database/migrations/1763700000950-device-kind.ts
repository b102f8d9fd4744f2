import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Device kinds: the kind detected from what the device says (access panel, attendance terminal, FaceKiosk,
 * elevator or channel controller) and an operator's override. Every device stored so far registered over
 * Security PUSH, so it is an access panel.
 */
export class DeviceKind1763700000950 implements MigrationInterface {
  name = 'DeviceKind1763700000950';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" ADD "kind" character varying(16) NOT NULL DEFAULT 'acc'`);
    await q.query(`ALTER TABLE "device" ADD "kind_override" character varying(16)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" DROP COLUMN "kind_override"`);
    await q.query(`ALTER TABLE "device" DROP COLUMN "kind"`);
  }
}
