import { AdvancedConsoleLogger, DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database';
import { DatabaseUnreachableError } from './database-unreachable';
import { ensureDatabase } from './ensure-database';
import { stopPoint } from './start-stop';

export { StartStoppedError, stopPoint } from './start-stop';
export { DatabaseUnreachableError, ensureDatabase };

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
  /** Told when DATABASE_URL's database did not exist and was created. */
  log?: (message: string) => void;
  /**
   * Aborted when the gateway is asked to stop while it starts: waiting for DATABASE_URL's server ends at once, and
   * so does the creation of a fresh embedded database (startEmbeddedDatabase).
   */
  signal?: AbortSignal;
  /** The embedded database: DATA_DIR is usable and locked, its database starts now (startEmbeddedDatabase). */
  onEmbeddedStarting?: () => void;
}

/**
 * DATABASE_URL when set (its database created when the server has none of that name: ensureDatabase);
 * otherwise the embedded database under DATA_DIR.
 */
export async function openDatabase(
  config: Pick<AppConfig, 'databaseUrl' | 'dataDir'> & Partial<Pick<AppConfig, 'databaseWaitSeconds'>>,
  options: OpenDatabaseOptions = {},
): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    await ensureDatabase(config.databaseUrl, options.log, (config.databaseWaitSeconds ?? 0) * 1000, options.signal);
    return { url: config.databaseUrl, poolSize: options.poolSize ?? 10, embedded: undefined, stop: async () => undefined };
  }
  const embedded = await startEmbeddedDatabase(config.dataDir, undefined, { signal: options.signal, log: options.log, onStarting: options.onEmbeddedStarting });
  return { url: embedded.url, poolSize: embedded.poolSize, embedded, stop: () => embedded.stop() };
}

// Any constant works; it only has to be the same in every gateway process.
const MIGRATION_LOCK = 7_330_001;

export interface MigrateOptions {
  /** Aborted when the gateway is asked to stop while it starts: the migrations stop at their next statement. */
  signal?: AbortSignal;
  /** Told when there are migrations to apply (a first start applies them all, which takes a while). */
  log?: (message: string) => void;
}

/**
 * Runs pending migrations under an advisory lock, so several gateway processes starting together on one
 * database migrate it once. They run in one transaction: a stop asked for meanwhile (options.signal) ends it at
 * the next statement with a StartStoppedError, the transaction is rolled back, and the next start applies them
 * all again.
 */
export async function migrateDatabase(url: string, options: MigrateOptions = {}): Promise<string[]> {
  const ds = new DataSource({ ...dataSourceOptions(url, { poolSize: 1 }), logger: new MigrationLogger(options.signal) });
  await ds.initialize();
  try {
    stopPoint(options.signal);
    await ds.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      if (options.log && (await ds.showMigrations())) options.log('applying database migrations (a first start takes a while; Ctrl-C or SIGTERM stops it cleanly)');
      if (options.signal) for (const m of ds.migrations) stopBetweenStatements(m, options.signal);
      const done = await ds.runMigrations({ transaction: 'all' });
      return done.map((m) => m.name);
    } finally {
      await ds.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await ds.destroy();
  }
}

/**
 * TypeORM's own logger (what `logging: false` leaves on: its migration lines), but silent about a migration
 * "failed" by a requested stop: a Ctrl-C during the first start printed `Migration "Foundation…" failed, error:
 * stopped by SIGINT…` between the gateway's `SIGINT while starting` and `stopped before the gateway was ready`,
 * a failure where nothing failed (the transaction is rolled back, as asked). A real failure still names its migration.
 */
class MigrationLogger extends AdvancedConsoleLogger {
  constructor(private readonly stop: AbortSignal | undefined) {
    super(false);
  }

  override logMigration(message: string, queryRunner?: QueryRunner): void {
    if (this.stop?.aborted) return;
    super.logMigration(message, queryRunner);
  }
}

/**
 * A migration that throws the stop at its start and before each of its statements. The embedded database runs
 * a statement in this process and cannot be interrupted inside one, nor should it be: between statements, the
 * rollback leaves its files as they were, where exiting mid-write would leave them to crash recovery.
 */
function stopBetweenStatements(migration: MigrationInterface, signal: AbortSignal): void {
  const up = migration.up.bind(migration);
  migration.up = async (runner: QueryRunner) => {
    stopPoint(signal);
    const query = runner.query;
    runner.query = ((...args: Parameters<QueryRunner['query']>) => {
      stopPoint(signal);
      return query.apply(runner, args);
    }) as QueryRunner['query'];
    try {
      return await up(runner);
    } finally {
      runner.query = query;
    }
  };
}
