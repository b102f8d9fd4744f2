import type { PGlite } from '@electric-sql/pglite';

interface Waiting {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: Error) => void;
}

/** ReadyForQuery: `Z`, length 5, the transaction status (`I` idle, `T` in a transaction, `E` in a failed one). */
const READY_FOR_QUERY = 0x5a;
const IDLE = 0x49;
/** Sync (`S`, length 4): what ends an extended-query sequence left open by a connection that went away. */
const SYNC = Uint8Array.from([0x53, 0, 0, 0, 4]);

/**
 * The embedded database's one session, shared by the connections of its socket server (embedded-database.ts), which
 * hands over every connection's protocol messages one at a time. PostgreSQL keeps state in a session between two
 * ReadyForQuery answers: the unnamed statement and portal of an extended query (Parse, Bind, Execute up to Sync),
 * an open transaction, a COPY. The socket server's own queue keeps a connection's messages together only inside a
 * transaction, so another connection's message could land between a query's Parse and its Bind: a simple query
 * there drops the unnamed statement ("unnamed prepared statement does not exist"), another Parse replaces it (the
 * Bind then runs the other's statement). The Bind of a large parameter (a 10 MB photo) arrives in many reads, so a
 * slow machine left that gap open for a long time.
 *
 * Here the session belongs to a connection from its first message until PostgreSQL answers ReadyForQuery idle, and
 * the other connections' messages wait meanwhile. A connection that goes away while it holds the session has its
 * sequence ended (a Sync, as its client would have sent) and its transaction rolled back.
 *
 * It takes the place of the socket server's queue (the same methods, which the server's connection handlers call).
 */
export class EmbeddedSessionQueue {
  private readonly queue: Waiting[] = [];
  private processing = false;
  /** The connection whose session state is open (no idle ReadyForQuery since its last message), or null. */
  private holder: number | null = null;
  /** Waiting to run on the session between two messages (clearTransactionIfNeeded). */
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.processQueue();
    });
  }

  /** Messages waiting for the session. */
  getQueueLength(): number {
    return this.queue.length;
  }

  /** The connection went away: its waiting messages are dropped. */
  clearQueueForHandler(handlerId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i].handlerId !== handlerId) continue;
      this.queue[i].reject(new Error('Handler disconnected'));
      this.queue.splice(i, 1);
    }
  }

  /** The connection went away: a session it held is ended for it (sequence synced, transaction rolled back) and given up. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    // Once its message being run (if any) is done: that one may be what left the session open.
    await this.whileIdle(async () => {
      if (this.holder !== handlerId) return;
      await this.db.runExclusive(() => this.db.execProtocolRawStream(SYNC, { onRawData: () => undefined }));
      if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
      this.holder = null;
    });
    void this.processQueue();
  }

  /** Runs `work` on the session when no message is being run. */
  private async whileIdle(work: () => Promise<void>): Promise<void> {
    while (this.processing) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.processing = true;
    try {
      await work();
    } finally {
      this.processing = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private next(): Waiting | undefined {
    const at = this.holder === null ? 0 : this.queue.findIndex((w) => w.handlerId === this.holder);
    return at < 0 ? undefined : this.queue.splice(at, 1)[0];
  }

  private async processQueue(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (let w = this.next(); w; w = this.next()) {
        // The last six bytes of the answer: an idle ReadyForQuery there gives the session back.
        let tail: Uint8Array = new Uint8Array(0);
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(w!.message, {
              onRawData: (data) => {
                bytes += data.length;
                tail = lastBytes(tail, data, 6);
                w!.onData(data);
              },
            }),
          );
        } catch (err) {
          w.reject(err as Error);
          continue;
        }
        this.holder = endsIdle(tail) ? null : w.handlerId;
        w.resolve(bytes);
      }
    } finally {
      this.processing = false;
      for (const waiter of this.idleWaiters.splice(0)) waiter();
    }
  }
}

function lastBytes(tail: Uint8Array, data: Uint8Array, n: number): Uint8Array {
  if (data.length >= n) return data.slice(data.length - n);
  const joined = new Uint8Array(tail.length + data.length);
  joined.set(tail);
  joined.set(data, tail.length);
  return joined.slice(Math.max(0, joined.length - n));
}

/** Whether an answer ends with ReadyForQuery idle (`Z`, 0, 0, 0, 5, `I`). */
function endsIdle(tail: Uint8Array): boolean {
  return tail.length === 6 && tail[0] === READY_FOR_QUERY && tail[1] === 0 && tail[2] === 0 && tail[3] === 0 && tail[4] === 5 && tail[5] === IDLE;
}
