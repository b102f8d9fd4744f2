import { Column, Entity, Index } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';

@Entity('area')
export class Area extends HexIdEntity {
  @Index('uq_area_code', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  code!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'parent_id', type: 'char', length: 32, nullable: true })
  parentId!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  remark!: string | null;
}
