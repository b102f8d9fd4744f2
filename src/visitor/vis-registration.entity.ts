import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type IndexOptions } from 'typeorm';
import { Device } from '../device/device.entity';
import { Person } from '../person/person.entity';
import { VisitorDetails } from './visitor-details.entity';

/** 'in' = checked in (a temporary user on the devices); 'out' = checked out; 'expired' = the window ended first. */
export type VisRegistrationState = 'in' | 'out' | 'expired';

/**
 * A visit (2.17): the visitor is checked in under a visitor pin (8xxxxxxx, reused on a later visit) and is a
 * temporary user on the devices of the visitor levels from startTime to endTime.
 */
@Entity('vis_registration')
@Index('uq_vis_registration_cert_in', ['certType', 'certNum'], { unique: true, where: `state = 'in'` })
@Index('uq_vis_registration_pin_in', ['visitorPin'], { unique: true, where: `state = 'in'` })
@Index('ix_vis_registration_cert', ['certType', 'certNum', 'createdAt'])
@Index('ix_vis_registration_pin', ['visitorPin', 'createdAt'])
@Index('ix_vis_registration_due', ['endTime'], { where: `state = 'in'` })
// Also ix_vis_registration_card_value_in on upper(ltrim(card_no, '0')) for checked-in visitors (migrations 1763700004100, 1764100004000;
// card-value.ts): an expression index TypeORM cannot declare; `synchronize: false` keeps its schema builder off it.
@Index('ix_vis_registration_card_value_in', ['cardNo'], { synchronize: false } as IndexOptions)
export class VisRegistration extends VisitorDetails {
  @Column({ name: 'visitor_pin', type: 'varchar', length: 64 })
  visitorPin!: string;

  @ManyToOne(() => Person, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'host_person_id', foreignKeyConstraintName: 'fk_vis_registration_host' })
  host?: Person;

  @Column({ name: 'visitor_count', type: 'integer', default: 1 })
  visitorCount!: number;

  @Column({ name: 'card_no', type: 'varchar', length: 64, nullable: true })
  cardNo!: string | null;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime!: Date;

  @Column({ name: 'end_time', type: 'timestamptz' })
  endTime!: Date;

  @Column({ type: 'varchar', length: 16, default: 'in' })
  state!: VisRegistrationState;

  /** Check-out, or the sweeper's expiry. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'reservation_id', type: 'char', length: 32, nullable: true })
  reservationId!: string | null;
}

/** The visitor levels of a visit: access, elevator or entrance-control levels (VisLevel; no foreign key, a trigger). */
@Entity('vis_registration_level')
export class VisRegistrationLevel {
  @PrimaryColumn({ name: 'registration_id', type: 'char', length: 32 })
  registrationId!: string;

  @Index('ix_vis_registration_level_level')
  @PrimaryColumn({ name: 'level_id', type: 'char', length: 32 })
  levelId!: string;

  @ManyToOne(() => VisRegistration, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'registration_id', foreignKeyConstraintName: 'fk_vis_registration_level_registration' })
  registration?: VisRegistration;
}
