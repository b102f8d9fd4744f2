/**
 * What elevator levels (floors, 2.2) and entrance-control levels (gates, 2.32) grant on elevator and channel
 * controllers, in the shapes the one planner reads for access levels: owner → device → TimezoneId → points,
 * the time zones each controller needs, the controllers a pin has rights on, and the pins of a controller.
 * A controller's points are floor numbers (its `usereleauthorize` rows, item kind `eleauth`) or gate numbers
 * (its `userauthorize` rows, kind `auth`). Plain SQL through the caller's EntityManager.
 */
import type { EntityManager } from 'typeorm';
import { effectiveKindSql } from '../device/device-kind';
import { floorInUseSql } from '../elevator/floor-in-use';
import type { RightsIndex } from './sync-queries';
import { namedQuery } from '../database/prepared-query.service';

/** 'ele': elevator controller (floors, usereleauthorize); 'psg': channel controller (gates, userauthorize). */
export type ModuleKind = 'ele' | 'psg';

/** Device kinds whose rights come from their own level tables (not from access levels). */
export const MODULE_KINDS = ['ele', 'psg'] as const;

/**
 * Each level's points per admitted controller and its TimezoneId, one row per (level, controller): floors
 * exist only on elevator controllers; gates are doors of channel controllers (psg_level_gate).
 */
const GRANTS = `
  SELECT 'ele' AS module, l.id AS level_id, f.device_id, ts.tz_id, ts.schedule, array_agg(DISTINCT f.floor_no) AS points
    FROM ele_level l JOIN time_segment ts ON ts.id = l.time_segment_id
    JOIN ele_level_floor lf ON lf.level_id = l.id JOIN floor f ON f.id = lf.floor_id AND ${floorInUseSql('f')}
    JOIN device dev ON dev.id = f.device_id AND dev.admission = 'admitted' AND ${effectiveKindSql('dev')} = 'ele'
   WHERE %DEVICE%(f.device_id) GROUP BY l.id, f.device_id, ts.tz_id, ts.schedule
  UNION ALL
  SELECT 'psg', l.id, d.device_id, ts.tz_id, ts.schedule, array_agg(DISTINCT d.door_no)
    FROM psg_level l JOIN time_segment ts ON ts.id = l.time_segment_id
    JOIN psg_level_gate lg ON lg.level_id = l.id JOIN door d ON d.id = lg.gate_id
    JOIN device dev ON dev.id = d.device_id AND dev.admission = 'admitted' AND ${effectiveKindSql('dev')} = 'psg'
   WHERE %DEVICE%(d.device_id) GROUP BY l.id, d.device_id, ts.tz_id, ts.schedule`;

const grantsSql = (deviceParam: string | null) => GRANTS.replace(/%DEVICE%\(([^)]+)\)/g, (_, col) => (deviceParam ? `${col} = ANY(${deviceParam})` : 'true'));

/** Who holds module levels: persons (their own level tables), or checked-in visitors (their visitor levels). */
export type ModuleOwners = 'person' | 'visitor';

/**
 * Members of a module level that count, by owner: active persons (`person_id`: the person's id) and checked-in
 * visitors, whose visitor levels may be elevator or entrance-control levels (`person_id`: the registration's id).
 * A visitor's level is an id of one level table: tried as both modules, it matches the grants of its own.
 */
const MEMBERS: Record<ModuleOwners, string> = {
  person: `
  SELECT 'ele' AS module, lp.level_id, lp.person_id, p.pin FROM ele_level_person lp JOIN person p ON p.id = lp.person_id AND p.status = 'active'
  UNION ALL
  SELECT 'psg', lp.level_id, lp.person_id, p.pin FROM psg_level_person lp JOIN person p ON p.id = lp.person_id AND p.status = 'active'`,
  visitor: `
  SELECT m.module, rl.level_id, r.id AS person_id, r.visitor_pin AS pin FROM vis_registration_level rl
    JOIN vis_registration r ON r.id = rl.registration_id AND r.state = 'in' CROSS JOIN (VALUES ('ele'), ('psg')) AS m(module)`,
};
/** Every member of a module level, persons and visitors, by pin. */
const ALL_MEMBERS = `${MEMBERS.person} UNION ALL ${MEMBERS.visitor}`;

