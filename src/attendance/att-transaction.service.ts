import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { formatCvDateTime } from '../common/time';
import type { Page } from '../common/paging';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { AttTransactionItemDto } from './dto/attendance.dto';
import { readSnapshot } from '../database/snapshot';
import { fullNameMatchSql } from '../common/full-name-sql';
import { READER_OTHERS } from '../transaction/dto/transaction-response.dto';

/** ATTLOG status names (the attendance state a terminal records with a punch). */
export const ATT_STATUS_NAMES: Record<number, string> = {
  0: 'Check-In',
  1: 'Check-Out',
  2: 'Break-Out',
  3: 'Break-In',
  4: 'Overtime-In',
  5: 'Overtime-Out',
};

export interface AttTransactionFilter {
  pin?: string;
  /** The terminal (or, for attendance points, the panel) that recorded it. */
  deviceSn?: string;
  from?: Date;
  to?: Date;
  /** Case-insensitive substring of the person's name, "first last" or "last first" (the console's filter). */
  personName?: string;
  /** The department the person was in when they punched (stored with the punch, as CVSecurity's report lists it). */
  deptCode?: string;
}

/** A punch (or attendance-point event) row as the list and the live stream read it. */
export interface AttItemRow {
  uid: string;
  event_time: Date;
  pin: string | null;
  name: string | null;
  last_name: string | null;
  dept_name: string | null;
  area_name: string | null;
  card_no: string | null;
  device_sn: string;
  verify_mode_name: string | null;
  event_name: string | null;
  status: number | null;
  event_point_name: string | null;
  reader_name: string | null;
  dev_alias: string | null;
  log_id: string | number | null;
}

/**
 * 2.21 listAttTransaction: terminal punches (att_transaction), and the verifications taken at doors an operator marked
 * as attendance points (att_point, a gateway extension; POINT_EVENTS), newest first. Both tables are stored already joined
 * with names, so a page is two indexed range scans merged. Ids are the md5 of each record's unique key: 32 hex
 * like CVSecurity's, stable, and distinct across the two sources. Terminals report no record index, so a punch's
 * logId is the gateway's own record number (an access event keeps the device's index when it has one).
 * Order: time, then row number, then id: the two tables number their rows apart (each from 1), so a punch and a
 * point event of one second may share a number, and without the id their order changed from page to page.
 */
@Injectable()
export class AttTransactionService {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A page and the total it is answered with, from one snapshot (src/database/snapshot.ts says why). */
  listAndCount(f: AttTransactionFilter, page: Page): Promise<{ rows: AttTransactionItemDto[]; total: number }> {
    return readSnapshot(this.ds, async (m) => ({ rows: await this.list(f, page, m), total: await this.count(f, m) }));
  }

  async list(f: AttTransactionFilter, page: Page, m: EntityManager | DataSource = this.ds): Promise<AttTransactionItemDto[]> {
    const rows: AttItemRow[] = await m.query(
      `SELECT * FROM (
         (SELECT ${punchColumns('t')}, t.id AS ord FROM att_transaction t WHERE ${where('t')} ORDER BY t.event_time DESC, t.id DESC LIMIT $7)
         UNION ALL
         (SELECT md5(a.unique_key), a.event_time, a.pin, a.name, a.last_name, a.dept_name, a.area_name, a.card_no, a.device_sn,
                 a.verify_mode_name, a.event_name, NULL::smallint, a.door_name, a.reader_name, a.dev_alias, COALESCE(a.log_id::bigint, a.id), a.id
            FROM ${POINT_EVENTS}
            ORDER BY a.event_time DESC, a.id DESC LIMIT $7)
       ) u ORDER BY u.event_time DESC, u.ord DESC, u.uid DESC OFFSET $8 LIMIT $9`,
      [...filterParams(f), page.offset + page.pageSize, page.offset, page.pageSize],
    );
    return rows.map((r) => toAttItem(r, this.config.timeZone));
  }

