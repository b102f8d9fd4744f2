import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, CreateDateColumn } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';
import { Door } from '../door/door.entity';
import { Person } from '../person/person.entity';
import { TimeSegment } from '../timeSegment/time-segment.entity';

/**
 * CVSecurity's Access > Advanced Functions > First-Person Normally Open: a door and a time segment; within the
 * segment the door stays open once one of the rule's persons (AccFirstOpenPerson) first verifies. One rule per door
 * and segment. Its panel holds it as `firstcard` rows (DoorID, TimezoneID = the segment's TimezoneId, Pin) and the
 * door option Door<n>FirstCardOpenDoor=1 (Security PUSH 8.9, Appendix 10), planned as the `firstcard` item of the
 * door. Deleting the door drops its rules; a segment in use by a rule cannot be deleted.
 */
@Entity('acc_first_open')
@Index('uq_acc_first_open_door_segment', ['doorId', 'timeSegmentId'], { unique: true })
export class AccFirstOpen extends HexIdEntity {
  @Column({ name: 'door_id', type: 'char', length: 32 })
  doorId!: string;

  @Index('ix_acc_first_open_time_segment')
  @Column({ name: 'time_segment_id', type: 'char', length: 32 })
  timeSegmentId!: string;

  @ManyToOne(() => Door, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'door_id', foreignKeyConstraintName: 'fk_acc_first_open_door' })
  door?: Door;

  @ManyToOne(() => TimeSegment, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'time_segment_id', foreignKeyConstraintName: 'fk_acc_first_open_time_segment' })
  timeSegment?: TimeSegment;
}

/** A person of a First-Person Normally Open rule. Deleting the person (or the rule) removes it. */
@Entity('acc_first_open_person')
export class AccFirstOpenPerson {
  @PrimaryColumn({ name: 'first_open_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_acc_first_open_person' })
  firstOpenId!: string;

  @Index('ix_acc_first_open_person_person')
  @PrimaryColumn({ name: 'person_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_acc_first_open_person' })
  personId!: string;

  @ManyToOne(() => AccFirstOpen, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'first_open_id', foreignKeyConstraintName: 'fk_acc_first_open_person_rule' })
  rule?: AccFirstOpen;

  @ManyToOne(() => Person, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'person_id', foreignKeyConstraintName: 'fk_acc_first_open_person_person' })
  person?: Person;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
