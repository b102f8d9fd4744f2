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
});
