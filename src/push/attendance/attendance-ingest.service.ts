import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { CommandOutcomeHub } from '../command-outcome';
import { failCommandsByErrorLog, failDoneByStoredErrorLog } from './errorlog-commands';
import { int32 } from '../../common/whole-number';
import { AttOperlog } from '../../attendance/att-operlog.entity';
import { AttPhoto } from '../../attendance/att-photo.entity';
import { AttTerminal } from '../../attendance/att-terminal.entity';
import { insertOf, intoOf, listOf, tableOf } from '../../database/columns';
import { DataSource, type EntityManager } from 'typeorm';
import type { GroupCommit } from '../../database/group-commit';
import { GroupCommitService } from '../../database/group-commit.service';
import { GatewayMetrics } from '../../metrics/gateway-metrics';
import { clip, type DeviceSession } from '../device-registry.service';
import { logRejected } from '../ingest-log';
import { rawLines, storeRaw, storeRejected, type RawUploadRow } from '../raw-upload';
import { eventInfo, formatWallClock, verifyModeName, wallClockToInstant, type RtlogEvent } from '../protocol';
import { rowCount } from '../../database/row-count';
import { writeTransaction } from '../../common/write-transaction';
import { flushAttlog, mergeStampSql, olderRecordsSql, stampTimeKey, type AttlogItem, type PunchRow } from './attlog-batch';
import {
  ATT_STAMP_TABLES,
  idCardNumberOf,
  idCardResult,
  idCardVerificationOf,
  keyedRecordFields,
  parseAttlog,
  parseAttPhoto,
  bareRecordWord,
  parseOperlog,
  punchKey,
  type AttPunch,
  type IdCardVerification,
  type OperlogRecord,
  type OplogRecord,
  type PhotoRecord,
} from './protocol';

/** What the enrolment side does with USER and template lines of an OPERLOG upload, inside the upload's transaction. */
export type OperlogListener = (m: EntityManager, device: DeviceSession, records: readonly OperlogRecord[]) => Promise<void>;

/** Uploads with at least this many punches skip the queue: they amortise a transaction by themselves. */
const ALONE_PUNCHES = 32;

export interface AttIngestResult {
  /** Lines received (good ones stored or already held, bad ones stored raw): the count table data is acknowledged with (`<tablename>=<n>`). */
  received: number;
  /**
   * Records successfully processed (stored now or already held; a line refused is not, though kept raw): the count
   * `OK: <n>` acknowledges (attendance manual 11.2, 11.4: "the number of records successfully processed").
   */
  processed: number;
  /** Punches (or records) inserted now. */
  stored: number;
  /** False when the device is not admitted: nothing was stored and nothing must be acknowledged. */
  admitted: boolean;
  /** An OPERLOG of comparison photos (BIOPHOTO lines) and nothing else, which 11.15 answers `OK`, not `OK: <n>`. */
  comparisonPhotosOnly?: boolean;
}


/**
 * Whether the operands `whole` (jsonb array) are those of the line the cut record's `cut` came from: every operand of
 * the cut one but its last the same, and its last the beginning of the whole one's (only the last can be cut; a
 * missing operand is empty). Compared as one text, `1` of a cut `1<TAB><TAB><TAB>` began `12` too, so another
 * operation of the same second (user 12 deleted with user 1) took the cut record's place and was never counted new.
 */
const extendsCut = (whole: string, cut: string): string => {
  const at = (a: string, i: string) => `coalesce(${a}->>(${i}), '')`;
  const lastOf = `jsonb_array_length(${cut}) - 1`;
  return `(NOT EXISTS (SELECT 1 FROM generate_series(0, ${lastOf} - 1) i WHERE ${at(whole, 'i')} <> ${at(cut, 'i')})
    AND (jsonb_array_length(${cut}) = 0 OR starts_with(${at(whole, lastOf)}, ${at(cut, lastOf)})))`;
};

/** The upload's operation records ($2.. $7), one row each: key, type, who, time, operands, whether the body ended inside its line. */
const OPLOG_ROWS = `unnest($2::varchar[], $3::int[], $4::varchar[], $5::timestamptz[], $6::text[], $7::boolean[]) AS u(k, t, w, a, o, cut)`;

