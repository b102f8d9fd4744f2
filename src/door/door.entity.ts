import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';
import { Device } from '../device/device.entity';
import { TimeSegment } from '../timeSegment/time-segment.entity';

/** One lock of a device (1..LockCount), created at registration as `<alias>-<n>`. */
@Entity('door')
@Index('uq_door_device_no', ['deviceId', 'doorNo'], { unique: true })
export class Door extends HexIdEntity {
  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_door_device' })
  device?: Relation<Device>;

  @Column({ name: 'device_id', type: 'char', length: 32 })
  deviceId!: string;

  /** The device's door number (rtlog eventaddr, CONTROL DEVICE door byte, AuthorizeDoorId bit). */
  @Column({ name: 'door_no', type: 'integer' })
  doorNo!: number;

  @Index('uq_door_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Seconds the lock stays released on a normal open. */
  @Column({ name: 'lock_delay', type: 'integer', default: 5 })
  lockDelay!: number;

  /** Door sensor type (Door<n>SensorType): 0 none, 1 normally open, 2 normally closed; null: the panel's own. */
  @Column({ name: 'sensor_type', type: 'integer', nullable: true })
  sensorType!: number | null;

  /** Seconds the door may stand open before the sensor alarms (Door<n>Detectortime); null: the panel's own. */
  @Column({ name: 'sensor_delay', type: 'integer', nullable: true })
  sensorDelay!: number | null;

  /** Operate interval, seconds between two verifications (Door<n>Intertime); null: the panel's own. */
  @Column({ name: 'op_interval', type: 'integer', nullable: true })
  opInterval!: number | null;

  /**
   * An operator set the door's parameters (the console's door edit): its panel is sent them as options (SET OPTIONS
   * Door<n>Drivertime=<lockDelay>, and each of the others that is set), planned and confirmed as the `door` item.
   */
  @Column({ name: 'options_set', type: 'boolean', default: false })
  optionsSet!: boolean;

  /**
   * Passage mode time zone (Door<n>KeepOpenTimeZone = its segment's tz_id): the door stays unlocked in that segment.
   * Sent only when `keepOpenSet`; a null segment then is none (0).
   */
  @Index('ix_door_keep_open_segment')
  @Column({ name: 'keep_open_segment_id', type: 'char', length: 32, nullable: true })
  keepOpenSegmentId!: string | null;

  @ManyToOne(() => TimeSegment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'keep_open_segment_id', foreignKeyConstraintName: 'fk_door_keep_open_segment' })
  keepOpenSegment?: Relation<TimeSegment>;

  /** An operator set the passage mode time zone (a segment or none); false: the panel keeps its own. */
  @Column({ name: 'keep_open_set', type: 'boolean', default: false })
  keepOpenSet!: boolean;

  /** Door active time zone (Door<n>ValidTZ); null: the seeded 24-Hour Accessible (TimezoneId 1), never sent. */
  @Index('ix_door_valid_segment')
  @Column({ name: 'valid_segment_id', type: 'char', length: 32, nullable: true })
  validSegmentId!: string | null;

  @ManyToOne(() => TimeSegment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'valid_segment_id', foreignKeyConstraintName: 'fk_door_valid_segment' })
  validSegment?: Relation<TimeSegment>;

  /** Lock at door closing (Door<n>CloseAndLock); null: the panel's own. */
  @Column({ name: 'close_and_lock', type: 'boolean', nullable: true })
  closeAndLock!: boolean | null;

  /** Duress password, up to 6 digits (Door<n>ForcePassWord); '' cleared, null never set. A secret: never answered. */
  @Column({ name: 'duress_password', type: 'varchar', length: 6, nullable: true })
  duressPassword!: string | null;

  /** Emergency password, up to 8 digits (Door<n>SupperPassWord); '' cleared, null never set. A secret: never answered. */
  @Column({ name: 'emergency_password', type: 'varchar', length: 8, nullable: true })
  emergencyPassword!: string | null;

  /** rtstate sensor bits of this door: 0 no sensor, 1 closed, 2 open (3 undefined). */
  @Column({ name: 'sensor_state', type: 'integer', nullable: true })
  sensorState!: number | null;

  /** rtstate relay bit of this door (the manual: 1 = relay disconnected; field captures: set while held open). */
  @Column({ name: 'relay_state', type: 'integer', nullable: true })
  relayState!: number | null;

  /** rtstate alarm byte of this door, two hex digits (`00` none; bit 0 accidental opening, bit 1 tamper, ...). */
  @Column({ name: 'alarm_state', type: 'varchar', length: 16, nullable: true })
  alarmState!: string | null;

  /** Device time of the last state report, as an instant. */
  @Column({ name: 'door_state_at', type: 'timestamptz', nullable: true })
  doorStateAt!: Date | null;
}
