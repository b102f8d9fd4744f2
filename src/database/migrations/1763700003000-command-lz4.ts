import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pending sync commands grow as later writes append records to them (src/sync/pending-append.ts): each append
 * rewrites the command's text and ref, and every plan reads the refs of the commands in flight. With the default
 * pglz, compressing and decompressing those values was about a sixth of PostgreSQL's CPU while persons were
 * being added; lz4 does the same work several times faster. A server built without lz4 (the embedded one)
 * keeps pglz.
 */
export class CommandLz41763700003000 implements MigrationInterface {
  name = 'CommandLz41763700003000';

  async up(q: QueryRunner): Promise<void> {
    if (!(await hasLz4(q))) return;
    await q.query(`ALTER TABLE "device_command" ALTER COLUMN "command" SET COMPRESSION lz4, ALTER COLUMN "ref" SET COMPRESSION lz4`);
  }

  async down(q: QueryRunner): Promise<void> {
    if (!(await hasLz4(q))) return;
    await q.query(`ALTER TABLE "device_command" ALTER COLUMN "command" SET COMPRESSION pglz, ALTER COLUMN "ref" SET COMPRESSION pglz`);
  }
}

/** Whether this server can compress with lz4 (a server built without it, the embedded one, cannot). */
export async function hasLz4(q: QueryRunner): Promise<boolean> {
  const rows: Array<{ ok: boolean }> = await q.query(
    `SELECT coalesce(bool_or('lz4' = ANY(enumvals)), false) AS ok FROM pg_settings WHERE name = 'default_toast_compression'`,
  );
  return rows[0]?.ok === true;
}
