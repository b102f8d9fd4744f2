import { Client } from 'pg';
import { AdvancedConsoleLogger, DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { AppConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database';
import { DatabaseUnreachableError } from './database-unreachable';
import { stopPoint } from './start-stop';

export { StartStoppedError, stopPoint } from './start-stop';
export { DatabaseUnreachableError };

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

/** PostgreSQL's SQLSTATEs: the database named in a connection does not exist; CREATE DATABASE of one that does. */
const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/** Connection failures that end when the server comes up: not listening yet, not resolvable yet, starting up, full. */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P03', '53300']);
/**
 * What pg says, without a code, when the other end closes the connection before PostgreSQL's first answer (a
 * firewall, a load balancer with no server behind it, a port that is not PostgreSQL's) or says nothing within
 * CONNECT_TIMEOUT_MS (a host that drops packets): a server not answering, as ECONNREFUSED. It used to end the start
 * with a stack trace (exit code 1) instead of the message and exit code 5.
 */
const NO_ANSWER = /Connection terminated|timeout expired/i;
const CONNECT_TIMEOUT_MS = 10_000;
/** The server refused the credentials: waiting changes nothing. */
const AUTH_FAILED = new Set(['28P01', '28000']);

/** Where DATABASE_URL points, for messages: user@host:port/db, never the password. */
function databaseLabel(url: string): string {
  const u = new URL(url);
  return `${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/**
 * The first connection of a start: retried while the failure is one that ends when the server comes up (for
 * `waitMs`, telling `log` every 5 s), then, like a refused password, a DatabaseUnreachableError that says what
 * to do. Any other error (above all 3D000, no such database) is thrown as it came.
 */
async function firstContact(url: string, waitMs: number, log?: (message: string) => void, signal?: AbortSignal): Promise<void> {
  const started = Date.now();
  let toldAt = 0;
  for (;;) {
    stopPoint(signal);
    try {
      await withClient(url, async () => undefined, CONNECT_TIMEOUT_MS);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? (NO_ANSWER.test((err as Error).message) ? 'ETIMEDOUT' : '');
      const reason = `${(err as Error).message}${code && !(err as Error).message.includes(code) ? ` (${code})` : ''}`;
      if (AUTH_FAILED.has(code)) {
        throw new DatabaseUnreachableError(`PostgreSQL at ${databaseLabel(url)} refused the credentials of DATABASE_URL: ${reason}. Fix DATABASE_URL, or unset it for the embedded database under DATA_DIR.`, code, { cause: err });
      }
      if (!TRANSIENT.has(code)) throw err;
      const waited = Date.now() - started;
      if (waited >= waitMs) {
        throw new DatabaseUnreachableError(
          `PostgreSQL at ${databaseLabel(url)} (DATABASE_URL) did not answer${waitMs > 0 ? ` within ${Math.round(waitMs / 1000)} s (DATABASE_WAIT_SECONDS)` : ''}: ${reason}. Start it, fix DATABASE_URL, or unset it for the embedded database under DATA_DIR.`,
          code,
          { cause: err },
        );
      }
      if (Date.now() - toldAt >= 5000) {
        toldAt = Date.now();
        log?.(`waiting for PostgreSQL at ${databaseLabel(url)}: ${reason}`);
      }
      await pause(Math.min(500, waitMs - waited), signal);
    }
  }
}

/**
 * Connects to `url` (waiting up to `waitMs` for a server that is not up yet: firstContact); when the server
 * answers that its database does not exist (3D000, and only then), creates it from the same server's
 * `postgres` database with the same credentials, and says so through `log`. Another gateway process creating
 * it at the same moment is no failure. Every other connection error is thrown as it came. True when this call
 * created the database.
 */
export async function ensureDatabase(url: string, log?: (message: string) => void, waitMs = 0, signal?: AbortSignal): Promise<boolean> {
  try {
    await firstContact(url, waitMs, log, signal);
    return false;
  } catch (err) {
    if ((err as { code?: string }).code !== INVALID_CATALOG_NAME) throw err;
    const target = new URL(url);
    const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
    if (name === '' || name === 'postgres') throw err;
    const maintenance = new URL(url);
    maintenance.pathname = '/postgres';
    try {
      await withClient(maintenance.toString(), (c) => c.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`));
    } catch (createErr) {
      const code = (createErr as { code?: string }).code;
      if (code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION) return false;
      // Said as the other start failures are (exit code 5, no stack): a user without CREATEDB (42501) is the usual case.
      const user = decodeURIComponent(target.username) || 'the user';
      const reason = `${(createErr as Error).message}${code ? ` (${code})` : ''}`;
      throw new DatabaseUnreachableError(
        `DATABASE_URL names database "${name}", which does not exist on ${target.host}, and creating it as ${user} failed: ${reason}. ` +
          `Create it (CREATE DATABASE "${name.replace(/"/g, '""')}" OWNER ${user === 'the user' ? '<the user>' : `"${user.replace(/"/g, '""')}"`}), give ${user} the CREATEDB privilege, or fix DATABASE_URL.`,
        code ?? '',
        { cause: createErr },
      );
    }
    log?.(`database "${name}" did not exist on ${target.host}: created it`);
    return true;
  }
}

/** Waits `ms`, or less when `signal` is aborted meanwhile. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function withClient(url: string, work: (c: Client) => Promise<unknown>, connectTimeoutMs?: number): Promise<void> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  // A refused or failed connection can also be reported as an 'error' event; the awaited connect() carries it.
  c.on('error', () => undefined);
  await c.connect();
  try {
    await work(c);
  } finally {
    await c.end().catch(() => undefined);
  }
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
