import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A person's attendance settings (2.24.5 editAttPerson) and FaceKiosk settings (2.27.1 editInsPerson). A
 * person without a row has the defaults: counted for attendance, ordinary user (Pri 0), the terminal's own
 * verify mode, group 1 with the group's time periods, ordinary kiosk category.
 */
@Entity('att_person')
export class AttPerson {
  @PrimaryColumn({ name: 'person_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_att_person' })
  personId!: string;

  @Column({ name: 'is_attendance', type: 'boolean', default: true })
  isAttendance!: boolean;

  /** Terminal privilege `Pri`: 0 ordinary, 2 registrar, 6 administrator, 14 super administrator. */
  @Column({ name: 'per_dev_auth', type: 'smallint', default: 0 })
  perDevAuth!: number;

  /** Verify mode 0-29 (2.24.5); null = the terminal's group mode (`Verify=-1`). */
  @Column({ name: 'verify_mode', type: 'smallint', nullable: true })
  verifyMode!: number | null;

  /**
   * The terminal group (`Grp`, attendance manual 12.1.1.1) the last terminal to upload the person's USER line
   * reported; null = never reported, sent as the default `Grp=1`. Kept so a record sent back carries it: on an AiFace
   * access is decided by the group (Grp=100 blocks, field samples), so a default would unblock the person.
   */
  @Column({ name: 'terminal_grp', type: 'smallint', nullable: true })
  terminalGrp!: number | null;

  /** The time periods (`TZ`, 16 digits, 12.1.1.1) reported with terminalGrp; null = never, sent as the group's (all zeros). */
  @Column({ name: 'terminal_tz', type: 'varchar', length: 16, nullable: true })
  terminalTz!: string | null;

  /** Disabled at an attendance terminal (an odd `Pri` on its USER line: bit 0); null = never reported, sent enabled. */
  @Column({ name: 'terminal_disabled', type: 'boolean', nullable: true })
  terminalDisabled!: boolean | null;

  /** FaceKiosk category: 0 ordinary, 1 VIP, 2 blacklist. */
  @Index('ix_att_person_ins_category')
  @Column({ name: 'ins_category', type: 'smallint', default: 0 })
  insCategory!: number;

  /** FaceKiosk device privilege: 0 ordinary, 14 super administrator. */
  @Column({ name: 'ins_per_dev_auth', type: 'smallint', default: 0 })
  insPerDevAuth!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
