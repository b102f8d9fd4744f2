import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Verify mode 200 is named `others`, as the REST manual's transaction examples show it, instead of the push
 * table's description of it: the events already stored get the same name. (Literal texts: a migration stays what
 * it was when it ran.)
 */
export class VerifyOthers1763700003500 implements MigrationInterface {
  name = 'VerifyOthers1763700003500';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['acc_transaction', 'module_transaction', 'att_transaction']) {
      await q.query(`UPDATE "${table}" SET "verify_mode_name" = 'others' WHERE "verify_mode_no" = 200 AND "verify_mode_name" LIKE 'Other (%'`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['acc_transaction', 'module_transaction', 'att_transaction']) {
      await q.query(
        `UPDATE "${table}" SET "verify_mode_name" = 'Other (used for events that are not a verification, e.g. door/linkage events)' WHERE "verify_mode_no" = 200 AND "verify_mode_name" = 'others'`,
      );
    }
  }
}
