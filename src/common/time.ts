import { CvCode, CvError } from './cv-error';

const partsCache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockOf(date: Date, timeZone: string): WallClock {
  const p: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(date)) p[part.type] = part.value;
  return { year: +p.year, month: +p.month, day: +p.day, hour: +p.hour, minute: +p.minute, second: +p.second };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `yyyy-MM-dd HH:mm:ss` in the given zone: how CVSecurity renders every time. */
export function formatCvDateTime(date: Date | null | undefined, timeZone: string): string | null {
  if (!date) return null;
  const w = wallClockOf(date, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

export function formatCvDate(date: Date | null | undefined, timeZone: string): string | null {
  const s = formatCvDateTime(date, timeZone);
  return s && s.slice(0, 10);
}

/** Offset of the zone from UTC at that instant, in minutes (east positive). */
export function zoneOffsetMinutes(date: Date, timeZone: string): number {
  const w = wallClockOf(date, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/** The instant at which the zone's wall clock shows these fields (the earlier one in a DST overlap). */
export function instantFromWallClock(w: WallClock, timeZone: string): Date {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  let t = guess - zoneOffsetMinutes(new Date(guess), timeZone) * 60000;
  // A second pass settles instants near an offset change.
  t = guess - zoneOffsetMinutes(new Date(t), timeZone) * 60000;
  return new Date(t);
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
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 59) return undefined;
  const probe = new Date(Date.UTC(w.year, w.month - 1, w.day));
  if (probe.getUTCDate() !== w.day) return undefined;
  return instantFromWallClock(w, timeZone);
}

/** Like parseCvDateTime, but a bad value is the manual's -100 "Time format error". */
export function requireCvDateTime(text: string, timeZone: string, field: string): Date {
  const d = parseCvDateTime(text, timeZone);
  if (!d) throw new CvError(CvCode.TimeFormat, `Time format error: ${field} must be yyyy-MM-dd HH:mm:ss`);
  return d;
}
