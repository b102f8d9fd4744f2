/**
 * A ZKTeco access panel speaking Security PUSH over HTTP, for end-to-end tests of the gateway.
 *
 * It is an independent implementation of the device side (nothing from src/ is imported): it connects
 * (4.1 → 4.4 → 4.5), polls getrequest, executes commands against its own tables and doors, reports results on
 * devicecmd, answers COUNT / QUERY / GET OPTIONS through querydata, and uploads rtlog / rtstate / tabledata.
 * Every HTTP exchange is recorded in `exchanges`.
 */
import { AccessDecision, AccessRight, evaluateAccess, toRight } from './access';
import { classify, cmdEcho, isParseError, parseConditions, parseControlBytes, parseQueryArgs, parseRecord, ParsedCommand } from './commands';
import { applyControl, DoorAction, DoorState, isUnlocked, newDoor, rtstateFields, SensorState } from './doors';
import { Exchange, FetchLike, HttpResult, needsRawHttp, viaFetch, viaNodeHttp } from './http';
import { DeviceTables, getField, Row, toUploadRecord, WRITABLE_TABLES } from './tables';
import { FaultPlan, type CommandFault as PlanFault } from './faults';
import {
  buildQuery,
  CommandResult,
  DeviceZone,
  FieldValue,
  formatCommaList,
  formatRecord,
  formatResultBodies,
  formatWallClock,
  instantOf,
  HT,
  LF,
  md5Hex,
  offsetZone,
  parseCommandReply,
  parseCommaList,
  parseOptionLines,
  parseTimeZoneOption,
  ReplyForm,
  ReturnCase,
  wallClock,
  zkDecode,
  zkEncode,
} from './wire';

export type { ParsedCommand } from './commands';
export type { DoorAction, DoorState } from './doors';
export type { Exchange, HttpResult } from './http';
export type { AccessDecision, AccessRight } from './access';
export type { CommandResult } from './wire';

export interface DeviceSimulatorOptions {
  /** Gateway base URL, e.g. `http://127.0.0.1:8088`. */
  baseUrl: string;
  sn: string;
  /** LockCount (default 4). */
  doors?: number;
  /** ReaderCount (default 2 × doors). */
  readerCount?: number;
  auxIn?: number;
  auxOut?: number;
  /** `pushver=` of the handshake (default '3.1.2'); null leaves it out of the handshake (optional in 4.1). */
  pushVersion?: string | null;
  /** `PushVersion=` of the registration body (default `Ver <pushVersion>S-20240809`). */
  registryPushVersion?: string;
  /** DeviceType (default 'acc'). */
  deviceType?: string;
  firmVer?: string;
  ipAddress?: string;
  mac?: string;
  machineType?: number;
  deviceName?: string;
  multiBioDataSupport?: string;
  multiBioPhotoSupport?: string;
  /**
   * Whether its firmware has the hybrid identification protocol (Security PUSH 3.1) and says so in its registration
   * (BioPhotoFun, BioDataFun, MultiBioDataSupport, MultiBioPhotoSupport, MultiBioVersion, MaxMultiBio*Count). Default:
   * yes, unless `pushVersion` is below 2.2.14, the stand-in of these specs for firmware older than the unified
   * template table (it registers without those keys and holds fingerprints in templatev10).
   */
  hybrid?: boolean;
  accSupportFunList?: string;
  /** Further registration parameters (added, or replacing the defaults of the same name). */
  registryExtras?: Record<string, string | number>;
  /** Appended to the handshake query as `language=` when set (the manual's query has no language). */
  language?: string;
  /** Further handshake query parameters (e.g. `{ DeviceType: 'acc' }`). */
  handshakeExtras?: Record<string, string>;
  /** Seconds between polls for `run()` / the CLI; default the server's RequestDelay, else 30. */
  requestDelay?: number;
  fetch?: FetchLike;
  /** The true clock (default `() => new Date()`). The device clock is this plus the offset learnt from the server. */
  now?: () => Date;
  /** Device time zone for wall-clock event times: IANA name or `+08:00`. Default: server TimeZone option, else UTC. */
  timeZone?: DeviceZone;
  /** Set the device clock from the handshake `Date` header (default true; differences under 2 s are ignored). */
  syncClock?: boolean;
  /** Post several results in one devicecmd body, one per line. */
  batchReplies?: boolean;
  /** Result form (default 'single', or 'batched' when batchReplies). */
  replyForm?: ReplyForm;
  /** Spelling of the Return key (default 'Return'). */
  returnCase?: ReturnCase;
  /** CMD= echo: 'manual' (`DATA` for UPDATE/DELETE, as the manual prints) or 'full' (the verb). */
  cmdEcho?: 'manual' | 'full';
  /** DATA COUNT result: 'count' (Return = number of records, default) or 'zero' (the manual's examples). */
  countReturn?: 'count' | 'zero';
  /**
   * What the person at the panel gives on `ENROLL_BIO` (9.6.2): the template (and its algorithm version), or a
   * negative Return (they walked away, the finger was not read). Default: a template made from TYPE/PIN/NO, version
   * 12.0 for a finger, 58.1 for a face (the manual's example).
   */
  enrolment?: (req: { type: number; pin: string; no: number }) => { tmp: string; majorVer: number; minorVer: number; photo?: string } | number;
  /** Force a Return code for chosen commands. A negative code skips execution; undefined = normal behaviour. */
  resultFor?: (command: ParsedCommand) => number | undefined | void;
  /** Report results automatically (default true). When false they wait in `pendingAcks` until `flushAcks()`. */
  autoAck?: boolean;
  /**
   * Post again, before the next getrequest, results whose devicecmd POST was not answered 200 `OK` (or failed
   * on the network), as firmware that keeps unconfirmed results does. Default false (results are posted once).
   */
  retryResults?: boolean;
  /** Records per querydata package for DATA QUERY (default 50). */
  queryPackSize?: number;
  /** CmdFormat reported at registration; 1 = commands arrive wrapped (Appendix 14). Default 0. */
  cmdFormat?: 0 | 1;
  /** Register on every connection (the manual's note L984-986; default true). */
  registerEachConnection?: boolean;
  /** Answer -7 "repeated command" for an ID already executed (default false: run it again, like real firmware). */
  rejectRepeatedIds?: boolean;
  /** `DATA DELETE <t> <unknown field>=x` wipes the table with Return 0, as a SenseFace 2A did with `uid=` (default true). */
  unknownDeleteFieldWipes?: boolean;
  /** Find key fields case-insensitively (default false: `pin=` does not set `Pin`). */
  caseInsensitiveKeys?: boolean;
  /** Tables this firmware knows; others answer -1004. */
  supportedTables?: string[];
  /** Primary-key overrides per table. */
  tableKeys?: Record<string, string[]>;
  /** `Stamp=` on rtlog uploads (default '9999'; null = leave it out as the manual's 7.2 example does). */
  rtlogStamp?: string | null;
  /** Record terminator for rtlog / rtstate / tabledata uploads (default LF). */
  lineEnding?: '\n' | '\r\n';
  /** First rtlog `index` (default 1). */
  startIndex?: number;
  /** Upload the events a panel logs for remote actions (8 remote open, 9 close, 7 cancel alarm, ...). Default false. */
  logRemoteEvents?: boolean;
  /** Told of the events the panel logged for the commands of one reply (its remote actions), once uploaded. */
  onLoggedEvents?: (events: RtlogEvent[], upload: UploadResult) => void;
  /** Keep at most this many exchanges (default 2000). */
  maxExchanges?: number;
  userAgent?: string;
  onCommand?: (c: ReceivedCommand) => void;
  onAck?: (a: Acknowledgement) => void;
  onExchange?: (e: Exchange) => void;
}

export interface ReceivedCommand {
  id: string;
  /** The raw `C:<id>:...` line. */
  line: string;
  /** Text after `C:<id>:`. */
  command: string;
  at: Date;
  /** Further record lines of a multi-record DATA UPDATE. */
  continuation: string[];
  parsed: ParsedCommand;
  /** Return code the device produced (set once executed). */
  result?: number;
  /** Why the command failed, when it did. */
  error?: string;
}

/** A `failCommands` fault of the panel (faults.ts). */
export type CommandFault = PlanFault<ParsedCommand>;

export interface Acknowledgement extends CommandResult {
  at: Date;
  /** The devicecmd body the result travelled in. */
  body: string;
  status: number;
}

export interface RtlogEvent {
  /** Date (formatted in the device zone) or a literal `yyyy-MM-dd HH:mm:ss`; default the device clock. */
  time?: Date | string;
  pin?: string | number;
  cardno?: string | number;
  eventaddr?: number | string;
  event?: number | string;
  inoutstatus?: number | string;
  verifytype?: number | string;
  /** Default: the next index. */
  index?: number;
  [extra: string]: FieldValue | Date;
}

export interface RtstateInput {
  time?: Date | string;
  sensor?: string;
  relay?: string;
  alarm?: string;
  /** Extra fields (e.g. `door: '01'` as a SenseFace 3 sends). */
  [extra: string]: FieldValue | Date;
}

export interface UploadResult extends HttpResult {
  /** The body that was posted. */
  sent: string;
}

/** The event a panel logs for each remote action (`logRemoteEvents`), with its name as a log line says it. */
export const REMOTE_ACTION_EVENTS: Partial<Record<DoorAction['action'], { event: number; name: string }>> = {
  cancelAlarm: { event: 7, name: 'cancel alarm' },
  open: { event: 8, name: 'remote opening' },
  close: { event: 9, name: 'remote closing' },
  disableNormalOpen: { event: 10, name: 'disable normal open' },
  enableNormalOpen: { event: 11, name: 'enable normal open' },
  auxOpen: { event: 12, name: 'auxiliary output open' },
  auxClose: { event: 13, name: 'auxiliary output close' },
  normalOpen: { event: 205, name: 'remote normal opening' },
  lock: { event: 233, name: 'remote locking' },
  unlock: { event: 234, name: 'remote unlocking' },
};

const BASE_EVENT_KEYS = ['time', 'pin', 'cardno', 'eventaddr', 'event', 'inoutstatus', 'verifytype', 'index'];

