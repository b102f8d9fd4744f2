import { describe, expect, it } from 'vitest';
import { formatCvDateTime, inclusiveEnd, nextDay, parseCvDateTime, parseCvDay, parseCvTime, rangeEndAfter, requireCvDay, requireCvTime, zoneOffsetMinutes } from './time';

describe('CVSecurity time format', () => {
  it('round-trips wall-clock time in a zone with DST', () => {
    const d = parseCvDateTime('2017-08-04 15:45:00', 'Europe/Berlin')!;
    expect(d.toISOString()).toBe('2017-08-04T13:45:00.000Z');
    expect(formatCvDateTime(d, 'Europe/Berlin')).toBe('2017-08-04 15:45:00');
  });
  it('accepts the unpadded form printed in 2.18.11 and a bare date', () => {
    expect(parseCvDateTime('2023-1-13 18:00:00', 'UTC')!.toISOString()).toBe('2023-01-13T18:00:00.000Z');
    expect(parseCvDateTime('2023-01-13', 'UTC')!.toISOString()).toBe('2023-01-13T00:00:00.000Z');
  });
  it('rejects impossible dates and garbage', () => {
    expect(parseCvDateTime('2023-02-30 10:00:00', 'UTC')).toBeUndefined();
    expect(parseCvDateTime('yesterday', 'UTC')).toBeUndefined();
    expect(parseCvDateTime('2023-01-01 24:00:00', 'UTC')).toBeUndefined();
  });
  it('knows offsets east and west', () => {
    expect(zoneOffsetMinutes(new Date('2024-01-15T00:00:00Z'), 'Asia/Kolkata')).toBe(330);
    expect(zoneOffsetMinutes(new Date('2024-07-15T00:00:00Z'), 'America/New_York')).toBe(-240);
  });
  it('reads a wall time inside a DST gap as the clock shows it after the jump, east and west (as device times are read)', () => {
    expect(parseCvDateTime('2024-03-10 02:30:00', 'America/New_York')!.toISOString()).toBe('2024-03-10T07:30:00.000Z');
    expect(parseCvDateTime('2024-03-31 02:30:00', 'Europe/Berlin')!.toISOString()).toBe('2024-03-31T01:30:00.000Z');
  });
  it('reads a New York overlap time (01:30 in November) as the first of its two instants', () => {
    expect(parseCvDateTime('2024-11-03 01:30:00', 'America/New_York')!.toISOString()).toBe('2024-11-03T05:30:00.000Z');
  });
  it('round-trips a time from before zones had whole-minute offsets', () => {
    const d = parseCvDateTime('1900-06-01 17:21:10', 'Asia/Kolkata')!;
    expect(formatCvDateTime(d, 'Asia/Kolkata')).toBe('1900-06-01 17:21:10');
  });
});

