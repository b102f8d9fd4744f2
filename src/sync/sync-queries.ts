/**
 * The planner's reads and state writes, as plain SQL through the caller's EntityManager (so they run in
 * the caller's transaction). Bulk by design: a full sync touches every person of a device in a few queries.
 */
import type { EntityManager } from 'typeorm';
import { effectiveKindSql } from '../device/device-kind';
import { dialectOf, type SyncDevice } from './device-dialect';
import type { DeviceRights, SyncHoliday, SyncPerson, SyncTimeSegment } from './sync-commands';

const ROW_CHUNK = 5000;

export async function loadDevices(m: EntityManager, deviceIds: string[], defaultZone: string): Promise<Map<string, SyncDevice>> {
  if (deviceIds.length === 0) return new Map();
  const rows: Array<{ id: string; sn: string; time_zone: string | null; capabilities: unknown; registration: unknown }> = await m.query(
    // Attendance firmware refuses the access tables (-1004): terminals and kiosks are planned in their own dialect.
    `SELECT id, sn, time_zone, capabilities, registration FROM device
      WHERE id = ANY($1) AND admission = 'admitted' AND ${effectiveKindSql('device')} NOT IN ('att', 'facekiosk')`,
    [deviceIds],
  );
  return new Map(
    rows.map((r) => {
      const { dialect, photoType } = dialectOf(r.capabilities, r.registration);
      return [r.id, { id: r.id, sn: r.sn, timeZone: r.time_zone || defaultZone, dialect, photoType }];
    }),
  );
}

export async function loadPersons(m: EntityManager, where: { personIds: string[] }): Promise<SyncPerson[]> {
  if (where.personIds.length === 0) return [];
  const rows: Array<{
    id: string;
    pin: string;
    name: string | null;
    last_name: string | null;
    card_no: string | null;
    password: string | null;
    is_disabled: boolean;
    acc_start_time: Date | null;
    acc_end_time: Date | null;
    photo: string | null;
    status: string;
    cards: Array<{ cardNo: string; cardType: number }> | null;
  }> = await m.query(
    `SELECT p.id, p.pin, p.name, p.last_name, p.card_no, p.password, p.is_disabled, p.acc_start_time, p.acc_end_time, p.photo, p.status,
            (SELECT json_agg(json_build_object('cardNo', c.card_no, 'cardType', c.card_type) ORDER BY c.card_type, c.card_no)
               FROM card c WHERE c.person_id = p.id) AS cards
       FROM person p WHERE p.id = ANY($1) ORDER BY p.pin`,
    [where.personIds],
  );
  return rows.map((r) => ({
    id: r.id,
    pin: r.pin,
    name: r.name,
    lastName: r.last_name,
    cardNo: r.card_no,
    password: r.password,
    isDisabled: r.is_disabled,
    accStartTime: r.acc_start_time,
    accEndTime: r.acc_end_time,
    photo: r.photo,
    cards: r.cards ?? [],
  }));
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
}

/**
 * What level memberships grant, on admitted devices: each level's time segment (as its TimezoneId) on the
 * doors of the level. One query shape for persons (acc_level_person) and visitors (vis_registration_level),
 * so both reach the devices by the same rule.
 */
export async function loadLevelRights(m: EntityManager, members: LevelMembers, where: { ownerIds?: string[]; deviceId?: string }): Promise<RightsIndex> {
  const byDevice = where.deviceId !== undefined;
  const rows: Array<{ owner_id: string; device_id: string; tz_id: number; doors: number[] }> = await m.query(
    `SELECT ${members.owner} AS owner_id, d.device_id, ts.tz_id, array_agg(DISTINCT d.door_no ORDER BY d.door_no) AS doors
       FROM ${members.from}
       JOIN acc_level l ON l.id = ${members.level}
       JOIN time_segment ts ON ts.id = l.time_segment_id
       JOIN acc_level_door ld ON ld.level_id = l.id
       JOIN door d ON d.id = ld.door_id
       JOIN device dev ON dev.id = d.device_id AND dev.admission = 'admitted'
      WHERE ${byDevice ? 'd.device_id = $1' : `${members.owner} = ANY($1)`}
      GROUP BY ${members.owner}, d.device_id, ts.tz_id`,
    [byDevice ? where.deviceId : (where.ownerIds ?? [])],
  );
  const out: RightsIndex = new Map();
  for (const r of rows) {
    let perDevice = out.get(r.owner_id);
    if (!perDevice) out.set(r.owner_id, (perDevice = new Map()));
    let rights = perDevice.get(r.device_id);
    if (!rights) perDevice.set(r.device_id, (rights = new Map()));
    rights.set(Number(r.tz_id), r.doors.map(Number));
  }
  return out;
}

const PERSON_LEVELS: LevelMembers = {
  from: `acc_level_person lp JOIN person p ON p.id = lp.person_id AND p.status = 'active'`,
  owner: 'lp.person_id',
  level: 'lp.level_id',
};

