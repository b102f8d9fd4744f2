import { DeviceClockService } from './device-clock.service';
import { FactoryResetService } from './factory-reset.service';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BatchClient, GroupCommit } from '../database/group-commit';
import { GroupCommitService } from '../database/group-commit.service';
import { intoOf, listOf, tableOf } from '../database/columns';
import { genericRows, numberArray, recordArray, textArray, type RecordField } from '../database/pg-array';
import { AccTransaction } from '../transaction/acc-transaction.entity';
import { INSERTED_EVENT_RETURNING, PUBLISH_INSERTED_EVENTS, TALLY_INSERTED_EVENTS, UNPUBLISHED_EVENT_RETURNING } from '../transaction/acc-transaction-publish';
import { PUSH_TARGET_ENABLED } from '../pushCenter/push-center-tables';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import type { DeviceSession } from './device-registry.service';
import { clip } from './device-registry.service';
import { EVENT_NAMES_VERSION, EventNamesCache, foldEventNames, LOAD_EVENT_NAMES_SQL, type EventNamesRow } from './event-names';
import { cvsEventName } from './cvsecurity-event-names';
import { logRejected } from './ingest-log';
import { eventLevel, eventVerifyName } from './event-fields';
import { storeRejected } from './raw-upload';
import { ModuleIngestService } from './module-ingest.service';
import { AttendanceIngestService, realtimePunch } from './attendance/attendance-ingest.service';
import { speaksAttendance } from './attendance/attendance-terminal.service';
import { personOrVisitorName } from '../visitor/visitor-event-name';
import { int32 } from '../common/whole-number';
import { devicePersonJoinSql } from '../person/pin-value';
import { collidingRecords, eventContent, STORED_CONTENT_SQL, storedContents, type StoredContentRow } from './event-content';
import {
  bodyTemperatureCelsius,
  rtlogEventKey,
  maskFlagOf,
  parseRtlog,
  parseRtstate,
  transactionRecordToEvent,
  wallClockToInstant,
  wallClockToInstantText,
  type DoorStateRow,
  type RejectedLine,
  type RtlogEvent,
} from './protocol';

export interface IngestSummary {
  /** Lines parsed as records (stored, or already held). */
  accepted: number;
  /** Rows actually inserted or updated now. */
  stored: number;
  rejected: number;
  /**
   * Set when the device is not admitted and its upload held events: nothing was stored, and the device must be
   * answered so that it keeps them and sends them again once admitted (as an attendance terminal is).
   */
  held?: true;
}


const SENSOR: Record<string, number> = { none: 0, closed: 1, open: 2, unknown: 3 };

/** One event, ready for the insert (names and codes resolved in the request, not in the batch). */
interface EventRow {
  key: string;
  /**
   * Keyed by the panel's index (and time), which restarts after a reset: when its key is held by an event of other
   * content, it is a new event and is stored rekeyed (event-content.ts). Absent: keyed otherwise.
   */
  indexed?: boolean;
  logId: number | null;
  at: string;
  pin: string | null;
  card: string | null;
  doorNo: number | null;
  inOut: number | null;
  event: number;
  eventName: string | null;
  level: number;
  verifyNo: number | null;
  verifyName: string | null;
  temperature: string | null;
  /** rtlog `maskflag` (0/1), else null; hep (2.26). */
  maskFlag: number | null;
  /** Body temperature in °C (`convtemperature` preferred), else null; hep (2.26). */
  convTemperature: number | null;
}

/** The latest reported state of one door. */
interface DoorState {
  door: number;
  sensor: number | null;
  relay: number | null;
  alarm: string | null;
  at: number;
}

/** One upload's share of a group-commit batch. */
export interface RealtimeItem {
  deviceId: string;
  events: EventRow[];
  doors: readonly DoorState[];
}

/** An upload in the group commit: its summary, to which the batch adds the rows it stored, is the upload's answer. */
interface QueuedUpload extends RealtimeItem {
  summary: IngestSummary;
}

/**
 * The events of an auxiliary input, whose rtlog `eventaddr` is the input's number, not a door's (Security PUSH
 * appendix 2: 116/117 line detection of an auxiliary input, 220 disconnected from the auxiliary input point, 221
 * the auxiliary input point short-circuited, 225 the auxiliary input point normal, 226 triggered). They were
 * stored as the door of that number's (doorId, doorName, readerName, and eventPointName the door's name), so a
 * client showed a door alarm at a door nothing happened at. Stored with no door or reader, their eventPointName
 * is the input, named as the gateway names a device's points: `<device alias>-AuxIn-<n>` (doors `<alias>-<n>`).
 */
