/**
 * Desired state: what each device should hold, derived from persons, visitors, levels, doors, time segments,
 * holidays, templates, photos and channel controllers' pass rules. Set-based: one query per table for many devices and many pins.
 */
import type { EntityManager } from 'typeorm';
import { encodeValiditySeconds, instantToWallClock, type DoorOptionsRecord, type FirstCardRecord, type HolidayRecord, type TimezoneRecord } from '../push/protocol';
import { deviceAccepts, loadTemplates, templatesRead, type StoredTemplate } from './bio-sync';
import type { SyncDevice } from './device-dialect';
import { holidayKey, holidayRecords, mulCardRecords, rightsRecords, toWeeklySchedule, userRecordFor, type SyncPerson } from './sync-commands';
import { emptyDesired, unsafeValue, type DesiredDevice, type MemberOnDevice } from './sync-items';
import { loadModuleRights, loadModuleTimezones, mergeRights, type ModuleOwners } from './module-rights';
import { grantsRead, heldRead, holidaysRead, loadPersons, loadRights, PERSON_LEVELS, personsRead, rightsIndex, type LevelGrant, type LevelHeld } from './sync-queries';
import type { SyncHoliday } from './sync-commands';
import { gatePassRuleRecord, passRulesRead, type PassRuleRow } from './pass-rules';
import { asSyncPerson, loadVisitorRights, loadVisitors, VISITOR_LEVELS, visitorsRead, type SyncVisitor } from './visitor-sync';
import { read, readAll, runRead, type Read } from '../database/read-together';
import { DEFAULT_TIME_SEGMENT } from '../timeSegment/time-segment.entity';
import { panelRuleRecords, panelRulesRead, type PanelRulesRow } from './panel-rules-sync';

/** Which pins to look at: all (a full sync, a verification) or these. */
export type PinScope = readonly string[] | null;

type DoorOptionsRow = {
  device_id: string;
  door_no: number;
  lock_delay: number;
  sensor_type: number | null;
  sensor_delay: number | null;
  op_interval: number | null;
  /** The passage mode segment's TimezoneId when set (0: set to none), null when never set. */
  keep_open_tz: number | null;
  valid_tz: number | null;
  close_and_lock: boolean | null;
  duress_password: string | null;
  emergency_password: string | null;
};

/** The options of the doors whose parameters an operator set (door.options_set), on access panels only. */
function doorOptionsRead(panels: readonly string[]): Read<DoorOptionsRow[]> {
  return read(
    `SELECT d.device_id, d.door_no, d.lock_delay, d.sensor_type, d.sensor_delay, d.op_interval,
            CASE WHEN d.keep_open_set THEN coalesce(k.tz_id, 0) END AS keep_open_tz, v.tz_id AS valid_tz, d.close_and_lock, d.duress_password, d.emergency_password
       FROM door d LEFT JOIN time_segment k ON k.id = d.keep_open_segment_id LEFT JOIN time_segment v ON v.id = d.valid_segment_id
      WHERE d.device_id = ANY($1) AND d.options_set`,
    [panels],
    (rows: DoorOptionsRow[]) => rows,
  );
}

/** A door's row as the options its panel is sent (setDoorOptions): a parameter never set is left out. */
function doorOptionsRecord(r: DoorOptionsRow): DoorOptionsRecord {
  const opt = (v: number | null) => (v === null ? undefined : Number(v));
  return {
    doorNo: Number(r.door_no),
    drivertime: Number(r.lock_delay),
    sensorType: opt(r.sensor_type),
    detectortime: opt(r.sensor_delay),
    intertime: opt(r.op_interval),
    keepOpenTz: opt(r.keep_open_tz),
    validTz: opt(r.valid_tz),
    closeAndLock: r.close_and_lock === null ? undefined : r.close_and_lock ? 1 : 0,
    forcePassword: r.duress_password ?? undefined,
    superPassword: r.emergency_password ?? undefined,
  };
}

type FirstCardRow = { device_id: string; door_no: number; tz_id: number; pin: string };

/**
 * First-Person Normally Open (acc_first_open): every rule's persons on the panels' doors, as their `firstcard` rows
 * (DoorID, TimezoneID, Pin), whatever rights those persons hold: CVSecurity adds a person without rights on the door
 * too, and the panel lets only those with rights verify anyway. In a stable order, so the door's hash is its rows.
 */