describe('the client date-time forms (parseCvTime)', () => {
  const iso = (text: string, tz = 'Asia/Shanghai') => parseCvDateTime(text, tz)?.toISOString();

  it('reads every form a client sends as the same instant, naive ones in the gateway zone', () => {
    const forms = [
      '2024-03-01 08:00:00',
      '2024-3-1 8:00:00',
      '2024/03/01 08:00:00',
      '2024/3/1 08:00',
      '2024-03-01T08:00:00',
      '2024-03-01t08:00',
      '2024-03-01T08:00:00.000',
      '2024-03-01T00:00:00Z',
      '2024-03-01T00:00:00.000z',
      '2024-03-01T08:00:00+08:00',
      '2024-03-01T08:00:00.0000000+08:00',
      '2024-02-29T19:00:00-05:00',
      '2024-03-01T08:00:00+0800',
      '2024-03-01T08:00:00+08',
      ' 2024-03-01 08:00:00 ',
    ];
    for (const f of forms) expect([f, iso(f)]).toEqual([f, '2024-03-01T00:00:00.000Z']);
  });

  it('keeps fractional seconds to the millisecond', () => {
    expect(iso('2024-03-01T08:00:00.5')).toBe('2024-03-01T00:00:00.500Z');
    expect(iso('2024-03-01 08:00:00,123456')).toBe('2024-03-01T00:00:00.123Z');
  });

  it('reads bare dates, with - or /, as local midnight and says so', () => {
    for (const f of ['2024-03-01', '2024/03/01', '2024/3/1']) {
      const t = parseCvTime(f, 'Asia/Shanghai')!;
      expect([f, t.at.toISOString(), t.bareDate, t.day]).toEqual([f, '2024-02-29T16:00:00.000Z', true, '2024-03-01']);
    }
    expect(parseCvTime('2024-03-01 00:00:00', 'UTC')!.bareDate).toBe(false);
  });

  it('converts an offset time into the gateway zone: its local wall clock and day', () => {
    const t = parseCvTime('2024-03-01T20:00:00Z', 'Asia/Shanghai')!;
    expect(t.local).toEqual({ year: 2024, month: 3, day: 2, hour: 4, minute: 0, second: 0 });
    expect(t.day).toBe('2024-03-02');
    expect(formatCvDateTime(t.at, 'Asia/Shanghai')).toBe('2024-03-02 04:00:00');
    expect(parseCvDay('2024-03-01T00:30:00+01:00', 'America/New_York')).toBe('2024-02-29');
    expect(parseCvDay('2024/03/01', 'America/New_York')).toBe('2024-03-01');
  });

  it('rejects ambiguous, impossible and half-formed text', () => {
    for (const f of [
      '01/01/2024', '01-01-2024', '2024-13-01', '2024-02-30', '2024/02/30', '2024-03-01 24:00:00', '2024-03-01 10:60', '2024-03-01 10',
      '2024-03/01', '2024.03.01', '20240301', '17092512000', '17092512', '-1709251200000', '1709251200000.5', '2024-03-01T08:00:00+15:00', '2024-03-01T08:00:00+08:60', '2024-03-01Z',
      '2024-03-01 08:00:00 PM', '', 'tomorrow',
    ]) expect([f, parseCvTime(f, 'UTC')]).toEqual([f, undefined]);
    expect(parseCvTime(1709251200000.5 as unknown as string, 'UTC')).toBeUndefined();
  });

  it('reads epoch milliseconds (12-13 digits, text or a JSON number) and epoch seconds (10 digits) as their instant', () => {
    expect(parseCvTime('1709251200000', 'Asia/Shanghai')).toEqual({ at: new Date('2024-03-01T00:00:00Z'), local: { year: 2024, month: 3, day: 1, hour: 8, minute: 0, second: 0 }, day: '2024-03-01', bareDate: false, minuteOnly: false });
    expect(parseCvTime(1709251200123 as unknown as string, 'UTC')?.at.toISOString()).toBe('2024-03-01T00:00:00.123Z');
    expect(parseCvTime(' 1709251200 ', 'UTC')?.at.toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(parseCvTime('100000000000', 'UTC')?.at.toISOString()).toBe('1973-03-03T09:46:40.000Z');
  });

  it('ends a named range after its whole second, its whole minute when written without seconds, or after its whole day for a bare date (local midnight, across DST)', () => {
    expect(rangeEndAfter(parseCvTime('2024-03-01 08:00:00.250', 'UTC')!, 'UTC').toISOString()).toBe('2024-03-01T08:00:01.000Z');
    expect(rangeEndAfter(parseCvTime('2024-03-01 08:00', 'UTC')!, 'UTC').toISOString()).toBe('2024-03-01T08:01:00.000Z');
    expect(rangeEndAfter(parseCvTime('2024-03-01T08:00+05:30', 'UTC')!, 'UTC').toISOString()).toBe('2024-03-01T02:31:00.000Z');
    expect(rangeEndAfter(parseCvTime('2024-03-09', 'America/New_York')!, 'America/New_York').toISOString()).toBe('2024-03-10T05:00:00.000Z');
    expect(rangeEndAfter(parseCvTime('2024-03-10', 'America/New_York')!, 'America/New_York').toISOString()).toBe('2024-03-11T04:00:00.000Z');
    expect(inclusiveEnd(parseCvTime('2024/12/31', 'Asia/Shanghai')!, 'Asia/Shanghai').toISOString()).toBe('2024-12-31T15:59:59.000Z');
    expect(inclusiveEnd(parseCvTime('2024-12-31T10:00:00Z', 'Asia/Shanghai')!, 'Asia/Shanghai').toISOString()).toBe('2024-12-31T10:00:00.000Z');
    expect(nextDay('2024-02-29')).toBe('2024-03-01');
  });

  it("holds .NET's MinValue and MaxValue (0001-01-01, 9999-12-31 23:59:59) within what a timestamptz parameter takes, and reads years 1-99 as written", () => {
    const at = (text: string, zone: string) => parseCvTime(text, zone)!.at.toISOString();
    expect(at('9999-12-31 23:59:59', 'America/New_York')).toBe('9999-12-31T23:59:59.999Z');
    expect(rangeEndAfter(parseCvTime('9999-12-31 23:59:59', 'UTC')!, 'UTC').toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect(rangeEndAfter(parseCvTime('9999-12-31', 'Asia/Shanghai')!, 'Asia/Shanghai').toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect(at('0001-01-01 00:00:00', 'Asia/Shanghai')).toBe('0001-01-01T00:00:00.000Z');
    expect(at('0099-05-01 10:00:00', 'UTC')).toBe('0099-05-01T10:00:00.000Z'); // not 1999 (Date.UTC's two-digit years)
    expect(nextDay('0001-01-01')).toBe('0001-01-02');
    expect(nextDay('9999-12-30')).toBe('9999-12-31');
  });

  it('answers -100 for a malformed required time or day', () => {
    expect(() => requireCvTime('01/01/2024', 'UTC', 'startTime')).toThrow(expect.objectContaining({ code: -100 }));
    expect(() => requireCvDay('2024-13-01', 'UTC', 'birthday')).toThrow(expect.objectContaining({ code: -100 }));
    expect(requireCvDay('2024/1/2 23:00:00', 'UTC', 'birthday')).toBe('2024-01-02');
  });
});