export const AUX_IN_EVENTS: readonly number[] = [116, 117, 220, 221, 225, 226];
const AUX_IN_EVENT = `e.event_no = ANY('{${AUX_IN_EVENTS.join(',')}}'::int[])`;

/** Where the statement reads an event's device, area, door and reader names from. */
type NameSource = 'params' | 'join';

const EVENT_COLUMNS = intoOf(AccTransaction, ['uniqueKey', 'deviceId', 'deviceSn', 'devAlias', 'logId', 'eventTime', 'pin', 'personId', 'name', 'lastName',
  'deptCode', 'deptName', 'cardNo', 'doorId', 'doorNo', 'doorName', 'readerId', 'readerName', 'readerState', 'eventNo', 'eventName',
  'eventLevel', 'eventPointName', 'verifyModeNo', 'verifyModeName', 'areaName', 'temperature', 'maskFlag', 'convTemperature']);

/**
 * The fields of one event's row in the statement's parameter, in order (the type acc_transaction_ingest_row,
 * migration 1763700008100): its columns, then its device-side names (null with `join`).
 */
const EVENT_ROW_FIELDS = [
  'device_id', 'unique_key', 'log_id', 'event_time', 'pin', 'card_no', 'door_no', 'reader_state', 'event_no', 'event_name', 'event_level',
  'verify_mode_no', 'verify_mode_name', 'temperature', 'mask_flag', 'conv_temperature',
  'device_sn', 'dev_alias', 'area_name', 'door_id', 'door_name', 'reader_id', 'reader_name',
] as const;

/**
 * Parameter numbers of the statement: the events ($1, one array of rows), with `params` names the names'
 * version ($2), then, when the batch holds door states, those ($3-$8, or $2-$7 with `join`).
 */
const VERSION_PARAM = 2;

/** The version test of a `params` statement: the names it was given are the database's now. */
const NAMES_CURRENT = `(SELECT v FROM ${tableOf(EVENT_NAMES_VERSION)} WHERE id = 1) = $${VERSION_PARAM}::bigint`;

/** The `n` of a statement's row that stored nothing because the names it was given are no longer the database's. */
const NAMES_MOVED = -1;
/** The `n` of a `guarded` statement's row that stored nothing because a Push Center target is enabled. */
const TARGET_ENABLED = -2;
/** The `n` of an `outbox` statement's row that says no Push Center target was enabled (the next batch may be `guarded`). */
const NO_TARGET = -3;

/**
 * How a `params` statement publishes its events to the Push Center:
 * - `outbox`: PUBLISH_INSERTED_EVENTS, one outbox row per event and enabled target;
 * - `guarded`: stores (events and door states) only while no target is enabled, without the outbox part; with a
 *   target enabled it stores nothing and answers a row with n = TARGET_ENABLED, and the batch runs `outbox`.
 * Both read push_target in their statement's one snapshot, so an event gets outbox rows exactly when `outbox` alone
 * would have given it some: a target enabled by a transaction the snapshot sees gets every event of the
 * statement, one committed after it none of them, as before. Which one a batch tries first is a hint
 * (PushTargetsSeen); a wrong guess costs a statement that stored nothing, never an event.
 */
type Publish = 'outbox' | 'guarded';

/**
 * One statement per batch, so it is its own transaction (one round trip) and is prepared once per connection:
 * - the events of every upload in one `INSERT … SELECT … ON CONFLICT DO NOTHING`, stored with their person's
 *   and department's names (joined) and their device's, area's, door's and reader's names, and published
 *   (tally, Push Center outbox);
 * - the door states, where an older report never overwrites a newer one (`doors`: a batch of events only, the
 *   commonest there is, runs the statement without that part, which PostgreSQL would otherwise set up and run
 *   on empty arrays for every batch).
 * It answers the keys of the events stored now and the doors updated per device.
 *
 * The device-side names come from the gateway's memory (`params`, with their version: when that is no longer
 * the database's, no event is stored and a row with n = -1 says so; event-names.ts), or from joins (`join`, the
 * fallback when the names keep moving while the gateway reloads them).
 */
