import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { writeTransaction } from '../common/write-transaction';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { DoorService } from './door.service';

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
    const changed = await writeTransaction(this.ds, async (m) => {
      // As a SELECT: TypeORM answers an UPDATE with [rows, count], never the rows alone.
      const rows: Array<{ id: string }> = await m.query(`WITH u AS (UPDATE door SET enabled = $2, updated_at = now() WHERE id = $1 AND enabled <> $2 RETURNING id) SELECT id FROM u`, [door.id, enabled]);
      if (rows.length === 0) return false;
      await this.planner.syncDoor(m, door.id);
      return true;
    });
    return { door: door.name, deviceSn: door.device!.sn, changed };
  }
}
