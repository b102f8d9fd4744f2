import { describe, expect, it } from 'vitest';
import {
  isValidWallClock,
  decodeTimeSegment,
  decodeZkSeconds,
  encodeTimeSegment,
  encodeZkSeconds,
  formatTzOffset,
  formatWallClock,
  instantToWallClock,
  parseFixedOffset,
  parseWallClock,
  parseYmd,
  wallClockToInstant,
  wallClockToInstantText,
  zoneOffsetAt,
} from './time';
import { encodeUserValidity } from './commands';

describe('ZKTeco seconds (Appendix 5)', () => {
  it.each([
    [583512660, '2018-02-27 14:51:00'],
    [752688180, '2023-06-01 16:03:00'],
    [755193780, '2023-06-30 16:03:00'],
    [548003688, '2017-01-19 15:14:48'],
    [583080894, '2018-02-22 14:54:54'],
    [583050990, '2018-02-22 06:36:30'],
  ])('%i = %s (manual values)', (secs, text) => {
    expect(formatWallClock(decodeZkSeconds(secs))).toBe(text);
    expect(encodeZkSeconds(parseWallClock(text)!)).toBe(secs);
  });

  it('every month counts 31 days: Feb 28 → Mar 1 is 4 "days" apart', () => {
    const a = encodeZkSeconds({ year: 2023, month: 2, day: 28, hour: 0, minute: 0, second: 0 });
    const b = encodeZkSeconds({ year: 2023, month: 3, day: 1, hour: 0, minute: 0, second: 0 });
    expect((b - a) / 86400).toBe(4);
  });

  it('user validity per DateFmtFunOn', () => {
    const w = { year: 2018, month: 2, day: 27, hour: 14, minute: 51, second: 0 };
    expect(encodeUserValidity(w, 'seconds', 'start')).toBe(583512660);
    expect(encodeUserValidity(w, 'yyyymmdd', 'end')).toBe('20180227');
    expect(encodeUserValidity(null, 'seconds', 'start')).toBe(0);
    // Open-ended validity as HR systems write it, held within what ZK seconds cover (2000-2133).
    const at = (year: number) => ({ year, month: 1, day: 1, hour: 0, minute: 0, second: 0 });
    expect(encodeUserValidity(at(1970), 'seconds', 'start')).toBe(0);
    expect(encodeUserValidity(at(1999), 'seconds', 'end')).toBe(1);
    expect(encodeUserValidity(at(9999), 'seconds', 'end')).toBe(4290710399);
    expect(encodeUserValidity({ ...at(2133), month: 12, day: 31 }, 'seconds', 'end')).toBe(4290710399);
    expect(4290710399).toBeLessThanOrEqual(2 ** 32 - 1);
    expect(encodeUserValidity(at(9999), 'yyyymmdd', 'end')).toBe('99990101');
    expect(parseYmd('20180227')).toEqual({ year: 2018, month: 2, day: 27 });
  });
});

describe('time segments (§8.7)', () => {
  it.each([
    ['08:30', '12:00', 54396080],
    ['00:01', '00:03', 65539],
    ['10:00', '11:00', 65537100],
    ['00:00', '23:59', 2359],
  ])('%s-%s = %i', (start, end, v) => {
    expect(encodeTimeSegment({ start, end })).toBe(v);
    expect(decodeTimeSegment(v)).toEqual({ start, end });
  });
  it('unused segment is 0 and ends before start are refused', () => {
    expect(encodeTimeSegment(null)).toBe(0);
    expect(decodeTimeSegment(0)).toBeNull();
    expect(() => encodeTimeSegment({ start: '12:00', end: '08:00' })).toThrow(RangeError);
  });
});