function firstCardsRead(panels: readonly string[]): Read<FirstCardRow[]> {
  return read(
    `SELECT d.device_id, d.door_no, ts.tz_id, p.pin FROM acc_first_open f JOIN door d ON d.id = f.door_id JOIN time_segment ts ON ts.id = f.time_segment_id
       JOIN acc_first_open_person fp ON fp.first_open_id = f.id JOIN person p ON p.id = fp.person_id
     WHERE d.device_id = ANY($1) ORDER BY d.device_id, d.door_no, ts.tz_id, p.pin`,
    [panels],
    (rows: FirstCardRow[]) => rows,
  );
}

type TzRow = { device_id: string; tz_id: number; schedule: TimezoneRecord['schedule'] & object };

/** Who the pins in scope are and what they hold: persons, current visits, their levels and templates. */
interface ScopedOwners {
  grants: LevelGrant[];
  personLevels: LevelHeld[];
  visitLevels: LevelHeld[];
  persons: SyncPerson[];
  visitors: SyncVisitor[];
  templates: StoredTemplate[];
}

/** What loadDesired reads before it builds anything; `scoped` when the pins are known (not a whole device). */
export interface DesiredBase {
  tz: TzRow[];
  holidays: SyncHoliday[];
  passRules: PassRuleRow[];
  doorOptions: DoorOptionsRow[];
  panelRules: PanelRulesRow[];
  firstCards: FirstCardRow[];
  scoped?: ScopedOwners;
}

/**
 * loadDesired's reads, as one read (read-together.ts), to share a round trip with the planner's own: a plan
 * holds its devices' order locks while it reads, and each round trip costs every other plan of those devices
 * the wait. For pins in scope, none of them depends on another: the owners are found by pin, and what their
 * levels grant on the devices in scope is joined here. A whole device (null scope) is read level by level
 * instead (loadDesired).
 */
export function desiredBaseRead(devices: readonly SyncDevice[], pins: PinScope): Read<DesiredBase> {
  const deviceIds = devices.map((d) => d.id);
  // An access panel with a level on its doors also holds the seeded 24-Hour Accessible, whether or not one of those
  // levels uses it: its doors' active time zone (Door<n>ValidTZ, manual 9.5.1 / Appendix 10) is TimezoneId 1 as
  // CVSecurity and the factory leave it, and the gateway never changes it. Deleting it when the last such level
  // moved to another segment closed the panel's doors to everyone (event 21, outside the door's valid time period).
  // A panel without levels is granted to nobody: what it holds is left as the registration rules say (owe()).
  // A door's passage mode and active time zones (the door edit's, Door<n>KeepOpenTimeZone / ValidTZ) name time zones
  // its panel must hold too: the segments they use are among its time zones, sent before the door's options.
  // Elevator and channel controllers take the time zones of their own levels only (loadDesired): an access level on
  // a controller's doors (a panel that became one keeps its places in access levels) grants it nothing.
  const panels = devices.filter((d) => !d.module).map((d) => d.id);
  const tz = read(
    `SELECT DISTINCT d.device_id, ts.tz_id, ts.schedule FROM acc_level l JOIN time_segment ts ON ts.id = l.time_segment_id
       JOIN acc_level_door ld ON ld.level_id = l.id JOIN door d ON d.id = ld.door_id WHERE d.device_id = ANY($1)
     UNION
     SELECT DISTINCT d.device_id, ts.tz_id, ts.schedule FROM acc_level_door ld JOIN door d ON d.id = ld.door_id
       JOIN time_segment ts ON ts.name = $2 WHERE d.device_id = ANY($1)
     UNION
     SELECT DISTINCT d.device_id, ts.tz_id, ts.schedule FROM door d
       JOIN time_segment ts ON ts.id = d.valid_segment_id OR (d.keep_open_set AND ts.id = d.keep_open_segment_id) WHERE d.device_id = ANY($1) AND d.options_set
     UNION

     SELECT DISTINCT d.device_id, ts.tz_id, ts.schedule FROM acc_first_open f JOIN time_segment ts ON ts.id = f.time_segment_id
       JOIN door d ON d.id = f.door_id WHERE d.device_id = ANY($1) AND EXISTS (SELECT 1 FROM acc_first_open_person fp WHERE fp.first_open_id = f.id)`,
    [panels, DEFAULT_TIME_SEGMENT],
    (rows: TzRow[]) => rows,
  );
  const passRules = passRulesRead(deviceIds);
  const doorOptions = doorOptionsRead(panels);
  const panelRules = panelRulesRead(panels);
  const firstCards = firstCardsRead(panels);
  if (pins === null) return readAll({ tz, holidays: holidaysRead(), passRules, doorOptions, panelRules, firstCards });
  return readAll({
    tz,
    holidays: holidaysRead(),
    passRules,
    doorOptions,
    panelRules,
    firstCards,
    scoped: readAll({
      grants: grantsRead(deviceIds),
      personLevels: heldRead(PERSON_LEVELS, { pins }),
      visitLevels: heldRead(VISITOR_LEVELS, { pins }),
      persons: personsRead({ pins }),
      visitors: visitorsRead({ pins }),
      templates: templatesRead(pins),
    }),
  });
}

