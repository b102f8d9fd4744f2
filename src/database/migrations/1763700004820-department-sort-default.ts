import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A department added without a sortNo gets 99999, as CVSecurity gives it (a later manual's getDepartmentList
 * example lists such a department with `"sortNo": 99999`, beside the seeded one's 1); it was 999999. Rows that
 * took the old default take the new one, so lists show what CVSecurity shows for them.
 */
export class DepartmentSortDefault1763700004820 implements MigrationInterface {
  name = 'DepartmentSortDefault1763700004820';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "department" ALTER COLUMN "sort_no" SET DEFAULT '99999'`);
    await q.query(`UPDATE "department" SET "sort_no" = 99999 WHERE "sort_no" = 999999`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "department" SET "sort_no" = 999999 WHERE "sort_no" = 99999`);
    await q.query(`ALTER TABLE "department" ALTER COLUMN "sort_no" SET DEFAULT '999999'`);
  }
}
