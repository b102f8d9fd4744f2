import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Area } from '../area/area.entity';
import { newId } from '../common/ids';
import { TimeSegment } from '../timeSegment/time-segment.entity';

/** An access level (level group): a set of doors open to its persons during one time segment. */
@Entity('acc_level')
export class AccLevel {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string = newId();

  @Index('uq_acc_level_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Index('ix_acc_level_time_segment')
  @Column({ name: 'time_segment_id', type: 'char', length: 32 })
  timeSegmentId!: string;

  @ManyToOne(() => TimeSegment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'time_segment_id', foreignKeyConstraintName: 'fk_acc_level_time_segment' })
  timeSegment?: TimeSegment;

  @Column({ name: 'area_id', type: 'char', length: 32, nullable: true })
  areaId!: string | null;

  @ManyToOne(() => Area, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'area_id', foreignKeyConstraintName: 'fk_acc_level_area' })
  area?: Area;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
