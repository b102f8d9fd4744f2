import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A door whose access events count as attendance punches (gateway extension): `listAttTransaction` lists
 * them beside the terminals' punches, as CVSecurity does for its "attendance points".
 */
@Entity('att_point')
export class AttPoint {
  @PrimaryColumn({ name: 'door_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_att_point' })
  doorId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
