import { ConfigError } from './config-error';

/**
 * The least period or wait in milliseconds a timer of the gateway's own accepts (0 aside, where 0 turns it off): a
 * retry backoff of 0 stays 0 however often it doubles, and a timer of 1 ms runs its database pass back to back, so
 * either re-sends or re-queries in a tight loop. 100 ms is well under any device's poll (RequestDelay 5 s).
 */
export const LEAST_PERIOD_MS = 100;

/** A period in milliseconds where 0 turns the work off: 0, or from `min` to `max`. */
export function parsePeriod(name: string, raw: string | undefined, fallback: number, max: number, min = LEAST_PERIOD_MS): number {
  const v = raw?.trim();
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || (Number(v) !== 0 && Number(v) < min) || Number(v) > max) {
    throw new ConfigError(name, `must be 0 (off) or a whole number of milliseconds from ${min} to ${max}, got "${v}"`);
  }
  return Number(v);
}
