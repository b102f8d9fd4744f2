import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AttAreaPerson } from './att-area-person.entity';
import { intoOf, unnestOf } from '../database/columns';
import { AreaNotFound, AreaService } from '../area/area.service';
import { CvCode, CvError, personNotExist } from '../common/cv-error';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { writeTransaction } from '../common/write-transaction';

/** `att`: attendance areas (2.8, terminals); `ins`: FaceKiosk areas (2.28, kiosks). */
export type AreaModule = 'att' | 'ins';

const MAX_PINS = 500;

/** Persons ($3, ids) join area $2 of module $1. */
const JOIN_AREA = `INSERT INTO ${intoOf(AttAreaPerson, ['module', 'areaId', 'personId'])} SELECT $1, $2, ${unnestOf(AttAreaPerson, ['personId'], 3)} ON CONFLICT DO NOTHING`;

/**
 * Area membership of persons (2.8 attAreaPerson, 2.28 insAreaPerson). A write stores the membership and queues
 * the terminal commands it implies (users and templates on, or off) in one transaction.
 */
@Injectable()
export class AttAreaPersonService {
  constructor(
    private readonly ds: DataSource,
    private readonly areas: AreaService,
    private readonly sync: AttendanceSyncService,
  ) {}

  async set(module: AreaModule, code: string, pins: readonly string[]): Promise<void> {
    const area = await this.areas.requireByCode(code);
    const list = checkPins(pins);
    await writeTransaction(this.ds, async (m) => {
      // The area held until commit: an area delete at the same time waits, then counts these members and refuses
      // (area.service.ts); one that committed first leaves nothing to lock, and the area is unknown (-80).
      const [held] = await m.query(`SELECT 1 FROM area WHERE id = $1 FOR SHARE`, [area.id]);
      if (!held) throw new AreaNotFound(code);
      const ids = await personIds(m, list, true);
      await m.query(
        JOIN_AREA,
        [module, area.id, ids],
      );
      await this.sync.syncPersons(m, ids);
    });
  }

  async delete(module: AreaModule, code: string, pins: readonly string[]): Promise<void> {
    const area = await this.areas.requireByCode(code);
    const list = checkPins(pins);
    await writeTransaction(this.ds, async (m) => {
      const ids = await personIds(m, list);
      // A person not in the area is already out of it: success, so a retried delete whose answer was lost is one.
      await m.query(`DELETE FROM att_area_person WHERE module = $1 AND area_id = $2 AND person_id = ANY($3)`, [module, area.id, ids]);
      await this.sync.syncPersons(m, ids);
    });
  }
}

function checkPins(pins: readonly string[]): string[] {
  const list = [...new Set(pins)];
  if (list.length === 0) throw new CvError(CvCode.PinsNull, 'Pins not allowed to be null');
  if (list.length > MAX_PINS) throw new CvError(CvCode.PinsTooLong, `Pins length not allowed over ${MAX_PINS}`);
  return list;
}

/**
 * Every pin must be a person (-22 names the first one missing). Joining an area (`activeOnly`) also refuses a
 * person who left (2.13.6), as person/get does; removing one from an area does not.
 */
async function personIds(m: EntityManager, pins: string[], activeOnly = false): Promise<string[]> {
  const rows: Array<{ id: string; pin: string }> = await m.query(
    `SELECT id, pin FROM person WHERE pin = ANY($1)${activeOnly ? ` AND status = 'active'` : ''}`,
    [pins],
  );
  const found = new Map(rows.map((r) => [r.pin, r.id]));
  const missing = pins.find((p) => !found.has(p));
  if (missing !== undefined) throw personNotExist(missing);
  return pins.map((p) => found.get(p)!);
}