function realtimeSql(names: NameSource, doors: boolean, publish: Publish = 'outbox'): string {
  const fromParams = names === 'params';
  const guarded = publish === 'guarded';
  if (guarded && !fromParams) throw new Error('a guarded statement takes its names as parameters');
  const $ = (n: number) => `$${n}`;
  const door = (k: number) => $((fromParams ? VERSION_PARAM : 1) + k);
  // An auxiliary input's event is no door's: its door and reader are none, its point the input (AUX_IN_EVENTS).
  const notAux = (column: string) => `CASE WHEN ${AUX_IN_EVENT} THEN NULL ELSE ${column} END`;
  const point = `CASE WHEN ${AUX_IN_EVENT} THEN ${fromParams ? 'e.dev_alias' : 'dv.alias'} || '-AuxIn-' || e.door_no ELSE ${fromParams ? 'e.door_name' : 'd.name'} END`;
  return `
  WITH ins AS (INSERT INTO ${EVENT_COLUMNS}
  SELECT e.unique_key, ${fromParams ? 'e.device_id, e.device_sn, e.dev_alias' : 'dv.id, dv.sn, dv.alias'}, e.log_id, e.event_time, COALESCE(p.pin, e.pin),
    p.id, ${personOrVisitorName('p', 'e.pin')}, p.last_name, dp.code, dp.name, e.card_no, ${notAux(fromParams ? 'e.door_id' : 'd.id')}, e.door_no,
    ${(fromParams ? ['e.door_name', 'e.reader_id', 'e.reader_name'] : ['d.name', 'r.id', 'r.name']).map(notAux).join(', ')},
    e.reader_state, e.event_no, e.event_name, e.event_level, ${point}, e.verify_mode_no, e.verify_mode_name,
    ${fromParams ? 'e.area_name' : 'a.name'}, e.temperature, e.mask_flag, e.conv_temperature
  FROM unnest(${genericRows('$1::acc_transaction_ingest_row[]')}) WITH ORDINALITY AS e(${EVENT_ROW_FIELDS.join(', ')}, ord)
  ${fromParams ? '' : `JOIN device dv ON dv.id = e.device_id
  LEFT JOIN area a ON a.id = dv.area_id
  LEFT JOIN door d ON d.device_id = dv.id AND d.door_no = e.door_no
  LEFT JOIN reader r ON r.door_id = d.id AND r.in_out = e.reader_state`}
  ${devicePersonJoinSql('p', 'e.pin', 'e.device_id')}
  LEFT JOIN department dp ON dp.id = p.dept_id
  ${fromParams ? `WHERE ${NAMES_CURRENT}${guarded ? ` AND NOT ${PUSH_TARGET_ENABLED}` : ''}` : ''}
  ORDER BY e.ord
  ON CONFLICT (${listOf(AccTransaction, ['uniqueKey'])}) DO NOTHING ${guarded ? UNPUBLISHED_EVENT_RETURNING : INSERTED_EVENT_RETURNING}),
  ${guarded ? TALLY_INSERTED_EVENTS : PUBLISH_INSERTED_EVENTS}${doors ? `,
  upd AS (UPDATE door SET sensor_state = COALESCE(s.sensor, door.sensor_state), relay_state = COALESCE(s.relay, door.relay_state),
     alarm_state = COALESCE(s.alarm, door.alarm_state), door_state_at = s.at, updated_at = now()
   FROM unnest(${genericRows(`${door(1)}::varchar[]`)}, ${door(2)}::int[], ${door(3)}::int[], ${door(4)}::int[], ${door(5)}::varchar[], ${door(6)}::timestamptz[]) AS s(device_id, door_no, sensor, relay, alarm, at)
   WHERE door.device_id = s.device_id AND door.door_no = s.door_no AND (door.door_state_at IS NULL OR door.door_state_at <= s.at)${guarded ? `
     AND NOT ${PUSH_TARGET_ENABLED}` : ''}
   RETURNING door.device_id)` : ''}
  SELECT unique_key, NULL::varchar AS device_id, 0 AS n FROM ins${doors ? `
  UNION ALL
  SELECT NULL, device_id, count(*)::int FROM upd GROUP BY device_id` : ''}${fromParams ? `
  UNION ALL
  SELECT NULL, NULL, ${NAMES_MOVED} WHERE NOT ${NAMES_CURRENT}` : ''}${fromParams ? `
  UNION ALL
  SELECT NULL, NULL, ${guarded ? `${TARGET_ENABLED} WHERE ${PUSH_TARGET_ENABLED}` : `${NO_TARGET} WHERE NOT ${PUSH_TARGET_ENABLED}`}` : ''}`;
}

/** The statement with the device-side names as parameters, while no Push Center target is enabled (the usual one). */
export const REALTIME_SQL = realtimeSql('params', true, 'guarded');
/** The same for a batch without door states (rtlog events only). */
export const REALTIME_EVENTS_SQL = realtimeSql('params', false, 'guarded');
/** REALTIME_SQL writing the Push Center outbox, while some target is enabled. */
export const REALTIME_OUTBOX_SQL = realtimeSql('params', true, 'outbox');
/** REALTIME_EVENTS_SQL writing the Push Center outbox. */
export const REALTIME_EVENTS_OUTBOX_SQL = realtimeSql('params', false, 'outbox');
/** The same with those names joined, for a batch whose names could not be loaded at a stable version. */
export const REALTIME_JOIN_SQL = realtimeSql('join', true);
/** The joined statement for a batch without door states. */
export const REALTIME_JOIN_EVENTS_SQL = realtimeSql('join', false);

