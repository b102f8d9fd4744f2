import type { MigrationInterface, QueryRunner } from 'typeorm';
import { hasLz4 } from './1763700003000-command-lz4';

/**
 * `device_command.meta` and `.keys`: the ref summarised beside it (src/push/command-ref-summary.ts), so the
 * planner's searches of the commands in flight, and pending-append's look at a device's pending tail, no longer
 * fetch and decompress every pending command's growing ref several times over. Existing refs are summarised
 * here (the expressions are copied, not imported: a migration stays what it was when it ran).
 */
export class CommandRefSummary1763700003100 implements MigrationInterface {
  name = 'CommandRefSummary1763700003100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_command" ADD COLUMN "meta" jsonb, ADD COLUMN "keys" jsonb`);
    if (await hasLz4(q)) await q.query(`ALTER TABLE "device_command" ALTER COLUMN "keys" SET COMPRESSION lz4`);
    await q.query(
      `UPDATE "device_command" SET
         "meta" = (ref - 'put' - 'del') || jsonb_strip_nulls(jsonb_build_object('put', CASE WHEN ref ? 'put' THEN true END, 'del', CASE WHEN ref ? 'del' THEN true END)),
         "keys" = jsonb_path_query_array(ref, 'lax $.put[*][0]') || jsonb_path_query_array(ref, 'lax $.del[*]')
       WHERE jsonb_typeof(ref) = 'object'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "device_command" DROP COLUMN "keys", DROP COLUMN "meta"`);
  }
}
