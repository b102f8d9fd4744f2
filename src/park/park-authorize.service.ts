import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { excludedOf, insertOf, listOf } from '../database/columns';
import { ParkAuthorize } from './park-authorize.entity';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { newId } from '../common/ids';
import { type Bound, checkListType, checkPlate, checkValidity, END_OF_DAY, type ListEntry, type ListType, START_OF_DAY } from './park-rules';
import { writeTransaction } from '../common/write-transaction';

/** Adds a plate, or moves it to the list and validity given (one entry per plate key). */
const UPSERT_ENTRY = `INSERT INTO ${insertOf(ParkAuthorize, ['id', 'carNumber', 'plateKey', 'type', 'fromDate', 'toDate', 'fromTime', 'toTime'])}
  ON CONFLICT (${listOf(ParkAuthorize, ['plateKey'])}) DO UPDATE SET ${excludedOf(ParkAuthorize, ['carNumber', 'type', 'fromDate', 'toDate', 'fromTime', 'toTime'])}, updated_at = now()`;

/** An entry's first and last second in force (`yyyy-MM-dd HH:mm:ss`, server wall clock): a day without a time is the whole day. */
const BOUNDS = `(from_date + coalesce(from_time, '${START_OF_DAY}'))::text AS from, (to_date + coalesce(to_time, '${END_OF_DAY}'))::text AS to`;

/** The validity as the client may send it back: the day, with the time of day when one was kept. */
const shown = (day: string | null, time: string | null): string | null => (day && time ? `${day} ${time}` : day);

/** The day and kept time of day of a bound, as the four validity columns take them. */
const boundValues = (from: Bound | null, to: Bound | null) => [from?.day ?? null, to?.day ?? null, from?.time ?? null, to?.time ?? null];

class NotListed extends CvError {
  constructor(carNumber: string) {
    super(CvCode.ParkPlate, `Car license plate is incorrect: ${carNumber} is on neither the white nor the black list`);
  }
}

export interface ListInput {
  type?: unknown;
  carNumber?: unknown;
  fromTime?: unknown;
  toTime?: unknown;
}

/**
 * 2.3: the plate lists. One entry per plate (matched without case, spaces or dashes): a plate is on the white
 * or the black list, never both. Add also updates an entry already there, so a retried add is harmless.
 */
@Injectable()
export class ParkAuthorizeService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async add(input: ListInput): Promise<void> {
    const { carNumber, key } = checkPlate(input.carNumber);
    const type = checkListType(input.type);
    const { from, to } = checkValidity(type, input.fromTime, input.toTime, this.config.timeZone);
    await this.ds.query(
      UPSERT_ENTRY,
      [newId(), carNumber, key, type, ...boundValues(from, to)],
    );
  }

  /** -223 when the old plate is on no list; -220 when the new plate is already another entry (edit that one instead). */
  async edit(input: ListInput & { oldCarNumber?: unknown }): Promise<void> {
    const old = checkPlate(input.oldCarNumber, 'oldCarNumber');
    const { carNumber, key } = checkPlate(input.carNumber);
    const type = checkListType(input.type);
    const { from, to } = checkValidity(type, input.fromTime, input.toTime, this.config.timeZone);
    // Run again when a concurrent add takes the new plate between the check and the update: it then answers -220.
    await writeTransaction(this.ds, async (m) => {
      const [row] = await m.query(`SELECT id FROM park_authorize WHERE plate_key = $1 FOR UPDATE`, [old.key]);
      if (!row) throw new NotListed(old.carNumber);
      const [clash] = await m.query(`SELECT 1 FROM park_authorize WHERE plate_key = $1 AND id <> $2`, [key, row.id]);
      if (clash) throw new CvError(CvCode.ParkOperationType, `Operation type error: ${carNumber} is already on a list`);
      await m.query(
        `UPDATE park_authorize SET car_number = $2, plate_key = $3, type = $4, from_date = $5, to_date = $6, from_time = $7, to_time = $8, updated_at = now() WHERE id = $1`,
        [row.id, carNumber, key, type, ...boundValues(from, to)],
      );
    });
  }

  async delete(input: { carNumber?: unknown }): Promise<void> {
    const { carNumber, key } = checkPlate(input.carNumber);
    const [, n] = await this.ds.query(`DELETE FROM park_authorize WHERE plate_key = $1`, [key]);
    if (!n) throw new NotListed(carNumber);
  }

  /** Both lists, by plate (the console's page; the manual's API has no list call). */
  async list(): Promise<Array<{ carNumber: string; type: ListType; fromTime: string | null; toTime: string | null }>> {
    const rows: Array<{ car_number: string; type: number; from: string | null; to: string | null; from_time: string | null; to_time: string | null }> = await this.ds.query(
      `SELECT car_number, type, from_date::text AS from, to_date::text AS to, from_time::text AS from_time, to_time::text AS to_time FROM park_authorize ORDER BY type, plate_key LIMIT 5000`,
    );
    return rows.map((r) => ({ carNumber: r.car_number, type: r.type as ListType, fromTime: shown(r.from, r.from_time), toTime: shown(r.to, r.to_time) }));
  }

  async entryFor(key: string, m: EntityManager = this.ds.manager): Promise<ListEntry | undefined> {
    const [row] = await m.query(`SELECT type, ${BOUNDS} FROM park_authorize WHERE plate_key = $1`, [key]);
    return row ? { type: row.type, from: row.from, to: row.to } : undefined;
  }
}
