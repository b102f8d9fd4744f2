import { Column, Entity, Index, type IndexOptions, JoinColumn, ManyToOne } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';
import { Department } from '../department/department.entity';

export type PersonStatus = 'active' | 'left';

/** MD5 of "123456", the self-service password CVSecurity gives every person (the manual's selfPwd example). */
export const DEFAULT_SELF_PWD = 'e10adc3949ba59abbe56e057f20f883e';

/** CVSecurity's person (PersPerson), keyed for clients by `pin`. The rtlog ingest reads pin/id/name/last_name/dept_id. */
// Also ix_person_pin_value on ltrim(pin, '0') for digit pins (migration 1764600002000; pin-value.ts): an expression
// index TypeORM cannot declare; `synchronize: false` keeps its schema builder off it.
@Index('ix_person_pin_value', ['pin'], { synchronize: false } as IndexOptions)
@Entity('person')
export class Person extends HexIdEntity {
  @Index('uq_person_pin', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  pin!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  name!: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 100, nullable: true })
  lastName!: string | null;

  @Index('ix_person_dept')
  @Column({ name: 'dept_id', type: 'char', length: 32 })
  deptId!: string;

  @ManyToOne(() => Department, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'dept_id', foreignKeyConstraintName: 'fk_person_dept' })
  dept?: Department;

  @Column({ type: 'varchar', length: 1, nullable: true })
  gender!: string | null;

  /** The main card, mirrored from `card` (card_type 0). */
  @Column({ name: 'card_no', type: 'varchar', length: 64, nullable: true })
  cardNo!: string | null;

  /** personPwd: the keypad password sent to devices. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  password!: string | null;

  @Column({ name: 'acc_start_time', type: 'timestamptz', nullable: true })
  accStartTime!: Date | null;

  @Column({ name: 'acc_end_time', type: 'timestamptz', nullable: true })
  accEndTime!: Date | null;

  @Column({ name: 'is_disabled', type: 'boolean', default: false })
  isDisabled!: boolean;

  @Column({ name: 'is_send_mail', type: 'boolean', default: false })
  isSendMail!: boolean;

  /** Base64 JPEG/PNG, no data: prefix; the face comparison photo sent to face devices. */
  @Column({ type: 'text', nullable: true })
  photo!: string | null;

  @Index('ix_person_status')
  @Column({ type: 'varchar', length: 10, default: 'active' })
  status!: PersonStatus;

  @Column({ type: 'date', nullable: true })
  birthday!: string | null;

  @Column({ name: 'hire_date', type: 'date', nullable: true })
  hireDate!: string | null;

  @Column({ name: 'cert_type', type: 'varchar', length: 10, nullable: true })
  certType!: string | null;

  @Column({ name: 'cert_number', type: 'varchar', length: 64, nullable: true })
  certNumber!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  email!: string | null;

  @Column({ name: 'mobile_phone', type: 'varchar', length: 32, nullable: true })
  mobilePhone!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ssn!: string | null;

  @Column({ name: 'car_plate', type: 'varchar', length: 255, nullable: true })
  carPlate!: string | null;

  @Column({ name: 'leave_date', type: 'date', nullable: true })
  leaveDate!: string | null;

  @Column({ name: 'leave_type', type: 'varchar', length: 32, nullable: true })
  leaveType!: string | null;

  /**
   * The self-service password as CVSecurity returns it (`selfPwd`): the MD5 hex of the password, CVSecurity's
   * default 123456 until a write sets another (migration 1764900002000).
   */
  @Column({ name: 'self_pwd', type: 'varchar', length: 32, default: DEFAULT_SELF_PWD })
  selfPwd!: string;
}
