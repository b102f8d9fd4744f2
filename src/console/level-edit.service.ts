import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError, levelNotExist } from '../common/cv-error';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { writeTransaction } from '../common/write-transaction';

/**
 * The level edits the REST API has no call for (deleting a level, taking a door out of one). Each is one
 * transaction: the rows change, then the planner re-plans the level's members on every device that holds or
 * should hold them, so the devices lose exactly the rights that went (the same planner call as addLevelDoor).
 */
@Injectable()
export class ConsoleLevelEditService {
  constructor(
    private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
  ) {}

  /** The door leaves the level; members no longer granted the door's panel by another level leave that panel. */
  removeDoor(levelId: string, doorId: string): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      await this.requireLevel(m, levelId);
      const held: unknown[] = await m.query(`SELECT 1 FROM acc_level_door WHERE level_id = $1 AND door_id = $2`, [levelId, doorId]);
      if (held.length === 0) throw new CvError(CvCode.DoorNotExist, 'The door is not in this level');
      await m.query(`DELETE FROM acc_level_door WHERE level_id = $1 AND door_id = $2`, [levelId, doorId]);
      await this.planner.syncLevel(m, levelId);
    });
  }

  /**
   * The level goes (its doors, members and visitor offers with it). Its doors are taken out first and the
   * members re-planned while the level still lists them, so the planner knows whose rights to withdraw.
   */
  deleteLevel(levelId: string): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      await this.requireLevel(m, levelId);
      await m.query(`DELETE FROM acc_level_door WHERE level_id = $1`, [levelId]);
      await this.planner.syncLevel(m, levelId);
      await m.query(`DELETE FROM acc_level WHERE id = $1`, [levelId]);
    });
  }

  private async requireLevel(m: EntityManager, levelId: string): Promise<void> {
    const rows: unknown[] = await m.query(`SELECT 1 FROM acc_level WHERE id = $1`, [levelId]);
    if (rows.length === 0) throw levelNotExist(levelId);
  }
}

