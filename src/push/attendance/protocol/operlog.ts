/**
 * Attendance PUSH `table=OPERLOG` uploads (attendance manual 11.4, 11.5, 11.9-11.13, 11.15) and
 * `table=BIODATA` (11.12). One body mixes record types; the first word decides each line's type:
 *
 *   OPLOG<SP><OpType><HT><OpWho><HT><OpTime><HT><Value1><HT><Value2><HT><Value3><HT><Reserved>
 *   USER<SP>PIN=<HT>Name=<HT>Pri=<HT>Passwd=<HT>Card=<HT>Grp=<HT>TZ=<HT>Verify=<HT>ViceCard=[<HT>...]
 *   FP<SP>PIN=<HT>FID=<HT>Size=<HT>Valid=<HT>TMP=
 *   FACE<SP>PIN=<HT>FID=<HT>SIZE=<HT>VALID=<HT>TMP=
 *   FVEIN<SP>Pin=<HT>FID=<HT>Index=<HT>Size=<HT>Valid=<HT>Tmp=
 *   BIODATA<SP>Pin=<HT>No=<HT>Index=<HT>Valid=<HT>Duress=<HT>Type=<HT>MajorVer=<HT>MinorVer=<HT>Format=<HT>Tmp=
 *   USERPIC<SP>PIN=<HT>FileName=<HT>Size=<HT>Content=
 *   BIOPHOTO<SP>PIN=<HT>FileName=<HT>Type=<HT>Size=<HT>Content=
 *
 * Key case varies (`PIN`/`Pin`, `SIZE`/`Size`): lookups ignore it. `Size` may not match the data in uploads
 * (field-notes, traps seen on real hardware), so it is kept but not checked, except to tell a last line the body ends
 * inside cut short (cutData). A template damaged in transit (a CR LF inside the base64)
 * leaves a junk line: it is refused alone, the records around it are kept. Any other `WORD k=v` line (IDCARD,
 * ERRORLOG, WORKCODE...) is kept as `other`, raw.
 */
import { isBase64Data } from '../../protocol/base64-data';
import { readCardNo } from '../../protocol/commands';
import type { ParseResult, RejectedLine } from '../../protocol/errors';
import { endsInsideLine, parseTabRecord, splitLines, type KvMap } from '../../protocol/kv';
import { formatWallClock, type WallClock } from '../../protocol/time';
import { parseAttlogLine } from './attlog';

export interface OplogRecord {
  kind: 'OPLOG';
  opType: number;
  opWho: string;
  wallClock: WallClock;
  time: string;
  values: string[];
  /**
   * The body ended inside this line (no line end after it): its last field may be cut short (`90` of the reserved
   * `906`), which the line cannot tell. Stored as such, so that the whole line, sent again, replaces it.
   */
  cutShort?: boolean;
  lineNo: number;
}

export interface UserInfoRecord {
  kind: 'USER';
  pin: string;
  name: string | null;
  pri: number | null;
  passwd: string | null;
  card: string | null;
  /** The user's group (12.1.1.1 `Grp`, 1 by default); null when left out, empty, or no group number (then in `unread`). */
  grp: number | null;
  /** The user's time periods (12.1.1.1 `TZ`, 16 digits); null when left out, empty, or not 16 digits (then in `unread`). */
  tz: string | null;
  verify: number | null;
  viceCard: string | null;
  fields: Record<string, string>;
  /**
   * Fields that could not be read: the line is taken without them. A malformed card (bracket value) stays as sent in
   * `card`/`viceCard` (no card number, so never stored as one); a malformed Grp or TZ is null. Each is kept raw with
   * the reason.
   */
  unread: Array<{ field: 'Card' | 'ViceCard' | 'Grp' | 'TZ'; value: string; reason: string }>;
  lineNo: number;
}