/** The held record of the same operation (terminal $1, type, who, time) as an upload row `u`. */
const SAME_OPERATION = `h.device_sn = $1::varchar AND h.op_type = u.t AND h.op_who = u.w AND h.op_time = u.a`;

/**
 * A record held as cut short (the last line of a body that ended inside it) that a line of this upload continues (the
 * same operation whose operands begin with the held ones): the whole line, sent again, replaces it. Its own copy
 * clears the mark. Run before STORE_OPLOGS, whose insert then finds the record held.
 */
const WHOLE_OPLOGS = `UPDATE ${tableOf(AttOperlog)} h SET unique_key = u.k, operands = u.o::jsonb, cut_short = u.cut
  FROM ${OPLOG_ROWS}
  WHERE h.cut_short AND ${SAME_OPERATION} AND ${extendsCut('u.o::jsonb', 'h.operands')}
    AND NOT EXISTS (SELECT 1 FROM ${tableOf(AttOperlog)} x WHERE x.unique_key = u.k AND x.id <> h.id)`;

/**
 * OPERLOG operation records, keyed so a re-sent upload adds nothing; answers how many were stored now. A line cut
 * short whose whole line is held (a stale retry of the cut body) adds nothing either.
 */
const STORE_OPLOGS = `WITH ins AS (INSERT INTO ${intoOf(AttOperlog, ['uniqueKey', 'deviceSn', 'opType', 'opWho', 'opTime', 'operands', 'cutShort'])}
  SELECT k, $1::varchar, t, w, a, o::jsonb, cut FROM ${OPLOG_ROWS}
  WHERE NOT (cut AND EXISTS (SELECT 1 FROM ${tableOf(AttOperlog)} h WHERE ${SAME_OPERATION} AND ${extendsCut('h.operands', 'u.o::jsonb')}))
  ON CONFLICT (${listOf(AttOperlog, ['uniqueKey'])}) DO NOTHING RETURNING op_type, unique_key)
  SELECT count(*)::int AS n, coalesce(array_agg(DISTINCT op_type), '{}') AS types, coalesce(array_agg(unique_key), '{}') AS keys FROM ins`;

/**
 * One ATTPHOTO, keyed by terminal and file name; answers whether it was stored now. The photo held is replaced only
 * by one that begins with it and goes on: the whole upload of one cut mid-body (kept as the part it brought), sent
 * again. Any other copy of the file (a re-send, a stale retry of the cut body) changes nothing.
 */
const STORE_PHOTO = `WITH ins AS (INSERT INTO ${insertOf(AttPhoto, ['deviceSn', 'fileName', 'pin', 'photoTime', 'data'])}
  ON CONFLICT (${listOf(AttPhoto, ['deviceSn', 'fileName'])}) DO UPDATE SET data = EXCLUDED.data
    WHERE length(EXCLUDED.data) > length(att_photo.data) AND substring(EXCLUDED.data FROM 1 FOR length(att_photo.data)) = att_photo.data
  RETURNING 1) SELECT count(*)::int AS n FROM ins`;

/**
 * The upload's Stamp ($2: its table, $3: the Stamp; lowering the one held only when $5, the upload stored something
 * new; raising it only when its newest record, $7 kept at key $6, is not older than that of the upload whose Stamp
 * is held: mergeStampSql) and newest punch ($4), merged into the terminal's row.
 */
const NOTE_UPLOAD = `INSERT INTO ${intoOf(AttTerminal, ['deviceId', 'stamps', 'lastPunchAt'])}
  VALUES ($1, CASE WHEN $3::text IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object($2::text, $3::text, $6::text, $7::text)) END, $4)
  ON CONFLICT (${listOf(AttTerminal, ['deviceId'])}) DO UPDATE SET
    stamps = CASE WHEN $3::text IS NULL THEN att_terminal.stamps
      ELSE ${mergeStampSql('att_terminal.stamps', '$2::text', 'EXCLUDED.stamps', '$5::boolean', olderRecordsSql('att_terminal.stamps', 'EXCLUDED.stamps', '$6::text'))} END,
    last_punch_at = GREATEST(att_terminal.last_punch_at, EXCLUDED.last_punch_at), updated_at = now()`;

