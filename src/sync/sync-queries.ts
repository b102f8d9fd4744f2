/**
 * The planner's reads and state writes, as plain SQL through the caller's EntityManager (so they run in
 * the caller's transaction). Bulk by design: a full sync touches every person of a device in a few queries.
 */
import type { EntityManager } from 'typeorm';
import { effectiveKindSql } from '../device/device-kind';
import { PANEL_BIODATA_TYPE_REFUSAL } from '../push/protocol';
import { FOR_GOOD_SQL } from '../push/device-refusals';
import { dialectOf, type SyncDevice } from './device-dialect';
import { MODULE_KINDS, type ModuleKind } from './module-rights';
import type { DeviceRights, SyncHoliday, SyncPerson, SyncTimeSegment } from './sync-commands';
import { namedQuery } from '../database/prepared-query.service';
import { read, runRead, type Read } from '../database/read-together';

/**
 * The devices the planner plans, admitted ones only. Attendance terminals and kiosks are planned in their own
 * dialect (attendance-sync.service.ts: their firmware refuses the access tables, -1004); elevator and channel
 * controllers are planned here, with `module` set (their rights come from their own levels, module-rights.ts).
 */
export async function loadDevices(m: EntityManager, deviceIds: string[], defaultZone: string): Promise<Map<string, SyncDevice>> {
  if (deviceIds.length === 0) return new Map();
  return loadDevicesWhere(m, '$1', [deviceIds], defaultZone);
}

/** loadDevices of the ids an SQL expression gives (`ids`: an array, or a subquery of ids with its parameters). */
export async function loadDevicesWhere(m: EntityManager, ids: string, params: unknown[], defaultZone: string): Promise<Map<string, SyncDevice>> {
  // Only what dialectOf reads: a device's capabilities and registration are a few kilobytes of JSON each, and
  // every write group read, sent and parsed them whole for each of its devices (10 MB per 2,000 persons added).
  // A template type whose biodata the panel refused for good (refusals.ts PANEL_BIODATA_TYPE_REFUSAL) is none of the
  // types it takes until the refusal's probe is due, as a refused table is none of its tables (loadRefusals): the
  // person's set on that panel is their other templates; the probe puts the type back, and the set goes with it.
  const rows: Array<{ id: string; sn: string; time_zone: string | null; capabilities: unknown; registration: unknown; kind: string; refused_types: string[] | null }> = await namedQuery(m,
    `SELECT id, sn, time_zone,
            ARRAY(SELECT substr(r.what, ${PANEL_BIODATA_TYPE_REFUSAL.length + 1}) FROM device_refusal r
                   WHERE r.device_id = device.id AND starts_with(r.what, '${PANEL_BIODATA_TYPE_REFUSAL}') AND ${FOR_GOOD_SQL} AND r.probe_at > now()) AS refused_types,
            CASE WHEN jsonb_typeof(capabilities->'dialect') = 'object' THEN jsonb_build_object('dialect', capabilities->'dialect', 'multiBioPhotoSupport', capabilities->'multiBioPhotoSupport') END AS capabilities,
            CASE WHEN jsonb_typeof(capabilities->'dialect') = 'object' THEN NULL ELSE registration END AS registration, ${effectiveKindSql('device')} AS kind FROM device
      WHERE id ${ids === '$1' ? '= ANY($1)' : `IN (${ids})`} AND admission = 'admitted' AND ${effectiveKindSql('device')} NOT IN ('att', 'facekiosk')`,
    params,
  );
  return new Map(
    rows.map((r) => {
      const { dialect: announced, photoType } = dialectOf(r.capabilities, r.registration);
      const refusedTypes = (r.refused_types ?? []).map(Number);
      const dialect = refusedTypes.length === 0 ? announced : { ...announced, bioTypes: announced.bioTypes.filter((t) => !refusedTypes.includes(t)) };
      const module = (MODULE_KINDS as readonly string[]).includes(r.kind) ? (r.kind as ModuleKind) : undefined;
      const refused = refusedTypes.length === 0 ? {} : { announcedBioTypes: announced.bioTypes };
      return [r.id, { id: r.id, sn: r.sn, timeZone: r.time_zone || defaultZone, dialect, photoType, ...(module ? { module } : {}), ...refused }];
    }),
  );
}

export async function loadPersons(m: EntityManager, where: { personIds: string[] }): Promise<SyncPerson[]> {
  if (where.personIds.length === 0) return [];
  return runRead(m, personsRead(where));
}

