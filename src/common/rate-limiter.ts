/**
 * Token buckets keyed by client or address, with the clock passed in. The map is bounded: when full, the
 * bucket used longest ago goes first (a Map keeps insertion order and a hit re-inserts), so an attacker
 * rotating addresses costs memory up to the bound and no more.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Tokens a full bucket holds: the burst allowed. */
    private readonly capacity: number,
    /** Tokens regained per second. */
    private readonly perSecond: number,
    private readonly maxKeys = 50_000,
  ) {}

  /** Takes one token; false when the key has none left. */
  take(key: string, now: number): boolean {
    const b = this.refill(key, now);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Whether a token is available, without taking it. */
  peek(key: string, now: number): boolean {
    return this.refill(key, now).tokens >= 1;
  }

  /** Seconds until the next token. */
  retryAfter(key: string, now: number): number {
    const b = this.refill(key, now);
    return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) / this.perSecond);
  }

  private refill(key: string, now: number) {
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
      this.buckets.delete(key);
    } else {
      b = { tokens: this.capacity, at: now };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(key, b);
    return b;
  }
}
