import { namedQuery } from './prepared-query.service';
import type { EntityManager } from 'typeorm';

/**
 * Takes `pg_advisory_xact_lock(classId, hashtext(key))` for each distinct key until the transaction ends, in one
 * statement and one sorted order, so that two writers taking overlapping sets never wait on each other in a cycle.
 */
export async function lockKeys(manager: EntityManager, classId: number, keys: readonly string[]): Promise<void> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return;
  if (unique.length === 1) {
    await namedQuery(manager, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, [classId, unique[0]]);
    return;
  }
  await namedQuery(manager,
    `SELECT count(pg_advisory_xact_lock($1, k)) FROM (SELECT DISTINCT hashtext(sn) AS k FROM unnest($2::text[]) AS sn ORDER BY k OFFSET 0) s`,
    [classId, unique],
  );
}
