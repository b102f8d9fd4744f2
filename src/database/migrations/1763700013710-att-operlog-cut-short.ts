import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An operation record stored from the last line of an OPERLOG body that ended inside it (no line end): an upload cut
 * mid-body may have cut its last field, so the whole line, sent again, replaces it instead of being a second record.
 * Records stored before are taken as whole.
 */
export class AttOperlogCutShort1763700013710 implements MigrationInterface {
  name = 'AttOperlogCutShort1763700013710';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_operlog" ADD "cut_short" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_operlog" DROP COLUMN "cut_short"`);
  }
}
