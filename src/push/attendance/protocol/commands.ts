/**
 * Typed builders for the commands of the Attendance PUSH dialect (attendance manual 12). A builder returns the
 * text after `C:<id>:`; the queue adds the id of the delivery attempt. Field names are spelled as the manual
 * prints them for each table (`PIN=` in USERINFO/FINGERTMP/FACE/USERPIC/BIOPHOTO, `Pin=` in FVEIN/BIODATA).
 * Values with TAB, CR, LF or NUL are refused (checkValue): each would start a new field, record or command.
 *
 *   DATA UPDATE USERINFO PIN=<HT>Name=<HT>Pri=<HT>Passwd=<HT>Card=<HT>Grp=<HT>TZ=<HT>Verify=<HT>ViceCard=
 *   DATA UPDATE FINGERTMP PIN=<HT>FID=<HT>Size=<HT>Valid=<HT>TMP=                 (algorithm ≤ 10.0)
 *   DATA UPDATE FACE PIN=<HT>FID=<HT>Valid=<HT>Size=<HT>TMP=
 *   DATA UPDATE FVEIN Pin=<HT>FID=<HT>Index=<HT>Valid=<HT>Size=<HT>Tmp=
 *   DATA UPDATE BIODATA Pin=<HT>No=<HT>Index=<HT>Valid=<HT>Duress=<HT>Type=<HT>MajorVer=<HT>MinorVer=<HT>Format=<HT>Tmp=
 *   DATA UPDATE USERPIC PIN=<HT>Size=<HT>Content=
 *   DATA UPDATE BIOPHOTO PIN=<HT>Type=<HT>Size=<HT>Content=<HT>Format=<HT>Url=<HT>PostBackTmpFlag=
 *   DATA DELETE USERINFO PIN=   DATA DELETE FINGERTMP PIN=[<HT>FID=]   DATA DELETE FACE PIN=
 *   DATA DELETE FVEIN Pin=[<HT>FID=]   DATA DELETE BIODATA Pin=[<HT>Type=[<HT>No=]]
 *   DATA DELETE USERPIC PIN=   DATA DELETE BIOPHOTO PIN=
 *   DATA QUERY ATTLOG StartTime=<HT>EndTime=   DATA QUERY ATTPHOTO StartTime=<HT>EndTime=
 *   DATA QUERY USERINFO PIN=   DATA QUERY FINGERTMP PIN=[<HT>FingerID=]   DATA QUERY BIODATA Type=[<HT>PIN=[<HT>No=]]
 *   CLEAR LOG | CLEAR PHOTO | CLEAR DATA | CLEAR BIODATA   CHECK   LOG   INFO   REBOOT   AC_UNLOCK   AC_UNALARM
 *   VERIFY SUM ATTLOG StartTime=<HT>EndTime=   SET OPTION <k>=<v>   RELOAD OPTIONS
 *   ENROLL_FP PIN=<HT>FID=<HT>RETRY=<HT>OVERWRITE=   ENROLL_MF PIN=<HT>RETRY=   ENROLL_BIO TYPE=<HT>PIN=<HT>CardNo=<HT>RETRY=<HT>OVERWRITE=
 */
import { biodataFields, checkValue, formatFields, type BiodataRecord, type FieldList } from '../../protocol/commands';
import { ProtocolValueError } from '../../protocol/errors';
import { formatWallClock, type WallClock } from '../../protocol/time';

function req(field: string, v: string | number | null | undefined): string | number {
  if (v === undefined || v === null || v === '') throw new ProtocolValueError(field, 'is required');
  checkValue(field, v);
  return v;
}

function fields(list: FieldList): string {
  const s = formatFields(list);
  if (s === '') throw new ProtocolValueError('fields', 'at least one field');
  return s;
}

/** Terminal privilege (`Pri`): 0 user, 2 registrar, 6 administrator, 10 user-defined, 14 super administrator. */
export const ATT_PRIVILEGES = [0, 2, 6, 10, 14] as const;
export type AttPrivilege = (typeof ATT_PRIVILEGES)[number];

/**
 * A `Pri` as terminals report it: one of ATT_PRIVILEGES, plus 1 for a user disabled at the terminal (bit 0 of the
 * terminals' privilege byte, whose role values 0, 2, 6, 14 these are: Pri=3 is a disabled registrar, Pri=15 a disabled
 * super administrator). Not in the manual's table; null for any other value.
 */
export function attPrivilegeOf(pri: number): { role: AttPrivilege; disabled: boolean } | null {
  if (!Number.isInteger(pri)) return null;
  const role = pri & ~1;
  if (!(ATT_PRIVILEGES as readonly number[]).includes(role) || pri < 0) return null;
  return { role: role as AttPrivilege, disabled: (pri & 1) === 1 };
}

