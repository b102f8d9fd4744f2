import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, type IndexOptions } from 'typeorm';

/**
 * An access event (rtlog), stored already joined with the names the transaction API serves, so that a
 * list is one indexed range scan. Written only by the PUSH ingest; `unique_key` makes a re-sent upload
 * add nothing.
 */
@Entity('acc_transaction')
@Index('ix_acc_transaction_time', ['eventTime', 'id'])
// Events with a pin only: nothing looks up a pin-less event by pin (migration 1763700008110).
@Index('ix_acc_transaction_pin_time', ['pin', 'eventTime'], { where: '"pin" IS NOT NULL' })
// Temperature/mask events only, by their own row (migration 1764800007000; the hep list, src/hep/hep.repository.ts).
@Index('ix_acc_transaction_hep_time', ['eventTime', 'id'], { where: '"event_no" IN (68, 69) OR "conv_temperature" IS NOT NULL OR "mask_flag" = 1' })
@Index('ix_acc_transaction_sn_time', ['deviceSn', 'eventTime'])
@Index('ix_acc_transaction_position', ['xid', 'id'])
// Also a BRIN index on created_at (migration 1763700003400: where a new monitor cursor starts). TypeORM cannot
// declare BRIN; `synchronize: false` keeps its schema builder from dropping it (the option exists at run time,
// not in 1.x's typings).
@Index('ix_acc_transaction_created', ['createdAt'], { synchronize: false } as IndexOptions)
export class AccTransaction {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_acc_transaction' })
  id!: string;

  /**
   * `<SN>_<index>_<device time>` (CVSecurity's own uniqueKey form), or `<SN>_<time>_<pin>_<event>_<eventaddr>` without index.
   * Collated "C" (bytes): only ever compared with itself, so the locale's rules only cost (migration 1763700007500).
   */
  @Index('uq_acc_transaction_unique_key', { unique: true })
  @Column({ name: 'unique_key', type: 'varchar', length: 200, collation: 'C' })
  uniqueKey!: string;

  @Column({ name: 'device_id', type: 'char', length: 32, nullable: true })
  deviceId!: string | null;

  @Column({ name: 'device_sn', type: 'varchar', length: 64 })
  deviceSn!: string;

  @Column({ name: 'dev_alias', type: 'varchar', length: 100, nullable: true })
  devAlias!: string | null;

  /** rtlog `index` (the device's record id). */
  @Column({ name: 'log_id', type: 'integer', nullable: true })
  logId!: number | null;

  @Column({ name: 'event_time', type: 'timestamptz' })
  eventTime!: Date;

  /** Null for non-person events (pin 0 or empty). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  pin!: string | null;

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

  @Column({ name: 'card_no', type: 'varchar', length: 64, nullable: true })
  cardNo!: string | null;

  @Column({ name: 'door_id', type: 'char', length: 32, nullable: true })
  doorId!: string | null;

  /** rtlog `eventaddr`. */
  @Column({ name: 'door_no', type: 'integer', nullable: true })
  doorNo!: number | null;

  @Column({ name: 'door_name', type: 'varchar', length: 100, nullable: true })
  doorName!: string | null;

  @Column({ name: 'reader_id', type: 'char', length: 32, nullable: true })
  readerId!: string | null;

  @Column({ name: 'reader_name', type: 'varchar', length: 100, nullable: true })
  readerName!: string | null;

  /** rtlog `inoutstatus`: 0 in, 1 out. */
  @Column({ name: 'reader_state', type: 'integer', nullable: true })
  readerState!: number | null;

  @Column({ name: 'event_no', type: 'integer' })
  eventNo!: number;

  @Column({ name: 'event_name', type: 'varchar', length: 200, nullable: true })
  eventName!: string | null;

  /** 0 normal, 1 warning (error/abnormal events), 2 alarm. */
  @Column({ name: 'event_level', type: 'integer', default: 0 })
  eventLevel!: number;

  @Column({ name: 'event_point_name', type: 'varchar', length: 100, nullable: true })
  eventPointName!: string | null;

  /** Appendix-3 verify mode; null when the device sent a new-style bit string (kept in verify_mode_name). */
  @Column({ name: 'verify_mode_no', type: 'integer', nullable: true })
  verifyModeNo!: number | null;

  @Column({ name: 'verify_mode_name', type: 'varchar', length: 100, nullable: true })
  verifyModeName!: string | null;

  @Column({ name: 'area_name', type: 'varchar', length: 100, nullable: true })
  areaName!: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  temperature!: string | null;

  /** rtlog `maskflag` as sent: 1 wearing a mask, 0 not (or no mask detection), null when absent. */
  @Column({ name: 'mask_flag', type: 'smallint', nullable: true })
  maskFlag!: number | null;

  /** Body temperature in degrees Celsius (rtlog `convtemperature`, else `temperature`; Fahrenheit converted); null when not measured. */
  @Column({ name: 'conv_temperature', type: 'numeric', precision: 5, scale: 2, nullable: true })
  convTemperature!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /**
   * The event's feed position with `id`: the id of the transaction that inserted it (txid_current(), the same
   * 64-bit value as pg_current_xact_id()), set by the default so every writer gets it. The monitor and the live stream hand out only events of transactions below the feed's
   * horizon (FEED_XMIN: every older transaction of this database ended), in (xid, id) order, so an ingest that commits late is delivered, never skipped.
   */
  @Column({ type: 'bigint', default: () => 'txid_current()' })
  xid!: string;
}
