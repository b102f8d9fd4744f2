import { Injectable, Logger } from '@nestjs/common';
import type { BatchClient, GroupCommit } from '../database/group-commit';
import { GroupCommitService } from '../database/group-commit.service';
import { intoOf, listOf } from '../database/columns';
import { AccTransaction } from '../transaction/acc-transaction.entity';
import { PUBLISH_INSERTED_EVENTS } from '../transaction/acc-transaction-publish';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import type { DeviceSession } from './device-registry.service';
import { clip } from './device-registry.service';
import { logRejected } from './ingest-log';
import { ModuleIngestService } from './module-ingest.service';
import {
  bodyTemperatureCelsius,
  eventInfo,
  formatWallClock,
  maskFlagOf,
  parseRtlog,
  parseRtstate,
  verifyModeName,
  verifyTypeBits,
  wallClockToInstant,
  type DoorStateRow,
  type RtlogEvent,
} from './protocol';

export interface IngestSummary {
  /** Lines parsed as records (stored, or already held). */
  accepted: number;
  /** Rows actually inserted or updated now. */
  stored: number;
  rejected: number;
}

const int32 = (n: number | null | undefined): number | null => (n === null || n === undefined || !Number.isInteger(n) || n < -2147483648 || n > 2147483647 ? null : n);

/** 0 normal, 1 warning (the manual's error/abnormal class), 2 alarm. Unlisted codes by their range. */
export function eventLevel(code: number): number {
  const info = eventInfo(code);
  if (info?.level === 'alarm') return 2;
  if (info?.level === 'error') return 1;
  if (info?.level === 'normal') return 0;
  if (code >= 6000 && code < 7000) return 2;
  if (code >= 5000 && code < 6000) return 1;
  return 0;
}

/** `0000100000000000` → `Card`: the factor names of a new-style verification bit string (bit 0 = rightmost). */
export function verifyBitsName(bits: string): string {
  const names: string[] = [];
  for (let bit = 1; bit < bits.length; bit++) {
    if (bits[bits.length - 1 - bit] !== '1') continue;
    names.push(verifyTypeBits.find((b) => b.bit === bit)?.meaning ?? `bit ${bit}`);
  }
  return names.join('+') || bits;
}

const SENSOR: Record<string, number> = { none: 0, closed: 1, open: 2, unknown: 3 };

