import { describe, expect, it } from 'vitest';
import { formatCvDateTime, parseCvDateTime, zoneOffsetMinutes } from './time';

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
