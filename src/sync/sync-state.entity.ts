import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Device } from '../device/device.entity';

/**
 * What the planner last told a device to hold for one pin: the rights it sent (one [TimezoneId,
 * AuthorizeDoorId] pair per time zone) and a hash of the photo. The row goes when the person is removed
 * from the device. It answers "which devices must lose this person" without asking the device.
 */
@Entity('sync_device_person')
@Index('ix_sync_device_person_pin', ['pin'])
export class SyncDevicePerson {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32 })
  deviceId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  pin!: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_sync_device_person_device' })
  device?: Device;

  /** Rights as sent: [[TimezoneId, AuthorizeDoorId], ...]. */
  @Column({ type: 'jsonb' })
  rights!: Array<[number, number]>;

  @Column({ name: 'photo_hash', type: 'varchar', length: 64, nullable: true })
  photoHash!: string | null;

  @Column({ name: 'planned_at', type: 'timestamptz', default: () => 'now()' })
  plannedAt!: Date;
}

/** The time zones (time segment tz_id) a device has been sent, so rights never reference a missing timezone. */
@Entity('sync_device_timezone')
export class SyncDeviceTimezone {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32 })
  deviceId!: string;

  @PrimaryColumn({ name: 'tz_id', type: 'integer' })
  tzId!: number;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_sync_device_timezone_device' })
  device?: Device;

  @Column({ name: 'planned_at', type: 'timestamptz', default: () => 'now()' })
  plannedAt!: Date;
}
