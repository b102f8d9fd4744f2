import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import type { DeviceSession } from './device-registry.service';
import { clip } from './device-registry.service';
import { logRejected } from './ingest-log';
import { ModuleIngestService } from './module-ingest.service';
import {
  eventInfo,
  formatWallClock,
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

/**
 * Real-time uploads. rtlog events become acc_transaction rows in one `INSERT … SELECT … ON CONFLICT DO
 * NOTHING` per upload, joined at insert time with the device, area, door, reader and person names; door-state
 * rows (under rtlog or rtstate) update the doors.
 */
@Injectable()
export class RtlogIngestService {
  private readonly logger = new Logger('RtlogIngest');
  private personTable: { exists: boolean; checkedAt: number } | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly metrics: GatewayMetrics,
    private readonly modules: ModuleIngestService,
  ) {}

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
    // Elevator and channel controllers' events are theirs (eleTransaction, psgTransaction), not access events.
    const module = device.kind === 'ele' || device.kind === 'psg' ? device.kind : null;
    if (events.length > 0) summary.stored += module ? await this.modules.storeEvents(device, module, events) : await this.storeEvents(device, events);
    if (states.length > 0) summary.stored += await this.storeDoorStates(device, states);
    return summary;
  }

  async ingestRtstate(device: DeviceSession, body: string): Promise<IngestSummary> {
    const parsed = parseRtstate(body, { doorCount: device.lockCount || null });
    logRejected(this.logger, device.sn, 'rtstate', parsed.rejected, { metrics: this.metrics, kind: 'rtstate' });
    const summary: IngestSummary = { accepted: parsed.results.length, stored: 0, rejected: parsed.rejected.length };
    if (device.admission !== 'admitted') return summary;
    if (parsed.results.length > 0) summary.stored = await this.storeDoorStates(device, parsed.results);
    return summary;
  }

  private async hasPersonTable(): Promise<boolean> {
    const now = Date.now();
    if (this.personTable && (this.personTable.exists || now - this.personTable.checkedAt < 30_000)) return this.personTable.exists;
    const [{ ok }] = await this.ds.query(`SELECT to_regclass('public.person') IS NOT NULL AND to_regclass('public.department') IS NOT NULL AS ok`);
    this.personTable = { exists: !!ok, checkedAt: now };
    return !!ok;
  }

  private async storeEvents(device: DeviceSession, events: RtlogEvent[]): Promise<number> {
    const cols = {
      key: [] as string[],
      logId: [] as Array<number | null>,
      at: [] as string[],
      pin: [] as Array<string | null>,
      card: [] as Array<string | null>,
      doorNo: [] as Array<number | null>,
      inOut: [] as Array<number | null>,
      event: [] as number[],
      eventName: [] as Array<string | null>,
      level: [] as number[],
      verifyNo: [] as Array<number | null>,
      verifyName: [] as Array<string | null>,
      temperature: [] as Array<string | null>,
    };
    for (const e of events) {
      const time = formatWallClock(e.wallClock);
      const key = e.index !== null ? `${device.sn}_${e.index}_${time}` : `${device.sn}_${time}_${e.pin ?? ''}_${e.event}_${e.eventAddr ?? ''}`;
      cols.key.push(clip(key, 200)!);
      cols.logId.push(int32(e.index));
      cols.at.push(wallClockToInstant(e.wallClock, device.timeZone).toISOString());
      cols.pin.push(clip(e.personPin, 64));
      cols.card.push(clip(e.cardNo, 64));
      cols.doorNo.push(int32(e.eventAddr));
      cols.inOut.push(int32(e.inOutStatus));
      cols.event.push(e.event);
      cols.eventName.push(clip(eventInfo(e.event)?.name ?? null, 200));
      cols.level.push(eventLevel(e.event));
      cols.verifyNo.push(int32(e.verifyType));
      cols.verifyName.push(clip(e.verifyBits ? verifyBitsName(e.verifyBits) : e.verifyType !== null ? verifyModeName(e.verifyType) : null, 100));
      const t = e.fields['temperature'] ?? e.fields['Temperature'];
      cols.temperature.push(e.temperature !== null && e.temperature !== 0 ? clip(t?.trim() ?? String(e.temperature), 16) : null);
    }
    const person = await this.hasPersonTable();
    const sql = `
      WITH ins AS (INSERT INTO acc_transaction (unique_key, device_id, device_sn, dev_alias, log_id, event_time, pin, person_id, name, last_name,
        dept_code, dept_name, card_no, door_id, door_no, door_name, reader_id, reader_name, reader_state, event_no, event_name,
        event_level, event_point_name, verify_mode_no, verify_mode_name, area_name, temperature)
      SELECT e.unique_key, dv.id, dv.sn, dv.alias, e.log_id, e.event_time, e.pin, ${person ? 'p.id, p.name, p.last_name, dp.code, dp.name' : 'NULL, NULL, NULL, NULL, NULL'},
        e.card_no, d.id, e.door_no, d.name, r.id, r.name, e.reader_state, e.event_no, e.event_name,
        e.event_level, d.name, e.verify_mode_no, e.verify_mode_name, a.name, e.temperature
      FROM unnest($2::varchar[], $3::int[], $4::timestamptz[], $5::varchar[], $6::varchar[], $7::int[], $8::int[], $9::int[],
                  $10::varchar[], $11::int[], $12::int[], $13::varchar[], $14::varchar[]) WITH ORDINALITY
           AS e(unique_key, log_id, event_time, pin, card_no, door_no, reader_state, event_no, event_name, event_level,
                verify_mode_no, verify_mode_name, temperature, ord)
      JOIN device dv ON dv.id = $1
      LEFT JOIN area a ON a.id = dv.area_id
      LEFT JOIN door d ON d.device_id = dv.id AND d.door_no = e.door_no
      LEFT JOIN reader r ON r.door_id = d.id AND r.in_out = e.reader_state
      ${person ? 'LEFT JOIN person p ON p.pin = e.pin LEFT JOIN department dp ON dp.id = p.dept_id' : ''}
      ORDER BY e.ord
      ON CONFLICT (unique_key) DO NOTHING RETURNING 1)
      SELECT count(*)::int AS n FROM ins`;
    const result = await this.ds.query(sql, [
      device.id,
      cols.key,
      cols.logId,
      cols.at,
      cols.pin,
      cols.card,
      cols.doorNo,
      cols.inOut,
      cols.event,
      cols.eventName,
      cols.level,
      cols.verifyNo,
      cols.verifyName,
      cols.temperature,
    ]);
    const stored = rowCount(result);
    if (stored > 0) this.metrics.eventsIngested.inc(stored);
    return stored;
  }

  /** The latest state per door wins; an older report never overwrites a newer one. */
  private async storeDoorStates(device: DeviceSession, rows: DoorStateRow[]): Promise<number> {
    const latest = new Map<number, { sensor: number | null; relay: number | null; alarm: string | null; at: number }>();
    for (const row of rows) {
      const at = wallClockToInstant(row.wallClock, device.timeZone).getTime();
      for (const d of row.doors) {
        const prev = latest.get(d.door);
        if (prev && prev.at > at) continue;
        latest.set(d.door, {
          sensor: d.sensor === null ? null : SENSOR[d.sensor],
          relay: d.relay,
          alarm: d.alarmByte === null ? null : d.alarmByte.toString(16).toUpperCase().padStart(2, '0'),
          at,
        });
      }
    }
    if (latest.size === 0) return 0;
    const doors = [...latest.entries()];
    const result = await this.ds.query(
      `WITH upd AS (UPDATE door SET sensor_state = COALESCE(s.sensor, door.sensor_state), relay_state = COALESCE(s.relay, door.relay_state),
         alarm_state = COALESCE(s.alarm, door.alarm_state), door_state_at = s.at, updated_at = now()
       FROM unnest($2::int[], $3::int[], $4::int[], $5::varchar[], $6::timestamptz[]) AS s(door_no, sensor, relay, alarm, at)
       WHERE door.device_id = $1 AND door.door_no = s.door_no AND (door.door_state_at IS NULL OR door.door_state_at <= s.at)
       RETURNING 1)
       SELECT count(*)::int AS n FROM upd`,
      [
        device.id,
        doors.map(([n]) => n),
        doors.map(([, v]) => v.sensor),
        doors.map(([, v]) => v.relay),
        doors.map(([, v]) => v.alarm),
        doors.map(([, v]) => new Date(v.at).toISOString()),
      ],
    );
    return rowCount(result);
  }
}

/** The `SELECT count(*)::int AS n FROM <data-modifying CTE>` answer. */
export function rowCount(result: unknown): number {
  const n = Array.isArray(result) ? (result[0] as { n?: unknown } | undefined)?.n : undefined;
  return typeof n === 'number' ? n : 0;
}
