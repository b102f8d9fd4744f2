import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Device } from '../device/device.entity';

/**
 * A table or command this device's firmware refused for good (`-1002`, `-1004`, `-629`, `-708`; see
 * protocol/refusals.ts): a device capability, recorded by the command queue when such a Return finishes a
 * command and removed when a later command with the same key succeeds. `what` is the refusal key
 * (`DATA UPDATE biodata`, `CONTROL DEVICE`, ...).
 */
@Entity('device_refusal')
@Index('ix_device_refusal_probe_at', ['probeAt'])
export class DeviceRefusal {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_device_refusal' })
  deviceId!: string;

  @ManyToOne(() => Device, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'fk_device_refusal_device' })
  device?: Relation<Device>;

  @PrimaryColumn({ type: 'varchar', length: 128, primaryKeyConstraintName: 'pk_device_refusal' })
  what!: string;

  /** The Return of the latest refusal. */
  @Column({ name: 'return_code', type: 'integer' })
  returnCode!: number;

  /** How many commands were refused with this key. */
  @Column({ type: 'integer', default: 1 })
  refusals!: number;

  /** The head of the latest refused command (200 characters). */
  @Column({ type: 'text' })
  command!: string;

  @Column({ name: 'first_at', type: 'timestamptz' })
  firstAt!: Date;

  @Column({ name: 'last_at', type: 'timestamptz' })
  lastAt!: Date;

  /**
   * When the refused commands last counted were handed out (their getrequest reply): the results of one reply are
   * one refusal, whether they come in one body or one body each. Null before migration 1763700006600.
   */
  @Column({ name: 'handed_out_at', type: 'timestamptz', nullable: true })
  handedOutAt!: Date | null;

  /**
   * When the key is tried again: a refusal for good whose probe is due no longer holds its table back, and the
   * reconciler plans the device again (device-refusals.ts, RefusalProbe). Set at each refusal and each probe.
   */
  @Column({ name: 'probe_at', type: 'timestamptz', default: () => 'now()' })
  probeAt!: Date;

  /**
   * Rows the latest count of the table found beyond those the device confirmed, on a refused clear
   * (`DATA DELETE <table>`): records no database row gives it (another site's users on a swapped board), which no
   * full sync can take off while the firmware refuses the clear. Null once a count matches again.
   */
  @Column({ name: 'excess_rows', type: 'integer', nullable: true })
  excessRows!: number | null;
}