/** One event, ready for the insert (names and codes resolved in the request, not in the batch). */
interface EventRow {
  key: string;
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

/**
 * One statement per batch, so it is its own transaction (one round trip) and is prepared once per connection:
 * - the events of every upload in one `INSERT … SELECT … ON CONFLICT DO NOTHING`, joined at insert time
 *   with the device, area, door, reader and person names, and published (feed, tally, Push Center outbox);
 * - the door states, where an older report never overwrites a newer one.
 * It answers the keys of the events stored now and the doors updated per device.
 */
export const REALTIME_SQL = `
  WITH ins AS (INSERT INTO ${intoOf(AccTransaction, ['uniqueKey', 'deviceId', 'deviceSn', 'devAlias', 'logId', 'eventTime', 'pin', 'personId', 'name', 'lastName',
    'deptCode', 'deptName', 'cardNo', 'doorId', 'doorNo', 'doorName', 'readerId', 'readerName', 'readerState', 'eventNo', 'eventName',
    'eventLevel', 'eventPointName', 'verifyModeNo', 'verifyModeName', 'areaName', 'temperature', 'maskFlag', 'convTemperature'])}
  SELECT e.unique_key, dv.id, dv.sn, dv.alias, e.log_id, e.event_time, e.pin, p.id, p.name, p.last_name, dp.code, dp.name,
    e.card_no, d.id, e.door_no, d.name, r.id, r.name, e.reader_state, e.event_no, e.event_name,
    e.event_level, d.name, e.verify_mode_no, e.verify_mode_name, a.name, e.temperature, e.mask_flag, e.conv_temperature
  FROM unnest($1::varchar[], $2::varchar[], $3::int[], $4::timestamptz[], $5::varchar[], $6::varchar[], $7::int[], $8::int[], $9::int[],
              $10::varchar[], $11::int[], $12::int[], $13::varchar[], $14::varchar[], $21::smallint[], $22::numeric[]) WITH ORDINALITY
       AS e(device_id, unique_key, log_id, event_time, pin, card_no, door_no, reader_state, event_no, event_name, event_level,
            verify_mode_no, verify_mode_name, temperature, mask_flag, conv_temperature, ord)
  JOIN device dv ON dv.id = e.device_id
  LEFT JOIN area a ON a.id = dv.area_id
  LEFT JOIN door d ON d.device_id = dv.id AND d.door_no = e.door_no
  LEFT JOIN reader r ON r.door_id = d.id AND r.in_out = e.reader_state
  LEFT JOIN person p ON p.pin = e.pin
  LEFT JOIN department dp ON dp.id = p.dept_id
  ORDER BY e.ord
  ON CONFLICT (${listOf(AccTransaction, ['uniqueKey'])}) DO NOTHING RETURNING *),
  ${PUBLISH_INSERTED_EVENTS},
  upd AS (UPDATE door SET sensor_state = COALESCE(s.sensor, door.sensor_state), relay_state = COALESCE(s.relay, door.relay_state),
     alarm_state = COALESCE(s.alarm, door.alarm_state), door_state_at = s.at, updated_at = now()
   FROM unnest($15::varchar[], $16::int[], $17::int[], $18::int[], $19::varchar[], $20::timestamptz[]) AS s(device_id, door_no, sensor, relay, alarm, at)
   WHERE door.device_id = s.device_id AND door.door_no = s.door_no AND (door.door_state_at IS NULL OR door.door_state_at <= s.at)
   RETURNING door.device_id)
  SELECT unique_key, NULL::varchar AS device_id, 0 AS n FROM ins
  UNION ALL
  SELECT NULL, device_id, count(*)::int FROM upd GROUP BY device_id`;

/** Uploads with at least this many events skip the queue: they amortise a transaction by themselves. */
const ALONE_EVENTS = 32;

/** Rows written for one upload. */
export interface RealtimeStored {
  events: number;
  doors: number;
}

/** Writes one group-commit batch of real-time uploads (one statement); returns the rows stored per upload. */
async function flushRealtime(db: BatchClient, items: readonly RealtimeItem[]): Promise<RealtimeStored[]> {
  const stored = items.map(() => ({ events: 0, doors: 0 }));
  const eventCount = items.reduce((n, it) => n + it.events.length, 0);
  const params: unknown[][] = Array.from({ length: 22 }, (_, i) => (i < 14 || i >= 20 ? new Array(eventCount) : []));
  const owner = new Map<string, number>();
  let k = 0;
  items.forEach((it, i) => {
    for (const e of it.events) {
      params[0][k] = it.deviceId;
      params[1][k] = e.key;
      params[2][k] = e.logId;
      params[3][k] = e.at;
      params[4][k] = e.pin;
      params[5][k] = e.card;
      params[6][k] = e.doorNo;
      params[7][k] = e.inOut;
      params[8][k] = e.event;
      params[9][k] = e.eventName;
      params[10][k] = e.level;
      params[11][k] = e.verifyNo;
      params[12][k] = e.verifyName;
      params[13][k] = e.temperature;
      params[20][k] = e.maskFlag;
      params[21][k] = e.convTemperature;
      k++;
      if (!owner.has(e.key)) owner.set(e.key, i);
    }
  });
  // Door states: the latest per (device, door) across the whole batch, as one upload after another would leave it.
  const latest = new Map<string, { item: number; deviceId: string; s: DoorState }>();
  items.forEach((it, i) => {
    for (const s of it.doors) {
      const key = `${it.deviceId}\n${s.door}`;
      const prev = latest.get(key);
      if (!prev || prev.s.at <= s.at) latest.set(key, { item: i, deviceId: it.deviceId, s });
    }
  });
  const lastItemOf = new Map<string, number>();
  for (const d of latest.values()) {
    params[14].push(d.deviceId);
    params[15].push(d.s.door);
    params[16].push(d.s.sensor);
    params[17].push(d.s.relay);
    params[18].push(d.s.alarm);
    params[19].push(new Date(d.s.at).toISOString());
    // Door updates are counted against the last upload of each device that reported one.
    lastItemOf.set(d.deviceId, Math.max(lastItemOf.get(d.deviceId) ?? -1, d.item));
  }
  const rows = await db.query<{ unique_key: string | null; device_id: string | null; n: number }>('cvgw_realtime_ingest', REALTIME_SQL, params);
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
  private readonly batcher: GroupCommit<RealtimeItem, RealtimeStored>;

  constructor(
    groupCommit: GroupCommitService,
    private readonly metrics: GatewayMetrics,
    private readonly modules: ModuleIngestService,
  ) {
    this.batcher = groupCommit.create({
      name: 'rtlog',
      flush: flushRealtime,
      oneStatement: true,
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

  async ingestRtlog(device: DeviceSession, body: string): Promise<IngestSummary> {
    const parsed = parseRtlog(body, { doorCount: device.lockCount || null });
    logRejected(this.logger, device.sn, 'rtlog', parsed.rejected, { metrics: this.metrics, kind: 'rtlog' });
    const events: RtlogEvent[] = [];
    const states: DoorStateRow[] = [];
    for (const r of parsed.results) {
      if (r.kind === 'event') {
        if (int32(r.event) === null) {
          parsed.rejected.push({ line: '', lineNo: r.lineNo, reason: 'event code out of range' });
          this.metrics.deviceLinesRejected.inc({ kind: 'rtlog' });
          this.logger.warn(`device ${device.sn}: rtlog line ${r.lineNo} rejected (event code out of range)`);
          continue;
        }
        events.push(r);
      } else states.push(r);
    }
    const summary: IngestSummary = { accepted: events.length + states.length, stored: 0, rejected: parsed.rejected.length };
    if (device.admission !== 'admitted') {
      if (events.length + states.length > 0) {
        this.logger.warn(`device ${device.sn} is ${device.admission}: ${events.length} rtlog events and ${states.length} door states not stored`);
      }
      return summary;
    }
    if (events.length + states.length === 0) return summary;
    // Elevator and channel controllers' events are theirs (eleTransaction, psgTransaction), not access events:
    // they go to module_transaction in their own statement (idempotent on unique_key, committed before the
    // answer); their door states, like everyone's, through the group commit.
    const module = device.kind === 'ele' || device.kind === 'psg' ? device.kind : null;
    if (module && events.length > 0) summary.stored += await this.modules.storeEvents(device, module, events);
    const batched = module ? [] : events;
    const doors = latestDoorStates(device, states);
    if (batched.length + doors.length === 0) return summary;
    const stored = await this.batcher.submit({ deviceId: device.id, events: batched.map((e) => eventRow(device, e)), doors });
    if (stored.events > 0) this.metrics.eventsIngested.inc(stored.events);
    summary.stored += stored.events + stored.doors;
    return summary;
  }

  async ingestRtstate(device: DeviceSession, body: string): Promise<IngestSummary> {
    const parsed = parseRtstate(body, { doorCount: device.lockCount || null });
    logRejected(this.logger, device.sn, 'rtstate', parsed.rejected, { metrics: this.metrics, kind: 'rtstate' });
    const summary: IngestSummary = { accepted: parsed.results.length, stored: 0, rejected: parsed.rejected.length };
    if (device.admission !== 'admitted' || parsed.results.length === 0) return summary;
    const doors = latestDoorStates(device, parsed.results);
    if (doors.length > 0) summary.stored = (await this.batcher.submit({ deviceId: device.id, events: [], doors })).doors;
    return summary;
  }
}

function eventRow(device: DeviceSession, e: RtlogEvent): EventRow {
  const time = formatWallClock(e.wallClock);
  const key = e.index !== null ? `${device.sn}_${e.index}_${time}` : `${device.sn}_${time}_${e.pin ?? ''}_${e.event}_${e.eventAddr ?? ''}`;
  const t = e.fields['temperature'] ?? e.fields['Temperature'];
  return {
    key: clip(key, 200)!,
    logId: int32(e.index),
    at: wallClockToInstant(e.wallClock, device.timeZone).toISOString(),
    pin: clip(e.personPin, 64),
    card: clip(e.cardNo, 64),
    doorNo: int32(e.eventAddr),
    inOut: int32(e.inOutStatus),
    event: e.event,
    eventName: clip(eventInfo(e.event)?.name ?? null, 200),
    level: eventLevel(e.event),
    verifyNo: int32(e.verifyType),
    verifyName: clip(e.verifyBits ? verifyBitsName(e.verifyBits) : e.verifyType !== null ? verifyModeName(e.verifyType) : null, 100),
    temperature: e.temperature !== null && e.temperature !== 0 ? clip(t?.trim() ?? String(e.temperature), 16) : null,
    maskFlag: maskFlagOf(e),
    convTemperature: bodyTemperatureCelsius(e),
  };
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

/** The `SELECT count(*)::int AS n FROM <data-modifying CTE>` answer. */
export function rowCount(result: unknown): number {
  const n = Array.isArray(result) ? (result[0] as { n?: unknown } | undefined)?.n : undefined;
  return typeof n === 'number' ? n : 0;
}