/** A biometric template in any of the attendance forms, normalised to the unified (BIODATA) shape. */
export interface TemplateRecord {
  kind: 'FP' | 'FACE' | 'FVEIN' | 'BIODATA';
  pin: string;
  /** Appendix 18 type: 1 finger, 2 NIR face, 7 finger vein, 8 palm, 9 visible face. */
  type: number;
  /** Body part number: the finger (FID) for FP/FVEIN, face number, BIODATA `No`. */
  no: number;
  /** Template number within the part (FACE FID, FVEIN Index, BIODATA Index). */
  index: number;
  valid: number;
  duress: number;
  majorVer: number | null;
  minorVer: number | null;
  format: string | null;
  tmp: string;
  lineNo: number;
}

export interface PhotoRecord {
  kind: 'USERPIC' | 'BIOPHOTO';
  pin: string;
  fileName: string | null;
  type: number | null;
  content: string;
  lineNo: number;
}

export interface OtherRecord {
  kind: 'other';
  table: string;
  line: string;
  lineNo: number;
}

export type OperlogRecord = OplogRecord | UserInfoRecord | TemplateRecord | PhotoRecord | OtherRecord;

const int = (m: KvMap, k: string): number | null => m.int(k);

function text(m: KvMap, k: string): string | null {
  const v = m.get(k);
  return v === undefined ? null : v.trim();
}

/** The highest `Grp` taken (a terminal's groups are small numbers: 1 by default, 100 seen blocking on AiFace). */
export const MAX_GROUP = 32767;

/**
 * A field read by `read`, or null: left out or empty (firmware that does not send it) says nothing; a value `read`
 * refuses is noted in `unread` with `reason`.
 */
function checked<T>(m: KvMap, k: 'Grp' | 'TZ', unread: UserInfoRecord['unread'], read: (v: string) => T | null, reason: string): T | null {
  const v = text(m, k);
  if (!v) return null;
  const out = read(v);
  if (out === null) unread.push({ field: k, value: v, reason });
  return out;
}

/** An OpType the operation log can hold (Appendix 3 codes are small; anything past 32 bits is damage). */
const isOpType = (n: number): boolean => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647;

/** The operands of an OPLOG line written with TABs (its fields after type, who and time), empty ones kept. */
const operandsAsSent = (fields: string[]): string[] => fields.slice(3).map((v) => v.trim());

function oplog(rest: string, lineNo: number): OplogRecord | string {
  const f = rest.split('\t');
  if (f.length < 3 && !rest.includes('\t')) {
    // The manual prints TABs as spaces: `OPLOG 4 14 2015-07-30 10:22:34 0 0 0 0`.
    const m = /^\s*(-?\d+)\s+(\S+)\s+(.*)$/.exec(rest);
    if (!m) return 'OPLOG without OpType, OpWho and OpTime';
    if (!isOpType(Number(m[1]))) return 'OPLOG OpType out of range';
    const t = parseAttlogLine(`${m[2]} ${m[3]}`, lineNo);
    if (typeof t === 'string') return `OPLOG: ${t}`;
    return { kind: 'OPLOG', opType: Number(m[1]), opWho: m[2], wallClock: t.wallClock, time: t.time, values: [t.status, t.verify, t.workCode, ...t.reserved].map((v) => (v === null ? '' : String(v))), lineNo };
  }
  const opType = /^\s*-?\d+\s*$/.test(f[0] ?? '') ? Number(f[0]) : NaN;
  if (!Number.isInteger(opType)) return 'OPLOG with a non-numeric OpType';
  if (!isOpType(opType)) return 'OPLOG OpType out of range';
  const t = parseAttlogLine(`${(f[1] ?? '').trim() || '0'}\t${f[2] ?? ''}`, lineNo);
  if (typeof t === 'string') return `OPLOG: ${t}`;
  const values = operandsAsSent(f);
  while (values.length > 0 && values[values.length - 1] === '') values.pop();
  return { kind: 'OPLOG', opType, opWho: (f[1] ?? '').trim(), wallClock: t.wallClock, time: formatWallClock(t.wallClock), values, lineNo };
}

