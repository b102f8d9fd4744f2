import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { newId } from '../common/ids';
import { Person } from '../person/person.entity';

export type VisReservationState = 'reserved' | 'registered';

/** A visitor reservation (2.15): stored only; it becomes a registration when the visitor arrives (2.17.1). */
@Entity('vis_reservation')
@Index('uq_vis_reservation_cert_date', ['certType', 'certNum', 'visitDate'], { unique: true })
export class VisReservation {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string = newId();

  @Column({ name: 'host_person_id', type: 'char', length: 32, nullable: true })
  hostPersonId!: string | null;

  @ManyToOne(() => Person, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'host_person_id', foreignKeyConstraintName: 'fk_vis_reservation_host' })
  host?: Person;

  /** persPersonPin: the employee visited. */
  @Column({ name: 'host_pin', type: 'varchar', length: 64 })
  hostPin!: string;

  @Column({ name: 'cert_type', type: 'varchar', length: 10 })
  certType!: string;

  @Column({ name: 'cert_num', type: 'varchar', length: 64 })
  certNum!: string;

  @Column({ name: 'visitor_name', type: 'varchar', length: 100 })
  visitorName!: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  company!: string | null;

  @Column({ name: 'visit_reason', type: 'varchar', length: 255 })
  visitReason!: string;

  @Column({ name: 'visit_date', type: 'timestamptz' })
  visitDate!: Date;

  @Column({ name: 'visit_end_date', type: 'timestamptz' })
  visitEndDate!: Date;

  @Column({ type: 'varchar', length: 16, default: 'reserved' })
  state!: VisReservationState;

  /** The registration it became. */
  @Column({ name: 'registration_id', type: 'char', length: 32, nullable: true })
  registrationId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
