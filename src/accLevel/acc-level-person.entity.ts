import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Person } from '../person/person.entity';
import { AccLevel } from './acc-level.entity';

/** A person's membership of a level. */
@Entity('acc_level_person')
export class AccLevelPerson {
  @PrimaryColumn({ name: 'level_id', type: 'char', length: 32 })
  levelId!: string;

  @Index('ix_acc_level_person_person')
  @PrimaryColumn({ name: 'person_id', type: 'char', length: 32 })
  personId!: string;

  @ManyToOne(() => AccLevel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'level_id', foreignKeyConstraintName: 'fk_acc_level_person_level' })
  level?: AccLevel;

  @ManyToOne(() => Person, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'person_id', foreignKeyConstraintName: 'fk_acc_level_person_person' })
  person?: Person;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