/** Persons by id, or by pin (any status: the caller keeps those with rights), in pin order, as a read (read-together.ts). */
export function personsRead(where: { personIds: string[] } | { pins: readonly string[] }): Read<SyncPerson[]> {
  const byPin = 'pins' in where;
  return read(
    `SELECT p.id, p.pin, p.name, p.last_name, p.card_no, p.password, p.is_disabled, p.acc_start_time, p.acc_end_time, p.photo, p.status,
            (SELECT json_agg(json_build_object('cardNo', c.card_no, 'cardType', c.card_type) ORDER BY c.card_type, c.card_no)
               FROM card c WHERE c.person_id = p.id) AS cards
       FROM person p WHERE ${byPin ? 'p.pin IN (SELECT unnest($1::text[]))' : 'p.id IN (SELECT unnest($1::char(32)[]))'} ORDER BY p.pin`,
    [byPin ? where.pins : where.personIds],
    (rows: Array<{
      id: string;
      pin: string;
      name: string | null;
      last_name: string | null;
      card_no: string | null;
      password: string | null;
      is_disabled: boolean;
      acc_start_time: Date | string | null;
      acc_end_time: Date | string | null;
      photo: string | null;
      status: string;
      cards: Array<{ cardNo: string; cardType: number }> | null;
    }>) =>
      rows.map((r) => ({
        ...personBasics(r),
        isDisabled: r.is_disabled,
        accStartTime: r.acc_start_time === null ? null : new Date(r.acc_start_time),
        accEndTime: r.acc_end_time === null ? null : new Date(r.acc_end_time),
        photo: r.photo,
        cards: r.cards ?? [],
      })),
  );
}

/** The columns every planner takes from a person row, in the planner's names. */
export function personBasics(r: { id: string; pin: string; name: string | null; last_name: string | null; card_no: string | null; password: string | null }) {
  return { id: r.id, pin: r.pin, name: r.name, lastName: r.last_name, cardNo: r.card_no, password: r.password };
}

/** owner (a person, or a visit) → deviceId → TimezoneId → door numbers. */
export type RightsIndex = Map<string, Map<string, DeviceRights>>;

/** Where the level memberships of loadLevelRights come from; SQL fragments, constants of the callers only. */
export interface LevelMembers {
  /** FROM clause: the membership table, joined to its owner so only live owners count. */
  from: string;
  /** owner id and level id columns of `from`. */
  owner: string;
  level: string;
  /** The owner's pin, in `from`. */
  pin: string;
}

/** What a level grants on one device: the level's time segment (as its TimezoneId) on the level's doors there. */
export interface LevelGrant {
  level_id: string;
  device_id: string;
  tz_id: number;
  doors: number[];
}

/** Who holds which level. */
export interface LevelHeld {
  owner_id: string;
  level_id: string;
}

/**
 * What each access level grants per admitted device (levels × devices rows), on these devices or all; a door
 * disabled by an operator (CVSecurity's Door > Disable) grants nothing until it is enabled again. Elevator
 * and channel controllers take rights from their own levels (module-rights.ts): a psg gate in an access level
 * grants nothing.
 */
export function grantsRead(deviceIds?: readonly string[]): Read<LevelGrant[]> {
  return read(
    `SELECT l.id AS level_id, d.device_id, ts.tz_id, array_agg(DISTINCT d.door_no ORDER BY d.door_no) AS doors
       FROM acc_level l
       JOIN time_segment ts ON ts.id = l.time_segment_id
       JOIN acc_level_door ld ON ld.level_id = l.id
       JOIN door d ON d.id = ld.door_id AND d.enabled
       JOIN device dev ON dev.id = d.device_id AND dev.admission = 'admitted' AND ${effectiveKindSql('dev')} NOT IN ('ele', 'psg')
      ${deviceIds ? 'WHERE d.device_id = ANY($1)' : ''}
      GROUP BY l.id, d.device_id, ts.tz_id`,
    deviceIds ? [deviceIds] : [],
    (rows: LevelGrant[]) => rows,
  );
}

/** Level memberships of `members`: of these levels (and owners), or of the owners of these pins. */
export function heldRead(members: LevelMembers, where: { levelIds: string[]; ownerIds?: string[] } | { pins: readonly string[] }): Read<LevelHeld[]> {
  const filter =
    'pins' in where
      ? `${members.pin} IN (SELECT unnest($1::text[]))`
      : `${members.level} = ANY($1) ${where.ownerIds ? `AND ${members.owner} IN (SELECT unnest($2::char(32)[]))` : ''}`;
  const params = 'pins' in where ? [where.pins] : where.ownerIds ? [where.levelIds, where.ownerIds] : [where.levelIds];
  return read(`SELECT ${members.owner} AS owner_id, ${members.level} AS level_id FROM ${members.from} WHERE ${filter}`, params, (rows: LevelHeld[]) => rows);
}

