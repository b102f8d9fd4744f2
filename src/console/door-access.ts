import type { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import type { ConsoleAuditService } from './audit.service';
import type { ConsoleRequest } from './console-cookie';
import { streamCsv, type CsvColumns } from './console-csv';
import { consolePage } from './console-paging';
import type { FastifyReply } from 'fastify';

/** One person a door admits: who, and through which of their access levels (each with its time segment). */
export interface DoorAccessRow {
  pin: string;
  name: string | null;
  lastName: string | null;
  deptName: string;
  disabled: boolean;
  levels: string[];
}

const FROM = `FROM acc_level_door ld JOIN acc_level_person lp ON lp.level_id = ld.level_id JOIN person p ON p.id = lp.person_id AND p.status = 'active' WHERE ld.door_id = $1`;

async function requireDoor(ds: DataSource, doorId: string): Promise<{ name: string; total: number }> {
  const [door]: Array<{ name: string }> = await ds.query(`SELECT name FROM door WHERE id = $1`, [doorId]);
  if (!door) throw new CvError(CvCode.DoorNotExist, `The door does not exist: ${doorId}`);
  const [{ total }] = await ds.query(`SELECT count(DISTINCT p.id)::int AS total ${FROM}`, [doorId]);
  return { name: door.name, total };
}

/** The persons the door admits, in pin order, from the one after `afterPin` (null: the first). */
async function doorAccessRows(ds: DataSource, doorId: string, afterPin: string | null, offset: number, limit: number): Promise<DoorAccessRow[]> {
  const rows: Array<{ pin: string; name: string | null; last_name: string | null; dept_name: string; is_disabled: boolean; levels: string[] }> = await ds.query(
    `SELECT p.pin, p.name, p.last_name, d.name AS dept_name, p.is_disabled,
            array_agg(l.name || ' (' || coalesce(ts.name, '?') || ')' ORDER BY l.name) AS levels
       ${FROM.replace('WHERE', `JOIN department d ON d.id = p.dept_id JOIN acc_level l ON l.id = ld.level_id LEFT JOIN time_segment ts ON ts.id = l.time_segment_id WHERE`)}
        AND ($2::text IS NULL OR p.pin > $2::text)
      GROUP BY p.id, p.pin, p.name, p.last_name, d.name, p.is_disabled
      ORDER BY p.pin OFFSET $3 LIMIT $4`,
    [doorId, afterPin, offset, limit],
  );
  return rows.map((r) => ({ pin: r.pin, name: r.name, lastName: r.last_name, deptName: r.dept_name, disabled: r.is_disabled, levels: r.levels }));
}

/**
 * CVSecurity's "Access rights by door" report: the active persons one door admits, by the access levels that hold the
 * door, each with those levels and their time segments, paged by pin. What the database grants: the panel's state for a
 * person is on their Panels table.
 */
export async function doorAccessPage(ds: DataSource, doorId: string, q: Record<string, unknown>) {
  const page = consolePage(q);
  const door = await requireDoor(ds, doorId);
  const rows = await doorAccessRows(ds, doorId, null, page.offset, page.size);
  return { door: door.name, total: door.total, page: page.page, size: page.size, rows };
}

/** The report's columns: the REST API's field names, the levels joined by `;` (each "level (time segment)"). */
const DOOR_ACCESS_COLUMNS: CsvColumns<DoorAccessRow & { doorName: string }> = [
  ['doorName', (r) => r.doorName],
  ['pin', (r) => r.pin],
  ['name', (r) => r.name],
  ['lastName', (r) => r.lastName],
  ['deptName', (r) => r.deptName],
  ['isDisabled', (r) => r.disabled],
  ['accLevels', (r) => r.levels.join(';')],
];

/**
 * The report as CSV (CVSecurity's Export on Access rights by door), every person the door admits in pin order, in
 * batches read by pin (keyset, as the persons export), with the console exports' conventions (byte order mark, CRLF,
 * formula-safe fields). Audited as `door.exportAccess` with the door and the row count.
 */
export async function exportDoorAccess(ds: DataSource, audit: ConsoleAuditService, doorId: string, req: ConsoleRequest, reply: FastifyReply): Promise<void> {
  const door = await requireDoor(ds, doorId);
  await audit.record(req.console!.operator, req.ip, 'door.exportAccess', doorId, 'ok', { door: door.name, rows: door.total });
  let after: string | null = null;
  await streamCsv(req, reply, {
    fileName: 'door-access.csv',
    columns: DOOR_ACCESS_COLUMNS,
    total: door.total,
    batch: async (_offset, limit) => {
      const rows = await doorAccessRows(ds, doorId, after, 0, limit);
      after = rows.at(-1)?.pin ?? after;
      return rows.map((r) => ({ ...r, doorName: door.name }));
    },
  });
}
