import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';

/**
 * The database `url` as it was before `migration`: every earlier migration run, then `seed` writes what the old
 * schema held (the rows the migration must carry over). Answers those earlier migrations, so that a test can expect
 * the rest, starting with `migration`, to run next.
 */
export async function seedBefore(url: string, migration: (typeof MIGRATIONS)[number], seed: (old: DataSource) => Promise<void>): Promise<typeof MIGRATIONS> {
  const before = MIGRATIONS.slice(0, MIGRATIONS.indexOf(migration));
  const old = new DataSource({ ...dataSourceOptions(url, { poolSize: 1 }), migrations: before });
  await old.initialize();
  try {
    await old.runMigrations({ transaction: 'all' });
    await seed(old);
  } finally {
    await old.destroy();
  }
  return before;
}
