import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Table uploads (user, biodata, templatev10, userpic, biophoto, identitycard, ATTPHOTO, errorlog, options,
 * ...) and DATA QUERY results (querydata, with cmd id and packet numbers), one row per record as received.
 * Read for the events' capture photos (ATTPHOTO, by `pin` = the snapshot's file name); templates are copied
 * into bio_template at upload time. Kept DEVICE_UPLOAD_KEEP_DAYS (command-history.pruner.ts).
 * `upload_key` (md5 of SN, table, cmd id and the record line) makes a re-sent upload add nothing.
 */
@Entity('device_upload')
@Index('ix_device_upload_table_pin', ['tableName', 'pin'])
@Index('ix_device_upload_sn_table', ['deviceSn', 'tableName', 'id'])
// A command's Return looks for an ERRORLOG posted before it (errorlog-commands.ts), the table name as the device sent it.
@Index('ix_device_upload_errorlog', ['deviceSn', 'receivedAt'], { where: `upper("table_name") = 'ERRORLOG'` })
export class DeviceUpload {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_device_upload' })
  id!: string;

  @Index('uq_device_upload_key', { unique: true })
  @Column({ name: 'upload_key', type: 'char', length: 32 })
  uploadKey!: string;

  @Column({ name: 'device_sn', type: 'varchar', length: 64 })
  deviceSn!: string;

  /** Canonical table name (`user`, `biodata`, `identitycard`, `ATTPHOTO`, `options`, ...). */
  @Column({ name: 'table_name', type: 'varchar', length: 64 })
  tableName!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  pin!: string | null;

  /** The record's fields as sent (raw keys). */
  @Column({ type: 'jsonb' })
  record!: Record<string, string>;

  /** querydata: the command id the records answer, and the packet. */
  @Column({ name: 'cmd_id', type: 'varchar', length: 64, nullable: true })
  cmdId!: string | null;

  @Column({ name: 'pack_cnt', type: 'integer', nullable: true })
  packCnt!: number | null;

  @Column({ name: 'pack_idx', type: 'integer', nullable: true })
  packIdx!: number | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}
