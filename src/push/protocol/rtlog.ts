/**
 * Real-time uploads: `POST /iclock/cdata?SN=..&table=rtlog` and `table=rtstate`
 * (manual 7.2, 7.3, 7.13; digest §6.1-6.2).
 */
import { readCardNo } from './commands';
import type { ParseResult, RejectedLine } from './errors';
import { KvMap, normalizeKey, parseTabRecord, splitLines, toInt, type KvField } from './kv';
import { alarmBitNames } from './tables';
import { decodeZkSeconds, formatWallClock, isValidWallClock, parseWallClock, type WallClock } from './time';

export interface RtlogEvent {
  kind: 'event';
  lineNo: number;
  /** Device wall-clock time as sent (trimmed); convert with the device's zone. */
  time: string;
  wallClock: WallClock;
  /** PIN as sent; `0` means "no person". */
  pin: string | null;
  /** PIN of a person, or null for non-person events (pin 0 or empty): never resolve those. */
  personPin: string | null;
  /** Card number, null when absent or `0`. */
  cardNo: string | null;
  siteCode: number | null;
  linkId: number | null;
  eventAddr: number | null;
  event: number;
  inOutStatus: number | null;
  /** Appendix-3 verify mode, when verifytype is a number. */
  verifyType: number | null;
  /** 16-char new-style bit string (NewVFStyles), when verifytype is one. Never read it as a number. */
  verifyBits: string | null;
  /** Device record id; the de-duplication key together with SN (and time: it restarts after a reset). */
  index: number | null;
  maskFlag: number | null;
  temperature: number | null;
  convTemperature: number | null;
  bitCount: number | null;
  alarmType: number | null;
  /** Every field as sent (raw keys), for storage. */
  fields: Record<string, string>;
}

export type DoorSensorState = 'none' | 'closed' | 'open' | 'unknown';

export interface DoorState {
  door: number;
  /** 2 bits per door: 00 no sensor, 01 closed, 10 open (11 is undefined). */
  sensor: DoorSensorState | null;
  /**
   * The door's relay bit. The manual calls 1 "relay disconnected"; a C3-200 capture shows the
   * bit set while door 1 was held open, so read 1 as "relay driven" and do not over-interpret.
   */
  relay: 0 | 1 | null;
  alarmByte: number | null;
  /** Names of the alarm bits set (rtstateAlarmBits, least-significant bit = first alarm). */
  alarms: string[];
}

export interface DoorStateRow {
  kind: 'state';
  lineNo: number;
  time: string;
  wallClock: WallClock;
  sensor: string | null;
  relay: string | null;
  alarm: string | null;
  /** `door=01` as sent by SenseFace terminals; meaning undocumented, kept raw. */
  door: string | null;
  doors: DoorState[];
  fields: Record<string, string>;
}

export type RtlogRecord = RtlogEvent | DoorStateRow;

const isHex = (s: string | undefined): s is string => !!s && /^[0-9a-fA-F]+$/.test(s) && s.length % 2 === 0;

function isStateRow(m: KvMap): boolean {
  const t = m.text('type')?.toLowerCase();
  if (t === 'rtstate') return true;
  const states = m.has('sensor') || m.has('relay') || m.has('alarm');
  // Event 255 (Appendix 2, "Door status") is a door and alarm status report in event form, as the C3 panels' RTLog
  // marks its status records (event type 255): one that carries the state fields is read as the state row it is.
  return states && (!m.has('event') || m.int('event') === DOOR_STATUS_EVENT);
}

/** Appendix 2's event 255, "Door status": a status report, not an access event (CVSecurity lists no such transaction). */
export const DOOR_STATUS_EVENT = 255;

/**
 * Decodes the door-state fields (manual 7.3):
 *
 *   sensor=AABB      2 bits per door, door 1 in the lowest bits of the first byte
 *   relay=CC         1 bit per door, lowest bit = door 1 (byte k covers doors 8k+1..8k+8)
 *   alarm=DDEE..     one byte (2 hex digits) per door, door 1 first: 16 digits on push
 *                    terminals (8 doors), 8 on C3 panels (4 doors)
 *
 * `doorCount` (LockCount from registration) bounds the result; without it the widest field
 * decides, because firmware pads every field for the model's maximum.
 */
