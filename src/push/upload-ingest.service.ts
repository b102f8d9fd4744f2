import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { intoOf, listOf } from '../database/columns';
import { DeviceUpload } from './device-upload.entity';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { clip, type DeviceSession } from './device-registry.service';
import { logRejected } from './ingest-log';
import { rawLines, storeRaw, storeRejected } from './raw-upload';
import { canonicalTableName, parseQueryData, parseTableData, receivedCount, type KvMap, type RejectedLine, type TableUpload } from './protocol';
import { rowCount } from '../database/row-count';
import { RtlogIngestService } from './rtlog-ingest.service';
import { CommandOutcomeHub } from './command-outcome';
import { failCommandsByErrorLog } from './attendance/errorlog-commands';
import { keyedRecordFields } from './attendance/protocol';
import type { RawUploadRow } from './raw-upload';

/** device_upload's table of an attendance terminal's INFO command results (12.4.3), one record per result. */
export const INFO_RESULT_TABLE = 'INFO';

export interface UploadRecord {
  table: string;
  pin: string | null;
  fields: Record<string, string>;
}

export interface PacketInfo {
  cmdId: string | null;
  packCnt: number | null;
  packIdx: number | null;
}

/** One upload's records ($1 SN; $2… keys, tables, pins, JSON; $6… packet), in the order sent; a re-sent one adds nothing. */
const STORE_UPLOAD = `WITH ins AS (
    INSERT INTO ${intoOf(DeviceUpload, ['uploadKey', 'deviceSn', 'tableName', 'pin', 'record', 'cmdId', 'packCnt', 'packIdx'])}
    SELECT k, $1, t, p, r::jsonb, $6, $7, $8 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(k, t, p, r, ord)
    ORDER BY ord
    ON CONFLICT (${listOf(DeviceUpload, ['uploadKey'])}) DO NOTHING RETURNING 1)
  SELECT count(*)::int AS n FROM ins`;

/**
 * A device's options said again (the same body as an earlier push of its, with other options pushed between) are its
 * latest word: readers take the newest options row. Kept as a re-sent upload, the row stayed where it was, so a face
 * terminal that took its SN back from a fingerprint-only unit (or firmware flashed back) was judged by that unit's
 * MultiBioDataSupport and sent no face, said synced. The earlier identical row goes and the push is stored anew.
 */
const FORGET_SAID_BEFORE = `DELETE FROM device_upload WHERE device_sn = $1 AND upload_key = ANY($2::char(32)[])`;

const NO_PACKET: PacketInfo = { cmdId: null, packCnt: null, packIdx: null };
const int32 = (n: number | null): number | null => (n === null || !Number.isInteger(n) || Math.abs(n) > 2147483647 ? null : n);

function clean(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k.replace(/\0/g, '')] = v.replace(/\0/g, '');
  return out;
}

/** device_upload's lookup key of a record: the pin, ATTPHOTO's file name, or a linkage photo's LogIndex (its event's log_id). */
function pinOf(u: TableUpload): string | null {
  if (u.kind === 'linkphotoinfo') return String(u.logIndex);
  const p = (u as { pin?: unknown }).pin;
  if (typeof p === 'string') return p;
  for (const [k, v] of Object.entries(u.fields)) if (k.trim().toLowerCase() === 'pin') return v;
  return null;
}

/**
 * Table uploads (user, biodata, templatev10, userpic, biophoto, identitycard, ATTPHOTO, errorlog, ...),
 * DATA QUERY results on /iclock/querydata (with their packets) and the options upload, stored one row per
 * record in device_upload for the modules that will use them. Idempotent: a re-sent upload adds nothing.
 */
@Injectable()
export class UploadIngestService {
  private readonly logger = new Logger('UploadIngest');

  constructor(
    private readonly ds: DataSource,
    private readonly metrics: GatewayMetrics,
    private readonly rtlog: RtlogIngestService,
    private readonly outcomes: CommandOutcomeHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Access records (`transaction`) become the access events they are, as rtlog's do (an admitted device's only). */
  private async recordEvents(device: DeviceSession, table: string, records: readonly TableUpload[]): Promise<void> {
    if (table !== 'transaction' || device.admission !== 'admitted' || records.length === 0) return;
    const s = await this.rtlog.ingestTransactions(device, records.map((r) => r.fields));
    this.logger.log(`device ${device.sn}: ${records.length} transaction records, ${s.stored} new access events`);
  }

