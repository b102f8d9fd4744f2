import { In, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
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
  if (missing.length) throw new CvError(CvCode.LevelNotExist, `The level group does not exist: ${missing.join(',')}`);
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

/** Memberships of persons inserted in this transaction (so holding none yet), levels checked: one INSERT. */
export async function insertPersonLevels(m: EntityManager, rows: ReadonlyArray<{ levelId: string; personId: string }>): Promise<void> {
  if (rows.length) await m.getRepository(AccLevelPerson).insert([...rows]);
}

/** Adds levels to the person (kept if already there). */
export async function addPersonLevels(m: EntityManager, personId: string, levelIds: string[]): Promise<void> {
  await requireLevels(m, levelIds);
  if (levelIds.length === 0) return;
  await m
    .createQueryBuilder()
    .insert()
    .into(AccLevelPerson)
    .values(levelIds.map((levelId) => ({ levelId, personId })))
    .orIgnore()
    .execute();
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
