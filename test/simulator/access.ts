/**
 * What the panel decides when someone presents a credential, from its own tables only:
 * user (Pin / CardNo, Disable, StartTime/EndTime), mulcarduser, userauthorize (door bitmask per time rule),
 * timezone (segments `(HHMM_start << 16) + HHMM_end`, 9.1.1 L6831) and holiday (HolidayType → Hol1..Hol3).
 * Event codes (Appendix 2): 0 opened after verification, 22 invalid time period, 23 unauthorized access,
 * 27 user not registered, 29 user privilege expired, 39 blacklist.
 */
import { DeviceTables, Row, getField } from './tables';
import { WallClock, zkEncode } from './wire';

export interface AccessRequest {
  pin?: string;
  cardno?: string;
  door: number;
}

export interface AccessDecision {
  granted: boolean;
  /** Appendix 2 event code to log. */
  event: number;
  /** The user's Pin ('0' when nobody was identified). */
  pin: string;
  cardno: string;
  reason: string;
}

export interface AccessRight {
  pin: string;
  timezoneId: string;
  doorMask: number;
  doors: number[];
  devId?: string;
  startTime?: string;
  endTime?: string;
  row: Row;
}

export function toRight(row: Row): AccessRight {
  const mask = Number(getField(row, 'AuthorizeDoorId') ?? '0') || 0;
  const doors: number[] = [];
  for (let d = 1; d <= 32; d++) if (mask & (2 ** (d - 1))) doors.push(d);
  return {
    pin: getField(row, 'Pin') ?? '',
    timezoneId: getField(row, 'AuthorizeTimezoneId') ?? '',
    doorMask: mask,
    doors,
    devId: getField(row, 'DevID'),
    startTime: getField(row, 'StartTime'),
    endTime: getField(row, 'EndTime'),
    row,
  };
}

const DAY_PREFIX = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Day-type prefix for the timezone table: a holiday's Hol<n>, else the weekday. */
export function dayType(tables: DeviceTables, w: WallClock): string {
  const ymd = `${w.Y}${String(w.M).padStart(2, '0')}${String(w.D).padStart(2, '0')}`;
  for (const h of tables.rows('holiday')) {
    const date = getField(h, 'Holiday') ?? '';
    const loop = getField(h, 'Loop') ?? '2';
    const hit = loop === '1' ? date.slice(4) === ymd.slice(4) : date === ymd;
    if (hit) return `Hol${getField(h, 'HolidayType') || '1'}`;
  }
  return DAY_PREFIX[w.weekday];
}

/** Decode one timezone segment value into [startHHMM, endHHMM]. */
export function decodeSegment(v: number): [number, number] {
  return [v >>> 16, v & 0xffff];
}

function withinValidity(start: string | undefined, end: string | undefined, nowZk: number): boolean {
  const s = Number(start || '0');
  const e = Number(end || '0');
  if (s && nowZk < s) return false;
  if (e && nowZk > e) return false;
  return true;
}

/** Is time rule `tzId` open at wall clock `w`? A rule the device does not hold is closed. */
export function timezoneOpen(tables: DeviceTables, tzId: string, w: WallClock): boolean {
  const tz = tables.rows('timezone').find((r) => getField(r, 'TimezoneId') === tzId);
  if (!tz) return false;
  const nowZk = zkEncode(w.Y, w.M, w.D, w.h, w.m, w.s);
  if (!withinValidity(getField(tz, 'StartTime'), getField(tz, 'EndTime'), nowZk)) return false;
  const prefix = dayType(tables, w);
  const hhmm = w.h * 100 + w.m;
  for (const n of [1, 2, 3]) {
    const v = Number(getField(tz, `${prefix}Time${n}`) ?? '0') || 0;
    if (!v) continue;
    const [start, end] = decodeSegment(v);
    if (hhmm >= start && hhmm <= end) return true;
  }
  return false;
}

/**
 * How the panel reads its own tables, from its current options: cards in `mulcarduser` (MulCardUserFunOn=1; the
 * manual: `user.CardNo` is then invalid) or in `user.CardNo`; user validity as Appendix-5 seconds (DateFmtFunOn=1)
 * or YYYYMMDD.
 */
