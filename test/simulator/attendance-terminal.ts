/**
 * Plays an attendance terminal (SpeedFace, iFace, ProFace...) on the Attendance PUSH protocol, written from the
 * vendor's attendance manual and the field samples, independently of `src/`:
 *
 * - initialisation `GET /iclock/cdata?SN=&options=all&pushver=&language=[&pushcommkey=]` (manual 5), never
 *   `/iclock/registry`; the `GET OPTION FROM:` block is kept in `serverOptions`;
 * - polls `GET /iclock/getrequest?SN=[&INFO=...]` (9, 12) and runs `C:<id>:<command>` lines in its own dialect:
 *   `DATA UPDATE|DELETE|QUERY USERINFO/FINGERTMP/FACE/FVEIN/BIODATA/USERPIC/BIOPHOTO`, `DATA QUERY ATTLOG`
 *   (answered by uploading the period as ATTLOG), `CLEAR`, `CHECK`, `LOG`, `INFO`, options, enrolment, control;
 * - refuses the Security PUSH forms the way attendance firmware does: lower-case tables (`user`, `userauthorize`,
 *   `timezone`...) and `DATA QUERY tablename=` answer -1004 (field samples rc-ged-user-table-1004,
 *   rc-sf3a-table-form-1004); `FINGERTMP` on BIODATA-era firmware answers -12 (rc-iface950-fingertmp-12);
 *   a USERPIC whose Size differs from the content answers -12; an empty `DATA QUERY ATTLOG` answers -1; a
 *   `DATA DELETE` for a PIN it holds nothing of answers -10 (manual Appendix 1: the user does not exist);
 * - answers on `/iclock/devicecmd` as `ID=<id>&Return=<n>&CMD=<first word>` lines;
 * - uploads ATTLOG (positional, TAB-separated), OPERLOG (OPLOG/USER/FP/BIODATA lines) and ATTPHOTO, and data
 *   packets (11.14: the lines of a table in a tgz, `ContentType=tgz`);
 * - misbehaves on demand with the faults the access panel has (faults.ts, README "Faults"), matched on the
 *   command text: `loseNextReply`, `failCommands`, `holdResults` / `releaseResults` / `dropHeldResults`,
 *   `factoryReset` (then the terminal initialises again), `deleteUserLocally` and `deleteFingerprintsLocally`.
 */
import { gzipSync } from 'node:zlib';
import { FaultPlan, type CommandFault } from './faults';
import { viaFetch, type FetchLike, type HttpResult } from './http';

export interface TerminalUser {
  pin: string;
  name: string;
  pri: number;
  passwd: string;
  card: string;
  grp: number;
  tz: string;
  verify: number;
  /** The secondary card (`ViceCard=`, manual 11.5 and 12.1.1.1); absent or empty when it holds none. */
  viceCard?: string;
  fields: Record<string, string>;
}

export interface TerminalTemplate {
  table: 'FINGERTMP' | 'FACE' | 'FVEIN' | 'BIODATA';
  pin: string;
  fields: Record<string, string>;
}

export interface TerminalPunch {
  pin: string;
  /** `yyyy-MM-dd HH:mm:ss`, the terminal's wall clock. */
  time: string;
  status: number;
  verify: number;
  workCode?: string;
}

export interface ExecutedCommand {
  id: string;
  command: string;
  returnCode: number;
}

