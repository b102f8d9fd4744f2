import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { writeTransaction } from '../common/write-transaction';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { renameDoorRow, requireFreeDoorName } from './door-rename';
import { DoorNotFound, DoorService } from './door.service';

/** The door parameters the panel keeps as options (9.5.1, Appendix 10), as the door edit names them. */
export const DOOR_OPTIONS = ['lockDelay', 'sensorType', 'sensorDelay', 'opInterval'] as const;

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
}

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
      const optionsQueued = DOOR_OPTIONS.some((k) => edit[k] !== undefined) ? await this.planner.syncDoorOptions(m, door.id) : 0;
      return { door: renamed ? edit.name! : row.name, deviceSn: door.device!.sn, renamed, enabledChanged, optionsChanged, optionsQueued };
    });
  }

  /**
   * The door's parameters given (each kept when not given), and the door marked as one whose options its panel is sent
   * (options_set): answers whether a stored value changed. The panel's commands are the planner's (syncDoorOptions).
   */
  private async writeOptions(m: EntityManager, doorId: string, edit: DoorEdit): Promise<boolean> {
    if (!DOOR_OPTIONS.some((k) => edit[k] !== undefined)) return false;
    const rows: Array<{ id: string }> = await m.query(
      `WITH u AS (UPDATE door SET lock_delay = coalesce($2, lock_delay), sensor_type = coalesce($3, sensor_type), sensor_delay = coalesce($4, sensor_delay),
                  op_interval = coalesce($5, op_interval), options_set = true, updated_at = now()
                WHERE id = $1 AND (NOT options_set OR lock_delay IS DISTINCT FROM coalesce($2, lock_delay) OR sensor_type IS DISTINCT FROM coalesce($3, sensor_type)
                  OR sensor_delay IS DISTINCT FROM coalesce($4, sensor_delay) OR op_interval IS DISTINCT FROM coalesce($5, op_interval)) RETURNING id)
       SELECT id FROM u`,
      [doorId, edit.lockDelay ?? null, edit.sensorType ?? null, edit.sensorDelay ?? null, edit.opInterval ?? null],
    );
    return rows.length > 0;
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