  /** Listeners (template enrolment, users enrolled at a panel) get the parsed records of a stored table upload. */
  private readonly tableListeners: Array<(device: DeviceSession, records: readonly TableUpload[]) => Promise<unknown>> = [];
  onTableUpload(fn: (device: DeviceSession, records: readonly TableUpload[]) => Promise<unknown>): void {
    this.tableListeners.push(fn);
  }

  /** `table=tabledata&tablename=<t>`: answers the number of lines received (stored, held already, or rejected). */
  async ingestTable(device: DeviceSession, tableName: string, body: string, packet: PacketInfo = NO_PACKET): Promise<number> {
    const parsed = parseTableData(tableName, body);
    logRejected(this.logger, device.sn, `${tableName} upload`, parsed.rejected, { metrics: this.metrics, kind: 'table' });
    const table = canonicalTableName(tableName);
    await this.keepRejected(device, table, parsed.rejected);
    const records = parsed.results.map((u) => ({ table, pin: pinOf(u), fields: u.fields }));
    await this.store(device, records, packet, false, table === 'errorlog' ? (m) => this.failByErrorLog(m, device, records) : undefined);
    await this.recordEvents(device, table, parsed.results);
    // An admitted device's records go to the listeners before the device is answered. A listener
    // failure reaches the device as an error, so it sends the upload again (what it implies is never lost).
    if (device.admission === 'admitted') {
      for (const fn of this.tableListeners) {
        await fn(device, parsed.results).catch((e: unknown) => {
          this.logger.error(`table upload listener failed for ${device.sn}; the device will send again: ${(e as Error)?.stack ?? e}`);
          throw e;
        });
      }
    }
    return receivedCount(parsed);
  }

  /**
   * A panel's error log (Security PUSH 7.12, `errorlog errcode=… dataorigin=cmd cmdid=<CmdID>`, Appendix 17): the
   * panel answered the command Return=0 and then failed at what it carried (a photo whose face it could not detect,
   * D01E0001). The command is failed after all and its items are not said held: retried with backoff, given up on
   * after SYNC_GIVE_UP_FAILURES failures of the same content (errorlog-commands.ts, as a terminal's ERRORLOG). Runs in
   * the upload's transaction, so the record and the failure commit together; an upload sent again fails nothing more.
   */
  private async failByErrorLog(m: EntityManager, device: DeviceSession, records: readonly RawUploadRow[]): Promise<void> {
    const retry = { baseMs: this.config.syncRetryBaseMs, maxMs: this.config.syncRetryMaxMs, giveUpFailures: this.config.syncGiveUpFailures };
    const failed = await failCommandsByErrorLog(m, device.sn, records, this.outcomes, retry);
    if (failed.length) this.logger.warn(`device ${device.sn}: errorlog failed command(s) ${failed.join(', ')} after their Return; their items are unconfirmed`);
  }

  /**
   * The lines a table upload's reader refused, kept raw (`<table>.rejected`, with the reason) for an admitted device:
   * they are acknowledged with the rest, so they must not be lost. `cmdId`: those of a query's answer, kept under it.
   */
  private async keepRejected(device: DeviceSession, table: string, rejected: readonly RejectedLine[], cmdId: string | null = null): Promise<void> {
    if (rejected.length > 0 && device.admission === 'admitted') await storeRejected(this.ds, device.sn, table, rejected, cmdId);
  }

  /** `POST /iclock/querydata`: COUNT / QUERY / GET OPTIONS results. Returns the number of lines to acknowledge. */
  async ingestQueryData(device: DeviceSession, rawQuery: string, body: string): Promise<number> {
    const q = parseQueryData(rawQuery, body);
    const packet: PacketInfo = { cmdId: q.cmdId, packCnt: q.packCnt, packIdx: q.packIdx };
    if ('records' in q) {
      logRejected(this.logger, device.sn, `querydata ${q.tableName ?? ''}`, q.records.rejected, { metrics: this.metrics, kind: 'querydata' });
      const table = canonicalTableName(q.tableName ?? q.type);
      await this.keepRejected(device, table, q.records.rejected, q.cmdId);
      await this.store(
        device,
        q.records.results.map((u) => ({ table, pin: pinOf(u), fields: u.fields })),
        packet,
      );
      await this.recordEvents(device, table, q.records.results);
      return receivedCount(q.records);
    }
    if ('options' in q) {
      await this.storeOptions(device, q.options, packet);
      return q.options.size;
    }
    if ('recordCount' in q) {
      this.logger.log(`device ${device.sn}: DATA COUNT ${q.tableName ?? ''} (CmdID ${q.cmdId ?? '?'}) = ${q.recordCount ?? '?'}`);
      await this.keepCount(device.sn, q.cmdId, q.recordCount);
      return 1;
    }
    this.logger.log(`device ${device.sn}: querydata type=${q.type} (CmdID ${q.cmdId ?? '?'}) not stored`);
    return 0;
  }

