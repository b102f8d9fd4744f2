import { Column, Entity, Generated, Index } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';

/** One day's opening: up to three [start, end] intervals, "HH:mm" each. */
export type DayIntervals = Array<[string, string]>;

/**
 * The weekly schedule of a time segment, plus the three holiday types. Keys follow the device's
 * `timezone` table (SunTime1..SatTime3, Hol1Time1..Hol3Time3).
 */
export interface WeekSchedule {
  sun: DayIntervals;
  mon: DayIntervals;
  tue: DayIntervals;
  wed: DayIntervals;
  thu: DayIntervals;
  fri: DayIntervals;
  sat: DayIntervals;
  hol1: DayIntervals;
  hol2: DayIntervals;
  hol3: DayIntervals;
}

/**
 * The segment every database starts with (CVSecurity's "24-Hour Accessible", device time zone 1): a level or an
 * elevator level created without a time segment is given it by this name, so it can be neither deleted nor renamed
 * (its hours may still change).
 */
export const DEFAULT_TIME_SEGMENT = '24-Hour Accessible';

/** CVSecurity's "time segment" (AccTimeSeg); reaches devices as a `timezone` record. */
@Entity('time_segment')
export class TimeSegment extends HexIdEntity {
  @Index('uq_time_segment_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** TimezoneId on the devices: a small integer the protocol needs, kept apart from the hex id. */
  @Index('uq_time_segment_tz_id', { unique: true })
  @Column({ name: 'tz_id', type: 'integer' })
  @Generated('increment')
  tzId!: number;

  @Column({ type: 'jsonb' })
  schedule!: WeekSchedule;

  @Column({ type: 'varchar', length: 255, nullable: true })
  remark!: string | null;
}