/** Whether the terminal ($1) is known to end its OPERLOG and BIODATA uploads with a line end (OperlogReading.endsLines). */
const ENDS_LINES = `SELECT ends_lines FROM ${tableOf(AttTerminal)} WHERE device_id = $1`;

/** The terminal ($1) ended an OPERLOG or BIODATA upload with a line end. */
const NOTE_ENDS_LINES = `INSERT INTO ${intoOf(AttTerminal, ['deviceId', 'endsLines'])} VALUES ($1, true)
  ON CONFLICT (${listOf(AttTerminal, ['deviceId'])}) DO UPDATE SET ends_lines = true WHERE NOT att_terminal.ends_lines`;

/** A body that ends with a line end (NULs aside): its last line came whole. */
const endsWithLineEnd = (body: string): boolean => /[\r\n]\0*$/.test(body);

/** OPLOG operation codes "Clear data" and "Delete entry and exit records" (Attendance PUSH Appendix 3). */
const OPLOG_CLEAR_DATA = 13;
const OPLOG_DELETE_RECORDS = 23;

/** What a terminal cleared at its menu: everything (users, templates, records), or its attendance records only. */
export type ClearedAtMenu = 'data' | 'records';

/**
 * OPLOG operation codes "Delete user", "Delete fingerprint", "Delete password" and "Delete RF card" (Appendix 3;
 * operand 1 the user ID, Appendix 4), and "Clear administrator privilege" (every user of the terminal a normal user
 * again; no operand).
 */
const OPLOG_DELETE_USER = 9;
const OPLOG_DELETE_FINGERPRINT = 10;
const OPLOG_DELETE_PASSWORD = 11;
const OPLOG_DELETE_CARD = 12;
const OPLOG_CLEAR_ADMINS = 24;

/**
 * What a terminal's OPERLOG says was taken off it at its menu: a user (with their templates and photo), a user's
 * fingerprints, a user's password or card (their user record), or every user's administrator privilege.
 */
export type ChangedAtMenu = { what: 'user' | 'fingerprint' | 'record'; pin: string } | { what: 'admins' };

/** The changes at the menu among OPLOG records (a delete's operand 1 names the user). */
function changedAtMenu(records: readonly OplogRecord[]): ChangedAtMenu[] {
  const out: ChangedAtMenu[] = [];
  for (const r of records) {
    if (r.opType === OPLOG_CLEAR_ADMINS) {
      out.push({ what: 'admins' });
      continue;
    }
    const pin = (r.values[0] ?? '').trim();
    if (!pin || pin.length > 64) continue;
    if (r.opType === OPLOG_DELETE_USER) out.push({ pin, what: 'user' });
    else if (r.opType === OPLOG_DELETE_FINGERPRINT) out.push({ pin, what: 'fingerprint' });
    else if (r.opType === OPLOG_DELETE_PASSWORD || r.opType === OPLOG_DELETE_CARD) out.push({ pin, what: 'record' });
  }
  return out;
}

/**
 * Uploads of attendance terminals (Attendance PUSH 11): ATTLOG punches, OPERLOG operation records (with the
 * USER and template lines of enrolments at the terminal) and ATTPHOTO. Each upload is stored in ONE transaction
 * (a multi-row insert keyed so a re-sent upload adds nothing), and answered only after it commits. Refused lines
 * are logged and kept raw in device_upload, so the terminal can be acknowledged for the whole body.
 */
@Injectable()
export class AttendanceIngestService {
  private readonly logger = new Logger('AttendanceIngest');
  private readonly operlogListeners: OperlogListener[] = [];
  private readonly clearedListeners: Array<(m: EntityManager, device: DeviceSession, what: ClearedAtMenu) => Promise<unknown>> = [];
  private readonly menuListeners: Array<(m: EntityManager, device: DeviceSession, changes: readonly ChangedAtMenu[]) => Promise<unknown>> = [];
  private readonly attlog: GroupCommit<AttlogItem, number>;

