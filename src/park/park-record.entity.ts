import { Column, Entity, Index } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';

/** A car at a parking entry (direction 1) or exit (2), as a plate camera reported it (gateway extension), 2.20. */
@Entity('park_record')
@Index('ix_park_record_direction_time', ['direction', 'eventTime', 'id'])
@Index('ix_park_record_plate_time', ['plateKey', 'eventTime'])
export class ParkRecord extends HexIdEntity {
  /** 1 entry, 2 exit (the manual's recordType). */
  @Column({ type: 'smallint' })
  direction!: number;

  @Column({ name: 'car_number', type: 'varchar', length: 20 })
  carNumber!: string;

  @Column({ name: 'plate_key', type: 'varchar', length: 20 })
  plateKey!: string;

  @Column({ name: 'event_time', type: 'timestamptz' })
  eventTime!: Date;

  @Column({ name: 'park_area_name', type: 'varchar', length: 100, nullable: true })
  parkAreaName!: string | null;

  @Column({ name: 'channel_name', type: 'varchar', length: 100, nullable: true })
  channelName!: string | null;

  @Column({ name: 'car_type_name', type: 'varchar', length: 50, nullable: true })
  carTypeName!: string | null;

  /** Driver name, when the adapter knows it. */
  @Column({ name: 'driver_name', type: 'varchar', length: 100, nullable: true })
  driverName!: string | null;

  /** Camera or channel id the adapter sent, for tracing. */
  @Column({ name: 'camera_id', type: 'varchar', length: 64, nullable: true })
  cameraId!: string | null;

  /** The gateway's answer to the camera. */
  @Column({ type: 'boolean' })
  allowed!: boolean;

  /** The list that decided: 0 white, 1 black, null none. */
  @Column({ name: 'list_type', type: 'smallint', nullable: true })
  listType!: number | null;

  @Column({ name: 'event_type', type: 'varchar', length: 50 })
  eventType!: string;

  /** The camera's picture (JPEG or PNG bytes); null when none was sent. */
  @Column({ type: 'bytea', nullable: true, select: false })
  picture!: Buffer | null;
}