/** personId → deviceId → TimezoneId → door numbers, for active persons on admitted devices. */
export function loadRights(m: EntityManager, where: { personIds?: string[]; deviceId?: string }): Promise<RightsIndex> {
  return loadLevelRights(m, PERSON_LEVELS, { ownerIds: where.personIds, deviceId: where.deviceId });
}

export interface SyncRow {
  deviceId: string;
  pin: string;
  rights: Array<[number, number]>;
  photoHash: string | null;
}

export async function loadSyncRows(m: EntityManager, where: { pins?: string[]; deviceId?: string }): Promise<SyncRow[]> {
  const rows: Array<{ device_id: string; pin: string; rights: Array<[number, number]>; photo_hash: string | null }> =
    where.deviceId !== undefined
      ? await m.query(`SELECT device_id, pin, rights, photo_hash FROM sync_device_person WHERE device_id = $1`, [where.deviceId])
      : await m.query(`SELECT device_id, pin, rights, photo_hash FROM sync_device_person WHERE pin = ANY($1)`, [where.pins ?? []]);
  return rows.map((r) => ({ deviceId: r.device_id, pin: r.pin, rights: r.rights ?? [], photoHash: r.photo_hash }));
}

export async function upsertSyncRows(m: EntityManager, rows: SyncRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROW_CHUNK) {
    const chunk = rows.slice(i, i + ROW_CHUNK).map((r) => ({ device_id: r.deviceId, pin: r.pin, rights: r.rights, photo_hash: r.photoHash }));
    await m.query(
      `INSERT INTO sync_device_person (device_id, pin, rights, photo_hash, planned_at)
       SELECT x.device_id, x.pin, x.rights, x.photo_hash, now()
         FROM jsonb_to_recordset($1::jsonb) AS x(device_id char(32), pin varchar, rights jsonb, photo_hash varchar)
       ON CONFLICT (device_id, pin) DO UPDATE SET rights = EXCLUDED.rights, photo_hash = EXCLUDED.photo_hash, planned_at = now()`,
      [JSON.stringify(chunk)],
    );
  }
}

export async function deleteSyncRows(m: EntityManager, rows: Array<{ deviceId: string; pin: string }>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROW_CHUNK) {
    const chunk = rows.slice(i, i + ROW_CHUNK).map((r) => ({ device_id: r.deviceId, pin: r.pin }));
    await m.query(
      `DELETE FROM sync_device_person s USING jsonb_to_recordset($1::jsonb) AS x(device_id char(32), pin varchar)
        WHERE s.device_id = x.device_id AND s.pin = x.pin`,
      [JSON.stringify(chunk)],
    );
  }
}

/** deviceId → TimezoneIds the device has been sent. */
export async function loadDeviceTimezones(m: EntityManager, deviceIds: string[]): Promise<Map<string, Set<number>>> {
  const out = new Map<string, Set<number>>(deviceIds.map((d) => [d, new Set<number>()]));
  if (deviceIds.length === 0) return out;
  const rows: Array<{ device_id: string; tz_id: number }> = await m.query(`SELECT device_id, tz_id FROM sync_device_timezone WHERE device_id = ANY($1)`, [deviceIds]);
  for (const r of rows) out.get(r.device_id)?.add(Number(r.tz_id));
  return out;
}

export async function markDeviceTimezones(m: EntityManager, pairs: Array<{ deviceId: string; tzId: number }>): Promise<void> {
  if (pairs.length === 0) return;
  await m.query(
    `INSERT INTO sync_device_timezone (device_id, tz_id, planned_at)
     SELECT x.device_id, x.tz_id, now() FROM jsonb_to_recordset($1::jsonb) AS x(device_id char(32), tz_id int)
     ON CONFLICT (device_id, tz_id) DO UPDATE SET planned_at = now()`,
    [JSON.stringify(pairs.map((p) => ({ device_id: p.deviceId, tz_id: p.tzId })))],
  );
}

export async function loadTimeSegments(m: EntityManager, tzIds: number[]): Promise<SyncTimeSegment[]> {
  if (tzIds.length === 0) return [];
  const rows: Array<{ tz_id: number; schedule: SyncTimeSegment['schedule'] }> = await m.query(
    `SELECT tz_id, schedule FROM time_segment WHERE tz_id = ANY($1) ORDER BY tz_id`,
    [tzIds],
  );
  return rows.map((r) => ({ tzId: Number(r.tz_id), schedule: r.schedule }));
}

export async function loadHolidays(m: EntityManager): Promise<SyncHoliday[]> {
  const rows: Array<{ start_date: string; end_date: string; holiday_type: number; is_loop_by_year: boolean }> = await m.query(
    `SELECT to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date, holiday_type, is_loop_by_year
       FROM holiday ORDER BY start_date, name`,
  );
  return rows.map((r) => ({ startDate: r.start_date, endDate: r.end_date, holidayType: Number(r.holiday_type), isLoopByYear: r.is_loop_by_year }));
}