  /**
   * A DATA COUNT result is kept in the ref of the command that asked for it (`count`), so whoever queued it
   * reads it with the command's outcome (the Return of DATA COUNT is 0 in the manual's examples).
   */
  private async keepCount(sn: string, cmdId: string | null, count: number | null | undefined): Promise<void> {
    if (!cmdId || !/^\d{1,18}$/.test(cmdId) || count === null || count === undefined || !Number.isInteger(count)) return;
    await this.ds.query(
      `UPDATE device_command c SET ref = c.ref || jsonb_build_object('count', $3::int), meta = c.meta || jsonb_build_object('count', $3::int)
         FROM device_command_attempt a WHERE a.attempt_id = $2::bigint AND a.device_sn = $1 AND c.id = a.command_id AND jsonb_typeof(c.ref) = 'object'`,
      [sn, cmdId, count],
    );
  }

  /** `table=options` (and GET OPTIONS results): one record of every `Name=Value`. */
  async storeOptions(device: DeviceSession, options: KvMap, packet: PacketInfo = NO_PACKET): Promise<void> {
    if (options.size === 0) return;
    await this.store(device, [{ table: 'options', pin: null, fields: options.toObject() }], packet, true);
    await this.notePassWayType(device, options);
    await this.noteIdentity(device, options);
  }

  /**
   * An attendance terminal's INFO command result (12.4.3: its key=value lines), kept as its latest word under
   * `INFO` (not `options`, whose values the planner reads for the terminal's biometric dialect): the console's Options
   * view shows it, and an operator's INFO asks for it again.
   */
  async storeInfoResult(device: DeviceSession, info: KvMap): Promise<void> {
    if (info.size === 0) return;
    await this.store(device, [{ table: INFO_RESULT_TABLE, pin: null, fields: info.toObject() }], NO_PACKET, true);
  }

  /**
   * What a device says of itself among its parameters (4.6, Appendix 20: `~DeviceName`, `IPAddress`, `FWVersion`,
   * `PushVersion`) is what the device lists and answers show where its registration named none of them: real
   * registration bodies are often short (field samples reg-c3-100pro-acc, reg-speedface-v5l-zam230-fragment). The IP
   * address is a fact of now, so the reported one replaces the known one; the model and versions only fill what the
   * registration left empty (the registration's FirmVer is what new-firmware detection compares, device-registry).
   */
  private async noteIdentity(device: DeviceSession, options: KvMap): Promise<void> {
    const filled = (v: string | undefined, max: number) => clip(v?.trim() || null, max);
    const ip = filled(options.text('IPAddress'), 64);
    const name = filled(options.text('DeviceName'), 100);
    const firmware = filled(options.text('FWVersion') ?? options.text('FirmVer'), 100);
    const pushVersion = filled(options.text('PushVersion'), 64);
    if ((!ip && !name && !firmware && !pushVersion) || device.admission !== 'admitted') return;
    await this.ds.query(
      `UPDATE device SET ip_address = COALESCE($2, ip_address), device_name = COALESCE(device_name, $3), firm_ver = COALESCE(firm_ver, $4),
         push_version = COALESCE(push_version, $5), updated_at = now()
        WHERE sn = $1 AND (ip_address IS DISTINCT FROM COALESCE($2, ip_address) OR (device_name IS NULL AND $3::varchar IS NOT NULL)
          OR (firm_ver IS NULL AND $4::varchar IS NOT NULL) OR (push_version IS NULL AND $5::varchar IS NOT NULL))`,
      [device.sn, ip, name, firmware, pushVersion],
    );
  }

  /**
   * A channel controller reports its gate type (`PassWayType`, Appendix 20) among its uploaded parameters (4.6),
   * often not at registration: kept with the registration (as `PassWayType`), where the gate lists and each
   * entrance-control event read `gateType` from, and where a later registration without it leaves it.
   */
  private async notePassWayType(device: DeviceSession, options: KvMap): Promise<void> {
    const value = options.text('PassWayType');
    if (value === undefined || device.admission !== 'admitted') return;
    await this.ds.query(
      `UPDATE device SET registration = COALESCE(registration, '{}'::jsonb) || jsonb_build_object('PassWayType', $2::text)
        WHERE sn = $1 AND registration->>'PassWayType' IS DISTINCT FROM $2::text`,
      [device.sn, clip(value, 16)],
    );
  }