export interface PanelReading {
  mulCard: boolean;
  dateFmt: boolean;
  /** The door's Door<n>ValidTZ option, when set (SET OPTIONS, or a test standing for CVSecurity's door set-up). */
  doorValidTz?: string;
}

/** User validity: DateFmtFunOn=0 → YYYYMMDD, DateFmtFunOn=1 → Appendix-5 seconds; 0 = unlimited. */
function userValid(user: Row, w: WallClock, reading: PanelReading): boolean {
  const ymd = w.Y * 10000 + w.M * 100 + w.D;
  const nowZk = zkEncode(w.Y, w.M, w.D, w.h, w.m, w.s);
  const check = (v: string | undefined, cmp: (a: number, b: number) => boolean) => {
    const n = Number(v || '0');
    if (!n) return true;
    // A value in the other format is read as this panel's format all the same, as firmware does.
    if (!reading.dateFmt) return cmp(ymd, n);
    return cmp(nowZk, n);
  };
  return check(getField(user, 'StartTime'), (a, b) => a >= b) && check(getField(user, 'EndTime'), (a, b) => a <= b);
}

export function evaluateAccess(tables: DeviceTables, req: AccessRequest, w: WallClock, reading: PanelReading): AccessDecision {
  const cardno = req.cardno ?? '0';
  let user: Row | undefined;
  if (req.pin && req.pin !== '0') user = tables.rows('user').find((u) => getField(u, 'Pin') === req.pin);
  if (!user && req.cardno && req.cardno !== '0') {
    const c = req.cardno.toLowerCase();
    if (!reading.mulCard) user = tables.rows('user').find((u) => (getField(u, 'CardNo') ?? '').toLowerCase() === c);
    if (!user && reading.mulCard) {
      // mulcarduser keeps card numbers in hex (9.1.1's example: CardNo=CC9932DD); a decimal number read is matched as such too.
      const hex = /^\d+$/.test(c) ? BigInt(c).toString(16) : c;
      const mc = tables.rows('mulcarduser').find((r) => [c, hex].includes((getField(r, 'CardNo') ?? '').toLowerCase()) && getField(r, 'LossCardFlag') !== '1');
      if (mc) user = tables.rows('user').find((u) => getField(u, 'Pin') === getField(mc, 'Pin'));
    }
  }
  if (!user) return { granted: false, event: 27, pin: '0', cardno, reason: 'user not registered' };
  const pin = getField(user, 'Pin') ?? '0';
  if (getField(user, 'Disable') === '1') return { granted: false, event: 39, pin, cardno, reason: 'blocklisted' };
  if (!userValid(user, w, reading)) return { granted: false, event: 29, pin, cardno, reason: 'user validity expired' };
  // The door's active time zone (Door<n>ValidTZ, Appendix 10), when the panel was given one: outside it, or when the
  // panel holds no such time zone, the door refuses everyone (event 21, punch during the non-valid time period).
  if (reading.doorValidTz && reading.doorValidTz !== '0' && !timezoneOpen(tables, reading.doorValidTz, w)) {
    return { granted: false, event: 21, pin, cardno, reason: `door ${req.door} outside its valid time zone ${reading.doorValidTz}` };
  }
  const nowZk = zkEncode(w.Y, w.M, w.D, w.h, w.m, w.s);
  const rights = tables
    .rows('userauthorize')
    .map(toRight)
    .filter((r) => r.pin === pin && r.doors.includes(req.door));
  if (!rights.length) return { granted: false, event: 23, pin, cardno, reason: `no right for door ${req.door}` };
  const valid = rights.filter((r) => withinValidity(r.startTime, r.endTime, nowZk));
  if (valid.some((r) => timezoneOpen(tables, r.timezoneId, w))) return { granted: true, event: 0, pin, cardno, reason: 'granted' };
  return { granted: false, event: 22, pin, cardno, reason: 'outside every time rule of the rights' };
}
