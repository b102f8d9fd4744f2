import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCvDateTime } from '../common/time';
import { formatEventTime } from './event-time-format';

describe('formatEventTime', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns'];

  it.each(zones)('agrees with formatCvDateTime in %s, across DST changes', (zone) => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }), (ms) => {
        expect(formatEventTime(new Date(ms), zone)).toBe(formatCvDateTime(new Date(ms), zone));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on the seconds around a transition', () => {
    const change = Date.UTC(2024, 2, 31, 1, 0, 0); // Europe/Berlin 02:00 CET -> 03:00 CEST
    for (let s = -5; s <= 5; s++) {
      const d = new Date(change + s * 1000);
      expect(formatEventTime(d, 'Europe/Berlin')).toBe(formatCvDateTime(d, 'Europe/Berlin'));
    }
  });

  it('is exact around a transition that is not on a quarter hour (St. John\'s, 00:01 until 2011)', () => {
    const zone = 'America/St_Johns';
    const change = Date.UTC(2005, 3, 3, 3, 31, 0); // 2005-04-03 00:01 NST -> 01:01 NDT
    for (let s = -20 * 60; s <= 20 * 60; s += 30) {
      const d = new Date(change + s * 1000);
      expect(formatEventTime(d, zone)).toBe(formatCvDateTime(d, zone));
    }
  });

  it('keeps null for no time', () => {
    expect(formatEventTime(null, 'UTC')).toBeNull();
  });
});
