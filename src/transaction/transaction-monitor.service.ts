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
import { CREATED_MS } from './monitor-start';
import { boundCursors, HANDED_COLUMNS, handing, pollMonitor, type MonitorCursor, type MonitorCursorStore, type MonitorFeed } from './monitor-poll';
import { NEVER_GONE, type ClientGoneCheck } from './client-gone.decorator';

/** Events per poll; the rest come with the next poll (the cursor only moves past what was returned). */
export const MONITOR_BATCH = 1000;

/** A client's monitor cursor, started at a feed position; a concurrent first poll's cursor wins. */
const START_CURSOR = `INSERT INTO ${insertOf(TRANSACTION_MONITOR_CURSOR, ['clientId', 'timestamp', 'xid', 'transactionId', 'startSnapshot'])} ON CONFLICT DO NOTHING`;

/** Polls finding only events held back by a running transaction wait for it this often (100 ms each) at most. */
const HELD_BACK_WAITS = 5;

/** The last epoch millisecond a JavaScript Date can hold (ECMAScript's time range). */
const LAST_DATE_MS = 8.64e15;

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
 * transactions below the feed's horizon (FEED_XMIN, every older one of this database ended) are handed out, so late-committing ingest transactions
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
    // 16 digits reach past the last instant a date holds (8.64e15 ms): that is no time either, not a database error.
    if (!/^\d{1,16}$/.test(raw) || Number(raw) > LAST_DATE_MS) throw new CvError(CvCode.TimeFormat, 'Time format error: timestamp must be milliseconds since the epoch');
    return Number(raw);
  }

  async poll(clientId: string, timestamp: number, gone: ClientGoneCheck = NEVER_GONE, limit = MONITOR_BATCH): Promise<TransactionMonitorItemDto[]> {
    return this.pollFeed(clientId, timestamp, async (_m, rows) => rows.map((r) => toMonitorItem(r, this.config.timeZone)), gone, limit);
  }

  /**
   * The cursor machinery (monitor-poll.ts) for any reader of the access event feed (2.18.5, and 2.26.2 with its
   * own cursor key): `select` turns the events after the cursor into the answer's items; it may drop events (a
   * filtered monitor): they are passed.
   */
  pollFeed<T>(clientId: string, timestamp: number, select: (m: EntityManager, rows: FeedRow[]) => Promise<T[]>, gone: ClientGoneCheck = NEVER_GONE, limit = MONITOR_BATCH): Promise<T[]> {
    return pollMonitor(this.ds, this.cursor(clientId, timestamp), this.feed, {
      timestamp,
      lookbackSeconds: this.config.monitorLookbackSeconds,
      limit,
      heldBackWaits: HELD_BACK_WAITS,
      select,
      gone,
    });
  }

  /** The access feed (acc_transaction) by position. */
  private readonly feed: MonitorFeed<FeedRow> = {
    after: (m, xid, id, limit, skip) => this.repo.findFeedAfter(m, xid, id, limit, skip),
    heldBack: (m, xid, id, skip) => this.repo.hasHeldBackFeed(m, xid, id, skip),
    positionAt: (m, at) => this.repo.feedPositionAt(m, at),
  };

  /** The cursor of one (API client, timestamp); its read is the commonest query of a polling client: prepared. */
  private cursor(clientId: string, timestamp: number): MonitorCursorStore {
    return {
      lock: async (m) =>
        (
          await this.prepared.query<MonitorCursor>(
            m,
            `SELECT xid::text AS xid, transaction_id::text AS transaction_id, start_snapshot, ${CREATED_MS}, ${HANDED_COLUMNS} FROM transaction_monitor_cursor WHERE client_id = $1 AND timestamp = $2 FOR UPDATE`,
            [clientId, timestamp],
          )
        )[0],
      create: async (m, start) => {
        await m.query(START_CURSOR, [clientId, timestamp, start.xid, start.id, start.snapshot]);
        await boundCursors(m, 'transaction_monitor_cursor', { client_id: clientId }, timestamp);
      },
      move: async (m, xid, id) => {
        await m.query(`UPDATE transaction_monitor_cursor SET xid = $3, transaction_id = $4, polled_at = now() WHERE client_id = $1 AND timestamp = $2`, [clientId, timestamp, xid, id]);
      },
      ...handing(this.ds, 'transaction_monitor_cursor', ['client_id', 'timestamp'], [clientId, timestamp]),
    };
  }

  /** Cursors nobody polled for `olderThanMs` (clients that moved on to another timestamp). */
  async pruneCursors(olderThanMs: number): Promise<number> {
    const [, n] = await this.ds.query(`DELETE FROM transaction_monitor_cursor WHERE polled_at < now() - make_interval(secs => $1)`, [olderThanMs / 1000]);
    return Number(n ?? 0);
  }
}
