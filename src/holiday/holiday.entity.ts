import { Column, Entity, Index } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';

/** CVSecurity's access holiday (AccHoliday): every day of [start_date, end_date] reaches devices as a `holiday` record. */
@Entity('holiday')
export class Holiday extends HexIdEntity {
  @Index('uq_holiday_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** 1-3: which HolNTime segments of a time zone apply on these days. */
  @Column({ name: 'holiday_type', type: 'smallint', default: 1 })
  holidayType!: number;

  @Column({ name: 'start_date', type: 'date' })
  startDate!: string;

  @Column({ name: 'end_date', type: 'date' })
  endDate!: string;

  /** Same month/day every year (device Loop=1) or these exact dates (Loop=2). */
  @Column({ name: 'is_loop_by_year', type: 'boolean', default: false })
  isLoopByYear!: boolean;

  @Column({ type: 'varchar', length: 255, nullable: true })
  remark!: string | null;
}
