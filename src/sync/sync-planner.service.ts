import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CommandQueueService } from '../push/command-queue.service';
import { dataDelete, doorMask } from '../push/protocol';
import { bioTemplateCommands } from './bio-sync';
import { visitorCommandsForDevice } from './visitor-sync';
import type { SyncDevice } from './device-dialect';
import {
  holidayCommands,
  personCommands,
  removalCommands,
  timezoneCommands,
  type DeviceRights,
  type PersonOnDevice,
  type SyncHoliday,
  type SyncPerson,
} from './sync-commands';
import {
  deleteSyncRows,
  loadDevices,
  loadDeviceTimezones,
  loadHolidays,
  loadPersons,
  loadRights,
  loadSyncRows,
  loadTimeSegments,
  markDeviceTimezones,
  upsertSyncRows,
  type RightsIndex,
  type SyncRow,
} from './sync-queries';

export interface SyncOptions {
  /** Re-send everything (users, full rights, photos, time zones) even where the planner thinks the device has it. */
  force?: boolean;
}

interface DevicePlan {
  commands: string[];
  upserts: SyncRow[];
  removals: Array<{ deviceId: string; pin: string }>;
  timezones: number[];
  /** Pins newly put on the device (or re-sent in full): their stored biometric templates follow. */
  placed: string[];
}

const photoHash = (photo: string | null) => (photo ? createHash('sha1').update(photo).digest('hex') : null);

/**
 * The one place that answers "which devices need what" (design.md, point 3). Every method takes the
 * caller's EntityManager: the domain write, the planner's state and the queued commands commit together.
 * Commands come from the codec's builders (through ./sync-commands), batched many records per command.
 */
@Injectable()
export class SyncPlannerService {
  private readonly log = new Logger(SyncPlannerService.name);

