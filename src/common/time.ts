import { formatWallClock, instantToWallClock, isValidWallClock, wallClockToInstant, zoneOffsetAt, type WallClock } from '../push/protocol/time';
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

const DATE_TIME = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?\s*$/;

/**
 * Parses the manual's `yyyy-MM-dd HH:mm:ss` (also unpadded, as 2.18.11 prints it, and a bare date) as
 * wall-clock time in the zone. Returns undefined for text that is not such a time.
 */
export function parseCvDateTime(text: string, timeZone: string): Date | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const w = { year: +m[1], month: +m[2], day: +m[3], hour: +(m[4] ?? 0), minute: +(m[5] ?? 0), second: +(m[6] ?? 0) };
  if (!isValidWallClock(w)) return undefined;
  return wallClockToInstant(w, timeZone);
}

/** Like parseCvDateTime, but a bad value is the manual's -100 "Time format error". */
export function requireCvDateTime(text: string, timeZone: string, field: string): Date {
  const d = parseCvDateTime(text, timeZone);
  if (!d) throw new CvError(CvCode.TimeFormat, `Time format error: ${field} must be yyyy-MM-dd HH:mm:ss`);
  return d;
}
