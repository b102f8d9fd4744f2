import { In, type EntityManager } from 'typeorm';
import { CvCode, CvError, levelNotExist } from '../common/cv-error';
import { intoOf } from '../database/columns';
import { AccLevelPerson } from './acc-level-person.entity';
import { AccLevel } from './acc-level.entity';

/** The levels with these ids, in the given order; -24 when one does not exist. */
export async function requireLevels(m: EntityManager, levelIds: string[]): Promise<AccLevel[]> {
  if (levelIds.length === 0) return [];
  const found = await m.getRepository(AccLevel).find({ where: { id: In(levelIds) } });
  const byId = new Map(found.map((l) => [l.id, l]));
  checkLevels(levelIds, new Set(byId.keys()));
  return levelIds.map((id) => byId.get(id)!);
}

/** -24 when one of `levelIds` is not among the `existing` level ids. */
export function checkLevels(levelIds: readonly string[], existing: ReadonlySet<string>): void {
  const missing = levelIds.filter((id) => !existing.has(id));
  if (missing.length) throw levelNotExist(missing);
}

/**
 * Makes `levelIds` the person's complete set of levels. `checked`: the caller already checked that the levels
 * exist (checkLevels); `fresh`: the person was inserted in this transaction and has no levels to remove.
 */
export async function setPersonLevels(m: EntityManager, personId: string, levelIds: string[], opts: { checked?: boolean; fresh?: boolean } = {}): Promise<void> {
  if (!opts.checked) await requireLevels(m, levelIds);
  if (!opts.fresh) await m.getRepository(AccLevelPerson).delete({ personId });
  await insertPersonLevels(m, levelIds.map((levelId) => ({ levelId, personId })));
}

/**
 * Inserts memberships in the order given, one creation time per row a microsecond apart (levelIdsOf reads them by
 * creation time): accLevelIds reads back in the order it was written, where rows inserted together would all share
 * now() and come back sorted by id. One already there (or given twice) is kept as it is.
 */
async function insertInOrder(m: EntityManager, rows: ReadonlyArray<{ levelId: string; personId: string }>): Promise<void> {
  if (rows.length === 0) return;
  await m.query(
    `INSERT INTO ${intoOf(AccLevelPerson, ['levelId', 'personId', 'createdAt'])}
      SELECT level_id, person_id, now() + (n - 1) * interval '1 microsecond' FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(level_id, person_id, n)
      ON CONFLICT DO NOTHING`,
    [rows.map((r) => r.levelId), rows.map((r) => r.personId)],
  );
}

/** Memberships of persons inserted in this transaction (so holding none yet), levels checked: one INSERT. */
export async function insertPersonLevels(m: EntityManager, rows: ReadonlyArray<{ levelId: string; personId: string }>): Promise<void> {
  await insertInOrder(m, rows);
}

/** Adds levels to the person (kept if already there), after the ones they hold. */
export async function addPersonLevels(m: EntityManager, personId: string, levelIds: string[]): Promise<void> {
  await requireLevels(m, levelIds);
  await insertInOrder(m, levelIds.map((levelId) => ({ levelId, personId })));
}

export async function removePersonLevels(m: EntityManager, personId: string, levelIds: string[]): Promise<void> {
  await requireLevels(m, levelIds);
  if (levelIds.length) await m.getRepository(AccLevelPerson).delete({ personId, levelId: In(levelIds) });
}

/** personId → level ids. */
export async function levelIdsOf(m: EntityManager, personIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (personIds.length === 0) return out;
  const rows = await m.getRepository(AccLevelPerson).find({ where: { personId: In(personIds) }, order: { createdAt: 'ASC', levelId: 'ASC' } });
  for (const r of rows) out.set(r.personId, [...(out.get(r.personId) ?? []), r.levelId]);
  return out;
}
