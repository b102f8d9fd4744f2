import { Inject, Injectable } from '@nestjs/common';
import { lockKeys } from '../database/advisory-locks';
import { base64Text } from '../common/base64-text';
import { insertOf } from '../database/columns';
import { ParkRecord } from './park-record.entity';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { codeText } from '../common/whole-number';
import { newId } from '../common/ids';
import type { Page } from '../common/paging';
import { formatCvDateTime, parseCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { ParkCameraAnswerDto, ParkCameraEventDto, ParkRecordInItemDto, ParkRecordOutItemDto } from './dto/park.dto';
import { ParkAuthorizeService } from './park-authorize.service';
import { checkPlate, decide, parseDirection, plateKey } from './park-rules';

/** One camera event, as the record it leaves. */
const INSERT_RECORD = `INSERT INTO ${insertOf(ParkRecord, ['id', 'direction', 'carNumber', 'plateKey', 'eventTime', 'parkAreaName', 'channelName', 'carTypeName', 'driverName', 'cameraId', 'allowed', 'listType', 'eventType', 'picture'])}`;

interface RecordRow {
  id: string;
  park_area_name: string | null;
  driver_name: string | null;
  car_number: string;
  car_type_name: string | null;
  channel_name: string | null;
  direction: number;
  event_type: string;
  event_time: Date;
}

export interface ParkRecordFilter {
  carNumber?: string;
  from?: Date;
  to?: Date;
}

const PICTURE_MAX = 5 * 1024 * 1024;

/** Class id of the per-plate camera lock: `pg_advisory_xact_lock(CAMERA_LOCK, hashtext(plate key))`. */
const CAMERA_LOCK = 0x5041524b;

/** The record a camera already posted: same camera (or none), plate, direction and read time. */
const SAME_READ = `SELECT id, car_number, allowed, list_type, event_type FROM park_record
  WHERE plate_key = $1 AND direction = $2 AND event_time = $3 AND camera_id IS NOT DISTINCT FROM $4 ORDER BY id LIMIT 1`;

/** A camera picture: base64 (or a data: URL) of a JPEG or PNG; anything else is refused rather than stored. */
export function decodePicture(raw: string | undefined): Buffer | null {
  if (raw === undefined || raw.trim() === '') return null;
  const b64 = base64Text(raw);
  const bytes = /^[A-Za-z0-9+/=]+$/.test(b64) ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  if (!jpeg && !png) throw new CvError(CvCode.InvalidParameter, 'picture must be a base64 JPEG or PNG');
  if (bytes.length > PICTURE_MAX) throw new CvError(CvCode.PayloadTooLarge, `picture is larger than ${PICTURE_MAX} bytes`, 413);
  return bytes;
}

const base = (r: RecordRow) => ({
  id: r.id,
  parkAreaName: r.park_area_name,
  name: r.driver_name,
  carNumber: r.car_number,
  carTypeName: r.car_type_name,
  channelName: r.channel_name,
  channelState: r.direction === 1 ? 'Entry' : 'Exit',
  eventType: r.event_type,
});

function answerOf(recordId: string, allowed: boolean, listType: number | null, eventType: string, carNumber: string): ParkCameraAnswerDto {
  return { recordId, allowed, listType: listType === null ? null : listType === 0 ? 'white' : 'black', eventType, carNumber };
}

/** 2.20: entries and exits, recorded from what plate cameras post (gateway extension), with their pictures. */
@Injectable()
export class ParkRecordService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly lists: ParkAuthorizeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Decides with the lists, stores the record (with the decision and the picture) and answers the camera. A post
   * that names its read time is one read: sent again (an adapter retrying after a lost answer, or two copies at once)
   * it stores nothing more and gets the answer the first one got, whatever the lists say since (the barrier acted on
   * it). Without eventTime a post cannot be told from a new read, and each is a record.
   */
  async cameraEvent(dto: ParkCameraEventDto): Promise<ParkCameraAnswerDto> {
    const { carNumber, key } = checkPlate(dto.carNumber ?? dto.plate ?? dto.plateNumber ?? dto.licensePlate);
    const direction = parseDirection(dto.direction);
    if (!direction) throw new CvError(CvCode.InvalidParameter, 'direction must be in (entry, 1) or out (exit, 2)');
    const at = this.eventTime(dto.eventTime);
    const picture = decodePicture(dto.picture);
    const local = formatCvDateTime(at, this.config.timeZone)!;
    const cameraId = dto.cameraId || null;
    return this.ds.transaction(async (m) => {
      if (dto.eventTime) {
        await lockKeys(m, CAMERA_LOCK, [key]);
        const [seen]: Array<{ id: string; car_number: string; allowed: boolean; list_type: number | null; event_type: string }> = await m.query(
          SAME_READ,
          [key, direction, at, cameraId],
        );
        if (seen) return answerOf(seen.id, seen.allowed, seen.list_type, seen.event_type, seen.car_number);
      }
      const d = decide(await this.lists.entryFor(key, m), local, direction, this.config.parkingAllowUnlisted);
      const id = newId();
      await m.query(
        INSERT_RECORD,
        [id, direction, carNumber, key, at, dto.parkAreaName || null, dto.channelName || null, dto.carTypeName || d.carTypeName, dto.driverName || null,
          cameraId, d.allowed, d.listType, d.eventType, picture],
      );
      return answerOf(id, d.allowed, d.listType, d.eventType, carNumber);
    });
  }

  private eventTime(raw: string | undefined): Date {
    if (!raw) return new Date();
    const d = parseCvDateTime(raw, this.config.timeZone);
    if (!d) throw new CvError(CvCode.TimeFormat, 'Time format error: eventTime must be yyyy-MM-dd HH:mm:ss or ISO 8601');
    return d;
  }

  async list(direction: 1, f: ParkRecordFilter, page: Page): Promise<ParkRecordInItemDto[]>;
  async list(direction: 2, f: ParkRecordFilter, page: Page): Promise<ParkRecordOutItemDto[]>;
  async list(direction: 1 | 2, f: ParkRecordFilter, page: Page): Promise<Array<ParkRecordInItemDto | ParkRecordOutItemDto>> {
    const params: unknown[] = [direction];
    const parts = ['direction = $1'];
    if (f.carNumber) parts.push(`plate_key LIKE $${params.push(`%${plateKey(f.carNumber).replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
    if (f.from) parts.push(`event_time >= $${params.push(f.from)}`);
    if (f.to) parts.push(`event_time < $${params.push(f.to)}`);
    params.push(page.offset, page.pageSize);
    const rows: RecordRow[] = await this.ds.query(
      `SELECT id, park_area_name, driver_name, car_number, car_type_name, channel_name, direction, event_type, event_time
       FROM park_record WHERE ${parts.join(' AND ')} ORDER BY event_time DESC, id DESC OFFSET $${params.length - 1} LIMIT $${params.length}`,
      params,
    );
    const tz = this.config.timeZone;
    return rows.map((r) => (direction === 1 ? { ...base(r), checkInTime: formatCvDateTime(r.event_time, tz) } : { ...base(r), checkOutTime: formatCvDateTime(r.event_time, tz) }));
  }

  /** 2.20.1: the picture of an entry (recordType 1) or exit (2) record, base64. */
  async picture(recordId: string | undefined, recordType: string | undefined): Promise<string> {
    if (!recordId) throw new CvError(CvCode.InvalidParameter, 'recordId is required');
    const code = codeText(recordType);
    const direction = code === '1' ? 1 : code === '2' ? 2 : undefined;
    if (!direction) throw new CvError(CvCode.InvalidParameter, 'recordType must be 1 (entry) or 2 (exit)');
    const [row] = /^[0-9a-f]{32}$/i.test(recordId)
      ? await this.ds.query(`SELECT picture FROM park_record WHERE id = $1 AND direction = $2`, [recordId.toLowerCase(), direction])
      : [];
    if (!row) throw new CvError(CvCode.NotFound, `The ${direction === 1 ? 'entry' : 'exit'} record does not exist: ${recordId}`);
    if (!row.picture) throw new CvError(CvCode.NotFound, `The record has no picture: ${recordId}`);
    return (row.picture as Buffer).toString('base64');
  }
}
