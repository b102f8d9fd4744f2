import { Column, Entity, Index } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';

/**
 * The default department, seeded with the database ("Department Name"): persons added without a deptCode go to
 * it, and, as in CVSecurity, where the root department cannot be removed, it cannot be deleted (-15).
 */
export const DEFAULT_DEPT_CODE = '1';

@Entity('department')
export class Department extends HexIdEntity {
  /** The business key clients address departments by. */
  @Index('uq_department_code', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  code!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Index('ix_department_parent')
  @Column({ name: 'parent_id', type: 'char', length: 32, nullable: true })
  parentId!: string | null;

  @Column({ name: 'sort_no', type: 'integer', default: 99999 })
  sortNo!: number;
}
