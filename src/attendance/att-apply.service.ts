import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { base64Text } from '../common/base64-text';
import { DataSource, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { newId } from '../common/ids';
import type { Page } from '../common/paging';
import { formatCvDateTime, inclusiveEnd, requireCvDateTime, requireCvTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { lockKeys } from '../database/advisory-locks';
import { insertOf, valuesOf } from '../database/columns';
import { AttApply } from './att-apply.entity';
import { AttLeaveImage } from './att-leave.entity';
import { requirePerson } from './att-person.service';
import type { ApplyItemDto, ApplyLeaveDto, ApplyListDto, ApplyPeriodDto, ApplySignDto, ApplyTimeLongDto, LeaveTypeDto } from './dto/attendance.dto';

export const LEAVE_IMAGE_PREFIX = '/fileresource/att/leave/image/';

/** Every kind of application is one row; the columns a kind does not use stay NULL. */
const APPLY_COLUMNS = ['id', 'kind', 'personPin', 'personId', 'signTime', 'startTime', 'endTime', 'leaveTypeNo', 'leaveImagePath', 'remark'] as const;
const INSERT_APPLY = `INSERT INTO ${insertOf(AttApply, APPLY_COLUMNS)}`;
const INSERT_LEAVE_IMAGE = `INSERT INTO ${insertOf(AttLeaveImage, ['path', 'contentType', 'data'])}`;

type ApplyRow = { [K in (typeof APPLY_COLUMNS)[number]]?: AttApply[K] };

/** The parameters of INSERT_APPLY for a new application. */
function applyValues(row: ApplyRow): unknown[] {
  return valuesOf(APPLY_COLUMNS, { ...row, id: newId() });
}

/** Class id of the per-person application lock: `pg_advisory_xact_lock(APPLY_LOCK, hashtext(pin))`. */
const APPLY_LOCK = 0x41505059;

/** The person's applications of one kind that a new one meets: the same re-clock-in time, or an overlapping period. */
const MEETING = `SELECT sign_time, start_time, end_time, leave_type_no, leave_image_path, remark FROM att_apply
  WHERE person_pin = $1 AND kind = $2
    AND CASE WHEN $2 = 'sign' THEN sign_time = $3 ELSE start_time < $5 AND end_time > $4 END
  LIMIT 20`;

type MeetingRow = { sign_time: Date | null; start_time: Date | null; end_time: Date | null; leave_type_no: string | null; leave_image_path: string | null; remark: string | null };

const sameTime = (a: Date | null | undefined, b: Date | null | undefined) => (a ?? null)?.getTime() === (b ?? null)?.getTime();
const sameText = (a: string | null | undefined, b: string | null | undefined) => (a || null) === (b || null);

/** Whether a stored application is the one being sent again (every field a client gives alike). */
function isSameApplication(r: MeetingRow, row: ApplyRow): boolean {
  return (
    sameTime(r.sign_time, row.signTime) &&
    sameTime(r.start_time, row.startTime) &&
    sameTime(r.end_time, row.endTime) &&
    sameText(r.leave_type_no, row.leaveTypeNo) &&
    sameText(r.leave_image_path, row.leaveImagePath) &&
    sameText(r.remark, row.remark)
  );
}

/** JPEG, PNG and GIF by their first bytes; anything else is not a picture. */
function imageType(b: Buffer): string | null {
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length > 6 && /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1'))) return 'image/gif';
  return null;
}

/**
 * 2.23 Attendance applications: re-clock-in (sign), overtime and leave requests stored for the attendance
 * calculation (a gateway extension lists them), leave types, leave pictures served back at the returned path,
 * and the duration of a leave period.
 */
@Injectable()
export class AttApplyService {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private period(dto: ApplyPeriodDto): { start: Date; end: Date } {
    const start = requireCvDateTime(dto.startDatetime, this.config.timeZone, 'startDatetime');
    // A bare date as the end (`2021-11-19`) ends with that day, as the transaction lists read a date-only end:
    // a one-day leave sent as that day twice is the whole day, not a period of no length (-101).
    const end = inclusiveEnd(requireCvTime(dto.endDatetime, this.config.timeZone, 'endDatetime'), this.config.timeZone);
    // The appendix's text leads the message (clients match it); a period of no length is refused too.
    if (start.getTime() >= end.getTime()) throw new CvError(CvCode.StartAfterEnd, 'Start time cannot be greater than end time: the period must end after it starts');
    return { start, end };
  }

  /**
   * Stores one application, once. A client that sends it again (a retry after a lost answer) is answered success
   * and nothing more is stored; a different application of the same person and kind at the same re-clock-in time,
   * or over an overlapping period, is refused (-409), as CVSecurity refuses overlapping applications. Writers for
   * one person take turns (an advisory lock), so two identical requests at once store one row.
   */
  private async store(m: EntityManager, row: ApplyRow & { kind: string; personPin: string }): Promise<void> {
    await lockKeys(m, APPLY_LOCK, [row.personPin]);
    const meeting: MeetingRow[] = await m.query(MEETING, [row.personPin, row.kind, row.signTime ?? null, row.startTime ?? null, row.endTime ?? null]);
    if (meeting.some((r) => isSameApplication(r, row))) return;
    if (meeting.length > 0) {
      const what = row.kind === 'sign' ? 're-clock-in at this time' : `${row.kind} application over an overlapping period`;
      throw new CvError(CvCode.Conflict, `Person ${row.personPin} already has a ${what}`);
    }
    await m.query(INSERT_APPLY, applyValues(row));
  }

  async applySign(dto: ApplySignDto): Promise<void> {
    const sign = requireCvTime(dto.signDatetime, this.config.timeZone, 'signDatetime');
    // A re-clock-in is a punch at a time of day: a bare date (`2021-11-19`) names none, and read as its midnight it
    // was stored as a punch at 00:00 the person never made, answered success.
    if (sign.bareDate) throw new CvError(CvCode.TimeFormat, 'Time format error: signDatetime must be yyyy-MM-dd HH:mm:ss (the time of the missed punch)');
    const at = sign.at;
    await this.ds.transaction(async (m) => {
      const personId = await requirePerson(m, dto.personPin);
      await this.store(m, { kind: 'sign', personPin: dto.personPin, personId, signTime: at, remark: dto.remark });
    });
  }

  async applyOvertime(dto: ApplyPeriodDto): Promise<void> {
    const { start, end } = this.period(dto);
    await this.ds.transaction(async (m) => {
      const personId = await requirePerson(m, dto.personPin);
      await this.store(m, { kind: 'overtime', personPin: dto.personPin, personId, startTime: start, endTime: end, remark: dto.remark });
    });
  }

  async applyLeave(dto: ApplyLeaveDto): Promise<void> {
    const { start, end } = this.period(dto);
    await this.ds.transaction(async (m) => {
      const personId = await requirePerson(m, dto.personPin);
      await requireLeaveType(m, dto.leaveTypeNo);
      // The path is kept as the client gives it, whether uploadLeaveImage answered it or not: the manual's own
      // example body (2.23.3) sends the placeholder "string", and an optional picture path (2.23.6) that points
      // elsewhere is no reason to lose the leave.
      const path = dto.leaveImagePath || null;
      await this.store(m, { kind: 'leave', personPin: dto.personPin, personId, startTime: start, endTime: end, leaveTypeNo: dto.leaveTypeNo, leaveImagePath: path, remark: dto.remark });
    });
  }

  async leaveTypes(): Promise<LeaveTypeDto[]> {
    const rows: Array<{ leave_type_no: string; leave_type_name: string }> = await this.ds.query(`SELECT leave_type_no, leave_type_name FROM att_leave_type ORDER BY sort_no, leave_type_no`);
    return rows.map((r) => ({ leaveTypeNo: r.leave_type_no, leaveTypeName: r.leave_type_name }));
  }

  /** Stores the picture and answers its path, `/fileresource/att/leave/image/<yyyy-MM-dd>/<millis><random>.<ext>`. */
  async uploadLeaveImage(base64Image: string): Promise<string> {
    const text = base64Text(base64Image);
    const data = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
    const type = imageType(data);
    if (!type) throw new CvError(CvCode.InvalidPhoto, 'Invalid personnel photo: the picture is not a base64 JPEG, PNG or GIF');
    const now = new Date();
    const day = (formatCvDateTime(now, this.config.timeZone) ?? now.toISOString()).slice(0, 10);
    const ext = type === 'image/jpeg' ? 'jpg' : type.slice(6);
    const path = `${LEAVE_IMAGE_PREFIX}${day}/${now.getTime()}${randomBytes(4).toString('hex')}.${ext}`;
    await this.ds.query(INSERT_LEAVE_IMAGE, [path, type, data]);
    return path;
  }

  async leaveImage(path: string): Promise<{ contentType: string; data: Buffer } | null> {
    const [row]: Array<{ content_type: string; data: Buffer }> = await this.ds.query(`SELECT content_type, data FROM att_leave_image WHERE path = $1`, [path]);
    return row ? { contentType: row.content_type, data: row.data } : null;
  }

  /**
   * 2.23.6: the duration of the period in hours (two decimals). The manual's example answers `data: null`; the
   * gateway answers the number it computes. Without shift schedules, a leave counts every hour of the period.
   */
  async timeLong(dto: ApplyTimeLongDto): Promise<number> {
    const { start, end } = this.period(dto);
    await this.ds.transaction(async (m) => {
      await requirePerson(m, dto.personPin);
      await requireLeaveType(m, dto.leaveTypeNo);
    });
    return Math.round(((end.getTime() - start.getTime()) / 3_600_000) * 100) / 100;
  }

  async list(dto: ApplyListDto, page: Page | undefined): Promise<ApplyItemDto[]> {
    const rows: Array<{ id: string; kind: string; person_pin: string; sign_time: Date | null; start_time: Date | null; end_time: Date | null; leave_type_no: string | null; leave_image_path: string | null; remark: string | null; created_at: Date }> =
      await this.ds.query(
        `SELECT id, kind, person_pin, sign_time, start_time, end_time, leave_type_no, leave_image_path, remark, created_at FROM att_apply
          WHERE ($1::varchar IS NULL OR person_pin = $1) AND ($2::varchar IS NULL OR kind = $2)
          ORDER BY created_at DESC, id DESC OFFSET $3 LIMIT $4`,
        [dto.personPin ?? null, dto.kind ?? null, page?.offset ?? 0, page?.pageSize ?? 1000],
      );
    const tz = this.config.timeZone;
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      personPin: r.person_pin,
      signDatetime: formatCvDateTime(r.sign_time, tz),
      startDatetime: formatCvDateTime(r.start_time, tz),
      endDatetime: formatCvDateTime(r.end_time, tz),
      leaveTypeNo: r.leave_type_no,
      leaveImagePath: r.leave_image_path,
      remark: r.remark,
      createTime: formatCvDateTime(r.created_at, tz) ?? '',
    }));
  }
}

/** A leave type of getLeaveTypeList (2.23.4), else -400 naming it. */
async function requireLeaveType(m: EntityManager, leaveTypeNo: string): Promise<void> {
  const [type] = await m.query(`SELECT 1 FROM att_leave_type WHERE leave_type_no = $1`, [leaveTypeNo]);
  if (!type) throw new CvError(CvCode.InvalidParameter, `Leave type does not exist: ${leaveTypeNo}`);
}