/** Uploads with at least this many events skip the queue: they amortise a transaction by themselves. */
const ALONE_EVENTS = 32;

/** Times a batch loads the names and tries again after its statement found them changed, before it joins them instead. */
const NAME_ATTEMPTS = 3;

/** Rows written for one upload. */
export interface RealtimeStored {
  events: number;
  doors: number;
}

type RealtimeRow = { unique_key: string | null; device_id: string | null; n: number };

/**
 * Writes one group-commit batch of real-time uploads; returns the rows stored per upload. Usually one
 * statement; the names of devices not in memory yet are loaded first, and a statement that finds the names
 * changed stored nothing and is repeated with them loaded again (each statement is its own transaction).
 */
export async function flushRealtime(db: BatchClient, items: readonly RealtimeItem[], names: EventNamesCache, targets = SHARED_TARGETS_SEEN): Promise<RealtimeStored[]> {
  const { stored, keys } = await flushKeyed(db, items, names, targets);
  const again = await collidingUploads(db, items, keys);
  if (again.length === 0) return stored;
  const more = await flushKeyed(db, again.map((a) => a.item), names, targets);
  again.forEach((a, i) => (stored[a.of].events += more.stored[i].events));
  return stored;
}

/**
 * The indexed events the statement did not store whose key is held by an event of other content (event-content.ts),
 * rekeyed, grouped per upload for a statement more.
 */
async function collidingUploads(db: BatchClient, items: readonly RealtimeItem[], inserted: ReadonlySet<string>): Promise<Array<{ of: number; item: RealtimeItem }>> {
  const of: number[] = [];
  const rows: EventRow[] = [];
  items.forEach((it, i) => it.events.forEach((e) => (of.push(i), rows.push(e))));
  const again = await collidingRecords(rows, inserted, async (keys) =>
    storedContents(await db.query<StoredContentRow>('cvgw_rtlog_stored_content', STORED_CONTENT_SQL, [textArray(keys)])),
  );
  const out = new Map<number, RealtimeItem>();
  for (const { at, record } of again) {
    let item = out.get(of[at]);
    if (!item) out.set(of[at], (item = { deviceId: items[of[at]].deviceId, events: [], doors: NO_DOORS }));
    item.events.push(record);
  }
  return [...out].map(([i, item]) => ({ of: i, item }));
}

/** One batch under the events' keys as given; the rows stored per upload and the keys inserted. */
async function flushKeyed(db: BatchClient, items: readonly RealtimeItem[], names: EventNamesCache, targets: PushTargetsSeen): Promise<{ stored: RealtimeStored[]; keys: Set<string> }> {
  const deviceIds = [...new Set(items.filter((it) => it.events.length > 0).map((it) => it.deviceId))];
  const doors = latestDoorStatesOf(items);
  for (let attempt = 0; attempt < NAME_ATTEMPTS; attempt++) {
    if (!(await loadNames(db, names, deviceIds))) continue;
    const version = names.version!;
    const params = realtimeParams(items, doors, names, version);
    let rows = await realtimeStatement(db, doors.length > 0, targets.enabled ? 'outbox' : 'guarded', params);
    if (rows.some((r) => r.n === TARGET_ENABLED)) {
      // Nothing stored: a target is enabled. The outbox statement, in a snapshot of its own, gives each event its rows.
      targets.enabled = true;
      rows = await realtimeStatement(db, doors.length > 0, 'outbox', params);
    }
    if (rows.some((r) => r.n === NO_TARGET)) targets.enabled = false;
    if (rows.some((r) => r.n === NAMES_MOVED)) {
      names.invalidate();
      continue;
    }
    return storedAndKeys(items, doors, rows);
  }
  const params = realtimeParams(items, doors, null, null);
  const rows = await (doors.length > 0
    ? db.query<RealtimeRow>('cvgw_realtime_ingest_join', REALTIME_JOIN_SQL, params)
    : db.query<RealtimeRow>('cvgw_realtime_events_join', REALTIME_JOIN_EVENTS_SQL, params));
  return storedAndKeys(items, doors, rows);
}

