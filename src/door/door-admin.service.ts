import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { writeTransaction } from '../common/write-transaction';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { renameDoorRow, requireFreeDoorName } from './door-rename';
import { DoorNotFound, DoorService } from './door.service';

/** The door parameters the panel keeps as options (9.5.1, Appendix 10), as the door edit names them. */
export const DOOR_OPTIONS = ['lockDelay', 'sensorType', 'sensorDelay', 'opInterval'] as const;
/** The rest of them: time zones (by time segment), lock at door closing, passwords. */
export const DOOR_MORE_OPTIONS = ['keepOpenSegmentId', 'validSegmentId', 'closeAndLock', 'duressPassword', 'emergencyPassword'] as const;
/** Every field of the door edit that is one of its panel's options. */
const ALL_OPTIONS = [...DOOR_OPTIONS, ...DOOR_MORE_OPTIONS] as const;

/** A door edit: each field undefined when not given (kept as it is). */
export interface DoorEdit {
  name?: string;
  enabled?: boolean;
  /** Lock-open duration, seconds (Door<n>Drivertime). */
  lockDelay?: number;
  /** Door sensor type (Door<n>SensorType): 0 none, 1 normally open, 2 normally closed. */
  sensorType?: number;
  /** Door sensor delay, seconds (Door<n>Detectortime). */
  sensorDelay?: number;
  /** Operate interval, seconds (Door<n>Intertime). */
  opInterval?: number;
  /** Passage mode time zone (Door<n>KeepOpenTimeZone): a time segment's id, null for none. */
  keepOpenSegmentId?: string | null;
  /** Door active time zone (Door<n>ValidTZ): a time segment's id. */
  validSegmentId?: string;
  /** Lock at door closing (Door<n>CloseAndLock). */
  closeAndLock?: boolean;
  /** Duress password (Door<n>ForcePassWord), up to 6 digits, '' to clear it. */
  duressPassword?: string;
  /** Emergency password (Door<n>SupperPassWord), up to 8 digits, '' to clear it. */
  emergencyPassword?: string;
}

type OptionsRow = {
  lock_delay: number;
  sensor_type: number | null;
  sensor_delay: number | null;
  op_interval: number | null;
  keep_open_segment_id: string | null;
  keep_open_set: boolean;
  valid_segment_id: string | null;
  close_and_lock: boolean | null;
  duress_password: string | null;
  emergency_password: string | null;
  options_set: boolean;
};

/**
 * CVSecurity's Door > Enable / Disable. A disabled door takes no remote command (DoorControlService) and grants
 * nothing (the planner's grantsRead): its panel is told, in the transaction that disables it, to withdraw the door
 * from every member's rights, and to give it back when it is enabled again. The rights, not a door parameter: every
 * panel honours its userauthorize table, where the manual's two door switches (DoorProperty `Disable`, 0 enable, and
 * option `Door<n>Disable`, 1 enable) say opposite things and neither is known to be kept by every firmware.
 */
@Injectable()
export class DoorAdminService {
  constructor(
    private readonly ds: DataSource,
    private readonly doors: DoorService,
    private readonly planner: SyncPlannerService,
  ) {}

  /** Answers whether anything changed (a door already in that state changes nothing and queues nothing). */
  async setEnabled(doorId: string, enabled: boolean): Promise<{ door: string; deviceSn: string; changed: boolean }> {
    const door = await this.doors.requireById(doorId);
    const changed = await writeTransaction(this.ds, (m) => this.writeEnabled(m, door.id, enabled));
    return { door: door.name, deviceSn: door.device!.sn, changed };
  }

