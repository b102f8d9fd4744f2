import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An attendance photo (ATTPHOTO upload), linked to its punch through `punch_key` (the punch's unique_key
 * without the status: the photo's file name carries time and PIN only).
 */
@Entity('att_photo')
@Index('uq_att_photo_file', ['deviceSn', 'fileName'], { unique: true })
@Index('ix_att_photo_punch', ['deviceSn', 'pin', 'photoTime'])
export class AttPhoto {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'pk_att_photo' })
  id!: string;

  @Column({ name: 'device_sn', type: 'varchar', length: 64 })
  deviceSn!: string;

  @Column({ name: 'file_name', type: 'varchar', length: 200 })
  fileName!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  pin!: string | null;

  @Column({ name: 'photo_time', type: 'timestamptz', nullable: true })
  photoTime!: Date | null;

  @Column({ type: 'bytea' })
  data!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
