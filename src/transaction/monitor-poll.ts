import type { DataSource, EntityManager } from 'typeorm';
import { ClientGoneError, nullIfGone, type ClientGoneCheck } from './client-gone.decorator';
import { monitorStart, NOW_MS_SQL } from './monitor-start';
import { PROCESS_TAG, processAlive } from '../database/process-tag';

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
  /** An answer handed out and not yet known written (cursors that hand: MonitorCursorStore.hand). */
  handed_xid?: string | null;
  handed_id?: string | null;
  handed_by?: string | null;
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
  /**
   * Where the store can keep an answer not yet written (the HTTP monitors): marks the events up to (xid, id) as
   * handed out by `by` and the cursor polled, leaving the cursor itself where it is, so a process killed before
   * the answer left it has moved nothing.
   */
  hand?(m: EntityManager, xid: string, id: string, by: string): Promise<void>;
  /** The answer handed out by `by` was written: the cursor moves to (xid, id), outside any poll's transaction. */
  confirm?(xid: string, id: string, by: string): Promise<void>;
  /** The answer handed out by `by` did not reach its client: its mark goes, the cursor stays (its events come again). */
  drop?(by: string): Promise<void>;
}

/** The events a monitor reads, by feed position (inserting transaction id, event id). */
export interface MonitorFeed<R extends { feed_xid: string; id: string | number }> {
  /** Up to `limit` events after the position, in feed order, below the feed's horizon (FEED_XMIN), less those `skip` drops. */
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

/** The handed-out answer's columns, as MonitorCursor reads them (tables with `handed_*`, migration 1763700006700). */
export const HANDED_COLUMNS = `handed_xid::text AS handed_xid, handed_id::text AS handed_id, handed_by`;

/**
 * hand and confirm of a cursor row in `table` keyed by `keyColumns` = `key` (its `handed_*` columns). confirm moves
 * the cursor only forward (a concurrent later answer may have confirmed further already) and clears the handed
 * marker only if it is still this answer's.
 */
export function handing(ds: DataSource, table: string, keyColumns: readonly string[], key: readonly unknown[]): Required<Pick<MonitorCursorStore, 'hand' | 'confirm' | 'drop'>> {
  const where = keyColumns.map((c, i) => `${c} = $${i + 1}`).join(' AND ');
  const [x, i, by] = [key.length + 1, key.length + 2, key.length + 3].map((n) => `$${n}`);
  const clear = (column: string) => `${column} = CASE WHEN handed_by = ${by} THEN NULL ELSE ${column} END`;
  return {
    hand: async (m, xid, id, handedBy) => {
      await m.query(`UPDATE ${table} SET handed_xid = ${x}, handed_id = ${i}, handed_by = ${by}, polled_at = now() WHERE ${where}`, [...key, xid, id, handedBy]);
    },
    confirm: async (xid, id, handedBy) => {
      await ds.query(
        `UPDATE ${table} SET xid = ${x}, transaction_id = ${i}, ${clear('handed_xid')}, ${clear('handed_id')}, ${clear('handed_by')}
         WHERE ${where} AND (xid, transaction_id) < (${x}::bigint, ${i}::bigint)`,
        [...key, xid, id, handedBy],
      );
    },
    drop: async (handedBy) => {
      await ds.query(`UPDATE ${table} SET handed_xid = NULL, handed_id = NULL, handed_by = NULL WHERE ${where} AND handed_by = $${key.length + 1}`, [...key, handedBy]);
    },
  };
}

/**
 * Cursors kept per API client (and module): a client that sends a new `timestamp` with every poll, against the
 * manual's advice, makes a cursor each time, which would be kept for CURSOR_IDLE_MS (a week). Past this many, a
 * new cursor drops the client's least recently polled ones: a client polling with one `timestamp`, or a few, never
 * reaches it.
 */
export const MONITOR_CURSORS_PER_CLIENT = 100;

/**
 * Drops the cursors of one client (`scope`: columns = values, e.g. client_id, module) beyond the
 * MONITOR_CURSORS_PER_CLIENT most recently polled, never the one with `timestamp` (the new one). A cursor locked by
 * a poll running now is skipped (it is in use).
 */
export async function boundCursors(m: EntityManager, table: string, scope: Record<string, unknown>, timestamp: number): Promise<void> {
  const columns = Object.keys(scope);
  const where = columns.map((c, i) => `${c} = $${i + 1}`).join(' AND ');
  const n = columns.length;
  await m.query(
    `DELETE FROM ${table} WHERE ${where} AND timestamp IN (
       SELECT timestamp FROM ${table} WHERE ${where} AND timestamp <> $${n + 1}
       ORDER BY polled_at DESC, timestamp DESC OFFSET $${n + 2} FOR UPDATE SKIP LOCKED)`,
    [...Object.values(scope), timestamp, MONITOR_CURSORS_PER_CLIENT - 1],
  );
}

/** Batches a filtered reader (the hep monitor) reads at most per poll while they yield no item. */
const FILTERED_BATCHES_PER_POLL = 50;
const HELD_BACK_WAIT_MS = 100;
/** A poll finding another answer of its cursor still being written waits for it this long at most, in steps of BUSY_STEP_MS. */
export const BUSY_WAIT_MS = 2_000;
const BUSY_STEP_MS = 20;
/** A mark that could not be cleared (the database away) is tried again this often until it is. */
const SETTLE_RETRY_MS = 1_000;

/** Answers this process handed out and is still writing (tags `PROCESS_TAG#n`): a poll meanwhile waits for them. */
const writing = new Set<string>();
let handedSeq = 0;

/**
 * Whether the answer `by` handed out may still reach its client: one of this process while it is being written,
 * one of another process while that process lives (it confirms or drops it itself). An answer of a process that
 * died (kill -9 between the poll's commit and the answer) is not: its events are handed out again.
 */
async function stillHanding(ds: DataSource, m: EntityManager, by: string): Promise<boolean> {
  const owner = by.slice(0, by.lastIndexOf('#'));
  if (owner === PROCESS_TAG) return writing.has(by);
  return processAlive(ds, m, owner);
}

/**
 * The answer `by` is done with: the cursor moves past it when it reached its client (confirm), its mark goes when
 * it did not (drop). This process's polls wait until that statement is done (it stays in `writing`), or they would
 * read the cursor before it moved and hand the same events out again. A statement that fails (the database away)
 * is tried again until it succeeds: a mark left behind would make the cursor's polls in other processes wait for
 * an answer that is over; this process's polls stop waiting for it meanwhile (its events may come again, none is
 * lost).
 */
function settle(store: MonitorCursorStore, by: string, end: { xid: string; id: string }, delivered: boolean): void {
  const attempt = () => {
    (delivered ? store.confirm!(end.xid, end.id, by) : store.drop!(by)).then(
      () => writing.delete(by),
      () => {
        writing.delete(by);
        setTimeout(attempt, SETTLE_RETRY_MS).unref();
      },
    );
  };
  attempt();
}

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
 * events of transactions below the feed's horizon (FEED_XMIN) are handed out, so a late-committing ingest
 * transaction's events are delivered exactly once, never skipped; when nothing but such events wait, the poll
 * waits a little for them rather than answer empty (a client that just saw a door event expects it).
 */
export async function pollMonitor<R extends { feed_xid: string; id: string | number }, T>(
  ds: DataSource,
  store: MonitorCursorStore,
  feed: MonitorFeed<R>,
  p: MonitorPoll<R, T>,
): Promise<T[]> {
  // With an HTTP answer to watch, the cursor moves once the answer was written (hand, then confirm); else at commit.
  const settled = store.hand && store.confirm && store.drop ? p.gone.settled : undefined;
  const busyUntil = Date.now() + BUSY_WAIT_MS;
  for (let wait = 0; ; ) {
    if (p.gone()) return [];
    let tag: string | undefined;
    const polled = await nullIfGone(
      ds.transaction(async (m) => {
        let cursor = await store.lock(m);
        if (!cursor) {
          // The cursor's created_at is this transaction's now(): the same moment every later poll bounds the start by.
          const [{ now_ms }] = await m.query(NOW_MS_SQL);
          await store.create(m, await feed.positionAt(m, new Date(monitorStart(p.timestamp, Number(now_ms), p.lookbackSeconds))));
          cursor = (await store.lock(m))!;
        }
        // Another answer of this cursor is being written: this poll waits for it rather than start after it. Its
        // events are not yet the client's (the answer may still fail, or its process die), and an answer handed
        // out after them would move the cursor past them when it is confirmed: a failed answer's events were lost.
        if (settled && cursor.handed_by && (await stillHanding(ds, m, cursor.handed_by))) return { busy: true as const };
        const skip = { snapshot: cursor.start_snapshot as string, before: new Date(monitorStart(p.timestamp, Number(cursor.created_ms), p.lookbackSeconds)) };
        const start = { xid: cursor.xid, id: cursor.transaction_id };
        let xid = start.xid;
        let id = start.id;
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
        if (settled && foundAny) {
          tag = `${PROCESS_TAG}#${++handedSeq}`;
          writing.add(tag);
          await store.hand!(m, xid, id, tag);
        } else await store.move(m, settled ? cursor.xid : xid, settled ? cursor.transaction_id : id);
        const held = !foundAny && wait < p.heldBackWaits && (await feed.heldBack(m, start.xid, start.id, skip));
        if (p.gone()) throw new ClientGoneError();
        return { busy: false as const, items: held ? [] : items, heldBack: held, end: { xid, id } };
      }),
    ).catch((err: unknown) => {
      if (tag) writing.delete(tag);
      throw err;
    });
    if (polled === null) {
      if (tag) writing.delete(tag);
      return [];
    }
    if (polled.busy) {
      // Still busy after BUSY_WAIT_MS (a client reading its answer slowly): nothing now, the events come later.
      if (Date.now() >= busyUntil) return [];
      await new Promise((resolve) => setTimeout(resolve, BUSY_STEP_MS));
      continue;
    }
    if (tag) {
      const by = tag;
      const end = polled.end;
      // A confirm or drop that fails (the database gone meanwhile) is retried; until then the cursor stays behind
      // and the events may come again, none is lost.
      settled!((delivered) => settle(store, by, end, delivered));
    }
    if (!polled.heldBack) return polled.items;
    wait++;
    await new Promise((resolve) => setTimeout(resolve, HELD_BACK_WAIT_MS));
  }
}
