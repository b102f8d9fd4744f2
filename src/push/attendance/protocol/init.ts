/**
 * Initialisation information exchange of the Attendance PUSH protocol (attendance manual section 5; the
 * brief calls it "7+", the manual numbers it 5, with 8 "Pushing configuration information").
 *
 *   GET /iclock/cdata?SN=<sn>&options=all&pushver=<v>&language=<n>&pushcommkey=<key>
 *
 *   GET OPTION FROM: <sn>
 *   ATTLOGStamp=<n>
 *   OPERLOGStamp=<n>
 *   ATTPHOTOStamp=<n>
 *   BIODATAStamp=<n>
 *   IDCARDStamp=<n>
 *   ERRORLOGStamp=<n>
 *   Stamp=<n>            (ATTLOG's, OPERLOG's and ATTPHOTO's again under the older firmware's names)
 *   OpStamp=<n>
 *   PhotoStamp=<n>
 *   ErrorDelay=<s>
 *   Delay=<s>
 *   TransTimes=<HH:MM>;<HH:MM>
 *   TransInterval=<min>
 *   TransFlag=TransData AttLog<HT>OpLog<HT>AttPhoto<HT>EnrollUser<HT>ChgUser<HT>EnrollFP<HT>ChgFP<HT>FPImag<HT>FACE<HT>UserPic<HT>WORKCODE<HT>BioPhoto
 *   TimeZone=<hours, or minutes when not whole or not within -12 < hours < 12>
 *   Realtime=1
 *   Encrypt=0
 *   ServerVer=<v>
 *   PushProtVer=<v>
 *   PushOptionsFlag=1
 *   PushOptions=<k>,<k>...
 *   ATTPHOTOBase64=1
 *   MultiBioDataSupport=0:1:1:1:1:1:1:1:1:1
 *   MultiBioPhotoSupport=0:0:0:0:0:0:0:0:0:1
 *
 * LF-separated, no trailing LF. TransFlag uses format II (names), the one the manual asks a new server to use;
 * the manual's example prints its TABs as spaces.
 */
import { ProtocolValueError } from '../../protocol/errors';
import { formatTimeZoneOption } from '../../protocol/time';

/** Stamps the server hands back so a rebooted terminal resumes where it stopped (`None` = never uploaded). */
export interface AttStamps {
  ATTLOG?: string | null;
  OPERLOG?: string | null;
  ATTPHOTO?: string | null;
  BIODATA?: string | null;
  IDCARD?: string | null;
  ERRORLOG?: string | null;
}

export const ATT_STAMP_TABLES = ['ATTLOG', 'OPERLOG', 'ATTPHOTO', 'BIODATA', 'IDCARD', 'ERRORLOG'] as const;
export type AttStampTable = (typeof ATT_STAMP_TABLES)[number];

/**
 * Stamp names of older iclock firmware, in the initialisation answer and on its uploads (`table=OPERLOG&OpStamp=`,
 * `table=ATTPHOTO&PhotoStamp=`): `Stamp` is ATTLOG's (11.2 refers to "the Stamp or ATTLOGStamp parameter"), `OpStamp`
 * OPERLOG's, `PhotoStamp` ATTPHOTO's. Such firmware never sees the `<table>Stamp` names: without these it is handed
 * no mark and uploads its whole log, users and templates included, at every boot.
 */
export const LEGACY_STAMP_NAMES: ReadonlyArray<readonly [string, AttStampTable]> = [
  ['Stamp', 'ATTLOG'],
  ['OpStamp', 'OPERLOG'],
  ['PhotoStamp', 'ATTPHOTO'],
];

/** The protocol version this server implements for terminals (attendance manual Appendix 6). */
export const ATT_SERVER_VER = '2.4.1';
export const ATT_PUSH_PROT_VER = '2.4.1';

