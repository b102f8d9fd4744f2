import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { newId } from '../common/ids';

@Entity('department')
export class Department {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string = newId();

  /** The business key clients address departments by. */
  @Index('uq_department_code', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  code!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Index('ix_department_parent')
  @Column({ name: 'parent_id', type: 'char', length: 32, nullable: true })
  parentId!: string | null;

  @Column({ name: 'sort_no', type: 'integer', default: 999999 })
  sortNo!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