  constructor(
    private readonly ds: DataSource,
    private readonly metrics: GatewayMetrics,
    groupCommit: GroupCommitService,
    private readonly outcomes: CommandOutcomeHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Terminals send each punch the moment it happens (Realtime=1): concurrent uploads share one statement.
    this.attlog = groupCommit.create({
      name: 'ATTLOG',
      flush: flushAttlog,
      autocommit: true,
      maxItems: 400,
      maxInFlight: 4,
      // A catch-up upload (a terminal back after an outage) is a batch by itself.
      alone: (item) => item.punches.length >= ALONE_PUNCHES,
    });
    // An ERRORLOG posted before the Return of the command it names fails that command when the Return comes.
    outcomes.registerLast(async (m, done) => {
      const failed = await failDoneByStoredErrorLog(m, done, outcomes, this.errorRetry());
      if (failed.length) this.logger.warn(`ERRORLOG stored before their Return failed command(s) ${failed.join(', ')}; their items are unconfirmed`);
    });
  }

  /** How ERRORLOG failures back off and when they are given up on (errorlog-commands.ts). */
  private errorRetry() {
    return { baseMs: this.config.syncRetryBaseMs, maxMs: this.config.syncRetryMaxMs, giveUpFailures: this.config.syncGiveUpFailures };
  }

  /**
   * Called, in the upload's transaction, when a terminal's OPERLOG records a "Clear data" at its menu (OPLOG
   * operation code 13, Appendix 3: `data`; what it holds is in doubt, so its next user count is judged) or a "Delete
   * entry and exit records" (23: `records`); its records start again either way. Once per operation record: an
   * upload sent again (its reply lost) calls nothing.
   */
  onDataCleared(fn: (m: EntityManager, device: DeviceSession, what: ClearedAtMenu) => Promise<unknown>): void {
    this.clearedListeners.push(fn);
  }

  /**
   * Called, in the upload's transaction, with what a terminal's OPERLOG says was taken off it at its menu (OPLOG 9
   * "Delete user", 10 "Delete fingerprint", 11 "Delete password", 12 "Delete RF card", 24 "Clear administrator
   * privilege"), before the upload's enrolment lines
   * are taken. Once per operation record: an upload sent again (its reply lost) calls nothing.
   */
  onChangedAtMenu(fn: (m: EntityManager, device: DeviceSession, changes: readonly ChangedAtMenu[]) => Promise<unknown>): void {
    this.menuListeners.push(fn);
  }

  /** The attendance module handles USER/FP/FACE/... lines (enrolment at a terminal) through this hook. */
  onOperlog(fn: OperlogListener): void {
    this.operlogListeners.push(fn);
  }

  async ingestAttlog(device: DeviceSession, body: string, stamp: string | null): Promise<AttIngestResult> {
    const parsed = parseAttlog(body);
    logRejected(this.logger, device.sn, 'ATTLOG', parsed.rejected, { metrics: this.metrics, kind: 'table' });
    const received = parsed.results.length + parsed.rejected.length;
    if (device.admission !== 'admitted') {
      this.logger.warn(`device ${device.sn} is ${device.admission}: ${parsed.results.length} punches not acknowledged (it will send them again once admitted)`);
      return { received, processed: 0, stored: 0, admitted: false };
    }
    // ID-card verification records (11.7, Type 1) are no punches: kept apart, read back as `ATTLOG.idcard`. An ID-card
    // attendance record (Type 0) is a punch, whose ID number the punch has no place for: kept there too, with it.
    const punches: AttPunch[] = [];
    const verifications: IdCardVerification[] = [];
    const idCards: RawUploadRow[] = [];
    for (const p of parsed.results) {
      const v = idCardVerificationOf(p);
      if (v) verifications.push(v);
      else punches.push(p);
      const idNum = v ? null : idCardNumberOf(p, '0');
      if (idNum !== null) idCards.push({ table: 'ATTLOG.idcard', fields: { pin: p.pin, time: p.time, idNum, result: 'attendance' } });
    }
    if (verifications.length > 0) {
      this.logger.log(`device ${device.sn}: ${verifications.length} ID-card verification record(s) kept as ATTLOG.idcard, not as punches`);
    }
    // Refused lines and verifications first, in their own (idempotent) write: if the punches then fail, the terminal
    // sends the whole upload again and these add nothing the second time.
    if (parsed.rejected.length + verifications.length + idCards.length > 0) {
      await this.ds.transaction(async (m) => {
        await storeRejected(m, device.sn, 'ATTLOG', parsed.rejected);
        await storeRaw(m, device.sn, [...verifications.map(verificationRow), ...idCards]);
      });
    }
    const item: AttlogItem = { deviceId: device.id, punches: punchRows(device, punches), via: 'ATTLOG', stamp, lastPunchAt: latestPunch(device, punches) };
    const processed = parsed.results.length;
    if (item.punches.length === 0 && stamp === null && item.lastPunchAt === null) return { received, processed, stored: 0, admitted: true };
    const stored = await this.attlog.submit(item);
    if (stored > 0) this.metrics.attPunchesIngested.inc(stored);
    return { received, processed, stored, admitted: true };
  }

