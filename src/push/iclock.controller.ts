import { All, Controller, Get, HttpCode, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactUrl } from '../common/redact';
import { zoneOffsetMinutes } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DeviceKindService } from '../device/device-kind.service';
import { leavesSecurityPush } from '../device/device-kind';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { CommandQueueService } from './command-queue.service';
import { DeviceRegistryService, type DeviceSession } from './device-registry.service';
import { decodeDeviceBody, deviceBodyText, deviceReply, isUtf8Text } from './device-body';
import { deviceQuery, httpDateNow } from './device-request';
import { ModuleIngestService } from './module-ingest.service';
import { DeviceStatusService } from './device-status.service';
import { logRejected } from './ingest-log';
import {
  classifyCdataPost,
  formatInitReply,
  SERVER_PUSH_PROT_VER,
  formatPushConfigReply,
  formatRegistryReply,
  formatRtdataTimeReply,
  formatTableAck,
  formatUploadReply,
  instantToWallClock,
  parseCommaList,
  parseDeviceCmdRequest,
  parseInitQuery,
  parseLineList,
  parseQuery,
  parseQueryData,
  parseUploadQuery,
  REGISTRY_REFUSED_REPLY,
  UNREGISTERED_REPLY,
  type KvMap,
  type ServerConfig,
} from './protocol';
import { PUSH_SETTINGS, type PushSettings } from './push-settings';
import { RealtimeUploadService, notAdmittedReply, realtimeRefusal } from './realtime-upload.service';
import { UploadIngestService } from './upload-ingest.service';
import { RemoteAuthService } from './remote-auth.service';
import { AttendanceIngestService, type AttIngestResult } from './attendance/attendance-ingest.service';
import { AttendanceTerminalService, speaksAttendance } from './attendance/attendance-terminal.service';
import { formatAttUploadReply, formatBiodataUploadReply, isPackedUpload, normalizeStamp, unpackDataPacket } from './attendance/protocol';

/** Tables of the Attendance PUSH dialect (attendance manual 11), answered `OK: <n>`. */
const ATTENDANCE_UPLOADS = new Set(['ATTLOG', 'OPERLOG', 'ATTPHOTO', 'BIODATA']);

/**
 * Attendance tables a terminal may also post as table data (`table=tabledata&tablename=` or `type=tabledata` on cdata,
 * and `/iclock/querydata`, where Push 3.x firmware answers `DATA QUERY`): their lines are the attendance manual's
 * (positional punches; `USER`/`FP`/`OPLOG` records: 12.1.3 "for how to upload, see Uploading Attendance Record /
 * User Information"), which the Security PUSH key=value reader refuses. No Security PUSH table has these names.
 */
const ATTENDANCE_TABLEDATA: Readonly<Record<string, 'ATTLOG' | 'OPERLOG'>> = { ATTLOG: 'ATTLOG', OPERLOG: 'OPERLOG', USERINFO: 'OPERLOG' };

/**
 * The tables of an attendance terminal's users and templates (11.5, 11.9-11.12; the tables of 12.1.3 DATA QUERY),
 * whose records are OPERLOG's: posted under their own name (`table=USERINFO` on cdata, or as table data
 * answering a query: `tablename=FINGERTMP`, `BIODATA`...) they are enrolled as the same records on OPERLOG are, lines
 * without their record word too (bareRecordWord). Only from an attendance terminal: an access panel's `biodata` table
 * data is Security PUSH's own (UploadIngestService), as are the photo tables (`userpic`, `biophoto`) of both.
 */
const ATTENDANCE_RECORD_TABLES: ReadonlySet<string> = new Set(['USERINFO', 'FINGERTMP', 'FACE', 'FVEIN', 'BIODATA']);

/**
 * Those and the photo tables (11.13 USERPIC, 11.15 BIOPHOTO) as `table=` of a cdata upload of their own (not table
 * data): no Security PUSH upload has that form, so a terminal's photos posted so are OPERLOG's records too.
 */
const ATTENDANCE_OWN_TABLES: ReadonlySet<string> = new Set([...ATTENDANCE_RECORD_TABLES, 'USERPIC', 'BIOPHOTO']);

/** An attendance upload's Stamp: `Stamp=`, or `OpStamp=` / `PhotoStamp=` of older firmware (LEGACY_STAMP_NAMES). */
function uploadStamp(query: KvMap): string | undefined {
  return query.text('Stamp') ?? query.text('OpStamp') ?? query.text('PhotoStamp');
}