/**
 * Rights, persons, visits and templates of the pins in scope (`scoped`, read by desiredBaseRead); without it (a
 * null scope) all with rights on the devices.
 */
async function ownersOf(m: EntityManager, devices: readonly SyncDevice[], scoped: ScopedOwners | undefined) {
  const deviceIds = devices.map((d) => d.id);
  // Module rights (floors, gates) exist only on elevator and channel controllers: none in scope, none to read.
  const modules = devices.some((d) => d.module);
  const moduleRights = (where: { personIds?: string[]; deviceIds: string[] }, owners: ModuleOwners = 'person') => (modules ? loadModuleRights(m, where, owners) : Promise.resolve(new Map()));
  if (!scoped) {
    const rights = mergeRights(await loadRights(m, { deviceIds }), await moduleRights({ deviceIds }));
    // A visitor's levels may be elevator or entrance-control levels too (vis-level.service.ts).
    const vrights = mergeRights(await loadVisitorRights(m, { deviceIds }), await moduleRights({ deviceIds }, 'visitor'));
    const persons = await loadPersons(m, { personIds: [...rights.keys()] });
    return { rights, vrights, persons, visits: await loadVisitors(m, [...vrights.keys()]), templates: await loadTemplates(m, persons.map((p) => p.pin)) };
  }
  // Persons with rights (active, through a level granting something here), current visits likewise.
  const moduleIds = modules ? scoped.persons.map((p) => p.id) : [];
  const rights = mergeRights(rightsIndex(scoped.grants, scoped.personLevels), moduleIds.length ? await moduleRights({ personIds: moduleIds, deviceIds }) : new Map());
  const visitIds = modules ? scoped.visitors.map((v) => v.registrationId) : [];
  const vrights = mergeRights(rightsIndex(scoped.grants, scoped.visitLevels), visitIds.length ? await moduleRights({ personIds: visitIds, deviceIds }, 'visitor') : new Map());
  const persons = scoped.persons.filter((p) => rights.has(p.id));
  const pinsHeld = new Set(persons.map((p) => p.pin));
  return {
    rights,
    vrights,
    persons,
    visits: scoped.visitors.filter((v) => vrights.has(v.registrationId)),
    templates: scoped.templates.filter((t) => pinsHeld.has(t.pin)),
  };
}

/** One member on one device, or why it cannot be sent. */
function memberFor(device: SyncDevice, p: SyncPerson, rights: Map<number, number[]>, templates: StoredTemplate[], visit?: SyncVisitor): MemberOnDevice | string {
  if (device.dialect.pin === 'numeric' && !/^\d+$/.test(p.pin)) return `device ${device.sn} takes numeric PINs only`;
  const bad = unsafeValue({ pin: p.pin, name: p.name, lastName: p.lastName, cardNo: p.cardNo, password: p.password, ...Object.fromEntries(p.cards.map((c, i) => [`card ${i + 1}`, c.cardNo])) });
  if (bad) return bad;
  const seconds = (d: Date, edge: 'start' | 'end') => encodeValiditySeconds(instantToWallClock(d, device.timeZone), edge);
  try {
    const auth = rightsRecords(p.pin, rights).map((r) =>
      visit && device.dialect.authorizeValidity ? { ...r, startTime: seconds(visit.startTime, 'start'), endTime: seconds(visit.endTime, 'end') } : r,
    );
    return {
      pin: p.pin,
      user: userRecordFor(device, p),
      auth,
      cards: device.dialect.cards === 'mulcarduser' ? mulCardRecords(p) : [],
      photo: device.dialect.photo && p.photo ? p.photo : null,
      templates: templates.filter((t) => deviceAccepts(device, t)),
    };
  } catch (e) {
    return `cannot be encoded: ${(e as Error).message}`;
  }
}

