import type { DataSource, EntityManager } from 'typeorm';
import { ClientGoneError, nullIfGone, type ClientGoneCheck } from './client-gone.decorator';
import { monitorStart, NOW_MS_SQL } from './monitor-start';

/** Where a monitor cursor skips what was already there at its first poll (see feedSkipSql). */
export interface FeedStart {
  snapshot: string;
  before: Date;
}

/** A monitor cursor row as a poll reads it (positions and the epoch-ms `created_at` as text). */
export interface MonitorCursor {
  xid: string;
  transaction_id: string;
  start_snapshot: string | null;
  created_ms: string;
}

/**
 * One cursor of one monitor (access 2.18.5 and hep 2.26.2 in transaction_monitor_cursor, elevator and entrance
 * control 2.34.3 in module_monitor_cursor), bound to its key (API client, timestamp, module).
 */
export interface MonitorCursorStore {
  /** The cursor, locked FOR UPDATE for the poll's transaction, so concurrent polls never hand out one event twice. */
  lock(m: EntityManager): Promise<MonitorCursor | undefined>;
  /** Makes the cursor at `start` (a concurrent first poll's cursor wins: ON CONFLICT DO NOTHING). */
  create(m: EntityManager, start: { xid: string; id: string; snapshot: string }): Promise<void>;
  /** Moves it past the last event handed out and marks it polled. */
  move(m: EntityManager, xid: string, id: string): Promise<void>;
}

/** The events a monitor reads, by feed position (inserting transaction id, event id). */
export interface MonitorFeed<R extends { feed_xid: string; id: string | number }> {
  /** Up to `limit` events after the position, in feed order, below the snapshot's xmin, less those `skip` drops. */
  after(m: EntityManager, xid: string, id: string, limit: number, skip: FeedStart): Promise<R[]>;
  /** Whether events after the position are held back only by a transaction still running elsewhere. */
  heldBack(m: EntityManager, xid: string, id: string, skip: FeedStart): Promise<boolean>;
  /** The position just before every event stored at or after `at` and every running transaction, with this snapshot. */
  positionAt(m: EntityManager, at: Date): Promise<{ xid: string; id: string; snapshot: string }>;
}

/**
 * The skip clause of a feed read (alias `t`): the events visible at the cursor's first poll (its snapshot) and
 * stored before its start are not handed out, so a client whose clock runs ahead of the server's still gets
 * every event stored after its first poll. A cursor without a snapshot (module cursors made before migration
 * 1763700004200) skips every event stored before the start: the NULL snapshot makes the clause NULL there.
 */
export function feedAfterSql(xid: string, id: string, skip?: FeedStart): { where: string; params: unknown[] } {
  const params: unknown[] = [xid, id];
  const skipSql = skip
    ? ` AND NOT (t.created_at < $${params.push(skip.before)} AND pg_visible_in_snapshot(t.xid::text::xid8, $${params.push(skip.snapshot)}::pg_snapshot))`
    : '';
  return { where: `(t.xid, t.id) > ($1::bigint, $2::bigint)${skipSql}`, params };
}

/** The largest event id: a position (xid, MAX_EVENT_ID) lies after every event of transaction xid. */
export const MAX_EVENT_ID = '9223372036854775807';

/** Batches a filtered reader (the hep monitor) reads at most per poll while they yield no item. */
const FILTERED_BATCHES_PER_POLL = 50;
const HELD_BACK_WAIT_MS = 100;

export interface MonitorPoll<R, T> {
  timestamp: number;
  lookbackSeconds: number;
  /** Events read per batch; the rest come with the next poll (the cursor only moves past what was read). */
  limit: number;
  /** Polls that find nothing but events held back by a running transaction wait HELD_BACK_WAIT_MS, this often at most. */
  heldBackWaits: number;
  /**
   * Turns the events after the cursor into the answer's items, inside the poll's transaction, so the cursor
   * moves only if the answer was built. It may drop events (a filtered monitor): they are passed.
   */
  select: (m: EntityManager, rows: R[]) => Promise<T[]>;
  /** The cursor does not move when the client is gone by the time the answer is ready: it gets them next poll. */
  gone: ClientGoneCheck;
}

/**
 * One monitor poll, for every monitor of the manual. The first poll with a timestamp T creates the cursor at
 * "every event stored at or after T, or not yet visible now" (T counting as no earlier than the lookback before
 * that poll, monitor-start.ts); each poll hands out the events after the cursor and moves it past them. Only
 * events of transactions older than the snapshot's xmin are handed out, so a late-committing ingest
 * transaction's events are delivered exactly once, never skipped; when nothing but such events wait, the poll
 * waits a little for them rather than answer empty (a client that just saw a door event expects it).
 */
export async function pollMonitor<R extends { feed_xid: string; id: string | number }, T>(
  ds: DataSource,
  store: MonitorCursorStore,
  feed: MonitorFeed<R>,
  p: MonitorPoll<R, T>,
): Promise<T[]> {
  for (let wait = 0; ; wait++) {
    if (p.gone()) return [];
    const polled = await nullIfGone(
      ds.transaction(async (m) => {
        let cursor = await store.lock(m);
        if (!cursor) {
          // The cursor's created_at is this transaction's now(): the same moment every later poll bounds the start by.
          const [{ now_ms }] = await m.query(NOW_MS_SQL);
          await store.create(m, await feed.positionAt(m, new Date(monitorStart(p.timestamp, Number(now_ms), p.lookbackSeconds))));
          cursor = (await store.lock(m))!;
        }
        const skip = { snapshot: cursor.start_snapshot as string, before: new Date(monitorStart(p.timestamp, Number(cursor.created_ms), p.lookbackSeconds)) };
        let xid = cursor.xid;
        let id = cursor.transaction_id;
        let items: T[] = [];
        let foundAny = false;
        // A filtered reader (hep) may drop a whole batch: read on while full batches yield nothing, so a
        // poll never answers [] while its events wait behind other events (bounded per poll).
        for (let batch = 0; batch < FILTERED_BATCHES_PER_POLL; batch++) {
          const found = await feed.after(m, xid, id, p.limit, skip);
          const last = found[found.length - 1];
          if (last) {
            foundAny = true;
            xid = last.feed_xid;
            id = String(last.id);
            items = await p.select(m, found);
          }
          if (items.length > 0 || found.length < p.limit) break;
        }
        await store.move(m, xid, id);
        const held = !foundAny && wait < p.heldBackWaits && (await feed.heldBack(m, cursor.xid, cursor.transaction_id, skip));
        if (p.gone()) throw new ClientGoneError();
        return { items: held ? [] : items, heldBack: held };
      }),
    );
    if (polled === null) return [];
    if (!polled.heldBack) return polled.items;
    await new Promise((resolve) => setTimeout(resolve, HELD_BACK_WAIT_MS));
  }
}
