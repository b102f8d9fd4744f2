/**
 * Where a new monitor cursor (2.18.5, 2.26.2, 2.34.3) starts: the events stored at or after the client's
 * `timestamp`, but none stored more than `lookbackSeconds` before the cursor was made. The manual's own example
 * value (1494467276539, May 2017) is what some clients send on every call, and a client sending seconds for
 * milliseconds asks for 1970: either would otherwise receive the whole history, 1,000 events a poll, as if it
 * were happening now, and a parking or door client acts on live events. A clock a few minutes behind still
 * loses nothing of what happened since it started polling.
 */
export function monitorStart(timestamp: number, createdMs: number, lookbackSeconds: number): number {
  return lookbackSeconds > 0 ? Math.max(timestamp, createdMs - lookbackSeconds * 1000) : timestamp;
}

/** The cursor row's `created_at` in epoch milliseconds, as text (bigint), for monitorStart. */
export const CREATED_MS = `(extract(epoch from created_at) * 1000)::bigint::text AS created_ms`;

/** This transaction's `now()` in epoch milliseconds, as text: what a cursor inserted in it gets as `created_at`. */
export const NOW_MS_SQL = `SELECT (extract(epoch from now()) * 1000)::bigint::text AS now_ms`;

/**
 * How long a monitor cursor nobody polls is kept (every monitor: access, hep, elevator and entrance control). A
 * client away for a night or a weekend (its server down, a network outage) polls again with the same timestamp
 * and must get everything stored meanwhile; a cursor dropped earlier would restart at its lookback and lose it.
 */
export const CURSOR_IDLE_MS = 7 * 86_400_000;