/** The registration keys of the hybrid identification protocol (Security PUSH 3.1, 4.4). */
const HYBRID_KEYS = ['BioPhotoFun', 'BioDataFun', 'MultiBioDataSupport', 'MultiBioPhotoSupport', 'MultiBioVersion', 'MaxMultiBioDataCount', 'MaxMultiBioPhotoCount'];

/** A `pushVersion` below 2.2.14 (the specs' stand-in for firmware without the unified template table). */
function olderThanHybrid(pushver: string): boolean {
  const v = (/(\d+(?:\.\d+)*)/.exec(pushver)?.[1] ?? '').split('.').map(Number);
  const min = [2, 2, 14];
  for (let i = 0; i < 3; i++) if ((v[i] ?? 0) !== min[i]) return (v[i] ?? 0) < min[i];
  return false;
}

export class DeviceSimulator {
  readonly sn: string;
  readonly tables: DeviceTables;
  readonly received: ReceivedCommand[] = [];
  readonly acknowledged: Acknowledgement[] = [];
  readonly pendingAcks: CommandResult[] = [];
  readonly doorActions: DoorAction[] = [];
  readonly exchanges: Exchange[] = [];
  /** Lines of getrequest replies the firmware would ignore (no `C:` prefix, not a continuation record). */
  readonly ignoredLines: string[] = [];
  /** Uploads made while executing commands (querydata) and on request. */
  readonly uploads: Array<{ path: string; query: string; body: string; status: number; response: string }> = [];
  /** SET ADSCREEN_OPTIONS received (channel controllers' advertising screens, 9.5.3): the parameter lists. */
  readonly adScreen: Array<Record<string, string>> = [];
  /** Device options (registration parameters, SET OPTIONS values), as GET OPTIONS reports them. */
  readonly options = new Map<string, string>();
  private readonly faultPlan = new FaultPlan<ParsedCommand>();
  private readonly recordFaults: Array<{ match: (table: string, record: Row) => boolean; code: number; times: number | 'always'; used: number }> = [];
  /** Getrequest replies the device never saw (`loseNextReply`): the server handed them out, the device got nothing. */
  readonly lostReplies: string[] = this.faultPlan.lostReplies;
  /** Results whose devicecmd POST was not confirmed with 200 `OK`, waiting to be posted again (`retryResults`). */
  readonly unconfirmedResults: CommandResult[] = [];

  /** Options of the last handshake / config reply (registry=ok, RegistryCode, RequestDelay, TimeZone, SessionID, ...). */
  serverOptions: Record<string, string> = {};
  /** `Date` header of the handshake reply. */
  serverDate?: Date;
  registered = false;
  registryCode?: string;
  sessionId?: string;
  /** HTTP status of the last request. */
  lastStatus?: number;
  /** Set by CONTROL DEVICE 03 (restart); `connect()` clears it. */
  needsReconnect = false;
  restarts = 0;

  private opts: DeviceSimulatorOptions;
  private readonly fetchImpl: FetchLike;
  private readonly nowFn: () => Date;
  private readonly doorStates: DoorState[];
  private clockOffsetMs = 0;
  private nextIndex: number;
  private readonly executedIds = new Set<string>();
  private readonly newRecordSent = new Set<string>();
  /** `loseQueryPackets` faults: which packet of a DATA QUERY answer is lost, and how many answers still lose one. */
  private readonly packetFaults: Array<{ table: string; packidx: number; times: number | 'always'; used: number }> = [];
  /** Packets of DATA QUERY answers lost on their way (`loseQueryPackets`): never reached the server, never sent again. */
  readonly lostPackets: Array<{ cmdId: string; table: string; packidx: number; packcnt: number; body: string }> = [];