  /**
   * The punches of an attendance terminal's real-time log (`table=rtlog`: Push 3.x face terminals set to T&A post
   * their verifications this way, as well as or instead of ATTLOG): stored as the punches they are, through the
   * ATTLOG statement and under the ATTLOG key (punchKey: SN, PIN, time), so a punch the terminal also uploads
   * as ATTLOG, or sends again, is one record; the ATTLOG line, when it comes, gives it its state (attlog-batch.ts). The device must be admitted (the caller checks). Answers how many
   * were stored now.
   */
  async ingestRealtimePunches(device: DeviceSession, events: readonly RtlogEvent[]): Promise<number> {
    const punches = events.map(realtimePunch).filter((p): p is AttPunch => p !== null);
    if (punches.length === 0) return 0;
    const stored = await this.attlog.submit({ deviceId: device.id, punches: punchRows(device, punches), via: 'rtlog', stamp: null, lastPunchAt: latestPunch(device, punches) });
    if (stored > 0) this.metrics.attPunchesIngested.inc(stored);
    return stored;
  }

  async ingestOperlog(device: DeviceSession, table: string, body: string, stamp: string | null): Promise<AttIngestResult> {
    const whole = endsWithLineEnd(body);
    const parsed = parseOperlog(body, { endsLines: !whole && body.trim() !== '' && (await this.endsLines(device.id)), bareWord: bareRecordWord(table) });
    logRejected(this.logger, device.sn, table, parsed.rejected, { metrics: this.metrics, kind: 'table' });
    const received = parsed.results.length + parsed.rejected.length;
    if (device.admission !== 'admitted') {
      this.logger.warn(`device ${device.sn} is ${device.admission}: ${table} upload not acknowledged`);
      return { received, processed: 0, stored: 0, admitted: false };
    }
    // Run again when a concurrent REST write meets it (a USER line's new pin inserted by both, or a deadlock): run once,
    // the terminal was answered "ERROR: The record already exists" for a user the database then held without its line.
    const stored = await writeTransaction(this.ds, async (m) => {
      const oplogs = parsed.results.filter((r): r is OplogRecord => r.kind === 'OPLOG');
      const stored = oplogs.length > 0 ? await this.storeOplogs(m, device, oplogs) : { n: 0, types: [], fresh: [] };
      let n = stored.n;
      const cleared: ClearedAtMenu | null = stored.types.includes(OPLOG_CLEAR_DATA) ? 'data' : stored.types.includes(OPLOG_DELETE_RECORDS) ? 'records' : null;
      if (cleared) for (const fn of this.clearedListeners) await fn(m, device, cleared);
      const changed = changedAtMenu(stored.fresh);
      if (changed.length > 0) for (const fn of this.menuListeners) await fn(m, device, changed);
      const others = parsed.results.filter((r) => r.kind === 'other');
      await storeRaw(m, device.sn, others.map((o) => ({ table: o.kind === 'other' ? `${table}.${o.table}` : table, fields: { line: o.kind === 'other' ? o.line : '' } })));
      await storeRejected(m, device.sn, table, parsed.rejected);
      await storeRaw(m, device.sn, unreadFields(this.logger, device.sn, table, parsed.results));
      // Comparison photos (BIOPHOTO, 11.15) are no part of the person's record here: kept raw, never dropped.
      const bioPhotos = parsed.results.filter((r): r is PhotoRecord => r.kind === 'BIOPHOTO');
      await storeRaw(
        m,
        device.sn,
        bioPhotos.map((r) => ({ table: `${table}.BIOPHOTO`, fields: { pin: r.pin, fileName: r.fileName ?? '', type: r.type === null ? '' : String(r.type), content: r.content } })),
      );
      const enrolment = parsed.results.filter((r) => r.kind !== 'OPLOG' && r.kind !== 'other');
      if (enrolment.length > 0) {
        for (const fn of this.operlogListeners) await fn(m, device, enrolment);
        n += enrolment.length;
      }
      // Its OPLOG lines carry times (USER and template lines none): the newest is kept beside its Stamp.
      await noteUpload(m, device.id, table.toUpperCase(), stamp, null, n > 0, newestOf(oplogs.map((r) => wallClockToInstant(r.wallClock, device.timeZone).toISOString())));
      if (whole && !this.endLines.has(device.id)) await m.query(NOTE_ENDS_LINES, [device.id]);
      return n;
    });
    if (whole) this.knowEndsLines(device.id);
    const comparisonPhotosOnly = parsed.rejected.length === 0 && parsed.results.length > 0 && parsed.results.every((r) => r.kind === 'BIOPHOTO');
    return { received, processed: parsed.results.length, stored, admitted: true, comparisonPhotosOnly };
  }

