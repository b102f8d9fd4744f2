import { Injectable } from '@nestjs/common';
import { DataSource, Not, type FindOptionsOrder } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { encodeWeeklySchedule } from '../push/protocol';
import { toWeeklySchedule } from '../sync/sync-commands';
import { SyncPlannerService } from '../sync/sync-planner.service';
import type { TimeSegmentCreateDto, TimeSegmentUpdateDto } from './dto/time-segment.dto';
import { DEFAULT_TIME_SEGMENT, TimeSegment, type DayIntervals, type WeekSchedule } from './time-segment.entity';
import { writeTransaction, type WriteCheck } from '../common/write-transaction';
import { requireSomeChange } from '../common/update-fields';

const DAYS: Array<keyof WeekSchedule> = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'hol1', 'hol2', 'hol3'];

/** "8:00" as the device reads it, "08:00": a segment reads back in the HH:mm it is documented with. */
const padHour = (t: string): string => t.trim().replace(/^(\d):/, '0$1:');

/**
 * A schedule as given, checked with the codec's own encoder (HH:mm, end not before start, at most 3 intervals).
 * A key that names no day (`monday`, `Mon`) is refused: ignored, it left that day closed under a success answer.
 */
export function normalizeSchedule(input: Partial<Record<string, unknown>>): WeekSchedule {
  const unknown = Object.keys(input).filter((k) => !(DAYS as string[]).includes(k));
  if (unknown.length) throw new CvError(CvCode.InvalidParameter, `schedule: unknown day ${unknown.map((k) => JSON.stringify(k)).join(', ')} (the days are ${DAYS.join(', ')})`);
  const out = {} as WeekSchedule;
  for (const day of DAYS) {
    const raw = input[day] ?? [];
    if (!Array.isArray(raw)) throw new CvError(CvCode.InvalidParameter, `schedule.${day} must be a list of [start, end] pairs`);
    out[day] = raw.map((pair): [string, string] => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        throw new CvError(CvCode.InvalidParameter, `schedule.${day} must be a list of ["HH:mm", "HH:mm"] pairs`);
      }
      return [padHour(pair[0]), padHour(pair[1])];
    }) as DayIntervals;
  }
  try {
    encodeWeeklySchedule(toWeeklySchedule(out));
  } catch (e) {
    throw new CvError(CvCode.InvalidParameter, `schedule: ${(e as Error).message}`);
  }
  return out;
}

/** Time segments in the order of their device time zone ids, as they are listed. */
export const TIME_SEGMENT_ORDER: FindOptionsOrder<TimeSegment> = { tzId: 'ASC' };

/** How many level names a refusal lists before it counts the rest. */
const LEVELS_NAMED = 5;

/** The refusal to delete a segment that levels use, naming them (the first few, then how many more). */
export function usedByLevels(names: string[]): string {
  const quoted = names.slice(0, LEVELS_NAMED).map((n) => `"${n}"`);
  if (names.length === 1) return `The time segment is used by the access level ${quoted[0]}`;
  const more = names.length > LEVELS_NAMED ? ` and ${names.length - LEVELS_NAMED} more` : '';
  return `The time segment is used by ${names.length} access levels: ${quoted.join(', ')}${more}`;
}

/** The refusal to delete a segment that channel controllers' pass rules use, naming the controllers. */
export function usedByPassRules(controllers: string[]): string {
  const named = controllers.slice(0, LEVELS_NAMED).join(', ');
  const more = controllers.length > LEVELS_NAMED ? ` and ${controllers.length - LEVELS_NAMED} more` : '';
  return controllers.length === 1
    ? `The time segment is used by the pass rule of the channel controller ${named}`
    : `The time segment is used by the pass rules of ${controllers.length} channel controllers: ${named}${more}`;
}

/** The refusal to delete a segment that doors use as their passage mode or active time zone, naming them and how. */
export function usedByDoors(doors: Array<{ name: string; keep_open: boolean; valid: boolean }>): string {
  const how = (d: { keep_open: boolean; valid: boolean }) => [d.keep_open && 'passage mode', d.valid && 'active time zone'].filter(Boolean).join(' and ');
  const named = doors.slice(0, LEVELS_NAMED).map((d) => `"${d.name}" (${how(d)})`);
  if (doors.length === 1) return `The time segment is used by the door ${named[0]}`;
  const more = doors.length > LEVELS_NAMED ? ` and ${doors.length - LEVELS_NAMED} more` : '';
  return `The time segment is used by ${doors.length} doors: ${named.join(', ')}${more}`;
}

@Injectable()
export class TimeSegmentService {
  constructor(
    private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
  ) {}

  list(): Promise<TimeSegment[]> {
    return this.ds.getRepository(TimeSegment).find({ order: TIME_SEGMENT_ORDER });
  }

  async requireById(id: string): Promise<TimeSegment> {
    const t = await this.ds.getRepository(TimeSegment).findOne({ where: { id } });
    if (!t) throw new CvError(CvCode.NotFound, 'The time segment does not exist');
    return t;
  }