export interface AttendanceTerminalOptions {
  baseUrl: string;
  sn: string;
  fetch?: FetchLike;
  /** `pushver=` of the initialisation (default 2.4.1); null leaves it out (old firmware: `SN` and `options=all` alone). */
  pushver?: string | null;
  /**
   * `language=` (default 69, English). 83 (Simplified Chinese, manual Appendix 2) makes the terminal a Chinese one
   * (manual 1.2: "For Chinese data, the GB2312 encoding is used"): it reads every reply as GBK whatever its
   * Content-Type says, and its uploads are GBK under the `charset=UTF-8` it still declares. null leaves it out.
   */
  language?: string | null;
  /**
   * Older firmware not set to Chinese that keeps names in Latin-1, not UTF-8 (what the manual asks, 1.2): its uploads
   * are Latin-1 under the `charset=UTF-8` it declares, and it reads every reply as Latin-1 whatever its Content-Type.
   */
  latin1?: boolean;
  /** `pushcommkey=` (default a fixed 32-hex key); null leaves it out (optional in the manual, section 5). */
  pushcommkey?: string | null;
  /** `DeviceType=` on the initialisation (field samples send `att`); null leaves it out (the manual's form). */
  deviceType?: string | null;
  /** `PushOptionsFlag=1` on the initialisation, as every attendance firmware of the field samples sends it (default: left out, the manual's form). */
  pushOptionsFlag?: boolean;
  firmware?: string;
  /** `~DeviceName` pushed on `table=options` (default SpeedFace-V5L). */
  deviceName?: string;
  /**
   * BIODATA-era firmware (default true): FINGERTMP answers -12, BIODATA is taken (of the types its
   * MultiBioDataSupport announces). false: firmware of the separate FINGERTMP/FACE/FVEIN tables, which has no BIODATA
   * table (manual 3.1 and 12.1.1.6: unified templates come with the hybrid protocol): every BIODATA command answers
   * -1004 (field notes 5: an unsupported table), unless `biodataTable` says it has one.
   */
  biodataFirmware?: boolean;
  /**
   * Whether its firmware has the BIODATA table though its options push announces neither BioDataFun nor
   * MultiBioDataSupport (default: as biodataFirmware, or a fingerprint algorithm above 10.0, `fpVersion` > 10, which
   * FINGERTMP cannot carry, manual 12.1.1.3): firmware of that algorithm that still writes its options the old way.
   */
  biodataTable?: boolean;
  /** FPVersion of its options push, its fingerprint algorithm (default 12 on BIODATA-era firmware, else 10). */
  fpVersion?: number;
  /** MultiBioDataSupport of its options push (default `0:1:1:0:0:0:0:0:0:1`: fingerprint, near-infrared and visible-light face). */
  multiBioDataSupport?: string;
  /**
   * MultiBioVersion of its options push on BIODATA-era firmware (manual 3.1, Appendix 18: `0:10:0:0:0:0:0:0:0:5`,
   * the algorithm of each type); none by default. It stores a template of another version as it stores any, and never
   * matches it: the server must not send one.
   */
  multiBioVersion?: string;
  /**
   * Its biometric function switches as its options push reports them (attendance manual 8: `FingerFunOn`, `FaceFunOn`,
   * `FvFunOn`, `PvFunOn`); default FingerFunOn=1 and FaceFunOn=1, the others not pushed. A function switched off
   * still lets its table store a template; the terminal never matches it, so the server must not send one.
   */
  functionSwitches?: Partial<Record<'FingerFunOn' | 'FaceFunOn' | 'FvFunOn' | 'PvFunOn', '0' | '1'>>;
  /** FaceVersion of its options push and its INFO's face algorithm (value 7; default: not in its options, 7 in its INFO). */
  faceVersion?: number;
  /**
   * Comparison photos (12.1.1.8): BioPhotoFun=1 and this MultiBioPhotoSupport in its options push (a SpeedFace-V5L
   * takes `0:0:0:0:0:0:0:0:0:1`, the visible-light face). Absent: neither is pushed, and BIOPHOTO answers -1004.
   */
  multiBioPhotoSupport?: string;
  /**
   * With multiBioPhotoSupport, whether its options push names BioPhotoFun and MultiBioPhotoSupport (default true).
   * false: a SpeedFace-V5L on ZAM180 firmware, which names neither and says it takes comparison photos only by its
   * INFO function bits (`11110`, field samples getrequest-info-v5l-zam180, opt-speedface-v5l-zam180).
   */
  bioPhotoOptions?: boolean;
  /** Lines end with CR LF (BOCK samples) instead of LF. */
  crlf?: boolean;
  /** A trailing TAB after each ATTLOG record (field sample up-attlog-bock-trailing-tab). */
  trailingTab?: boolean;
  /**
   * Runs only the first this many commands of a getrequest reply and drops the rest unanswered, as an AiFace
   * does with one (field sample poll-aiface-adaptive: "getrequest hands out ONE command per poll on this
   * firmware"). Default: every command of the reply.
   */
  commandsPerPoll?: number;
  /** Posts each command's result in its own `/iclock/devicecmd` body, as some firmware does (default: one body a reply). */
  resultPerPost?: boolean;
  /**
   * Sends each command's result in the query of a `GET /iclock/devicecmd?SN=&ID=&Return=&CMD=` with no body, the
   * method the attendance manual's section 13 annotation names (default: POSTed bodies). An INFO result's information
   * lines have no room there: it sends only the result.
   */
  resultsAsGet?: boolean;
  /**
   * Where the records a `DATA QUERY` asks for go (default `cdata`: as the uploads they are, manual 12.1.3).
   * `querydata`: as Push 3.x firmware answers queries, `POST /iclock/querydata?SN=&type=tabledata&cmdid=<id>&
   * tablename=<table>&count=<n>&packcnt=<k>&packidx=<i>`, in packets of `queryPacketSize` lines (field notes 4).
   */
  queryResultsVia?: 'cdata' | 'querydata';
  /** Lines per querydata packet (default 100). */
  queryPacketSize?: number;
  /**
   * `PushVersion=` of its options push (none by default). Push 3.x firmware (`Ver 3.1.6S-…`) handed the TransFlag
   * names instead of digits transmits nothing (field notes 14): its punches stay in its log, unsent, until an
   * initialisation gives it the digits.
   */
  pushVersion?: string;
  /**
   * Push 3.x firmware set to the attendance module that also registers the Security PUSH way (Security manual 4.4:
   * `DeviceType=att` is the attendance module): an initialisation block without `registry=ok` and its RegistryCode
   * (4.1) is taken for "not registered", and it posts `/iclock/registry` and `/iclock/push` before going on.
   */
  registers?: boolean;
  /**
   * Keeps a Stamp per record and resumes from the one it is handed (manual 5, "resuming transmission from
   * breakpoint"): each punch it records gets the next ATTLOG stamp of its own (1, 2, ...; they restart when its log is
   * cleared: a factory reset, `CLEAR LOG`/`CLEAR DATA`, a fresh unit), an ATTLOG upload carries the highest stamp it
   * holds, and only an acknowledged upload moves its mark. An initialisation sets the mark to the `ATTLOGStamp` it is
   * handed (0, `None` or none: nothing uploaded) and uploads every record above it; a punch uploads every record above
   * the mark. Off by default: the terminal then uploads each punch once with a running upload counter as its Stamp.
   */
  stampResume?: boolean;
  /**
   * With stampResume: real-time upload (Realtime=1) sends each punch the moment it is made, under its own record's
   * stamp, whether or not that lies above its mark (a new record is new to it), with whatever else lies above the
   * mark; the acknowledged upload's stamp is its mark from then on. After its numbering started again (its records
   * cleared at its menu, a firmware upgrade, a new mainboard) its uploads so carry Stamps below the one it was handed.
   */
  realtimeBelowMark?: boolean;
  /**
   * Firmware that never sends the initialisation and only polls with `INFO=` (field sample NYU7252102010): it
   * answers CHECK with 0 and does not read the initialisation (nor hand anything back).
   */
  infoOnly?: boolean;
  /**
   * Firmware whose fingerprint count (INFO value 3, `FPCount=` of the INFO command's result) is 0 whatever it holds
   * (the count is meaningless on some firmware).
   */
  fingerprintCountZero?: boolean;
  /**
   * Firmware whose user count (INFO value 2, `UserCount=` of the INFO command's result) is 0 whatever it holds: no
   * firmware is known to, but a gateway judging a 0 must not loop on one that does.
   */
  userCountZero?: boolean;
  /**
   * Its options push carries its counts as the SpeedFace-V5L's and SenseFace 2A's do (field samples
   * opt-speedface-v5l-zam180, opt-senseface2a-zam70-3312: `TransactionCount=`, `UserCount=`, `FPCount=`).
   */
  optionsCounts?: boolean;
  /**
   * Keeps PINs as numbers, as terminals configured for numeric PINs do: a command for PIN 0412 is about its user 412
   * (stored, replaced, deleted, queried as 412), and what it uploads (ATTLOG punches, USER and template lines, OPLOG)
   * names 412. A PIN with anything but digits it cannot hold: the command answers -1002. Default: PINs kept as written.
   */
  numericPins?: boolean;
}

const DEFAULT_KEY = '4a9594af164f2b9779b59e8554b5df26';

/** A punch as an ATTLOG line (11.2): PIN, time, status, verify, work code, two reserved fields. */
function attlogLine(p: TerminalPunch, trailingTab: boolean): string {
  return [p.pin, p.time, p.status, p.verify, p.workCode ?? '', 0, 0].join('\t') + (trailingTab ? '\t' : '');
}

/** Splits `k=v<HT>k=v` (manual TAB form). */
function fieldsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tok of text.split('\t')) {
    const eq = tok.indexOf('=');
    if (eq > 0) out[tok.slice(0, eq).trim()] = tok.slice(eq + 1);
  }
  return out;
}

const get = (f: Record<string, string>, k: string): string | undefined => {
  const want = k.toLowerCase();
  for (const [key, v] of Object.entries(f)) if (key.toLowerCase() === want) return v;
  return undefined;
};

export class AttendanceTerminal {
  readonly sn: string;
  /** The server's initialisation block, key → value (first line `GET OPTION FROM: <sn>` kept in `optionFrom`). */
  serverOptions: Record<string, string> = {};
  optionFrom: string | null = null;
  /** Body of the last initialisation reply. */
  initBody = '';
  /** RegistryCode of the last `/iclock/registry` (a terminal with `registers`), and how often it registered. */
  registryCode: string | null = null;
  registrations = 0;
  readonly users = new Map<string, TerminalUser>();
  readonly templates: TerminalTemplate[] = [];
  readonly photos = new Map<string, { table: 'USERPIC' | 'BIOPHOTO'; content: string }>();
  /** Its BIOPHOTO table (comparison photos, 12.1.1.8): by PIN, then by Type, the photo (base64) it compares faces with. */
  readonly biophotos = new Map<string, Map<string, string>>();
  /** Every punch the terminal holds (its own attendance log). */
  readonly log: TerminalPunch[] = [];
  readonly executed: ExecutedCommand[] = [];
  readonly options = new Map<string, string>();
  /** While false, punches stay in the log and nothing is sent (network or gateway outage). */
  online = true;
  /** Results held back by `holdResults` (the commands ran), posted by `releaseResults`. */
  readonly pendingAcks: ExecutedCommand[] = [];
  private readonly faults = new FaultPlan<string>();
  /** Getrequest replies lost on the way (`loseNextReply`). */
  readonly lostReplies = this.faults.lostReplies;
  private stamp = 0;
  /** The Stamp of its last attendance photo (ATTPHOTO uploads): its own, restarting when they are cleared. */
  private photoStamp = 0;
  /** stampResume: the stamp of each record of `log` (same order), the last one given, and the mark (uploaded up to). */
  private readonly logStamps: number[] = [];
  private logSeq = 0;
  /** stampResume: the highest stamp it believes the server holds (set at initialisation, moved by an acknowledged upload). */
  uploadedTo = 0;
  /** Uploads whose reply never reaches the terminal (`loseNextUploadReply`: a power cut or a lost reply mid-upload). */
  private uploadRepliesToLose = 0;
  /** The last rtlog `index` it gave (punchRealtime). */
  private rtlogIndex = 0;
  /** The id of the command being run (querydata answers carry it as `cmdid`). */
  private runningId = '';
  private readonly fetchImpl: FetchLike;
  private readonly opts: AttendanceTerminalOptions;

