import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `device.dropped_readers`: the readers a registration removed (a smaller ReaderCount, or a smaller LockCount with
 * their door), their id and the name an operator gave them, so that the same reader declared again takes them back
 * (device-registry.service.ts). NULL when none was dropped.
 */
export class DeviceDroppedReaders1764000003000 implements MigrationInterface {
  name = 'DeviceDroppedReaders1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" ADD "dropped_readers" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device" DROP COLUMN "dropped_readers"`);
  }
}
