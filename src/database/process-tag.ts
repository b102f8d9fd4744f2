import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * This process's name in PostgreSQL (the application_name of every connection of its pool): while a process
 * lives it keeps connections open, and PostgreSQL drops those of a process killed with -9 at once, so another
 * process can tell whether work marked with this tag may still be finished by its owner. The LISTEN connection
 * (work-signal.service.ts) carries it too, so a live process keeps one even while its pool has none open. PGAPPNAME,
 * when set, names the process in it (63 bytes at most: its first 26 characters, then a random UUID).
 */
export const PROCESS_TAG = processTag(process.env.PGAPPNAME, randomUUID());

/**
 * `<name> <uuid>` in printable ASCII: PostgreSQL shows each byte of anything else in application_name as `?`
 * (a PGAPPNAME of "Zugangsgerät" is listed as "Zugangsger??t"), so a tag that kept it would never be found in
 * pg_stat_activity and every other process would take this live one for gone (its Push Center leases released
 * under it, its monitor answers taken over).
 */
export function processTag(appName: string | undefined, uuid: string): string {
  const name = (appName?.trim() || 'cvsecurity-gateway').replace(/[^\x20-\x7e]/g, '?');
  return `${name.slice(0, 26)} ${uuid}`;
}

/**
 * Whether the process tagged `tag` is alive: this process is; another one is while PostgreSQL lists a connection
 * under its tag. The embedded database (a pool of one connection) is opened by one process only: any other tag is
 * a process that is gone.
 */
export async function processAlive(ds: DataSource, m: EntityManager, tag: string): Promise<boolean> {
  if (tag === PROCESS_TAG) return true;
  if (singleProcessDatabase(ds)) return false;
  const [{ alive }] = await m.query(`SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $1) AS alive`, [tag]);
  return alive === true;
}

/** The embedded database: opened by this process alone (a pool of one connection), so every other tag is a process that is gone. */
export function singleProcessDatabase(ds: DataSource): boolean {
  return ((ds.options as { poolSize?: number }).poolSize ?? 10) <= 1;
}