  /**
   * Terminals known (in this process) to end their OPERLOG and BIODATA uploads with a line end, as their att_terminal
   * row says: an upload ended so writes nothing more. Bounded: SNs come from devices.
   */
  private readonly endLines = new Set<string>();

  private knowEndsLines(deviceId: string): void {
    if (this.endLines.size >= 4096) this.endLines.clear();
    this.endLines.add(deviceId);
  }

  /** Whether the terminal ended an earlier OPERLOG or BIODATA upload with a line end (read only for a body that does not). */
  private async endsLines(deviceId: string): Promise<boolean> {
    if (this.endLines.has(deviceId)) return true;
    const [r]: Array<{ ends_lines: boolean }> = await this.ds.query(ENDS_LINES, [deviceId]);
    if (r?.ends_lines === true) this.knowEndsLines(deviceId);
    return r?.ends_lines === true;
  }

  /** How many operation records were stored now (a record already held is not), their distinct operation codes, and those records. */
  private async storeOplogs(m: EntityManager, device: DeviceSession, rows: OplogRecord[]): Promise<{ n: number; types: number[]; fresh: OplogRecord[] }> {
    const keys: string[] = [];
    const records: OplogRecord[] = [];
    const types: number[] = [];
    const who: string[] = [];
    const at: string[] = [];
    const operands: string[] = [];
    const cut: boolean[] = [];
    for (const r of rows) {
      const key = clip(`${device.sn}_${r.opType}_${r.opWho}_${r.time}_${r.values.join(',')}`, 300)!;
      if (keys.includes(key)) continue;
      keys.push(key);
      records.push(r);
      types.push(r.opType);
      who.push(clip(r.opWho, 64) ?? '');
      at.push(wallClockToInstant(r.wallClock, device.timeZone).toISOString());
      operands.push(JSON.stringify(r.values.map((v) => clip(v, 64))));
      cut.push(r.cutShort === true);
    }
    const params = [device.sn, keys, types, who, at, operands, cut];
    await m.query(WHOLE_OPLOGS, params);
    const [r]: Array<{ n: number; types: number[]; keys: string[] }> = await m.query(STORE_OPLOGS, params);
    const fresh = new Set(r?.keys ?? []);
    return { n: r?.n ?? 0, types: (r?.types ?? []).map(Number), fresh: records.filter((_, i) => fresh.has(keys[i])) };
  }

