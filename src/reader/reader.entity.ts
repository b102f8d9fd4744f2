import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { newId } from '../common/ids';
import { Door } from '../door/door.entity';

/** A door's reader: one in (in_out 0) and one out (in_out 1), named `<doorName>-In` / `<doorName>-Out`. */
@Entity('reader')
@Index('uq_reader_door_in_out', ['doorId', 'inOut'], { unique: true })
export class Reader {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string = newId();

  @ManyToOne(() => Door, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'door_id', foreignKeyConstraintName: 'fk_reader_door' })
  door?: Relation<Door>;

  @Column({ name: 'door_id', type: 'char', length: 32 })
  doorId!: string;

  /** Reader number on the device: 2n-1 (in) and 2n (out) for door n. */
  @Column({ name: 'reader_no', type: 'integer' })
  readerNo!: number;

  /** 0 = in, 1 = out (rtlog inoutstatus). */
  @Column({ name: 'in_out', type: 'integer' })
  inOut!: number;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