/** The attendance ingest a table-data upload of this table name from this device goes to, if any. */
function attendanceTableData(tableName: string | null | undefined, s: Pick<DeviceSession, 'kind'>): 'ATTLOG' | 'OPERLOG' | null {
  const t = (tableName ?? '').trim().toUpperCase();
  return ATTENDANCE_TABLEDATA[t] ?? (speaksAttendance(s) && ATTENDANCE_RECORD_TABLES.has(t) ? 'OPERLOG' : null);
}

const OK = 'OK';
/** The most a data packet (ContentType=tgz) may unpack to: four times the 10 MB body limit. */
const MAX_UNPACKED_BYTES = 40 * 1024 * 1024;
const SN_PATTERN = /^[\x21-\x7e]{1,64}$/;

function rawQuery(req: FastifyRequest): string {
  const i = req.url.indexOf('?');
  return i < 0 ? '' : req.url.slice(i + 1);
}

/** The raw body (bootstrap.ts reads every device body as bytes, whatever its content type). */
function bodyBytes(req: FastifyRequest): Buffer {
  const b = req.body as unknown;
  if (Buffer.isBuffer(b)) return b;
  return b === undefined || b === null ? EMPTY : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b), 'utf8');
}
const EMPTY = Buffer.alloc(0);


/**
 * The Security PUSH server (push-protocol.md §2, §22): the device side of the gateway. (The poll,
 * `/iclock/getrequest`, is a plain Fastify route: see GetrequestRoute.) Every route answers
 * 200 with the manual's plain-text body; bodies are read as text whatever their content type; GET and POST are
 * accepted on every path, as are the legacy `.aspx` paths. Unknown SNs are recorded (pending under manual
 * admission) and answered the unregistered way.
 */