/** Format I's digit for each data type (manual section 5: position 1 attendance record … 12 comparison photo). */
const TRANS_FLAG_DIGIT: Readonly<Record<string, number>> = {
  AttLog: 1, OpLog: 2, AttPhoto: 3, EnrollFP: 4, EnrollUser: 5, FPImag: 6, ChgUser: 7, ChgFP: 8, FACE: 9, UserPic: 10, WORKCODE: 11, BioPhoto: 12,
};

/** `pushver` 3 or later (Push 3.x firmware): format I TransFlag. */
export function wantsTransFlagDigits(pushver: string | undefined): boolean {
  const major = Number(/^\s*[Vv]?(?:er\s*)?(\d+)/.exec(pushver ?? '')?.[1]);
  return Number.isInteger(major) && major >= 3;
}

function transFlagDigits(flags: readonly string[]): string {
  const digits = Array.from({ length: 12 }, () => '0');
  for (const f of flags) {
    const at = TRANS_FLAG_DIGIT[f];
    if (at === undefined) throw new ProtocolValueError('TransFlag', `has no format I digit for ${f}`);
    digits[at - 1] = '1';
  }
  return digits.join('');
}

export const DEFAULT_TRANS_FLAG = ['AttLog', 'OpLog', 'AttPhoto', 'EnrollUser', 'ChgUser', 'EnrollFP', 'ChgFP', 'FPImag', 'FACE', 'UserPic', 'WORKCODE', 'BioPhoto'];

/**
 * The biometric types the server takes (3.1, "Specification of Hybrid Identification Protocol": the server
 * issues MultiBioDataSupport and MultiBioPhotoSupport at initialisation, the terminal pushes its own, and each
 * side uses only the types both announce). One position per type of the manual's list (1 fingerprint, 2
 * near-infrared face, 3 voiceprint, 4 iris, 5 retina, 6 palm print, 7 finger vein, 8 palm, 9 visible-light
 * face); position 0 is the general type, which is not a biometric. The gateway stores and hands on templates of
 * every type, so it announces them all and lets the terminal's own list decide.
 */
export const ATT_SERVER_MULTI_BIO = '0:1:1:1:1:1:1:1:1:1';

/**
 * The comparison photos the server takes (MultiBioPhotoSupport, 3.1): the visible-light face (9) alone, the one
 * type it issues (a person's photo as `DATA UPDATE BIOPHOTO Type=9`, 12.1.1.8) and the manual's server example.
 * Comparison photos a terminal uploads are not stored, so no other type is claimed.
 */
export const ATT_SERVER_MULTI_BIO_PHOTO = '0:0:0:0:0:0:0:0:0:1';

/** Options the server asks a terminal to push (8: `table=options`), to learn its biometric versions. */
export const DEFAULT_PUSH_OPTIONS = ['FingerFunOn', 'FaceFunOn', 'FPVersion', 'FaceVersion', 'FvFunOn', 'PvFunOn', 'BioDataFun', 'BioPhotoFun', 'MultiBioDataSupport', 'MultiBioPhotoSupport', 'MultiBioVersion', 'UserPicURLFunOn'];

export interface AttInitConfig {
  stamps: AttStamps;
  errorDelay: number;
  delay: number;
  transTimes?: string[];
  transInterval?: number;
  transFlag?: string[];
  /**
   * Format I (`TransFlag=111111111111`, a digit per data type) instead of format II (the names). The manual asks a
   * new server for format II and every terminal to read both, but Push 3.x firmware handed the names transmits
   * nothing (field samples, note 14): a terminal announcing `pushver` 3 or later gets the digits.
   */
  transFlagDigits?: boolean;
  /** Server offset from UTC in minutes (from TIME_ZONE). */
  timeZoneMinutes: number;
  realtime?: boolean;
  serverVer?: string;
  pushProtVer?: string;
  pushOptions?: string[];
  attPhotoBase64?: boolean;
  /**
   * The RegistryCode of a terminal that registered on `/iclock/registry` (Push 3.x firmware in the attendance module,
   * Security PUSH 4.4: `DeviceType=att`): its initialisation also says `registry=ok` and `RegistryCode=`, the lines by
   * which Security PUSH firmware knows it is registered (4.1); without them it registers again on every connection
   * (field notes: re-registers every 15 s). Terminals that never register are answered without them.
   */
  registryCode?: string | null;
}