export function decodeDoorStates(
  f: { sensor?: string | null; relay?: string | null; alarm?: string | null },
  doorCount?: number | null,
): DoorState[] {
  const sensor = isHex(f.sensor ?? undefined) ? f.sensor! : null;
  const relay = isHex(f.relay ?? undefined) ? f.relay! : null;
  const alarm = isHex(f.alarm ?? undefined) ? f.alarm! : null;
  let n = doorCount ?? Math.max(sensor ? (sensor.length / 2) * 4 : 0, alarm ? alarm.length / 2 : 0, relay ? 1 : 0);
  n = Math.min(Math.max(n, 0), 64);
  const out: DoorState[] = [];
  for (let d = 1; d <= n; d++) {
    let s: DoorSensorState | null = null;
    if (sensor) {
      const byteIdx = Math.floor((d - 1) / 4);
      if (byteIdx * 2 + 2 <= sensor.length) {
        const b = parseInt(sensor.substr(byteIdx * 2, 2), 16);
        const v = (b >> (2 * ((d - 1) % 4))) & 3;
        s = v === 0 ? 'none' : v === 1 ? 'closed' : v === 2 ? 'open' : 'unknown';
      }
    }
    let r: 0 | 1 | null = null;
    if (relay) {
      const byteIdx = Math.floor((d - 1) / 8);
      if (byteIdx * 2 + 2 <= relay.length) {
        const b = parseInt(relay.substr(byteIdx * 2, 2), 16);
        r = ((b >> ((d - 1) % 8)) & 1) as 0 | 1;
      }
    }
    let a: number | null = null;
    if (alarm && d * 2 <= alarm.length) a = parseInt(alarm.substr((d - 1) * 2, 2), 16);
    out.push({ door: d, sensor: s, relay: r, alarmByte: a, alarms: a ? alarmBitNames(a) : [] });
  }
  return out;
}

function parseStateLine(m: KvMap, lineNo: number, doorCount?: number | null): DoorStateRow | string {
  const time = m.text('time');
  const wallClock = parseWallClock(time);
  if (!time || !wallClock) return time ? `bad time "${time}"` : 'missing time';
  const sensor = m.text('sensor') ?? null;
  const relay = m.text('relay') ?? null;
  const alarm = m.text('alarm') ?? null;
  for (const [k, v] of [['sensor', sensor], ['relay', relay], ['alarm', alarm]] as const) {
    if (v !== null && !isHex(v)) return `${k} is not hex: "${v}"`;
  }
  return {
    kind: 'state',
    lineNo,
    time: time,
    wallClock,
    sensor,
    relay,
    alarm,
    door: m.text('door') ?? null,
    doors: decodeDoorStates({ sensor, relay, alarm }, doorCount),
    fields: m.toObject(),
  };
}

function parseEventLine(m: KvMap, lineNo: number): RtlogEvent | string {
  const time = m.text('time');
  const wallClock = parseWallClock(time);
  if (!time) return 'missing time';
  if (!wallClock) return `bad time "${time}"`;
  const event = m.int('event');
  if (event === null) return m.has('event') ? `bad event "${m.get('event')}"` : 'missing event';
  // Not an access event, and without the sensor, relay or alarm fields there is no door state to read in it: kept raw.
  if (event === DOOR_STATUS_EVENT) return 'door status (event 255) without sensor, relay or alarm: a status report, not an access event';
  const pin = m.text('pin') ?? null;
  // A bracketed hex card (`[15CD5B07]`) is read to decimal. A malformed one keeps its text: the event happened and
  // is stored (an access event is never lost for its card field), the card just matches no person's.
  const read = readCardNo(m.text('cardno'));
  const card = typeof read === 'string' ? { card: m.text('cardno')?.trim() || null } : read;
  const vt = m.text('verifytype') ?? null;
  const isBits = vt !== null && /^[01]{16}$/.test(vt);
  return {
    kind: 'event',
    lineNo,
    time,
    wallClock,
    pin,
    personPin: pin === null || /^0+$/.test(pin) ? null : pin,
    cardNo: card.card,
    siteCode: m.int('sitecode'),
    linkId: m.int('linkid'),
    eventAddr: m.int('eventaddr'),
    event,
    inOutStatus: m.int('inoutstatus'),
    verifyType: isBits ? null : toInt(vt),
    verifyBits: isBits ? vt : null,
    index: m.int('index'),
    maskFlag: m.int('maskflag'),
    temperature: m.num('temperature'),
    convTemperature: m.num('convtemperature'),
    bitCount: m.int('bitcount'),
    alarmType: m.int('alarmtype'),
    fields: m.toObject(),
  };
}

/** rtlog's name for each field of a `transaction` record (9.1.4: `cardno pin verified doorid eventtype inoutstate time_second index ...`). */
const TRANSACTION_AS_RTLOG: Record<string, string> = {
  verified: 'verifytype',
  doorid: 'eventaddr',
  eventtype: 'event',
  inoutstate: 'inoutstatus',
};

/**
 * The event's de-duplication key: SN, index and time when the device numbers its records (the index restarts
 * after a reset, hence the time). Without an index, field note 7's SN, time, pin and event, plus the door, and
 * the card and in/out when sent: two unregistered cards at one door in one second, or one person's in and out,
 * are two events, while a re-sent line keeps every field and so its key.
 */
export function rtlogEventKey(sn: string, e: RtlogEvent): string {
  const time = formatWallClock(e.wallClock);
  if (e.index !== null) return `${sn}_${e.index}_${time}`;
  const base = `${sn}_${time}_${e.pin ?? ''}_${e.event}_${e.eventAddr ?? ''}`;
  return e.cardNo === null && e.inOutStatus === null ? base : `${base}_${e.cardNo ?? ''}_${e.inOutStatus ?? ''}`;
}

