import type { EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';

/**
 * CVSecurity's "Add personnel by department", for any level kind (access `acc`, elevator `ele`, entrance-control `psg`,
 * whose member tables are alike): every active person of the department (and, with `withSubDepartments`, of the
 * departments under it) joins level `levelId`, inside the caller's transaction, which then plans those who joined onto
 * the level's devices with its own planner. A resigned person never joins. Answers who joined and how many were members already.
 */
export async function joinDepartmentMembers(
  m: EntityManager,
  module: 'acc' | 'ele' | 'psg',
  levelId: string,
  deptCode: string,
  withSubDepartments: boolean,
): Promise<{ added: string[]; already: number }> {
  const [dept]: Array<{ id: string }> = await m.query(`SELECT id FROM department WHERE code = $1`, [deptCode]);
  if (!dept) throw new CvError(CvCode.DeptNotExist, `The department does not exist: ${deptCode}`);
  const rows: Array<{ person_id: string; added: boolean }> = await m.query(
    `WITH RECURSIVE depts AS (
       SELECT id FROM department WHERE id = $2
       UNION SELECT d.id FROM department d JOIN depts ON d.parent_id = depts.id WHERE $3
     ), members AS (
       SELECT p.id FROM person p WHERE p.dept_id IN (SELECT id FROM depts) AND p.status = 'active'
     ), ins AS (
       INSERT INTO ${module}_level_person (level_id, person_id, created_at)
       SELECT $1, id, now() FROM members ORDER BY id
       ON CONFLICT DO NOTHING RETURNING person_id
     )
     SELECT m.id AS person_id, (ins.person_id IS NOT NULL) AS added FROM members m LEFT JOIN ins ON ins.person_id = m.id`,
    [levelId, dept.id, withSubDepartments],
  );
  const added = rows.filter((r) => r.added).map((r) => r.person_id);
  return { added, already: rows.length - added.length };
}
