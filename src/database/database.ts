import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database';

export interface DatabaseHandle {
  url: string;
  poolSize: number;
  embedded: EmbeddedDatabase | undefined;
  /** Stops the embedded database, if any; the app must be closed first. */
  stop(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Pool size for DATABASE_URL; the embedded database always gets the size it can serve. */
  poolSize?: number;
}

/** DATABASE_URL when set; otherwise the embedded database under DATA_DIR. */
export async function openDatabase(config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>, options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, poolSize: options.poolSize ?? 10, embedded: undefined, stop: async () => undefined };
  }
  const embedded = await startEmbeddedDatabase(config.dataDir);
  return { url: embedded.url, poolSize: embedded.poolSize, embedded, stop: () => embedded.stop() };
}

// Any constant works; it only has to be the same in every gateway process.
const MIGRATION_LOCK = 7_330_001;

/**
 * Runs pending migrations under an advisory lock, so several gateway processes starting together on one
 * database migrate it once.
 */
export async function migrateDatabase(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url, { poolSize: 1 }));
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const done = await ds.runMigrations({ transaction: 'all' });
      return done.map((m) => m.name);
    } finally {
      await ds.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await ds.destroy();
  }
}
