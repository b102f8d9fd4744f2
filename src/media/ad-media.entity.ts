import { Column, Entity, Index } from 'typeorm';
import { HexIdEntity } from '../common/hex-id.entity';

/**
 * An advertising media file (2.6), kept in the database so that every gateway process on the same database
 * serves it, and it survives restarts. `name` is the manual's mediaName (add or update by name).
 */
@Entity('ad_media')
export class AdMedia extends HexIdEntity {
  @Index('uq_ad_media_name', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** File suffix, lower case (`png`, `mp4`). */
  @Column({ type: 'varchar', length: 16 })
  suffix!: string;

  /** 1 picture, 2 video (the manual's mediaType). */
  @Column({ name: 'media_type', type: 'smallint' })
  mediaType!: number;

  @Column({ name: 'content_type', type: 'varchar', length: 100 })
  contentType!: string;

  /** Bytes. */
  @Column({ type: 'integer' })
  size!: number;

  /** Changes with each upload: the served path carries it, so a screen never shows a cached older file. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ type: 'bytea', select: false })
  content!: Buffer;
}
