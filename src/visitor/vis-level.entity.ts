import { CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { AccLevel } from '../accLevel/acc-level.entity';

/**
 * A visitor level (2.16): an access level offered to visitors. Its id is the access level's id, so the
 * visLevels of a registration (2.17.1) name access levels, whose doors and time segment decide the rights.
 */
@Entity('vis_level')
export class VisLevel {
  @PrimaryColumn({ name: 'level_id', type: 'char', length: 32 })
  levelId!: string;

  @ManyToOne(() => AccLevel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'level_id', foreignKeyConstraintName: 'fk_vis_level_level' })
  level?: AccLevel;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
