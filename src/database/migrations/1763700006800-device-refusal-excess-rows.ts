import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rows a count found on a panel beyond those it confirmed, in a table whose clear its firmware refused for good
 * (`DATA DELETE user` / `userauthorize` answered -1004): no full sync can take them off, so the panel is reported
 * divergent with them until a later count of that table matches. Null: no such count.
 */
export class DeviceRefusalExcessRows1763700006800 implements MigrationInterface {
  name = 'DeviceRefusalExcessRows1763700006800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_refusal" ADD "excess_rows" integer`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_refusal" DROP COLUMN "excess_rows"`);
  }
}
