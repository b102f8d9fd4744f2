import { Client } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { TEMPLATE_SHARED_BUFFERS } from '../support/global-setup';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

/**
 * The embedded pass loads one dumped cluster per test file: PGlite zeroes its shared buffers at every start, about
 * 1 s of CPU per file at initdb's 128 MB. The template global-setup dumps keeps the smaller setting, and each file's
 * cluster starts with it and with the migrated schema.
 */
describe.skipIf(inject('testDb').mode !== 'embedded')('the embedded test template', () => {
  let db: TestDatabase | undefined;
  afterAll(async () => db?.release());

  it(`starts each file's cluster with shared_buffers ${TEMPLATE_SHARED_BUFFERS}, migrated`, async () => {
    db = await createTestDatabase();
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      expect((await c.query('SHOW shared_buffers')).rows[0].shared_buffers).toBe(TEMPLATE_SHARED_BUFFERS);
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'typeorm_migrations'`);
      expect(rows[0].n).toBe(1);
    } finally {
      await c.end();
    }
  });
});
