import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether an attendance terminal ended an OPERLOG or BIODATA upload with a line end: then a body of it that ends
 * inside its last line was cut mid-body, even where the line cannot show it (a card number, a template cut on a
 * base64 group). Terminals seen before are not known to (false) until their next upload says so.
 */
export class AttTerminalEndsLines1763700013911 implements MigrationInterface {
  name = 'AttTerminalEndsLines1763700013911';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" ADD "ends_lines" boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "att_terminal" DROP COLUMN "ends_lines"`);
  }
}
