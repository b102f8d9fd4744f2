import { Injectable, Logger } from '@nestjs/common';
import { int32 } from '../common/whole-number';
import { DataSource } from 'typeorm';
import { devicePersonJoinSql } from '../person/pin-value';
import { excludedOf, intoOf, listOf, placeholders } from '../database/columns';
import { MODULE_TRANSACTION, PSG_COUNTER } from '../elevator/module-tables';
import { PUBLISH_INSERTED_MODULE_EVENTS } from '../elevator/module-transaction-publish';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import type { DeviceSession } from './device-registry.service';
import { clip } from './device-registry.service';
import { cvsEventName } from './cvsecurity-event-names';
import { storeRejected } from './raw-upload';
import { logRejected } from './ingest-log';
import { personOrVisitorName } from '../visitor/visitor-event-name';
import { parseIrstate, rtlogEventKey, wallClockToInstant, type RtlogEvent } from './protocol';
import { eventLevel, eventVerifyName } from './event-fields';
import { collidingRecords, eventContent, MODULE_STORED_CONTENT_SQL, storedContents, type KeyedRecord } from './event-content';


/**
 * readerName of an elevator-controller event. The controller's readers are its own (not a floor's: the floor is
 * the event point), numbered 1..ReaderCount (an EC10 reports one; a registration without ReaderCount is read as
 * one) and named `<controller name>-<n>`, as CVSecurity names a device's points. An event a person made at a
 * reader (a pin or a card in it, or a verification mode other than 200 "others": a fingerprint nobody enrolled
 * names no pin) names the reader its `inoutstatus` says (0 the first, 1 the second); the controller's own events
 * (started, connected, a button, a remote release: verifytype 200) came from no reader: "others", as the manual's
 * 2.19.1 examples show. A reader number beyond the controller's readers is none of them: "others".
 */
const ELEVATOR_READER_NAME = `CASE WHEN (e.pin IS NOT NULL OR e.card_no IS NOT NULL OR COALESCE(e.verify_mode_no, 200) <> 200) AND COALESCE(e.reader_state, 0) BETWEEN 0 AND GREATEST(dv.reader_count, 1) - 1
    THEN left(dv.alias || '-' || (COALESCE(e.reader_state, 0) + 1), 100) ELSE 'others' END`;

/**
 * The insert of one upload's events, per module (the text built once): joined at insert time with device,
 * area, point, reader, person and department names, `ON CONFLICT DO NOTHING` so a re-sent upload adds nothing,
 * and published in the same statement; answers the keys it stored. Elevator: the point is a floor; channel
 * controller: a gate (a door of the device) and its reader.
 */
function storeEventsSql(module: 'ele' | 'psg'): string {
  const point =
    module === 'ele'
      ? `LEFT JOIN floor pt ON pt.device_id = dv.id AND pt.floor_no = e.point_no LEFT JOIN reader r ON false`
      : `LEFT JOIN door pt ON pt.device_id = dv.id AND pt.door_no = e.point_no LEFT JOIN reader r ON r.door_id = pt.id AND r.in_out = e.reader_state`;
  const readerName = module === 'ele' ? ELEVATOR_READER_NAME : `COALESCE(r.name, 'Others')`;
  return `WITH ins AS (INSERT INTO ${intoOf(MODULE_TRANSACTION, ['module', 'uniqueKey', 'xid', 'deviceId', 'deviceSn', 'devAlias', 'logId', 'eventTime', 'pin', 'personId', 'name', 'lastName',
      'deptCode', 'deptName', 'cardNo', 'doorId', 'doorNo', 'doorName', 'readerId', 'readerName', 'readerState', 'eventNo', 'eventName', 'eventLevel',
      'eventPointName', 'verifyModeNo', 'verifyModeName', 'areaName', 'alarmType', 'gateType'])}
    SELECT $1::varchar, e.unique_key, pg_current_xact_id()::text::bigint, dv.id, dv.sn, dv.alias, e.log_id, e.event_time, COALESCE(p.pin, e.pin), p.id, ${personOrVisitorName('p', 'e.pin')}, p.last_name,
      dp.code, dp.name, e.card_no, pt.id, e.point_no, pt.name, r.id, ${readerName}, e.reader_state, e.event_no, e.event_name, e.event_level,
      pt.name, e.verify_mode_no, e.verify_mode_name, a.name, e.alarm_type,
      CASE WHEN $1::varchar = 'psg' THEN COALESCE(NULLIF(substring(dv.registration->>'PassWayType' FROM '^[0-3]$'), '')::int, 0) END
    FROM unnest($3::varchar[], $4::int[], $5::timestamptz[], $6::varchar[], $7::varchar[], $8::int[], $9::int[], $10::int[], $11::varchar[],
                $12::int[], $13::int[], $14::varchar[], $15::int[]) WITH ORDINALITY
         AS e(unique_key, log_id, event_time, pin, card_no, point_no, reader_state, event_no, event_name, event_level, verify_mode_no, verify_mode_name, alarm_type, ord)
    JOIN device dv ON dv.id = $2
    LEFT JOIN area a ON a.id = dv.area_id
    ${point}
    ${devicePersonJoinSql('p', 'e.pin', 'dv.id')} LEFT JOIN department dp ON dp.id = p.dept_id
    ORDER BY e.ord
    ON CONFLICT (${listOf(MODULE_TRANSACTION, ['module', 'uniqueKey'])}) DO NOTHING RETURNING *),
    ${PUBLISH_INSERTED_MODULE_EVENTS}
    SELECT unique_key FROM ins`;
}
const STORE_EVENTS_SQL = { ele: storeEventsSql('ele'), psg: storeEventsSql('psg') };