export interface AttUserInfo {
  pin: string;
  name?: string | null;
  pri?: number;
  passwd?: string | null;
  card?: string | null;
  grp?: number;
  /** 16 digits; `0000000000000000` = the group's time periods. */
  tz?: string;
  /** Appendix 7 verify mode; -1 (or absent) = the group's mode. */
  verify?: number | null;
  viceCard?: string | null;
}

/** `DATA UPDATE USERINFO ...` (12.1.1.1). */
export function attUpdateUserInfo(u: AttUserInfo): string {
  const pri = u.pri ?? 0;
  if (!attPrivilegeOf(pri)) throw new ProtocolValueError('Pri', 'must be 0, 2, 6, 10 or 14 (plus 1: disabled)');
  const tz = u.tz ?? '0000000000000000';
  if (!/^\d{16}$/.test(tz)) throw new ProtocolValueError('TZ', 'must be 16 digits');
  return `DATA UPDATE USERINFO ${fields([
    ['PIN', req('PIN', u.pin)],
    ['Name', u.name ?? ''],
    ['Pri', pri],
    ['Passwd', u.passwd ?? ''],
    ['Card', u.card ?? ''],
    ['Grp', u.grp ?? 1],
    ['TZ', tz],
    ['Verify', u.verify ?? -1],
    ['ViceCard', u.viceCard ?? undefined],
  ])}`;
}

/** `DATA UPDATE FINGERTMP ...` (12.1.1.3): fingerprint algorithm ≤ 10.0 only; BIODATA firmware answers -12. */
export function attUpdateFingerTmp(t: { pin: string; fid: number; valid?: 0 | 1 | 3; tmp: string }): string {
  if (!Number.isInteger(t.fid) || t.fid < 0 || t.fid > 9) throw new ProtocolValueError('FID', 'must be 0-9');
  const tmp = String(req('TMP', t.tmp));
  return `DATA UPDATE FINGERTMP ${fields([['PIN', req('PIN', t.pin)], ['FID', t.fid], ['Size', tmp.length], ['Valid', t.valid ?? 1], ['TMP', tmp]])}`;
}

/** `DATA UPDATE FACE ...` (12.1.1.4). */
export function attUpdateFace(t: { pin: string; fid: number; valid?: 0 | 1; tmp: string }): string {
  const tmp = String(req('TMP', t.tmp));
  return `DATA UPDATE FACE ${fields([['PIN', req('PIN', t.pin)], ['FID', t.fid], ['Valid', t.valid ?? 1], ['Size', tmp.length], ['TMP', tmp]])}`;
}

/** `DATA UPDATE FVEIN ...` (12.1.1.5). */
export function attUpdateFvein(t: { pin: string; fid: number; index: number; valid?: 0 | 1; tmp: string }): string {
  const tmp = String(req('Tmp', t.tmp));
  return `DATA UPDATE FVEIN ${fields([['Pin', req('Pin', t.pin)], ['FID', t.fid], ['Index', t.index], ['Valid', t.valid ?? 1], ['Size', tmp.length], ['Tmp', tmp]])}`;
}

export interface AttBiodata extends BiodataRecord {
  pin: string;
}

/** `DATA UPDATE BIODATA ...` (12.1.1.6). */
export function attUpdateBiodata(b: AttBiodata): string {
  return `DATA UPDATE BIODATA ${fields(biodataFields(b))}`;
}

/** `DATA UPDATE USERPIC PIN=<HT>Size=<HT>Content=` (12.1.1.7): Size is the base64 length (-12 when it differs). */
export function attUpdateUserPic(p: { pin: string; content: string }): string {
  const c = String(req('Content', p.content));
  return `DATA UPDATE USERPIC ${fields([['PIN', req('PIN', p.pin)], ['Size', c.length], ['Content', c]])}`;
}

/** `DATA UPDATE BIOPHOTO PIN=<HT>Type=<HT>Size=<HT>Content=<HT>Format=0` (12.1.1.8, comparison photo). */
export function attUpdateBiophoto(p: { pin: string; type: number; content: string }): string {
  const c = String(req('Content', p.content));
  return `DATA UPDATE BIOPHOTO ${fields([['PIN', req('PIN', p.pin)], ['Type', p.type], ['Size', c.length], ['Content', c], ['Format', 0]])}`;
}

export type AttDeleteTable = 'USERINFO' | 'FINGERTMP' | 'FACE' | 'FVEIN' | 'BIODATA' | 'USERPIC' | 'BIOPHOTO';

/** `DATA DELETE <table> PIN=<pin>[<HT>...]` (12.1.2); always by PIN: there is no "delete all" form here. */
export function attDelete(table: AttDeleteTable, pin: string, more: FieldList = []): string {
  const key = table === 'FVEIN' || table === 'BIODATA' ? 'Pin' : 'PIN';
  return `DATA DELETE ${table} ${fields([[key, req(key, pin)], ...more])}`;
}

function period(start: WallClock, end: WallClock): string {
  return fields([['StartTime', formatWallClock(start)], ['EndTime', formatWallClock(end)]]);
}

