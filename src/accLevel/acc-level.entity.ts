import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { Area } from '../area/area.entity';
import { HexIdEntity } from '../common/hex-id.entity';
import { TimeSegment } from '../timeSegment/time-segment.entity';

/** An access level (level group): a set of doors open to its persons during one time segment. */
@Entity('acc_level')
export class AccLevel extends HexIdEntity {
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
}
