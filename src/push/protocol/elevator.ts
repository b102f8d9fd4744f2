/**
 * Elevator controllers and channel controllers (manual 8.16, 7.13, 7.14, 9.4 rows 15-18). Pure: builders and
 * parsers only.
 *
 * Two floor bitmaps with opposite conventions exist (digest §21 item 36); both are decided here, once:
 * - `usereleauthorize.AuthorizeFloors` is a hex number whose bit 0 is floor 1 ("in the order of low to high";
 *   floors 8 and 9 → `180`). It is written without padding, upper case.
 * - `CONTROL DEVICE 11`/`12` carry 32 bytes (64 hex digits) in which floor 1 is the most significant bit of
 *   the first byte ("expands from left to right"; `Floor 1` = `80 00 …`). The printed examples have 66/67
 *   digits and `2A80…` for floors 1,3,5,7,9; the stated rule gives `AA80…` with 64 digits, which is sent.
 */
import { ProtocolValueError } from './errors';
import { controlDevice, dataUpdate, type FieldList } from './commands';
import { encodeTimeSegment, type TimeSegment } from './time';
import { splitLines } from './kv';

/** Floors a controller can address: 32 bytes = 256 floors. */
export const MAX_FLOORS = 256;

function checkFloors(floors: readonly number[]): number[] {
  for (const f of floors) {
    if (!Number.isInteger(f) || f < 1 || f > MAX_FLOORS) throw new ProtocolValueError('floor', `must be 1-${MAX_FLOORS}, got ${f}`);
  }
  return [...new Set(floors)].sort((a, b) => a - b);
}

/** `AuthorizeFloors`: floor 1 = bit 0, as a hex number (`[8, 9]` → `180`); no floor → `0`. */
export function authorizeFloors(floors: readonly number[]): string {
  let v = 0n;
  for (const f of checkFloors(floors)) v |= 1n << BigInt(f - 1);
  return v.toString(16).toUpperCase();
}

/** The floors of an `AuthorizeFloors` value (hex, any case, optional 0x). Null when it is not hex. */
export function floorsFromAuthorizeFloors(text: string): number[] | null {
  const s = text.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{1,64}$/.test(s)) return null;
  const v = BigInt(`0x${s}`);
  const out: number[] = [];
  for (let f = 1; f <= MAX_FLOORS; f++) if ((v >> BigInt(f - 1)) & 1n) out.push(f);
  return out;
}

export interface UserEleAuthorizeRecord {
  pin: string;
  authorizeTimezoneId: number;
  /** Selected floors (AuthorizeFloors). */
  floors: readonly number[];
  /** Direct floor (AuthorizeFloorId); 0 = none. */
  authorizeFloorId?: number;
  devId?: number;
}

/**
 * `DATA UPDATE usereleauthorize Pin=<pin>\tAuthorizeTimezoneId=<tz>\tAuthorizeFloorId=<direct>\tAuthorizeFloors=<hex>`
 * (8.16; the printed example says `biodata` by mistake). One record per (Pin, time zone).
 */
export function dataUpdateUserEleAuthorize(records: UserEleAuthorizeRecord | readonly UserEleAuthorizeRecord[]): string {
  const list = Array.isArray(records) ? (records as readonly UserEleAuthorizeRecord[]) : [records as UserEleAuthorizeRecord];
  return dataUpdate(
    'usereleauthorize',
    list.map((r): FieldList => {
      if (!r.pin) throw new ProtocolValueError('Pin', 'is required');
      if (!Number.isInteger(r.authorizeTimezoneId) || r.authorizeTimezoneId < 1) throw new ProtocolValueError('AuthorizeTimezoneId', 'must be a positive integer');
      return [
        ['Pin', r.pin],
        ['AuthorizeTimezoneId', r.authorizeTimezoneId],
        ['AuthorizeFloorId', r.authorizeFloorId ?? 0],
        ['AuthorizeFloors', authorizeFloors(r.floors)],
        ['DevID', r.devId],
      ];
    }),
  );
}

/** The 32-byte floor bitmap of CONTROL DEVICE 17/18: floor 1 = most significant bit of byte 0. */
export function floorControlBytes(floors: readonly number[]): number[] {
  const bytes = new Array<number>(32).fill(0);
  for (const f of checkFloors(floors)) bytes[(f - 1) >> 3] |= 0x80 >> ((f - 1) & 7);
  return bytes;
}

