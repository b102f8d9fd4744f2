import * as pg from 'pg';

/** What the pool answers a wait that ends without a connection (the text pg-pool gives it; unavailable.ts knows it). */
export const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

/**
 * Longest wait for a connection while the database keeps answering: a burst this long in the queue is an overload,
 * answered "try again" (-503, 503 Retry-After) rather than left waiting on a client that gave up long ago.
 */
export const MAX_POOL_WAIT_MS = 120_000;

type Release = (release?: unknown) => void;
type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, release: Release) => void;

/**
 * pg's pool, except for how long a request waits for a connection when all of them are busy.
 *
 * pg-pool ends that wait after connectionTimeoutMillis whatever the database is doing: on the embedded database
 * (one connection: every write waits for it) a burst of REST writes from an HR sync job queued longer than 15 s
 * on a loaded machine, and the later writes were answered -503 "the database does not answer" by a database that
 * was answering all along, one statement after the other. Here a wait ends only when the database said nothing on
 * any of the pool's connections (no ReadyForQuery, no new connection) for connectionTimeoutMillis, as when it
 * hangs or is gone, which is still answered -503 as soon as before; or after MAX_POOL_WAIT_MS in all. Opening a
 * new connection still gives up after connectionTimeoutMillis (the client's own timeout).
 */
export class QueueingPool extends pg.Pool {
  private readonly waitMs: number;
  private readonly maxWaitMs: number;
  /** When the database last answered on one of this pool's connections. */
  private readonly heard: { at: number };

  constructor(options: pg.PoolConfig & { maxWaitMillis?: number } = {}) {
    const waitMs = options.connectionTimeoutMillis ?? 0;
    const heard = { at: Date.now() };
    const answered = () => {
      heard.at = Date.now();
    };
    const Base = (options as { Client?: typeof pg.Client }).Client ?? pg.Client;
    // The pool hands its own options to each client it opens: the client keeps the connect timeout the pool drops.
    class AnsweringClient extends Base {
      constructor(config: pg.ClientConfig = {}) {
        super({ ...config, connectionTimeoutMillis: waitMs });
        (this as unknown as { connection: { on(event: 'readyForQuery', fn: () => void): unknown } }).connection.on('readyForQuery', answered);
      }
    }
    super({ ...options, connectionTimeoutMillis: 0, Client: AnsweringClient } as pg.PoolConfig);
    this.heard = heard;
    this.waitMs = waitMs;
    this.maxWaitMs = options.maxWaitMillis ?? MAX_POOL_WAIT_MS;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    if (!callback) {
      return new Promise((resolve, reject) => this.connect((err, client) => (err || !client ? reject(err) : resolve(client))));
    }
    if (this.waitMs <= 0) return super.connect(callback);
    const since = Date.now();
    let answered = false;
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      const now = Date.now();
      const silentFor = now - Math.max(this.heard.at, since);
      if (silentFor >= this.waitMs || now - since >= this.maxWaitMs) {
        answered = true;
        callback(new Error(POOL_WAIT_TIMEOUT), undefined, () => undefined);
        return;
      }
      timer = setTimeout(check, Math.min(this.waitMs - silentFor, since + this.maxWaitMs - now));
      timer.unref();
    };
    timer = setTimeout(check, this.waitMs);
    timer.unref();
    super.connect((err, client, release) => {
      clearTimeout(timer);
      if (answered) {
        // The wait was answered already: a connection that came after all goes back at once.
        if (client) release();
        return;
      }
      answered = true;
      callback(err, client, release);
    });
  }
}

/** The pg module as TypeORM's `driver` option takes it, with QueueingPool as its pool. */
export const QUEUEING_PG = Object.create(pg, { Pool: { value: QueueingPool, enumerable: true } }) as typeof pg;
