/**
 * Group commit: many concurrent small writes (one device upload each) become one transaction.
 *
 * Real panels post each event the moment it happens, one request per event, from hundreds of devices. One
 * transaction per request spends nearly all of its time in per-transaction work (BEGIN, a plan, a WAL flush
 * at COMMIT). A GroupCommit queues the items of concurrent requests and writes whatever has queued up in one
 * transaction through the kind's `flush` function; each caller's promise settles only after the
 * transaction holding its item has committed (or failed), so a device is never answered `OK` for rows that
 * are not durable.
 *
 * Batching is adaptive, with no fixed delay: an item waits only for the current turn of the event loop
 * (so requests read together are written together), or, when `maxInFlight` flushes are already running,
 * until one of them ends. At low load every request is written alone at once; under load batches grow by
 * themselves. A request is held at most for one flush in progress plus its own.
 *
 * Isolation between callers: when a batch fails, each of its items is written again on its own, so only
 * the item that really fails is refused (its device gets an error and sends the upload again later) and
 * every other device's rows are committed.
 */

/** A connection inside the batch transaction; `name` makes the statement a prepared (named) one where supported. */
export interface BatchClient {
  query<R = Record<string, unknown>>(name: string, text: string, values: unknown[]): Promise<R[]>;
}

/**
 * Runs `fn` in one transaction on one connection: BEGIN, fn, COMMIT (ROLLBACK and rethrow on failure).
 * With `autocommit`, each query `fn` issues is its own transaction (no BEGIN/COMMIT round trips).
 */
export type TransactionRunner = <X>(fn: (db: BatchClient) => Promise<X>, autocommit?: boolean) => Promise<X>;

export interface GroupCommitKind<T, R> {
  /** For logs and metrics: rtlog, ATTLOG, ... */
  name: string;
  /**
   * Writes `items` inside the batch transaction and returns one result per item, in order. It must not
   * commit, and must be correct for any mix of devices (items of one device may appear twice in a batch).
   */
  flush(db: BatchClient, items: readonly T[]): Promise<R[]>;
  /** Items per transaction (default 500). Catch-up uploads carry many rows per item: keep batches bounded. */
  maxItems?: number;
  /** Concurrent batch transactions (default 2): enough to keep the database busy while the next batch gathers. */
  maxInFlight?: number;
  /**
   * While a batch is in flight, another starts only once this many items have queued (default 1: at once).
   * Larger, it keeps a few uploads from taking a transaction of their own beside a running one, which costs
   * more per event than waiting for it to end; a real backlog still gets the parallel transactions.
   */
  overlapAt?: number;
  /**
   * Each statement `flush` issues is its own transaction: one round trip per statement instead of three. The
   * batch's writes then belong in one statement (data-modifying CTEs write several tables atomically); a flush
   * may issue others only where that is safe without a surrounding transaction (reads before the write, or a
   * write repeated after one that stored nothing).
   */
  autocommit?: boolean;
  /**
   * Items big enough to be a batch by themselves (a catch-up upload of 100 events): written at once in a
   * transaction of their own, outside the queue and its in-flight bound, as many at a time as arrive.
   */
  alone?: (item: T) => boolean;
}

export interface GroupCommitObserver {
  /** One batch committed (or, in the fallback, one item alone). */
  batch(kind: string, items: number, fallback: boolean): void;
  /** A batch failed and its items are being written one by one. */
  fallback(kind: string, items: number, err: unknown): void;
}

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<T, R> {
  private queue: Array<Waiting<T, R>> = [];
  private inFlight = 0;
  private aloneInFlight = 0;
  private scheduled = false;
  private readonly maxItems: number;
  private readonly maxInFlight: number;
  private readonly overlapAt: number;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly kind: GroupCommitKind<T, R>,
    private readonly transaction: TransactionRunner,
    private readonly observer?: GroupCommitObserver,
  ) {
    this.maxItems = Math.max(1, kind.maxItems ?? 500);
    this.maxInFlight = Math.max(1, kind.maxInFlight ?? 2);
    this.overlapAt = Math.max(1, kind.overlapAt ?? 1);
  }

  get name(): string {
    return this.kind.name;
  }

  /** Queues `item`; resolves with its result once the transaction that wrote it has committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.kind.alone?.(item)) {
        this.aloneInFlight++;
        void this.write([{ item, resolve, reject }]).finally(() => {
          this.aloneInFlight--;
          if (this.pending === 0) this.notifyIdle();
        });
        return;
      }
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items queued or being written. */
  get pending(): number {
    return this.queue.length + this.inFlight + this.aloneInFlight;
  }

  /** Resolves when nothing is queued or being written (for shutdown: answer every waiting device first). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Whether a batch may start now: always when none is running, else within the bound and once enough has queued. */
  private mayStart(): boolean {
    if (this.queue.length === 0) return false;
    if (this.inFlight === 0) return true;
    return this.inFlight < this.maxInFlight && this.queue.length >= this.overlapAt;
  }

  private schedule(): void {
    if (this.scheduled || !this.mayStart()) return;
    this.scheduled = true;
    // setImmediate, not a timer: everything read in this turn of the event loop joins the batch.
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    while (this.mayStart()) {
      const batch = this.queue.length <= this.maxItems ? this.queue : this.queue.slice(0, this.maxItems);
      this.queue = this.queue.length <= this.maxItems ? [] : this.queue.slice(this.maxItems);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.schedule();
        else if (this.pending === 0) this.notifyIdle();
      });
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async write(batch: Array<Waiting<T, R>>): Promise<void> {
    let results: R[];
    try {
      results = await this.transaction((db) => this.kind.flush(db, batch.map((w) => w.item)), this.kind.autocommit);
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      // Someone's rows broke the batch: write each item alone so only that one fails.
      this.observer?.fallback(this.kind.name, batch.length, err);
      for (const w of batch) {
        try {
          const [r] = await this.transaction((db) => this.kind.flush(db, [w.item]), this.kind.autocommit);
          this.observer?.batch(this.kind.name, 1, true);
          w.resolve(r);
        } catch (e) {
          w.reject(e);
        }
      }
      return;
    }
    this.observer?.batch(this.kind.name, batch.length, false);
    for (let i = 0; i < batch.length; i++) batch[i].resolve(results[i]);
  }
}
