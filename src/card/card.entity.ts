import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type IndexOptions } from 'typeorm';
import { newId } from '../common/ids';
import { Person } from '../person/person.entity';

/** A person's card: card_type 0 = main card (mirrored in person.card_no), 1 = secondary card. */
// Also ix_card_value on upper(ltrim(card_no, '0')) (migrations 1763700004100, 1764100004000; card-value.ts): an expression index TypeORM
// cannot declare; `synchronize: false` keeps its schema builder off it.
// One main card per person (migration 1763700004400), beside the person-row lock main-card writes take.
@Entity('card')
@Index('ix_card_value', ['cardNo'], { synchronize: false } as IndexOptions)
@Index('uq_card_main', ['personId'], { unique: true, where: 'card_type = 0' })
export class Card {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string = newId();

  @Index('ix_card_person')
  @Column({ name: 'person_id', type: 'char', length: 32 })
  personId!: string;

  @ManyToOne(() => Person, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'person_id', foreignKeyConstraintName: 'fk_card_person' })
  person?: Person;

  @Index('uq_card_no', { unique: true })
  @Column({ name: 'card_no', type: 'varchar', length: 64 })
  cardNo!: string;

  @Column({ name: 'card_type', type: 'smallint', default: 0 })
  cardType!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
