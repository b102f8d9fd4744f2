import { Client } from 'pg';
import { DatabaseUnreachableError } from './database-unreachable';
import { stopPoint } from './start-stop';

// DATABASE_URL's first contact (and the creation of its database), apart from database.ts: it loads pg only, not
// TypeORM, so main.ts tries the server before it loads the gateway's heavy modules, and a start on a server that
// does not answer (or refuses the credentials) says so without loading them (see main.ts).

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