@ApiExcludeController()
@Controller('iclock')
export class IclockController {
  private readonly logger = new Logger('Iclock');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly registry: DeviceRegistryService,
    private readonly status: DeviceStatusService,
    private readonly queue: CommandQueueService,
    private readonly realtime: RealtimeUploadService,
    private readonly uploads: UploadIngestService,
    private readonly metrics: GatewayMetrics,
    private readonly kinds: DeviceKindService,
    private readonly modules: ModuleIngestService,
    private readonly attIngest: AttendanceIngestService,
    private readonly attTerminals: AttendanceTerminalService,
    private readonly remoteAuth: RemoteAuthService,
  ) {}

  /**
   * Plain text, 200 and a GMT Date (the device sets its clock from it) on every device reply; in GBK, not UTF-8, to a
   * terminal set to Chinese (deviceReply: its remote attendance records carry names).
   */
  private text(reply: FastifyReply, body: string): string | Buffer {
    const r = deviceReply(body, this.attTerminals.replyText(deviceQuery(reply.request).text('SN') ?? ''));
    reply.header('Content-Type', r.contentType);
    reply.header('Date', httpDateNow());
    return r.payload;
  }

  /** The SN of the request, marked as seen; null (answered `OK`) when missing or unusable. */
  private sn(query: string): string | null {
    const sn = parseQuery(query).text('SN');
    if (!sn || !SN_PATTERN.test(sn)) return null;
    this.status.touch(sn);
    return sn;
  }

  /**
   * The body's text (device-body.ts): GBK as well as UTF-8, GBK for sure from a terminal set to Chinese, and the code
   * page of an older terminal's language (windows-1252...) for the rest.
   */
  private bodyText(req: FastifyRequest, sn: string, bytes: Buffer = bodyBytes(req)): string {
    return deviceBodyText(bytes, req.headers['content-type'], this.attTerminals.uploadText(sn));
  }

  /**
   * An upload's text (bodyText). In an upload of users (`names`: OPERLOG, table data, query answers), text found in a
   * code page (a name neither UTF-8 nor GBK) makes an attendance terminal one that is answered in that page from now
   * on (AttendanceTerminalService.noteCodePage); a stray byte elsewhere (an error log) does not.
   */
  private async uploadText(req: FastifyRequest, sn: string, bytes: Buffer = bodyBytes(req), names = true): Promise<string> {
    const r = decodeDeviceBody(bytes, req.headers['content-type'], this.attTerminals.uploadText(sn));
    if (r.codePage && names) await this.attTerminals.noteCodePage(await this.registry.resolve(sn), r.codePage);
    // Users in UTF-8 beyond ASCII from a terminal that wrote a code page: its firmware was upgraded to UTF-8.
    else if (names && this.attTerminals.writesCodePage(sn) && isUtf8Text(bytes)) {
      await this.attTerminals.forgetCodePage(await this.registry.resolve(sn), 'uploaded users in UTF-8');
    }
    return r.text;
  }

  private serverConfig(s: DeviceSession): ServerConfig {
    const c = s.capabilities as
      | (Record<string, unknown> & { multiBioDataSupport?: { raw?: string } | null; multiBioPhotoSupport?: { raw?: string } | null })
      | null;
    const cfg: ServerConfig = {
      sessionId: s.sessionId ?? s.registryCode ?? 'gateway',
      requestDelay: this.settings.requestDelay,
      errorDelay: this.settings.errorDelay,
      timeZoneMinutes: zoneOffsetMinutes(new Date(), this.config.timeZone),
      // Temperature-screening devices then send convtemperature in Celsius (the hep API's unit).
      irTempUnitTrans: 0,
    };
    // The server supports whatever biometrics the device does (the effective set is the AND of both lists).
    if (c?.bioDataFun === true) cfg.bioDataFun = true;
    if (c?.bioPhotoFun === true) cfg.bioPhotoFun = true;
    if (c?.multiBioDataSupport?.raw) cfg.multiBioDataSupport = c.multiBioDataSupport.raw.replace(/\s+/g, '');
    if (c?.multiBioPhotoSupport?.raw) cfg.multiBioPhotoSupport = c.multiBioPhotoSupport.raw.replace(/\s+/g, '');
    return cfg;
  }

  private registeredSession(s: DeviceSession): boolean {
    return s.admission === 'admitted' && s.registered && !!s.registryCode;
  }

  /** 4.1 initialisation: `OK` = please register; the registry block for a registered, admitted device. */
  @Get(['cdata', 'cdata.aspx'])
  async handshake(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    const q = rawQuery(req);
    const sn = this.sn(q);
    if (!sn) return this.text(reply, UNREGISTERED_REPLY);
    // Remote attendance (attendance manual 14) is a GET on cdata too, but no initialisation.
    if (parseQuery(q).text('table')?.toLowerCase() === 'remoteatt') return this.text(reply, await this.remoteAtt(sn, q));
    const init = parseInitQuery(q);
    const params = parseQuery(q).toObject();
    // A device that registered speaks Security PUSH: its handshake is no evidence of another kind, unless it says
    // Attendance PUSH beyond doubt (its firmware switched to T&A mode: it never registers again, device-kind.ts).
    const before = await this.registry.resolve(sn, true);
    if (!before.registered || leavesSecurityPush(params)) {
      // Taken for a panel (never registered) yet initialising again: whether it did before is read only then.
      const again = before.detectedKind === 'acc' && before.capabilities === null && (await this.registry.handshookBefore(sn));
      await this.kinds.observe(sn, { handshake: params, handshakeAgain: again });
    }
    const s = await this.registry.noteHandshake(sn, init.pushver);
    if (speaksAttendance(s)) {
      // Attendance terminals never call /registry: admission decides here (attendance manual 5).
      if (s.admission !== 'admitted') return this.text(reply, UNREGISTERED_REPLY);
      await this.attTerminals.noteContact(s);
      return this.text(reply, await this.attTerminals.initReply(s, params));
    }
    if (!this.registeredSession(s)) return this.text(reply, UNREGISTERED_REPLY);
    return this.text(reply, formatInitReply(s.registryCode!, this.serverConfig(s)));
  }

  /** `table=RemoteAtt&PIN=`: the person's records for an admitted terminal, `OK` otherwise. */
  private async remoteAtt(sn: string, q: string): Promise<string> {
    const s = await this.registry.resolve(sn);
    if (s.admission !== 'admitted' || !speaksAttendance(s)) return OK;
    return this.attTerminals.remoteAttReply(s, parseQuery(q).text('PIN') ?? parseQuery(q).text('pin'));
  }

  /** Uploads: rtlog, rtstate, table data, options and the rest, classified by the query (§2). */
  @Post(['cdata', 'cdata.aspx', 'fdata', 'fdata.aspx'])
  @HttpCode(200)
  async upload(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    const raw = rawQuery(req);
    const sn = this.sn(raw);
    if (!sn) return this.text(reply, OK);
    const q = parseUploadQuery(raw);
    const attTable = (q.table ?? '').toUpperCase();
    const bytes = this.uploadBytes(req, sn, q.query.text('ContentType'));
    // An attendance photo is text lines, a NUL and the JPEG's raw bytes (manual 11.3): read byte for byte (latin1).
    const kind = classifyCdataPost(q);
    const body = attTable === 'ATTPHOTO' ? bytes.toString('latin1') : await this.uploadText(req, sn, bytes, attTable === 'OPERLOG' || kind === 'tabledata');
    const uploadTable = q.tableName ?? q.table;
    if (kind === 'rtlog' || kind === 'rtstate') {
      return this.text(reply, realtimeRefusal(sn, await this.realtime.receive(sn, kind, uploadTable, body)) ?? OK);
    }
    // Remote identification (manual 10): the panel waits for the decision; nothing of it is an upload to keep.
    if (kind === 'remoteAuth') return this.text(reply, await this.remoteAuth.answer(sn, body));
    if (uploadTable) await this.kinds.observe(sn, { uploadTable });
    const s = await this.registry.resolve(sn);
    if (ATTENDANCE_UPLOADS.has(attTable) && !q.tableName) {
      return this.text(reply, await this.attendanceUpload(s, attTable, uploadStamp(q.query), body, isPackedUpload(q.query.text('ContentType'))));
    }
    // Users, templates or photos under their own table name (`table=USERINFO`...): OPERLOG's records, no Stamp of theirs.
    if (ATTENDANCE_OWN_TABLES.has(attTable) && !q.tableName && speaksAttendance(s)) {
      return this.text(reply, await this.attendanceUpload(s, attTable, undefined, body, isPackedUpload(q.query.text('ContentType'))));
    }
    // A device not admitted (pending, disabled) keeps what it posts only when not acknowledged: users, templates and
    // photos enrolled at its keypad while it waited for approval come again once it is admitted, as its events do.
    // Its options are a snapshot it reports again anyway. An attendance terminal's too: table data it posts that is no
    // attendance table (a `user` or `biodata` table, as hybrid firmware sends) was answered `<table>=<n>` and dropped.
    if (s.admission !== 'admitted' && kind !== 'options') {
      this.logger.warn(`device ${sn} is ${s.admission}: a ${uploadTable ?? kind} upload not stored (not acknowledged: it will send it again once admitted)`);
      return this.text(reply, notAdmittedReply(sn));
    }
    switch (kind) {
      case 'tabledata': {
        const table = q.tableName ?? '';
        const att = attendanceTableData(table, s);
        if (att) return this.text(reply, await this.attendanceTableUpload(s, att, table, body));
        const n = await this.uploads.ingestTable(s, table, body);
        return this.text(reply, formatTableAck(table, n));
      }
      case 'options': {
        const options = parseCommaList(body.replace(/\0/g, ''));
        // Channel controllers (Appendix 20) and elevator voice modules say what they are in their options.
        await this.kinds.observe(sn, { options: options.toObject() });
        await this.uploads.storeOptions(s, options);
        if (speaksAttendance(s)) await this.attTerminals.noteOptionsPush(s, options);
        // A panel's function switches (FingerFunOn...) change the template types it holds.
        else await this.registry.noteFunctionSwitches(sn, options);
        return this.text(reply, OK);
      }
      case 'deviceAuthorize':
        await this.uploads.ingestGeneric(s, q.tableName ?? 'DeviceAuthorize', body);
        return this.text(reply, OK);
      case 'enrollInfo':
        await this.uploads.ingestGeneric(s, 'EnrollInfoData', body);
        return this.text(reply, OK);
      case 'bioData':
        await this.uploads.ingestTable(s, 'biodata', body);
        return this.text(reply, OK);
      case 'irstate':
        await this.modules.ingestIrstate(await this.registry.resolve(sn), body);
        await this.uploads.ingestGeneric(s, kind, body);
        return this.text(reply, OK);
      case 'linkphotoinfo':
        await this.uploads.ingestLinkPhotos(s, body);
        return this.text(reply, OK);
      case 'testdata':
        await this.uploads.ingestGeneric(s, kind, body);
        return this.text(reply, OK);
      default: {
        // A table this gateway does not read (ERRORLOG, IDCARD, USERPIC, ... or one no manual names) is kept raw,
        // one row per line (device_upload), and acknowledged: field-samples rule 16.
        const table = q.table ?? q.tableName ?? kind;
        this.logger.log(`device ${sn}: ${kind} upload (${redactUrl(raw).slice(0, 200)}) kept raw as ${table}`);
        if (speaksAttendance(s)) return this.text(reply, await this.attendanceRaw(s, table, uploadStamp(q.query), body));
        return this.text(reply, formatUploadReply(q, await this.uploads.ingestRaw(s, table, body)));
      }
    }
  }

  /**
   * An upload's bytes: a data packet (attendance manual 11.14, `ContentType=tgz`) unpacked to the records it holds;
   * one that cannot be unpacked is read as it came (its lines are then refused and kept raw).
   */
  private uploadBytes(req: FastifyRequest, sn: string, contentType: string | undefined): Buffer {
    const raw = bodyBytes(req);
    if (!isPackedUpload(contentType)) return raw;
    const unpacked = unpackDataPacket(raw, MAX_UNPACKED_BYTES);
    if (unpacked === null) this.logger.warn(`device ${sn}: a ContentType=${contentType} upload (${raw.length} bytes) could not be unpacked; read as sent`);
    return unpacked ?? raw;
  }

  /**
   * Another table of an attendance terminal (IDCARD 11.6, ERRORLOG 11.16, or one the manual does not name): kept raw,
   * its Stamp noted, and answered as the manual answers it (`OK: <n>` for IDCARD, `OK` otherwise).
   */
  private async attendanceRaw(s: DeviceSession, table: string, stampRaw: string | undefined, body: string): Promise<string> {
    await this.attTerminals.noteContact(s);
    const r = await this.attIngest.ingestRaw(s, table, body, normalizeStamp(stampRaw));
    if (!r.admitted) return notAdmittedReply(s.sn);
    return table.toUpperCase() === 'IDCARD' ? formatAttUploadReply(r.processed) : OK;
  }

  /**
   * ATTLOG, OPERLOG, BIODATA and ATTPHOTO of attendance terminals (attendance manual 11), answered once the upload is
   * committed as each section prints it: `OK: <n>` (11.2, 11.4, 11.5, 11.9-11.11, 11.13), `OK:<n>` for BIODATA (11.12)
   * and for a data packet (11.14, `packed`: "OK:${XXX}", its example `OK:1`), `OK` for an attendance photo (11.3) and
   * for an OPERLOG of comparison photos alone (11.15). `<n>` is what every section says it is, "the number of records
   * successfully processed": the records taken (stored now or held already), not the lines refused. A device that is
   * not admitted gets an error text instead of an acknowledgement, so it keeps its records and sends them again later.
   */
  private async attendanceUpload(s: DeviceSession, table: string, stampRaw: string | undefined, body: string, packed = false): Promise<string> {
    const r = await this.attendanceIngest(s, table, normalizeStamp(stampRaw), body);
    if (!r.admitted) return notAdmittedReply(s.sn);
    if (table === 'ATTPHOTO' || r.comparisonPhotosOnly) return OK;
    return table === 'BIODATA' || packed ? formatBiodataUploadReply(r.processed) : formatAttUploadReply(r.processed);
  }

  /**
   * Punches or OPERLOG records posted as table data (ATTENDANCE_TABLEDATA): stored as the attendance upload they
   * are (no Stamp: table data carries none), answered with the table's own acknowledgement, `<tablename>=<n>`.
   */
  private async attendanceTableUpload(s: DeviceSession, table: 'ATTLOG' | 'OPERLOG', tableName: string, body: string): Promise<string> {
    // OPERLOG's records read under the table's own name (USERINFO, FINGERTMP...): its lines may leave out their word.
    const r = await this.attendanceIngest(s, table === 'OPERLOG' ? tableName.trim() : table, null, body);
    return r.admitted ? formatTableAck(tableName, r.received) : notAdmittedReply(s.sn);
  }

  private async attendanceIngest(s: DeviceSession, table: string, stamp: string | null, body: string): Promise<AttIngestResult> {
    await this.attTerminals.noteContact(s);
    if (table === 'ATTLOG') return this.attlogIngest(s, body, stamp);
    const run = (d: DeviceSession) => (table === 'ATTPHOTO' ? this.attIngest.ingestAttphoto(d, body, stamp) : this.attIngest.ingestOperlog(d, table, body, stamp));
    // A terminal deleted through REST whose session this process still held: what the upload writes under its
    // device id (an OPERLOG's Stamp, a user enrolled at its keypad) fails on the device row that is gone, and the
    // terminal was answered an error until this process heard of the delete. Its SN is taken as new at once instead.
    try {
      return await run(s);
    } catch (err) {
      const renewed = await this.registry.renewIfGone(s);
      if (!renewed) throw err;
      return await run(renewed);
    } finally {
      // Users it enrolled at its keypad (OPERLOG, BIODATA) are confirmed for it: its next 0-user INFO asks again.
      if (table !== 'ATTPHOTO') this.attTerminals.forgetConfirmedNone(s.sn);
    }
  }

  /**
   * Punches not stored are usually an upload sent again (already held). They may also be a terminal deleted through
   * REST (on this process or another one that has not told this one yet) whose session this process still held: its
   * punches, stored under a device that is gone, were left out, and answered `OK: <n>` they were lost (the terminal
   * moves its Stamp past them). Its SN is then taken as new, and the upload stored under the device that becomes
   * (or answered as that one's admission says), as RealtimeUploadService does for rtlog.
   */
  private async attlogIngest(s: DeviceSession, body: string, stamp: string | null): Promise<AttIngestResult> {
    const r = await this.attIngest.ingestAttlog(s, body, stamp);
    if (!r.admitted || r.stored >= r.received) return r;
    const renewed = await this.registry.renewIfGone(s);
    return renewed ? this.attIngest.ingestAttlog(renewed, body, stamp) : r;
  }

  /** 4.4 registration: RegistryCode (+ JSESSIONID) for an admitted device, `406` while it is not admitted. */
  @All(['registry', 'registry.aspx'])
  @HttpCode(200)
  async register(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    const sn = this.sn(rawQuery(req));
    if (!sn) return this.text(reply, REGISTRY_REFUSED_REPLY);
    const s = await this.registry.register(sn, this.bodyText(req, sn));
    if (!this.registeredSession(s)) {
      this.logger.log(`device ${sn} registered while ${s.admission}: answered ${REGISTRY_REFUSED_REPLY}`);
      return this.text(reply, REGISTRY_REFUSED_REPLY);
    }
    if (s.sessionId) reply.header('Set-Cookie', `JSESSIONID=${s.sessionId}; Path=/; HttpOnly`);
    return this.text(reply, formatRegistryReply(s.registryCode!));
  }

  /** 4.5 configuration download. */
  @All(['push', 'push.aspx'])
  @HttpCode(200)
  async push(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    const sn = this.sn(rawQuery(req));
    if (!sn) return this.text(reply, OK);
    const s = await this.registry.resolve(sn);
    if (!this.registeredSession(s)) return this.text(reply, OK);
    return this.text(reply, formatPushConfigReply(this.serverConfig(s)));
  }

  /**
   * 7.4 command results: single, LF-batched or multi-line; `Return` or `return`; or one result in the query
   * (`GET /iclock/devicecmd?SN=&ID=&Return=&CMD=`, the method the attendance manual's section 13 names).
   */
  @All(['devicecmd', 'devicecmd.aspx'])
  @HttpCode(200)
  async devicecmd(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    const raw = rawQuery(req);
    const sn = this.sn(raw);
    if (!sn) return this.text(reply, OK);
    const parsed = parseDeviceCmdRequest(parseQuery(raw), this.bodyText(req, sn));
    logRejected(this.logger, sn, 'devicecmd', parsed.rejected, { metrics: this.metrics, kind: 'devicecmd' });
    const s = await this.registry.resolve(sn);
    if (s.admission !== 'admitted') {
      if (parsed.results.length) this.logger.warn(`device ${sn} is ${s.admission}: ${parsed.results.length} results ignored`);
      return this.text(reply, OK);
    }
    if (parsed.results.length > 0) {
      // An INFO result's user count was made under the initialisation the terminal had when it posted: read first.
      // Its content counts whenever INFO succeeded: a Return of 0 or more (both manuals: negative codes are the errors).
      const infos = speaksAttendance(s) ? parsed.results.filter((r) => r.returnCode >= 0 && r.content && r.cmd?.trim().toUpperCase() === 'INFO') : [];
      const mark = infos.length ? await this.attTerminals.countMark(s) : undefined;
      try {
        await this.queue.applyResults(sn, parsed.results);
      } catch (err) {
        // Nothing of this body was recorded (one transaction): anything but 200 `OK` makes the device post
        // the results again, and a command never counts as answered before its outcome is committed.
        this.logger.error(`device ${sn}: ${parsed.results.length} results not recorded, device asked to resend: ${(err as Error)?.stack ?? err}`);
        reply.code(503);
        return this.text(reply, 'ERROR: results not recorded; send them again');
      }
      // The result of INFO (attendance manual 12.4.3) names the terminal's model, firmware and address.
      for (const r of infos) {
        const info = parseLineList(r.content!);
        await this.attTerminals.noteInfoResult(s, info, mark);
        await this.uploads.storeInfoResult(s, info);
      }
    }
    return this.text(reply, OK);
  }

  /** DATA COUNT / DATA QUERY / GET OPTIONS results (9.1.3, 9.1.4, 9.5.2), possibly in packets. */
  @All(['querydata', 'querydata.aspx'])
  @HttpCode(200)
  async querydata(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<string | Buffer> {
    const raw = rawQuery(req);
    const sn = this.sn(raw);
    if (!sn) return this.text(reply, OK);
    const s = await this.registry.resolve(sn);
    const q = parseUploadQuery(raw);
    const att = q.type?.toLowerCase() === 'tabledata' ? attendanceTableData(q.tableName, s) : null;
    if (att) return this.text(reply, await this.attendanceTableUpload(s, att, q.tableName!, await this.uploadText(req, sn)));
    const body = await this.uploadText(req, sn);
    const n = await this.uploads.ingestQueryData(s, raw, body);
    // A GET OPTIONS answer (9.5.2) naming a function switch is the panel's word on it, as its parameters upload is.
    const answered = q.type?.toLowerCase() === 'options' && !speaksAttendance(s) ? parseQueryData(raw, body) : null;
    if (answered?.kind === 'options') await this.registry.noteFunctionSwitches(sn, answered.options);
    return this.text(reply, formatUploadReply(q, n));
  }

  /** 9.5.1 clock: `DateTime=<App-5 seconds, GMT>,ServerTZ=+hhmm`. */
  @All('rtdata')
  @HttpCode(200)
  rtdata(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): string | Buffer {
    const raw = rawQuery(req);
    this.sn(raw);
    if (parseQuery(raw).text('type')?.toLowerCase() !== 'time') return this.text(reply, OK);
    const now = new Date();
    return this.text(reply, formatRtdataTimeReply(instantToWallClock(now, 0), zoneOffsetMinutes(now, this.config.timeZone)));
  }

  /**
   * 4.2 / 4.3 key exchange (`type=publickey`, `type=factors`; Appendix 16): the device expects the server's
   * `PublicKey=` or `Factors=`, made with ZKTeco's encryption library, whose algorithms the manual does not give. The
   * gateway speaks the plain-text protocol: it advertises PushProtVer 3.0.1, and by Appendix 13 / 16 case 1 the lower
   * version wins and nothing is encrypted, so a conforming device never calls this. One that does is refused as a
   * server without the encrypted protocol refuses it (no such endpoint: 404, the reason in plain text) and the refusal
   * logged; `OK` was a success the device could only take for a key exchange that gave it no key.
   */
  @All(['exchange', 'exchange.aspx'])
  exchange(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): string | Buffer {
    const raw = rawQuery(req);
    const sn = this.sn(raw);
    const type = parseQuery(raw).text('type') ?? '';
    this.logger.warn(`device ${sn ?? '(no SN)'}: /iclock/exchange${type ? ` type=${type}` : ''} refused: communication encryption is not supported (PushProtVer ${SERVER_PUSH_PROT_VER}, plain text)`);
    reply.code(404);
    return this.text(reply, `ERROR: communication encryption is not supported; this server speaks PushProtVer ${SERVER_PUSH_PROT_VER} in plain text`);
  }

  /** Heartbeat, and anything else under /iclock: `OK`, so a device never stalls. */
  @All(['ping', 'ping.aspx', '*'])
  @HttpCode(200)
  other(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): string | Buffer {
    this.sn(rawQuery(req));
    return this.text(reply, OK);
  }
}