  constructor(opts: AttendanceTerminalOptions) {
    this.opts = { ...opts };
    this.sn = opts.sn;
    this.fetchImpl = opts.fetch ?? (globalThis.fetch as unknown as FetchLike);
  }

  /**
   * The PIN it keeps for one it is given or keyed in: with `numericPins` the number a digit PIN stands for ("0412"
   * is 412, an all-zero PIN 0), null for one it cannot hold (letters); else the PIN as written.
   */
  pinOf(pin: string): string | null {
    if (!this.opts.numericPins) return pin;
    return /^[0-9]+$/.test(pin) ? pin.replace(/^0+(?=.)/, '') : null;
  }

  /** The terminal's text encoding: GBK when set to Chinese (language 83), Latin-1 on older firmware (`latin1`), else UTF-8. */
  get encoding(): 'gbk' | 'utf-8' | 'latin1' {
    if (this.opts.latin1) return 'latin1';
    return this.opts.language === '83' ? 'gbk' : 'utf-8';
  }

  /** Text as the terminal's bytes. */
  encode(text: string): Buffer {
    if (this.encoding === 'latin1') return Buffer.from([...text].map((c) => (c.length === 1 && c.charCodeAt(0) <= 0xff ? c : '?')).join(''), 'latin1');
    return this.encoding === 'gbk' ? gbkOf(text) : Buffer.from(text, 'utf8');
  }

  private get eol(): string {
    return this.opts.crlf ? '\r\n' : '\n';
  }

  private async send(method: string, path: string, params: Array<[string, string]>, body?: string | Buffer): Promise<HttpResult> {
    const q = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    const headers: Record<string, string> = { 'User-Agent': 'iClock Proxy/1.09', Accept: '*/*' };
    if (body !== undefined) headers['Content-Type'] = 'application/push;charset=UTF-8';
    const bytes = body === undefined ? undefined : typeof body === 'string' ? this.encode(body) : body;
    const decoder = new TextDecoder(this.encoding === 'latin1' ? 'iso-8859-1' : this.encoding);
    return viaFetch(this.fetchImpl, `${this.opts.baseUrl.replace(/\/+$/, '')}${path}?${q}`, method, headers, bytes, (b) => decoder.decode(b));
  }

  /** Security PUSH 4.4 and 4.5 (`registers`): `RegistryCode=` kept, then the configuration fetched. */
  private async register(): Promise<void> {
    const body = [
      'DeviceType=att',
      `~DeviceName=${this.opts.deviceName ?? 'SpeedFace-V5L'}`,
      `FirmVer=${this.opts.firmware ?? 'ZAM180-NF50VA-Ver3.4.9'}`,
      `PushVersion=${this.opts.pushVersion ?? 'Ver 3.1.2S-20250616'}`,
    ].join(',');
    const r = await this.send('POST', '/iclock/registry', [['SN', this.sn]], body);
    this.registrations++;
    this.registryCode = /^RegistryCode=(\S+)/.exec(r.body)?.[1] ?? null;
    if (this.registryCode) await this.send('POST', '/iclock/push', [['SN', this.sn]], '');
  }

  /** Initialisation (manual 5). Answers whether the server sent its option block (false: `OK`, not admitted). */
  async init(): Promise<boolean> {
    const params: Array<[string, string]> = [['SN', this.sn], ['options', 'all']];
    if (this.opts.pushver !== null) params.push(['pushver', this.opts.pushver ?? '2.4.1']);
    if (this.opts.language !== null) params.push(['language', this.opts.language ?? '69']);
    if (this.opts.pushcommkey !== null) params.push(['pushcommkey', this.opts.pushcommkey ?? DEFAULT_KEY]);
    if (this.opts.deviceType !== null) params.push(['DeviceType', this.opts.deviceType ?? 'att']);
    if (this.opts.pushOptionsFlag) params.push(['PushOptionsFlag', '1']);
    const r = await this.send('GET', '/iclock/cdata', params);
    this.initBody = r.body;
    const lines = r.body.split(/\r?\n/);
    if (!lines[0].startsWith('GET OPTION FROM:')) return false;
    this.optionFrom = lines[0].slice('GET OPTION FROM:'.length).trim();
    this.serverOptions = {};
    for (const l of lines.slice(1)) {
      const eq = l.indexOf('=');
      if (eq > 0) this.serverOptions[l.slice(0, eq)] = l.slice(eq + 1);
    }
    if (this.opts.registers && !(this.serverOptions.registry === 'ok' && this.serverOptions.RegistryCode)) await this.register();
    // PushOptionsFlag=1: the terminal pushes its configuration (manual 8), comma-separated.
    if (this.serverOptions.PushOptionsFlag === '1') {
      const biodata = this.opts.biodataFirmware !== false;
      const opts = [
        `~DeviceName=${this.opts.deviceName ?? 'SpeedFace-V5L'}`,
        `FirmVer=${this.opts.firmware ?? 'Ver 8.0.4.3-20220708'}`,
        ...Object.entries({ FingerFunOn: '1', FaceFunOn: '1', ...this.opts.functionSwitches }).map(([k, v]) => `${k}=${v}`),
        `FPVersion=${this.opts.fpVersion ?? (biodata ? 12 : 10)}`,
        ...(this.opts.faceVersion !== undefined ? [`FaceVersion=${this.opts.faceVersion}`] : []),
        ...(biodata ? ['BioDataFun=1', `MultiBioDataSupport=${this.opts.multiBioDataSupport ?? '0:1:1:0:0:0:0:0:0:1'}`] : []),
        ...(biodata && this.opts.multiBioVersion !== undefined ? [`MultiBioVersion=${this.opts.multiBioVersion}`] : []),
        ...(this.opts.pushVersion ? [`PushVersion=${this.opts.pushVersion}`] : []),
        ...(this.opts.multiBioPhotoSupport && this.opts.bioPhotoOptions !== false ? ['BioPhotoFun=1', `MultiBioPhotoSupport=${this.opts.multiBioPhotoSupport}`] : []),
        ...(this.bioPhotoOff ? ['BioPhotoFun=0'] : []),
        ...(this.opts.optionsCounts ? [`TransactionCount=${this.log.length}`, `UserCount=${this.userCount()}`, `FPCount=${this.fingerprints()}`] : []),
      ];
      await this.send('POST', '/iclock/cdata', [['SN', this.sn], ['table', 'options']], opts.join(','));
    }
    // Resuming from the breakpoint it is handed (manual 5): every record above it goes now.
    if (this.opts.stampResume) {
      const handed = Number(this.serverOptions.ATTLOGStamp ?? this.serverOptions.Stamp);
      this.uploadedTo = Number.isSafeInteger(handed) && handed > 0 ? handed : 0;
      await this.uploadUnsent();
      return true;
    }
    // Allowed to transmit again: what it held back goes now (TransInterval).
    if (this.transmits && this.unsent.length > 0) {
      const rows = this.unsent.splice(0);
      if ((await this.uploadAttlog(rows)).status !== 200) this.unsent.unshift(...rows);
    }
    return true;
  }

  /** Punches made while it would not transmit (Push 3.x firmware handed the TransFlag names), not yet uploaded. */
  readonly unsent: TerminalPunch[] = [];