  /** One photo per request (11.3); a re-sent photo (same file name) adds nothing. */
  /**
   * A table this gateway does not read (IDCARD 11.6, ERRORLOG 11.16, or one the manual does not name): every line
   * kept under the table's name, with the upload's Stamp when the table is one the terminal keeps a Stamp of
   * (manual 5), in one transaction. IDCARD and ERRORLOG records are kept by their fields (keyedRecordFields; an
   * ERRORLOG code the manual names gains its `meaning`), any other line as `{"line": …}`. An ERRORLOG record of a
   * command this gateway sent the device (DataOrigin=cmd, CmdId) fails that command and its items after all
   * (errorlog-commands.ts), in the same transaction.
   */
  async ingestRaw(device: DeviceSession, table: string, body: string, stamp: string | null): Promise<AttIngestResult> {
    const rows = rawLines(table, body, KEYED_TABLES.has(table.toUpperCase()) ? (line) => keyedRecordFields(table, line) : undefined);
    if (device.admission !== 'admitted') {
      this.logger.warn(`device ${device.sn} is ${device.admission}: ${table} upload not acknowledged`);
      return { received: rows.length, processed: 0, stored: 0, admitted: false };
    }
    const stampTable = ATT_STAMP_TABLES.find((t) => t === table.toUpperCase());
    await this.ds.transaction(async (m) => {
      await storeRaw(m, device.sn, rows);
      if (stampTable === 'ERRORLOG') {
        const failed = await failCommandsByErrorLog(m, device.sn, rows, this.outcomes, this.errorRetry());
        if (failed.length) this.logger.warn(`device ${device.sn}: ERRORLOG failed command(s) ${failed.join(', ')} after their Return; their items are unconfirmed`);
      }
      if (stampTable) await noteUpload(m, device.id, stampTable, stamp, null, false);
    });
    return { received: rows.length, processed: rows.length, stored: rows.length, admitted: true };
  }

  async ingestAttphoto(device: DeviceSession, body: string, stamp: string | null): Promise<AttIngestResult> {
    const photo = parseAttPhoto(body);
    if (typeof photo === 'string') {
      logRejected(this.logger, device.sn, 'ATTPHOTO', [{ line: body.slice(0, 200), lineNo: 1, reason: photo }], { metrics: this.metrics, kind: 'table' });
      // Acknowledged, so kept as it came: the header text, and whatever followed its NUL (base64).
      if (device.admission === 'admitted') await this.ds.transaction((m) => storeRaw(m, device.sn, [refusedPhotoRow(body, photo)]));
      return { received: 1, processed: 0, stored: 0, admitted: device.admission === 'admitted' };
    }
    if (device.admission !== 'admitted') return { received: 1, processed: 0, stored: 0, admitted: false };
    const at = photo.wallClock ? wallClockToInstant(photo.wallClock, device.timeZone).toISOString() : null;
    const stored = await this.ds.transaction(async (m) => {
      const result = await m.query(STORE_PHOTO, [device.sn, clip(photo.fileName, 200), clip(photo.pin, 64), at, photo.data]);
      const n = rowCount(result);
      await noteUpload(m, device.id, 'ATTPHOTO', stamp, null, n > 0, at);
      return n;
    });
    return { received: 1, processed: 1, stored, admitted: true };
  }
}

/**
 * An rtlog event of an attendance terminal that is a punch: a person's (a PIN other than 0) verification that the
 * terminal took (an event of the normal class, Security PUSH Appendix 2: 0 "opens normally after verification" and
 * its kin). The state (check-in, check-out...) is `inoutstatus`, the verify mode `verifytype` (the same codes as
 * ATTLOG's, attendance manual Appendix 7). Refused verifications (too short an interval, not registered...),
 * alarms and door states are no punches: null.
 */
export function realtimePunch(e: RtlogEvent): AttPunch | null {
  if (e.personPin === null || eventInfo(e.event)?.level !== 'normal') return null;
  return {
    pin: e.personPin,
    wallClock: e.wallClock,
    time: formatWallClock(e.wallClock),
    status: e.inOutStatus,
    verify: e.verifyType,
    workCode: '',
    reserved: [],
    lineNo: e.lineNo,
  };
}

