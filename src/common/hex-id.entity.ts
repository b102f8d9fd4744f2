import { CreateDateColumn, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { newId } from './ids';

/**
 * The columns every entity the API exposes starts with: a 32-character lowercase hex id like CVSecurity's
 * (never a device-side small integer), and when the row was created and last changed.
 * Not an @Entity: each subclass is its own table with these columns in it.
 */
export abstract class HexIdEntity {
  @PrimaryColumn({ type: 'char', length: 32 })
  id: string = newId();

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
