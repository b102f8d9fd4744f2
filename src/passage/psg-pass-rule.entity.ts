import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Device } from '../device/device.entity';
import { TimeSegment } from '../timeSegment/time-segment.entity';

/**
 * A channel controller's passing mode during a time segment: what its `gatepassrule` row
 * (PasswayTimeZoneId = the segment's TimezoneId) should say. One rule per controller and segment; the planner
 * sends it (item kind `gatepassrule`). Deleting the controller drops its rules; a segment in use by a rule
 * cannot be deleted.
 */
@Entity('psg_pass_rule')
export class PsgPassRule {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_psg_pass_rule' })
  deviceId!: string;

  @Index('ix_psg_pass_rule_time_segment')
  @PrimaryColumn({ name: 'time_segment_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_psg_pass_rule' })
  timeSegmentId!: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_psg_pass_rule_device' })
  device?: Device;

  @ManyToOne(() => TimeSegment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'time_segment_id', foreignKeyConstraintName: 'fk_psg_pass_rule_time_segment' })
  timeSegment?: TimeSegment;

  /** 0-255, passed through: the manual does not define the values. */
  @Column({ name: 'pass_mode', type: 'smallint' })
  passMode!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