  constructor(options: DeviceSimulatorOptions) {
    this.opts = { ...options };
    this.sn = options.sn;
    this.fetchImpl = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
    this.nowFn = options.now ?? (() => new Date());
    this.doorStates = Array.from({ length: this.doorCount }, (_, i) => newDoor(i + 1));
    this.nextIndex = options.startIndex ?? 1;
    this.tables = new DeviceTables({
      caseInsensitiveKeys: options.caseInsensitiveKeys,
      supportedTables: options.supportedTables,
      keys: options.tableKeys,
    });
    for (const [k, v] of this.registrationParams()) this.options.set(k, v);
    this.options.set('~SerialNumber', this.sn);
    this.options.set('ComPwd', '');
    for (let d = 1; d <= this.doorCount; d++) this.options.set(`Door${d}Drivertime`, '5');
    this.forgetPanelRules();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Identity, clock
  // -------------------------------------------------------------------------------------------------------------

  get doorCount(): number {
    return this.opts.doors ?? 4;
  }

  /** The device's zone: the option, else the server's TimeZone option, else UTC. */
  get zone(): DeviceZone {
    if (this.opts.timeZone) return this.opts.timeZone;
    const tz = parseTimeZoneOption(this.serverOptions.TimeZone);
    return tz === undefined ? 'UTC' : offsetZone(tz);
  }

  /** Raw `TimeZone=` option the server sent, if any. */
  get timeZoneOption(): string | undefined {
    return this.serverOptions.TimeZone;
  }

  /** The device clock. */
  clock(): Date {
    return new Date(this.nowFn().getTime() + this.clockOffsetMs);
  }

  /** Device wall-clock time `yyyy-MM-dd HH:mm:ss`. */
  deviceTime(at: Date = this.clock()): string {
    return formatWallClock(wallClock(at, this.zone));
  }

  /**
   * The panel's clock drifts by `ms` (a weak RTC battery, days without a server): its events carry the wrong time
   * until a `SET OPTIONS DateTime=` (9.5.1) or a handshake whose Date differs by 2 s or more sets it again.
   */
  driftClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  get clockOffset(): number {
    return this.clockOffsetMs;
  }

  /** Effective poll interval in seconds. */
  get requestDelay(): number {
    return this.opts.requestDelay ?? (Number(this.serverOptions.RequestDelay) || 30);
  }

  /** Registration parameters (4.4), in the manual's order. */
  registrationParams(): Array<[string, string]> {
    const o = this.opts;
    const doors = this.doorCount;
    const pushver = o.pushVersion ?? '3.1.2';
    const params: Array<[string, string | number]> = [
      ['DeviceType', o.deviceType ?? 'acc'],
      ['~DeviceName', o.deviceName ?? `SIM-${doors}Door`],
      ['FirmVer', o.firmVer ?? 'AC Ver 5.7.8.3033 Jan 9 2024'],
      ['PushVersion', o.registryPushVersion ?? `Ver ${pushver}S-20240809`],
      ['MAC', o.mac ?? macFor(this.sn)],
      ['CommType', 'ethernet'],
      ['MaxPackageSize', 2048000],
      ['LockCount', doors],
      ['ReaderCount', o.readerCount ?? doors * 2],
      ['AuxInCount', o.auxIn ?? doors],
      ['AuxOutCount', o.auxOut ?? doors],
      ['MachineType', o.machineType ?? 101],
      ['~IsOnlyRFMachine', 0],
      ['~MaxUserCount', 30000],
      ['~MaxAttLogCount', 100000],
      ['~MaxUserFingerCount', 10],
      ['MThreshold', 60],
      ['IPAddress', o.ipAddress ?? '192.168.1.201'],
      ['NetMask', '255.255.255.0'],
      ['GATEIPAddress', '192.168.1.1'],
      ['~ZKFPVersion', 10],
      ['IclockSvrFun', 1],
      ['OverallAntiFunOn', 0],
      ['~REXInputFunOn', 0],
      ['~CardFormatFunOn', 0],
      ['~SupAuthrizeFunOn', 0],
      ['~ReaderCFGFunOn', 0],
      ['~ReaderLinkageFunOn', 0],
      ['~RelayStateFunOn', 1],
      ['~Ext485ReaderFunOn', 0],
      ['~TimeAPBFunOn', 0],
      ['~CtlAllRelayFunOn', 0],
      ['~LossCardFunOn', 0],
      ['SimpleEventType', 1],
      ['VerifyStyles', 'ff7f0000'],
      ['EventTypes', 'BF0FE03D30000100000000007000000000000000000000000077002001000000'],
      ['DisableUserFunOn', 1],
      ['DeleteAndFunOn', 0],
      ['LogIDFunOn', 0],
      ['DateFmtFunOn', 1],
      ['DelAllLossCardFunOn', 0],
      ['AutoClearDay', 0],
      ['FirstDelayDay', 0],
      ['DelayDay', 0],
      ['StopAllVerify', 0],
      ['FvFunOn', 0],
      ['FaceFunOn', 1],
      ['FingerFunOn', 1],
      ['CameraOpen', 0],
      ['AccSupportFunList', o.accSupportFunList ?? '0101010000111000000111010100011010'],
      ['AutoServerFunOn', 0],
      ['DelayOpenDoorFunOn', 1],
      ['UserOpenDoorDelayFunOn', 1],
      ['MultiCardInterTimeFunOn', 1],
      ['OutRelaySetFunOn', 1],
      ['MachineTZFunOn', 1],
      ['DSTFunOn', 1],
      ['CardSiteCodeFunOn', 1],
      ['MulCardUserFunOn', 0],
      ['UserNameFunOn', 1],
      ['StringPinFunOn', 1],
      ['MaxLockCount', doors],
      ['MaxZigbeeCount', 0],
      ['MaxMCUCardBits', 37],
      ['SupportReaderType', 1],
      ['CmdFormat', o.cmdFormat ?? 0],
      ['MultiStageControlFunOn', 0],
      ['MasterControlOn', 0],
      ['SubControlOn', 0],
      ['BioPhotoFun', 1],
      ['BioDataFun', 1],
      ['UserPicURLFunOn', 0],
      ['MultiBioDataSupport', o.multiBioDataSupport ?? '0:1:1:0:0:0:0:0:0:1'],
      ['MultiBioPhotoSupport', o.multiBioPhotoSupport ?? '0:0:0:0:0:0:0:0:0:1'],
      ['MultiBioVersion', '0:10.0:5.8:0:0:0:0:0:0:58.0'],
      ['MaxMultiBioDataCount', '0:10000:3000:0:0:0:0:0:0:3000'],
      ['MaxMultiBioPhotoCount', '0:0:0:0:0:0:0:0:0:3000'],
      ['~SerialNumber', this.sn],
      ['authKey', ''],
    ];
    const out = new Map<string, string>(params.map(([k, v]) => [k, String(v)]));
    if (!(o.hybrid ?? !olderThanHybrid(pushver))) for (const k of HYBRID_KEYS) out.delete(k);
    for (const [k, v] of Object.entries(o.registryExtras ?? {})) out.set(k, String(v));
    return [...out.entries()];
  }

  /** The registration body: one comma-separated line (4.4). */
  registrationBody(): string {
    return formatCommaList(this.registrationParams());
  }

  // -------------------------------------------------------------------------------------------------------------
  // Session: 4.1 handshake, 4.4 registry, 4.5 push
  // -------------------------------------------------------------------------------------------------------------

  /** Handshake, then registration and configuration download (the manual's order for every connection). */
  async connect(): Promise<{ registered: boolean; registryCode?: string }> {
    const hs = await this.handshake();
    if (!hs.registered || (this.opts.registerEachConnection ?? true)) await this.register();
    else await this.downloadConfig();
    this.needsReconnect = false;
    return { registered: this.registered, registryCode: this.registryCode };
  }

  /**
   * 4.1: `GET /iclock/cdata?SN=<sn>&pushver=<v>&options=all` → `OK` (unregistered) or the registry block.
   * Sets the device clock from the reply's `Date` header.
   */
  async handshake(): Promise<HttpResult & { registered: boolean; options: Record<string, string> }> {
    const query: Array<[string, string]> = [['SN', this.sn]];
    if (this.opts.pushVersion !== null) query.push(['pushver', this.opts.pushVersion ?? '3.1.2']);
    query.push(['options', 'all']);
    if (this.opts.language) query.push(['language', this.opts.language]);
    for (const [k, v] of Object.entries(this.opts.handshakeExtras ?? {})) query.push([k, v]);
    const res = await this.send('GET', '/iclock/cdata', buildQuery(query));
    const options = parseOptionLines(res.body);
    this.serverOptions = { ...this.serverOptions, ...options };
    const date = res.headers.date ? new Date(res.headers.date) : undefined;
    if (date && !Number.isNaN(date.getTime())) {
      this.serverDate = date;
      if (this.opts.syncClock ?? true) {
        const diff = date.getTime() - this.nowFn().getTime();
        this.clockOffsetMs = Math.abs(diff) >= 2000 ? diff : 0;
      }
    }
    const registered = res.status === 200 && options.registry === 'ok' && !!options.RegistryCode;
    if (registered) {
      this.registered = true;
      this.registryCode = options.RegistryCode;
    }
    if (options.SessionID) this.sessionId = options.SessionID;
    return { ...res, registered, options };
  }

  /** 4.4: POST the capability list; a `RegistryCode=` reply registers the device, then 4.5 downloads the configuration. */
  async register(): Promise<{ registered: boolean; registryCode?: string; status: number; body: string; config?: Record<string, string> }> {
    const res = await this.send('POST', '/iclock/registry', buildQuery([['SN', this.sn]]), this.registrationBody());
    const opts = parseOptionLines(res.body);
    for (const c of res.setCookies) {
      const m = /JSESSIONID=([^;]+)/i.exec(c);
      if (m) this.sessionId = m[1];
    }
    if (res.status === 200 && opts.RegistryCode) {
      this.registered = true;
      this.registryCode = opts.RegistryCode;
      const config = await this.downloadConfig();
      return { registered: true, registryCode: this.registryCode, status: res.status, body: res.body, config };
    }
    this.registered = false;
    return { registered: false, status: res.status, body: res.body };
  }

  /** 4.5: `POST /iclock/push?SN=` with an empty body and the token cookie → configuration block. */
  async downloadConfig(): Promise<Record<string, string>> {
    const res = await this.send('POST', '/iclock/push', buildQuery([['SN', this.sn]]), '');
    const config = parseOptionLines(res.body);
    this.serverOptions = { ...this.serverOptions, ...config };
    if (config.SessionID) this.sessionId = config.SessionID;
    return config;
  }

  /** `GET /iclock/ping?SN=` (heartbeat during long uploads). */
  async ping(): Promise<HttpResult> {
    return this.send('GET', '/iclock/ping', buildQuery([['SN', this.sn]]));
  }

  /** Token cookie: MD5 of RegistryCode + SN + SessionID (order unspecified by the manual; advisory only). */
  get token(): string | undefined {
    if (!this.registryCode) return undefined;
    return md5Hex(`${this.registryCode}${this.sn}${this.sessionId ?? ''}`);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Commands: getrequest → execute → devicecmd
  // -------------------------------------------------------------------------------------------------------------

  /** One `GET /iclock/getrequest`: execute every command of the reply and report the results. */
  async poll(): Promise<ReceivedCommand[]> {
    await this.retryUnconfirmed();
    const res = await this.send('GET', '/iclock/getrequest', buildQuery([['SN', this.sn]]));
    return this.handleReply(res);
  }

  /**
   * Fault: two (or `n`) getrequests at once, as when a poll overlaps a slow one or a proxy duplicates it. Each
   * reply is then executed in the order the replies arrived. Returns the commands of each reply.
   */
  async pollConcurrently(n = 2): Promise<ReceivedCommand[][]> {
    await this.retryUnconfirmed();
    const arrived: HttpResult[] = [];
    await Promise.all(
      Array.from({ length: n }, async () => {
        arrived.push(await this.send('GET', '/iclock/getrequest', buildQuery([['SN', this.sn]])));
      }),
    );
    const out: ReceivedCommand[][] = [];
    for (const res of arrived) out.push(await this.handleReply(res));
    return out;
  }

  /** Executes one getrequest reply and reports its results (unless it is to be lost). */
  private async handleReply(res: HttpResult): Promise<ReceivedCommand[]> {
    if (res.status !== 200) return [];
    if (this.faultPlan.loses(res.body)) return [];
    const { commands, ignored } = parseCommandReply(res.body, { cmdFormat: this.opts.cmdFormat });
    for (const l of ignored) if (l.trim() !== 'OK') this.ignoredLines.push(l);
    const out: ReceivedCommand[] = [];
    const form: ReplyForm = this.opts.replyForm ?? (this.opts.batchReplies ? 'batched' : 'single');
    const batch = form === 'batched' || !!this.opts.batchReplies;
    const autoAck = this.opts.autoAck ?? true;
    const followUps: RtlogEvent[] = [];
    const results: CommandResult[] = [];
    for (const raw of commands) {
      const parsed = classify(raw);
      const rc: ReceivedCommand = {
        id: raw.id,
        line: raw.line,
        command: raw.text,
        at: this.nowFn(),
        continuation: raw.continuation,
        parsed,
      };
      this.received.push(rc);
      out.push(rc);
      this.opts.onCommand?.(rc);
      const { code, error, events } = await this.execute(parsed);
      rc.result = code;
      if (error) rc.error = error;
      followUps.push(...events);
      const result: CommandResult = { id: raw.id, code, cmd: cmdEcho(parsed, this.opts.cmdEcho ?? 'manual') };
      if (!autoAck || this.faultPlan.holds(parsed)) this.pendingAcks.push(result);
      else if (batch) results.push(result);
      else await this.postResults([result], form, false);
    }
    if (autoAck && results.length) await this.postResults(results, form, true);
    if (followUps.length) this.opts.onLoggedEvents?.(followUps, await this.uploadRtlog(followUps));
    return out;
  }

  /** Poll until a reply carries no command (or `maxPolls`). Returns everything received. */
  async pollUntilIdle(opts: { maxPolls?: number; intervalMs?: number } = {}): Promise<ReceivedCommand[]> {
    const all: ReceivedCommand[] = [];
    for (let i = 0; i < (opts.maxPolls ?? 20); i++) {
      const got = await this.poll();
      all.push(...got);
      if (got.length === 0) break;
      if (opts.intervalMs) await sleep(opts.intervalMs);
    }
    return all;
  }

  /** Poll until `predicate(this)` holds (checked before each poll). Throws after `maxPolls`. */
  async pollUntil(predicate: (sim: DeviceSimulator) => boolean, opts: { maxPolls?: number; intervalMs?: number } = {}): Promise<ReceivedCommand[]> {
    const all: ReceivedCommand[] = [];
    const max = opts.maxPolls ?? 50;
    for (let i = 0; i < max; i++) {
      if (predicate(this)) return all;
      all.push(...(await this.poll()));
      if (predicate(this)) return all;
      await sleep(opts.intervalMs ?? 100);
    }
    throw new Error(`pollUntil: condition not met after ${max} polls; received ${this.received.map((r) => r.line).join(' | ')}`);
  }

  /** Report the results held back with `autoAck: false` or `holdResults()` (all, or those `which` selects). */
  async flushAcks(form?: ReplyForm, which?: (r: CommandResult) => boolean): Promise<Acknowledgement[]> {
    const results: CommandResult[] = [];
    for (let i = 0; i < this.pendingAcks.length; ) {
      if (!which || which(this.pendingAcks[i])) results.push(...this.pendingAcks.splice(i, 1));
      else i++;
    }
    const f = form ?? this.opts.replyForm ?? (this.opts.batchReplies ? 'batched' : 'single');
    return this.postResults(results, f, f === 'batched' || !!this.opts.batchReplies);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Fault injection (see README "Faults")
  // -------------------------------------------------------------------------------------------------------------

  /** Fault: the next `n` getrequest replies that carry commands are lost on the way: the server believes them delivered. */
  loseNextReply(n = 1): void {
    this.faultPlan.loseNextReply(n);
  }

  /** No more replies are lost: the losses asked for with `loseNextReply` and not yet used are dropped. */
  loseNoMoreReplies(): void {
    this.faultPlan.loseNoMoreReplies();
  }

  /**
   * Fault: answer the commands `match` selects with `code` (not executed) `times` times (default once), or
   * 'always'. Faults are tried in the order they were added; the first with uses left applies. Returns the
   * fault, whose `used` counts the commands it answered.
   */
  failCommands(match: (c: ParsedCommand) => boolean, code: number, times: number | 'always' = 1): CommandFault {
    return this.faultPlan.failCommands(match, code, times);
  }

  /** Removes every `failCommands`, `failRecords` and `loseQueryPackets` fault. */
  clearFaults(): void {
    this.faultPlan.clearFaults();
    this.recordFaults.splice(0);
    this.packetFaults.splice(0);
  }

  /**
   * Fault: packet `packidx` (1-based) of the next `times` answers (default once, or 'always') to a `DATA QUERY` of
   * `table` is lost on its way and never sent again, while the panel's Return still counts every record, as firmware
   * that gives up on a failed querydata POST does. An answer of fewer packets loses none. The lost packets are in
   * `lostPackets`; their records stay new (`filter=NewRecord` answers them again).
   */
  loseQueryPackets(table: string, packidx = 1, times: number | 'always' = 1): void {
    this.packetFaults.push({ table, packidx, times, used: 0 });
  }

  /**
   * Fault: a `DATA UPDATE` record (one line of a multi-record command) that `match` selects is not written and its
   * command answers `code` (`times` times, default once, or 'always'), while the command's other records are written,
   * as firmware that stops at nothing but one bad record does. Returns the fault, whose `used` counts the records.
   */
  failRecords(match: (table: string, record: Row) => boolean, code: number, times: number | 'always' = 1): { used: number } {
    const fault = { match, code, times, used: 0 };
    this.recordFaults.push(fault);
    return fault;
  }

  /**
   * Fault: execute but hold the results of the commands `match` selects (all when omitted) in `pendingAcks`:
   * acknowledge late with `flushAcks()` / `releaseResults()`, or never with `dropHeldResults()`.
   */
  holdResults(match: (c: ParsedCommand) => boolean = () => true): void {
    this.faultPlan.holdResults(match);
  }

  /** Stops holding results (those already held stay held until released or dropped). */
  stopHoldingResults(): void {
    this.faultPlan.stopHoldingResults();
  }

  /** Posts held results (all, or those `which` selects), late. */
  releaseResults(which?: (r: CommandResult) => boolean, form?: ReplyForm): Promise<Acknowledgement[]> {
    return this.flushAcks(form, which);
  }

  /** Forgets held results: those commands are never acknowledged. */
  dropHeldResults(): CommandResult[] {
    return this.pendingAcks.splice(0);
  }

  /**
   * The panel is reconfigured (a firmware upgrade, an installer turning a function on or off) and connects again:
   * `options` replace the current ones (`registryExtras` merged into the current extras, `undefined` drops one), the
   * registration and the panel's own options follow them, and it registers with the new parameters. Its tables are
   * kept as they are; from now on it reads them by its current options (cards, validity format: `evaluateAccess`).
   */
  async reconfigure(
    options: Partial<Omit<DeviceSimulatorOptions, 'baseUrl' | 'sn' | 'fetch' | 'registryExtras'>> & { registryExtras?: Record<string, string | number | undefined> },
  ): Promise<{ registered: boolean; registryCode?: string }> {
    const extras: Record<string, string | number> = { ...(this.opts.registryExtras ?? {}) };
    for (const [k, v] of Object.entries(options.registryExtras ?? {})) {
      if (v === undefined) {
        delete extras[k];
        this.options.delete(k);
      } else extras[k] = v;
    }
    this.opts = { ...this.opts, ...options, registryExtras: extras };
    // Another LockCount (an inBio460 switched between four one-way and two two-way doors): the doors above it are
    // gone (a command naming one answers -11), new ones start closed; the others keep their state.
    this.doorStates.splice(this.doorCount);
    for (let n = this.doorStates.length + 1; n <= this.doorCount; n++) this.doorStates.push(newDoor(n));
    for (const [k, v] of this.registrationParams()) this.options.set(k, v);
    return this.connect();
  }

  /**
   * A factory reset restores the doors' parameters (SET OPTIONS Door<n>Drivertime, SensorType, Detectortime,
   * Intertime, KeepOpenTimeZone, ValidTZ, CloseAndLock, ForcePassWord, SupperPassWord, 9.5.1) to the panel's defaults: a lock driver time of 5 s, the others its own (not reported).
   */
  private forgetDoorParameters(): void {
    for (const k of [...this.options.keys()]) if (/^Door\d+(Drivertime|SensorType|Detectortime|Intertime|KeepOpenTimeZone|ValidTZ|CloseAndLock|ForcePassWord|SupperPassWord|FirstCardOpenDoor)$/.test(k)) this.options.delete(k);
    for (let d = 1; d <= this.doorCount; d++) this.options.set(`Door${d}Drivertime`, '5');
  }

  /** Interlock and anti-passback (SET OPTIONS InterLock=, AntiPassback=, Appendix 8/9) as a panel leaves the factory: none. */
  private forgetPanelRules(): void {
    this.options.set('AntiPassback', '0');
    this.options.set('InterLock', '0');
  }

  /**
   * Fault: a factory reset. Every table is wiped and the session forgotten; then the device connects the way a
   * fresh one does, with the same SN (handshake, registry, push). Door states and the event index are kept, unless
   * `numbering: 'restarted'`: its records are numbered from 1 again (the manual says only that an index is unique in
   * the device, and a reset device holds none).
   */
  async factoryReset(opts: { numbering?: 'kept' | 'restarted' } = {}): Promise<{ registered: boolean; registryCode?: string }> {
    for (const t of this.tables.tableNames()) this.tables.clear(t);
    this.forgetDoorParameters();
    this.forgetPanelRules();
    if (opts.numbering === 'restarted') this.nextIndex = 1;
    this.registered = false;
    this.registryCode = undefined;
    this.sessionId = undefined;
    this.serverOptions = {};
    this.executedIds.clear();
    this.pendingAcks.splice(0);
    this.unconfirmedResults.splice(0);
    return this.connect();
  }

  /**
   * Fault: a factory reset of a panel that keeps its server settings (no new registration): every table is wiped
   * (its transaction table too), results not posted yet are lost with the commands it had run, its records are
   * numbered from 1 again, and it reports event 6016 (Appendix 19, "Restore the factory settings") in rtlog under
   * index 1 and `at` (the clock it restarts with). Two such resets at the same `at` report the same event twice.
   */
  async factoryResetInPlace(at: Date): Promise<UploadResult> {
    for (const t of this.tables.tableNames()) this.tables.clear(t);
    this.forgetDoorParameters();
    this.forgetPanelRules();
    this.nextIndex = 1;
    this.executedIds.clear();
    this.pendingAcks.splice(0);
    this.unconfirmedResults.splice(0);
    return this.uploadRtlog([{ event: 6016, time: at, eventaddr: 0, pin: 0, cardno: 0 }]);
  }

  /**
   * Fault: rows deleted at the panel (its menu, another tool) without the server knowing. `conds` are field =
   * value pairs (all must match); none deletes the whole table. Returns the number of rows deleted.
   */
  deleteLocally(table: string, conds: Record<string, string | number> = {}): number {
    return this.tables.delete(table, Object.entries(conds).map(([k, v]) => [k, String(v)]));
  }

  /**
   * Fault: a row added at the panel (its menu, another tool) without the server knowing, e.g. a `userauthorize` row
   * granting a door the database never gave; a row with the same key is overwritten, as DATA UPDATE would.
   */
  addLocally(table: string, row: Record<string, string | number>): void {
    this.tables.upsert(table, Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)])));
  }

  /** Fault: a user deleted at the panel with everything keyed by their Pin (rights, templates, photos, cards). */
  deleteUserLocally(pin: string | number): number {
    let n = 0;
    for (const t of this.tables.tableNames()) {
      // As the panel keeps it: on a numeric-PIN panel person 0412 is user 412 at the menu.
      if (this.tables.rows(t).some((r) => getField(r, 'Pin') !== undefined)) n += this.tables.delete(t, [['Pin', this.pinAsKept('Pin', String(pin))]]);
    }
    return n;
  }

  /**
   * A user registered at the panel's own menu (Security PUSH 7.5: "after a user is registered, the device
   * automatically uploads the user information to the server"): stored in its user table, then uploaded as
   * `tabledata user` with the upload's lower-case keys (`uid`, `cardno`, `pin`, `password`, ...).
   */
  async enrollUserLocally(u: { uid: number; pin: string; name?: string; cardno?: string; password?: string; privilege?: number }): Promise<UploadResult> {
    this.tables.upsert('user', { Pin: u.pin, Name: u.name ?? '', CardNo: u.cardno ?? '', Password: u.password ?? '', Privilege: String(u.privilege ?? 0) });
    return this.uploadTable('user', [
      { uid: u.uid, cardno: u.cardno ?? '', pin: u.pin, password: u.password ?? '', group: 0, starttime: 0, endtime: 0, name: u.name ?? '', privilege: u.privilege ?? 0, disable: 0, verify: 0 },
    ]);
  }

  private async retryUnconfirmed(): Promise<void> {
    if (this.unconfirmedResults.length === 0) return;
    const results = this.unconfirmedResults.splice(0);
    const f = this.opts.replyForm ?? (this.opts.batchReplies ? 'batched' : 'single');
    await this.postResults(results, f, f === 'batched' || !!this.opts.batchReplies);
  }

  private async postResults(results: CommandResult[], form: ReplyForm, batch: boolean): Promise<Acknowledgement[]> {
    const returnCase = this.opts.returnCase ?? 'Return';
    const acks: Acknowledgement[] = [];
    const bodies = formatResultBodies(results, form, batch, returnCase);
    const groups = bodies.length === results.length ? results.map((r) => [r]) : [results];
    for (let i = 0; i < bodies.length; i++) {
      let res: HttpResult;
      try {
        res = await this.send('POST', '/iclock/devicecmd', buildQuery([['SN', this.sn]]), bodies[i]);
      } catch (e) {
        if (this.opts.retryResults) this.unconfirmedResults.push(...groups.slice(i).flat());
        throw e;
      }
      if (this.opts.retryResults && (res.status !== 200 || res.body.trim() !== 'OK')) this.unconfirmedResults.push(...groups[i]);
      for (const r of groups[i]) {
        const ack: Acknowledgement = { ...r, at: this.nowFn(), body: bodies[i], status: res.status };
        this.acknowledged.push(ack);
        acks.push(ack);
        this.opts.onAck?.(ack);
      }
    }
    return acks;
  }

  private async execute(cmd: ParsedCommand): Promise<{ code: number; error?: string; events: RtlogEvent[] }> {
    const events: RtlogEvent[] = [];
    const repeated = this.executedIds.has(cmd.id);
    this.executedIds.add(cmd.id);
    if (repeated && this.opts.rejectRepeatedIds) return { code: -7, error: 'repeated command ID', events };
    const faultCode = this.faultPlan.forcedCode(cmd);
    if (faultCode !== undefined) return { code: faultCode, error: 'forced by failCommands', events };
    const forced = this.opts.resultFor?.(cmd);
    if (typeof forced === 'number' && forced < 0) return { code: forced, error: 'forced by resultFor', events };
    let out: { code: number; error?: string };
    try {
      out = await this.apply(cmd, events);
    } catch (e) {
      out = { code: -12, error: `simulator error: ${(e as Error).message}` };
    }
    if (typeof forced === 'number') out = { code: forced };
    if (out.error) this.tables.warnings.push(`C:${cmd.id}: ${out.error}`);
    return { ...out, events };
  }

  private async apply(cmd: ParsedCommand, events: RtlogEvent[]): Promise<{ code: number; error?: string }> {
    switch (cmd.verb) {
      case 'DATA UPDATE':
        return this.dataUpdate(cmd);
      case 'DATA DELETE':
        return this.dataDelete(cmd);
      case 'DATA COUNT':
        return this.dataCount(cmd);
      case 'DATA QUERY':
        return this.dataQuery(cmd);
      case 'CONTROL DEVICE':
        return this.control(cmd, events);
      case 'SET OPTIONS':
        return this.setOptions(cmd);
      case 'GET OPTIONS':
        return this.getOptions(cmd);
      case 'SET ADSCREEN_OPTIONS':
        return this.setAdScreen(cmd);
      case 'ENROLL_BIO':
        return this.enrollBio(cmd);
      case 'Test Host':
      case 'UPGRADE':
        return { code: 0 };
      case null:
        return { code: -1002, error: `unknown command "${cmd.text.slice(0, 60)}"` };
      default:
        return { code: -1002, error: `${cmd.verb} is not supported by this firmware` };
    }
  }

  /**
   * 9.6.2 `ENROLL_BIO TYPE= NO= PIN= RETRY= OVERWRITE= MODE=`: the person enrols at the panel (`enrolment` option);
   * the template is posted as `/iclock/cdata?type=BioData` in the manual's upper-case form (`MAJOR_VER`, `MINOR_VER`,
   * `BIOPHOTO`), kept in `biodata` with MODE=1, then answered 0. OVERWRITE=0 on a slot it holds answers -1 (the
   * manual: "an error will be returned"; it names no code).
   */
  private async enrollBio(cmd: ParsedCommand): Promise<{ code: number; error?: string }> {
    const fields = parseRecord(cmd.args);
    if (isParseError(fields)) return { code: fields.error, error: fields.reason };
    const f = new Map(fields);
    const type = Number(f.get('TYPE') ?? NaN);
    const no = Number(f.get('NO') ?? 0);
    const pin = f.get('PIN') ?? '';
    if (!Number.isInteger(type) || type < 0 || !pin) return { code: -1002, error: 'ENROLL_BIO without TYPE or PIN' };
    const slot = { Pin: pin, No: String(no), Index: '0', Type: String(type) };
    const held = this.tables.rows('biodata').some((r) => r.Pin === pin && r.No === slot.No && r.Type === slot.Type);
    if (held && f.get('OVERWRITE') === '0') return { code: -1, error: `ENROLL_BIO: ${pin} already has type ${type} no ${no}` };
    const given = this.opts.enrolment?.({ type, pin, no }) ?? {
      tmp: Buffer.from(`enrolled at ${this.sn}: type ${type} pin ${pin} no ${no}`).toString('base64'),
      majorVer: type === 1 ? 12 : 58,
      minorVer: type === 1 ? 0 : 1,
    };
    if (typeof given === 'number') return { code: given, error: 'ENROLL_BIO: not enrolled' };
    const line = [`TYPE=${type}`, `PIN=${pin}`, `NO=${no}`, 'INDEX=0', `MAJOR_VER=${given.majorVer}`, `MINOR_VER=${given.minorVer}`, `TMP=${given.tmp}`, `BIOPHOTO=${given.photo ?? ''}`].join(HT);
    await this.upload('/iclock/cdata', buildQuery([['SN', this.sn], ['type', 'BioData']]), line);
    if (f.get('MODE') === '1') {
      this.tables.upsert('biodata', { ...slot, Valid: '1', Duress: '0', MajorVer: String(given.majorVer), MinorVer: String(given.minorVer), Format: '0', Tmp: given.tmp });
    }
    return { code: 0 };
  }

  /** 9.5.3: `InOut=..,Area=..,Type=..,URL=..,InPlayInterval=..`; the screen's download is not simulated (0). */
  private setAdScreen(cmd: ParsedCommand): { code: number; error?: string } {
    const params: Record<string, string> = Object.fromEntries(parseCommaList(cmd.args));
    if (!/^https?:\/\//.test(params.URL ?? '')) return { code: -618, error: 'URL format error' };
    this.adScreen.push(params);
    return { code: 0 };
  }

  private tableError(table: string | undefined, writable = false): { code: number; error: string } | undefined {
    if (!table || !this.tables.supports(table) || (writable && !WRITABLE_TABLES.includes(table))) {
      return { code: -1004, error: `unsupported table "${table ?? ''}"` };
    }
    return undefined;
  }

  /**
   * A panel announcing StringPinFunOn=0 keeps a user's PIN as a number (field notes: sent PIN=0412, it reports 412):
   * a digit Pin is written, deleted, counted and queried without its leading zeros. Others keep it as sent.
   */
  private keepsNumericPins(): boolean {
    return String(this.opts.registryExtras?.StringPinFunOn ?? 1) === '0';
  }

  private pinAsKept(key: string, value: string): string {
    return this.keepsNumericPins() && key.toLowerCase() === 'pin' && /^[0-9]+$/.test(value) ? value.replace(/^0+(?=[0-9])/, '') : value;
  }

  private pinsAsKept(r: Row): Row {
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, this.pinAsKept(k, v)]));
  }

  private condsAsKept<C extends ReturnType<typeof parseConditions>>(conds: C): C {
    return (Array.isArray(conds) ? conds.map(([k, v]) => [k, this.pinAsKept(k, v)]) : conds) as C;
  }

  /** 9.1.1: `DATA UPDATE <table> k=v<HT>k=v` plus one further record per LF-separated line. */
  private dataUpdate(cmd: ParsedCommand): { code: number; error?: string } {
    const bad = this.tableError(cmd.table, true);
    if (bad) return bad;
    const table = cmd.table as string;
    if (cmd.tableSeparator !== ' ') return { code: -1, error: 'table name not followed by a space' };
    const records: Row[] = [];
    for (const text of [cmd.args, ...cmd.continuation]) {
      const rec = parseRecord(text);
      if (isParseError(rec)) return { code: rec.error, error: rec.reason };
      records.push(this.pinsAsKept(Object.fromEntries(rec)));
    }
    for (const r of records) {
      const sizeErr = sizeMismatch(table, r);
      if (sizeErr) return { code: -12, error: sizeErr };
    }
    if (table === 'biodata' && new Set(records.map((r) => getField(r, 'Type'))).size > 1) {
      this.tables.warnings.push(`C:${cmd.id}: biodata records of one command carry different Type values (9.1.1 L8828)`);
    }
    let code = 0;
    for (const r of records) {
      const fault = this.recordFaults.find((f) => (f.times === 'always' || f.used < f.times) && f.match(table, r));
      if (fault) {
        fault.used++;
        code = fault.code;
        continue;
      }
      this.tables.upsert(table, r);
    }
    return code === 0 ? { code } : { code, error: 'a record forced by failRecords' };
  }

  /** 9.1.2: `DATA DELETE <table> *|Field=value[<HT>Field=value]`. */
  private dataDelete(cmd: ParsedCommand): { code: number; error?: string } {
    const bad = this.tableError(cmd.table);
    if (bad) return bad;
    const table = cmd.table as string;
    const conds = this.condsAsKept(parseConditions(table, cmd.args));
    if (isParseError(conds)) return { code: conds.error, error: conds.reason };
    if (conds === 'all') {
      this.tables.clear(table);
      return { code: 0 };
    }
    const unknown = conds.filter(([k]) => !this.tables.knowsField(table, k));
    if (unknown.length) {
      if (this.opts.unknownDeleteFieldWipes ?? true) {
        const n = this.tables.clear(table);
        this.tables.warnings.push(`C:${cmd.id}: DATA DELETE ${table} by unknown field ${unknown[0][0]} wiped ${n} rows (SenseFace 2A behaviour)`);
        return { code: 0 };
      }
      return { code: -1, error: `unknown condition field ${unknown[0][0]}` };
    }
    this.tables.delete(table, conds);
    return { code: 0 };
  }

  /** 9.1.3: count, upload `<table>=<n>` to querydata (type=count), then report. */
  private async dataCount(cmd: ParsedCommand): Promise<{ code: number; error?: string }> {
    const bad = this.tableError(cmd.table);
    if (bad) return bad;
    const table = cmd.table as string;
    const conds = this.condsAsKept(parseConditions(table, cmd.args));
    if (isParseError(conds)) return { code: conds.error, error: conds.reason };
    const n = this.tables.count(table, conds === 'all' ? [] : conds);
    await this.upload(
      '/iclock/querydata',
      buildQuery([
        ['SN', this.sn],
        ['type', 'count'],
        ['cmdid', cmd.id],
        ['tablename', table],
        ['count', 1],
        ['packcnt', 1],
        ['packidx', 1],
      ]),
      `${table}=${n}`,
    );
    return { code: (this.opts.countReturn ?? 'count') === 'count' ? n : 0 };
  }

  /** 9.1.4: `DATA QUERY tablename=<t>,fielddesc=<*|f>,filter=<*|cond>` → querydata packages, Return = record count. */
  private async dataQuery(cmd: ParsedCommand): Promise<{ code: number; error?: string }> {
    const q = parseQueryArgs(cmd.args);
    if (!q) return { code: -629, error: `DATA QUERY without tablename= ("${cmd.args.slice(0, 40)}")` };
    const bad = this.tableError(q.tablename);
    if (bad) return bad;
    const table = q.tablename;
    let rows = this.tables.rowsWithSlot(table);
    const filter = q.filter.trim();
    const newRecords = filter === 'NewRecord';
    if (newRecords) {
      rows = rows.filter((r) => !this.newRecordSent.has(r.row.index ?? ''));
    } else if (filter !== '*' && filter !== '') {
      const conds = this.condsAsKept(parseConditions(table, filter));
      if (isParseError(conds)) return { code: conds.error, error: conds.reason };
      if (conds !== 'all') {
        const start = conds.find(([k]) => k.toLowerCase() === 'starttime');
        const end = conds.find(([k]) => k.toLowerCase() === 'endtime');
        const rest = conds.filter(([k]) => !['starttime', 'endtime'].includes(k.toLowerCase()));
        rows = rows.filter(({ row }) => rest.every(([k, v]) => getField(row, k) === v));
        if (table === 'transaction' && (start || end)) {
          const toZk = (v: string) => (/^\d+$/.test(v) ? Number(v) : zkFromText(v));
          rows = rows.filter(({ row }) => {
            const t = Number(row.time_second);
            return (!start || t >= toZk(start[1])) && (!end || t <= toZk(end[1]));
          });
        }
      }
    }
    const wanted = q.fielddesc.trim() === '*' ? undefined : q.fielddesc.split(/[,\t ]+/).map((f) => f.toLowerCase());
    const lines = rows.map(({ row, slot }) => {
      let rec = toUploadRecord(table, row, slot, this.sn) ?? [];
      if (wanted) rec = rec.filter(([k]) => wanted.includes(k.toLowerCase()));
      return formatRecord(rec, table);
    });
    const pack = Math.max(1, this.opts.queryPackSize ?? 50);
    const packcnt = Math.ceil(lines.length / pack);
    const fault = this.packetFaults.find((f) => f.table === table && (f.times === 'always' || f.used < f.times) && f.packidx <= packcnt);
    if (fault) fault.used++;
    for (let i = 0; i < packcnt; i++) {
      const chunk = lines.slice(i * pack, (i + 1) * pack);
      if (fault?.packidx === i + 1) {
        // Lost on its way and never sent again: its records stay new (not uploaded, 9.1.4); the Return counts them.
        this.lostPackets.push({ cmdId: cmd.id, table, packidx: i + 1, packcnt, body: chunk.join(this.opts.lineEnding ?? LF) });
        continue;
      }
      if (newRecords) for (const { row } of rows.slice(i * pack, (i + 1) * pack)) this.newRecordSent.add(row.index ?? '');
      await this.upload(
        '/iclock/querydata',
        buildQuery([
          ['SN', this.sn],
          ['type', 'tabledata'],
          ['cmdid', cmd.id],
          ['tablename', table],
          ['count', chunk.length],
          ['packcnt', packcnt],
          ['packidx', i + 1],
        ]),
        chunk.join(this.opts.lineEnding ?? LF),
      );
    }
    return { code: lines.length };
  }

  /** 9.4: `CONTROL DEVICE AABBCCDD[EE]`. */
  protected control(cmd: ParsedCommand, events: RtlogEvent[]): { code: number; error?: string } {
    const bytes = parseControlBytes(cmd.args);
    if (!bytes) return { code: -1002, error: `CONTROL DEVICE argument "${cmd.args}" is not AABBCCDD hex` };
    const now = this.clock();
    const { code, actions, restart } = applyControl(bytes, {
      doors: this.doorStates,
      auxOut: this.opts.auxOut ?? this.doorCount,
      now,
      cmdId: cmd.id,
      raw: cmd.args.trim(),
    });
    this.doorActions.push(...actions);
    if (restart) {
      this.needsReconnect = true;
      this.restarts++;
    }
    if (this.opts.logRemoteEvents && code === 0) {
      for (const a of actions) {
        const ev = REMOTE_ACTION_EVENTS[a.action]?.event;
        if (ev !== undefined) events.push({ time: now, pin: 0, cardno: 0, eventaddr: a.door || 1, event: ev, inoutstatus: 2, verifytype: 200 });
      }
    }
    return code === 0 ? { code } : { code, error: `CONTROL DEVICE ${cmd.args.trim()} → ${code}` };
  }

  /** 9.5.1: `SET OPTIONS k=v,k=v`. `DateTime=<Appendix-5 seconds>` sets the device clock. */
  private setOptions(cmd: ParsedCommand): { code: number; error?: string } {
    const pairs = parseCommaList(cmd.args.trim());
    if (!pairs.length || pairs.some(([k]) => k === '')) return { code: -1002, error: 'SET OPTIONS without parameters' };
    for (const [k, v] of pairs) {
      this.options.set(k, v);
      if (k === 'DateTime' && /^\d+$/.test(v)) {
        const w = zkDecode(Number(v));
        this.clockOffsetMs = instantOf(w, this.zone).getTime() - this.nowFn().getTime();
      }
    }
    return { code: 0 };
  }

  /** 9.5.2: `GET OPTIONS a,b,c` → querydata type=options with the known values (unknown names omitted). */
  private async getOptions(cmd: ParsedCommand): Promise<{ code: number; error?: string }> {
    const names = cmd.args
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (!names.length) return { code: -1002, error: 'GET OPTIONS without names' };
    const pairs: Array<[string, string]> = [];
    for (const n of names) {
      const v = this.options.get(n) ?? this.options.get(n.startsWith('~') ? n.slice(1) : `~${n}`);
      if (v !== undefined) pairs.push([n, v]);
    }
    await this.upload(
      '/iclock/querydata',
      buildQuery([
        ['SN', this.sn],
        ['type', 'options'],
        ['cmdid', cmd.id],
        ['tablename', 'options'],
        ['count', 1],
        ['packcnt', 1],
        ['packidx', 1],
      ]),
      formatCommaList(pairs),
    );
    return { code: 0 };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Uploads
  // -------------------------------------------------------------------------------------------------------------

  /**
   * 7.2: `POST /iclock/cdata?SN=<sn>&table=rtlog&Stamp=9999`, one record per event:
   *   time=<wall clock><HT>pin=<HT>cardno=<HT>eventaddr=<HT>event=<HT>inoutstatus=<HT>verifytype=<HT>index=[<HT>extra...]
   * Each event is also kept in the device's `transaction` table.
   */
  async uploadRtlog(events: RtlogEvent[]): Promise<UploadResult> {
    const lines = this.logEvents(events);
    const query: Array<[string, string]> = [
      ['SN', this.sn],
      ['table', 'rtlog'],
    ];
    const stamp = this.opts.rtlogStamp === undefined ? '9999' : this.opts.rtlogStamp;
    if (stamp !== null) query.push(['Stamp', stamp]);
    const r = await this.upload('/iclock/cdata', buildQuery(query), lines.join(this.opts.lineEnding ?? LF));
    // Uploaded: no longer a new record (`filter=NewRecord` asks for those "not uploaded", 9.1.4).
    if (r.status === 200 && /^OK/.test(r.body.trim())) for (const l of lines) this.newRecordSent.add(/(?:^|\t)index=(\d+)/.exec(l)?.[1] ?? '');
    return r;
  }

  /**
   * Events that happened while the server could not be reached: kept in the panel's `transaction` table (what
   * `DATA QUERY tablename=transaction` answers), not uploaded.
   */
  logOffline(events: RtlogEvent[]): void {
    this.logEvents(events);
  }

  /**
   * The panel's `transaction` table as 9.1.4 uploads it (`transaction cardno=..<HT>pin=..<HT>time_second=..`):
   * on /iclock/querydata (type=tabledata, with cmdid and one package) or as a `table=tabledata` upload.
   */
  async uploadTransactionTable(via: 'querydata' | 'tabledata' = 'querydata', cmdId = '1'): Promise<UploadResult> {
    const lines = this.tables.rowsWithSlot('transaction').map(({ row, slot }) => formatRecord(toUploadRecord('transaction', row, slot, this.sn) ?? [], 'transaction'));
    const query: Array<[string, string | number]> =
      via === 'querydata'
        ? [['SN', this.sn], ['type', 'tabledata'], ['cmdid', cmdId], ['tablename', 'transaction'], ['count', lines.length], ['packcnt', 1], ['packidx', 1]]
        : [['SN', this.sn], ['table', 'tabledata'], ['tablename', 'transaction'], ['count', lines.length]];
    return this.upload(via === 'querydata' ? '/iclock/querydata' : '/iclock/cdata', buildQuery(query), lines.join(this.opts.lineEnding ?? LF));
  }

  /** The rtlog lines of the events, each also kept in the panel's transaction table. */
  private logEvents(events: RtlogEvent[]): string[] {
    const lines: string[] = [];
    for (const e of events) {
      let index = e.index;
      if (index === undefined) index = this.nextIndex++;
      else this.nextIndex = Math.max(this.nextIndex, index + 1);
      const when = e.time instanceof Date ? e.time : undefined;
      const time = typeof e.time === 'string' ? e.time : this.deviceTime(when ?? this.clock());
      const fields: Array<[string, FieldValue]> = [
        ['time', time],
        ['pin', e.pin ?? 0],
        ['cardno', e.cardno ?? 0],
        ['eventaddr', e.eventaddr ?? 1],
        ['event', e.event ?? 0],
        ['inoutstatus', e.inoutstatus ?? 0],
        ['verifytype', e.verifytype ?? 0],
        ['index', index],
      ];
      for (const [k, v] of Object.entries(e)) if (!BASE_EVENT_KEYS.includes(k) && !(v instanceof Date)) fields.push([k, v]);
      lines.push(formatRecord(fields));
      const f = Object.fromEntries(fields.map(([k, v]) => [k, v === undefined || v === null ? '' : String(v)]));
      this.tables.upsert('transaction', {
        cardno: f.cardno,
        pin: f.pin,
        verified: f.verifytype,
        doorid: f.eventaddr,
        eventtype: f.event,
        inoutstate: f.inoutstatus,
        time_second: String(zkFromText(time)),
        index: String(index),
        sitecode: f.sitecode ?? '0',
        devid: '1',
        ...(f.maskflag !== undefined ? { maskflag: f.maskflag } : {}),
        ...(f.temperature !== undefined ? { temperature: f.temperature } : {}),
        ...(f.convtemperature !== undefined ? { convtemperature: f.convtemperature } : {}),
      });
    }
    return lines;
  }

  /** 7.3: `time=..<HT>sensor=..<HT>relay=..<HT>alarm=..` computed from the doors unless given. */
  async uploadRtstate(input: RtstateInput = {}): Promise<UploadResult> {
    const now = this.clock();
    const computed = rtstateFields(this.doorStates, now);
    const time = typeof input.time === 'string' ? input.time : this.deviceTime(input.time instanceof Date ? input.time : now);
    const fields: Array<[string, FieldValue]> = [
      ['time', time],
      ['sensor', input.sensor ?? computed.sensor],
      ['relay', input.relay ?? computed.relay],
      ['alarm', input.alarm ?? computed.alarm],
    ];
    for (const [k, v] of Object.entries(input)) if (!['time', 'sensor', 'relay', 'alarm'].includes(k) && !(v instanceof Date)) fields.push([k, v]);
    return this.upload('/iclock/cdata', buildQuery([['SN', this.sn], ['table', 'rtstate']]), formatRecord(fields));
  }

  /**
   * 7.5-7.12: `POST /iclock/cdata?SN=&table=tabledata&tablename=<t>&count=<n>`; records are prefixed with the table
   * name and a SP (`user uid=..`), except ATTPHOTO. A string record is sent verbatim.
   */
  async uploadTable(tablename: string, records: Array<Record<string, FieldValue> | string>): Promise<UploadResult> {
    const prefix = tablename.toUpperCase() === 'ATTPHOTO' ? undefined : tablename;
    const lines = records.map((r) => (typeof r === 'string' ? r : formatRecord(r, prefix)));
    return this.upload(
      '/iclock/cdata',
      buildQuery([
        ['SN', this.sn],
        ['table', 'tabledata'],
        ['tablename', tablename],
        ['count', records.length],
      ]),
      lines.join(this.opts.lineEnding ?? LF),
    );
  }

  /**
   * 7.12: a command it answered Return=0 and then failed at, in its error log: `errorlog errcode=<code>\terrmsg=\t
   * dataorigin=cmd\tcmdid=<its ID>\tadditional=<base64 JSON>` (Appendix 17: D01E0001 face detection failed). A photo
   * whose face it could not detect is not kept: dropped from its biophoto table first; one logged `00000000`
   * (Appendix 17: Successful) is kept. `form: 'attendance'`: firmware that posts it as an attendance terminal does
   * (Attendance PUSH 11.16: `POST /iclock/cdata?SN=&table=ERRORLOG` with
   * `ERRORLOG ErrCode=<code>\tErrMsg=\tDataOrigin=cmd\tCmdId=<its ID>\tAdditional=…`).
   */
  async errorLog(cmd: ReceivedCommand, errcode = 'D01E0001', form: 'tabledata' | 'attendance' = 'tabledata'): Promise<UploadResult> {
    const photo = cmd.parsed.verb === 'DATA UPDATE' && cmd.parsed.table === 'biophoto' ? /(?:^|\t)PIN=([^\t]*)\tType=(\d+)/i.exec(cmd.parsed.args) : null;
    if (photo && !/^0+$/.test(errcode)) this.deleteLocally('biophoto', { PIN: photo[1], Type: photo[2] });
    const additional = Buffer.from(JSON.stringify(photo ? { pin: photo[1], type: Number(photo[2]) } : {})).toString('base64');
    if (form === 'attendance') {
      const line = formatRecord([['ErrCode', errcode], ['ErrMsg', ''], ['DataOrigin', 'cmd'], ['CmdId', cmd.id], ['Additional', additional]], 'ERRORLOG');
      return this.upload('/iclock/cdata', buildQuery([['SN', this.sn], ['table', 'ERRORLOG']]), line + (this.opts.lineEnding ?? LF));
    }
    return this.uploadTable('errorlog', [{ errcode, errmsg: '', dataorigin: 'cmd', cmdid: cmd.id, additional }]);
  }

  /** 4.6: `POST /iclock/cdata?SN=&table=options` with `Name=Value,...` (all device options, or the named ones). */
  async uploadOptions(names?: string[]): Promise<UploadResult> {
    const pairs: Array<[string, string]> = names ? names.filter((n) => this.options.has(n)).map((n) => [n, this.options.get(n) as string]) : [...this.options.entries()];
    return this.upload('/iclock/cdata', buildQuery([['SN', this.sn], ['table', 'options']]), formatCommaList(pairs));
  }

  /**
   * Anything else, for malformed-traffic tests. `query`: a string is sent verbatim; an object is encoded with
   * SN first. `headers`: added to the firmware's headers; a null value removes one (e.g. `'Content-Type': null`).
   * `Expect`, `Connection` and `Transfer-Encoding` headers go through node:http, since fetch refuses them.
   */
  async uploadRaw(
    path: string,
    query: string | Record<string, string | number> = {},
    body?: string | Buffer,
    headers: Record<string, string | null> = {},
    opts: { method?: string } = {},
  ): Promise<HttpResult> {
    const q =
      typeof query === 'string'
        ? query
        : buildQuery([...(Object.keys(query).some((k) => k.toLowerCase() === 'sn') ? [] : [['SN', this.sn] as [string, string]]), ...Object.entries(query)]);
    return this.send(opts.method ?? (body === undefined ? 'GET' : 'POST'), path, q, body, headers);
  }

  /**
   * Fault: the reply to an upload was lost, so the device posts that upload again, byte for byte (`back` = 0 the last
   * one, 1 the one before, ...).
   */
  async uploadAgain(back = 0): Promise<UploadResult> {
    const u = this.uploads[this.uploads.length - 1 - back];
    if (!u) throw new Error(`${this.sn}: no upload to send again`);
    return this.upload(u.path, u.query, u.body);
  }

  private async upload(path: string, query: string, body: string): Promise<UploadResult> {
    const res = await this.send('POST', path, query, body);
    this.uploads.push({ path, query, body, status: res.status, response: res.body });
    return { ...res, sent: body };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Access: a person presents a credential at a door
  // -------------------------------------------------------------------------------------------------------------

  /** Whether one of the panel's function flags is on (`Name` or `~Name`, as it registered). */
  flagOn(name: string): boolean {
    return (this.options.get(name) ?? this.options.get(`~${name}`)) === '1';
  }

  /** The decision the panel would take now (no upload), reading its tables by its current options. */
  evaluateAccess(req: { pin?: string | number; cardno?: string | number; door: number; time?: Date }): AccessDecision {
    const at = req.time ?? this.clock();
    return evaluateAccess(
      this.tables,
      { pin: req.pin === undefined ? undefined : String(req.pin), cardno: req.cardno === undefined ? undefined : String(req.cardno), door: req.door },
      wallClock(at, this.zone),
      { mulCard: this.flagOn('MulCardUserFunOn'), dateFmt: this.flagOn('DateFmtFunOn'), doorValidTz: this.options.get(`Door${req.door}ValidTZ`) },
    );
  }

  /**
   * Temperature screening fields of an rtlog line (7.2): `maskflag`, `temperature` in the device's IRTempUnit
   * (0 Celsius, 1 Fahrenheit; default 0) and `convtemperature` in the unit the server asked for with
   * IRTempUnitTrans (the device's own unit when it did not). `0` means not measured, as firmware sends it.
   */
  screeningFields(s: { maskflag?: 0 | 1; celsius?: number }): Record<string, string> {
    const unitOf = (v: string | undefined) => (v === '1' ? 'F' : 'C');
    const own = unitOf(this.options.get('IRTempUnit'));
    const trans = this.serverOptions.IRTempUnitTrans === undefined ? own : unitOf(this.serverOptions.IRTempUnitTrans);
    const inUnit = (u: 'C' | 'F') => (s.celsius === undefined ? '0' : (u === 'F' ? (s.celsius * 9) / 5 + 32 : s.celsius).toFixed(1));
    return { maskflag: String(s.maskflag ?? 0), temperature: inUnit(own), convtemperature: inUnit(trans) };
  }

  /** 7.9: an ATTPHOTO snapshot named as firmware names it, `<yyyyMMddHHmmss of the event>[-<pin>].jpg`. */
  async uploadSnapshot(at: Date | string, pin: string | number | undefined, jpegBase64: string): Promise<UploadResult> {
    const stamp = (typeof at === 'string' ? at : this.deviceTime(at)).replace(/\D/g, '');
    const name = pin === undefined || String(pin) === '0' || String(pin) === '' ? `${stamp}.jpg` : `${stamp}-${pin}.jpg`;
    return this.uploadTable('ATTPHOTO', [{ pin: name, sn: this.sn, size: Buffer.from(jpegBase64, 'base64').length, photo: jpegBase64 }]);
  }

  /**
   * 7.15: the IPC camera linked to an access record took photos: `POST /iclock/cdata?SN=&table=linkphotoinfo`, one
   * line per photo, `LogIndex=<the rtlog index>\tPhotoInfo=<file name>\tLinkVideo=<chn-pre-post>\tPhotoData=<base64>`,
   * each ended by CR LF as the manual's format gives it. The file name is `<device time>-link-ch<n>.jpg` unless given.
   */
  async uploadLinkPhotos(logIndex: number | string, photos: Array<{ jpegBase64: string; photoInfo?: string; linkVideo?: string }>): Promise<UploadResult> {
    const stamp = this.deviceTime(this.clock()).replace(/\D/g, '');
    const lines = photos.map((p, ch) =>
      formatRecord([
        ['LogIndex', logIndex],
        ['PhotoInfo', p.photoInfo ?? `${stamp}-link-ch${ch}.jpg`],
        ['LinkVideo', p.linkVideo ?? '1-30-30'],
        ['PhotoData', p.jpegBase64],
      ]),
    );
    return this.upload('/iclock/cdata', buildQuery([['SN', this.sn], ['table', 'linkphotoinfo']]), lines.map((l) => `${l}\r\n`).join(''));
  }

  /**
   * Present a credential: decide from the device tables, release the lock when granted, upload the rtlog event.
   * With `screening`, the line carries the mask flag and temperature; with `snapshot`, the camera's picture
   * follows as ATTPHOTO; with `linkPhotos`, the linked IPC camera's photos follow as linkphotoinfo (7.15) naming the
   * event's index.
   */
  async access(req: {
    pin?: string | number;
    cardno?: string | number;
    door: number;
    inoutstatus?: number;
    verifytype?: number | string;
    time?: Date;
    screening?: { maskflag?: 0 | 1; celsius?: number };
    snapshot?: string;
    linkPhotos?: string[];
  }): Promise<{ decision: AccessDecision; upload: UploadResult }> {
    const at = req.time ?? this.clock();
    const index = this.nextIndex;
    const decision = this.evaluateAccess({ ...req, time: at });
    if (decision.granted) {
      const d = this.doorStates[req.door - 1];
      const secs = Number(this.options.get(`Door${req.door}Drivertime`) ?? '5') || 5;
      if (d) d.openUntil = new Date(at.getTime() + secs * 1000);
    }
    const upload = await this.uploadRtlog([
      {
        time: at,
        pin: decision.pin,
        cardno: decision.cardno,
        eventaddr: req.door,
        event: decision.event,
        inoutstatus: req.inoutstatus ?? 0,
        verifytype: req.verifytype ?? (req.cardno !== undefined ? 4 : 1),
        ...(req.screening ? this.screeningFields(req.screening) : {}),
      },
    ]);
    if (req.snapshot) await this.uploadSnapshot(at, decision.pin, req.snapshot);
    if (req.linkPhotos?.length) await this.uploadLinkPhotos(index, req.linkPhotos.map((jpegBase64) => ({ jpegBase64 })));
    return { decision, upload };
  }

  /**
   * Manual 10, remote identification (AutoServerFunOn): the panel asks the server instead of deciding itself.
   *   POST /iclock/cdata?SN=<sn>&AuthType=device
   *   time=..<HT>pin=..<HT>cardno=..<HT>addrtype=..<HT>eventaddr=..<HT>event=..<HT>inoutstatus=..<HT>verifytype=..
   * The answer's lines (CR LF): `AUTH=SUCCESS|FAILED|TIMEOUT`, the record echoed, then optionally
   * `CONTROL DEVICE AABBCCDD` (executed here, as the panel executes it) and `TIPS=`. `body` replaces the record
   * (a malformed request); `resend` posts the previous request again, byte for byte (our answer was lost).
   */
  async remoteIdentify(req: {
    pin?: string | number;
    cardno?: string | number;
    door?: number;
    addrtype?: number;
    event?: number;
    inoutstatus?: number;
    verifytype?: number | string;
    time?: Date | string;
    body?: string;
    resend?: boolean;
  }): Promise<UploadResult & { auth: string | null; record: string | null; control: string | null; tips: string | null; lines: string[] }> {
    let body: string;
    if (req.resend && this.lastRemoteIdentify !== undefined) body = this.lastRemoteIdentify;
    else if (req.body !== undefined) body = req.body;
    else {
      const time = typeof req.time === 'string' ? req.time : this.deviceTime(req.time ?? this.clock());
      body = formatRecord([
        ['time', time],
        ['pin', req.pin ?? 0],
        ['cardno', req.cardno ?? 0],
        ['addrtype', req.addrtype ?? 2],
        ['eventaddr', req.door ?? 1],
        ['event', req.event ?? 0],
        ['inoutstatus', req.inoutstatus ?? 0],
        ['verifytype', req.verifytype ?? (req.cardno !== undefined ? 4 : 1)],
      ]);
    }
    this.lastRemoteIdentify = body;
    const res = await this.upload('/iclock/cdata', buildQuery([['SN', this.sn], ['AuthType', 'device']]), body);
    const lines = res.status === 200 ? res.body.split('\r\n') : [];
    const auth = lines[0]?.startsWith('AUTH=') ? lines[0].slice(5) : null;
    const control = lines.find((l) => l.startsWith('CONTROL DEVICE ')) ?? null;
    const tips = lines.find((l) => l.startsWith('TIPS='))?.slice(5) ?? null;
    const record = auth !== null && lines[1] !== undefined && lines[1] !== control && !lines[1].startsWith('TIPS=') ? lines[1] : null;
    if (auth === 'SUCCESS' && control) {
      const bytes = parseControlBytes(control.slice('CONTROL DEVICE '.length));
      if (bytes) {
        const { actions } = applyControl(bytes, { doors: this.doorStates, auxOut: this.opts.auxOut ?? this.doorCount, now: this.clock(), cmdId: 'remote', raw: control });
        this.doorActions.push(...actions);
      }
    }
    return { ...res, sent: body, auth, record, control, tips, lines };
  }

  private lastRemoteIdentify: string | undefined;

  // -------------------------------------------------------------------------------------------------------------
  // Accessors for tests
  // -------------------------------------------------------------------------------------------------------------

  /** Rows of a device table as key maps (copies, insertion order). */
  table(name: string): Row[] {
    return this.tables.rows(name);
  }

  user(pin: string | number): Row | undefined {
    return this.tables.rows('user').find((u) => u.Pin === String(pin));
  }

  rightsOf(pin: string | number): AccessRight[] {
    return this.tables
      .rows('userauthorize')
      .filter((r) => r.Pin === String(pin))
      .map(toRight);
  }

  /** Door state; `unlocked` evaluated on the device clock. */
  doorState(door: number): DoorState & { unlocked: boolean } {
    const d = this.doorStates[door - 1];
    if (!d) throw new Error(`door ${door} does not exist (LockCount=${this.doorCount})`);
    return { ...d, unlocked: isUnlocked(d, this.clock()) };
  }

  get doors(): Array<DoorState & { unlocked: boolean }> {
    return this.doorStates.map((d) => this.doorState(d.door));
  }

  setDoorSensor(door: number, state: SensorState): void {
    this.doorState(door);
    this.doorStates[door - 1].sensor = state;
  }

  /** Set alarm bits of a door (bit 0 accidental opening, bit 1 tamper, ... per 7.3). */
  raiseAlarm(door: number, bits: number): void {
    this.doorState(door);
    this.doorStates[door - 1].alarm |= bits;
  }

  /** Warnings: unknown fields, empty keys, wiped tables, failed commands. */
  get warnings(): string[] {
    return this.tables.warnings;
  }

  /** Results reported for one command ID. */
  ackFor(id: string | number): Acknowledgement | undefined {
    return [...this.acknowledged].reverse().find((a) => a.id === String(id));
  }

  // -------------------------------------------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------------------------------------------

  private firmwareHeaders(withBody: boolean): Record<string, string> {
    const h: Record<string, string> = {
      'User-Agent': this.opts.userAgent ?? 'iClock Proxy/1.09',
      Accept: 'application/push',
      'Accept-Charset': 'UTF-8',
      'Accept-Language': 'zh-CN',
    };
    if (withBody) {
      h['Content-Type'] = 'application/push;charset=UTF-8';
      h['Content-Language'] = 'zh-CN';
    }
    const token = this.token;
    if (token) h.Cookie = `token=${token}`;
    return h;
  }

  private async send(method: string, path: string, query: string, body?: string | Buffer, extraHeaders: Record<string, string | null> = {}): Promise<HttpResult> {
    const base = this.opts.baseUrl.replace(/\/+$/, '');
    const url = `${base}${path}${query ? `?${query}` : ''}`;
    const headers = this.firmwareHeaders(body !== undefined);
    for (const [k, v] of Object.entries(extraHeaders)) {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === k.toLowerCase()) delete headers[existing];
      if (v !== null) headers[k] = v;
    }
    const buf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const started = Date.now();
    const raw = needsRawHttp(headers);
    const ex: Exchange = {
      at: this.nowFn(),
      transport: raw ? 'http' : 'fetch',
      method,
      url,
      path,
      query,
      requestHeaders: headers,
      requestBody: buf?.toString('utf8'),
      durationMs: 0,
    };
    try {
      const res = raw ? await viaNodeHttp(url, method, headers, buf) : await viaFetch(this.fetchImpl, url, method, headers, method === 'GET' ? undefined : buf);
      ex.status = res.status;
      ex.responseHeaders = res.headers;
      ex.responseBody = res.body;
      this.lastStatus = res.status;
      return res;
    } catch (e) {
      ex.error = (e as Error).message;
      throw e;
    } finally {
      ex.durationMs = Date.now() - started;
      this.exchanges.push(ex);
      const max = this.opts.maxExchanges ?? 2000;
      if (this.exchanges.length > max) this.exchanges.splice(0, this.exchanges.length - max);
      this.opts.onExchange?.(ex);
    }
  }
}

/** Size= must equal the base64 length for userpic / biophoto downloads (-12 on real firmware). */
function sizeMismatch(table: string, r: Row): string | undefined {
  const pairs: Record<string, [string, string]> = { userpic: ['size', 'content'], biophoto: ['Size', 'Content'] };
  const p = pairs[table];
  if (!p) return undefined;
  const size = getField(r, p[0], false);
  const content = getField(r, p[1], false);
  if (size === undefined || content === undefined || content === '') return undefined;
  if (Number(size) !== content.length) return `${table} ${p[0]}=${size} but ${p[1]} has ${content.length} characters`;
  return undefined;
}

/** `yyyy-MM-dd HH:mm:ss` → Appendix-5 seconds (wall-clock fields, no zone). */
function zkFromText(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) return 0;
  return zkEncode(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]);
}

function macFor(sn: string): string {
  const h = md5Hex(sn);
  return `00:17:61:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