  /** False for Push 3.x firmware (pushVersion) whose initialisation gave TransFlag as names: it uploads nothing. */
  get transmits(): boolean {
    const major = Number(/^\s*[Vv]?(?:er\s*)?(\d+)/.exec(this.opts.pushVersion ?? '')?.[1]);
    return !(major >= 3) || /^\d+$/.test(this.serverOptions.TransFlag ?? '');
  }

  /**
   * `INFO=` value (manual 9): firmware, users, fingerprints, records, IP, FP/face algorithms, faces, functions (five
   * bits, a visible-light terminal's: fingerprint, face, user photo, comparison photo as it takes them, no
   * visible-light templates: the V5L's `11110`).
   */
  info(): string {
    const functions = `111${this.opts.multiBioPhotoSupport ? 1 : 0}0`;
    const fp = this.opts.biodataFirmware === false ? (this.opts.fpVersion ?? 10) : 10;
    return [this.opts.firmware ?? 'Ver 8.0.4.3-20220708', this.userCount(), this.fingerprints(), this.log.length, '192.168.1.201', fp, this.opts.faceVersion ?? 7, 15, 0, functions].join(',');
  }

  /** Its options push said BioPhotoFun=0 last (turnOffComparisonPhotos with inOptions). */
  private bioPhotoOff = false;

  /**
   * Comparison photos turned off at its menu (or by new firmware without them): BIOPHOTO answers -1004 from now on,
   * its INFO says 0 for them, and its next options push (at its next `init`) names neither key, or `BioPhotoFun=0`
   * with `inOptions`. The comparison photos it holds stay in its table.
   */
  turnOffComparisonPhotos(inOptions = false): void {
    this.opts.multiBioPhotoSupport = undefined;
    this.bioPhotoOff = inOptions;
  }

  /** Comparison photos turned on again: its next options push names them as its first did (the same body). */
  turnOnComparisonPhotos(multiBioPhotoSupport: string): void {
    this.opts.multiBioPhotoSupport = multiBioPhotoSupport;
    this.bioPhotoOff = false;
  }

  private userCount(): number {
    return this.opts.userCountZero ? 0 : this.users.size;
  }

  private fingerprints(): number {
    if (this.opts.fingerprintCountZero) return 0;
    return this.templates.filter((t) => t.table === 'FINGERTMP' || (t.table === 'BIODATA' && get(t.fields, 'Type') === '1')).length;
  }

  /** What the result of INFO carries after its first line: a few of the Biopro SA40's keys, with its counts now. */
  infoLines(): string {
    return [`UserCount=${this.userCount()}`, `FPCount=${this.fingerprints()}`, `TransactionCount=${this.log.length}`].join('\n');
  }

  /** One poll; runs what it gets and reports every result. Answers the commands run. */
  async poll(withInfo = false): Promise<ExecutedCommand[]> {
    if (!this.online) return [];
    const params: Array<[string, string]> = [['SN', this.sn]];
    if (withInfo) params.push(['INFO', this.info()]);
    const r = await this.send('GET', '/iclock/getrequest', params);
    if (this.faults.loses(r.body)) return [];
    const done: ExecutedCommand[] = [];
    const report: ExecutedCommand[] = [];
    let room = this.opts.commandsPerPoll ?? Infinity;
    for (const line of r.body.split('\n')) {
      const m = /^C:([^:]+):(.*)$/.exec(line.replace(/\r$/, ''));
      if (!m) continue;
      if (room-- <= 0) break;
      this.runningId = m[1];
      const code = this.faults.forcedCode(m[2]) ?? (await this.execute(m[2]));
      const d = { id: m[1], command: m[2], returnCode: code };
      done.push(d);
      (this.faults.holds(m[2]) ? this.pendingAcks : report).push(d);
    }
    await this.report(report);
    this.executed.push(...done);
    return done;
  }

  /** Posts results on `/iclock/devicecmd`, one `ID=&Return=&CMD=` line each. */
  private async report(results: ExecutedCommand[]): Promise<void> {
    if (results.length === 0) return;
    if (this.opts.resultsAsGet) {
      for (const d of results) {
        await this.send('GET', '/iclock/devicecmd', [['SN', this.sn], ['ID', d.id], ['Return', String(d.returnCode)], ['CMD', echo(d.command)]]);
      }
      return;
    }
    // The result of INFO (12.4.3) goes on with the terminal's information, one key=value a line (cmd-info-biopro-sa40),
    // whenever it succeeded: a Return of 0 or more (Appendix 1's errors are negative).
    const body = results
      .map((d) => `ID=${d.id}&Return=${d.returnCode}&CMD=${echo(d.command)}` + (d.command === 'INFO' && d.returnCode >= 0 ? `\n${this.infoLines()}` : ''))
      .join('\n');
    if (this.opts.resultPerPost) {
      for (const line of body.split(/\n(?=ID=)/)) await this.send('POST', '/iclock/devicecmd', [['SN', this.sn]], line);
      return;
    }
    await this.send('POST', '/iclock/devicecmd', [['SN', this.sn]], body);
  }

  // Faults (faults.ts; README "Faults"), matched on the command text.

  /** The next `n` getrequest replies that carry commands are lost: nothing runs, nothing is reported. */
  loseNextReply(n = 1): void {
    this.faults.loseNextReply(n);
  }

  /** Answers the commands `match` selects with `code`, not executed, `times` times (or 'always'). */
  failCommands(match: (command: string) => boolean, code: number, times: number | 'always' = 1): CommandFault<string> {
    return this.faults.failCommands(match, code, times);
  }

  clearFaults(): void {
    this.faults.clearFaults();
  }

  /** No more replies are lost: the losses asked for with `loseNextReply` and not yet used are dropped. */
  loseNoMoreReplies(): void {
    this.faults.loseNoMoreReplies();
  }

  /** Runs the commands `match` selects but holds their results in `pendingAcks`. */
  holdResults(match?: (command: string) => boolean): void {
    this.faults.holdResults(match);
  }

  stopHoldingResults(): void {
    this.faults.stopHoldingResults();
  }

  /** Posts the held results (late). */
  async releaseResults(): Promise<ExecutedCommand[]> {
    const results = this.pendingAcks.splice(0);
    await this.report(results);
    return results;
  }

  /**
   * New firmware announcing other biometric types: the MultiBioDataSupport of its next options push (sent at its
   * next `init`), its tables kept.
   */
  announceBioTypes(multiBioDataSupport: string): void {
    this.opts.multiBioDataSupport = multiBioDataSupport;
  }

  /**
   * An installer turns biometric functions on or off at its menu: the function switches of its next options push
   * (sent at its next `init`), its tables kept.
   */
  switchFunctions(switches: NonNullable<AttendanceTerminalOptions['functionSwitches']>): void {
    this.opts.functionSwitches = { ...this.opts.functionSwitches, ...switches };
  }

  /**
   * New firmware with other biometric algorithms: the MultiBioVersion of its next options push (sent at its next
   * `init`), its tables kept.
   */
  announceBioVersions(multiBioVersion: string): void {
    this.opts.multiBioVersion = multiBioVersion;
  }

  /**
   * A firmware upgrade: the FirmVer of its next options push (sent at its next `init`) and, with `biodataFirmware`,
   * whether it takes BIODATA-era options (BioDataFun, MultiBioDataSupport); its tables kept.
   */
  upgradeFirmware(firmware: string, biodataFirmware = true): void {
    this.opts.firmware = firmware;
    this.opts.biodataFirmware = biodataFirmware;
  }

  /** Forgets the held results: those commands are never acknowledged. */
  dropHeldResults(): ExecutedCommand[] {
    return this.pendingAcks.splice(0);
  }

  /**
   * A factory reset: users, templates, photos, punches and options wiped, held results forgotten; then the
   * terminal initialises again as it does after any boot (its next INFO reports 0 users).
   */
  async factoryReset(): Promise<boolean> {
    this.users.clear();
    this.templates.length = 0;
    this.photos.clear();
    this.biophotos.clear();
    this.clearLog();
    this.options.clear();
    this.pendingAcks.splice(0);
    return this.init();
  }