function storedAndKeys(items: readonly RealtimeItem[], doors: readonly LatestDoorState[], rows: readonly RealtimeRow[]): { stored: RealtimeStored[]; keys: Set<string> } {
  const keys = new Set<string>();
  for (const r of rows) if (r.unique_key !== null) keys.add(r.unique_key);
  return { stored: storedPerItem(items, doors, rows), keys };
}

/**
 * Whether the last batch statement saw a Push Center target enabled: which statement the next batch tries first
 * (Publish). A hint only, so one per process is enough; a test or bench may keep its own.
 */
export class PushTargetsSeen {
  enabled = false;
}
const SHARED_TARGETS_SEEN = new PushTargetsSeen();

function realtimeStatement(db: BatchClient, doors: boolean, publish: Publish, params: string[]): Promise<RealtimeRow[]> {
  if (publish === 'guarded') {
    return doors ? db.query<RealtimeRow>('cvgw_realtime_ingest', REALTIME_SQL, params) : db.query<RealtimeRow>('cvgw_realtime_events', REALTIME_EVENTS_SQL, params);
  }
  return doors
    ? db.query<RealtimeRow>('cvgw_realtime_ingest_outbox', REALTIME_OUTBOX_SQL, params)
    : db.query<RealtimeRow>('cvgw_realtime_events_outbox', REALTIME_EVENTS_OUTBOX_SQL, params);
}

/** Loads the names of the devices not in memory at the cache's version; false when the version moved meanwhile. */
async function loadNames(db: BatchClient, names: EventNamesCache, deviceIds: readonly string[]): Promise<boolean> {
  const missing = names.version === null ? [...deviceIds] : names.missing(deviceIds);
  if (missing.length === 0) return true;
  const before = names.version;
  names.accept(missing, foldEventNames(await db.query<EventNamesRow>('cvgw_event_names', LOAD_EVENT_NAMES_SQL, [textArray(missing)])));
  // A new version dropped what was loaded before it: the other devices of the batch are to be read again.
  return before === null || names.version === before || names.missing(deviceIds).length === 0;
}

/**
 * The statement's parameters (realtimeSql's numbering): the events as one array of rows (EVENT_ROW_FIELDS,
 * pg-array.ts). With `names`, each row carries its event's device-side names, and the names' version follows;
 * an event of a device that does not exist is left out, as the join would leave it out. The door states'
 * arrays only when there are some.
 */
function realtimeParams(items: readonly RealtimeItem[], doors: readonly LatestDoorState[], names: EventNamesCache | null, version: string | null): string[] {
  const rows: RecordField[][] = [];
  for (const it of items) {
    const dev = names?.get(it.deviceId);
    if (names && !dev) continue;
    for (const e of it.events) {
      const door = dev && e.doorNo !== null ? dev.doors.get(e.doorNo) : undefined;
      const reader = door && e.inOut !== null ? door.readers.get(e.inOut) : undefined;
      rows.push([
        it.deviceId, e.key, e.logId, e.at, e.pin, e.card, e.doorNo, e.inOut, e.event, e.eventName, e.level, e.verifyNo, e.verifyName,
        e.temperature, e.maskFlag, e.convTemperature,
        dev?.sn, dev?.alias, dev?.areaName, door?.id, door?.name, reader?.id, reader?.name,
      ]);
    }
  }
  const params = [recordArray(rows)];
  if (names) params.push(version!);
  if (doors.length > 0) {
    params.push(textArray(doors.map((d) => d.deviceId)), numberArray(doors.map((d) => d.s.door)), numberArray(doors.map((d) => d.s.sensor)),
      numberArray(doors.map((d) => d.s.relay)), textArray(doors.map((d) => d.s.alarm)), textArray(doors.map((d) => new Date(d.s.at).toISOString())));
  }
  return params;
}

/** A door's latest state in a batch: which upload reported it, for which device. */
interface LatestDoorState {
  item: number;
  deviceId: string;
  s: DoorState;
}

/** Door states: the latest per (device, door) across the whole batch, as one upload after another would leave it. */
function latestDoorStatesOf(items: readonly RealtimeItem[]): LatestDoorState[] {
  const latest = new Map<string, LatestDoorState>();
  items.forEach((it, i) => {
    for (const s of it.doors) {
      const key = `${it.deviceId}\n${s.door}`;
      const prev = latest.get(key);
      if (!prev || prev.s.at <= s.at) latest.set(key, { item: i, deviceId: it.deviceId, s });
    }
  });
  return [...latest.values()];
}

