import type { DataSource } from 'typeorm';

/**
 * Waits until `n` sessions of this database wait on a lock: a transaction a test holds open on another connection
 * (a row it locked or inserted) is then known to keep them waiting. Throws when they never come to wait. `unless`:
 * returns as soon as it is true as well (a request that may wait, or finish without waiting).
 */
export async function lockWaits(ds: DataSource, n: number, unless: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (unless()) return;
    const [{ waiting }] = await ds.query(`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
    if (waiting >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${n} sessions came to wait on a lock`);
}
