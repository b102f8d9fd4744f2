import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The code page an attendance terminal's text was found in (windows-1252 and its kin: older firmware not set to
 * Chinese keeps names in its menu language's code page, not UTF-8). Its uploads are read in it, and so are its
 * replies written, so that a name it sent comes back to it as it holds it. Null: UTF-8 (or GBK, by its language).
 */
export class AttTerminalCodePage1763700006200 implements MigrationInterface {
  name = 'AttTerminalCodePage1763700006200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" ADD "code_page" character varying(32)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" DROP COLUMN "code_page"`);
  }
}
