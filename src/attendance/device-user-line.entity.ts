import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Device } from '../device/device.entity';

/**
 * The last user line a device uploaded and the gateway applied, per device and pin (an OPERLOG `USER` line of a
 * terminal, a `tabledata user` record of an access panel), as a hash of its fields. A device resends an upload it
 * thinks failed, and legacy firmware replays old ones after a reboot: a line identical to the last one applied
 * is skipped, so it cannot undo what REST changed since (attendance-enrolment.service.ts).
 */
@Entity('device_user_line')
export class DeviceUserLine {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_device_user_line' })
  deviceId!: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_device_user_line_device' })
  device?: Device;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_device_user_line' })
  pin!: string;

  /** md5 of the line's fields (hex). */
  @Column({ type: 'char', length: 32 })
  hash!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
