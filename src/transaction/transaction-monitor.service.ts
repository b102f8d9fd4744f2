import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { toMonitorItem, type TransactionMonitorItemDto } from './dto/transaction-response.dto';
import { TransactionRepository, type FeedRow } from './transaction.repository';
import { PreparedQueryService } from '../database/prepared-query.service';
import { insertOf } from '../database/columns';
import { TRANSACTION_MONITOR_CURSOR } from './transaction-tables';
import { CREATED_MS, monitorStart, NOW_MS_SQL } from './monitor-start';
import { ClientGoneError, NEVER_GONE, nullIfGone, type ClientGoneCheck } from './client-gone.decorator';

/** Events per poll; the rest come with the next poll (the cursor only moves past what was returned). */
export const MONITOR_BATCH = 1000;

/** A client's monitor cursor, started at a feed position; a concurrent first poll's cursor wins. */
const START_CURSOR = `INSERT INTO ${insertOf(TRANSACTION_MONITOR_CURSOR, ['clientId', 'timestamp', 'xid', 'transactionId', 'startSnapshot'])} ON CONFLICT DO NOTHING`;

/**
 * When every new event is held back by a transaction still running elsewhere on the server, a poll waits a
 * little for it to end rather than answer empty: a client that just saw a door event expects it.
 */
const HELD_BACK_WAITS = 5;
const HELD_BACK_WAIT_MS = 100;

/** Batches a filtered reader (the hep monitor) reads at most per poll while they yield no item. */
const FILTERED_BATCHES_PER_POLL = 50;

/**
 * 2.18.5 monitor. The manual: `timestamp` (ms) is required, and "there is no need to change it after the
 * first request". So the position lives on the server, one per (API client, timestamp):
 *
 * - the first poll with a timestamp T creates the cursor at "every event stored at or after T, or not yet
 *   visible now" (the events visible at that moment and stored before T are skipped), then returns the
 *   events after it; T counts as no earlier than MONITOR_LOOKBACK_SECONDS before that poll (monitor-start.ts);
 * - each later poll with the same T returns the events after the cursor and moves the cursor past them.
 *
 * Positions are (inserting transaction id, event id) of acc_transaction (its xid and id), and only events of
 * transactions older than the snapshot's xmin are handed out, so late-committing ingest transactions
 * are delivered exactly once, never skipped. The cursor row is locked for the poll, so concurrent polls
 * of the same client and timestamp never return the same event twice.
 */
@Injectable()
export class TransactionMonitorService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: TransactionRepository,
    private readonly prepared: PreparedQueryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  static parseTimestamp(raw: string | undefined): number {
    if (raw === undefined || raw === '') throw new CvError(CvCode.InvalidParameter, 'timestamp is required (milliseconds since the epoch)');
    if (!/^\d{1,16}$/.test(raw)) throw new CvError(CvCode.TimeFormat, 'Time format error: timestamp must be milliseconds since the epoch');
    return Number(raw);
  }

  async poll(clientId: string, timestamp: number, gone: ClientGoneCheck = NEVER_GONE, limit = MONITOR_BATCH): Promise<TransactionMonitorItemDto[]> {
    return this.pollFeed(clientId, timestamp, async (_m, rows) => rows.map((r) => toMonitorItem(r, this.config.timeZone)), gone, limit);
  }

  /**
   * The cursor machinery for any reader of the event feed (2.18.5, and 2.26.2 with its own cursor key):
   * `select` turns the events after the cursor into the answer's items, inside the poll's transaction, so
   * the cursor moves only if the answer was built. It may drop events (a filtered monitor): they are passed.
   * The cursor does not move either when the client is `gone` by the time the answer is ready: it gets them next poll.
   */
  async pollFeed<T>(clientId: string, timestamp: number, select: (m: EntityManager, rows: FeedRow[]) => Promise<T[]>, gone: ClientGoneCheck = NEVER_GONE, limit = MONITOR_BATCH): Promise<T[]> {
    for (let wait = 0; ; wait++) {
      if (gone()) return [];
      const polled = await nullIfGone(this.ds.transaction(async (m) => {
        const cursor = await this.lockCursor(m, clientId, timestamp);
        const skip = { snapshot: cursor.start_snapshot, before: new Date(monitorStart(timestamp, Number(cursor.created_ms), this.config.monitorLookbackSeconds)) };
        let xid = cursor.xid;
        let id = cursor.transaction_id;
        let items: T[] = [];
        let foundAny = false;
        // A filtered reader (hep) may drop a whole batch: read on while full batches yield nothing, so a
        // poll never answers [] while its events wait behind other events (bounded per poll).
        for (let batch = 0; batch < FILTERED_BATCHES_PER_POLL; batch++) {
          const found = await this.repo.findFeedAfter(m, xid, id, limit, skip);
          const last = found[found.length - 1];
          if (last) {
            foundAny = true;
            xid = last.feed_xid;
            id = last.id;
            items = await select(m, found);
          }
          if (items.length > 0 || found.length < limit) break;
        }
        await m.query(`UPDATE transaction_monitor_cursor SET xid = $3, transaction_id = $4, polled_at = now() WHERE client_id = $1 AND timestamp = $2`, [
          clientId,
          timestamp,
          xid,
          id,
        ]);
        const held = !foundAny && wait < HELD_BACK_WAITS && (await this.repo.hasHeldBackFeed(m, cursor.xid, cursor.transaction_id, skip));
        if (gone()) throw new ClientGoneError();
        return { items: held ? [] : items, heldBack: held };
      }));
      if (polled === null) return [];
      const { items, heldBack } = polled;
      if (!heldBack) return items;
      await new Promise((resolve) => setTimeout(resolve, HELD_BACK_WAIT_MS));
    }
  }

  private async lockCursor(m: EntityManager, clientId: string, timestamp: number): Promise<{ xid: string; transaction_id: string; start_snapshot: string; created_ms: string }> {
    const select = () =>
      this.prepared.query<{ xid: string; transaction_id: string; start_snapshot: string; created_ms: string }>(
        m,
        `SELECT xid::text AS xid, transaction_id::text AS transaction_id, start_snapshot, ${CREATED_MS} FROM transaction_monitor_cursor WHERE client_id = $1 AND timestamp = $2 FOR UPDATE`,
        [clientId, timestamp],
      );
    let [cursor] = await select();
    if (!cursor) {
      // The cursor's created_at is this transaction's now(): the same moment every later poll bounds the start by.
      const [{ now_ms }] = await m.query(NOW_MS_SQL);
      const start = await this.repo.feedPositionAt(m, new Date(monitorStart(timestamp, Number(now_ms), this.config.monitorLookbackSeconds)));
      await m.query(
        START_CURSOR,
        [clientId, timestamp, start.xid, start.id, start.snapshot],
      );
      [cursor] = await select();
    }
    return cursor;
  }

  /** Cursors nobody polled for `olderThanMs` (clients that moved on to another timestamp). */
  async pruneCursors(olderThanMs: number): Promise<number> {
    const [, n] = await this.ds.query(`DELETE FROM transaction_monitor_cursor WHERE polled_at < now() - make_interval(secs => $1)`, [olderThanMs / 1000]);
    return Number(n ?? 0);
  }
}