/** The statement's answer as rows per upload: an event to the first upload holding its key, door updates to each device's last upload with a door state. */
function storedPerItem(items: readonly RealtimeItem[], doors: readonly LatestDoorState[], rows: readonly RealtimeRow[]): RealtimeStored[] {
  const stored = items.map(() => ({ events: 0, doors: 0 }));
  const owner = new Map<string, number>();
  items.forEach((it, i) => {
    for (const e of it.events) if (!owner.has(e.key)) owner.set(e.key, i);
  });
  const lastItemOf = new Map<string, number>();
  for (const d of doors) lastItemOf.set(d.deviceId, Math.max(lastItemOf.get(d.deviceId) ?? -1, d.item));
  for (const r of rows) {
    if (r.unique_key !== null) stored[owner.get(r.unique_key)!].events++;
    else if (r.device_id !== null) stored[lastItemOf.get(r.device_id)!].doors += r.n;
  }
  return stored;
}

/**
 * Real-time uploads (rtlog events and door states under rtlog or rtstate). Each request parses its own
 * body and resolves names and codes; the rows then go through one group commit (GroupCommit) shared by
 * every device, and the request is answered once the batch holding its rows has committed.
 */
@Injectable()
export class RtlogIngestService {
  private readonly logger = new Logger('RtlogIngest');
  private readonly batcher: GroupCommit<QueuedUpload, IngestSummary>;
  /** Device, area, door and reader names of the events, as of one version of them (event-names.ts). */
  private readonly names = new EventNamesCache();

  constructor(
    groupCommit: GroupCommitService,
    private readonly metrics: GatewayMetrics,
    private readonly modules: ModuleIngestService,
    private readonly ds: DataSource,
    private readonly attendance: AttendanceIngestService,
    private readonly clock: DeviceClockService,
    private readonly resets: FactoryResetService,
  ) {
    this.batcher = groupCommit.create({
      name: 'rtlog',
      flush: (db, items) => this.flush(db, items),
      autocommit: true,
      maxItems: 400,
      // Two transactions in flight, not four, and the second only once 8 uploads wait: a handful of uploads
      // beside a running batch would take a transaction of their own, while waiting for it lets the batches
      // grow (about 19 uploads instead of 12-14 at 50 connections), which costs the database and the pg
      // client less per event (bench/realtime.bench.ts, alternating runs: backends 54-62 instead of 67-72
      // µs/event, gateway 75-84 instead of 83-86). A real backlog still gets both transactions.
      maxInFlight: 2,
      overlapAt: 8,
      // A catch-up upload (firmware sends up to a few hundred events at once after being offline) is a batch by itself.
      alone: (item) => item.events.length >= ALONE_EVENTS,
    });
  }

  /**
   * One batch: each upload's summary gets the rows stored for it, so the group commit's promise is the upload's
   * answer (no promise more per upload to turn one into the other), and the metric is counted once per batch. The
   * statement is its own transaction (autocommit): once it has answered, its rows are committed.
   */
  private async flush(db: BatchClient, items: readonly QueuedUpload[]): Promise<IngestSummary[]> {
    const stored = await flushRealtime(db, items, this.names);
    let events = 0;
    const summaries: IngestSummary[] = [];
    for (let i = 0; i < items.length; i++) {
      events += stored[i].events;
      const summary = items[i].summary;
      summary.stored += stored[i].events + stored[i].doors;
      summaries.push(summary);
    }
    if (events > 0) this.metrics.eventsIngested.inc(events);
    return summaries;
  }