/** `DATA QUERY ATTLOG StartTime=<HT>EndTime=` (12.1.3): the terminal re-uploads the period as ATTLOG. */
export function attQueryAttlog(start: WallClock, end: WallClock): string {
  return `DATA QUERY ATTLOG ${period(start, end)}`;
}

/** `DATA QUERY ATTPHOTO StartTime=<HT>EndTime=` (12.1.3). */
export function attQueryAttphoto(start: WallClock, end: WallClock): string {
  return `DATA QUERY ATTPHOTO ${period(start, end)}`;
}

/** `DATA QUERY USERINFO PIN=` (12.1.3); answered as USER lines on OPERLOG. */
export function attQueryUserInfo(pin: string): string {
  return `DATA QUERY USERINFO ${fields([['PIN', req('PIN', pin)]])}`;
}

/** `DATA QUERY FINGERTMP PIN=[<HT>FingerID=]` (12.1.3). */
export function attQueryFingerTmp(pin: string, fingerId?: number): string {
  return `DATA QUERY FINGERTMP ${fields([['PIN', req('PIN', pin)], ['FingerID', fingerId]])}`;
}

/** `DATA QUERY BIODATA Type=[<HT>PIN=[<HT>No=]]` (12.1.3). */
export function attQueryBiodata(type: number, pin?: string, no?: number): string {
  return `DATA QUERY BIODATA ${fields([['Type', type], ['PIN', pin], ['No', pin === undefined ? undefined : no]])}`;
}

/** `CLEAR LOG` (attendance records), `CLEAR PHOTO`, `CLEAR DATA` (everything), `CLEAR BIODATA` (12.2). */
export function attClear(what: 'LOG' | 'PHOTO' | 'DATA' | 'BIODATA'): string {
  return `CLEAR ${what}`;
}

/** `CHECK` (12.3.1): the terminal re-reads its stamps and uploads what the server lacks. */
export const ATT_CHECK = 'CHECK';
/** `LOG` (12.3.2): check for and transmit new data now. */
export const ATT_LOG = 'LOG';
/** `INFO` (12.4.3): the terminal answers with its parameters on devicecmd. */
export const ATT_INFO = 'INFO';
/** `REBOOT`, `AC_UNLOCK`, `AC_UNALARM` (12.7). */
export const ATT_REBOOT = 'REBOOT';
export const ATT_AC_UNLOCK = 'AC_UNLOCK';
export const ATT_AC_UNALARM = 'AC_UNALARM';
/** `RELOAD OPTIONS` (12.4.2). */
export const ATT_RELOAD_OPTIONS = 'RELOAD OPTIONS';

/** `VERIFY SUM ATTLOG StartTime=<HT>EndTime=` (12.3.3). */
export function attVerifySum(start: WallClock, end: WallClock): string {
  return `VERIFY SUM ATTLOG ${period(start, end)}`;
}

/** `SET OPTION <k>=<v>` (12.4.1): one option per command (a TAB-joined pair is stored whole in the first key). */
export function attSetOption(key: string, value: string | number): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new ProtocolValueError('option', `has an invalid name "${key}"`);
  const v = checkValue(key, value);
  if (/[\t ]/.test(v) && v.includes('=')) throw new ProtocolValueError(key, 'must not hold a second option');
  return `SET OPTION ${key}=${v}`;
}

/** `ENROLL_FP PIN=<HT>FID=<HT>RETRY=<HT>OVERWRITE=` (12.6.1). */
export function attEnrollFp(p: { pin: string; fid: number; retry?: number; overwrite?: boolean }): string {
  if (!Number.isInteger(p.fid) || p.fid < 0 || p.fid > 9) throw new ProtocolValueError('FID', 'must be 0-9');
  return `ENROLL_FP ${fields([['PIN', req('PIN', p.pin)], ['FID', p.fid], ['RETRY', p.retry ?? 3], ['OVERWRITE', p.overwrite === false ? 0 : 1]])}`;
}

/** `ENROLL_MF PIN=<HT>RETRY=` (12.6.2): enrol a card at the terminal. */
export function attEnrollCard(p: { pin: string; retry?: number }): string {
  return `ENROLL_MF ${fields([['PIN', req('PIN', p.pin)], ['RETRY', p.retry ?? 3]])}`;
}

/** `ENROLL_BIO TYPE=<HT>PIN=<HT>CardNo=<HT>RETRY=<HT>OVERWRITE=` (12.6.3): face, palm and other unified templates. */
export function attEnrollBio(p: { type: number; pin: string; cardNo?: string; retry?: number; overwrite?: boolean }): string {
  return `ENROLL_BIO ${fields([['TYPE', p.type], ['PIN', req('PIN', p.pin)], ['CardNo', p.cardNo ?? ''], ['RETRY', p.retry ?? 3], ['OVERWRITE', p.overwrite === false ? 0 : 1]])}`;
}