  /** From now on the terminal talks to another server address (a load balancer sending it to another gateway process). */
  moveTo(baseUrl: string): void {
    this.opts.baseUrl = baseUrl;
  }

  /** A user deleted at the terminal (its menu) with their templates and photo; the server is not told. */
  deleteUserLocally(given: string): boolean {
    const pin = this.pinOf(given) ?? given;
    this.removeTemplates((t) => t.pin === pin);
    this.photos.delete(pin);
    this.biophotos.delete(pin);
    return this.users.delete(pin);
  }

  /**
   * A delete at its menu, reported as it does at once (Realtime=1) in an OPERLOG `OPLOG` record (attendance manual
   * 11.4, Appendices 3-4: 9 "Delete user", 10 "Delete fingerprint", 11 "Delete password", 12 "Delete RF card", operand 1
   * the user ID as it keeps it): the user with templates and photos, the user's fingerprints, password or card. Answers
   * the upload's reply; null when it holds no such user.
   */
  async deleteAtMenu(given: string, what: 'user' | 'fingerprint' | 'password' | 'card'): Promise<HttpResult | null> {
    const pin = this.pinOf(given) ?? given;
    const user = this.users.get(pin);
    if (!user) return null;
    if (what === 'user') this.deleteUserLocally(pin);
    else if (what === 'fingerprint') this.deleteFingerprintsLocally(pin);
    else if (what === 'password') user.passwd = '';
    else user.card = '';
    const op = { user: 9, fingerprint: 10, password: 11, card: 12 }[what];
    return this.uploadOperlog([`OPLOG ${op}\t0\t${nowWall()}\t${pin}\t0\t0\t0`]);
  }

  /**
   * Fingerprints deleted at the terminal (its menu, a partial wipe, a fingerprint module swapped): the FINGERTMP
   * templates and BIODATA Type 1 ones of `pins` (every pin's when none is named); its users, faces and photos stay.
   * The server is not told. Answers how many went.
   */
  deleteFingerprintsLocally(...given: string[]): number {
    const pins = given.map((p) => this.pinOf(p) ?? p);
    const before = this.templates.length;
    this.removeTemplates((t) => (pins.length === 0 || pins.includes(t.pin)) && (t.table === 'FINGERTMP' || (t.table === 'BIODATA' && get(t.fields, 'Type') === '1')));
    return before - this.templates.length;
  }

  /**
   * "Clear data" at its menu (it does not restart): users, templates, photos and its attendance log wiped, its record
   * stamps start again. The server is not told unless the test uploads the operation (OPLOG 13).
   */
  clearDataAtMenu(): void {
    this.users.clear();
    this.templates.length = 0;
    this.photos.clear();
    this.biophotos.clear();
    this.clearLog();
  }

  /**
   * Its attendance records deleted at its menu, or its numbering started again by a firmware upgrade or a new
   * mainboard keeping its users: the log is gone and its ATTLOG stamps (and, with `photos`, its ATTPHOTO ones) start
   * again from 1. Users and templates stay; the server is not told.
   */
  restartRecordsAtMenu(opts: { photos?: boolean } = {}): void {
    this.clearLog();
    if (opts.photos) this.photoStamp = 0;
  }

  /** Polls until a poll brings nothing (at most `max` polls). */
  async drain(max = 50): Promise<ExecutedCommand[]> {
    const all: ExecutedCommand[] = [];
    for (let i = 0; i < max; i++) {
      const got = await this.poll();
      if (got.length === 0) break;
      all.push(...got);
    }
    return all;
  }

  private async execute(command: string): Promise<number> {
    const sp = command.indexOf(' ');
    const verb = (sp < 0 ? command : command.slice(0, sp)).toUpperCase();
    const rest = sp < 0 ? '' : command.slice(sp + 1);
    switch (verb) {
      case 'DATA':
        return this.data(rest);
      case 'CLEAR': {
        const what = rest.trim().toUpperCase();
        if (what === 'LOG') this.clearLog();
        // 12.2.2: its attendance photos (ATTPHOTO, none kept here), not its users' photos; their Stamps start again.
        else if (what === 'PHOTO') this.photoStamp = 0;
        else if (what === 'BIODATA') this.templates.length = 0;
        else if (what === 'DATA') {
          this.clearLog();
          this.users.clear();
          this.templates.length = 0;
          this.photos.clear();
          this.biophotos.clear();
          this.photoStamp = 0;
        } else return -1002;
        return 0;
      }
      case 'SET': {
        const m = /^OPTION (\w+)=(.*)$/.exec(rest);
        if (!m) return -1002;
        this.options.set(m[1], m[2]);
        return 0;
      }
      case 'CHECK':
        if (this.opts.infoOnly) return 0;
        // 12.3.1: it reads its initialisation again, and uploads its records again when handed ATTLOGStamp=0.
        if (!(await this.init())) return -1008;
        if (!this.opts.stampResume && this.serverOptions.ATTLOGStamp === '0' && this.log.length > 0) await this.uploadAttlog(this.log);
        return 0;
      case 'LOG':
      case 'INFO':
      case 'REBOOT':
      case 'AC_UNLOCK':
      case 'AC_UNALARM':
      case 'RELOAD':
      case 'VERIFY':
      case 'ENROLL_FP':
      case 'ENROLL_BIO':
      case 'ENROLL_MF':
        return 0;
      default:
        // CONTROL DEVICE, SET OPTIONS, GET OPTIONS... of the Security PUSH dialect: not this firmware's.
        return -1002;
    }
  }

  private async data(rest: string): Promise<number> {
    const m = /^(UPDATE|DELETE|QUERY)\s+(\S+)\s*(.*)$/s.exec(rest);
    if (!m) return -1002;
    const [, op, table, args] = m;
    // Lower-case (Security PUSH) tables and the `tablename=` query form do not exist in attendance mode.
    if (table !== table.toUpperCase() || table.includes('=')) return -1004;
    // Nor does BIODATA on firmware without unified templates, nor a template Type it did not announce (3.1: each
    // side uses only the types both announce; field notes 5: -1004, the table or data not in its configuration).
    if (table === 'BIODATA' && !this.takesBiodata(op === 'UPDATE' ? get(fieldsOf(args), 'Type') : undefined)) return -1004;
    const f = fieldsOf(args);
    const given = get(f, 'PIN');
    const pin = given === undefined ? undefined : this.pinOf(given);
    if (pin === null) return -1002;
    // A numeric-PIN terminal keeps its own form of the PIN in the record too (what it uploads again names 412).
    if (pin !== given) for (const k of Object.keys(f)) if (k.toLowerCase() === 'pin') f[k] = pin!;
    if (op === 'UPDATE') return this.update(table, f, pin);
    if (op === 'DELETE') {
      if (!pin) return -1002;
      // Appendix 1: -10 "The user specified by PIN does not exist in the equipment" (nothing held for the PIN).
      if (!this.users.has(pin) && !this.photos.has(pin) && !this.biophotos.has(pin) && !this.templates.some((t) => t.pin === pin)) return -10;
      if (table === 'USERINFO') {
        this.users.delete(pin);
        this.removeTemplates((t) => t.pin === pin);
        this.photos.delete(pin);
        this.biophotos.delete(pin);
      } else if (table === 'USERPIC') this.photos.delete(pin);
      else if (table === 'BIOPHOTO') {
        // 12.1.2.x: every comparison photo of the user (a firmware without the table does not know the command).
        if (!this.opts.multiBioPhotoSupport) return -1004;
        this.biophotos.delete(pin);
      }
      else {
        // 12.1.2.2, 12.1.2.4 and 12.1.2.5: by PIN alone every template of the table, or narrowed to one finger (FID)
        // or one Type and its number (No, every Index of it).
        const type = get(f, 'Type');
        const no = table === 'BIODATA' ? get(f, 'No') : get(f, 'FID');
        const narrowed = (t: TerminalTemplate) => (table !== 'BIODATA' || !type || get(t.fields, 'Type') === type) && (!no || (get(t.fields, table === 'BIODATA' ? 'No' : 'FID') ?? '') === no);
        this.removeTemplates((t) => t.pin === pin && t.table === table && narrowed(t));
      }
      return 0;
    }
    return this.query(table, f);
  }