describe('device wall clock → instant (Intl only)', () => {
  it('Lima (UTC-5): 11:40:45 is 16:40:45Z (field sample)', () => {
    expect(wallClockToInstant('2026-09-28 11:40:45', 'America/Lima').toISOString()).toBe('2026-09-28T16:40:45.000Z');
  });
  it('fixed offsets in the manual form and minutes', () => {
    expect(wallClockToInstant('2018-02-22 14:54:54', '+0800').toISOString()).toBe('2018-02-22T06:54:54.000Z');
    expect(wallClockToInstant('2018-02-22 14:54:54', 480).toISOString()).toBe('2018-02-22T06:54:54.000Z');
    expect(parseFixedOffset('-05:00')).toBe(-300);
    expect(parseFixedOffset('Europe/Berlin')).toBeNull();
    expect(formatTzOffset(-300)).toBe('-0500');
  });
  it('DST zones: summer and winter offsets, and the spring-forward gap', () => {
    expect(wallClockToInstant('2026-07-01 12:00:00', 'Europe/Berlin').toISOString()).toBe('2026-07-01T10:00:00.000Z');
    expect(wallClockToInstant('2026-01-15 12:00:00', 'Europe/Berlin').toISOString()).toBe('2026-01-15T11:00:00.000Z');
    expect(wallClockToInstant('2026-03-08 02:30:00', 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });
  it('round trip through instantToWallClock', () => {
    const d = wallClockToInstant('2026-11-21 07:45:00', 'Asia/Kolkata');
    expect(formatWallClock(instantToWallClock(d, 'Asia/Kolkata'))).toBe('2026-11-21 07:45:00');
  });
  it('offsets stay exact minute by minute across transitions, asked once (Intl) and again (the quarter-hour cache)', () => {
    // Intl's own answer, as the reference: the wall clock the instant shows, read as UTC, minus the instant.
    const reference = (zone: string, ms: number) => {
      const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
      const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
      return Math.round((Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - ms) / 60000);
    };
    // Spring forward and fall back in Berlin, a half-hour shift on Lord Howe Island, Kathmandu's +5:45.
    const windows: Array<[string, string]> = [
      ['Europe/Berlin', '2026-03-29T00:20:00Z'],
      ['Europe/Berlin', '2026-10-25T00:20:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T14:20:00Z'],
      ['Asia/Kathmandu', '2026-06-01T00:00:00Z'],
    ];
    for (const [zone, from] of windows) {
      const start = Date.parse(from);
      for (let pass = 0; pass < 2; pass++) {
        for (let m = 0; m < 80; m++) {
          const ms = start + m * 60_000 + 17_000;
          expect([zone, new Date(ms).toISOString(), zoneOffsetAt(zone, ms)]).toEqual([zone, new Date(ms).toISOString(), reference(zone, ms)]);
        }
      }
    }
    expect(wallClockToInstant('2026-10-25 02:30:00', 'Europe/Berlin').getTime() % 1000).toBe(0);
  });
  it('rejects non-times', () => {
    expect(() => wallClockToInstant('yesterday', 'UTC')).toThrow(RangeError);
    expect(parseWallClock('2026-13-01 00:00:00')).toBeNull();
  });
});

describe('isValidWallClock', () => {
  it("reads a month's length as the calendar (Date.UTC) does, for every year an upload can carry", () => {
    const byDate = (w: { year: number; month: number; day: number }) => w.day <= new Date(Date.UTC(w.year, w.month, 0)).getUTCDate();
    let differ = 0;
    for (let year = 0; year <= 9999; year++) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [28, 29, 30, 31, 32]) {
          if (isValidWallClock({ year, month, day, hour: 0, minute: 0, second: 0 }) !== byDate({ year, month, day })) differ++;
        }
      }
    }
    expect(differ).toBe(0);
    expect(isValidWallClock({ year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59 })).toBe(true);
    expect(isValidWallClock({ year: 1900, month: 2, day: 29, hour: 0, minute: 0, second: 0 })).toBe(false);
    expect(isValidWallClock({ year: 2000, month: 2, day: 29, hour: 0, minute: 0, second: 0 })).toBe(true);
    expect(isValidWallClock({ year: 2023, month: 4, day: 31, hour: 0, minute: 0, second: 0 })).toBe(false);
  });
});

describe('wallClockToInstantText (the event time a batch sends)', () => {
  const zones: Array<string | number> = [0, 330, -210, 'UTC', 'GMT', '+05:30', '-03:30', 'UTC+8', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];
  const walls = [
    '2026-11-27 10:00:00',
    '2024-02-29 23:59:59',
    '2026-03-29 02:30:00', // a wall clock Europe/Berlin skips
    '2026-10-25 02:30:00', // one it shows twice
    '1999-12-31 23:59:59',
    '2000-01-01 00:00:00',
    '1000-01-01 00:00:00',
    '9999-12-31 23:59:59',
    '0050-06-01 12:00:00', // Date.UTC reads years below 100 as 19xx: the Date's reading is kept
  ];
  it.each(zones.flatMap((z) => walls.map((w) => [w, z] as const)))('%s in %s is the instant wallClockToInstant gives', (wall, zone) => {
    const w = parseWallClock(wall)!;
    const text = wallClockToInstantText(w, zone);
    expect(new Date(text).getTime()).toBe(wallClockToInstant(w, zone).getTime());
  });

  it('writes a fixed-offset zone as the wall clock with its offset, a named zone as UTC', () => {
    const w = parseWallClock('2026-11-27 08:05:09')!;
    expect(wallClockToInstantText(w, '+05:30')).toBe('2026-11-27T08:05:09+05:30');
    expect(wallClockToInstantText(w, -210)).toBe('2026-11-27T08:05:09-03:30');
    expect(wallClockToInstantText(w, 'UTC')).toBe('2026-11-27T08:05:09+00:00');
    expect(wallClockToInstantText(w, 'Europe/Berlin')).toBe('2026-11-27T07:05:09.000Z');
    // A day the month does not have is the Date's reading (carried into the next month), never text the database refuses.
    expect(wallClockToInstantText({ year: 2026, month: 2, day: 31, hour: 0, minute: 0, second: 0 }, 'UTC')).toBe('2026-03-03T00:00:00.000Z');
  });
});
