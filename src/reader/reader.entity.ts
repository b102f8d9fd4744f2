import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';
import { Door } from '../door/door.entity';

/**
 * A door's reader: at most one in (in_out 0) and one out (in_out 1), named `<doorName>-In` / `<doorName>-Out`; a
 * device's registration gives its doors the readers its ReaderCount declares (reader-layout.ts).
 */
@Entity('reader')
@Index('uq_reader_door_in_out', ['doorId', 'inOut'], { unique: true })
export class Reader extends HexIdEntity {
  @ManyToOne(() => Door, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'door_id', foreignKeyConstraintName: 'fk_reader_door' })
  door?: Relation<Door>;

  @Column({ name: 'door_id', type: 'char', length: 32 })
  doorId!: string;

  /** Reader number on the device, in door order (reader-layout.ts): 2n-1 (in) and 2n (out) for door n of a panel with both. */
  @Column({ name: 'reader_no', type: 'integer' })
  readerNo!: number;

  /** 0 = in, 1 = out (rtlog inoutstatus). */
  @Column({ name: 'in_out', type: 'integer' })
  inOut!: number;

  @Column({ type: 'varchar', length: 100 })
  name!: string;
}
