import { describe, expect, it } from 'vitest';
import { onlineLimitMs, onlineWindowMs, silentPast } from './online-window';

const settings = { requestDelay: 5, onlineFloorMs: 30_000 };

describe('online window', () => {
  it('is max(3 × RequestDelay, the floor), and a device is offline once silent past it and a tenth', () => {
    const w = onlineWindowMs(null, settings);
    expect(w).toBe(30_000);
    expect(onlineWindowMs(20, settings)).toBe(60_000);
    expect(onlineLimitMs(w)).toBeCloseTo(33_000, 6);
    expect(silentPast(33_000, w)).toBe(false);
    expect(silentPast(33_001, w)).toBe(true);
  });

  it('a contact read from the database allows for the flush interval it may be late by', () => {
    const w = onlineWindowMs(null, settings);
    expect(silentPast(35_000, w)).toBe(true);
    expect(silentPast(35_000, w, 5_000)).toBe(false);
    expect(silentPast(38_000, w, 5_000)).toBe(false);
    expect(silentPast(38_001, w, 5_000)).toBe(true);
  });
});
