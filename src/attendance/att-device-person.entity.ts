import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * What the attendance planner last queued for a person on a terminal: the hash of the USERINFO it sent and of
 * the templates and photo, so an unchanged person is not re-sent and a person who left the terminal's area
 * is deleted from it.
 */
@Entity('att_device_person')
export class AttDevicePerson {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_att_device_person' })
  deviceId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_att_device_person' })
  pin!: string;

  @Column({ name: 'user_hash', type: 'varchar', length: 40 })
  userHash!: string;

  @Column({ name: 'bio_hash', type: 'varchar', length: 40, nullable: true })
  bioHash!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
