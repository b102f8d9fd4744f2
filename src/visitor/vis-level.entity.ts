import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A visitor level (2.16): a level offered to visitors. Its id is the level's id: an access level (doors), an
 * elevator level (floors, 2.2) or an entrance-control level (gates, 2.32), as a CVSecurity visitor level groups
 * them; so the visLevels of a registration (2.17.1) name levels whose points and time segment decide the rights.
 * No foreign key (three level tables): a trigger of each level table deletes its rows with the level (migration
 * 1763700008400).
 */
@Entity('vis_level')
export class VisLevel {
  @PrimaryColumn({ name: 'level_id', type: 'char', length: 32 })
  levelId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
