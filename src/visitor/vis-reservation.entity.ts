import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { Person } from '../person/person.entity';
import { VisitorDetails } from './visitor-details.entity';

export type VisReservationState = 'reserved' | 'registered';

/** A visitor reservation (2.15): stored only; it becomes a registration when the visitor arrives (2.17.1). */
@Entity('vis_reservation')
@Index('uq_vis_reservation_cert_date', ['certType', 'certNum', 'visitDate'], { unique: true })
export class VisReservation extends VisitorDetails {
  @ManyToOne(() => Person, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'host_person_id', foreignKeyConstraintName: 'fk_vis_reservation_host' })
  host?: Person;

  @Column({ name: 'visit_date', type: 'timestamptz' })
  visitDate!: Date;

  @Column({ name: 'visit_end_date', type: 'timestamptz' })
  visitEndDate!: Date;

  @Column({ type: 'varchar', length: 16, default: 'reserved' })
  state!: VisReservationState;

  /** The registration it became. */
  @Column({ name: 'registration_id', type: 'char', length: 32, nullable: true })
  registrationId!: string | null;
}