/**
 * Desired state of these devices for these pins (time zones and holidays always: they are few). `absent`
 * pins are left out as if gone (a person being deleted in this transaction). `base`: desiredBaseRead's result,
 * when the caller read them together with its own reads.
 */
export async function loadDesired(m: EntityManager, devices: readonly SyncDevice[], pins: PinScope, absent: ReadonlySet<string> = new Set(), base?: DesiredBase): Promise<Map<string, DesiredDevice>> {
  const out = new Map<string, DesiredDevice>(devices.map((d) => [d.id, emptyDesired(d.module === 'ele' ? 'eleauth' : 'auth')]));
  if (devices.length === 0) return out;
  const deviceIds = devices.map((d) => d.id);
  const byId = new Map(devices.map((d) => [d.id, d]));

  const { tz, holidays, passRules, doorOptions, panelRules, firstCards, scoped } = base ?? (await runRead(m, desiredBaseRead(devices, pins)));
  const tzRows = [...tz];
  // Elevator and channel controllers: the time zones of their own levels.
  if (devices.some((d) => d.module)) tzRows.push(...((await loadModuleTimezones(m, devices.filter((d) => d.module).map((d) => d.id))) as typeof tzRows));
  for (const r of tzRows) out.get(r.device_id)!.timezones.set(Number(r.tz_id), { timezoneId: Number(r.tz_id), schedule: toWeeklySchedule(r.schedule as never) });
  const days: HolidayRecord[] = holidayRecords(holidays);
  for (const d of out.values()) for (const h of days) d.holidays.set(typeof h.holiday === 'string' ? h.holiday : holidayKey(h.holiday), h);
  for (const r of passRules) out.get(r.device_id)?.passRules.set(Number(r.tz_id), gatePassRuleRecord(r.tz_id, r.schedule, r.pass_mode));
  for (const r of doorOptions) out.get(r.device_id)?.doorOptions.set(Number(r.door_no), doorOptionsRecord(r));
  for (const r of panelRules) for (const o of panelRuleRecords(r)) out.get(r.id)?.panelRules.set(o.option, o);
  for (const r of firstCards) {
    const doors = out.get(r.device_id)?.firstCards;
    // A panel that takes numeric PINs only is sent none other (as its users, memberFor).
    if (!doors || (byId.get(r.device_id)?.dialect.pin === 'numeric' && !/^\d+$/.test(r.pin))) continue;
    const no = Number(r.door_no);
    const rows: FirstCardRecord[] = doors.get(no) ?? [];
    if (rows.length === 0) doors.set(no, rows);
    rows.push({ doorId: no, timezoneId: Number(r.tz_id), pin: r.pin });
  }

  const { rights, vrights, persons, visits, templates } = await ownersOf(m, devices, scoped);
  const templatesOf = new Map<string, StoredTemplate[]>();
  for (const t of templates) {
    let l = templatesOf.get(t.pin);
    if (!l) templatesOf.set(t.pin, (l = []));
    l.push(t);
  }
  // Devices of one dialect, time zone and photo type with the same rights for a member hold the same records:
  // one MemberOnDevice is built and shared (a fleet of like panels costs one member, and its hashes, per pin).
  const signature = new Map(devices.map((d) => [d.id, `${d.timeZone}|${d.photoType}|${d.module ?? ''}|${JSON.stringify(d.dialect)}`]));
  const place = (p: SyncPerson, perDevice: Map<string, Map<number, number[]>> | undefined, visit?: SyncVisitor) => {
    if (absent.has(p.pin)) return;
    const built = new Map<string, MemberOnDevice>();
    for (const [deviceId, r] of perDevice ?? []) {
      const device = byId.get(deviceId);
      const desired = out.get(deviceId);
      if (!device || !desired || r.size === 0 || desired.members.has(p.pin)) continue;
      const key = `${signature.get(deviceId)}|${[...r].map(([tz, doors]) => `${tz}:${doors.join('.')}`).join(',')}`;
      const member = built.get(key) ?? memberFor(device, p, r, templatesOf.get(p.pin) ?? [], visit);
      if (typeof member !== 'string') built.set(key, member);
      if (typeof member === 'string') desired.skipped.push({ pin: p.pin, reason: member });
      else desired.members.set(p.pin, member);
    }
  };
  // Persons first: a pin held by a person and (from older data) by a visitor goes to the person.
  for (const p of persons) place(p, rights.get(p.id));
  for (const v of visits) place(asSyncPerson(v), vrights.get(v.registrationId), v);
  return out;
}
