import { Inject, Injectable } from '@nestjs/common';
import { excludedOf, insertOf, listOf } from '../database/columns';
import { AdMedia } from './ad-media.entity';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { newId } from '../common/ids';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { effectiveKindSql } from '../device/device-kind';
import { CommandQueueService } from '../push/command-queue.service';
import { setAdScreenOptions } from '../push/protocol';
import type { AdMediaItemDto, AdScreenQueuedDto } from './dto/ad-media.dto';
import { formatMediaSize, mediaFormat } from './media-format';

export class AdMediaNotFound extends CvError {
  constructor(name: string) {
    super(CvCode.AdMediaNotExist, `Advertisement doesn't exist: ${name}`);
  }
}

/** Stores a file under its name; a new upload under the same name replaces the content and bumps the version. */
const UPSERT_MEDIA = `INSERT INTO ${insertOf(AdMedia, ['id', 'name', 'suffix', 'mediaType', 'contentType', 'size', 'content'])}
  ON CONFLICT (${listOf(AdMedia, ['name'])}) DO UPDATE SET ${excludedOf(AdMedia, ['suffix', 'mediaType', 'contentType', 'size', 'content'])}, version = ad_media.version + 1, updated_at = now()
  RETURNING id, name, suffix, media_type, size`;

interface MediaRow {
  id: string;
  name: string;
  suffix: string;
  media_type: number;
  size: number;
}

/** Where a media file is served; the id never changes for a name, so a screen's URL stays valid across updates. */
export const adMediaPath = (id: string, suffix: string): string => `/upload/adMedia/${id}.${suffix}`;

const toItem = (r: MediaRow): AdMediaItemDto => ({
  id: r.id,
  mediaName: r.name,
  mediaSize: formatMediaSize(r.size),
  mediaSuffix: r.suffix,
  mediaType: String(r.media_type),
  mediaPath: adMediaPath(r.id, r.suffix),
});

const NAME_MAX = 100;

export function checkMediaName(raw: string | undefined): string {
  const name = (raw ?? '').trim();
  if (!name) throw new CvError(CvCode.InvalidParameter, 'mediaName is required');
  if (name.length > NAME_MAX || /[\u0000-\u001f\u007f/\\]/.test(name)) throw new CvError(CvCode.InvalidParameter, `mediaName must be 1 to ${NAME_MAX} characters without control characters or slashes`);
  return name;
}

/** 2.6: the media library (files in the database, so every gateway process serves them) and the screen push. */
@Injectable()
export class AdMediaService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly queue: CommandQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 2.6.1: add, or replace the file of the media with that name. */
  async save(name: string, file: { fileName?: string; mimeType?: string; content: Buffer }): Promise<AdMediaItemDto> {
    const format = mediaFormat(file.fileName, file.mimeType, file.content);
    if (typeof format === 'string') throw new CvError(CvCode.AdMediaFormat, `Didn't support this format: ${format}`);
    const [row] = await this.ds.query(
      UPSERT_MEDIA,
      [newId(), name, format.suffix, format.mediaType, format.contentType, file.content.length, file.content],
    );
    return toItem(row);
  }

  /** The whole library by name (the console's page; the manual's API fetches one media by name). */
  async list(): Promise<AdMediaItemDto[]> {
    const rows: MediaRow[] = await this.ds.query(`SELECT id, name, suffix, media_type, size FROM ad_media ORDER BY name LIMIT 1000`);
    return rows.map(toItem);
  }

  async getByName(name: string): Promise<AdMediaItemDto> {
    const [row] = await this.ds.query(`SELECT id, name, suffix, media_type, size FROM ad_media WHERE name = $1`, [name]);
    if (!row) throw new AdMediaNotFound(name);
    return toItem(row);
  }

  async deleteByName(name: string): Promise<void> {
    const [, n] = await this.ds.query(`DELETE FROM ad_media WHERE name = $1`, [name]);
    if (!n) throw new AdMediaNotFound(name);
  }

  /**
   * The file at a served path (`<id>.<suffix>`), with what the HTTP answer needs. Found by id alone: a URL a
   * screen was given keeps serving the media's current file even after an update changed its suffix.
   */
  async file(fileName: string): Promise<{ content: Buffer; contentType: string; etag: string } | undefined> {
    const m = /^([0-9a-f]{32})(?:\.[A-Za-z0-9]{1,8})?$/.exec(fileName);
    if (!m) return undefined;
    const [row] = await this.ds.query(`SELECT content, content_type, version FROM ad_media WHERE id = $1`, [m[1]]);
    return row ? { content: row.content, contentType: row.content_type, etag: `"${m[1]}-${row.version}"` } : undefined;
  }

  /**
   * Gateway extension: the channel controller `sn` shows the media on its advertising screen. The command
   * carries the file's absolute URL (PUBLIC_URL, else the address the operator called), which the screen
   * downloads; the device reports the download's result under the command's ID.
   */
  async pushToScreen(sn: string, name: string, opts: { inOut: 0 | 1; area: number; range?: number; playInterval: number }, requestBase: string): Promise<AdScreenQueuedDto> {
    const media = await this.getByName(name);
    const [device] = await this.ds.query(`SELECT d.sn, d.admission, ${effectiveKindSql('d')} AS kind FROM device d WHERE d.sn = $1`, [sn]);
    if (!device) throw new CvError(CvCode.NotFound, `Device ${sn} does not exist`);
    if (device.admission === 'disabled') throw new CvError(CvCode.Conflict, `Device ${sn} is disabled`);
    // Only channel controllers run SET ADSCREEN_OPTIONS; an access panel is let through in case its kind was not
    // recognised, but attendance terminals and elevator controllers certainly have no advertising screen.
    if (device.kind === 'att' || device.kind === 'ele') throw new CvError(CvCode.Conflict, `Device ${sn} is not a channel controller (kind ${device.kind})`);
    const url = `${this.config.publicUrl ?? requestBase}${media.mediaPath}`;
    let command: string;
    try {
      command = setAdScreenOptions({ ...opts, type: media.mediaType === '2' ? 0 : 1, url });
    } catch (e) {
      throw new CvError(CvCode.InvalidParameter, `The media URL cannot be sent to a device (${(e as Error).message}); set PUBLIC_URL`);
    }
    await this.ds.transaction((m) => this.queue.enqueue(m, sn, [command]));
    return { deviceSn: sn, url };
  }
}
