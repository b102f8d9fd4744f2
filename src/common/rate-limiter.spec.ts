import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows the burst, refuses the next, and refills with time', () => {
    const l = new RateLimiter(3, 1);
    expect([l.take('a', 0), l.take('a', 0), l.take('a', 0), l.take('a', 0)]).toEqual([true, true, true, false]);
    expect(l.retryAfter('a', 0)).toBe(1);
    expect(l.take('a', 999)).toBe(false);
    expect(l.take('a', 1000)).toBe(true);
  });
  it('keeps keys apart', () => {
    const l = new RateLimiter(1, 1);
    expect(l.take('a', 0)).toBe(true);
    expect(l.take('b', 0)).toBe(true);
    expect(l.take('a', 0)).toBe(false);
  });
  it('stays bounded in memory by forgetting the longest-idle key', () => {
    const l = new RateLimiter(1, 0.001, 2);
    l.take('a', 0);
    l.take('b', 0);
    l.take('c', 0);
    expect(l.peek('a', 0)).toBe(true);
  });
});