/** owner → device → TimezoneId → door numbers, from what levels grant and who holds them (levels granting nothing are left out). */
export function rightsIndex(grants: readonly LevelGrant[], held: readonly LevelHeld[]): RightsIndex {
  const byLevel = new Map<string, LevelGrant[]>();
  for (const g of grants) {
    let l = byLevel.get(g.level_id);
    if (!l) byLevel.set(g.level_id, (l = []));
    l.push(g);
  }
  const out: RightsIndex = new Map();
  for (const h of held) {
    const granted = byLevel.get(h.level_id);
    if (!granted) continue;
    let perDevice = out.get(h.owner_id);
    if (!perDevice) out.set(h.owner_id, (perDevice = new Map()));
    for (const g of granted) {
      let rights = perDevice.get(g.device_id);
      if (!rights) perDevice.set(g.device_id, (rights = new Map()));
      const tz = Number(g.tz_id);
      const doors = rights.get(tz);
      rights.set(tz, doors ? [...new Set([...doors, ...g.doors.map(Number)])].sort((a, b) => a - b) : g.doors.map(Number));
    }
  }
  return out;
}

/**
 * What level memberships grant, on admitted devices: each level's time segment (as its TimezoneId) on the
 * doors of the level. One query shape for persons (acc_level_person) and visitors (vis_registration_level),
 * so both reach the devices by the same rule.
 */
export async function loadLevelRights(m: EntityManager, members: LevelMembers, where: { ownerIds?: string[]; deviceId?: string; deviceIds?: string[] }): Promise<RightsIndex> {
  // No owners (no person or visit behind the pins in scope): nothing to look up.
  if (where.ownerIds?.length === 0) return new Map();
  const deviceIds = where.deviceIds ?? (where.deviceId !== undefined ? [where.deviceId] : undefined);
  // Two small queries joined here rather than one GROUP BY over every membership × door: what each level grants
  // per device (levels × devices rows), then who holds which level.
  const grants = await runRead(m, grantsRead(deviceIds));
  if (grants.length === 0) return new Map();
  const held = await runRead(m, heldRead(members, { levelIds: [...new Set(grants.map((g) => g.level_id))], ownerIds: where.ownerIds }));
  return rightsIndex(grants, held);
}

export const PERSON_LEVELS: LevelMembers = {
  from: `acc_level_person lp JOIN person p ON p.id = lp.person_id AND p.status = 'active'`,
  owner: 'lp.person_id',
  level: 'lp.level_id',
  pin: 'p.pin',
};

/** personId → deviceId → TimezoneId → door numbers, for active persons on admitted devices. */
export function loadRights(m: EntityManager, where: { personIds?: string[]; deviceId?: string; deviceIds?: string[] }): Promise<RightsIndex> {
  return loadLevelRights(m, PERSON_LEVELS, { ownerIds: where.personIds, deviceId: where.deviceId, deviceIds: where.deviceIds });
}

export async function loadTimeSegments(m: EntityManager, tzIds: number[]): Promise<SyncTimeSegment[]> {
  if (tzIds.length === 0) return [];
  const rows: Array<{ tz_id: number; schedule: SyncTimeSegment['schedule'] }> = await namedQuery(m,
    `SELECT tz_id, schedule FROM time_segment WHERE tz_id = ANY($1) ORDER BY tz_id`,
    [tzIds],
  );
  return rows.map((r) => ({ tzId: Number(r.tz_id), schedule: r.schedule }));
}

/** The holidays, as a read that can share a round trip (read-together.ts). */
export function holidaysRead(): Read<SyncHoliday[]> {
  return read(
    `SELECT to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date, holiday_type, is_loop_by_year
       FROM holiday ORDER BY start_date, name`,
    [],
    (rows: Array<{ start_date: string; end_date: string; holiday_type: number; is_loop_by_year: boolean }>) =>
      rows
        // Holidays in calendar order (rows read together come back through an aggregate, whose order is not promised).
        .sort((x, y) => (x.start_date < y.start_date ? -1 : x.start_date > y.start_date ? 1 : 0))
        .map((r) => ({ startDate: r.start_date, endDate: r.end_date, holidayType: Number(r.holiday_type), isLoopByYear: r.is_loop_by_year })),
  );
}

/** Where a level's points are: the access panels of its doors, the elevator controllers of its floors, the channel controllers of its gates. */
const LEVEL_DEVICES_SQL = {
  acc: `SELECT DISTINCT d.device_id FROM acc_level_door ld JOIN door d ON d.id = ld.door_id WHERE ld.level_id = ANY($1)`,
  ele: `SELECT DISTINCT f.device_id FROM ele_level_floor lf JOIN floor f ON f.id = lf.floor_id WHERE lf.level_id = ANY($1)`,
  psg: `SELECT DISTINCT d.device_id FROM psg_level_gate lg JOIN door d ON d.id = lg.gate_id WHERE lg.level_id = ANY($1)`,
} as const;

/** The devices holding a point (door, floor, gate) of any of `levelIds`: those a REST level sync (2.1.5/2.1.6, 2.2.5/2.2.6, 2.32.5/2.32.6) is for. */
export async function levelDevices(m: EntityManager, module: keyof typeof LEVEL_DEVICES_SQL, levelIds: readonly string[]): Promise<string[]> {
  if (levelIds.length === 0) return [];
  const rows: Array<{ device_id: string }> = await m.query(LEVEL_DEVICES_SQL[module], [levelIds]);
  return rows.map((r) => r.device_id);
}
