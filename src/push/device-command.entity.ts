import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export type DeviceCommandState = 'pending' | 'sent' | 'done' | 'failed';

/**
 * The durable command queue (the outbox): one row per command, inserted in the same transaction as the
 * domain change it carries. `attempt_id` is the CmdID of the current delivery (`C:<attempt_id>:...`); every
 * re-offer takes a new one from the sequence `device_command_attempt_seq` and logs it in
 * `device_command_attempt`, so a late result for a superseded attempt still finds its command.
 */
@Entity('device_command')
@Index('ix_device_command_sn_state', ['deviceSn', 'state', 'id'])
export class DeviceCommand {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_device_command' })
  id!: string;

  @Column({ name: 'device_sn', type: 'varchar', length: 64 })
  deviceSn!: string;

  /** Command text without the `C:<id>:` prefix, from the codec's builders. */
  @Column({ type: 'text' })
  command!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  state!: DeviceCommandState;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Index('uq_device_command_attempt', { unique: true })
  @Column({ name: 'attempt_id', type: 'bigint', nullable: true })
  attemptId!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt!: Date | null;

  /** The device's Return (a record count for DATA QUERY / COUNT). */
  @Column({ name: 'return_code', type: 'integer', nullable: true })
  returnCode!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The enqueuer's reference (any JSON), handed back in the command's outcome (command-outcome.ts). */
  @Column({ type: 'jsonb', nullable: true })
  ref!: unknown;

  /** `ref` without its item lists (command-ref-summary.ts): what the queue's readers filter on. */
  @Column({ type: 'jsonb', nullable: true, select: false })
  meta!: Record<string, unknown> | null;

  /** The keys `ref` puts or deletes, one flat JSON array (command-ref-summary.ts). */
  @Column({ type: 'jsonb', nullable: true, select: false })
  keys!: string[] | null;

  /**
   * The text's lines (records) and UTF-8 bytes, kept with it, so pending-append's look at a device's pending
   * tail does not read a growing text to count them (src/sync/pending-append.ts). NULL on rows older than
   * migration 1763700003300, whose readers count from the text.
   */
  @Column({ type: 'integer', nullable: true, select: false })
  records!: number | null;

  @Column({ type: 'integer', nullable: true, select: false })
  bytes!: number | null;

  /**
   * Set for an action only worth running soon (a remote door open, QueueItem.validForMs): past it, the command is
   * failed instead of handed out, first or again (command-rules.ts planClaim). NULL: no limit.
   */
  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true, select: false })
  validUntil!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Every delivery attempt: CmdID → command, so results for superseded attempts are recognised. */
@Entity('device_command_attempt')
export class DeviceCommandAttempt {
  @PrimaryColumn({ name: 'attempt_id', type: 'bigint', primaryKeyConstraintName: 'pk_device_command_attempt' })
  attemptId!: string;

  @Index('ix_device_command_attempt_command')
  @Column({ name: 'command_id', type: 'bigint' })
  commandId!: string;

  @Column({ name: 'device_sn', type: 'varchar', length: 64 })
  deviceSn!: string;

  @Column({ name: 'sent_at', type: 'timestamptz' })
  sentAt!: Date;
}
