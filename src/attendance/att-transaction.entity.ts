import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A punch from an attendance terminal (ATTLOG), stored already joined with the names `listAttTransaction`
 * serves, so a list is one indexed range scan. `unique_key` (`<SN>_<pin>_<time>`) makes a re-sent
 * upload, a `DATA QUERY ATTLOG` answer over a period already held, or the same punch reported as rtlog and as
 * ATTLOG with another state, add nothing (records stored before migration 1763700007200 that differ in state only
 * keep `<SN>_<pin>_<time>_<status>`).
 */
@Entity('att_transaction')
@Index('ix_att_transaction_time', ['eventTime', 'id'])
@Index('ix_att_transaction_pin_time', ['pin', 'eventTime'])
@Index('ix_att_transaction_sn_time', ['deviceSn', 'eventTime'])
export class AttTransaction {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_att_transaction' })
  id!: string;

  @Index('uq_att_transaction_unique_key', { unique: true })
  // Bytes, not the locale: only ever compared with itself (migration 1763700009110).
  @Column({ name: 'unique_key', type: 'varchar', length: 200, collation: 'C' })
  uniqueKey!: string;

  @Column({ name: 'device_id', type: 'char', length: 32, nullable: true })
  deviceId!: string | null;

  @Column({ name: 'device_sn', type: 'varchar', length: 64 })
  deviceSn!: string;

  @Column({ name: 'dev_alias', type: 'varchar', length: 100, nullable: true })
  devAlias!: string | null;

  @Column({ name: 'event_time', type: 'timestamptz' })
  eventTime!: Date;

  @Column({ type: 'varchar', length: 64 })
  pin!: string;

  @Column({ name: 'person_id', type: 'char', length: 32, nullable: true })
  personId!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  name!: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 100, nullable: true })
  lastName!: string | null;

  @Column({ name: 'dept_code', type: 'varchar', length: 100, nullable: true })
  deptCode!: string | null;

  @Column({ name: 'dept_name', type: 'varchar', length: 100, nullable: true })
  deptName!: string | null;

  @Column({ name: 'area_name', type: 'varchar', length: 100, nullable: true })
  areaName!: string | null;

  @Column({ name: 'card_no', type: 'varchar', length: 64, nullable: true })
  cardNo!: string | null;

  /** ATTLOG status: 0 check-in, 1 check-out, 2 break-out, 3 break-in, 4 overtime-in, 5 overtime-out. */
  @Column({ type: 'smallint', nullable: true })
  status!: number | null;

  /** ATTLOG verify mode number and its name. */
  @Column({ name: 'verify_mode_no', type: 'integer', nullable: true })
  verifyModeNo!: number | null;

  @Column({ name: 'verify_mode_name', type: 'varchar', length: 100, nullable: true })
  verifyModeName!: string | null;

  @Column({ name: 'work_code', type: 'varchar', length: 64, nullable: true })
  workCode!: string | null;

  /** Fields after the work code, as sent. */
  @Column({ type: 'jsonb', nullable: true })
  reserved!: string[] | null;

  /**
   * The upload the record was read from: `ATTLOG` (the terminal's attendance log, its state authoritative) or `rtlog`
   * (a Push 3.x terminal's real-time log, whose `inoutstatus` may be the door's in/out only); null before 1763700007200.
   */
  @Column({ type: 'varchar', length: 8, nullable: true })
  via!: 'ATTLOG' | 'rtlog' | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
