import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `device_command.records` and `.bytes`: the size of a command's text kept beside it, so pending-append's look
 * at a device's pending tail (under the order locks of every write group) no longer reads and decompresses each
 * growing text to count its lines. Filled in here for the pending commands, the only ones that tail reads; the
 * readers count from the text where they are NULL. (The expression is copied, not imported: a migration stays
 * what it was when it ran.)
 */
export class CommandSize1763700003300 implements MigrationInterface {
  name = 'CommandSize1763700003300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_command" ADD COLUMN "records" integer, ADD COLUMN "bytes" integer`);
    await q.query(
      `UPDATE "device_command" SET "bytes" = octet_length("command"),
         "records" = octet_length("command") - octet_length(replace("command", E'\\n', '')) + 1
       WHERE "state" = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_command" DROP COLUMN "bytes", DROP COLUMN "records"`);
  }
}