/** The floors of a 64-hex-digit CONTROL DEVICE bitmap (the reverse of floorControlBytes). */
export function floorsFromControlHex(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(hex.length, 64); i += 2) {
    const b = parseInt(hex.slice(i, i + 2), 16);
    for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) out.push(i * 4 + bit + 1);
  }
  return out;
}

/**
 * Floor outputs (9.4 row 17, `11`) or floor normal opening (row 18, `12`):
 * `CONTROL DEVICE <AA> <32-byte floor bitmap> <CC=00> <DD>`, DD `00` off, `FF` normally open, `01`-`FE`
 * seconds. The table leaves CC empty for these rows; like every row with an empty CC (`02010000`), it is
 * sent as `00`, so DD keeps its column.
 */
export function controlFloors(floors: readonly number[], dd: number, normalOpen = false): string {
  if (!Number.isInteger(dd) || dd < 0 || dd > 255) throw new ProtocolValueError('DD', `must be 0-255, got ${dd}`);
  if (checkFloors(floors).length === 0) throw new ProtocolValueError('BB', 'needs at least one floor');
  return controlDevice([normalOpen ? 0x12 : 0x11, ...floorControlBytes(floors), 0x00, dd]);
}

/** Release floor buttons for 1-254 s. */
export function openFloors(floors: readonly number[], seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 254) throw new ProtocolValueError('DD', 'open duration must be 1-254 s');
  return controlFloors(floors, seconds);
}

/** Lock floor buttons again; ends a floor normal opening too (`12 … 00`), sent as two commands by callers that need both. */
export function closeFloors(floors: readonly number[]): string {
  return controlFloors(floors, 0x00);
}

/** Hold floor buttons released until told otherwise (9.4 row 18, floor normal opening): `12 <bitmap> 00 FF`. */
export function holdFloorsOpen(floors: readonly number[]): string {
  return controlFloors(floors, 0xff, true);
}

/** End the floor normal opening of row 18 (`12 <bitmap> 00 00`): the buttons follow the rights again. */
export function endFloorsNormalOpen(floors: readonly number[]): string {
  return controlFloors(floors, 0x00, true);
}

/** Cancel the elevator emergency state (9.4 row 15): `0F000000`. */
export function cancelElevatorEmergency(): string {
  return controlDevice([0x0f, 0x00, 0x00, 0x00]);
}

/** Which counters of a channel controller to reset (9.4 row 16). */
export type GateCounter = 'out' | 'in' | 'alarm' | 'all';
const COUNTER_CODE: Record<GateCounter, number> = { out: 0x01, in: 0x02, alarm: 0x03, all: 0x04 };

/** Reset channel-controller counters: `10 <01 out | 02 in | 03 alarms | 04 all> 00 00`. */
export function resetGateCounters(which: GateCounter): string {
  const code = COUNTER_CODE[which];
  if (code === undefined) throw new ProtocolValueError('BB', `unknown counter ${String(which)}`);
  return controlDevice([0x10, code, 0x00, 0x00]);
}

/** A pass direction of a gate: the manual's openType 1 (entry) and 2 (exit). */
export type GateDirection = 'entry' | 'exit';

/**
 * Open a gate for one passage. The protocol has no direction byte, so a direction is an output (the
 * gateway's decision, README "Entrance control"): entry drives the gate's lock output (`01 <gate> 01 <s>`),
 * exit the auxiliary output with the gate's number (`01 <gate> 02 <s>`), the two dry contacts a gate
 * terminal has for "open towards inside" and "open towards outside".
 */
export function openGate(gateNo: number, direction: GateDirection, seconds: number): string {
  if (!Number.isInteger(gateNo) || gateNo < 1 || gateNo > 16) throw new ProtocolValueError('BB', `gate must be 1-16, got ${gateNo}`);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 254) throw new ProtocolValueError('DD', 'open duration must be 1-254 s');
  return controlDevice([0x01, gateNo, direction === 'entry' ? 0x01 : 0x02, seconds]);
}

/** One `table=irstate` record (7.14): infrared state and the counters of a channel controller. */
export interface IrstateRecord {
  irstate: number;
  irsensecount: number | null;
  incount: number | null;
  outcount: number | null;
  alarmcount: number | null;
  runcount: number | null;
}

