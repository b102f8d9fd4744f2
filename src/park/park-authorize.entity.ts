import { Column, Entity, Index } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';

/** A plate on the parking white list (type 0) or black list (type 1), 2.3. */
@Entity('park_authorize')
export class ParkAuthorize extends HexIdEntity {
  /** As the operator wrote it. */
  @Column({ name: 'car_number', type: 'varchar', length: 20 })
  carNumber!: string;

  /** The plate normalised for matching (upper case, no spaces, dashes or dots): one entry per plate. */
  @Index('uq_park_authorize_plate', { unique: true })
  @Column({ name: 'plate_key', type: 'varchar', length: 20 })
  plateKey!: string;

  /** 0 white list, 1 black list. */
  @Column({ type: 'smallint' })
  type!: number;

  /** First and last day of validity (inclusive, server time zone); null = open-ended. */
  @Column({ name: 'from_date', type: 'date', nullable: true })
  fromDate!: string | null;

  @Column({ name: 'to_date', type: 'date', nullable: true })
  toDate!: string | null;

  /** The time of day a client gave with the first day (from 08:00 on); null = from the day's start. */
  @Column({ name: 'from_time', type: 'time', nullable: true })
  fromTime!: string | null;

  /** The time of day a client gave with the last day (until 18:00); null = to the day's end (23:59:59). */
  @Column({ name: 'to_time', type: 'time', nullable: true })
  toTime!: string | null;
}
