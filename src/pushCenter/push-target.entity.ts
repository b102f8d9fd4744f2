import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { newId } from '../common/ids';

/**
 * A Push Center destination: every access event is POSTed to `url` as CVSecurity's "Event Log" payload,
 * signed with HMAC-SHA256 over the body when a secret is set. The outbox rows (table push_outbox, filled
 * by a trigger on acc_transaction) hold each target's deliveries.
 */
@Entity('push_target')
export class PushTarget {
  @PrimaryColumn({ type: 'char', length: 32, primaryKeyConstraintName: 'pk_push_target' })
  id: string = newId();

  @Index('uq_push_target_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 2000 })
  url!: string;

  /** HMAC key; never returned by the API. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  secret!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