  /**
   * Whether it has the BIODATA table (biodataTable) and, for a `type`, whether the MultiBioDataSupport of its options
   * push announces it (firmware announcing none takes any type its table has).
   */
  private takesBiodata(type?: string): boolean {
    const table = this.opts.biodataTable ?? (this.opts.biodataFirmware !== false || (this.opts.fpVersion ?? 10) > 10);
    if (!table || type === undefined || this.opts.biodataFirmware === false) return table;
    return (this.opts.multiBioDataSupport ?? '0:1:1:0:0:0:0:0:0:1').split(':')[Number(type)]?.trim() === '1';
  }

  private removeTemplates(pred: (t: TerminalTemplate) => boolean): void {
    for (let i = this.templates.length - 1; i >= 0; i--) if (pred(this.templates[i])) this.templates.splice(i, 1);
  }

  private update(table: string, f: Record<string, string>, pin: string | undefined): number {
    if (!pin) return -1002;
    switch (table) {
      case 'USERINFO': {
        // A field the record leaves out keeps what the terminal held (the cautious reading of firmware: the manual
        // prints every field in every record and says nothing of one left out), so a record must clear with `ViceCard=`.
        const held = this.users.get(pin);
        this.users.set(pin, {
          pin,
          name: get(f, 'Name') ?? '',
          pri: Number(get(f, 'Pri') ?? 0),
          passwd: get(f, 'Passwd') ?? '',
          card: get(f, 'Card') ?? '',
          grp: Number(get(f, 'Grp') ?? 1),
          tz: get(f, 'TZ') ?? '0000000000000000',
          verify: Number(get(f, 'Verify') ?? -1),
          viceCard: get(f, 'ViceCard') ?? held?.viceCard ?? '',
          fields: f,
        });
        return 0;
      }
      case 'FINGERTMP':
        if (this.opts.biodataFirmware !== false) return -12;
      // falls through
      case 'FACE':
      case 'FVEIN':
      case 'BIODATA': {
        const tmp = get(f, 'TMP') ?? '';
        if (!tmp) return -1002;
        const key = (t: TerminalTemplate) => JSON.stringify([t.table, t.pin, get(t.fields, 'FID'), get(t.fields, 'No'), get(t.fields, 'Index'), get(t.fields, 'Type')]);
        const next: TerminalTemplate = { table, pin, fields: f };
        this.removeTemplates((t) => key(t) === key(next));
        this.templates.push(next);
        return 0;
      }
      case 'USERPIC': {
        const content = get(f, 'Content') ?? '';
        if (String(content.length) !== get(f, 'Size')) return -12;
        this.photos.set(pin, { table, content });
        return 0;
      }
      case 'BIOPHOTO': {
        // Only a type it announced in MultiBioPhotoSupport: firmware without comparison photos does not know the table.
        const type = get(f, 'Type') ?? '';
        if (!this.opts.multiBioPhotoSupport) return -1004;
        if (this.opts.multiBioPhotoSupport.split(':')[Number(type)]?.trim() !== '1') return -1002;
        const content = get(f, 'Content') ?? '';
        if (String(content.length) !== get(f, 'Size')) return -12;
        this.biophotos.set(pin, new Map([...(this.biophotos.get(pin) ?? []), [type, content]]));
        return 0;
      }
      default:
        return -1004;
    }
  }

  private async query(table: string, f: Record<string, string>): Promise<number> {
    if (table === 'ATTLOG') {
      const start = get(f, 'StartTime') ?? '';
      const end = get(f, 'EndTime') ?? '';
      const rows = this.log.filter((p) => p.time >= start && p.time <= end);
      if (rows.length === 0) return -1;
      if (this.opts.queryResultsVia === 'querydata') return (await this.answerQuery('ATTLOG', rows.map((p) => attlogLine(p, false)))) ? 0 : -1;
      const r = await this.uploadAttlog(rows, false);
      return r.status === 200 ? 0 : -1;
    }
    if (table === 'USERINFO') {
      const pin = get(f, 'PIN');
      const users = pin ? [this.users.get(pin)].filter((u): u is TerminalUser => !!u) : [...this.users.values()];
      if (users.length === 0) return -1;
      if (this.opts.queryResultsVia === 'querydata') return (await this.answerQuery('USERINFO', users.map((u) => userLine(u)))) ? 0 : -1;
      await this.uploadOperlog(users.map((u) => userLine(u)));
      return 0;
    }
    return -1004;
  }

  /** Its attendance log wiped (factory reset, CLEAR LOG, CLEAR DATA): its record stamps start again. */
  private clearLog(): void {
    this.lastAttlogUpload = null;
    this.log.length = 0;
    this.logStamps.length = 0;
    this.logSeq = 0;
  }

  /**
   * stampResume: the records above its mark, uploaded as one ATTLOG with the highest one's stamp; the mark moves only
   * when the server answered `OK` (and the reply reached it). Null when there is nothing to send.
   */
  async uploadUnsent(made?: number): Promise<HttpResult | null> {
    const sent = (i: number) => this.logStamps[i] > this.uploadedTo || i === made;
    const rows = this.log.filter((_, i) => sent(i));
    if (rows.length === 0 || !this.online) return null;
    const top = Math.max(...this.logStamps.filter((_, i) => sent(i)));
    const body = rows.map((p) => attlogLine(p, !!this.opts.trailingTab)).join(this.eol) + this.eol;
    const params: Array<[string, string]> = [['SN', this.sn], ['table', 'ATTLOG'], ['Stamp', String(top)]];
    this.lastAttlogUpload = { params, body };
    this.attlogUploads.push(this.lastAttlogUpload);
    const r = await this.send('POST', '/iclock/cdata', params, body);
    if (this.uploadRepliesToLose > 0) {
      this.uploadRepliesToLose--;
      return { ...r, status: 0, body: '' };
    }
    if (r.status === 200 && /^OK/.test(r.body)) this.uploadedTo = top;
    return r;
  }

  /** stampResume: its last ATTLOG upload as it went (query and body), for resendLastAttlog. */
  private lastAttlogUpload: { params: Array<[string, string]>; body: string } | null = null;
  /** stampResume: every ATTLOG upload it made, as it went (resendAttlogUpload). */
  private readonly attlogUploads: Array<{ params: Array<[string, string]>; body: string }> = [];

  /**
   * stampResume: its `i`-th ATTLOG upload (0: the first it ever made) reaching the gateway once more, as it went: a
   * request held up on the way, arriving after later ones, under its own (lower) Stamp.
   */
  async resendAttlogUpload(i: number): Promise<HttpResult> {
    const u = this.attlogUploads[i];
    if (!u) throw new Error(`terminal ${this.sn} made no ATTLOG upload ${i}`);
    return this.send('POST', '/iclock/cdata', u.params, u.body);
  }

