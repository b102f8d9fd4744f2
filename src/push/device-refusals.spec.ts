import { describe, expect, it } from 'vitest';
import { refusalProbeMs } from './device-refusals';

describe('refusalProbeMs: when a refusal for good is probed again', () => {
  const probe = { baseMs: 60_000, maxMs: 86_400_000 };

  it('base × 2^(refusals − 1): the first probe one base after the refusal, doubling per refusal', () => {
    expect([1, 2, 3, 4, 5].map((n) => refusalProbeMs(n, -1004, probe))).toEqual([60_000, 120_000, 240_000, 480_000, 960_000]);
  });

  it('a -1002 is refused for good at its third refusal in a row: that one waits one base, then doubling', () => {
    expect([3, 4, 5].map((n) => refusalProbeMs(n, -1002, probe))).toEqual([60_000, 120_000, 240_000]);
  });

  it('never more than the max', () => {
    expect(refusalProbeMs(11, -1004, probe)).toBe(61_440_000);
    expect(refusalProbeMs(12, -1004, probe)).toBe(86_400_000);
    expect(refusalProbeMs(1_000_000, -629, probe)).toBe(86_400_000);
    expect(refusalProbeMs(3, -708, { baseMs: 200, maxMs: 500 })).toBe(500);
    expect(refusalProbeMs(1, -1004, { baseMs: 2_000, maxMs: 500 })).toBe(500);
  });

  it('a count below one (never recorded) waits one base', () => {
    expect(refusalProbeMs(0, -1004, probe)).toBe(60_000);
  });
});