  /** How many records the same filter lists (the console's pager and CSV progress). */
  async count(f: AttTransactionFilter, m: EntityManager | DataSource = this.ds): Promise<number> {
    const [{ n }] = await m.query(
      `SELECT (SELECT count(*) FROM att_transaction t WHERE ${where('t')})
            + (SELECT count(*) FROM ${POINT_EVENTS}) AS n`,
      filterParams(f),
    );
    return Number(n);
  }

  /** The latest time the same filter lists, or null: where a CSV export ends, a punch whose terminal's clock runs ahead included. */
  async newest(f: AttTransactionFilter, m: EntityManager | DataSource = this.ds): Promise<Date | null> {
    const [{ at }] = await m.query(
      `SELECT greatest((SELECT max(t.event_time) FROM att_transaction t WHERE ${where('t')}),
                       (SELECT max(a.event_time) FROM ${POINT_EVENTS})) AS at`,
      filterParams(f),
    );
    return at ? new Date(at) : null;
  }
}

const filterParams = (f: AttTransactionFilter): unknown[] => [
  f.pin ?? null,
  f.from?.toISOString() ?? null,
  f.to?.toISOString() ?? null,
  f.deviceSn ?? null,
  f.personName ? `%${f.personName.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null,
  f.deptCode ?? null,
];

/** $1 pin, $2 from, $3 to, $4 device SN, $5 name pattern (fullNameMatchSql), $6 department code: each ignored when null. */
const where = (alias: string) =>
  `($1::varchar IS NULL OR ${alias}.pin = $1) AND ($2::timestamptz IS NULL OR ${alias}.event_time >= $2) AND ($3::timestamptz IS NULL OR ${alias}.event_time < $3)
   AND ($4::varchar IS NULL OR ${alias}.device_sn = $4)
   AND ($5::varchar IS NULL OR ${fullNameMatchSql(`${alias}.name`, `${alias}.last_name`, '$5')})
   AND ($6::varchar IS NULL OR ${alias}.dept_code = $6)`;

/**
 * The access events an attendance point counts as punches: a person's verification the panel took (an event of the
 * normal class), as a terminal's real-time log counts it (realtimePunch); a refused one (too short an interval,
 * unauthorised, expired...) stays an access event.
 */
const POINT_EVENTS = `acc_transaction a JOIN att_point ap ON ap.door_id = a.door_id WHERE a.pin IS NOT NULL AND a.event_level = 0 AND ${where('a')}`;

/** The columns of an AttItemRow from an att_transaction row under `alias`. */
export function punchColumns(alias: string): string {
  const t = alias;
  return `md5(${t}.unique_key) AS uid, ${t}.event_time, ${t}.pin, ${t}.name, ${t}.last_name, ${t}.dept_name, ${t}.area_name, ${t}.card_no,
    ${t}.device_sn, ${t}.verify_mode_name, NULL::varchar AS event_name, ${t}.status, ${t}.dev_alias AS event_point_name,
    NULL::varchar AS reader_name, ${t}.dev_alias, ${t}.id AS log_id`;
}

/** The 2.21 item of a row, times in the server's zone. */
export function toAttItem(r: AttItemRow, tz: string): AttTransactionItemDto {
  return {
    id: r.uid,
    eventTime: formatCvDateTime(r.event_time, tz) ?? '',
    pin: r.pin ?? '',
    name: r.name ?? '',
    lastName: r.last_name ?? '',
    deptName: r.dept_name ?? '',
    areaName: r.area_name ?? '',
    cardNo: r.card_no ?? '',
    devSn: r.device_sn,
    verifyModeName: r.verify_mode_name ?? '',
    eventName: r.event_name ?? (r.status !== null ? (ATT_STATUS_NAMES[r.status] ?? `State ${r.status}`) : ''),
    eventPointName: r.event_point_name ?? '',
    // A terminal punch goes through no reader: "others", as 2.21.1's example and the access lists (READER_OTHERS) show.
    readerName: r.reader_name ?? READER_OTHERS,
    accZone: null,
    devName: r.dev_alias ?? r.device_sn,
    logId: r.log_id === null ? null : Number(r.log_id),
  };
}