/**
 * Whether a record's PIN can be a person's (person.pin is varchar(64), no control characters), as an ATTLOG line's
 * must (attlog.ts). A longer one was cut to 64 for the person it created, then not found by its full PIN the next
 * time: the same line sent again created that person again, and the unique PIN failed the whole upload.
 */
function usablePin(pin: string): boolean {
  return pin.length <= 64 && !/[\x00-\x1f]/.test(pin);
}

/** The highest template number (FID, No, Index) and type a template slot holds (smallint columns). */
export const MAX_TEMPLATE_SLOT = 32767;
/** The highest algorithm version (MajorVer, MinorVer) a template keeps (integer columns). */
const MAX_TEMPLATE_VERSION = 2_147_483_647;

/**
 * A number of a template line (FID, No, Index, Type, MajorVer, MinorVer): absent or blank is `fallback` (undefined: the
 * line is refused for it), anything else a whole number in 0..max or the line's refusal. A value no slot can hold
 * (FID=x, No=70000) is refused rather than read as the default: a guessed 0 would overwrite template 0, and a number
 * past the column would fail the whole upload (every good line beside it) in the database.
 */
function templateNumber(kind: TemplateRecord['kind'], m: KvMap, key: string, max: number, fallback?: number | null): number | null | string {
  const raw = m.get(key)?.trim();
  if (!raw) return fallback !== undefined ? fallback : `${kind} without ${key}`;
  const n = /^\+?\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(n) && n <= max ? n : `${kind} ${key}=${raw.slice(0, 16)} is no number 0-${max}`;
}

function template(kind: TemplateRecord['kind'], m: KvMap, lineNo: number): TemplateRecord | string {
  const pin = m.text('PIN');
  const tmp = (m.get('TMP') ?? '').trim();
  if (!pin) return `${kind} without PIN`;
  if (!usablePin(pin)) return `${kind} with an unusable PIN`;
  if (!tmp) return `${kind} without TMP`;
  if (!isBase64Data(tmp)) return `${kind} TMP is no base64 data`;
  const valid = int(m, 'Valid') ?? 1;
  const num = (key: string, fallback?: number | null, max = MAX_TEMPLATE_SLOT) => templateNumber(kind, m, key, max, fallback);
  switch (kind) {
    case 'FP': {
      // FID names the finger (0-9): without it the line says which template it replaces nowhere.
      const no = num('FID');
      if (typeof no === 'string') return no;
      // Valid=3 is a duress finger (12.1.1.3).
      return { kind, pin, type: 1, no: no!, index: 0, valid: valid === 0 ? 0 : 1, duress: valid === 3 ? 1 : 0, majorVer: 10, minorVer: 0, format: null, tmp, lineNo };
    }
    case 'FACE': {
      const index = num('FID', 0);
      if (typeof index === 'string') return index;
      return { kind, pin, type: 2, no: 0, index: index!, valid: valid === 0 ? 0 : 1, duress: 0, majorVer: null, minorVer: null, format: null, tmp, lineNo };
    }
    case 'FVEIN': {
      const no = num('FID');
      if (typeof no === 'string') return no;
      const index = num('Index', 0);
      if (typeof index === 'string') return index;
      return { kind, pin, type: 7, no: no!, index: index!, valid: valid === 0 ? 0 : 1, duress: 0, majorVer: null, minorVer: null, format: null, tmp, lineNo };
    }
    default: {
      const type = num('Type');
      if (typeof type === 'string') return type;
      // No and Index default to 0 (12.1.3: "No ... default value is 0"; a face is all 0).
      const no = num('No', 0);
      if (typeof no === 'string') return no;
      const index = num('Index', 0);
      if (typeof index === 'string') return index;
      const majorVer = num('MajorVer', null, MAX_TEMPLATE_VERSION);
      if (typeof majorVer === 'string') return majorVer;
      const minorVer = num('MinorVer', null, MAX_TEMPLATE_VERSION);
      if (typeof minorVer === 'string') return minorVer;
      return {
        kind,
        pin,
        type: type!,
        no: no!,
        index: index!,
        valid: valid === 0 ? 0 : 1,
        duress: int(m, 'Duress') === 1 ? 1 : 0,
        majorVer,
        minorVer,
        format: text(m, 'Format'),
        tmp,
        lineNo,
      };
    }
  }
}