  constructor(
    private readonly queue: CommandQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A person saved (or their levels changed): user, full rights and photo where they belong, removal elsewhere. */
  async syncPerson(m: EntityManager, personIdOrPin: string, opts: SyncOptions = {}): Promise<void> {
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM person WHERE id = $1 OR pin = $1 ORDER BY (id = $1) DESC LIMIT 1`, [personIdOrPin]);
    if (rows.length === 0) return this.removePerson(m, personIdOrPin);
    await this.syncPersons(m, [rows[0].id], opts);
  }

  async syncPersons(m: EntityManager, personIds: string[], opts: SyncOptions = {}): Promise<void> {
    if (personIds.length === 0) return;
    const persons = await loadPersons(m, { personIds });
    const rights = await loadRights(m, { personIds });
    const prev = await loadSyncRows(m, { pins: persons.map((p) => p.pin) });
    const deviceIds = new Set<string>(prev.map((r) => r.deviceId));
    for (const perDevice of rights.values()) for (const d of perDevice.keys()) deviceIds.add(d);
    const devices = await loadDevices(m, [...deviceIds], this.config.timeZone);
    const known = await loadDeviceTimezones(m, [...devices.keys()]);
    let holidays: SyncHoliday[] | undefined;
    const plans: Array<[SyncDevice, DevicePlan]> = [];
    for (const device of devices.values()) {
      const before = new Map(prev.filter((r) => r.deviceId === device.id).map((r) => [r.pin, r]));
      const plan = this.planDevice(device, persons, rights, before, opts);
      const have = known.get(device.id) ?? new Set<number>();
      const missing = plan.timezones.filter((tz) => opts.force || !have.has(tz));
      if (missing.length > 0) {
        const prefix = timezoneCommands(await loadTimeSegments(m, missing));
        if (have.size === 0) {
          holidays ??= await loadHolidays(m);
          if (holidays.length > 0) prefix.push(...holidayCommands(holidays));
        }
        plan.commands.unshift(...prefix);
      }
      plan.timezones = missing;
      plan.commands.push(...(await bioTemplateCommands(m, device, plan.placed)));
      plans.push([device, plan]);
    }
    await this.commit(m, plans);
  }

  /** The person is gone (deleted, resigned): removed from every device that holds or should hold them. */
  async removePerson(m: EntityManager, pin: string): Promise<void> {
    const rows = await loadSyncRows(m, { pins: [pin] });
    const deviceIds = new Set(rows.map((r) => r.deviceId));
    const person: Array<{ id: string }> = await m.query(`SELECT id FROM person WHERE pin = $1`, [pin]);
    if (person.length > 0) {
      const rights = await loadRights(m, { personIds: [person[0].id] });
      for (const d of rights.get(person[0].id)?.keys() ?? []) deviceIds.add(d);
    }
    const devices = await loadDevices(m, [...deviceIds], this.config.timeZone);
    const plans: Array<[SyncDevice, DevicePlan]> = [...devices.values()].map((device) => [
      device,
      { commands: removalCommands(device, pin), upserts: [], removals: [{ deviceId: device.id, pin }], timezones: [], placed: [] },
    ]);
    await this.commit(m, plans);
    // Rows of devices that are no longer admitted go too: nothing will be sent to them any more.
    await deleteSyncRows(m, rows.map((r) => ({ deviceId: r.deviceId, pin })));
  }

  /** A level changed (doors, time segment) or was asked to sync: its persons × its devices. */
  async syncLevel(m: EntityManager, levelId: string, opts: SyncOptions = {}): Promise<void> {
    const members: Array<{ person_id: string }> = await m.query(`SELECT person_id FROM acc_level_person WHERE level_id = $1`, [levelId]);
    if (members.length > 0) return this.syncPersons(m, members.map((r) => r.person_id), opts);
    // No persons: the level's devices still get its time zone, so a later grant needs nothing else.
    const rows: Array<{ device_id: string; tz_id: number }> = await m.query(
      `SELECT DISTINCT d.device_id, ts.tz_id FROM acc_level l JOIN time_segment ts ON ts.id = l.time_segment_id
         JOIN acc_level_door ld ON ld.level_id = l.id JOIN door d ON d.id = ld.door_id WHERE l.id = $1`,
      [levelId],
    );
    await this.sendTimezone(m, rows.map((r) => r.device_id), Number(rows[0]?.tz_id), opts);
  }

  /** A time segment changed: its `timezone` record to every device that uses it. */
  async syncTimeSegment(m: EntityManager, timeSegmentId: string): Promise<void> {
    const seg: Array<{ tz_id: number }> = await m.query(`SELECT tz_id FROM time_segment WHERE id = $1`, [timeSegmentId]);
    if (seg.length === 0) return;
    const tzId = Number(seg[0].tz_id);
    const rows: Array<{ device_id: string }> = await m.query(
      `SELECT device_id FROM sync_device_timezone WHERE tz_id = $1
       UNION SELECT d.device_id FROM acc_level l JOIN acc_level_door ld ON ld.level_id = l.id JOIN door d ON d.id = ld.door_id
        WHERE l.time_segment_id = $2`,
      [tzId, timeSegmentId],
    );
    await this.sendTimezone(m, rows.map((r) => r.device_id), tzId, { force: true });
  }

  /** A time segment deleted: `DATA DELETE timezone TimezoneId=` where it was sent. */
  async removeTimeSegment(m: EntityManager, tzId: number): Promise<void> {
    const rows: Array<{ device_id: string }> = await m.query(`SELECT device_id FROM sync_device_timezone WHERE tz_id = $1`, [tzId]);
    const devices = await loadDevices(m, rows.map((r) => r.device_id), this.config.timeZone);
    const batches = [...devices.values()].map((d) => ({ deviceSn: d.sn, commands: [dataDelete('timezone', [['TimezoneId', tzId]])] }));
    await m.query(`DELETE FROM sync_device_timezone WHERE tz_id = $1`, [tzId]);
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }

  /** Holidays changed: the whole holiday table to every admitted device. */
  async syncHolidays(m: EntityManager): Promise<void> {
    const rows: Array<{ id: string }> = await m.query(`SELECT id FROM device WHERE admission = 'admitted'`);
    const devices = await loadDevices(m, rows.map((r) => r.id), this.config.timeZone);
    if (devices.size === 0) return;
    const commands = holidayCommands(await loadHolidays(m));
    await this.queue.enqueueMany(m, [...devices.values()].map((d) => ({ deviceSn: d.sn, commands })));
  }

  /**
   * Everything one device should hold, batched: its time zones, the holidays, then (after clearing its
   * rights table) every user with full rights and photo; persons it held but should not are removed.
   */
  async syncDeviceFull(m: EntityManager, deviceId: string): Promise<void> {
    const devices = await loadDevices(m, [deviceId], this.config.timeZone);
    const device = devices.get(deviceId);
    if (!device) return;
    const rights = await loadRights(m, { deviceId });
    const persons = await loadPersons(m, { personIds: [...rights.keys()] });
    const before = new Map((await loadSyncRows(m, { deviceId })).map((r) => [r.pin, r]));
    const plan = this.planDevice(device, persons, rights, before, { force: true }, true);
    const levelTz: Array<{ tz_id: number }> = await m.query(
      `SELECT DISTINCT ts.tz_id FROM acc_level l JOIN time_segment ts ON ts.id = l.time_segment_id
         JOIN acc_level_door ld ON ld.level_id = l.id JOIN door d ON d.id = ld.door_id WHERE d.device_id = $1`,
      [deviceId],
    );
    const tzIds = [...new Set([...plan.timezones, ...levelTz.map((r) => Number(r.tz_id))])].sort((a, b) => a - b);
    plan.commands.unshift(...timezoneCommands(await loadTimeSegments(m, tzIds)), ...holidayCommands(await loadHolidays(m)), dataDelete('userauthorize', '*'));
    plan.timezones = tzIds;
    plan.commands.push(...(await bioTemplateCommands(m, device, plan.placed)));
    // Checked-in visitors go back on after `DATA DELETE userauthorize *` (visitor-sync.ts).
    plan.commands.push(...(await visitorCommandsForDevice(m, device)));
    await m.query(`DELETE FROM sync_device_person WHERE device_id = $1`, [deviceId]);
    await m.query(`DELETE FROM sync_device_timezone WHERE device_id = $1`, [deviceId]);
    plan.removals = [];
    await this.commit(m, [[device, plan]]);
  }

  /**
   * What one device needs for these persons, given what it was last sent (`before`, keyed by pin).
   * With `wiped`, the device's rights table is cleared first, so no per-person rights reset is needed.
   */
  private planDevice(device: SyncDevice, persons: SyncPerson[], rights: RightsIndex, before: Map<string, SyncRow>, opts: SyncOptions, wiped = false): DevicePlan {
    const items: PersonOnDevice[] = [];
    const upserts: SyncRow[] = [];
    const timezones = new Set<number>();
    const keep = new Set<string>();
    const placed: string[] = [];
    for (const person of persons) {
      const r: DeviceRights | undefined = rights.get(person.id)?.get(device.id);
      if (!r || r.size === 0) continue;
      if (device.dialect.pin === 'numeric' && !/^\d+$/.test(person.pin)) {
        this.log.warn(`device ${device.sn} takes numeric PINs only; person ${person.pin} is not sent`);
        continue;
      }
      const prev = before.get(person.pin);
      const hash = device.dialect.photo ? photoHash(person.photo) : null;
      items.push({
        person,
        rights: r,
        resetRights: !wiped && !!prev && (!!opts.force || prev.rights.some(([tz]) => !r.has(tz))),
        sendPhoto: hash !== null && (!!opts.force || prev?.photoHash !== hash),
        deletePhoto: hash === null && !!prev?.photoHash,
      });
      keep.add(person.pin);
      if (!prev || opts.force || wiped) placed.push(person.pin);
      for (const tz of r.keys()) timezones.add(tz);
      upserts.push({ deviceId: device.id, pin: person.pin, rights: [...r.entries()].sort(([a], [b]) => a - b).map(([tz, doors]) => [tz, doorMask(doors)]), photoHash: hash });
    }
    const commands = personCommands(device, items);
    const removals: Array<{ deviceId: string; pin: string }> = [];
    for (const pin of before.keys()) {
      if (keep.has(pin)) continue;
      commands.push(...removalCommands(device, pin));
      removals.push({ deviceId: device.id, pin });
    }
    return { commands, upserts, removals, timezones: [...timezones].sort((a, b) => a - b), placed };
  }

  private async sendTimezone(m: EntityManager, deviceIds: string[], tzId: number, opts: SyncOptions): Promise<void> {
    if (deviceIds.length === 0 || !Number.isInteger(tzId)) return;
    const devices = await loadDevices(m, [...new Set(deviceIds)], this.config.timeZone);
    const known = await loadDeviceTimezones(m, [...devices.keys()]);
    const targets = [...devices.values()].filter((d) => opts.force || !known.get(d.id)?.has(tzId));
    if (targets.length === 0) return;
    const commands = timezoneCommands(await loadTimeSegments(m, [tzId]));
    await markDeviceTimezones(m, targets.map((d) => ({ deviceId: d.id, tzId })));
    await this.queue.enqueueMany(m, targets.map((d) => ({ deviceSn: d.sn, commands })));
  }

  private async commit(m: EntityManager, plans: Array<[SyncDevice, DevicePlan]>): Promise<void> {
    await upsertSyncRows(m, plans.flatMap(([, p]) => p.upserts));
    await deleteSyncRows(m, plans.flatMap(([, p]) => p.removals));
    await markDeviceTimezones(m, plans.flatMap(([d, p]) => p.timezones.map((tzId) => ({ deviceId: d.id, tzId }))));
    const batches = plans.filter(([, p]) => p.commands.length > 0).map(([d, p]) => ({ deviceSn: d.sn, commands: p.commands }));
    if (batches.length) await this.queue.enqueueMany(m, batches);
  }
}
