import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An operation record of a terminal (`OPLOG` line of an OPERLOG upload): who did what at the terminal
 * (Appendix 3 operation codes), with its operands. A re-sent upload adds nothing (`unique_key`).
 */
@Entity('att_operlog')
@Index('ix_att_operlog_sn_time', ['deviceSn', 'opTime'])
export class AttOperlog {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_att_operlog' })
  id!: string;

  /** `<SN>_<OpType>_<OpWho>_<time>_<values joined by ,>`. */
  @Index('uq_att_operlog_unique_key', { unique: true })
  @Column({ name: 'unique_key', type: 'varchar', length: 300 })
  uniqueKey!: string;

  @Column({ name: 'device_sn', type: 'varchar', length: 64 })
  deviceSn!: string;

  @Column({ name: 'op_type', type: 'integer' })
  opType!: number;

  /** The administrator's PIN (0 = none). */
  @Column({ name: 'op_who', type: 'varchar', length: 64 })
  opWho!: string;

  @Column({ name: 'op_time', type: 'timestamptz' })
  opTime!: Date;

  @Column({ type: 'jsonb' })
  operands!: string[];

  /**
   * The line ended its upload's body without a line end: an upload cut mid-body may have cut its last field (the
   * reserved `906` read as `90`). The whole line, sent again, replaces it (and clears this).
   */
  @Column({ name: 'cut_short', type: 'boolean', default: false })
  cutShort!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