/**
 * A record's word under the name of the table it is of: a terminal answering `DATA QUERY USERINFO` or `FINGERTMP`
 * (12.1.3) may write each line with the table's name (`USERINFO PIN=…`, `FINGERTMP PIN=…`) instead of the record's
 * (`USER`, `FP`: 11.5, 11.9).
 */
const RECORD_WORDS: Readonly<Record<string, string>> = { USERINFO: 'USER', FINGERTMP: 'FP' };

/**
 * The record word of the lines of an upload of this table that carry none (`PIN=982<HT>Name=…`, the form of the
 * table's DATA UPDATE record, 12.1.1): a terminal posting users or templates under their own table name
 * (`table=USERINFO`, `tablename=FINGERTMP`...) rather than OPERLOG, where every line names its record. Null for
 * OPERLOG and any other table: a line without its word is refused there.
 */
export function bareRecordWord(table: string): string | null {
  const t = table.trim().toUpperCase();
  if (t === 'USERINFO' || t === 'USER') return 'USER';
  if (t === 'FINGERTMP' || t === 'FP') return 'FP';
  return ['FACE', 'FVEIN', 'BIODATA', 'USERPIC', 'BIOPHOTO'].includes(t) ? t : null;
}

/** Parses one OPERLOG/BIODATA line; a string is the reason it was refused. */
export function parseOperlogLine(line: string, lineNo: number): OperlogRecord | string {
  const m = /^\s*([A-Za-z_]+)[ \t]+(.*)$/s.exec(line);
  if (!m) return 'no record type word';
  const word = RECORD_WORDS[m[1].toUpperCase()] ?? m[1].toUpperCase();
  if (word === 'OPLOG') return oplog(m[2], lineNo);
  const rec = parseTabRecord(line, word);
  if (rec.map.size === 0) return `${word} line without key=value fields`;
  const map = rec.map;
  switch (word) {
    case 'USER': {
      const pin = map.text('PIN');
      if (!pin) return 'USER without PIN';
      if (!usablePin(pin)) return 'USER with an unusable PIN';
      // `Card=[15CD5B07]` is the bracketed hex form of 123456789 (11.5): stored decimal. A malformed one costs its
      // field only: the user (name, privilege, password...) is still taken.
      const unread: UserInfoRecord['unread'] = [];
      const cardField = (field: 'Card' | 'ViceCard'): string | null => {
        const value = text(map, field);
        const read = readCardNo(value);
        if (typeof read !== 'string') return read.card;
        unread.push({ field, value: value!, reason: read });
        return value;
      };
      const card = cardField('Card');
      const viceCard = cardField('ViceCard');
      const grp = checked(map, 'Grp', unread, (v) => (/^\d{1,5}$/.test(v) && Number(v) <= MAX_GROUP ? Number(v) : null), `not a group number (0-${MAX_GROUP})`);
      const tz = checked(map, 'TZ', unread, (v) => (/^\d{16}$/.test(v) ? v : null), 'not 16 digits (12.1.1.1)');
      return {
        kind: 'USER',
        pin,
        name: text(map, 'Name'),
        pri: int(map, 'Pri'),
        passwd: text(map, 'Passwd'),
        card,
        grp,
        tz,
        verify: int(map, 'Verify'),
        viceCard,
        fields: map.toObject(),
        unread,
        lineNo,
      };
    }
    case 'FP':
    case 'FACE':
    case 'FVEIN':
    case 'BIODATA':
      return template(word, map, lineNo);
    case 'USERPIC':
    case 'BIOPHOTO': {
      const pin = map.text('PIN');
      const content = (map.get('Content') ?? '').trim();
      if (!pin) return `${word} without PIN`;
      if (!usablePin(pin)) return `${word} with an unusable PIN`;
      if (!content) return `${word} without Content`;
      if (!isBase64Data(content)) return `${word} Content is no base64 data`;
      return { kind: word, pin, fileName: text(map, 'FileName'), type: int(map, 'Type'), content, lineNo };
    }
    default:
      if (!/^[A-Z][A-Z0-9_]*$/.test(m[1])) return 'no record type word';
      return { kind: 'other', table: word, line, lineNo };
  }
}

