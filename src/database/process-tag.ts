import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * This process's name in PostgreSQL (the application_name of every connection of its pool): while a process
 * lives it keeps connections open, and PostgreSQL drops those of a process killed with -9 at once, so another
 * process can tell whether work marked with this tag may still be finished by its owner.
 */
export const PROCESS_TAG = `cvsecurity-gateway ${randomUUID()}`;

/**
 * Whether the process tagged `tag` is alive: this process is; another one is while PostgreSQL lists a connection
 * under its tag. The embedded database (a pool of one connection) is opened by one process only: any other tag is
 * a process that is gone.
 */
export async function processAlive(ds: DataSource, m: EntityManager, tag: string): Promise<boolean> {
  if (tag === PROCESS_TAG) return true;
  if (((ds.options as { poolSize?: number }).poolSize ?? 10) <= 1) return false;
  const [{ alive }] = await m.query(`SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $1) AS alive`, [tag]);
  return alive === true;
}