  /** Anything else a device posts with records (DeviceAuthorize, EnrollInfoData, BioData, irstate, testdata, ...). */
  async ingestGeneric(device: DeviceSession, table: string, body: string): Promise<number> {
    return (await this.storeParsed(device, table, body)).received;
  }

  /**
   * A panel's IPC linkage photos (Security PUSH 7.15, `table=linkphotoinfo`): each kept under its LogIndex, where the
   * reads of its access event find it, whichever comes first (TransactionRepository.capturePhotos); nothing is done
   * per rtlog event. A line that names no record or carries no photo is refused and kept raw (`linkphotoinfo.rejected`).
   */
  async ingestLinkPhotos(device: DeviceSession, body: string): Promise<number> {
    const { received, rejected } = await this.storeParsed(device, 'linkphotoinfo', body);
    await this.keepRejected(device, 'linkphotoinfo', rejected);
    return received;
  }

  private async storeParsed(device: DeviceSession, table: string, body: string): Promise<{ received: number; rejected: readonly RejectedLine[] }> {
    const parsed = parseTableData(table, body);
    logRejected(this.logger, device.sn, `${table} upload`, parsed.rejected, { metrics: this.metrics, kind: 'table' });
    await this.store(
      device,
      parsed.results.map((u) => ({ table, pin: pinOf(u), fields: u.fields })),
      NO_PACKET,
    );
    return { received: receivedCount(parsed), rejected: parsed.rejected };
  }

  /**
   * A table this gateway does not read: every line kept raw under the table's name; answers the lines received.
   * ERRORLOG is read: a panel whose firmware posts its error log in the attendance form (`table=ERRORLOG`, records
   * `ERRORLOG ErrCode=…\tDataOrigin=cmd\tCmdId=…`, Attendance PUSH 11.16) instead of `tablename=errorlog` reports the
   * same failures; kept by their fields (so an early one is found when the command's Return comes,
   * failDoneByStoredErrorLog) and failing the commands they name, in the storing transaction, as `tablename=errorlog` does.
   */
  async ingestRaw(device: DeviceSession, table: string, body: string): Promise<number> {
    const errorLog = table.toUpperCase() === 'ERRORLOG';
    const rows = rawLines(table, body, errorLog ? (line) => keyedRecordFields(table, line) : undefined);
    if (rows.length === 0) return 0;
    if (device.admission !== 'admitted') {
      this.logger.warn(`device ${device.sn} is ${device.admission}: ${rows.length} ${table} lines not stored`);
      return 0;
    }
    if (!errorLog) await storeRaw(this.ds, device.sn, rows);
    else {
      await this.ds.transaction(async (m) => {
        await storeRaw(m, device.sn, rows);
        await this.failByErrorLog(m, device, rows);
      });
    }
    return rows.length;
  }

  /**
   * `latest`: the records are the device's latest word (its options), stored anew even where said before; `then`:
   * runs in the storing transaction, after the insert.
   */
  private async store(device: DeviceSession, records: UploadRecord[], packet: PacketInfo, latest = false, then?: (m: EntityManager) => Promise<void>): Promise<number> {
    if (records.length === 0) return 0;
    if (device.admission !== 'admitted') {
      this.logger.warn(`device ${device.sn} is ${device.admission}: ${records.length} ${records[0].table} records not stored`);
      return 0;
    }
    const keys: string[] = [];
    const tables: string[] = [];
    const pins: Array<string | null> = [];
    const json: string[] = [];
    const cmdId = clip(packet.cmdId, 64);
    for (const r of records) {
      const fields = clean(r.fields);
      const text = JSON.stringify(fields);
      const table = clip(r.table, 64) ?? '';
      keys.push(createHash('md5').update(`${device.sn}\n${table}\n${cmdId ?? ''}\n${text}`).digest('hex'));
      tables.push(table);
      pins.push(clip(r.pin?.trim() || null, 64));
      json.push(text);
    }
    const params = [device.sn, keys, tables, pins, json, cmdId, int32(packet.packCnt), int32(packet.packIdx)];
    const result =
      latest || then
        ? await this.ds.transaction(async (m) => {
            if (latest) await m.query(FORGET_SAID_BEFORE, [device.sn, keys]);
            const stored: unknown = await m.query(STORE_UPLOAD, params);
            await then?.(m);
            return stored;
          })
        : await this.ds.query(STORE_UPLOAD, params);
    return rowCount(result);
  }
}
