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

/**
 * -25 "No person under the access level" when one of these existing levels has no member: no person, and no visitor
 * checked in under it (2.1.5, 2.2.5 and 2.32.5 re-send a level's persons; with none there is nothing to send, and an
 * answer of success would say a level was synced that reached no device). `module` names the level's tables.
 */
export async function requireMembers(m: EntityManager, module: 'acc' | 'ele' | 'psg', levelIds: readonly string[]): Promise<void> {
  if (levelIds.length === 0) return;
  const empty: Array<{ id: string }> = await m.query(
    `SELECT l.id FROM unnest($1::text[]) WITH ORDINALITY AS l(id, n)
     WHERE NOT EXISTS (SELECT 1 FROM ${module}_level_person lp WHERE lp.level_id = l.id)
       AND NOT EXISTS (SELECT 1 FROM vis_registration_level rl JOIN vis_registration r ON r.id = rl.registration_id AND r.state = 'in' WHERE rl.level_id = l.id)
     ORDER BY l.n`,
    [levelIds],
  );
  if (empty.length) throw new CvError(CvCode.NoPersonInLevel, `No person under the access level: ${empty.map((r) => r.id).join(',')}`);
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
