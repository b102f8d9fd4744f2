import type { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { consolePage } from './console-paging';

/**
 * CVSecurity's "Access rights by door" report: the active persons one door admits, by the access levels that hold the
 * door, each with those levels and their time segments, paged by pin. What the database grants: the panel's state for a
 * person is on their Panels table.
 */
export async function doorAccessPage(ds: DataSource, doorId: string, q: Record<string, unknown>) {
  const page = consolePage(q);
  const [door]: Array<{ name: string }> = await ds.query(`SELECT name FROM door WHERE id = $1`, [doorId]);
  if (!door) throw new CvError(CvCode.DoorNotExist, `The door does not exist: ${doorId}`);
  const from = `FROM acc_level_door ld JOIN acc_level_person lp ON lp.level_id = ld.level_id JOIN person p ON p.id = lp.person_id AND p.status = 'active' WHERE ld.door_id = $1`;
  const [{ total }] = await ds.query(`SELECT count(DISTINCT p.id)::int AS total ${from}`, [doorId]);
  const rows: Array<{ pin: string; name: string | null; last_name: string | null; dept_name: string; is_disabled: boolean; levels: string[] }> = await ds.query(
    `SELECT p.pin, p.name, p.last_name, d.name AS dept_name, p.is_disabled,
            array_agg(l.name || ' (' || coalesce(ts.name, '?') || ')' ORDER BY l.name) AS levels
       ${from.replace('WHERE', `JOIN department d ON d.id = p.dept_id JOIN acc_level l ON l.id = ld.level_id LEFT JOIN time_segment ts ON ts.id = l.time_segment_id WHERE`)}
      GROUP BY p.id, p.pin, p.name, p.last_name, d.name, p.is_disabled
      ORDER BY p.pin OFFSET $2 LIMIT $3`,
    [doorId, page.offset, page.size],
  );
  return {
    door: door.name,
    total,
    page: page.page,
    size: page.size,
    rows: rows.map((r) => ({ pin: r.pin, name: r.name, lastName: r.last_name, deptName: r.dept_name, disabled: r.is_disabled, levels: r.levels })),
  };
}
