import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { effectiveKindSql } from '../device/device-kind';
import { CommandQueueService } from '../push/command-queue.service';
import { dataDelete, dataUpdateUser, deleteUser } from '../push/protocol';
import { bioTemplateCommands } from './bio-sync';
import type { SyncDevice } from './device-dialect';
import { moduleRightsCommands, planModuleDevice, type ModuleKind, type ModuleRights, type ModuleSyncRow } from './elevator-commands';
import { chunkBuild, holidayCommands, timezoneCommands, userRecordFor, type SyncPerson } from './sync-commands';
import { loadDevices, loadHolidays, loadPersons, loadTimeSegments, MODULE_KINDS } from './sync-queries';

export interface ModuleSyncOptions {
  /** Re-send every record even where the planner thinks the device has it. */
  force?: boolean;
}

/** personId → deviceId → TimezoneId → points (floor numbers or gate numbers). */
type RightsIndex = Map<string, Map<string, ModuleRights>>;

/** A removed person's templates go with them (manual 9.1.2: the device does not cascade). */
const templateDeletes = (device: SyncDevice, pin: string): string[] => [dataDelete(device.dialect.bio === 'biodata' ? 'biodata' : 'templatev10', [['Pin', pin]])];

/**
 * Each level's points per controller and time zone, once (a level of 30 floors is one row, not 30 per member),
 * then one row per (member, level); the union of a member's levels is made in loadRights.
 */
const RIGHTS_SQL: Record<ModuleKind, string> = {
  // Floors exist only on elevator controllers; gates are doors of channel controllers (psg_level_gate).
  ele: `WITH lvl AS (
          SELECT l.id AS level_id, f.device_id, ts.tz_id, array_agg(f.floor_no) AS points
            FROM ele_level l JOIN time_segment ts ON ts.id = l.time_segment_id
            JOIN ele_level_floor lf ON lf.level_id = l.id JOIN floor f ON f.id = lf.floor_id
            JOIN device dev ON dev.id = f.device_id AND dev.admission = 'admitted'
           WHERE %DEVICE% GROUP BY l.id, f.device_id, ts.tz_id)
        SELECT lp.person_id, lvl.device_id, lvl.tz_id, lvl.points
          FROM ele_level_person lp JOIN person p ON p.id = lp.person_id AND p.status = 'active'
          JOIN lvl ON lvl.level_id = lp.level_id
         WHERE %PERSON%`,
  psg: `WITH lvl AS (
          SELECT l.id AS level_id, d.device_id, ts.tz_id, array_agg(d.door_no) AS points
            FROM psg_level l JOIN time_segment ts ON ts.id = l.time_segment_id
            JOIN psg_level_gate lg ON lg.level_id = l.id JOIN door d ON d.id = lg.gate_id
            JOIN device dev ON dev.id = d.device_id AND dev.admission = 'admitted'
           WHERE %DEVICE% GROUP BY l.id, d.device_id, ts.tz_id)
        SELECT lp.person_id, lvl.device_id, lvl.tz_id, lvl.points
          FROM psg_level_person lp JOIN person p ON p.id = lp.person_id AND p.status = 'active'
          JOIN lvl ON lvl.level_id = lp.level_id
         WHERE %PERSON%`,
};

/**
 * The planner for elevator controllers (`usereleauthorize`, floors) and channel controllers
 * (`userauthorize`, gates): the part of "which devices need what" that the access planner
 * (sync-planner.service.ts) leaves to it, with the same rules — the caller's EntityManager, commands from
 * the codec's builders, batched, and the plan recorded in sync_device_module_person so that a right taken
 * away is deleted from the device.
 *
 * Entry points: persons changed (syncPersons, from the person and level write paths), a person gone
 * (removePin), a level changed (syncLevel), a controller admitted or resynchronised (syncDevice).
 */
