import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { newId } from '../common/ids';

/** An integrator allowed to call /api. Only a hash of its token is kept. */
@Entity('api_client')
export class ApiClient {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string = newId();

  @Column({ type: 'varchar', length: 100, unique: true })
  name!: string;

  @Column({ name: 'token_hash', type: 'char', length: 64, unique: true })
  tokenHash!: string;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
