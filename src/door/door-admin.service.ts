import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { writeTransaction } from '../common/write-transaction';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { renameDoorRow, requireFreeDoorName } from './door-rename';
import { DoorNotFound, DoorService } from './door.service';

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
   * knows its doors by number) and Enable / Disable (its panel told in the same transaction, as setEnabled). A field
   * not given is kept. Answers the door's name after the edit and what changed.
   */
  async update(doorId: string, edit: { name?: string; enabled?: boolean }): Promise<{ door: string; deviceSn: string; renamed: boolean; enabledChanged: boolean }> {
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
      return { door: renamed ? edit.name! : row.name, deviceSn: door.device!.sn, renamed, enabledChanged };
    });
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
