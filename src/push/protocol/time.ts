/**
 * Date and time encodings of the Security PUSH protocol (manual Appendix 5/6, digest §17).
 *
 * Device times are wall-clock fields without an offset. They become instants only with the
 * device's configured zone, and that conversion uses `Intl` alone (no tz database dependency).
 */

import { ProtocolValueError } from './errors';

/**
 * The `TimeZone` option a device sets its clock by (with the HTTP `Date` header). Only the attendance manual defines
 * it (its option list): an integer, whole hours when -12 < TimeZone < 12 (`8`, `-5`), minutes when |TimeZone| > 60
 * (`330`, `-210`, `345`, and `720`, `780`, `840`, `-720` for ±12 h and beyond, New Zealand, Fiji, Tonga, Kiribati:
 * the manual has no hour form for ±12, 13 or 14). Never a fraction: firmware reads an integer, so `5.5` would set
 * the clock to +05:00, half an hour off.
 */
export function formatTimeZoneOption(offsetMinutes: number): string {
  if (!Number.isInteger(offsetMinutes)) throw new ProtocolValueError('TimeZone', 'must be whole minutes');
  return offsetMinutes % 60 === 0 && Math.abs(offsetMinutes) < 12 * 60 ? String(offsetMinutes / 60) : String(offsetMinutes);
}

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
  hour: number;
  minute: number;
  second: number;
}

/**
 * ZKTeco "seconds" (Appendix 5): every month has 31 days and every year 12 such months, so
 * the value is a packed wall-clock, not an epoch. Never subtract two of them across months.
 *
 *   ((Y-2000)*12*31 + (M-1)*31 + (D-1)) * 86400 + (h*60 + m)*60 + s
 */
export function encodeZkSeconds(w: WallClock): number {
  if (w.year < 2000 || w.year > 2133) throw new RangeError(`ZK seconds cover 2000-2133, got year ${w.year}`);
  return ((w.year - 2000) * 372 + (w.month - 1) * 31 + (w.day - 1)) * 86400 + (w.hour * 60 + w.minute) * 60 + w.second;
}

/**
 * The last wall clock whose ZK seconds fit the unsigned 32 bits a device keeps them in (digest 17.1, "good until
 * about 2133"): 2133-06-30 23:59:59 = 4,290,710,399. Later days of 2133 encode beyond 2^32 - 1.
 */
export const ZK_SECONDS_LAST: WallClock = { year: 2133, month: 6, day: 30, hour: 23, minute: 59, second: 59 };

/**
 * A validity bound (a user's StartTime/EndTime, a visitor's userauthorize window) in ZK seconds, held within what
 * the encoding covers: a start before 2000 is no start limit (`0`), an end before 2000 the first second (already
 * past: never `0`, which would be no limit), a bound after ZK_SECONDS_LAST that last second. A person valid "from
 * 1970" or "until 9999", as HR systems write open-ended validity, was never sent to a panel while the REST write
 * answered 0 (and an end late in 2133 would have wrapped past 32 bits into 2000, already past).
 */
export function encodeValiditySeconds(w: WallClock, edge: 'start' | 'end'): number {
  if (w.year < 2000) return edge === 'start' ? 0 : 1;
  const last = encodeZkSeconds(ZK_SECONDS_LAST);
  return w.year > ZK_SECONDS_LAST.year ? last : Math.min(encodeZkSeconds(w), last);
}

export function decodeZkSeconds(t: number): WallClock {
  if (!Number.isSafeInteger(t) || t < 0) throw new RangeError(`invalid ZK seconds value ${t}`);
  const second = t % 60;
  t = Math.floor(t / 60);
  const minute = t % 60;
  t = Math.floor(t / 60);
  const hour = t % 24;
  t = Math.floor(t / 24);
  const day = (t % 31) + 1;
  t = Math.floor(t / 31);
  const month = (t % 12) + 1;
  const year = Math.floor(t / 12) + 2000;
  return { year, month, day, hour, minute, second };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `yyyy-MM-dd HH:mm:ss`, the form of rtlog `time` and of the REST API. */
export function formatWallClock(w: WallClock): string {
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/**
 * Parses the device time `YYYY-MM-DD HH:MM:SS` (rtlog, rtstate, remote identification).
 * Tolerates surrounding spaces and a `T` separator; returns null on anything else,
 * including impossible dates (Feb 30), so callers can reject the record instead of storing garbage.
 */
export function parseWallClock(s: string | undefined | null): WallClock | null {
  if (!s) return null;
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2}):(\d{1,2})\s*$/.exec(s);
  if (!m) return null;
  const w: WallClock = { year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5], second: +m[6] };
  return isValidWallClock(w) ? w : null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isValidWallClock(w: WallClock): boolean {
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.hour > 23 || w.minute > 59 || w.second > 59) return false;
  // Every uploaded event's time is checked here: the month's length by arithmetic, not a Date per event. Years
  // below 100 (which Date.UTC reads as 19xx) and anything not a whole number keep the Date's reading.
  if (Number.isInteger(w.year) && Number.isInteger(w.month) && w.year >= 100 && w.year <= 9999) {
    const leap = w.year % 4 === 0 && (w.year % 100 !== 0 || w.year % 400 === 0);
    return w.day <= (w.month === 2 && leap ? 29 : DAYS_IN_MONTH[w.month - 1]);
  }
  const dim = new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
  return w.day <= dim;
}

