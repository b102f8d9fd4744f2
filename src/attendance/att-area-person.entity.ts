import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Membership of a person in an attendance area (2.8, `attAreaPerson`) or a FaceKiosk area (2.28,
 * `insAreaPerson`): a person reaches the terminals (kind att) or kiosks (kind facekiosk) whose area holds them.
 */
@Entity('att_area_person')
@Index('ix_att_area_person_person', ['personId'])
export class AttAreaPerson {
  /** `att` (attendance area) or `ins` (FaceKiosk area). */
  @PrimaryColumn({ type: 'varchar', length: 8, primaryKeyConstraintName: 'pk_att_area_person' })
  module!: string;

  @PrimaryColumn({ name: 'area_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_att_area_person' })
  areaId!: string;

  @PrimaryColumn({ name: 'person_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_att_area_person' })
  personId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
