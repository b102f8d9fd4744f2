import { Client } from 'pg';
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
  /** Told when DATABASE_URL's database did not exist and was created. */
  log?: (message: string) => void;
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
    await ensureDatabase(config.databaseUrl, options.log, (config.databaseWaitSeconds ?? 0) * 1000);
    return { url: config.databaseUrl, poolSize: options.poolSize ?? 10, embedded: undefined, stop: async () => undefined };
  }
  const embedded = await startEmbeddedDatabase(config.dataDir);
  return { url: embedded.url, poolSize: embedded.poolSize, embedded, stop: () => embedded.stop() };
}

/** PostgreSQL's SQLSTATEs: the database named in a connection does not exist; CREATE DATABASE of one that does. */
const INVALID_CATALOG_NAME = '3D000';
const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';

/**
 * The server of DATABASE_URL could not be used at start: the message says why and what to do, without the
 * password; `code` is the failure's own (ECONNREFUSED, 28P01…).
 */
export class DatabaseUnreachableError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** Connection failures that end when the server comes up: not listening yet, not resolvable yet, starting up, full. */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P03', '53300']);
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
async function firstContact(url: string, waitMs: number, log?: (message: string) => void): Promise<void> {
  const started = Date.now();
  let toldAt = 0;
  for (;;) {
    try {
      await withClient(url, async () => undefined);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
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
      await new Promise((r) => setTimeout(r, Math.min(500, waitMs - waited)));
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
export async function ensureDatabase(url: string, log?: (message: string) => void, waitMs = 0): Promise<boolean> {
  try {
    await firstContact(url, waitMs, log);
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
      throw new Error(`DATABASE_URL names database "${name}", which does not exist on ${target.host}, and creating it failed: ${(createErr as Error).message}`, {
        cause: createErr,
      });
    }
    log?.(`database "${name}" did not exist on ${target.host}: created it`);
    return true;
  }
}

async function withClient(url: string, work: (c: Client) => Promise<unknown>): Promise<void> {
  const c = new Client({ connectionString: url });
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
