import { Column, Entity, Index } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';

export type AttApplyKind = 'sign' | 'overtime' | 'leave';

/** An attendance application (2.23): a re-clock-in (`sign`), an overtime or a leave request. */
@Entity('att_apply')
@Index('ix_att_apply_pin', ['personPin', 'createdAt'])
export class AttApply extends HexIdEntity {
  @Column({ type: 'varchar', length: 16 })
  kind!: AttApplyKind;

  @Column({ name: 'person_pin', type: 'varchar', length: 64 })
  personPin!: string;

  @Column({ name: 'person_id', type: 'char', length: 32 })
  personId!: string;

  /** Re-clock-in time (sign). */
  @Column({ name: 'sign_time', type: 'timestamptz', nullable: true })
  signTime!: Date | null;

  @Column({ name: 'start_time', type: 'timestamptz', nullable: true })
  startTime!: Date | null;

  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  endTime!: Date | null;

  @Column({ name: 'leave_type_no', type: 'varchar', length: 32, nullable: true })
  leaveTypeNo!: string | null;

  @Column({ name: 'leave_image_path', type: 'varchar', length: 255, nullable: true })
  leaveImagePath!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  remark!: string | null;
}