  /**
   * stampResume: its last ATTLOG upload reaching the server once more, as it went: the same records under the same
   * Stamp (a request repeated on the way, or re-sent after a reply it never read). What it never uploaded (a punch
   * made while offline) is never in it: a terminal sends the records above its mark, in order, under the highest
   * one's Stamp. Null when it has uploaded nothing yet.
   */
  async resendLastAttlog(): Promise<HttpResult | null> {
    if (!this.lastAttlogUpload || !this.online) return null;
    return this.send('POST', '/iclock/cdata', this.lastAttlogUpload.params, this.lastAttlogUpload.body);
  }

  /** stampResume: the reply to its next `n` uploads never reaches it (power cut, lost reply): they went, it does not know. */
  loseNextUploadReply(n = 1): void {
    this.uploadRepliesToLose += n;
  }

  /** A punch at the terminal: kept in its log and, when online, uploaded at once (Realtime=1). */
  async punch(given: TerminalPunch): Promise<HttpResult | null> {
    // Its log names the user as it keeps them (412 for the person 0412 on a numeric-PIN terminal).
    const p = { ...given, pin: this.pinOf(given.pin) ?? given.pin };
    this.log.push(p);
    if (this.opts.stampResume) {
      this.logStamps.push(++this.logSeq);
      return this.uploadUnsent(this.opts.realtimeBelowMark ? this.logStamps.length - 1 : undefined);
    }
    if (this.online && !this.transmits) this.unsent.push(p);
    return this.online && this.transmits ? this.uploadAttlog([p]) : null;
  }

  /**
   * A verification posted as a real-time log, the Security PUSH way (`POST /iclock/cdata?SN=&table=rtlog`, no Stamp),
   * as Push 3.x face terminals set to T&A do (field samples rtlog-senseface2a-punch: 13 keyed fields, CR LF):
   * `time pin cardno eventaddr event inoutstatus verifytype index ...`. The attendance state rides in `inoutstatus`,
   * unless `inOut` is given: firmware that reports the door's In/Out there (Security PUSH: 0 In, 1 Out) while its
   * log, and so its ATTLOG, keeps the attendance state (`status`).
   * `event` defaults to 0 (opened normally after verification); a refused one (27 not registered, 20 too soon...)
   * or a PIN of 0 is what the terminal reports for no punch. With `alsoAttlog` the punch also goes up as ATTLOG
   * (firmware that sends both). The punch is kept in the terminal's log either way.
   */
  async punchRealtime(p: TerminalPunch & { event?: number; card?: string; index?: number; inOut?: number }, opts: { alsoAttlog?: boolean } = {}): Promise<HttpResult> {
    const { event, card, index: given, inOut, ...punch } = p;
    if ((event ?? 0) === 0 && p.pin !== '0') {
      this.log.push(punch);
      if (this.opts.stampResume) this.logStamps.push(++this.logSeq);
    }
    const index = given ?? ++this.rtlogIndex;
    const line = [
      `time=${p.time}`, `pin=${p.pin}`, `cardno=${card ?? 0}`, 'eventaddr=1', `event=${event ?? 0}`, `inoutstatus=${inOut ?? p.status}`, `verifytype=${p.verify}`,
      `index=${index}`, 'sitecode=0', 'linkid=0', 'maskflag=0', 'temperature=0', 'convtemperature=0',
    ].join('\t');
    const r = await this.send('POST', '/iclock/cdata', [['SN', this.sn], ['table', 'rtlog']], line + '\r\n');
    if (opts.alsoAttlog) await this.uploadAttlog([punch]);
    return r;
  }

  /** `POST /iclock/cdata?SN=&table=ATTLOG&Stamp=` with positional TAB-separated records. */
  async uploadAttlog(rows: TerminalPunch[], withStamp = true): Promise<HttpResult> {
    const body = rows.map((p) => attlogLine(p, !!this.opts.trailingTab)).join(this.eol) + this.eol;
    return this.uploadRaw('ATTLOG', body, withStamp);
  }

  /**
   * A query's records on `/iclock/querydata` (queryResultsVia), in packets; answers whether every packet was
   * acknowledged with `<tablename>=<lines of the packet>`.
   */
  private async answerQuery(table: string, lines: string[]): Promise<boolean> {
    const size = this.opts.queryPacketSize ?? 100;
    const packets = Math.max(1, Math.ceil(lines.length / size));
    for (let i = 0; i < packets; i++) {
      const part = lines.slice(i * size, (i + 1) * size);
      const r = await this.send('POST', '/iclock/querydata', [
        ['SN', this.sn], ['type', 'tabledata'], ['cmdid', this.runningId], ['tablename', table], ['count', String(lines.length)], ['packcnt', String(packets)], ['packidx', String(i + 1)],
      ], part.join(this.eol) + this.eol);
      if (r.status !== 200 || r.body.trim() !== `${table}=${part.length}`) return false;
    }
    return true;
  }

  /**
   * A command it answered Return=0 and then failed at (manual 11.16): `POST /iclock/cdata?SN=&table=ERRORLOG&Stamp=`
   * with `ERRORLOG ErrCode=\tErrMsg=\tDataOrigin=cmd\tCmdId=<its ID>\tAdditional=<base64 JSON>`. A comparison photo
   * whose face it could not detect (appendix 9, D01E000x) is not kept: dropped from its BIOPHOTO table first; one
   * logged `00000000` (appendix 9: Succeed) is kept. `origin: 'dev'` reports an error of its own data instead (DataOrigin=dev).
   */
  async errorLog(cmd: ExecutedCommand, errCode = 'D01E0001', opts: { origin?: 'cmd' | 'dev'; errMsg?: string } = {}): Promise<HttpResult> {
    const photo = /^DATA UPDATE BIOPHOTO PIN=([^\t]*)\tType=(\d+)/.exec(cmd.command);
    if (photo && (opts.origin ?? 'cmd') === 'cmd' && !/^0+$/.test(errCode)) {
      const kept = this.biophotos.get(photo[1]);
      kept?.delete(photo[2]);
      if (kept?.size === 0) this.biophotos.delete(photo[1]);
    }
    const additional = Buffer.from(JSON.stringify(photo ? { pin: photo[1], type: Number(photo[2]) } : {})).toString('base64');
    const line = `ERRORLOG ErrCode=${errCode}\tErrMsg=${opts.errMsg ?? ''}\tDataOrigin=${opts.origin ?? 'cmd'}\tCmdId=${cmd.id}\tAdditional=${additional}`;
    return this.uploadRaw('ERRORLOG', line + this.eol);
  }

  /** `POST /iclock/cdata?SN=&table=<table>&Stamp=` with a body as given. */
  async uploadRaw(table: string, body: string, withStamp = true): Promise<HttpResult> {
    const params: Array<[string, string]> = [['SN', this.sn], ['table', table]];
    if (withStamp) params.push(['Stamp', String(++this.stamp)]);
    return this.send('POST', '/iclock/cdata', params, body);
  }

  /**
   * Remote attendance (manual 14): a PIN keyed in that the terminal does not hold is asked of the server
   * (`GET /iclock/cdata?SN=&table=RemoteAtt&PIN=`); the `DATA UPDATE` records of the answer are applied as commands
   * would be. Answers the records applied.
   */
  async remoteAtt(pin: string): Promise<string[]> {
    const r = await this.send('GET', '/iclock/cdata', [['SN', this.sn], ['table', 'RemoteAtt'], ['PIN', pin]]);
    const records = r.body.split(/\r?\n/).filter((l) => l.startsWith('DATA '));
    for (const rec of records) await this.execute(rec);
    return records;
  }

  /** A data packet (manual 11.14): the table's lines packed as a tgz, `POST ...&table=<t>&ContentType=tgz`. */
  /** `opts.endsLine: false`: the packed file's last record has no line end after it. */
  async uploadPacket(table: string, lines: string[], opts: { tar?: boolean; endsLine?: boolean } = {}): Promise<HttpResult> {
    const text = this.encode(lines.join(this.eol) + (opts.endsLine === false ? '' : this.eol));
    const packed = gzipSync(opts.tar === false ? text : tarOf(`${table.toLowerCase()}.dat`, text));
    return this.send('POST', '/iclock/cdata', [['SN', this.sn], ['table', table], ['Stamp', String(++this.stamp)], ['ContentType', 'tgz']], packed);
  }

