import { describe, expect, it } from 'vitest';
import type { WeekSchedule } from '../timeSegment/time-segment.entity';
import { dayTypeOn, timezoneAllows } from './timezone-allows';

const empty: WeekSchedule = { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], hol1: [], hol2: [], hol3: [] };
const office: WeekSchedule = { ...empty, mon: [['08:00', '12:00'], ['13:00', '17:59']], wed: [['08:00', '17:00']], hol2: [['10:00', '11:00']] };
const at = (s: string) => {
  const [d, t] = s.split(' ');
  const [year, month, day] = d.split('-').map(Number);
  const [hour, minute] = t.split(':').map(Number);
  return { year, month, day, hour, minute, second: 0 };
};
// 2026-03-02 is a Monday; 2026-03-04 a Wednesday.
const holidays = [
  { startDate: '2026-03-04', endDate: '2026-03-04', holidayType: 2, isLoopByYear: false },
  { startDate: '2020-12-25', endDate: '2020-12-25', holidayType: 1, isLoopByYear: true },
];

describe('timezoneAllows', () => {
  it('admits within a weekday interval, bounds inclusive to the minute', () => {
    expect(timezoneAllows(office, [], at('2026-03-02 08:00'))).toBe(true);
    expect(timezoneAllows(office, [], at('2026-03-02 12:00'))).toBe(true);
    expect(timezoneAllows(office, [], at('2026-03-02 12:30'))).toBe(false);
    expect(timezoneAllows(office, [], at('2026-03-02 17:59'))).toBe(true);
    expect(timezoneAllows(office, [], at('2026-03-02 07:59'))).toBe(false);
    expect(timezoneAllows(office, [], at('2026-03-03 09:00'))).toBe(false); // Tuesday: no interval
  });

  it('on a holiday the holiday type\'s intervals replace the weekday\'s', () => {
    expect(dayTypeOn(holidays, at('2026-03-04 09:00'))).toBe('Hol2');
    expect(timezoneAllows(office, holidays, at('2026-03-04 09:00'))).toBe(false);
    expect(timezoneAllows(office, holidays, at('2026-03-04 10:30'))).toBe(true);
    expect(timezoneAllows(office, [], at('2026-03-04 09:00'))).toBe(true);
  });

  it('a holiday looping by year recurs on its month and day; one that does not, only on its date', () => {
    expect(dayTypeOn(holidays, at('2031-12-25 09:00'))).toBe('Hol1');
    expect(dayTypeOn(holidays, at('2027-03-04 09:00'))).toBe('Thu');
  });

  it('00:00-00:00 is an unused segment, not midnight', () => {
    expect(timezoneAllows({ ...empty, mon: [['00:00', '00:00']] }, [], at('2026-03-02 00:00'))).toBe(false);
  });
});
