import { Inject, Injectable } from '@nestjs/common';
import { requireCvDay } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DataSource, Not, type EntityManager, type FindOptionsOrder } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { SyncPlannerService } from '../sync/sync-planner.service';
import { holidayKey, holidayRecords } from '../sync/sync-commands';
import type { HolidayRecord } from '../push/protocol';
import type { HolidayCreateDto, HolidayUpdateDto } from './dto/holiday.dto';
import { Holiday } from './holiday.entity';
import { writeTransaction, type WriteCheck } from '../common/write-transaction';
import { requireSomeChange } from '../common/update-fields';

/**
 * The holiday days (one `holiday` record each, on every access panel) all holidays may give together. The planner
 * once stopped at this many without a word: the days after it never reached a panel while their holiday read back
 * as stored. A write that would give more is refused instead, naming the count.
 */
export const HOLIDAY_DAYS_MAX = 10_000;

/** Holidays in calendar order, as they are listed. */
export const HOLIDAY_ORDER: FindOptionsOrder<Holiday> = { startDate: 'ASC', name: 'ASC' };

/** Holidays; every change re-sends the whole holiday table to the devices (it can only be cleared with `*`). */
@Injectable()
export class HolidayService {
  constructor(
    private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  list(): Promise<Holiday[]> {
    return this.ds.getRepository(Holiday).find({ order: HOLIDAY_ORDER });
  }

  async requireById(id: string): Promise<Holiday> {
    const h = await this.ds.getRepository(Holiday).findOne({ where: { id } });
    if (!h) throw new CvError(CvCode.NotFound, 'The holiday does not exist');
    return h;
  }

  create(dto: HolidayCreateDto): Promise<Holiday> {
    return writeTransaction(this.ds, async (m) => {
      const repo = m.getRepository(Holiday);
      const h = repo.create({
        name: dto.name,
        startDate: dto.startDate,
        endDate: dto.endDate,
        holidayType: dto.holidayType ?? 1,
        isLoopByYear: dto.isLoopByYear ?? false,
        remark: dto.remark ?? null,
      });
      await this.check(m, h);
      const saved = await repo.save(h);
      await this.planner.syncHolidays(m);
      return saved;
    });
  }

  update(id: string, dto: HolidayUpdateDto, check?: WriteCheck): Promise<Holiday> {
    requireSomeChange('holiday', { name: dto.name, startDate: dto.startDate, endDate: dto.endDate, holidayType: dto.holidayType, isLoopByYear: dto.isLoopByYear, remark: dto.remark });
    return writeTransaction(this.ds, async (m) => {
      await check?.(m);
      const repo = m.getRepository(Holiday);
      const h = await repo.findOne({ where: { id } });
      if (!h) throw new CvError(CvCode.NotFound, 'The holiday does not exist');
      if (dto.name !== undefined) h.name = dto.name;
      if (dto.startDate !== undefined) h.startDate = dto.startDate;
      if (dto.endDate !== undefined) h.endDate = dto.endDate;
      if (dto.holidayType !== undefined) h.holidayType = dto.holidayType;
      if (dto.isLoopByYear !== undefined) h.isLoopByYear = dto.isLoopByYear;
      if (dto.remark !== undefined) h.remark = dto.remark || null;
      await this.check(m, h);
      const saved = await repo.save(h);
      await this.planner.syncHolidays(m);
      return saved;
    });
  }

  delete(id: string): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const res = await m.getRepository(Holiday).delete({ id });
      if (!res.affected) throw new CvError(CvCode.NotFound, 'The holiday does not exist');
      await this.planner.syncHolidays(m);
    });
  }

  private async check(m: EntityManager, h: Holiday): Promise<void> {
    // Holiday writers one at a time: the name, the days another holiday gives and the count are checked against
    // the holidays committed, not against a concurrent write's.
    await m.query('LOCK TABLE holiday IN SHARE ROW EXCLUSIVE MODE');
    h.startDate = requireCvDay(h.startDate, this.config.timeZone, 'startDate');
    h.endDate = requireCvDay(h.endDate, this.config.timeZone, 'endDate');
    if (h.startDate > h.endDate) throw new CvError(CvCode.StartAfterEnd, 'Start time cannot be greater than end time');
    if (Date.parse(h.endDate) - Date.parse(h.startDate) > 366 * 86400000) throw new CvError(CvCode.InvalidParameter, 'A holiday spans at most one year');
    const clash = await m.getRepository(Holiday).exists({ where: { name: h.name, ...(h.id ? { id: Not(h.id) } : {}) } });
    if (clash) throw new CvError(CvCode.Conflict, `The holiday name already exists: ${h.name}`);
    await this.refuseClash(m, h);
  }

  /**
   * A device holds one holiday record per day (its `holiday` table is keyed by the date) and is sent the first one
   * in calendar order: a holiday giving a day another type or loop than one already there never reached a device,
   * while its write answered 0 and it read back as stored. Refused instead, naming the other holiday and the day.
   */
  private async refuseClash(m: EntityManager, h: Holiday): Promise<void> {
    const dayOf = (r: HolidayRecord) => (typeof r.holiday === 'string' ? r.holiday : holidayKey(r.holiday));
    const mine = new Map(holidayRecords([h]).map((r) => [dayOf(r), r]));
    const others = await m.getRepository(Holiday).find({ where: h.id ? { id: Not(h.id) } : {}, order: HOLIDAY_ORDER });
    const days = new Set(mine.keys());
    for (const o of others) {
      for (const r of holidayRecords([o])) {
        const day = dayOf(r);
        days.add(day);
        const x = mine.get(day);
        if (x && (x.holidayType !== r.holidayType || x.loop !== r.loop)) {
          throw new CvError(
            CvCode.Conflict,
            `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)} is already a holiday of type ${r.holidayType}${r.loop === 1 ? ' every year' : ''} (${o.name}): a device holds one holiday per day`,
          );
        }
      }
    }
    if (days.size > HOLIDAY_DAYS_MAX) {
      throw new CvError(
        CvCode.InvalidParameter,
        `The holidays would give ${days.size} holiday days; a device is sent at most ${HOLIDAY_DAYS_MAX} (one holiday record per day)`,
      );
    }
  }
}