/**
 * personId (a visit's registration id for `visitor`) → deviceId → TimezoneId → points on admitted elevator and
 * channel controllers; owners and devices narrow it. A site without module levels pays one query that finds nothing.
 */
export async function loadModuleRights(m: EntityManager, where: { personIds?: string[]; deviceIds?: string[] }, owners: ModuleOwners = 'person'): Promise<RightsIndex> {
  const params: unknown[] = [];
  if (where.deviceIds) params.push(where.deviceIds);
  if (where.personIds) params.push(where.personIds);
  const personParam = where.personIds ? `$${params.length}` : null;
  const rows: Array<{ person_id: string; device_id: string; tz_id: number; points: number[] }> = await namedQuery(m,
    `WITH g AS (${grantsSql(where.deviceIds ? '$1' : null)}), mem AS (${MEMBERS[owners]})
     SELECT mem.person_id, g.device_id, g.tz_id, g.points FROM mem JOIN g ON g.module = mem.module AND g.level_id = mem.level_id
      ${personParam ? `WHERE mem.person_id IN (SELECT unnest(${personParam}::char(32)[]))` : ''}`,
    params,
  );
  const out: RightsIndex = new Map();
  for (const r of rows) {
    let perDevice = out.get(r.person_id);
    if (!perDevice) out.set(r.person_id, (perDevice = new Map()));
    let rights = perDevice.get(r.device_id);
    if (!rights) perDevice.set(r.device_id, (rights = new Map()));
    const tz = Number(r.tz_id);
    rights.set(tz, [...new Set([...(rights.get(tz) ?? []), ...r.points.map(Number)])].sort((a, b) => a - b));
  }
  return out;
}

/** The time zones the module levels of these controllers use (with their schedules), whether or not a level has members. */
export async function loadModuleTimezones(m: EntityManager, deviceIds: string[]): Promise<Array<{ device_id: string; tz_id: number; schedule: unknown }>> {
  return namedQuery(m, `SELECT DISTINCT g.device_id, g.tz_id, g.schedule FROM (${grantsSql('$1')}) g`, [deviceIds]);
}

/** SQL selecting `device_id`: the admitted elevator and channel controllers where the pins in `pinsParam` (a text[] parameter) have rights, as persons or checked-in visitors. */
export const moduleDevicesGrantingSql = (pinsParam: string): string =>
  `SELECT device_id FROM (WITH g AS (${grantsSql(null)}), mem AS (${ALL_MEMBERS})
     SELECT DISTINCT g.device_id FROM mem JOIN g ON g.module = mem.module AND g.level_id = mem.level_id
      WHERE mem.pin IN (SELECT unnest(${pinsParam}::text[]))) module_devices`;

/**
 * SQL selecting the pins (persons and checked-in visitors) with rights on the controllers in `deviceParam` (an SQL array expression), for the
 * planner to union with the access pins of a device and page through in one query.
 */
export const moduleDevicePinsSql = (deviceParam: string): string =>
  `SELECT mem.pin FROM (${ALL_MEMBERS}) mem JOIN (${grantsSql(deviceParam)}) g ON g.module = mem.module AND g.level_id = mem.level_id`;

/** Merges the module rights into access rights (disjoint devices: a controller is never an access panel). */
export function mergeRights(into: RightsIndex, more: RightsIndex): RightsIndex {
  for (const [owner, perDevice] of more) {
    const have = into.get(owner);
    if (!have) into.set(owner, perDevice);
    else for (const [d, r] of perDevice) have.set(d, r);
  }
  return into;
}