/**
 * USER fields the line goes on after in every form of it (manual 11.5: PIN, Name, Pri, Passwd, Card, Grp, TZ, Verify,
 * ViceCard; field sample up-operlog-user-biopro adds StartDatetime, EndDatetime; the manual's older print, 11.5's
 * `USER PIN=36234 … TZ=0001000000000000`, ends at TZ), lower case. No form ends at Verify: every one that has it goes
 * on to ViceCard. A line stopping at TZ, ViceCard or later may be whole (the older form, the manual's, Biopro's):
 * judged by its value alone it is taken (a cut TZ is not 16 digits, so unread), unless its terminal is known to end
 * its uploads with a line end (see parseOperlog).
 */
const USER_FIELDS_FOLLOWED = new Set(['pin', 'name', 'pri', 'passwd', 'card', 'grp', 'verify']);

/**
 * A USER line that stops at one of USER_FIELDS_FOLLOWED, or inside a key: when the body ends inside it, an upload cut
 * mid-body, whose last value may be cut too (`USER PIN=94` of `USER PIN=9402\tName=…`, `Name=Ann L` of `Name=Ann Lee`,
 * `Verify=` of `Verify=-1`). Taken, it enrolled a person the terminal never had, or gave the person a cut name (or
 * card, verify mode) that was sent on to the area's other terminals; refused, the whole upload, sent again, brings the user.
 */
function cutUser(line: string, r: OperlogRecord | string): boolean {
  if (typeof r === 'string' || r.kind !== 'USER') return false;
  const last = line.split('\t').pop() ?? '';
  if (line.includes('\t') && !last.includes('=')) return true;
  return USER_FIELDS_FOLLOWED.has((Object.keys(r.fields).pop() ?? '').toLowerCase());
}

/**
 * A template or photo line whose data shows the cut when the body ends inside it: shorter than its `Size` (the length
 * of the base64 data, manual 11.9-11.11, 11.13, 11.15; BIODATA has none, 11.12) or base64 that stops inside a group of four. Taken, the cut template (or
 * photo) was stored as the person's and sent to the area's other terminals. A line the body does not end inside is
 * never judged by its Size (terminals upload Sizes that do not match their data: field-notes, traps seen on real hardware).
 */