  create(dto: TimeSegmentCreateDto): Promise<TimeSegment> {
    return writeTransaction(this.ds, async (m) => {
      const repo = m.getRepository(TimeSegment);
      if (await repo.exists({ where: { name: dto.name } })) throw new CvError(CvCode.Conflict, `The time segment name already exists: ${dto.name}`);
      return repo.save(repo.create({ name: dto.name, schedule: normalizeSchedule(dto.schedule), remark: dto.remark ?? null }));
    });
  }

  /** A changed schedule reaches every device that uses the segment as its `timezone` record, and every pass rule on it. */
  update(id: string, dto: TimeSegmentUpdateDto, check?: WriteCheck): Promise<TimeSegment> {
    requireSomeChange('time segment', { name: dto.name, schedule: dto.schedule, remark: dto.remark });
    return writeTransaction(this.ds, async (m) => {
      await check?.(m);
      const repo = m.getRepository(TimeSegment);
      const t = await repo.findOne({ where: { id } });
      if (!t) throw new CvError(CvCode.NotFound, 'The time segment does not exist');
      if (dto.name !== undefined && dto.name !== t.name) {
        if (t.name === DEFAULT_TIME_SEGMENT) throw new CvError(CvCode.Conflict, `${DEFAULT_TIME_SEGMENT} cannot be renamed: levels created without a time segment are given it by this name`);
        if (await repo.exists({ where: { name: dto.name, id: Not(id) } })) throw new CvError(CvCode.Conflict, `The time segment name already exists: ${dto.name}`);
        t.name = dto.name;
      }
      if (dto.remark !== undefined) t.remark = dto.remark || null;
      if (dto.schedule !== undefined) t.schedule = normalizeSchedule(dto.schedule);
      const saved = await repo.save(t);
      if (dto.schedule !== undefined) await this.planner.syncTimeSegment(m);
      return saved;
    });
  }

  /** Refused while a level, a pass rule or a door uses it; otherwise removed from the devices it was sent to. */
  delete(id: string): Promise<void> {
    return writeTransaction(this.ds, async (m) => {
      const t = await m.getRepository(TimeSegment).findOne({ where: { id } });
      if (!t) throw new CvError(CvCode.NotFound, 'The time segment does not exist');
      if (t.name === DEFAULT_TIME_SEGMENT) throw new CvError(CvCode.Conflict, `${DEFAULT_TIME_SEGMENT} cannot be deleted: levels created without a time segment are given it`);
      // Named, so the operator knows which levels to move to another segment first (the bare refusal left them to search).
      const levels: Array<{ name: string }> = await m.query(`SELECT name FROM acc_level WHERE time_segment_id = $1 ORDER BY name`, [id]);
      if (levels.length > 0) throw new CvError(CvCode.Conflict, usedByLevels(levels.map((l) => l.name)));
      // A pass rule names the segment as its PasswayTimeZoneId: refused like a level (the rule is the operator's to change).
      // Named, like the levels above: the operator changes that controller's rule first (the bare refusal left them to search).
      const rules: Array<{ alias: string; sn: string }> = await m.query(
        `SELECT v.alias, v.sn FROM psg_pass_rule r JOIN device v ON v.id = r.device_id WHERE r.time_segment_id = $1 ORDER BY v.alias, v.sn`,
        [id],
      );
      if (rules.length > 0) throw new CvError(CvCode.Conflict, usedByPassRules(rules.map((r) => `"${r.alias}" (${r.sn})`)));
      // A door's passage mode or active time zone (the door edit's Door<n>KeepOpenTimeZone / ValidTZ): refused the same way,
      // named, so the operator edits those doors first; deleted, their panels would hold a time zone number naming nothing.
      const doors: Array<{ name: string; keep_open: boolean; valid: boolean }> = await m.query(
        `SELECT name, keep_open_segment_id IS NOT DISTINCT FROM $1 AS keep_open, valid_segment_id IS NOT DISTINCT FROM $1 AS valid
           FROM door WHERE keep_open_segment_id = $1 OR valid_segment_id = $1 ORDER BY name`,
        [id],
      );
      if (doors.length > 0) throw new CvError(CvCode.Conflict, usedByDoors(doors));
      // A First-Person Normally Open rule names it as its doors' TimezoneID: refused too, naming the doors.
      const firstOpen: Array<{ name: string }> = await m.query(`SELECT d.name FROM acc_first_open f JOIN door d ON d.id = f.door_id WHERE f.time_segment_id = $1 ORDER BY d.name`, [id]);
      if (firstOpen.length > 0) throw new CvError(CvCode.Conflict, `The time segment is used by the First-Person Normally Open rules of ${firstOpen.map((r) => r.name).join(', ')}: delete or change them first`);
      await m.getRepository(TimeSegment).delete({ id });
      await this.planner.syncTimeSegment(m);
    });
  }
}