  /** An rtlog upload's rows; resolves once they are committed. Not an async function: the upload's one promise is the group commit's. */
  ingestRtlog(device: DeviceSession, body: string): Promise<IngestSummary> {
    try {
      return this.rtlogOf(device, body);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private rtlogOf(device: DeviceSession, body: string): Promise<IngestSummary> {
    const parsed = parseRtlog(body, { doorCount: device.lockCount || null });
    logRejected(this.logger, device.sn, 'rtlog', parsed.rejected, { metrics: this.metrics, kind: 'rtlog' });
    const events: RtlogEvent[] = [];
    const states: DoorStateRow[] = [];
    for (const r of parsed.results) {
      if (r.kind === 'event') {
        if (int32(r.event) === null) {
          parsed.rejected.push({ line: Object.entries(r.fields).map(([k, v]) => `${k}=${v}`).join('\t'), lineNo: r.lineNo, reason: 'event code out of range' });
          this.metrics.deviceLinesRejected.inc({ kind: 'rtlog' });
          this.logger.warn(`device ${device.sn}: rtlog line ${r.lineNo} rejected (event code out of range)`);
          continue;
        }
        events.push(r);
      } else states.push(r);
    }
    // A panel whose clock is far off is set again (device-clock.service.ts); rare, so only then a promise more.
    const skewed = states.length > 0 ? this.clock.observe(device, states.map((r) => r.wallClock)) : null;
    if (skewed) {
      return skewed
        .catch((err) => this.logger.warn(`device ${device.sn}: setting its clock failed: ${(err as Error)?.message ?? err}`))
        .then(() => this.storeRtlog(device, events, states, parsed.rejected));
    }
    return this.storeRtlog(device, events, states, parsed.rejected);
  }

  private storeRtlog(device: DeviceSession, events: RtlogEvent[], states: DoorStateRow[], rejected: RejectedLine[]): Promise<IngestSummary> {
    // An attendance terminal's verifications are punches (attTransaction), not access events: they go to the
    // attendance ingest, once; what else it reports (refusals, alarms, door states) stays an event here.
    if (speaksAttendance(device)) {
      const punches = events.filter((e) => realtimePunch(e) !== null);
      if (punches.length > 0) return this.ingestParsed(device, 'rtlog', events.filter((e) => !punches.includes(e)), states, rejected, punches);
    }
    return this.ingestParsed(device, 'rtlog', events, states, rejected);
  }

  /**
   * `transaction` records (9.1.4: the answer to `DATA QUERY tablename=transaction`, or a tabledata upload of that
   * table): the access records the panel holds, stored as the events they are (the same event as their rtlog twin,
   * keyed by SN, index and time, so a record received both ways is one transaction). Elevator and channel
   * controllers' records go to their module, as their rtlog does. Records that cannot be read are kept raw.
   */
  async ingestTransactions(device: DeviceSession, records: ReadonlyArray<Record<string, string>>): Promise<IngestSummary> {
    const events: RtlogEvent[] = [];
    const rejected: RejectedLine[] = [];
    records.forEach((fields, i) => {
      const r = transactionRecordToEvent(fields, i + 1);
      const line = () => Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\t');
      if (typeof r === 'string') rejected.push({ line: line(), lineNo: i + 1, reason: r });
      else if (int32(r.event) === null) rejected.push({ line: line(), lineNo: i + 1, reason: 'event code out of range' });
      else events.push(r);
    });
    // The records, readable or not, are kept as uploaded (device_upload); an unreadable one is only not an event.
    logRejected(this.logger, device.sn, 'transaction', rejected, { metrics: this.metrics, kind: 'table' });
    // A factory reset found in the table owes its full sync before the event is stored, as one in rtlog does.
    await this.resets.observeEvents(device, events);
    const summary = await this.ingestParsed(device, 'transaction', events, [], []);
    return { ...summary, rejected: rejected.length };
  }

  /**
   * `punches`: an attendance terminal's events that are punches (AttendanceIngestService.ingestRealtimePunches).
   * The commonest upload (an admitted panel's events, every line read) goes straight to the group commit, with
   * no promise of its own; anything else takes storeParsed's steps.
   */
  private ingestParsed(
    device: DeviceSession,
    table: string,
    events: RtlogEvent[],
    states: DoorStateRow[],
    rejected: RejectedLine[],
    punches: readonly RtlogEvent[] = [],
  ): Promise<IngestSummary> {
    if (device.admission !== 'admitted' || rejected.length > 0 || punches.length > 0 || device.kind === 'ele' || device.kind === 'psg') {
      return this.storeParsed(device, table, events, states, rejected, punches);
    }
    return this.batch(device, events, latestDoorStates(device, states), { accepted: events.length + states.length, stored: 0, rejected: 0 });
  }

  /** Events and door states through the group commit; what was stored is added to `summary` once committed. */
  private batch(device: DeviceSession, events: readonly RtlogEvent[], doors: readonly DoorState[], summary: IngestSummary): Promise<IngestSummary> {
    if (events.length + doors.length === 0) return Promise.resolve(summary);
    const rows: EventRow[] = [];
    for (const e of events) rows.push(eventRow(device, e));
    return this.batcher.submit({ deviceId: device.id, events: rows, doors, summary });
  }

  private async storeParsed(
    device: DeviceSession,
    table: string,
    events: RtlogEvent[],
    states: DoorStateRow[],
    rejected: RejectedLine[],
    punches: readonly RtlogEvent[] = [],
  ): Promise<IngestSummary> {
    const parsed = { rejected };
    const records = events.length + punches.length;
    const summary: IngestSummary = { accepted: records + states.length, stored: 0, rejected: parsed.rejected.length };
    if (device.admission !== 'admitted') {
      if (records + states.length > 0) {
        this.logger.warn(`device ${device.sn} is ${device.admission}: ${records} ${table} events and ${states.length} door states not stored${records > 0 ? ' (not acknowledged: it will send them again once admitted)' : ''}`);
      }
      // Door states are a snapshot the next report replaces; events are records, so they stay on the panel.
      if (records > 0) summary.held = true;
      return summary;
    }
    // Refused lines (a bad time, garbage) are kept raw, as refused ATTLOG lines are: acknowledging them loses nothing.
    if (parsed.rejected.length > 0) await storeRejected(this.ds, device.sn, table, parsed.rejected);
    if (punches.length > 0) summary.stored += await this.attendance.ingestRealtimePunches(device, punches);
    if (events.length + states.length === 0) return summary;
    // Elevator and channel controllers' events are theirs (eleTransaction, psgTransaction), not access events:
    // they go to module_transaction in their own statement (idempotent on unique_key, committed before the
    // answer); their door states, like everyone's, through the group commit.
    const module = device.kind === 'ele' || device.kind === 'psg' ? device.kind : null;
    if (module && events.length > 0) summary.stored += await this.modules.storeEvents(device, module, events);
    return this.batch(device, module ? [] : events, latestDoorStates(device, states), summary);
  }

  /**
   * One access event under a key of the caller's (a remote identification's decision: keyed by its request, since
   * it has no panel index), through the same group commit as rtlog, with names resolved the same way. True when
   * stored now, false when that key was stored already (the panel sent the request again).
   */
  async storeKeyedEvent(device: DeviceSession, e: RtlogEvent, key: string): Promise<boolean> {
    const row = { ...eventRow(device, e), key: clip(key, 200)!, indexed: false };
    const summary = await this.batcher.submit({ deviceId: device.id, events: [row], doors: NO_DOORS, summary: { accepted: 1, stored: 0, rejected: 0 } });
    return summary.stored > 0;
  }

  async ingestRtstate(device: DeviceSession, body: string): Promise<IngestSummary> {
    const parsed = parseRtstate(body, { doorCount: device.lockCount || null });
    logRejected(this.logger, device.sn, 'rtstate', parsed.rejected, { metrics: this.metrics, kind: 'rtstate' });
    const summary: IngestSummary = { accepted: parsed.results.length, stored: 0, rejected: parsed.rejected.length };
    if (device.admission !== 'admitted') return summary;
    if (parsed.rejected.length > 0) await storeRejected(this.ds, device.sn, 'rtstate', parsed.rejected);
    if (parsed.results.length === 0) return summary;
    const skewed = this.clock.observe(device, parsed.results.map((r) => r.wallClock));
    if (skewed) await skewed.catch((err) => this.logger.warn(`device ${device.sn}: setting its clock failed: ${(err as Error)?.message ?? err}`));
    const doors = latestDoorStates(device, parsed.results);
    if (doors.length > 0) await this.batcher.submit({ deviceId: device.id, events: [], doors, summary });
    return summary;
  }
}

function eventRow(device: DeviceSession, e: RtlogEvent): EventRow {
  return {
    key: clip(rtlogEventKey(device.sn, e), 200)!,
    indexed: e.index !== null,
    logId: int32(e.index),
    at: wallClockToInstantText(e.wallClock, device.timeZone),
    ...eventContent(e),
    eventName: clip(cvsEventName(e.event), 200),
    level: eventLevel(e.event),
    verifyNo: int32(e.verifyType),
    verifyName: clip(eventVerifyName(e), 100),
    temperature: e.temperature !== null && e.temperature !== 0 ? clip(rawTemperature(e) ?? String(e.temperature), 16) : null,
    maskFlag: maskFlagOf(e),
    convTemperature: bodyTemperatureCelsius(e),
  };
}

/** The temperature as the device wrote it (`36.50`, not 36.5). */
function rawTemperature(e: RtlogEvent): string | undefined {
  return (e.fields['temperature'] ?? e.fields['Temperature'])?.trim();
}

const NO_DOORS: readonly DoorState[] = Object.freeze([]);

/** The latest state per door of one upload; an older report in the same upload never wins. */
function latestDoorStates(device: DeviceSession, rows: DoorStateRow[]): readonly DoorState[] {
  if (rows.length === 0) return NO_DOORS; // an rtlog upload of events only: the commonest upload there is
  const latest = new Map<number, DoorState>();
  for (const row of rows) {
    const at = wallClockToInstant(row.wallClock, device.timeZone).getTime();
    for (const d of row.doors) {
      const prev = latest.get(d.door);
      if (prev && prev.at > at) continue;
      latest.set(d.door, {
        door: d.door,
        sensor: d.sensor === null ? null : SENSOR[d.sensor],
        relay: d.relay,
        alarm: d.alarmByte === null ? null : d.alarmByte.toString(16).toUpperCase().padStart(2, '0'),
        at,
      });
    }
  }
  return [...latest.values()];
}