function cutData(line: string, r: OperlogRecord | string): string | null {
  if (typeof r === 'string' || r.kind === 'OPLOG' || r.kind === 'USER' || r.kind === 'other') return null;
  const data = ('tmp' in r ? r.tmp : r.content).replace(/\\\//g, '/').replace(/\s+/g, '');
  const size = parseTabRecord(line, r.kind).map.int('Size');
  if (size !== null && data.length < size) return `${r.kind} line cut short, its data (${data.length}) shorter than its Size (${size}) (the body ends inside the line)`;
  if (data.length % 4 !== 0) return `${r.kind} line cut short inside its base64 data (the body ends inside the line)`;
  return null;
}

/** The fields of an OPLOG line written with TABs: type, who, time, three values, reserved (11.4; every firmware seen). */
const OPLOG_FIELDS = 7;

/**
 * An OPLOG line written with TABs with fewer than its seven fields: when the body ends inside it, an upload cut
 * mid-body (after the time, inside the operands, one digit into the seconds). An operation record is keyed by its
 * fields, so taken, the cut copy was a record of its own beside the whole one sent again: the operation listed twice,
 * with operands or a time it never had. The manual's space-separated print is not judged.
 */
const cutOplog = (line: string): boolean => {
  const rest = /^\s*OPLOG[ \t]+(.*)$/is.exec(line)?.[1];
  return rest !== undefined && rest.includes('\t') && rest.split('\t').length < OPLOG_FIELDS;
};

/**
 * A USER, template or photo line the body ends inside, from a terminal known to end its uploads with a line end: cut
 * short whatever its values look like (`ViceCard=1234` of `ViceCard=123456789`, a BIODATA Tmp cut on a base64 group).
 * Its OPLOG lines are marked cut short instead (OplogRecord.cutShort), as from any terminal.
 */
function cutAtTerminal(read: OperlogRecord | string): string | null {
  if (typeof read === 'string' || read.kind === 'OPLOG' || read.kind === 'other') return null;
  return `${read.kind} line cut short: the body ends inside it, and this terminal ends its uploads with a line end`;
}

/** The reason the body's last line is refused as cut short (the body ends inside it), or null. */
function cutShort(body: string, line: string, read: OperlogRecord | string, endsLines: boolean): string | null {
  if (!endsInsideLine(body, line)) return null;
  if (cutUser(line, read)) return 'USER line cut short before its last fields (the body ends inside the line)';
  if (cutOplog(line)) return `OPLOG line cut short, fewer than its ${OPLOG_FIELDS} fields (the body ends inside the line)`;
  return cutData(line, read) ?? (endsLines ? cutAtTerminal(read) : null);
}

/** A cut OPLOG line's operands as it has them (written with TABs), empty ones at its end too. */
function cutOperands(line: string): string[] {
  const rest = /^\s*OPLOG[ \t]+(.*)$/is.exec(line)?.[1] ?? '';
  return operandsAsSent(rest.split('\t'));
}

export interface OperlogReading {
  /**
   * The terminal ended an earlier OPERLOG or BIODATA upload with a line end (every attendance firmware in the field
   * samples does; the manual only says LF joins records, so one that does not is not refused for it): a body of it
   * that ends inside its last line was cut, even where the line cannot show it.
   */
  endsLines?: boolean;
  /** The record word of lines that carry none (bareRecordWord of the upload's table), if they have one. */
  bareWord?: string | null;
}

/**
 * Every line of an OPERLOG (or BIODATA) body, the good records and the refused lines side by side. An OPLOG line the
 * body ends inside keeps its operands as they came, empty ones at its end too (the TAB after `1` tells `1` was whole,
 * which matching the whole line sent again needs); a whole one drops the empty ones it ends with.
 */
export function parseOperlog(body: string, reading: OperlogReading = {}): ParseResult<OperlogRecord> {
  const results: OperlogRecord[] = [];
  const rejected: RejectedLine[] = [];
  const lines = splitLines(body);
  for (const [i, { text: line, lineNo }] of lines.entries()) {
    const read = parseOperlogLine(reading.bareWord && /^\s*[A-Za-z_]+=/.test(line) ? `${reading.bareWord} ${line.trimStart()}` : line, lineNo);
    const last = i === lines.length - 1;
    const r = (last ? cutShort(body, line, read, reading.endsLines === true) : null) ?? read;
    if (typeof r === 'string') rejected.push({ line, lineNo, reason: r });
    else if (r.kind !== 'OPLOG' || !last || !endsInsideLine(body, line)) results.push(r);
    else results.push({ ...r, cutShort: true, values: line.includes('\t') ? cutOperands(line) : r.values });
  }
  return { results, rejected };
}
