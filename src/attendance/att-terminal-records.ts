import type { DataSource } from 'typeorm';
import { AttOperlog } from './att-operlog.entity';
import { AttPhoto } from './att-photo.entity';
import { DeviceUpload } from '../push/device-upload.entity';
import { columnsOf } from '../database/columns';
import type { Page } from '../common/paging';
import { formatCvDateTime } from '../common/time';
import { pinValue, pinValueSql } from '../person/pin-value';
import type { TerminalOperlogDto, TerminalPhotoDto, TerminalUploadDto } from './dto/attendance.dto';

/**
 * What a terminal uploaded that is no punch and no person's record, read back: its operation records (OPERLOG
 * `OPLOG` lines, att_operlog) and its attendance photos (ATTPHOTO, att_photo). Newest first; a period is on the
 * record's own time.
 */
export interface TerminalRecordFilter {
  sn: string;
  from?: Date;
  to?: Date;
  pin?: string;
  /**
   * The terminal keeps numeric PINs (keepsStringPins false): its photos of person 0412 are named 412, so a pin filter
   * takes the number of a digit pin (listPhotos).
   */
  numericPins?: boolean;
  /** Uploads: of this table only (`IDCARD`, `ERRORLOG`, `OPERLOG.BIOPHOTO`, `ATTLOG.rejected`, ...). */
  table?: string;
  page?: Page;
}

/** Over this many rows a list without paging is cut (a terminal keeps up to some 100 000 operation records). */
const UNPAGED_LIMIT = 1000;

function bounds(f: TerminalRecordFilter, column: string, params: unknown[]): string {
  const out: string[] = [];
  if (f.from) out.push(`${column} >= $${params.push(f.from.toISOString())}`);
  if (f.to) out.push(`${column} <= $${params.push(f.to.toISOString())}`);
  return out.map((c) => ` AND ${c}`).join('');
}

const limitOf = (f: TerminalRecordFilter, params: unknown[]): string =>
  `LIMIT $${params.push(f.page?.pageSize ?? UNPAGED_LIMIT)} OFFSET $${params.push(f.page?.offset ?? 0)}`;

export async function listOperlogs(ds: DataSource, f: TerminalRecordFilter, timeZone: string): Promise<TerminalOperlogDto[]> {
  const params: unknown[] = [f.sn];
  const [id, sn, type, who, at, operands] = columnsOf(AttOperlog, ['id', 'deviceSn', 'opType', 'opWho', 'opTime', 'operands']);
  const rows: Array<{ id: string; sn: string; type: number; who: string; at: Date; operands: string[] }> = await ds.query(
    `SELECT ${id}::text AS id, ${sn} AS sn, ${type} AS type, ${who} AS who, ${at} AS at, ${operands} AS operands FROM att_operlog
      WHERE ${sn} = $1${bounds(f, at, params)} ORDER BY ${at} DESC, ${id} DESC ${limitOf(f, params)}`,
    params,
  );
  return rows.map((r) => ({ id: r.id, devSn: r.sn, opType: r.type, opWho: r.who, opTime: formatCvDateTime(r.at, timeZone)!, operands: r.operands.map((v) => v ?? '') }));
}

export async function listPhotos(ds: DataSource, f: TerminalRecordFilter, timeZone: string): Promise<TerminalPhotoDto[]> {
  const params: unknown[] = [f.sn];
  const [id, sn, file, pin, at, data] = columnsOf(AttPhoto, ['id', 'deviceSn', 'fileName', 'pin', 'photoTime', 'data']);
  const number = f.pin && f.numericPins ? pinValue(f.pin) : null;
  const byPin = !f.pin
    ? ''
    : number
      ? ` AND (${pin} = $${params.push(f.pin)} OR (${pin} ~ '^[0-9]+$' AND ${pinValueSql(pin)} = $${params.push(number)}))`
      : ` AND ${pin} = $${params.push(f.pin)}`;
  const rows: Array<{ id: string; sn: string; file: string; pin: string | null; at: Date | null; data: Buffer }> = await ds.query(
    `SELECT ${id}::text AS id, ${sn} AS sn, ${file} AS file, ${pin} AS pin, ${at} AS at, ${data} AS data FROM att_photo
      WHERE ${sn} = $1${byPin}${bounds(f, at, params)} ORDER BY ${at} DESC NULLS LAST, ${id} DESC ${limitOf(f, params)}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    devSn: r.sn,
    fileName: r.file,
    pin: r.pin,
    photoTime: formatCvDateTime(r.at, timeZone),
    size: r.data.length,
    photoBase64: r.data.toString('base64'),
  }));
}

/**
 * The records a terminal sent that are kept as they came (device_upload): tables the gateway does not read (IDCARD
 * 11.6, ERRORLOG 11.16, one the manual does not name), comparison photos (`OPERLOG.BIOPHOTO`), ID-card verifications
 * and the ID numbers of ID-card punches (`ATTLOG.idcard`), refused lines (`<table>.rejected`), options and query
 * results. Newest first; a period is on the time each was received.
 */
export async function listUploads(ds: DataSource, f: TerminalRecordFilter, timeZone: string): Promise<TerminalUploadDto[]> {
  const params: unknown[] = [f.sn];
  const [id, sn, table, pin, record, cmd, at] = columnsOf(DeviceUpload, ['id', 'deviceSn', 'tableName', 'pin', 'record', 'cmdId', 'receivedAt']);
  const byTable = f.table ? ` AND ${table} = $${params.push(f.table)}` : '';
  // Raw lines keep their PIN in their fields (the pin column is the access tables' and ATTPHOTO's).
  const pinOf = `coalesce(${pin}, ${record}->>'PIN', ${record}->>'Pin', ${record}->>'pin')`;
  const byPin = f.pin ? ` AND ${pinOf} = $${params.push(f.pin)}` : '';
  const rows: Array<{ id: string; sn: string; tbl: string; pin: string | null; record: Record<string, string>; cmd: string | null; at: Date }> = await ds.query(
    `SELECT ${id}::text AS id, ${sn} AS sn, ${table} AS tbl, ${pinOf} AS pin, ${record} AS record, ${cmd} AS cmd, ${at} AS at FROM device_upload
      WHERE ${sn} = $1${byTable}${byPin}${bounds(f, at, params)} ORDER BY ${id} DESC ${limitOf(f, params)}`,
    params,
  );
  return rows.map((r) => ({ id: r.id, devSn: r.sn, table: r.tbl, pin: r.pin, record: r.record, cmdId: r.cmd, receivedAt: formatCvDateTime(r.at, timeZone)! }));
}
