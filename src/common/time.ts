import { formatWallClock, instantToWallClock, isValidWallClock, parseFixedOffset, wallClockToInstant, zoneOffsetAt, type WallClock } from '../push/protocol/time';
import { CvCode, CvError } from './cv-error';

// The wall-clock ⇄ instant arithmetic is the protocol codec's (one implementation for devices and REST);
// this file adds CVSecurity's REST forms on top: the manual's date-time text and its -100 error.

export type { WallClock };

/** `yyyy-MM-dd HH:mm:ss` in the given zone: how CVSecurity renders every time. */
export function formatCvDateTime(date: Date | null | undefined, timeZone: string): string | null {
  if (!date) return null;
  return formatWallClock(instantToWallClock(date, timeZone));
}

/** Offset of the zone from UTC at that instant, in minutes (east positive). */
export function zoneOffsetMinutes(date: Date, timeZone: string): number {
  return zoneOffsetAt(timeZone, date.getTime());
}

/**
 * Every date-time form REST clients send: the manual's `yyyy-MM-dd HH:mm:ss` (field notes 9), and as real
 * clients send it, unpadded, with `/` separators, as a bare date, or as ISO 8601 (`T`, fractional seconds, `Z`
 * or an offset): year first, one separator kind, an optional time, an optional fraction, an optional offset.
 * Day-first or month-first text (`01/01/2024`) is ambiguous and is not a form.
 */
const DATE_TIME =
  /^\s*(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:(?:[Tt]|\s+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,9}))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?\s*$/;

/** A client's date-time read: the instant, the wall clock it shows in the gateway's zone, and whether it was a bare date. */
export interface CvTime {
  at: Date;
  /** The wall clock of `at` in the gateway's zone (an offset-bearing time is converted into it). */
  local: WallClock;
  /** `yyyy-MM-dd` of `local`. */
  day: string;
  /** The text named a day, not a time. */
  bareDate: boolean;
  /** The text named a minute (`HH:mm`, no seconds), as CVSecurity's own filters and many clients' pickers write it. */
  minuteOnly: boolean;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const dayOf = (w: WallClock) => `${String(w.year).padStart(4, '0')}-${pad2(w.month)}-${pad2(w.day)}`;

/**
 * An instant as epoch digits: clients built on the monitor's millisecond timestamps (2.18.5) send their ranges
 * the same way (`startTime=1700000000000`). 12-13 digits are milliseconds (1973-2286); 10 are seconds, as
 * Unix clients send them (2001-2286). No date text is all digits, so neither form is ambiguous.
 */
const EPOCH = /^\s*(\d{10}|\d{12,13})\s*$/;

function epochTime(digits: string, timeZone: string): CvTime {
  const at = new Date(digits.length === 10 ? Number(digits) * 1000 : Number(digits));
  const local = instantToWallClock(at, timeZone);
  return { at, local, day: dayOf(local), bareDate: false, minuteOnly: false };
}

/**
 * The one parser of client date-times. A time without an offset is wall-clock time in the gateway's zone
 * (TIME_ZONE); one with `Z` or `±HH:mm` names its instant, and `local` is that instant in the gateway's zone.
 * Fractional seconds are kept to the millisecond. Undefined for anything else, and for impossible dates.
 */
export function parseCvTime(text: unknown, timeZone: string): CvTime | undefined {
  if (typeof text === 'number') text = Number.isSafeInteger(text) ? String(text) : undefined;
  if (typeof text !== 'string') return undefined;
  const epoch = EPOCH.exec(text);
  if (epoch) return epochTime(epoch[1], timeZone);
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const w: WallClock = { year: +m[1], month: +m[3], day: +m[4], hour: +(m[5] ?? 0), minute: +(m[6] ?? 0), second: +(m[7] ?? 0) };
  if (!isValidWallClock(w)) return undefined;
  const ms = m[8] ? +`${m[8]}00`.slice(0, 3) : 0;
  const bareDate = m[5] === undefined;
  const minuteOnly = !bareDate && m[7] === undefined;
  let at: Date;
  if (m[9] !== undefined) {
    const offset = parseFixedOffset(m[9]); // the device codec's reading of `Z`, `±HH:mm`, `±HHmm`, `±HH` (up to ±14:59)
    if (offset === null) return undefined;
    at = new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, ms) - offset * 60_000);
  } else {
    at = new Date(wallClockToInstant(w, timeZone).getTime() + ms);
  }
  if (Number.isNaN(at.getTime())) return undefined;
  const local = m[9] !== undefined ? instantToWallClock(at, timeZone) : w;
  return { at: withinStorable(at), local, day: dayOf(local), bareDate, minuteOnly };
}

/**
 * The instants a timestamptz parameter can carry here: years 0001-9999 in UTC (a Date past 9999 is written
 * `+010000-...`, before year 1 `-000001-...` or `0000-...`, and PostgreSQL refuses both). Clients write open
 * ranges with the extremes (.NET's DateTime.MinValue `0001-01-01 00:00:00` and MaxValue `9999-12-31 23:59:59`),
 * which a zone's offset or a range's exclusive end pushed past them: a list answered HTTP 500 or "A value has the
 * wrong format". Held at the edge instead, which bounds the same rows.
 */
