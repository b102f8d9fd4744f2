import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether a terminal's INFO fingerprint count can be believed (`fp_count_trusted`: it once reported exactly the
 * fingerprints it confirmed; firmware that reports 0 or a meaningless count never does), and whether its fingerprint
 * sets were re-sent on a count that fell short and no count was judged since (`fp_resent`): a count short again then
 * stops the count being believed, so that a terminal refusing fingerprints silently is not sent them at every count
 * (AttendanceHooks.countReported, fingerprint-count.ts).
 */
export class AttTerminalFingerprintCount1763700013400 implements MigrationInterface {
  name = 'AttTerminalFingerprintCount1763700013400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" ADD "fp_count_trusted" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "att_terminal" ADD "fp_resent" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" DROP COLUMN "fp_resent"`);
    await q.query(`ALTER TABLE "att_terminal" DROP COLUMN "fp_count_trusted"`);
  }
}
