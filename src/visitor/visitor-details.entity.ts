import { Column } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';

/**
 * Who visits whom, recorded the same way by a reservation (2.15) and a visit (2.17).
 * Not an @Entity; each subclass declares its own `host` relation, because the foreign key is named after its table.
 */
export abstract class VisitorDetails extends HexIdEntity {
  @Column({ name: 'host_person_id', type: 'char', length: 32, nullable: true })
  hostPersonId!: string | null;

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
}
