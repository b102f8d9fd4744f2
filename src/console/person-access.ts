import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import { personNotExist } from '../common/cv-error';
import { effectiveKindSql } from '../device/device-kind';
import { floorInUseSql } from '../elevator/floor-in-use';
import type { ConsoleAuditService } from './audit.service';
import type { ConsoleRequest } from './console-cookie';
import { streamCsv, type CsvColumns } from './console-csv';
import { consolePage } from './console-paging';

/** One point a person may pass: a door (access levels), a floor (elevator levels) or a gate (entrance-control levels). */
export interface PersonAccessRow {
  type: 'door' | 'floor' | 'gate';
  point: string;
  devSn: string;
  devName: string | null;
  /** A disabled door admits nobody, whatever the levels grant (floors are never disabled). */
  enabled: boolean;
  /** The levels granting it, each "level (time segment)". */
  levels: string[];
}

/** Each module's points of one person ($1: person id), with the levels granting each; `type` orders doors, floors, gates. */
const levelsOf = (l: string) => `array_agg(${l}.name || ' (' || coalesce(ts.name, '?') || ')' ORDER BY ${l}.name) AS levels`;
const POINTS = `
  SELECT 1 AS o, 'door' AS type, dr.name AS point, dv.sn, dv.alias, dr.enabled, ${levelsOf('l')}
    FROM acc_level_person lp JOIN acc_level l ON l.id = lp.level_id JOIN acc_level_door ld ON ld.level_id = l.id
    JOIN door dr ON dr.id = ld.door_id JOIN device dv ON dv.id = dr.device_id LEFT JOIN time_segment ts ON ts.id = l.time_segment_id
   WHERE lp.person_id = $1 GROUP BY dr.id, dr.name, dv.sn, dv.alias, dr.enabled
  UNION ALL
  SELECT 2, 'floor', f.name, dv.sn, dv.alias, true, ${levelsOf('l')}
    FROM ele_level_person lp JOIN ele_level l ON l.id = lp.level_id JOIN ele_level_floor lf ON lf.level_id = l.id
    JOIN floor f ON f.id = lf.floor_id JOIN device dv ON dv.id = f.device_id LEFT JOIN time_segment ts ON ts.id = l.time_segment_id
   WHERE lp.person_id = $1 AND ${floorInUseSql('f')} AND ${effectiveKindSql('dv')} = 'ele' GROUP BY f.id, f.name, dv.sn, dv.alias
  UNION ALL
  SELECT 3, 'gate', g.name, dv.sn, dv.alias, g.enabled, ${levelsOf('l')}
    FROM psg_level_person lp JOIN psg_level l ON l.id = lp.level_id JOIN psg_level_gate lg ON lg.level_id = l.id
    JOIN door g ON g.id = lg.gate_id JOIN device dv ON dv.id = g.device_id LEFT JOIN time_segment ts ON ts.id = l.time_segment_id
   WHERE lp.person_id = $1 AND ${effectiveKindSql('dv')} = 'psg' GROUP BY g.id, g.name, dv.sn, dv.alias, g.enabled`;

interface Who {
  id: string;
  pin: string;
  name: string | null;
  lastName: string | null;
  /** Resigned: the levels are kept for a reinstatement, but no device holds the person. */
  left: boolean;
  total: number;
}

async function requirePerson(ds: DataSource, pin: string): Promise<Who> {
  const [p]: Array<{ id: string; pin: string; name: string | null; last_name: string | null; status: string }> = await ds.query(
    `SELECT id, pin, name, last_name, status FROM person WHERE pin = $1`,
    [pin],
  );
  if (!p) throw personNotExist(pin);
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total FROM (${POINTS}) x`, [p.id]);
  return { id: p.id, pin: p.pin, name: p.name, lastName: p.last_name, left: p.status !== 'active', total };
}

async function accessRows(ds: DataSource, personId: string, offset: number, limit: number): Promise<PersonAccessRow[]> {
  const rows: Array<{ type: PersonAccessRow['type']; point: string; sn: string; alias: string | null; enabled: boolean; levels: string[] }> = await ds.query(
    `SELECT * FROM (${POINTS}) x ORDER BY o, point, sn OFFSET $2 LIMIT $3`,
    [personId, offset, limit],
  );
  return rows.map((r) => ({ type: r.type, point: r.point, devSn: r.sn, devName: r.alias, enabled: r.enabled, levels: r.levels }));
}

/**
 * CVSecurity's "Access rights by person": every door, floor and gate the person's levels grant (access, elevator and
 * entrance-control levels), each with its device and the levels granting it, paged. What the database grants: what
 * each device holds is on the person's Panels table.
 */
export async function personAccessPage(ds: DataSource, pin: string, q: Record<string, unknown>) {
  const page = consolePage(q);
  const who = await requirePerson(ds, pin);
  return { pin: who.pin, left: who.left, total: who.total, page: page.page, size: page.size, rows: await accessRows(ds, who.id, page.offset, page.size) };
}

const COLUMNS: CsvColumns<PersonAccessRow & { who: Who }> = [
  ['pin', (r) => r.who.pin],
  ['name', (r) => r.who.name],
  ['lastName', (r) => r.who.lastName],
  ['type', (r) => r.type],
  ['point', (r) => r.point],
  ['devSn', (r) => r.devSn],
  ['devName', (r) => r.devName],
  ['enabled', (r) => r.enabled],
  ['levels', (r) => r.levels.join(';')],
];

/** The report as CSV, every row (the console exports' conventions). Audited as `person.exportAccess` with the row count. */
export async function exportPersonAccess(ds: DataSource, audit: ConsoleAuditService, pin: string, req: ConsoleRequest, reply: FastifyReply): Promise<void> {
  const who = await requirePerson(ds, pin);
  await audit.record(req.console!.operator, req.ip, 'person.exportAccess', who.pin, 'ok', { rows: who.total });
  await streamCsv(req, reply, {
    fileName: 'person-access.csv',
    columns: COLUMNS,
    total: who.total,
    batch: async (offset, limit) => (await accessRows(ds, who.id, offset, limit)).map((r) => ({ ...r, who })),
  });
}