  async uploadOperlog(lines: string[]): Promise<HttpResult> {
    const params: Array<[string, string]> = [['SN', this.sn], ['table', 'OPERLOG'], ['Stamp', String(++this.stamp)]];
    this.lastOperlog = { params, body: lines.join(this.eol) + this.eol };
    return this.send('POST', '/iclock/cdata', params, this.lastOperlog.body);
  }

  /** Its last OPERLOG upload as it went (query and body). */
  private lastOperlog: { params: Array<[string, string]>; body: string } | null = null;

  /**
   * Its last OPERLOG upload reaching the server once more, as it went (the same records under the same Stamp): it
   * did not read the reply and sends it again.
   */
  async resendLastOperlog(): Promise<HttpResult> {
    if (!this.lastOperlog) throw new Error(`terminal ${this.sn} made no OPERLOG upload`);
    return this.send('POST', '/iclock/cdata', this.lastOperlog.params, this.lastOperlog.body);
  }

  /**
   * A user enrolled at the terminal: stored locally and uploaded as a USER line with its templates
   * (FP lines on FINGERTMP firmware, BIODATA lines otherwise), as `OPLOG` + `USER` + template lines.
   */
  async enrollUser(
    u: { pin: string; name: string; pri?: number; card?: string; passwd?: string; viceCard?: string; grp?: number; tz?: string },
    fingers: Array<{ fid: number; tmp: string }> = [],
  ): Promise<HttpResult> {
    u = { ...u, pin: this.pinOf(u.pin) ?? u.pin };
    const user: TerminalUser = { pin: u.pin, name: u.name, pri: u.pri ?? 0, passwd: u.passwd ?? '', card: u.card ?? '', grp: u.grp ?? 1, tz: u.tz ?? '0000000000000000', verify: -1, viceCard: u.viceCard ?? '', fields: {} };
    this.users.set(u.pin, user);
    const lines = [`OPLOG 6\t0\t${nowWall()}\t${u.pin}\t0\t0\t0`, userLine(user)];
    for (const f of fingers) {
      if (this.opts.biodataFirmware === false) {
        const fields = { PIN: u.pin, FID: String(f.fid), Size: String(f.tmp.length), Valid: '1', TMP: f.tmp };
        // Enrolled again, a finger replaces the one it held (as a DATA UPDATE of the same slot does).
        this.removeTemplates((t) => t.pin === u.pin && t.table === 'FINGERTMP' && get(t.fields, 'FID') === fields.FID);
        this.templates.push({ table: 'FINGERTMP', pin: u.pin, fields });
        lines.push(`FP ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\t')}`);
      } else {
        const fields = { Pin: u.pin, No: String(f.fid), Index: '0', Valid: '1', Duress: '0', Type: '1', MajorVer: '10', MinorVer: '0', Format: '0', Tmp: f.tmp };
        this.removeTemplates((t) => t.pin === u.pin && t.table === 'BIODATA' && get(t.fields, 'Type') === '1' && get(t.fields, 'No') === fields.No && get(t.fields, 'Index') === '0');
        this.templates.push({ table: 'BIODATA', pin: u.pin, fields });
        lines.push(`BIODATA ${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\t')}`);
      }
    }
    return this.uploadOperlog(lines);
  }

  /** ATTPHOTO (manual 11.3): header lines, NUL, then the photo (base64 when the server asked ATTPHOTOBase64=1). */
  async uploadAttphoto(fileName: string, jpeg: Buffer, opts: { base64?: boolean; path?: '/iclock/cdata' | '/iclock/fdata' } = {}): Promise<HttpResult> {
    const base64 = opts.base64 ?? this.serverOptions.ATTPHOTOBase64 === '1';
    const head = Buffer.from(`PIN=${fileName}\nSN=${this.sn}\nsize=${jpeg.length}\nCMD=uploadphoto\0`, 'utf8');
    // Firmware that does not take ATTPHOTOBase64 sends the JPEG's bytes as they are.
    const body = Buffer.concat([head, base64 ? Buffer.from(jpeg.toString('base64'), 'latin1') : jpeg]);
    return this.send('POST', opts.path ?? '/iclock/cdata', [['SN', this.sn], ['table', 'ATTPHOTO'], ['Stamp', String(++this.photoStamp)]], body);
  }

  /**
   * A user the terminal holds sent back as a USER line on OPERLOG (what it does when the user is edited at its menu,
   * and in answer to `DATA QUERY USERINFO`): the name as the terminal holds it, in its own encoding.
   */
  async uploadUser(given: string): Promise<HttpResult> {
    const pin = this.pinOf(given) ?? given;
    const u = this.users.get(pin);
    if (!u) throw new Error(`terminal ${this.sn} holds no user ${pin}`);
    return this.uploadOperlog([userLine(u)]);
  }

  /** The template lines held for a PIN, in the terminal's tables. */
  templatesOf(given: string): TerminalTemplate[] {
    const pin = this.pinOf(given) ?? given;
    return this.templates.filter((t) => t.pin === pin);
  }
}

/** Every double-byte GBK code's character, in code order (lead 0x81–0xFE, trail 0x40–0xFE without 0x7F: 190 a lead). */
let gbkGlyphs: string | undefined;

/**
 * Text in GBK, as a Chinese terminal's firmware holds it: a character is found in the decoded code list (built
 * once with a GBK decoder) and its position is its code; ASCII is itself; anything else is `?`.
 */
function gbkOf(text: string): Buffer {
  const decoder = new TextDecoder('gbk');
  const trailOf = (t: number) => 0x40 + t + (t >= 0x3f ? 1 : 0);
  gbkGlyphs ??= Array.from({ length: 126 * 190 }, (_, i) => decoder.decode(Uint8Array.of(0x81 + Math.floor(i / 190), trailOf(i % 190)))).join('');
  const out: number[] = [];
  for (const ch of text) {
    const at = ch.length === 1 && ch.charCodeAt(0) >= 0x80 ? gbkGlyphs.indexOf(ch) : -1;
    if (ch.length === 1 && ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else if (at < 0) out.push(0x3f);
    else out.push(0x81 + Math.floor(at / 190), trailOf(at % 190));
  }
  return Buffer.from(out);
}

function userLine(u: TerminalUser): string {
  return `USER PIN=${u.pin}\tName=${u.name}\tPri=${u.pri}\tPasswd=${u.passwd}\tCard=${u.card}\tGrp=${u.grp}\tTZ=${u.tz}\tVerify=${u.verify}\tViceCard=${u.viceCard ?? ''}`;
}

/** CMD echo: the first word (`DATA` for every DATA command, as field samples show; `SET` for SET OPTION). */
function echo(command: string): string {
  return command.split(' ')[0];
}

function nowWall(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A one-file ustar archive (what the firmware packs before gzip), written from the tar format. */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (at: number, len: number, value: string) => header.write(value.slice(0, len), at, len, 'latin1');
  put(0, 100, name);
  put(100, 8, '0000644\0');
  put(108, 8, '0000000\0');
  put(116, 8, '0000000\0');
  put(124, 12, content.length.toString(8).padStart(11, '0') + '\0');
  put(136, 12, Math.floor(Date.now() / 1000).toString(8).padStart(11, '0') + '\0');
  put(148, 8, '        ');
  put(156, 1, '0');
  put(257, 6, 'ustar\0');
  put(263, 2, '00');
  let sum = 0;
  for (const b of header) sum += b;
  put(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}
