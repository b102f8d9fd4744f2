import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user disabled at an attendance terminal: its OPERLOG USER line carries an odd Pri (the role's value plus 1, bit 0
 * of the terminals' privilege byte: Pri=3 a disabled registrar). The role was not recognised, so nothing was kept and
 * the next record sent back (after any REST edit of the person) carried Pri=0: the user enabled again and the role
 * lost. Kept per person as Grp and TZ are (null: never reported).
 */
export class AttPersonTerminalDisabled1763700005020 implements MigrationInterface {
  name = 'AttPersonTerminalDisabled1763700005020';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_person" ADD "terminal_disabled" boolean`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_person" DROP COLUMN "terminal_disabled"`);
  }
}
