import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `device.dropped_doors`: the doors a registration with a smaller LockCount removed (their id, name, lock delay,
 * access and entrance-control levels, attendance point), so that the same door reported again takes them back
 * (device-registry.service.ts). NULL when none was dropped.
 */
export class DeviceDroppedDoors1763700004800 implements MigrationInterface {
  name = 'DeviceDroppedDoors1763700004800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" ADD "dropped_doors" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" DROP COLUMN "dropped_doors"`);
  }
}