@Injectable()
export class ElevatorPlannerService {
  constructor(
    private readonly queue: CommandQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** These persons' rights on every elevator and channel controller that holds or should hold them. */
  async syncPersons(m: EntityManager, personIds: string[], opts: ModuleSyncOptions = {}): Promise<void> {
    if (personIds.length === 0) return;
    const persons = await loadPersons(m, { personIds });
    const pins = persons.map((p) => p.pin);
    for (const module of ['ele', 'psg'] as const) {
      const rights = await this.loadRights(m, module, { personIds });
      const prev = await this.loadRows(m, module, { pins });
      const deviceIds = new Set(prev.map((r) => r.deviceId));
      for (const perDevice of rights.values()) for (const d of perDevice.keys()) deviceIds.add(d);
      if (deviceIds.size === 0) continue;
      const devices = await loadDevices(m, [...deviceIds], this.config.timeZone, 'module');
      for (const device of devices.values()) {
        const before = new Map(prev.filter((r) => r.deviceId === device.id).map((r) => [r.pin, r]));
        await this.apply(m, module, device, persons, rights, before, opts, false);
      }
    }
  }

  /** A person deleted or resigned: off every elevator and channel controller that holds them. */
  async removePin(m: EntityManager, pin: string): Promise<void> {
    for (const module of ['ele', 'psg'] as const) {
      const rows = await this.loadRows(m, module, { pins: [pin] });
      const devices = await loadDevices(m, rows.map((r) => r.deviceId), this.config.timeZone, 'module');
      for (const device of devices.values()) await this.apply(m, module, device, [], new Map(), new Map([[pin, rows.find((r) => r.deviceId === device.id)!]]), {}, false);
      await m.query(`DELETE FROM sync_device_module_person WHERE module = $1 AND pin = $2`, [module, pin]);
    }
  }

  /** An elevator or entrance-control level changed or was asked to sync: its persons; its devices' time zone. */
  async syncLevel(m: EntityManager, module: ModuleKind, levelId: string, opts: ModuleSyncOptions = {}): Promise<void> {
    const members: Array<{ person_id: string }> = await m.query(`SELECT person_id FROM ${module}_level_person WHERE level_id = $1`, [levelId]);
    if (members.length > 0) await this.syncPersons(m, members.map((r) => r.person_id), opts);
  }

  /**
   * Everything one controller should hold: time zones, holidays, then (after clearing its rights table)
   * every person with rights there; persons it held but should not are deleted.
   */
  async syncDevice(m: EntityManager, module: ModuleKind, deviceId: string): Promise<void> {
    const device = (await loadDevices(m, [deviceId], this.config.timeZone, 'module')).get(deviceId);
    if (!device) return;
    const rights = await this.loadRights(m, module, { deviceId });
    const persons = await loadPersons(m, { personIds: [...rights.keys()] });
    const before = new Map((await this.loadRows(m, module, { deviceId })).map((r) => [r.pin, r]));
    // A controller nobody has rights on, and that was sent nothing, has nothing to receive.
    if (rights.size === 0 && before.size === 0) return;
    await this.apply(m, module, device, persons, rights, before, { force: true }, true);
  }

  /**
   * Entry point of SyncPlannerService.syncPins (the one planner API every write path calls): members by pin.
   * `absent` pins are being deleted or resigned; the others are synced (persons only: visitors hold no
   * elevator or entrance-control levels).
   */
  async syncPins(m: EntityManager, pins: readonly string[], opts: ModuleSyncOptions & { absent?: ReadonlySet<string> } = {}): Promise<void> {
    // Every person write comes through here: a site without elevator or channel controllers pays one query.
    if (pins.length === 0 || !(await hasModuleDevices(m))) return;
    const gone = pins.filter((p) => opts.absent?.has(p));
    for (const pin of gone) await this.removePin(m, pin);
    const live = pins.filter((p) => !opts.absent?.has(p));
    if (live.length === 0) return;
    const persons: Array<{ id: string }> = await m.query(`SELECT id FROM person WHERE pin = ANY($1)`, [live]);
    await this.syncPersons(m, persons.map((p) => p.id), opts);
  }

  /**
   * A person's templates changed (REST or an enrolment on some device): the controllers that hold the person
   * lose every template of the pin and get the current ones (the device does not cascade, manual 9.1.2).
   * The enrolling device (`heldBySn`) already holds them.
   */
  async syncTemplates(m: EntityManager, pins: readonly string[], heldBySn?: string): Promise<void> {
    if (pins.length === 0 || !(await hasModuleDevices(m))) return;
    const rows: Array<{ device_id: string; pin: string }> = await m.query(`SELECT device_id, pin FROM sync_device_module_person WHERE pin = ANY($1)`, [pins]);
    const devices = await loadDevices(m, [...new Set(rows.map((r) => r.device_id))], this.config.timeZone, 'module');
    const batches: Array<{ deviceSn: string; commands: string[] }> = [];
    for (const device of devices.values()) {
      if (device.sn === heldBySn) continue;
      const held = rows.filter((r) => r.device_id === device.id).map((r) => r.pin);
      const commands = [...held.flatMap((pin) => templateDeletes(device, pin)), ...(await bioTemplateCommands(m, device, held))];
      if (commands.length) batches.push({ deviceSn: device.sn, commands });
    }
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }

  /** A time segment changed: the controllers get again the time zones their planned rights use. */
  async syncTimeSegments(m: EntityManager): Promise<void> {
    const rows: Array<{ device_id: string; tz_id: number }> = await m.query(
      `SELECT DISTINCT s.device_id, (r->>0)::int AS tz_id FROM sync_device_module_person s, jsonb_array_elements(s.rights) r`,
    );
    const devices = await loadDevices(m, [...new Set(rows.map((r) => r.device_id))], this.config.timeZone, 'module');
    const batches: Array<{ deviceSn: string; commands: string[] }> = [];
    for (const device of devices.values()) {
      const tz = rows.filter((r) => r.device_id === device.id).map((r) => Number(r.tz_id));
      const commands = timezoneCommands(await loadTimeSegments(m, tz));
      if (commands.length) batches.push({ deviceSn: device.sn, commands });
    }
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }

  /** Holidays changed: every admitted elevator and channel controller gets the holiday table again. */
  async syncHolidays(m: EntityManager): Promise<void> {
    const ids: Array<{ id: string }> = await m.query(`SELECT id FROM device WHERE admission = 'admitted'`);
    const devices = await loadDevices(m, ids.map((r) => r.id), this.config.timeZone, 'module');
    if (devices.size === 0) return;
    const commands = holidayCommands(await loadHolidays(m));
    await this.queue.enqueueMany(m, [...devices.values()].map((d) => ({ deviceSn: d.sn, commands })));
  }

  /** The module of an admitted elevator or channel controller; null for any other device. */
  async moduleOf(m: EntityManager, deviceId: string): Promise<ModuleKind | null> {
    const [d]: Array<{ kind: string }> = await m.query(`SELECT ${effectiveKindSql('device')} AS kind FROM device WHERE id = $1`, [deviceId]);
    return d && (MODULE_KINDS as readonly string[]).includes(d.kind) ? (d.kind as ModuleKind) : null;
  }

  private async apply(
    m: EntityManager,
    module: ModuleKind,
    device: SyncDevice,
    persons: SyncPerson[],
    rights: RightsIndex,
    before: Map<string, ModuleSyncRow>,
    opts: ModuleSyncOptions,
    full: boolean,
  ): Promise<void> {
    const plan = planModuleDevice(persons, (personId) => rights.get(personId)?.get(device.id), before, !!opts.force || full);
    const commands: string[] = [];
    if (full) {
      commands.push(...timezoneCommands(await loadTimeSegments(m, plan.timezones)), ...holidayCommands(await loadHolidays(m)));
      commands.push(dataDelete(module === 'ele' ? 'usereleauthorize' : 'userauthorize', '*'));
    } else {
      // The time zones a controller holds are those of the rights it was planned (sync_device_module_person).
      const known = await plannedTimezones(m, device.id);
      const missing = plan.timezones.filter((tz) => !known.has(tz));
      if (missing.length > 0) {
        commands.push(...timezoneCommands(await loadTimeSegments(m, missing)));
        if (known.size === 0) commands.push(...holidayCommands(await loadHolidays(m)));
      }
    }
    const placed = plan.items.map((i) => i.person);
    if (!full) for (const i of plan.items) if (i.reset) commands.push(dataDelete(module === 'ele' ? 'usereleauthorize' : 'userauthorize', [['Pin', i.person.pin]]));
    if (placed.length) commands.push(...chunkBuild(placed.map((p) => userRecordFor(device, p)), dataUpdateUser));
    commands.push(...moduleRightsCommands(module, plan.items));
    // Readers of elevator and channel controllers verify fingerprints and faces like any panel's.
    commands.push(...(await bioTemplateCommands(m, device, plan.placed)));
    for (const pin of plan.removals) {
      commands.push(dataDelete(module === 'ele' ? 'usereleauthorize' : 'userauthorize', [['Pin', pin]]), deleteUser(pin), ...templateDeletes(device, pin));
    }
    if (full) await m.query(`DELETE FROM sync_device_module_person WHERE device_id = $1 AND module = $2`, [device.id, module]);
    if (plan.upserts.length) {
      await m.query(
        `INSERT INTO sync_device_module_person (device_id, module, pin, rights, planned_at)
         SELECT $1, $2, x.pin, x.rights, now() FROM jsonb_to_recordset($3::jsonb) AS x(pin varchar, rights jsonb)
         ON CONFLICT (device_id, module, pin) DO UPDATE SET rights = EXCLUDED.rights, planned_at = now()`,
        [device.id, module, JSON.stringify(plan.upserts.map((u) => ({ pin: u.pin, rights: u.rights })))],
      );
    }
    if (plan.removals.length) {
      await m.query(`DELETE FROM sync_device_module_person WHERE device_id = $1 AND module = $2 AND pin = ANY($3)`, [device.id, module, plan.removals]);
    }
    if (commands.length) await this.queue.enqueueMany(m, [{ deviceSn: device.sn, commands }]);
  }

  private async loadRights(m: EntityManager, module: ModuleKind, where: { personIds?: string[]; deviceId?: string }): Promise<RightsIndex> {
    const byDevice = where.deviceId !== undefined;
    const sql = RIGHTS_SQL[module].replace('%DEVICE%', byDevice ? 'dev.id = $1' : 'true').replace('%PERSON%', byDevice ? 'true' : 'lp.person_id = ANY($1)');
    const rows: Array<{ person_id: string; device_id: string; tz_id: number; points: number[] }> = await m.query(sql, [byDevice ? where.deviceId : where.personIds]);
    const out: RightsIndex = new Map();
    for (const r of rows) {
      let perDevice = out.get(r.person_id);
      if (!perDevice) out.set(r.person_id, (perDevice = new Map()));
      let rights = perDevice.get(r.device_id);
      if (!rights) perDevice.set(r.device_id, (rights = new Map()));
      const tz = Number(r.tz_id);
      rights.set(tz, [...(rights.get(tz) ?? []), ...r.points.map(Number)]);
    }
    return out;
  }

  private async loadRows(m: EntityManager, module: ModuleKind, where: { pins?: string[]; deviceId?: string }): Promise<ModuleSyncRow[]> {
    const rows: Array<{ device_id: string; pin: string; rights: Array<[number, number[]]> }> =
      where.deviceId !== undefined
        ? await m.query(`SELECT device_id, pin, rights FROM sync_device_module_person WHERE module = $1 AND device_id = $2`, [module, where.deviceId])
        : await m.query(`SELECT device_id, pin, rights FROM sync_device_module_person WHERE module = $1 AND pin = ANY($2)`, [module, where.pins ?? []]);
    return rows.map((r) => ({ deviceId: r.device_id, pin: r.pin, rights: r.rights ?? [] }));
  }
}

/** Time zones a controller was planned to hold: those of its planned rights. */
async function plannedTimezones(m: EntityManager, deviceId: string): Promise<Set<number>> {
  const rows: Array<{ tz_id: number }> = await m.query(
    `SELECT DISTINCT (r->>0)::int AS tz_id FROM sync_device_module_person s, jsonb_array_elements(s.rights) r WHERE s.device_id = $1`,
    [deviceId],
  );
  return new Set(rows.map((r) => Number(r.tz_id)));
}

/** Whether any elevator or channel controller exists (admitted or not: one may hold persons from before). */
async function hasModuleDevices(m: EntityManager): Promise<boolean> {
  const [{ present }] = await m.query(`SELECT EXISTS (SELECT 1 FROM device d WHERE ${effectiveKindSql('d')} = ANY($1)) AS present`, [MODULE_KINDS]);
  return present;
}
