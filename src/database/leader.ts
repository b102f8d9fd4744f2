import type { DataSource } from 'typeorm';

/**
 * Runs `fn` only in the process that holds the session advisory lock `key` right now (pg_try_advisory_lock on
 * a connection of its own, released after): of several processes sharing the database, one does the work and
 * the others skip this round. A pool of one connection is the embedded database, which one process alone may
 * open: it leads by itself (holding the lock's connection would leave `fn` none).
 */
export async function asLeader(ds: DataSource, key: number, fn: () => Promise<void>): Promise<void> {
  if (((ds.options as { poolSize?: number }).poolSize ?? 10) <= 1) return fn();
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    const [{ leader }] = await runner.query(`SELECT pg_try_advisory_lock($1) AS leader`, [key]);
    if (!leader) return;
    try {
      await fn();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock($1)`, [key]);
    }
  } finally {
    await runner.release();
  }
}
