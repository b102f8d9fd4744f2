import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Person } from '../person/person.entity';

/**
 * One biometric template of a person, in the unified `biodata` terms (manual push 8.15): body part `No`
 * (finger 0-9, face 0), `Index` within it (a NIR face is Index 0-14, stored and re-sent as a set), Appendix 18
 * `Type`. The REST API (2.25) speaks fingerprints: templateNo = No, templateNoIndex = Index, bioType = Type.
 * `id` is a number, as the manual's 2.25.4 example shows.
 */
@Entity('bio_template')
@Index('uq_bio_template_slot', ['personId', 'bioType', 'templateNo', 'templateNoIndex'], { unique: true })
export class BioTemplate {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_bio_template' })
  id!: string;

  @Column({ name: 'person_id', type: 'char', length: 32 })
  personId!: string;

  @ManyToOne(() => Person, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'person_id', foreignKeyConstraintName: 'fk_bio_template_person' })
  person?: Person;

  /** Appendix 18: 1 fingerprint, 2 NIR face, 7 finger vein, 9 visible-light face, ... */
  @Column({ name: 'bio_type', type: 'smallint' })
  bioType!: number;

  /** Body part (biodata `No`; templatev10 `FingerID`). */
  @Column({ name: 'template_no', type: 'smallint' })
  templateNo!: number;

  /** biodata `Index`. */
  @Column({ name: 'template_no_index', type: 'smallint', default: 0 })
  templateNoIndex!: number;

  /** 1 normal, 3 duress (the manual's validType). */
  @Column({ name: 'valid_type', type: 'smallint', default: 1 })
  validType!: number;

  @Column({ name: 'major_ver', type: 'integer', default: 10 })
  majorVer!: number;

  @Column({ name: 'minor_ver', type: 'integer', default: 0 })
  minorVer!: number;

  /** Fingerprint template format: 0 ZK, 1 ISO, 2 ANSI. */
  @Column({ type: 'smallint', default: 0 })
  format!: number;

  /** Base64 template. */
  @Column({ type: 'text' })
  template!: string;

  /** SN of the device where it was enrolled; null when it came through the REST API. */
  @Column({ name: 'source_sn', type: 'varchar', length: 64, nullable: true })
  sourceSn!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
