/**
 * Whether a time segment lets a person in at a device wall-clock time, decided as the panel decides with the
 * `timezone` and `holiday` rows the planner sends it (sync-commands.ts: toWeeklySchedule, holidayRecords): on a
 * day of the holiday table the holiday type's intervals (Hol1-Hol3) apply instead of the weekday's; a `Loop=1`
 * holiday recurs on the same month and day every year, a `Loop=2` one is that date only. An interval
 * `start-end` admits every minute from start to end inclusive (23:59 is the last minute of the day); an
 * interval 00:00-00:00 is the device's unused segment (encoded 0) and admits nothing.
 */
import type { WeekSchedule } from '../timeSegment/time-segment.entity';
import { TIMEZONE_DAYS, type HolidayRecord, type TimezoneDay, type WallClock } from '../push/protocol';
import { holidayKey, holidayRecords, toWeeklySchedule, type SyncHoliday } from './sync-commands';

const minutes = (hhmm: string): number => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

/** The holiday type (1-3) of this day in the device's holiday table, or null for an ordinary day. */
export function holidayTypeOn(days: readonly HolidayRecord[], at: Pick<WallClock, 'year' | 'month' | 'day'>): 1 | 2 | 3 | null {
  const key = holidayKey(at);
  for (const h of days) {
    const d = typeof h.holiday === 'string' ? h.holiday : holidayKey(h.holiday);
    if (h.loop === 2 ? d === key : d.slice(4) === key.slice(4)) return h.holidayType;
  }
  return null;
}

/** The day type whose intervals apply: Hol1-Hol3 on a holiday, else the weekday. */
export function dayTypeOn(holidays: readonly SyncHoliday[], at: WallClock): TimezoneDay {
  const type = holidayTypeOn(holidayRecords(holidays), at);
  if (type !== null) return `Hol${type}`;
  return TIMEZONE_DAYS[new Date(Date.UTC(at.year, at.month - 1, at.day)).getUTCDay()];
}

export function timezoneAllows(schedule: WeekSchedule, holidays: readonly SyncHoliday[], at: WallClock): boolean {
  const day = toWeeklySchedule(schedule)[dayTypeOn(holidays, at)] ?? [];
  const now = at.hour * 60 + at.minute;
  return day.some(({ start, end }) => {
    const a = minutes(start);
    const b = minutes(end);
    if (!(a <= b) || (a === 0 && b === 0)) return false;
    return a <= now && now <= b;
  });
}
