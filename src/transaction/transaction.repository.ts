import { cardValueSql } from '../card/card-value';
import { feedAfterSql, MAX_EVENT_ID, type FeedStart } from './monitor-poll';
import { PreparedQueryService } from '../database/prepared-query.service';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { readSnapshot } from '../database/snapshot';
import { fullNameMatchSql } from '../common/full-name-sql';
import { FEED_XMIN } from '../database/feed-xmin';

/** One acc_transaction row as the read queries select it (snake_case, bigint as text). */
export interface TransactionRow {
  id: string;
  unique_key: string;
  device_id: string | null;
  device_sn: string;
  dev_alias: string | null;
  log_id: number | null;
  event_time: Date;
  pin: string | null;
  person_id: string | null;
  name: string | null;
  last_name: string | null;
  dept_code: string | null;
  dept_name: string | null;
  card_no: string | null;
  door_id: string | null;
  door_no: number | null;
  door_name: string | null;
  reader_id: string | null;
  reader_name: string | null;
  reader_state: number | null;
  event_no: number;
  event_name: string | null;
  event_level: number;
  event_point_name: string | null;
  verify_mode_no: number | null;
  verify_mode_name: string | null;
  area_name: string | null;
  temperature: string | null;
  created_at: Date;
}

/** Events after a feed position, less the events a new cursor skips (visible at its creation and stored before T). */
/** A row of the monitor feed: the event plus its position (inserting transaction id, event id). */
export interface FeedRow extends TransactionRow {
  feed_xid: string;
}

export const TRANSACTION_COLUMNS = [
  'id', 'unique_key', 'device_id', 'device_sn', 'dev_alias', 'log_id', 'event_time', 'pin', 'person_id', 'name', 'last_name',
  'dept_code', 'dept_name', 'card_no', 'door_id', 'door_no', 'door_name', 'reader_id', 'reader_name', 'reader_state', 'event_no',
  'event_name', 'event_level', 'event_point_name', 'verify_mode_no', 'verify_mode_name', 'area_name', 'temperature', 'created_at',
] as const;

const cols = (alias: string, columns: readonly string[] = TRANSACTION_COLUMNS) => columns.map((c) => `${alias}.${c}`).join(', ');

/**
 * What a list page shows of an event (toV1Item, toV2Item, toDoorItem, the console's export): a page selects
 * only these. Decoding a row is most of what a page costs the gateway, and the ids, the unique key and the
 * second timestamp (created_at) that no list shows would be about a third of it.
 */
export const LIST_COLUMNS = [
  'id', 'event_time', 'pin', 'name', 'last_name', 'dept_name', 'area_name', 'card_no', 'device_sn', 'verify_mode_name', 'event_name',
  'event_point_name', 'reader_name', 'dev_alias', 'log_id', 'event_no', 'event_level', 'door_name',
] as const satisfies ReadonlyArray<keyof TransactionRow>;

/** One event as a list page selects it (LIST_COLUMNS). */
export type TransactionListRow = Pick<TransactionRow, (typeof LIST_COLUMNS)[number]>;

/** Filters of the transaction lists; times are a half-open range [from, to). */
export interface TransactionFilter {
  pin?: string;
  deviceSn?: string;
  /** The door's id (the operator console's door filter). */
  doorId?: string;
  /**
   * The SN of doorId's panel, which the repository looks up (withDoorPanel): every event of a door is its
   * panel's (the ingest takes door_id from the panel's own doors, and a door never moves to another panel), so
   * the door filter reads that panel's events from the (device_sn, event_time) index instead of the whole
   * table in time order, which a door with few or no events read to the end.
   */
  doorPanelSn?: string;
  from?: Date;
  to?: Date;
  eventNo?: number;
  eventLevel?: number;
  /** Case-insensitive substring of pin, name or last name (getDoorTransactions `filter`). */
  fuzzy?: string;
  /** Case-insensitive substring of the person's name as the console shows it, "first last" or "last first". */
  personName?: string;
  /** The number a card stands for (cardValue: no leading zeros), as the console's operator types it off a badge. */
  cardValue?: string;
  /**
   * Only events listed after this one (newest first: an earlier time, or the same time and a smaller id): an
   * export reads on from its last row, so events arriving meanwhile shift nothing and none is cut off.
   */
  after?: { eventTime: Date; id: string };
}