/** `table=irstate`: the controller's counters replace the last report. */
const STORE_IRSTATE = `INSERT INTO ${intoOf(PSG_COUNTER, ['deviceId', 'irstate', 'irsenseCount', 'inCount', 'outCount', 'alarmCount', 'runCount', 'reportedAt'])}
  VALUES (${placeholders(7)}, now())
  ON CONFLICT (${listOf(PSG_COUNTER, ['deviceId'])}) DO UPDATE SET ${excludedOf(PSG_COUNTER, ['irstate', 'irsenseCount', 'inCount', 'outCount', 'alarmCount', 'runCount'])}, reported_at = now()`;

/** One event as the insert takes it; its point (floor or gate) is `doorNo`, as module_transaction stores it. */
interface ModuleRow extends KeyedRecord {
  logId: number | null;
  at: string;
  eventName: string | null;
  level: number;
  verifyNo: number | null;
  verifyName: string | null;
  alarmType: number | null;
}

function moduleRow(device: DeviceSession, module: 'ele' | 'psg', e: RtlogEvent): ModuleRow {
  const alarm = Object.entries(e.fields).find(([k]) => k.toLowerCase() === 'alarmtype')?.[1];
  return {
    key: clip(rtlogEventKey(device.sn, e), 200)!,
    indexed: e.index !== null,
    logId: int32(e.index),
    at: wallClockToInstant(e.wallClock, device.timeZone).toISOString(),
    ...eventContent(e),
    eventName: clip(cvsEventName(e.event, module), 200),
    level: eventLevel(e.event),
    verifyNo: int32(e.verifyType),
    verifyName: clip(eventVerifyName(e), 100),
    alarmType: alarm !== undefined && /^\d{1,9}$/.test(alarm.trim()) ? Number(alarm.trim()) : null,
  };
}

/**
 * Uploads of elevator and channel controllers:
 * - their rtlog events go to module_transaction (not acc_transaction: CVSecurity lists them in eleTransaction
 *   and psgTransaction, never among access events), joined at insert time like access events. The event
 *   point is the floor (elevator: `eventaddr` = floor number) or the gate (channel controller: `eventaddr` =
 *   door number of the gate, its in/out reader from `inoutstatus`); a channel controller's cancel-alarm
 *   record (7.13) keeps its `Alarmtype`.
 * - `table=irstate` (7.14) becomes the controller's latest counters (psg_counter); an older report never
 *   overwrites a newer one within a request, the last line wins.
 */
@Injectable()
export class ModuleIngestService {
  private readonly logger = new Logger('ModuleIngest');

  constructor(
    private readonly ds: DataSource,
    private readonly metrics: GatewayMetrics,
  ) {}

  /**
   * Stores a controller's events, keyed `<SN>_<index>_<time>` like an access panel's: an upload sent again adds
   * nothing, and a record whose key an event of other content holds (the controller's numbering and clock started
   * again after a reset) is stored under its rekeyed key, as access events are (event-content.ts).
   */
  async storeEvents(device: DeviceSession, module: 'ele' | 'psg', events: RtlogEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const rows = events.map((e) => moduleRow(device, module, e));
    const inserted = await this.insert(device, module, rows);
    const again = await collidingRecords(rows, inserted, async (keys) => storedContents(await this.ds.query(MODULE_STORED_CONTENT_SQL, [keys, module])));
    const n = inserted.size + (again.length > 0 ? (await this.insert(device, module, again.map((a) => a.record))).size : 0);
    if (n > 0) this.metrics.eventsIngested.inc(n);
    return n;
  }

  /** One statement of rows under their keys as given; the keys it stored. */
  private async insert(device: DeviceSession, module: 'ele' | 'psg', rows: readonly ModuleRow[]): Promise<Set<string>> {
    const col = <K extends keyof ModuleRow>(k: K) => rows.map((r) => r[k]);
    const result: Array<{ unique_key: string }> = await this.ds.query(STORE_EVENTS_SQL[module], [
      module, device.id, col('key'), col('logId'), col('at'), col('pin'), col('card'), col('doorNo'), col('inOut'), col('event'), col('eventName'), col('level'),
      col('verifyNo'), col('verifyName'), col('alarmType'),
    ]);
    return new Set(result.map((r) => r.unique_key));
  }

  /** `table=irstate`: the controller's latest infrared state and counters. */
  async ingestIrstate(device: DeviceSession, body: string): Promise<number> {
    const parsed = parseIrstate(body);
    logRejected(this.logger, device.sn, 'irstate', parsed.rejected, { metrics: this.metrics, kind: 'table' });
    if (device.admission !== 'admitted') return 0;
    // Refused lines are kept raw (`irstate.rejected`), as rtlog's are: acknowledging them loses nothing.
    if (parsed.rejected.length > 0) await storeRejected(this.ds, device.sn, 'irstate', parsed.rejected);
    const last = parsed.results[parsed.results.length - 1];
    if (!last) return 0;
    await this.ds.query(STORE_IRSTATE, [device.id, int32(last.irstate), int32(last.irsensecount), int32(last.incount), int32(last.outcount), int32(last.alarmcount), int32(last.runcount)]);
    return 1;
  }
}