  /**
   * CVSecurity's door edit, for what the gateway can honestly carry: the door's name (the gateway's own: the panel
   * knows its doors by number), Enable / Disable (its panel told in the same transaction, as setEnabled), and the
   * door's parameters the panel keeps as options (lock-open duration, sensor type and delay, operate interval: the
   * planner's `door` item, SET OPTIONS in the same transaction). A field not given is kept. Answers the door's name
   * after the edit, what changed, and how many commands its panel was queued for the options.
   */
  async update(doorId: string, edit: DoorEdit): Promise<{ door: string; deviceSn: string; renamed: boolean; enabledChanged: boolean; optionsChanged: boolean; optionsQueued: number }> {
    const door = await this.doors.requireById(doorId);
    return writeTransaction(this.ds, async (m) => {
      // Read again, locked, inside: the name renamed from is the stored one, never the one read before the lock.
      const [row]: Array<{ name: string }> = await m.query(`SELECT name FROM door WHERE id = $1 FOR UPDATE`, [door.id]);
      if (!row) throw new DoorNotFound(door.id);
      let renamed = false;
      if (edit.name !== undefined && edit.name !== row.name) {
        await requireFreeDoorName(m, door.id, edit.name);
        await renameDoorRow(m, door.id, row.name, edit.name);
        renamed = true;
      }
      const enabledChanged = edit.enabled !== undefined && (await this.writeEnabled(m, door.id, edit.enabled));
      const optionsChanged = await this.writeOptions(m, door.id, edit);
      // Planned whether or not this edit changed them: a door whose options its panel lost (a refusal since lifted)
      // gets them with its next save. Nothing is queued where the panel holds them or has them on their way.
      const optionsQueued = ALL_OPTIONS.some((k) => edit[k] !== undefined) ? await this.planner.syncDoorOptions(m, door.id) : 0;
      return { door: renamed ? edit.name! : row.name, deviceSn: door.device!.sn, renamed, enabledChanged, optionsChanged, optionsQueued };
    });
  }

  /**
   * The door's parameters given (each kept when not given), and the door marked as one whose options its panel is sent
   * (options_set): answers whether a stored value changed. A time zone names a time segment that exists (-404
   * otherwise, nothing stored). The panel's commands are the planner's (syncDoorOptions).
   */
  private async writeOptions(m: EntityManager, doorId: string, edit: DoorEdit): Promise<boolean> {
    if (!ALL_OPTIONS.some((k) => edit[k] !== undefined)) return false;
    for (const [field, id] of [['keepOpenSegmentId', edit.keepOpenSegmentId], ['validSegmentId', edit.validSegmentId]] as const) {
      if (typeof id !== 'string') continue;
      const [seg] = await m.query(`SELECT id FROM time_segment WHERE id = $1 FOR SHARE`, [id.length === 32 ? id : '']);
      if (!seg) throw new CvError(CvCode.NotFound, `${field}: the time segment does not exist: ${id}`);
    }
    const [was]: OptionsRow[] = await m.query(
      `SELECT lock_delay, sensor_type, sensor_delay, op_interval, keep_open_segment_id, keep_open_set, valid_segment_id, close_and_lock, duress_password, emergency_password, options_set
         FROM door WHERE id = $1`,
      [doorId],
    );
    const given = <T>(v: T | undefined, old: T): T => (v === undefined ? old : v);
    const next: OptionsRow = {
      lock_delay: given(edit.lockDelay, was.lock_delay),
      sensor_type: given(edit.sensorType, was.sensor_type),
      sensor_delay: given(edit.sensorDelay, was.sensor_delay),
      op_interval: given(edit.opInterval, was.op_interval),
      keep_open_segment_id: given(edit.keepOpenSegmentId, was.keep_open_segment_id),
      keep_open_set: was.keep_open_set || edit.keepOpenSegmentId !== undefined,
      valid_segment_id: given(edit.validSegmentId, was.valid_segment_id),
      close_and_lock: given(edit.closeAndLock, was.close_and_lock),
      duress_password: given(edit.duressPassword, was.duress_password),
      emergency_password: given(edit.emergencyPassword, was.emergency_password),
      options_set: true,
    };
    const columns = Object.keys(next) as Array<keyof OptionsRow>;
    if (columns.every((c) => next[c] === was[c])) return false;
    await m.query(`UPDATE door SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`, [doorId, ...columns.map((c) => next[c])]);
    return true;
  }

  /** The door enabled or disabled, and its panel's rights planned, when that changes it: answers whether it did. */
  private async writeEnabled(m: EntityManager, doorId: string, enabled: boolean): Promise<boolean> {
    // As a SELECT: TypeORM answers an UPDATE with [rows, count], never the rows alone.
    const rows: Array<{ id: string }> = await m.query(`WITH u AS (UPDATE door SET enabled = $2, updated_at = now() WHERE id = $1 AND enabled <> $2 RETURNING id) SELECT id FROM u`, [doorId, enabled]);
    if (rows.length === 0) return false;
    await this.planner.syncDoor(m, doorId);
    return true;
  }
}