/** `YYYYMMDD` (user validity with DateFmtFunOn=0, holiday.Holiday). */
export function formatYmd(w: Pick<WallClock, 'year' | 'month' | 'day'>): string {
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}`;
}

export function parseYmd(s: string): Pick<WallClock, 'year' | 'month' | 'day'> | null {
  const m = /^\s*(\d{4})(\d{2})(\d{2})\s*$/.exec(s);
  if (!m) return null;
  const w = { year: +m[1], month: +m[2], day: +m[3], hour: 0, minute: 0, second: 0 };
  return isValidWallClock(w) ? { year: w.year, month: w.month, day: w.day } : null;
}

/**
 * Offset given as minutes east of UTC (number), as `+08:00` / `-0500` / `+8`, or an IANA zone
 * name such as `America/Lima`.
 */
export type DeviceZone = string | number;

/** Parses a fixed offset (`+0800`, `-05:00`, `+8`, `UTC`, `Z`) to minutes; null if it is not one. */
export function parseFixedOffset(zone: string): number | null {
  const z = zone.trim();
  if (/^(utc|gmt|z)$/i.test(z)) return 0;
  const m = /^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(z);
  if (!m) return null;
  const h = +m[2];
  const mm = m[3] ? +m[3] : 0;
  if (h > 14 || mm > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (h * 60 + mm);
}

/** parseFixedOffset of a device's zone, read once per zone: every event of the device asks. */
const fixedOffsets = new Map<string, number | null>();
function fixedOffsetOfZone(zone: string): number | null {
  let fixed = fixedOffsets.get(zone);
  if (fixed === undefined) {
    fixed = parseFixedOffset(zone);
    if (fixedOffsets.size < 1024) fixedOffsets.set(zone, fixed);
  }
  return fixed;
}

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = dtfCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    dtfCache.set(timeZone, f);
  }
  return f;
}

/**
 * Offsets by zone and quarter-hour, for the quarter-hours whose offset is the same at both ends. Every event of a
 * device in an IANA zone needs its offset two or three times (wallClockToInstant), and Intl's formatToParts costs
 * about 7 µs a call, a tenth of what storing a one-event upload costs the gateway; a site's events fall in a few
 * quarter-hours. Zone transitions are never closer than a quarter-hour apart, so a quarter-hour whose two ends
 * agree has that offset throughout; one that holds a transition is never cached.
 */
const QUARTER_HOUR_MS = 15 * 60_000;
const OFFSET_CACHE_MAX = 4096;
const offsetCache = new Map<string, Map<number, number>>();

/** Offset (minutes east of UTC) of an IANA zone at a given instant. */
export function zoneOffsetAt(timeZone: string, instantMs: number): number {
  const quarter = Math.floor(instantMs / QUARTER_HOUR_MS);
  let known = offsetCache.get(timeZone);
  const cached = known?.get(quarter);
  if (cached !== undefined) return cached;
  const offset = formattedOffsetAt(timeZone, instantMs);
  const start = quarter * QUARTER_HOUR_MS;
  if (formattedOffsetAt(timeZone, start) === offset && formattedOffsetAt(timeZone, start + QUARTER_HOUR_MS - 1000) === offset) {
    if (!known) offsetCache.set(timeZone, (known = new Map()));
    if (known.size >= OFFSET_CACHE_MAX) known.clear();
    known.set(quarter, offset);
  }
  return offset;
}

/** The offset as Intl formats the instant in the zone. */
function formattedOffsetAt(timeZone: string, instantMs: number): number {
  const parts = zoneFormatter(timeZone).formatToParts(new Date(instantMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = utcOf({ year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') });
  return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / 60000);
}

/**
 * Converts a device wall-clock time to an instant.
 *
 * For IANA zones the offset is found by refinement (the usual technique without a tz library):
 * guess with the offset at the wall time read as UTC, then re-check at the candidate instant.
 * A wall time inside a DST gap does not exist; it is read with the pre-jump offset, so it lands
 * where the clock shows it after the jump (02:30 → 03:30). In an overlap either instant is valid.
 */
export function wallClockToInstant(wall: WallClock | string, zone: DeviceZone): Date {
  const w = typeof wall === 'string' ? parseWallClock(wall) : wall;
  if (!w) throw new RangeError(`not a device wall-clock time: ${String(wall)}`);
  const asUtc = utcOf(w);
  if (typeof zone === 'number') return new Date(asUtc - zone * 60000);
  const fixed = fixedOffsetOfZone(zone);
  if (fixed !== null) return new Date(asUtc - fixed * 60000);
  const o1 = zoneOffsetAt(zone, asUtc);
  const t1 = asUtc - o1 * 60000;
  const o2 = zoneOffsetAt(zone, t1);
  if (o1 === o2) return new Date(t1);
  const t2 = asUtc - o2 * 60000;
  if (zoneOffsetAt(zone, t2) === o2) return new Date(t2);
  return new Date(asUtc - Math.min(o1, o2) * 60000);
}

/** The wall clock read as UTC, in milliseconds; Date.UTC alone reads years 0-99 as 1900-1999 (`0001-01-01` as 1901). */
function utcOf(w: WallClock): number {
  const ms = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  if (w.year >= 100 || w.year < 0) return ms;
  const d = new Date(ms);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  return d.getTime();
}

/** Two digits for 0-99, without a string to pad (the hot path formats six of them per event). */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : String(n)));

/**
 * The instant a device's wall clock shows, as text a timestamptz reads: in a fixed-offset zone (a number of
 * minutes, `UTC`, `+05:30`, the commonest setting) the wall clock itself with its offset, `2026-11-27T10:00:00+01:00`,
 * written directly (no Date and no toISOString per event); otherwise, or for a time outside years 1000-9999
 * (Date.UTC reads years below 100 as 19xx), wallClockToInstant's ISO string. The same instant either way.
 */
export function wallClockToInstantText(w: WallClock, zone: DeviceZone): string {
  const offset = typeof zone === 'number' ? zone : fixedOffsetOfZone(zone);
  if (
    offset !== null &&
    Number.isInteger(offset) &&
    offset > -1440 &&
    offset < 1440 &&
    Number.isInteger(w.year) &&
    w.year >= 1000 &&
    w.year <= 9999 &&
    isTwoDigits(w.month) &&
    isTwoDigits(w.day) &&
    isTwoDigits(w.hour) &&
    isTwoDigits(w.minute) &&
    isTwoDigits(w.second) &&
    // A day the month does not have (which Date.UTC would carry into the next month) keeps the Date's reading.
    isValidWallClock(w)
  ) {
    const a = offset < 0 ? -offset : offset;
    return `${w.year}-${TWO_DIGITS[w.month]}-${TWO_DIGITS[w.day]}T${TWO_DIGITS[w.hour]}:${TWO_DIGITS[w.minute]}:${TWO_DIGITS[w.second]}${offset < 0 ? '-' : '+'}${TWO_DIGITS[(a / 60) | 0]}:${TWO_DIGITS[a % 60]}`;
  }
  return wallClockToInstant(w, zone).toISOString();
}

const isTwoDigits = (n: number) => Number.isInteger(n) && n >= 0 && n <= 99;

/** The wall clock an instant shows in a zone (for `SET OPTIONS DateTime` and rtdata). */
export function instantToWallClock(instant: Date, zone: DeviceZone): WallClock {
  const ms = instant.getTime();
  let offset: number;
  if (typeof zone === 'number') offset = zone;
  else {
    const fixed = fixedOffsetOfZone(zone);
    offset = fixed !== null ? fixed : zoneOffsetAt(zone, ms);
  }
  const d = new Date(ms + offset * 60000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** `+0800` / `-0500`: the `ServerTZ` form of the rtdata reply (manual 9.5.1). */
export function formatTzOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

/** RFC 1123 GMT, the `Date` header the device sets its clock from. */
export function formatHttpDate(instant: Date): string {
  return instant.toUTCString();
}

/**
 * Time segment of `timezone` / `DiffTimezoneVS` / `gatepassrule` (digest §8.7):
 * `(HHMM_start << 16) + HHMM_end`, HHMM written in decimal (08:30 → 830). The manual prints
 * `830 << 16 + 1200`, which would mean `830 << 1216` in C; the worked values prove the intent.
 */
export interface TimeSegment {
  start: string; // 'HH:mm'
  end: string; // 'HH:mm'
}

function hhmm(s: string, what: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (!m || +m[1] > 23 || +m[2] > 59) throw new RangeError(`${what}: not a HH:mm time: ${s}`);
  return +m[1] * 100 + +m[2];
}

export function encodeTimeSegment(seg: TimeSegment | null | undefined): number {
  if (!seg) return 0;
  const a = hhmm(seg.start, 'segment start');
  const b = hhmm(seg.end, 'segment end');
  if (b < a) throw new RangeError(`segment ends before it starts: ${seg.start}-${seg.end}`);
  return a * 65536 + b;
}

export function decodeTimeSegment(v: number): TimeSegment | null {
  if (!Number.isSafeInteger(v) || v <= 0) return null;
  const a = Math.floor(v / 65536);
  const b = v % 65536;
  const f = (x: number) => `${pad(Math.floor(x / 100))}:${pad(x % 100)}`;
  return { start: f(a), end: f(b) };
}