/**
 * `irstate=<n>\tirsensecount=<n>\tincount=<n>\toutcount=<n>\talarmcount=<n>\truncount=<n>\r\n`, one per line (LF, CR LF or
 * a lone CR: splitLines).
 * Field names are matched case-insensitively; spaces between fields (as the printed example shows) are
 * accepted like tabs. Every value is a count or a state, a whole number 0..2^31-1 (what the counters table holds):
 * a line whose `irstate` is missing, or whose `irstate` or any counter is negative, larger, or not a number, is
 * rejected whole (the caller logs it), never stored with that value dropped or wrapped. A counter that is
 * absent or empty is null.
 */
export function parseIrstate(body: string): { results: IrstateRecord[]; rejected: Array<{ line: string; lineNo: number; reason: string }> } {
  const results: IrstateRecord[] = [];
  const rejected: Array<{ line: string; lineNo: number; reason: string }> = [];
  for (const { text: raw, lineNo } of splitLines(body)) {
    const line = raw.trim();
    const fields = new Map<string, string>();
    for (const part of line.split(/[\t ]+/)) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
    }
    if (!fields.has('irstate') || fields.get('irstate')!.trim() === '') {
      rejected.push({ line: raw, lineNo, reason: 'irstate is missing' });
      continue;
    }
    const bad = IRSTATE_KEYS.find((k) => countOf(fields.get(k)) === undefined);
    if (bad !== undefined) {
      rejected.push({ line: raw, lineNo, reason: `${bad} "${fields.get(bad)!.slice(0, 40)}" is not a whole number 0-${INT32_MAX}` });
      continue;
    }
    const [irstate, irsensecount, incount, outcount, alarmcount, runcount] = IRSTATE_KEYS.map((k) => countOf(fields.get(k)) ?? null);
    results.push({ irstate: irstate!, irsensecount, incount, outcount, alarmcount, runcount });
  }
  return { results, rejected };
}

const INT32_MAX = 2147483647;
const IRSTATE_KEYS = ['irstate', 'irsensecount', 'incount', 'outcount', 'alarmcount', 'runcount'] as const;

/** A count as sent: null when absent or empty, undefined when not a whole number 0..2^31-1. */
function countOf(v: string | undefined): number | null | undefined {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === '') return null;
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return n <= INT32_MAX ? n : undefined;
}

/** The weekdays of a gatepassrule (no holiday types, unlike `timezone`). */
export const GATE_PASS_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export type GatePassDay = (typeof GATE_PASS_DAYS)[number];

export interface GatePassRuleRecord {
  passwayTimezoneId: number;
  /** Up to five periods per weekday, each with the passing mode the controller applies in it. */
  days: Partial<Record<GatePassDay, ReadonlyArray<TimeSegment & { passMode: number }>>>;
}

/**
 * `DATA UPDATE gatepassrule PasswayTimeZoneId=<id>\tSunTime1=<start<<16+end>\tSunPassMode1=<mode>…\tSatPassMode5=<mode>`
 * (8.16, channel controllers only); several records travel as lines of one command, like `timezone`. Times are
 * encoded as in `timezone` (HHMM << 16 + HHMM); unused periods are 0 with mode 0. The manual does not define the passing-mode values: they are passed through (0-255).
 */
export function dataUpdateGatePassRule(records: GatePassRuleRecord | readonly GatePassRuleRecord[]): string {
  const list = Array.isArray(records) ? (records as readonly GatePassRuleRecord[]) : [records as GatePassRuleRecord];
  return dataUpdate('gatepassrule', list.map(gatePassRuleFields));
}

function gatePassRuleFields(r: GatePassRuleRecord): Array<[string, number]> {
  if (!Number.isInteger(r.passwayTimezoneId) || r.passwayTimezoneId < 1) throw new ProtocolValueError('PasswayTimeZoneId', 'must be a positive integer');
  const fields: Array<[string, number]> = [['PasswayTimeZoneId', r.passwayTimezoneId]];
  for (const day of GATE_PASS_DAYS) {
    const periods = r.days[day] ?? [];
    if (periods.length > 5) throw new ProtocolValueError(`${day}Time`, 'allows at most 5 periods per day');
    for (let i = 0; i < 5; i++) {
      const p = periods[i];
      if (p && (!Number.isInteger(p.passMode) || p.passMode < 0 || p.passMode > 255)) throw new ProtocolValueError(`${day}PassMode${i + 1}`, 'must be 0-255');
      fields.push([`${day}Time${i + 1}`, encodeTimeSegment(p)], [`${day}PassMode${i + 1}`, p ? p.passMode : 0]);
    }
  }
  return fields;
}
