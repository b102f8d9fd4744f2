import type { DataSource } from 'typeorm';
import { levelNotExist } from '../common/cv-error';
import { consolePage } from './console-paging';

/**
 * One page of a level's members (pin, name, department, resigned or not), as CVSecurity's level pages list them beside
 * the level: an access level (`acc`), an elevator level (`ele`) or an entrance-control level (`psg`), whose tables are named alike.
 */
export async function levelMembersPage(ds: DataSource, module: 'acc' | 'ele' | 'psg', id: string, q: Record<string, unknown>) {
  const page = consolePage(q);
  const [level]: Array<{ name: string }> = await ds.query(`SELECT name FROM ${module}_level WHERE id = $1`, [id]);
  if (!level) throw levelNotExist(id);
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total FROM ${module}_level_person WHERE level_id = $1`, [id]);
  const rows: Array<{ pin: string; name: string | null; last_name: string | null; dept_name: string; status: string }> = await ds.query(
    `SELECT p.pin, p.name, p.last_name, d.name AS dept_name, p.status FROM ${module}_level_person lp JOIN person p ON p.id = lp.person_id JOIN department d ON d.id = p.dept_id
      WHERE lp.level_id = $1 ORDER BY p.pin OFFSET $2 LIMIT $3`,
    [id, page.offset, page.size],
  );
  return { level: level.name, total, page: page.page, size: page.size, rows: rows.map((r) => ({ pin: r.pin, name: r.name, lastName: r.last_name, deptName: r.dept_name, resigned: r.status !== 'active' })) };
}
