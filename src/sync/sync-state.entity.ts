import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Device } from '../device/device.entity';

/**
 * What one device has CONFIRMED holding, per item (kind + key: `user`/`auth`/`card`/`photo`/`bio` by pin,
 * `tz` by TimezoneId, `hday` by holiday day, `gatepassrule` by PasswayTimeZoneId). Written only from the device's Return codes (the command
 * outcome hook), never when a command is queued. `hash` is the content the device confirmed (null: the
 * device holds nothing confirmed for the key). A refused or expired command leaves `hash` as it was and
 * records the failure; the planner re-plans after `next_try_at` (backoff).
 */
@Entity('sync_item')
@Index('ix_sync_item_key', ['key'])
export class SyncItem {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_sync_item' })
  deviceId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16, primaryKeyConstraintName: 'pk_sync_item' })
  kind!: string;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_sync_item' })
  key!: string;

  // No foreign key: a trigger on device deletes a deleted device's items (migration 1763700003750: the key's
  // check per confirmed item cost a third of a full sync's inserts).
  @ManyToOne(() => Device, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'device_id' })
  device?: Device;

  @Column({ type: 'text', nullable: true })
  hash!: string | null;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  failures!: number;

  @Column({ name: 'last_return', type: 'integer', nullable: true })
  lastReturn!: number | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;

  @Column({ name: 'next_try_at', type: 'timestamptz', nullable: true })
  nextTryAt!: Date | null;

  /** The plan whose command failed last: a later success of the same plan does not confirm the item. */
  @Column({ name: 'failed_plan', type: 'varchar', length: 40, nullable: true })
  failedPlan!: string | null;

  /**
   * The command (device_command.id, its queue position) whose delete of this item failed, until a delete of it
   * succeeds: a rights, card or template put queued after it by a plan made before the failure was recorded
   * assumed the old rows gone, so its success does not make the rows exactly its own (sync-confirm.ts).
   */
  @Column({ name: 'failed_delete', type: 'bigint', nullable: true })
  failedDelete!: string | null;

  /** When that failure was recorded (database clock): a put whose plan began later knew of it. */
  @Column({ name: 'failed_delete_at', type: 'timestamptz', nullable: true })
  failedDeleteAt!: Date | null;

  /**
   * A `user` or `card` item in doubt (`?`): the hashes it was confirmed or put with before, `|`-separated (kept by a
   * row trigger, migration 1763700009300): the cards the device may still hold under its pin (card-moves.ts).
   */
  @Column({ name: 'prior_hashes', type: 'text', nullable: true })
  priorHashes!: string | null;

  /**
   * A terminal's ERRORLOG that failed the command which confirmed this item (Attendance PUSH 11.16, DataOrigin=cmd):
   * its code and meaning (appendix 9), shown where the item's failure is, until another failure or confirmation.
   */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The content (hash) those ERRORLOG failures were of, and how many in a row: a retry of it backs off further. */
  @Column({ name: 'error_hash', type: 'text', nullable: true })
  errorHash!: string | null;

  @Column({ name: 'error_failures', type: 'integer', default: 0 })
  errorFailures!: number;

  /** Why the planner did not send this item (a stored value a device command cannot carry). */
  @Column({ type: 'text', nullable: true })
  skipped!: string | null;
}

/**
 * Work owed to a device, recorded in the transaction of the event that causes it (admission, registration)
 * and carried out by the reconciler with retries: `full` (clear and resend everything, in chunks; `cursor`
 * is the last pin sent) or `verify` (count the device's users against what it confirmed).
 */
@Entity('sync_owed')
export class SyncOwed {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_sync_owed' })
  deviceId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16, primaryKeyConstraintName: 'pk_sync_owed' })
  kind!: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_sync_owed_device' })
  device?: Device;

  @Column({ type: 'varchar', length: 64, nullable: true })
  cursor!: string | null;

  /** The plan id every page of an owed full sync shares (its later pages skip its own earlier commands in the replay). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  plan!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_try_at', type: 'timestamptz', default: () => 'now()' })
  nextTryAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** When the periodic verification (SyncVerifier) last asked an access panel to count its users. */
@Entity('sync_verify')
export class SyncVerify {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_sync_verify' })
  deviceId!: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_sync_verify_device' })
  device?: Device;

  @Column({ name: 'asked_at', type: 'timestamptz', default: () => 'now()' })
  askedAt!: Date;

  /** When it was last asked which users it holds (`DATA QUERY tablename=user`); NULL: never. */
  @Column({ name: 'pins_at', type: 'timestamptz', nullable: true })
  pinsAt!: Date | null;
}
