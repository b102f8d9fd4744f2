import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Since when a terminal's user count is owed (the initialisation, or the ask, that made it due; kept while further
 * boots find it due still): a count judged later that is no more than the users it confirmed since then is a reset's,
 * whose records restart (AttendanceHooks.countReported). Measured from its last initialisation instead, a reset whose
 * users came back through puts of ours before one more boot was missed, and the punches it made below its old
 * Stamp were never sent.
 */
export class AttTerminalCountDueSince1763700012200 implements MigrationInterface {
  name = 'AttTerminalCountDueSince1763700012200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" ADD "count_due_since" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" DROP COLUMN "count_due_since"`);
  }
}
