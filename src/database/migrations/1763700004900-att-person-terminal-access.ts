import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `att_person.terminal_grp` and `terminal_tz`: the group (`Grp`) and time periods (`TZ`) a terminal's USER line
 * reported for the person (attendance manual 12.1.1.1), sent back in the person's `DATA UPDATE USERINFO` instead of
 * `Grp=1` and all-zero TZ. NULL for every existing row: those persons keep the record (and its hash) they had.
 */
export class AttPersonTerminalAccess1763700004900 implements MigrationInterface {
  name = 'AttPersonTerminalAccess1763700004900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_person" ADD "terminal_grp" smallint`);
    await q.query(`ALTER TABLE "att_person" ADD "terminal_tz" character varying(16)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_person" DROP COLUMN "terminal_tz"`);
    await q.query(`ALTER TABLE "att_person" DROP COLUMN "terminal_grp"`);
  }
}