/**
 * A `transaction` record (the access records a panel keeps: the answer to `DATA QUERY tablename=transaction`
 * on /iclock/querydata, or a `tabledata` upload of that table) read as the rtlog event it records, so that it is
 * the same access event as its rtlog twin (same SN, index and time) and is served like one. Its time is
 * `time_second` (Appendix 5 seconds, device wall clock); a `time=` field, as some firmware writes, is read too.
 */
export function transactionRecordToEvent(fields: Record<string, string>, lineNo = 1): RtlogEvent | string {
  const src = new KvMap(Object.entries(fields).map(([rawKey, value]) => ({ rawKey, key: rawKey.trim().replace(/^~+/, ''), value })));
  const out: KvField[] = [];
  let time = src.text('time');
  if (!time) {
    const ts = src.text('time_second');
    if (!ts) return 'missing time_second';
    if (!/^\d{1,10}$/.test(ts)) return `bad time_second "${ts}"`;
    const w = decodeZkSeconds(Number(ts));
    if (!isValidWallClock(w)) return `bad time_second "${ts}"`;
    time = formatWallClock(w);
  }
  out.push({ rawKey: 'time', key: 'time', value: time });
  for (const f of src.fields) {
    const k = normalizeKey(f.rawKey);
    if (k === 'time' || k === 'time_second') continue;
    const name = TRANSACTION_AS_RTLOG[k] ?? k;
    out.push({ rawKey: name, key: name, value: f.value });
  }
  return parseEventLine(new KvMap(out), lineNo);
}

/** Body temperatures above this are read as Fahrenheit: no living body is 50 °C, and 86-113 °F is a body's range. */
const FAHRENHEIT_ABOVE = 50;

/**
 * The event's body temperature in degrees Celsius, rounded to 2 decimals, or null when none was measured.
 * `convtemperature` is in the unit the server asked for with IRTempUnitTrans (the gateway asks for Celsius),
 * `temperature` in the device's own IRTempUnit; `0` means "not measured". A device that ignores
 * IRTempUnitTrans may still send Fahrenheit, so a value above 50 is converted.
 */
export function bodyTemperatureCelsius(e: Pick<RtlogEvent, 'temperature' | 'convTemperature'>): number | null {
  const raw = [e.convTemperature, e.temperature].find((t) => t !== null && Number.isFinite(t) && t > 0) ?? null;
  if (raw === null) return null;
  const c = raw > FAHRENHEIT_ABOVE ? ((raw - 32) * 5) / 9 : raw;
  if (c <= 0 || c >= 100) return null;
  return Math.round(c * 100) / 100;
}

/** rtlog `maskflag`: 0 or 1 as sent; anything else is no reading. */
export function maskFlagOf(e: Pick<RtlogEvent, 'maskFlag'>): 0 | 1 | null {
  return e.maskFlag === 0 || e.maskFlag === 1 ? e.maskFlag : null;
}

/**
 * `POST /iclock/cdata?SN=..&table=rtlog`, one record per line (LF or CR LF):
 *
 *   time=2017-01-10 11:49:32<HT>pin=0<HT>cardno=0<HT>sitecode=0<HT>linkid=0<HT>eventaddr=1<HT>event=27
 *   <HT>inoutstatus=1<HT>verifytype=0<HT>index=21<HT>maskflag=0<HT>temperature=0<HT>convtemperature=0
 *
 * The same table also carries door-state rows (`time= sensor= relay= alarm= [door=]`, no event),
 * classified by their keys, not by the `table` parameter. Unknown keys (C3 `type=`) are ignored.
 */
export function parseRtlog(body: string, opts: { doorCount?: number | null } = {}): ParseResult<RtlogRecord> {
  const results: RtlogRecord[] = [];
  const rejected: RejectedLine[] = [];
  for (const { text, lineNo } of splitLines(body)) {
    const { map } = parseTabRecord(text);
    if (map.size === 0) {
      rejected.push({ line: text, lineNo, reason: 'no key=value fields' });
      continue;
    }
    const r = isStateRow(map) ? parseStateLine(map, lineNo, opts.doorCount) : parseEventLine(map, lineNo);
    if (typeof r === 'string') rejected.push({ line: text, lineNo, reason: r });
    else results.push(r);
  }
  return { results, rejected };
}

/**
 * `POST /iclock/cdata?SN=..&table=rtstate`:
 *
 *   time=2017-01-10 15:42:40<HT>sensor=00<HT>relay=00<HT>alarm=0200000000000000[<HT>door=01]
 */
export function parseRtstate(body: string, opts: { doorCount?: number | null } = {}): ParseResult<DoorStateRow> {
  const results: DoorStateRow[] = [];
  const rejected: RejectedLine[] = [];
  for (const { text, lineNo } of splitLines(body)) {
    const { map } = parseTabRecord(text);
    if (!map.has('sensor') && !map.has('relay') && !map.has('alarm')) {
      rejected.push({ line: text, lineNo, reason: 'no sensor, relay or alarm field' });
      continue;
    }
    const r = parseStateLine(map, lineNo, opts.doorCount);
    if (typeof r === 'string') rejected.push({ line: text, lineNo, reason: r });
    else results.push(r);
  }
  return { results, rejected };
}
