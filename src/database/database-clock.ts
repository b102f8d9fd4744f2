import type { DataSource } from 'typeorm';

/**
 * The database server's clock as this process sees it. Gateway processes on several hosts share device times
 * (device.last_seen_at: when a device last talked to any of them), and their clocks may disagree (a host whose NTP
 * stopped, a container on a drifting host): a time one process writes by its own clock reads, on a process whose
 * clock is ahead, as that much older. So such times are written and read in the database's clock, the one all
 * processes share (the same one `now()` in SQL uses): `offsetMs` is the database clock minus this process's.
 */
let offsetMs = 0;

/** Measures the offset (half the round trip is the error; a measurement slower than 2 s is not taken). */
export async function measureDatabaseClock(ds: DataSource): Promise<void> {
  const t0 = Date.now();
  const [{ ms }]: Array<{ ms: number }> = await ds.query(`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms`);
  const t1 = Date.now();
  if (t1 - t0 > 2000) return;
  offsetMs = Math.round(Number(ms) - (t0 + t1) / 2);
}

/** This process's time `localMs` in the database clock, to store. */
export function toDatabaseClock(localMs: number): Date {
  return new Date(localMs + offsetMs);
}

/** A stored time of the database clock in this process's clock (ms), to compare with Date.now(). */
export function fromDatabaseClock(stored: Date | string): number {
  return new Date(stored).getTime() - offsetMs;
}

/** The current offset (database minus this process), for logs and tests. */
export function databaseClockOffsetMs(): number {
  return offsetMs;
}