export interface FirstInLastOutRow {
  day: string;
  first_id: string;
  first_time: Date;
  last_time: Date;
  n: number;
  reader_in: string | null;
  reader_out: string | null;
  name: string | null;
  last_name: string | null;
  dept_code: string | null;
  dept_name: string | null;
}

const DAY_MS = 86_400_000;
/**
 * How far apart (received) a linkage photo and its event may be: a panel posts both when the event happens, or both
 * from its backlog when it comes back; an index it uses again after its log is cleared is another record's.
 */
const LINK_PHOTO_WINDOW = '1 day';
const floorDay = (d: Date) => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
const ceilDay = (d: Date) => new Date(Math.ceil(d.getTime() / DAY_MS) * DAY_MS);
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Offsets from which a page seeks through the tally instead of skipping index entries. */
const DEEP_OFFSET = 5000;

/** The tally's WHERE for a device and whole UTC days [firstFull, endFull), each when given. */
function tallyWhere(deviceSn: string | undefined, firstFull: Date | undefined, endFull: Date | undefined): { where: string; params: unknown[] } {
  const params: unknown[] = [];
  const parts: string[] = [];
  if (deviceSn !== undefined) parts.push(`device_sn = $${params.push(deviceSn)}`);
  if (firstFull) parts.push(`day >= $${params.push(isoDay(firstFull))}`);
  if (endFull) parts.push(`day < $${params.push(isoDay(endFull))}`);
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** The counts by day (day, n) under a tallyWhere: the compacted days' and the deltas since the last compaction. */
const TALLY_BY_DAY = (where: string) => `SELECT day, n FROM acc_transaction_tally_day ${where} UNION ALL SELECT day, n FROM acc_transaction_tally ${where}`;

/** Filters the tally (device and UTC day) can answer. */
const isTallyable = (f: TransactionFilter) => f.pin === undefined && f.doorId === undefined && f.eventNo === undefined && f.eventLevel === undefined && !f.fuzzy && !f.personName && f.cardValue === undefined && !f.after;

function where(f: TransactionFilter, params: unknown[], alias = 't'): string {
  const parts: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.pin !== undefined) parts.push(`${alias}.pin = ${p(f.pin)}`);
  if (f.deviceSn !== undefined) parts.push(`${alias}.device_sn = ${p(f.deviceSn)}`);
  if (f.doorId !== undefined) parts.push(`${alias}.door_id = ${p(f.doorId)}`);
  if (f.doorPanelSn !== undefined) parts.push(`${alias}.device_sn = ${p(f.doorPanelSn)}`);
  if (f.from) parts.push(`${alias}.event_time >= ${p(f.from)}`);
  if (f.to) parts.push(`${alias}.event_time < ${p(f.to)}`);
  if (f.eventNo !== undefined) parts.push(`${alias}.event_no = ${p(f.eventNo)}`);
  if (f.eventLevel !== undefined) parts.push(`${alias}.event_level = ${p(f.eventLevel)}`);
  if (f.fuzzy) {
    const like = p(`%${f.fuzzy.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    parts.push(`(${alias}.pin ILIKE ${like} OR ${alias}.name ILIKE ${like} OR ${alias}.last_name ILIKE ${like})`);
  }
  if (f.personName) {
    const like = p(`%${f.personName.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    parts.push(`(${fullNameMatchSql(`${alias}.name`, `${alias}.last_name`, like)})`);
  }
  if (f.cardValue !== undefined) parts.push(`${cardValueSql(`${alias}.card_no`)} = ${p(f.cardValue)}`);
  if (f.after) parts.push(`(${alias}.event_time, ${alias}.id) < (${p(f.after.eventTime)}::timestamptz, ${p(f.after.id)}::bigint)`);
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

/**
 * capturePhotos' query: `photo` answers each found event's photo, `presence` only the ids of events that have one
 * (the same matches; PostgreSQL still reads the uploads, but no photo is sent to the gateway).
 */
function capturePhotoQuery(what: 'photo' | 'presence'): string {
  // The same matches either way: `presence` answers '' where `photo` answers the photo, so nothing crosses the wire.
  const keep = (photo: string) => (what === 'photo' ? photo : `CASE WHEN ${photo} IS NOT NULL THEN '' END`);
  const snapshot = keep(`u.record->>'photo'`);
  const linked = `(SELECT ${keep('f.value')} FROM jsonb_each_text(u.record) f WHERE lower(f.key) = 'photodata' LIMIT 1)`;
  return `SELECT t.id::text AS id${what === 'photo' ? ', coalesce(a.photo, l.photo) AS photo' : ''}
       FROM acc_transaction t
       LEFT JOIN device dv ON dv.sn = t.device_sn
       CROSS JOIN LATERAL (SELECT to_char(t.event_time AT TIME ZONE dv.time_zone, 'YYYYMMDDHH24MISS') AS stamp) s
       LEFT JOIN LATERAL (
         SELECT ${snapshot} AS photo FROM device_upload u
         WHERE u.table_name = 'ATTPHOTO' AND u.device_sn = t.device_sn
           AND u.pin IN (s.stamp || '-' || coalesce(t.pin, '') || '.jpg', s.stamp || '.jpg')
         ORDER BY u.pin = s.stamp || '-' || coalesce(t.pin, '') || '.jpg' DESC, u.id DESC LIMIT 1) a ON true
       LEFT JOIN LATERAL (
         SELECT ${linked} AS photo
         FROM device_upload u
         WHERE u.table_name = 'linkphotoinfo' AND u.pin = t.log_id::text AND u.device_sn = t.device_sn
           AND u.received_at BETWEEN t.created_at - interval '${LINK_PHOTO_WINDOW}' AND t.created_at + interval '${LINK_PHOTO_WINDOW}'
         ORDER BY u.id LIMIT 1) l ON true
       WHERE t.id = ANY($1::bigint[]) AND coalesce(a.photo, l.photo) IS NOT NULL`;
}

/**
 * Reads of acc_transaction. Every list is newest first, (event_time DESC, id DESC), and one range scan of
 * an index the PUSH migration made: (event_time, id), (pin, event_time) or (device_sn, event_time). A page
 * first picks the ids (an index scan that skips `offset` entries without touching the other columns),
 * then reads those rows; deep offsets first find their day in the tally (seekDeepOffset).
 */
@Injectable()
export class TransactionRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly prepared: PreparedQueryService,
  ) {}

  /** A page and the total it is answered with, from one snapshot (src/database/snapshot.ts says why). */
  findPageAndCount(filter: TransactionFilter, offset: number, limit: number): Promise<{ rows: TransactionListRow[]; total: number }> {
    return readSnapshot(this.ds, async (m) => {
      const f = await this.withDoorPanel(filter, m);
      return { rows: await this.findPage(f, offset, limit, m), total: await this.count(f, m) };
    });
  }

  /**
   * The filter with its door's panel (doorPanelSn) when it names a door that exists. A door deleted since
   * (with its panel) keeps its events: those are still listed, by the door filter alone.
   */
  private async withDoorPanel(f: TransactionFilter, m: EntityManager | DataSource): Promise<TransactionFilter> {
    if (f.doorId === undefined || f.doorPanelSn !== undefined) return f;
    const [door]: Array<{ sn: string }> = await m.query(`SELECT dv.sn FROM door o JOIN device dv ON dv.id = o.device_id WHERE o.id = $1`, [f.doorId]);
    return door ? { ...f, doorPanelSn: door.sn } : f;
  }

  async findPage(filter: TransactionFilter, offset: number, limit: number, within?: EntityManager): Promise<TransactionListRow[]> {
    const f = await this.withDoorPanel(filter, within ?? this.ds);
    if (offset < DEEP_OFFSET || !isTallyable(f)) return this.findPageFrom(within ?? this.ds, f, offset, limit);
    if (within) {
      const seek = await this.seekDeepOffset(within, f, offset);
      return this.findPageFrom(within, seek.filter, seek.offset, limit);
    }
    // One snapshot for the tally walk and the page, so the two agree even while events arrive.
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      const seek = await this.seekDeepOffset(m, f, offset);
      return this.findPageFrom(m, seek.filter, seek.offset, limit);
    });
  }

  private findPageFrom(m: EntityManager | DataSource, f: TransactionFilter, offset: number, limit: number): Promise<TransactionListRow[]> {
    const params: unknown[] = [];
    const w = where(f, params, 'k');
    params.push(offset, limit);
    // Prepared: a page is the integrators' commonest poll, and its text only varies with the filter's shape.
    return this.prepared.query(
      m,
      `SELECT ${cols('t', LIST_COLUMNS)} FROM (
         SELECT k.id, k.event_time FROM acc_transaction k ${w}
         ORDER BY k.event_time DESC, k.id DESC OFFSET $${params.length - 1} LIMIT $${params.length}
       ) page JOIN acc_transaction t ON t.id = page.id
       ORDER BY page.event_time DESC, page.id DESC`,
      params,
    );
  }

  /**
   * A deep offset without skipping a deep index range: the tally says how many events each whole UTC day
   * holds, so walking it from the newest day finds the day where the offset falls; the page query then
   * starts at that day's end and skips only within that day.
   */
  private async seekDeepOffset(m: EntityManager, f: TransactionFilter, offset: number): Promise<{ filter: TransactionFilter; offset: number }> {
    let remaining = offset;
    const firstFull = f.from ? ceilDay(f.from) : undefined;
    let endFull = f.to ? floorDay(f.to) : undefined;
    if (firstFull && endFull && firstFull.getTime() >= endFull.getTime()) return { filter: f, offset };
    if (f.to && endFull && endFull.getTime() < f.to.getTime()) {
      const top = await this.countExact({ ...f, from: f.from && f.from > endFull ? f.from : endFull }, m);
      if (remaining < top) return { filter: f, offset: remaining };
      remaining -= top;
    }
    const { where: w, params } = tallyWhere(f.deviceSn, firstFull, endFull);
    const days: Array<{ day: string; n: string }> = await m.query(
      `SELECT day::text AS day, sum(n)::bigint AS n FROM (${TALLY_BY_DAY(w)}) s
       GROUP BY day HAVING sum(n) > 0 ORDER BY day DESC`,
      params,
    );
    for (const d of days) {
      const n = Number(d.n);
      const dayStart = new Date(`${d.day}T00:00:00Z`);
      if (remaining < n) return { filter: { ...f, to: new Date(dayStart.getTime() + DAY_MS) }, offset: remaining };
      remaining -= n;
      endFull = dayStart;
    }
    // Past every whole day: the partial first day (or nothing).
    return { filter: { ...f, ...(endFull ? { to: endFull } : {}) }, offset: remaining };
  }

  /**
   * The number of events matching the filter. Filters the tally can answer (device, time range) add the
   * tally of whole UTC days to exact counts of the partial days at the edges, so a count over millions of
   * rows costs a few hundred tally rows; other filters count exactly.
   */
  async count(f: TransactionFilter, m: EntityManager | DataSource = this.ds): Promise<number> {
    if (!isTallyable(f)) return this.countExact(f, m);
    const firstFull = f.from ? ceilDay(f.from) : undefined;
    const endFull = f.to ? floorDay(f.to) : undefined;
    if (firstFull && endFull && firstFull.getTime() >= endFull.getTime()) return this.countExact(f, m);
    let total = 0;
    if (f.from && firstFull && firstFull.getTime() > f.from.getTime()) total += await this.countExact({ ...f, to: firstFull }, m);
    if (f.to && endFull && endFull.getTime() < f.to.getTime()) total += await this.countExact({ ...f, from: endFull }, m);
    const { where: w, params } = tallyWhere(f.deviceSn, firstFull, endFull);
    // Without a time range, the per-device totals (one row per device) and the deltas since the last compaction;
    // with one, the days' counts in the range and those deltas. Prepared, like the page it goes with (v2 lists ask
    // for both on every request).
    const [{ n }] = await this.prepared.query<{ n: string }>(
      m,
      firstFull || endFull
        ? `SELECT coalesce(sum(n), 0)::bigint AS n FROM (${TALLY_BY_DAY(w)}) s`
        : `SELECT coalesce((SELECT sum(n) FROM acc_transaction_tally_total ${w}), 0) + coalesce((SELECT sum(n) FROM acc_transaction_tally ${w}), 0) AS n`,
      params,
    );
    return total + Number(n);
  }

  async countExact(filter: TransactionFilter, m: EntityManager | DataSource = this.ds): Promise<number> {
    const f = await this.withDoorPanel(filter, m);
    const params: unknown[] = [];
    const [{ n }] = await m.query(`SELECT count(*)::bigint AS n FROM acc_transaction t ${where(f, params)}`, params);
    return Number(n);
  }

  /**
   * The capture photos of some events, by event id, found whenever the event is read (a photo may come before or
   * after its event), nothing done per rtlog event:
   * - the device's own snapshot (ATTPHOTO upload, push 7.9). A device names it `<yyyyMMddHHmmss>-<pin>.jpg`
   *   (`<yyyyMMddHHmmss>.jpg` when nobody was identified) in its own wall-clock time: the pair is found by device SN
   *   and that name (device_upload's table/pin index). A person's event takes a bare `<yyyyMMddHHmmss>.jpg` only when
   *   no snapshot carries its pin: that name is a stranger's event's of the same second.
   * - else the panel's IPC linkage photo (linkphotoinfo, push 7.15), kept under its LogIndex = the event's rtlog
   *   index (log_id), found by the same index. The first one received of an event is its photo (a linkage posts one
   *   line per camera, the first linked first), so an event's answer never changes once given. A panel numbers its
   *   records again after its log is cleared: only a photo received within LINK_PHOTO_WINDOW of the event is its own.
   */
  async capturePhotos(rows: ReadonlyArray<{ id: string }>): Promise<Map<string, string>> {
    if (rows.length === 0) return new Map();
    // Prepared: a v2 page asks for its photos on every request, and planning this join cost more than running it.
    const found = await this.prepared.query<{ id: string; photo: string }>(this.ds, capturePhotoQuery('photo'), [rows.map((r) => r.id)]);
    return new Map(found.map((r) => [r.id, r.photo]));
  }

  /**
   * Which of some events have a capture photo (as capturePhotos finds it), without reading the photos: a list that
   * only marks them (the console's) would otherwise detoast tens of kilobytes per row to drop them.
   */
  async withCapturePhoto(rows: ReadonlyArray<{ id: string }>): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const found = await this.prepared.query<{ id: string }>(this.ds, capturePhotoQuery('presence'), [rows.map((r) => r.id)]);
    return new Set(found.map((r) => r.id));
  }

  async findById(id: string): Promise<TransactionRow | undefined> {
    const rows: TransactionRow[] = await this.ds.query(`SELECT ${cols('t')} FROM acc_transaction t WHERE t.id = $1`, [id]);
    return rows[0];
  }

  /**
   * Per day (in the server's zone) of one person: the first and the last normal event, with readers.
   * Newest day first.
   */
  async findFirstInLastOut(pin: string, timeZone: string, range: Pick<TransactionFilter, 'from' | 'to' | 'deviceSn'>, offset: number, limit: number): Promise<{ rows: FirstInLastOutRow[]; total: number }> {
    const f: TransactionFilter = { pin, eventLevel: 0, ...range };
    const params: unknown[] = [];
    const w = where(f, params);
    params.push(timeZone);
    const tz = `$${params.length}`;
    params.push(offset, limit);
    const rows: Array<FirstInLastOutRow & { total: string }> = await this.ds.query(
      `SELECT d.*, count(*) OVER () AS total FROM (
         SELECT (t.event_time AT TIME ZONE ${tz})::date::text AS day,
                (array_agg(t.id ORDER BY t.event_time, t.id))[1] AS first_id,
                min(t.event_time) AS first_time, max(t.event_time) AS last_time, count(*)::int AS n,
                (array_agg(t.reader_name ORDER BY t.event_time, t.id))[1] AS reader_in,
                (array_agg(t.reader_name ORDER BY t.event_time DESC, t.id DESC))[1] AS reader_out,
                (array_agg(t.name ORDER BY t.event_time DESC, t.id DESC))[1] AS name,
                (array_agg(t.last_name ORDER BY t.event_time DESC, t.id DESC))[1] AS last_name,
                (array_agg(t.dept_code ORDER BY t.event_time DESC, t.id DESC))[1] AS dept_code,
                (array_agg(t.dept_name ORDER BY t.event_time DESC, t.id DESC))[1] AS dept_name
         FROM acc_transaction t ${w} GROUP BY 1
       ) d ORDER BY d.day DESC OFFSET $${params.length - 1} LIMIT $${params.length}`,
      params,
    );
    let total = rows.length ? Number(rows[0].total) : 0;
    if (!rows.length && offset > 0) {
      const [{ n }] = await this.ds.query(
        `SELECT count(DISTINCT (t.event_time AT TIME ZONE ${tz})::date)::int AS n FROM acc_transaction t ${w}`,
        params.slice(0, params.length - 2),
      );
      total = n;
    }
    return { rows, total };
  }

  // ---------------------------------------------------------------------------------------------------
  // The feed: (xid, id) positions of committed events (monitor, live stream)
  // ---------------------------------------------------------------------------------------------------

  /**
   * Events after the position, in position order, and only from transactions below the feed's horizon (FEED_XMIN): those (and every transaction before them) have finished, so no event can still appear before the
   * last one returned.
   */
  async findFeedAfter(m: EntityManager | DataSource, xid: string, id: string, limit: number, skip?: FeedStart): Promise<FeedRow[]> {
    const { where, params } = feedAfterSql(xid, id, skip);
    params.push(limit);
    return this.prepared.query(
      m,
      `SELECT t.xid::text AS feed_xid, ${cols('t')}
       FROM acc_transaction t
       WHERE ${where} AND t.xid < ${FEED_XMIN}
       ORDER BY t.xid, t.id LIMIT $${params.length}`,
      params,
    );
  }

  /** The newest `limit` events of the feed (below its horizon, as findFeedAfter hands them out), newest first. */
  async findFeedLatest(m: EntityManager | DataSource, limit: number): Promise<FeedRow[]> {
    return this.prepared.query(
      m,
      `SELECT t.xid::text AS feed_xid, ${cols('t')}
       FROM acc_transaction t
       WHERE t.xid < ${FEED_XMIN}
       ORDER BY t.xid DESC, t.id DESC LIMIT $1`,
      [limit],
    );
  }

  /**
   * Whether committed events after the position are held back only because an older transaction of this
   * database is still running: findFeedAfter hands them out once it ends.
   */
  async hasHeldBackFeed(m: EntityManager | DataSource, xid: string, id: string, skip?: FeedStart): Promise<boolean> {
    const { where, params } = feedAfterSql(xid, id, skip);
    const [{ held }] = await this.prepared.query<{ held: boolean }>(
      m,
      `SELECT EXISTS (SELECT 1 FROM acc_transaction t WHERE ${where} AND t.xid >= ${FEED_XMIN}) AS held`,
      params,
    );
    return held === true;
  }


  /**
   * The position just before every event stored at or after `at` and before every transaction still
   * running, with the snapshot of this moment: events it already shows that were stored before `at` lie
   * after the position only because an older transaction was still running, and are to be skipped.
   */
  async feedPositionAt(m: EntityManager | DataSource, at: Date): Promise<{ xid: string; id: string; snapshot: string }> {
    const [row] = await m.query(
      `SELECT LEAST(
         (SELECT min(xid) FROM acc_transaction WHERE created_at >= $1),
         ${FEED_XMIN}) AS xid, pg_current_snapshot()::text AS snapshot`,
      [at],
    );
    return { xid: String(BigInt(row.xid) - 1n), id: MAX_EVENT_ID, snapshot: row.snapshot };
  }

  /** The position after everything committed so far: "from now on". */
  async feedPositionNow(m: EntityManager | DataSource): Promise<{ xid: string; id: string }> {
    const [row] = await m.query(`SELECT ${FEED_XMIN}::text AS xid`);
    return { xid: String(BigInt(row.xid) - 1n), id: MAX_EVENT_ID };
  }
}
