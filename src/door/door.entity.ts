import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';
import { Device } from '../device/device.entity';

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
