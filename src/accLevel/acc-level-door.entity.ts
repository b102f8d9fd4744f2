import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Door } from '../door/door.entity';
import { AccLevel } from './acc-level.entity';

/** A door of a level. Deleting the door (or its device) removes it from the level. */
@Entity('acc_level_door')
export class AccLevelDoor {
  @PrimaryColumn({ name: 'level_id', type: 'char', length: 32 })
  levelId!: string;

  @Index('ix_acc_level_door_door')
  @PrimaryColumn({ name: 'door_id', type: 'char', length: 32 })
  doorId!: string;

  @ManyToOne(() => AccLevel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'level_id', foreignKeyConstraintName: 'fk_acc_level_door_level' })
  level?: AccLevel;

  @ManyToOne(() => Door, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'door_id', foreignKeyConstraintName: 'fk_acc_level_door_door' })
  door?: Door;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
