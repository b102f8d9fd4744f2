import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** Leave types (2.23.4); seeded with CVSecurity's defaults by the migration. */
@Entity('att_leave_type')
export class AttLeaveType {
  @PrimaryColumn({ name: 'leave_type_no', type: 'varchar', length: 32, primaryKeyConstraintName: 'pk_att_leave_type' })
  leaveTypeNo!: string;

  @Column({ name: 'leave_type_name', type: 'varchar', length: 100 })
  leaveTypeName!: string;

  @Column({ name: 'sort_no', type: 'integer', default: 0 })
  sortNo!: number;
}

/** A leave picture (2.23.5), served back at the path uploadLeaveImage returned. */
@Entity('att_leave_image')
export class AttLeaveImage {
  /** `/fileresource/att/leave/image/<yyyy-MM-dd>/<millis><n>.jpg` */
  @PrimaryColumn({ type: 'varchar', length: 200, primaryKeyConstraintName: 'pk_att_leave_image' })
  path!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 64 })
  contentType!: string;

  @Column({ type: 'bytea' })
  data!: Buffer;

  @Index('ix_att_leave_image_created')
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
