/**
 * Failures that say the database cannot serve right now, not that the request or the program is wrong: the server
 * is restarting or unreachable, our connection was cut (`pg_terminate_backend`, a failover, a restart), it is out
 * of connections, or it cancelled a statement (statement_timeout, lock_timeout). The same request succeeds once
 * it is back, so callers are told to try again: REST gets the -503 envelope, a device 503 with Retry-After (it
 * resends), never "program error".
 */

/** Socket errors of the connection to the server (node's codes). */
const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs: 08xxx connection exceptions; 53xxx insufficient resources (too many connections, out of memory or
 * disk); 57014 a statement cancelled (statement_timeout); 57P01-57P05 the server shutting down, crashed, starting
 * up or ending idle sessions; 55P03 lock_timeout; 25006 a write on a server that became a read-only standby (a
 * failover not finished).
 */
const SQLSTATE = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57014|57P0[1-5]|55P03|25006)$/;

/** node-postgres's own messages for a connection that is gone or never came (they carry no code). */
const MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Query read timeout$/,
  /is not queryable/,
  /^Cannot use a pool after calling end on the pool$/,
  /^Client was closed/,
  // 55000 at connect: the database is closed to connections for now (ALTER DATABASE … ALLOW_CONNECTIONS false, as
  // done around a restore or a maintenance step). 55000 alone is a generic state error, so the message decides.
  /is not currently accepting connections/,
];

const RELEASED_RUNNER: ReadonlySet<string> = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

let lastConnectionLoss = Number.NEGATIVE_INFINITY;

/** A pooled connection just failed (its client emitted 'error'): see isDatabaseUnavailable. */
export function noteConnectionLost(now = Date.now()): void {
  lastConnectionLoss = now;
}

export function isDatabaseUnavailable(err: unknown, now = Date.now()): boolean {
  // TypeORM releases a query runner when its connection emits 'error', and the runner's next statement then fails
  // with one of these instead of the connection's error. Anywhere else they are program errors, which happen
  // without a connection loss just before them.
  if (RELEASED_RUNNER.has((err as Error | null)?.name ?? '') && now - lastConnectionLoss < 10_000) return true;
  for (let e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | null, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    if (typeof e.code === 'string' && (SOCKET_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
    if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e!.message as string))) return true;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
}

/** The answer's text: what happened and what to do. */
export const UNAVAILABLE_MESSAGE = 'Service temporarily unavailable: the database does not answer; try again in a few seconds';

/** Seconds a device or client is asked to wait (Retry-After). */
export const UNAVAILABLE_RETRY_AFTER = '5';

/**
 * True when the connection a failure came on cannot be used again, so it goes back to the pool with the error
 * (and is dropped): anything but an error the server answered on a live session (a constraint, a cancelled
 * statement), that is no server error at all, or the server ending the session (08xxx, 57P01-57P05, FATAL).
 */
export function endsConnection(err: unknown): boolean {
  const e = err as { severity?: unknown; code?: unknown } | null;
  if (!(err instanceof Error) || typeof e?.severity !== 'string') return true;
  return typeof e.code === 'string' && /^(08|57P0)/.test(e.code);
}