/** A refused ATTPHOTO body (latin1, as read) as kept: `ATTPHOTO.rejected`, its header, the reason and its data (base64). */
function refusedPhotoRow(body: string, reason: string): RawUploadRow {
  const nul = body.indexOf('\0');
  const fields: Record<string, string> = { line: (nul < 0 ? body : body.slice(0, nul)).slice(0, 1000), reason };
  // No NUL: a body too long for a header is the photo itself, kept whole.
  const data = nul >= 0 ? body.slice(nul + 1) : body.length > 1000 ? body : '';
  if (data) fields.data = Buffer.from(data, 'latin1').toString('base64');
  return { table: 'ATTPHOTO.rejected', fields };
}

/**
 * The fields of USER lines that could not be read (a malformed card bracket value, a Grp or TZ that is no group
 * number or time periods), as kept: `<table>.unread`, the PIN, the field, its value as sent and why. The rest of each
 * line is taken; for a card, the terminal is sent the person back (attendance-enrolment.service.ts).
 */
function unreadFields(logger: Logger, sn: string, table: string, records: readonly OperlogRecord[]): RawUploadRow[] {
  const rows: RawUploadRow[] = [];
  for (const r of records) {
    if (r.kind !== 'USER') continue;
    for (const u of r.unread) {
      logger.warn(`device ${sn}: ${table} line ${r.lineNo}, USER ${r.pin}: ${u.field} not taken, ${u.reason}`);
      rows.push({ table: `${table}.unread`, fields: { pin: r.pin, field: u.field, value: u.value, reason: u.reason } });
    }
  }
  return rows;
}

/** Tables whose records are key=value fields (11.6 IDCARD, 11.16 ERRORLOG): kept by their fields. */
const KEYED_TABLES = new Set(['IDCARD', 'ERRORLOG']);

/** An ID-card verification (11.7) as kept: `ATTLOG.idcard`, its result spelt out. */
function verificationRow(v: IdCardVerification): RawUploadRow {
  const fields: Record<string, string> = { pin: v.pin, time: v.time, idNum: v.idNum, result: idCardResult(v.status) };
  if (v.status !== null) fields.status = String(v.status);
  if (v.verify !== null) fields.verify = String(v.verify);
  return { table: 'ATTLOG.idcard', fields };
}

function punchRows(device: DeviceSession, punches: AttPunch[]): PunchRow[] {
  const rows: PunchRow[] = [];
  for (const p of punches) {
    const key = clip(punchKey(device.sn, p), 200)!;
    rows.push({
      key,
      at: wallClockToInstant(p.wallClock, device.timeZone).toISOString(),
      pin: clip(p.pin, 64)!,
      status: p.status !== null && p.status >= -32768 && p.status <= 32767 ? p.status : null,
      verify: int32(p.verify),
      verifyName: p.verify !== null ? clip(verifyModeName(p.verify) ?? String(p.verify), 100) : null,
      workCode: clip(p.workCode || null, 64),
      reserved: p.reserved.length > 0 ? JSON.stringify(p.reserved.map((r) => clip(r, 64))) : null,
    });
  }
  return rows;
}

function latestPunch(device: DeviceSession, punches: AttPunch[]): string | null {
  let best: number | null = null;
  for (const p of punches) {
    const t = wallClockToInstant(p.wallClock, device.timeZone).getTime();
    if (best === null || t > best) best = t;
  }
  return best === null ? null : new Date(best).toISOString();
}

/**
 * The upload's Stamp (handed back at the next initialisation) and the newest punch, in the upload's transaction;
 * `fresh`: the upload stored something the gateway did not hold, so a lower Stamp is taken (mergeStampSql);
 * `newest`: the time of its newest record (ISO; null: its lines carry none), kept beside the Stamp, so that a higher
 * Stamp of an upload of older records (one from before the terminal's numbering started again, held up on the way or
 * repeated) is not taken.
 */
async function noteUpload(m: EntityManager, deviceId: string, table: string, stamp: string | null, lastPunchAt: string | null, fresh: boolean, newest: string | null = null): Promise<void> {
  if (stamp === null && lastPunchAt === null) return;
  await m.query(NOTE_UPLOAD, [deviceId, table, stamp, lastPunchAt, fresh, stampTimeKey(table), newest]);
}

/** The newest of instants (ISO), null when there is none. */
const newestOf = (times: readonly string[]): string | null => times.reduce<string | null>((a, b) => (a === null || b > a ? b : a), null);