const FIRST_STORABLE = new Date('0001-01-01T00:00:00.000Z').getTime();
const LAST_STORABLE = new Date('9999-12-31T23:59:59.999Z').getTime();
function withinStorable(at: Date): Date {
  const ms = at.getTime();
  return ms < FIRST_STORABLE ? new Date(FIRST_STORABLE) : ms > LAST_STORABLE ? new Date(LAST_STORABLE) : at;
}

/** The instant of a client's date-time (see parseCvTime), or undefined. */
export function parseCvDateTime(text: string, timeZone: string): Date | undefined {
  return parseCvTime(text, timeZone)?.at;
}

/** The day (`yyyy-MM-dd`, in the gateway's zone) a client's date or date-time names, or undefined. */
export function parseCvDay(text: string, timeZone: string): string | undefined {
  return parseCvTime(text, timeZone)?.day;
}

/** The day after `yyyy-MM-dd`. */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const next = new Date(0);
  next.setUTCFullYear(y, m - 1, d + 1); // not Date.UTC: it reads years 0-99 as 1900-1999
  return dayOf({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0, second: 0 });
}

/** Local midnight starting a `yyyy-MM-dd` day in the zone. */
export function startOfDay(day: string, timeZone: string): Date {
  const [year, month, d] = day.split('-').map(Number);
  return wallClockToInstant({ year, month, day: d, hour: 0, minute: 0, second: 0 }, timeZone);
}

/**
 * The exclusive end of a range whose last moment a client named: a bare date covers its whole day (the next
 * local midnight), a time without seconds its whole minute (`10:03` ends after 10:03:59, as CVSecurity's filters
 * end at HH:mm:59: a client polling [10:00, 10:03] then [10:04, 10:07] skips nothing), a time its whole second.
 */
export function rangeEndAfter(t: CvTime, timeZone: string): Date {
  if (t.bareDate) return t.day >= '9999-12-31' ? new Date(LAST_STORABLE) : withinStorable(startOfDay(nextDay(t.day), timeZone));
  const unit = t.minuteOnly ? 60_000 : 1000;
  return withinStorable(new Date(Math.floor(t.at.getTime() / unit) * unit + unit));
}

/**
 * The last moment of a window whose end a client named, as the manual's examples end them: a bare date ends
 * with that day (23:59:59 local), a time is itself.
 */
export function inclusiveEnd(t: CvTime, timeZone: string): Date {
  return t.bareDate ? new Date(rangeEndAfter(t, timeZone).getTime() - 1000) : t.at;
}

/** Like parseCvTime, but a bad value is the manual's -100 "Time format error". */
export function requireCvTime(text: string, timeZone: string, field: string): CvTime {
  const t = parseCvTime(text, timeZone);
  if (!t) throw new CvError(CvCode.TimeFormat, `Time format error: ${field} must be yyyy-MM-dd HH:mm:ss`);
  return t;
}

/** Like parseCvDay, but a bad value is the manual's -100 "Time format error". */
export function requireCvDay(text: string, timeZone: string, field: string): string {
  const t = parseCvTime(text, timeZone);
  if (!t) throw new CvError(CvCode.TimeFormat, `Time format error: ${field} must be yyyy-MM-dd`);
  return t.day;
}

/** Like parseCvDateTime, but a bad value is the manual's -100 "Time format error". */
export function requireCvDateTime(text: string, timeZone: string, field: string): Date {
  return requireCvTime(text, timeZone, field).at;
}

/** A browser's clock a little ahead of the gateway's: an end "now" typed there is not refused as in the future. */
const NOW_GRACE_MS = 60_000;

/**
 * The period a device is asked to upload its records of again (a terminal's punches, a panel's transactions):
 * `yyyy-MM-dd HH:mm:ss` wall clocks in the gateway's zone, -100 when one is malformed, -101 when it starts after it
 * ends. A bare end date (`2026-05-09`) ends with its day, as the transaction lists read one: read as its midnight, a
 * day asked for as that date twice was the query of one instant, answered success and recovering nothing.
 * `upToNow` (the console's forms): the period must also be a real one (start before end) and end by now: a period in
 * the future has no records to ask for.
 */
export function requireCvPeriod(period: { startTime?: string; endTime?: string }, timeZone: string, upToNow = false): { from: Date; to: Date } {
  const from = requireCvDateTime(period.startTime ?? '', timeZone, 'startTime');
  const to = inclusiveEnd(requireCvTime(period.endTime ?? '', timeZone, 'endTime'), timeZone);
  if (from.getTime() > to.getTime()) throw new CvError(CvCode.StartAfterEnd, 'Start time cannot be greater than end time');
  if (upToNow && from.getTime() === to.getTime()) throw new CvError(CvCode.StartAfterEnd, 'The period must start before it ends');
  if (upToNow && to.getTime() > Date.now() + NOW_GRACE_MS) throw new CvError(CvCode.InvalidParameter, `The period cannot end in the future: it ends at ${(period.endTime ?? '').trim()}, later than now`);
  return { from, to };
}