function line(name: string, value: string | number): string {
  const v = String(value);
  if (/[\r\n\0]/.test(v)) throw new ProtocolValueError(name, 'must not contain CR, LF or NUL');
  return `${name}=${v}`;
}

const stampValue = (s: string | null | undefined): string => (s === null || s === undefined || s === '' ? 'None' : s);

export function formatAttInitReply(sn: string, c: AttInitConfig): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(sn)) throw new ProtocolValueError('SN', 'must be 1-64 printable ASCII characters');
  const times = c.transTimes ?? ['00:00', '14:05'];
  if (times.length > 10) throw new ProtocolValueError('TransTimes', 'allows at most 10 times');
  for (const t of times) if (!/^\d{2}:\d{2}$/.test(t)) throw new ProtocolValueError('TransTimes', `has a bad time ${t}`);
  const flags = c.transFlag ?? DEFAULT_TRANS_FLAG;
  for (const f of flags) if (!/^[A-Za-z]+$/.test(f)) throw new ProtocolValueError('TransFlag', `has a bad name ${f}`);
  const opts = c.pushOptions ?? DEFAULT_PUSH_OPTIONS;
  for (const o of opts) if (!/^[A-Za-z0-9_]+$/.test(o)) throw new ProtocolValueError('PushOptions', `has a bad name ${o}`);
  const out = [`GET OPTION FROM: ${sn}`];
  // Every data type section 5 lists, IDCARD and ERRORLOG too (their uploads are kept raw, with their Stamp).
  for (const t of ATT_STAMP_TABLES) out.push(line(`${t}Stamp`, stampValue(c.stamps[t])));
  // The same marks under the names older iclock firmware reads (the manual's "the Stamp or ATTLOGStamp parameter").
  for (const [name, t] of LEGACY_STAMP_NAMES) out.push(line(name, stampValue(c.stamps[t])));
  out.push(
    line('ErrorDelay', c.errorDelay),
    line('Delay', c.delay),
    line('TransTimes', times.join(';')),
    line('TransInterval', c.transInterval ?? 1),
    line('TransFlag', c.transFlagDigits ? transFlagDigits(flags) : `TransData ${flags.join('\t')}`),
    line('TimeZone', formatTimeZoneOption(c.timeZoneMinutes)),
    line('Realtime', c.realtime === false ? 0 : 1),
    line('Encrypt', 0),
    line('ServerVer', c.serverVer ?? ATT_SERVER_VER),
    line('PushProtVer', c.pushProtVer ?? ATT_PUSH_PROT_VER),
    line('PushOptionsFlag', 1),
    line('PushOptions', opts.join(',')),
  );
  if (c.attPhotoBase64 !== false) out.push(line('ATTPHOTOBase64', 1));
  out.push(line('MultiBioDataSupport', ATT_SERVER_MULTI_BIO), line('MultiBioPhotoSupport', ATT_SERVER_MULTI_BIO_PHOTO));
  if (c.registryCode) {
    if (!/^[\x21-\x7e]{1,32}$/.test(c.registryCode)) throw new ProtocolValueError('RegistryCode', 'must be 1-32 printable ASCII characters');
    out.push(line('registry', 'ok'), line('RegistryCode', c.registryCode));
  }
  return out.join('\n');
}

/** The terminal's handshake query (section 5): what identifies an attendance terminal's first request. */
export interface AttHandshake {
  pushver: string | null;
  language: string | null;
  pushcommkey: string | null;
  deviceType: string | null;
}

/**
 * `Stamp` of an upload: digits (most firmware) or any short token; stored as sent so it can be handed back.
 * Null for a missing or unusable value.
 */
export function normalizeStamp(raw: string | null | undefined): string | null {
  const t = (raw ?? '').trim();
  if (t === '' || t.length > 32 || !/^[\x21-\x7e]+$/.test(t) || t.toLowerCase() === 'none') return null;
  return t;
}
