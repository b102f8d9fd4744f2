/**
 * Table uploads (`POST /iclock/cdata?SN=..&table=tabledata&tablename=<t>&count=<n>`, manual
 * 7.5-7.12) and DATA QUERY / DATA COUNT / GET OPTIONS results (`POST /iclock/querydata`, 9.1.3,
 * 9.1.4, 9.5.2). Both carry the same record format:
 *
 *   [<table><SP>]<key>=<value><HT><key>=<value>...        one record per line (LF or CR LF)
 *
 * Keys arrive lower-case (`pin`, `cardno`) while commands use `Pin`, `CardNo`; lookups are
 * case-insensitive. The `count` query parameter is only a hint: count the lines. A `cardno` may come in the
 * bracketed hex form (`[15CD5B07]` = 123456789, 7.5): it is read to decimal, and a malformed one refuses the line.
 */
import { readCardNo } from './commands';
import type { ParseResult, RejectedLine } from './errors';
import { KvMap, parseCommaList, parseQuery, parseTabRecord, splitLines, toInt } from './kv';

interface Base {
  lineNo: number;
  /** Table-name prefix as sent (`user`, `biodata`...), or null. */
  prefix: string | null;
  /** Every field as sent, raw keys. */
  fields: Record<string, string>;
}

export interface UserUpload extends Base {
  kind: 'user';
  table: 'user';
  /** Device slot, not the user's identity: never key anything on it. */
  uid: number | null;
  pin: string;
  cardNo: string | null;
  password: string | null;
  group: number | null;
  startTime: string | null;
  endTime: string | null;
  name: string | null;
  privilege: number | null;
  disable: boolean | null;
  verify: number | null;
}

export interface BiodataUpload extends Base {
  kind: 'biodata';
  table: 'biodata';
  pin: string;
  no: number | null;
  index: number | null;
  valid: number | null;
  duress: number | null;
  type: number;
  majorVer: number | null;
  minorVer: number | null;
  /** `0`/`1`/`2` or `ZK` as sent. */
  format: string | null;
  tmp: string;
}

export interface TemplateV10Upload extends Base {
  kind: 'templatev10';
  table: 'templatev10';
  pin: string;
  uid: number | null;
  /** Finger 0-9; uploads mark a duress finger as fingerid+16 (see `duress`). */
  fingerId: number | null;
  duress: boolean;
  valid: number | null;
  size: number | null;
  /** true when `size` does not match the template length (devices do this; keep the record). */
  sizeMismatch: boolean;
  template: string;
}

export interface PhotoUpload extends Base {
  kind: 'userpic' | 'biophoto';
  table: 'userpic' | 'biophoto';
  pin: string;
  fileName: string | null;
  /** Biometric type (biophoto only). */
  type: number | null;
  no: number | null;
  index: number | null;
  size: number | null;
  sizeMismatch: boolean;
  content: string;
}

export interface AttPhotoUpload extends Base {
  kind: 'ATTPHOTO';
  table: 'ATTPHOTO';
  /** Snapshot file name such as `20181003143617-22.jpg` (the manual calls it pin). */
  fileName: string;
  sn: string | null;
  size: number | null;
  photo: string;
}

export interface IdentityCardUpload extends Base {
  kind: 'identitycard';
  table: 'identitycard';
  pin: string | null;
  /** Spellings vary (`ID_Num` in the format, `IDNum` in the example): both are read. */
  idNum: string | null;
  name: string | null;
  gender: number | null;
  nation: number | null;
  birthday: string | null;
  validInfo: string | null;
  address: string | null;
  issuer: string | null;
}

export interface ErrorLogUpload extends Base {
  kind: 'errorlog';
  table: 'errorlog';
  errCode: string;
  errMsg: string | null;
  dataOrigin: string | null;
  cmdId: string | null;
  additional: string | null;
}

export interface TransactionUpload extends Base {
  kind: 'transaction';
  table: 'transaction';
  pin: string | null;
  cardNo: string | null;
  verified: number | null;
  doorId: number | null;
  eventType: number | null;
  inOutState: number | null;
  /** Appendix-5 seconds (device wall clock). */
  timeSecond: number | null;
  index: number | null;
  siteCode: number | null;
  devId: number | null;
  sn: string | null;
}

/**
 * IPC linkage capture (Security PUSH 7.15, `table=linkphotoinfo`): the camera's photo of an access record, named by
 * that record's rtlog `index` (LogIndex). Several lines may name one record (one per photo, PhotoInfo tells them apart).
 */
export interface LinkPhotoUpload extends Base {
  kind: 'linkphotoinfo';
  table: 'linkphotoinfo';
  logIndex: number;
  /** File name such as `20240118145930-link-ch0.jpg`. */
  photoInfo: string | null;
  /** `<channel>-<seconds before>-<seconds after>`, e.g. `1-30-30`. */
  linkVideo: string | null;
  photo: string;
}

/** Any other table (DeviceAuthorize, APList, testdata, ...): the fields, nothing interpreted. */
export interface GenericUpload extends Base {
  /** Discriminant: narrow uploads on `kind`, not on `table` (a generic table name is any string). */
  kind: 'generic';
  table: string;
  map: KvMap;
}

export type TableUpload =
  | UserUpload
  | BiodataUpload
  | TemplateV10Upload
  | PhotoUpload
  | AttPhotoUpload
  | IdentityCardUpload
  | ErrorLogUpload
  | TransactionUpload
  | LinkPhotoUpload
  | GenericUpload;

type Decoder = (m: KvMap, base: Base) => TableUpload | string;

const need = (m: KvMap, k: string): string | null => m.text(k) ?? null;

const decoders: Record<string, Decoder> = {
  user: (m, b) => {
    const pin = need(m, 'pin');
    if (!pin) return 'missing pin';
    const card = readCardNo(m.text('cardno'));
    if (typeof card === 'string') return card;
    return {
      ...b,
      kind: 'user',
    table: 'user',
      uid: m.int('uid'),
      pin,
      cardNo: card.card,
      password: m.text('password') ?? null,
      group: m.int('group'),
      startTime: m.text('starttime') ?? null,
      endTime: m.text('endtime') ?? null,
      name: m.get('name') ?? null,
      privilege: m.int('privilege'),
      disable: m.flag('disable'),
      verify: m.int('verify'),
    };
  },
  biodata: (m, b) => {
    const pin = need(m, 'pin');
    const type = m.int('type');
    const tmp = m.get('tmp');
    if (!pin) return 'missing pin';
    if (type === null) return 'missing or bad type';
    if (!tmp) return 'missing tmp';
    return {
      ...b,
      kind: 'biodata',
    table: 'biodata',
      pin,
      no: m.int('no'),
      index: m.int('index'),
      valid: m.int('valid'),
      duress: m.int('duress'),
      type,
      // 7.x table data says majorver/minorver; the ENROLL_BIO upload (9.6.2, type=BioData) MAJOR_VER/MINOR_VER.
      majorVer: m.int('majorver') ?? m.int('major_ver'),
      minorVer: m.int('minorver') ?? m.int('minor_ver'),
      format: m.text('format') ?? null,
      tmp,
    };
  },
  templatev10: (m, b) => {
    const pin = need(m, 'pin');
    const template = m.get('template');
    if (!pin) return 'missing pin';
    if (!template) return 'missing template';
    const fid = m.int('fingerid');
    const size = m.int('size');
    return {
      ...b,
      kind: 'templatev10',
    table: 'templatev10',
      pin,
      uid: m.int('uid'),
      fingerId: fid === null ? null : fid >= 16 ? fid - 16 : fid,
      duress: fid !== null && fid >= 16,
      valid: m.int('valid'),
      size,
      sizeMismatch: size !== null && size !== template.length,
      template,
    };
  },
  userpic: (m, b) => photo('userpic', m, b),
  biophoto: (m, b) => photo('biophoto', m, b),
  attphoto: (m, b) => {
    const fileName = need(m, 'pin');
    const p = m.get('photo');
    if (!fileName) return 'missing pin (file name)';
    if (!p) return 'missing photo';
    return { ...b, kind: 'ATTPHOTO', table: 'ATTPHOTO', fileName, sn: m.text('sn') ?? null, size: m.int('size'), photo: p };
  },
  identitycard: (m, b) => ({
    ...b,
    kind: 'identitycard',
    table: 'identitycard',
    pin: m.text('pin') ?? null,
    idNum: m.text('ID_Num') ?? m.text('IDNum') ?? null,
    name: m.get('Name') ?? null,
    gender: m.int('Gender'),
    nation: m.int('Nation'),
    birthday: m.text('Birthday') ?? null,
    validInfo: m.text('Valid_Info') ?? m.text('ValidInfo') ?? null,
    address: m.get('Address') ?? null,
    issuer: m.get('Issuer') ?? null,
  }),
  errorlog: (m, b) => {
    const errCode = need(m, 'errcode');
    if (!errCode) return 'missing errcode';
    return {
      ...b,
      kind: 'errorlog',
    table: 'errorlog',
      errCode,
      errMsg: m.get('errmsg') ?? null,
      dataOrigin: m.text('dataorigin') ?? null,
      cmdId: m.text('cmdid') ?? null,
      additional: m.text('additional') ?? null,
    };
  },
  linkphotoinfo: linkPhoto,
  transaction: (m, b) => {
    const card = readCardNo(m.text('cardno'));
    if (typeof card === 'string') return card;
    return {
    ...b,
    kind: 'transaction',
    table: 'transaction',
    pin: m.text('pin') ?? null,
    cardNo: card.card,
    verified: m.int('verified'),
    doorId: m.int('doorid'),
    eventType: m.int('eventtype'),
    inOutState: m.int('inoutstate'),
    timeSecond: m.int('time_second'),
    index: m.int('index'),
    siteCode: m.int('sitecode'),
    devId: m.int('devid'),
    sn: m.text('sn') ?? null,
    };
  },
};

/** A line that names no record (LogIndex not a count) or carries no photo could join no event: refused. */
function linkPhoto(m: KvMap, b: Base): LinkPhotoUpload | string {
  const index = m.text('logindex');
  if (!index) return 'missing LogIndex';
  if (!/^\d{1,10}$/.test(index) || Number(index) > 2147483647) return `LogIndex "${index.slice(0, 20)}" is not a record index`;
  const p = m.get('photodata');
  if (!p) return 'missing PhotoData';
  return { ...b, kind: 'linkphotoinfo', table: 'linkphotoinfo', logIndex: Number(index), photoInfo: m.text('photoinfo') ?? null, linkVideo: m.text('linkvideo') ?? null, photo: p };
}

function photo(table: 'userpic' | 'biophoto', m: KvMap, b: Base): PhotoUpload | string {
  const pin = need(m, 'pin');
  const content = m.get('content');
  if (!pin) return 'missing pin';
  if (!content) return 'missing content';
  const size = m.int('size');
  return {
    ...b,
    kind: table,
    table,
    pin,
    fileName: m.text('filename') ?? null,
    type: m.int('type'),
    no: m.int('no'),
    index: m.int('index'),
    size,
    sizeMismatch: size !== null && size !== content.length,
    content,
  };
}

/** Table names are matched case-insensitively; `idcard` is an alias some firmware uses. */
export function canonicalTableName(name: string): string {
  const n = name.trim();
  const l = n.toLowerCase();
  if (l === 'idcard') return 'identitycard';
  if (l === 'attphoto') return 'ATTPHOTO';
  if (l in decoders) return l;
  return n;
}

/**
 * Parses the records of one table upload. Lines whose prefix names another table are
 * rejected (never silently re-typed); lines without a single `key=value` are rejected.
 */
export function parseTableData(tableName: string, body: string): ParseResult<TableUpload> {
  const table = canonicalTableName(tableName);
  const decoder = decoders[table.toLowerCase()];
  const results: TableUpload[] = [];
  const rejected: RejectedLine[] = [];
  for (const { text, lineNo } of splitLines(body)) {
    const { prefix, map } = parseTabRecord(text, tableName);
    if (map.size === 0) {
      rejected.push({ line: text, lineNo, reason: 'no key=value fields' });
      continue;
    }
    if (prefix !== null && canonicalTableName(prefix).toLowerCase() !== table.toLowerCase()) {
      rejected.push({ line: text, lineNo, reason: `record of table "${prefix}" in a "${tableName}" upload` });
      continue;
    }
    const base: Base = { lineNo, prefix, fields: map.toObject() };
    const r = decoder ? decoder(map, base) : ({ ...base, kind: 'generic', table, map } satisfies GenericUpload);
    if (typeof r === 'string') rejected.push({ line: text, lineNo, reason: r });
    else results.push(r);
  }
  return { results, rejected };
}

/** Query parameters of a table upload or querydata post (names matched case-insensitively). */
export interface UploadQuery {
  sn: string | null;
  /** `table=` (cdata) — rtlog, rtstate, tabledata, options, ... */
  table: string | null;
  /** `type=` — tabledata, count, options, vmtable, registry, EnrollInfoData, BioData. */
  type: string | null;
  tableName: string | null;
  cmdId: string | null;
  count: number | null;
  packCnt: number | null;
  packIdx: number | null;
  query: KvMap;
}

export function parseUploadQuery(query: string | Record<string, string | string[] | undefined>): UploadQuery {
  const q = parseQuery(query);
  return {
    sn: q.text('SN') ?? null,
    table: q.text('table') ?? null,
    type: q.text('type') ?? null,
    tableName: q.text('tablename') ?? null,
    cmdId: q.text('cmdid') ?? null,
    count: q.int('count'),
    packCnt: q.int('packcnt'),
    packIdx: q.int('packidx'),
    query: q,
  };
}

/**
 * `POST /iclock/querydata?type=<t>&cmdid=<id>&tablename=<name>&count=&packcnt=&packidx=`:
 *
 *   type=count      body `<table>=<n>`                      (answer to DATA COUNT)
 *   type=tabledata  body = upload records of <tablename>    (answer to DATA QUERY; may be packets)
 *   type=vmtable    body = `APList ecn=..<HT>ssid=..` rows    (virtual table)
 *   type=options    body `Name=Value,Name=Value`            (answer to GET OPTIONS)
 */
export type QueryData =
  | { kind: 'count'; type: 'count'; cmdId: string | null; tableName: string | null; count: number | null; packCnt: number | null; packIdx: number | null; recordCount: number | null }
  | { kind: 'records'; type: 'tabledata' | 'vmtable'; cmdId: string | null; tableName: string | null; count: number | null; packCnt: number | null; packIdx: number | null; records: ParseResult<TableUpload> }
  | { kind: 'account'; type: 'tabledata'; cmdId: string | null; tableName: string | null; count: number | null; packCnt: number | null; packIdx: number | null; account: AccountPackage }
  | { kind: 'options'; type: 'options'; cmdId: string | null; tableName: string | null; count: number | null; packCnt: number | null; packIdx: number | null; options: KvMap }
  | { kind: 'raw'; type: string; cmdId: string | null; tableName: string | null; count: number | null; packCnt: number | null; packIdx: number | null; raw: string };

export function parseQueryData(query: string | Record<string, string | string[] | undefined>, body: string): QueryData {
  const q = parseUploadQuery(query);
  const common = { cmdId: q.cmdId, tableName: q.tableName, count: q.count, packCnt: q.packCnt, packIdx: q.packIdx };
  const type = (q.type ?? '').toLowerCase();
  if (type === 'count') {
    const m = parseCommaList(body);
    const v = (q.tableName !== null ? m.get(q.tableName) : undefined) ?? m.fields[0]?.value;
    return { kind: 'count', type: 'count', ...common, recordCount: toInt(v) };
  }
  if (type === 'tabledata' && q.query.text('datafmt') === '3') {
    return { kind: 'account', type: 'tabledata', ...common, account: parseAccountPackage(body) };
  }
  if (type === 'tabledata' || type === 'vmtable') {
    return { kind: 'records', type, ...common, records: parseTableData(q.tableName ?? '', body) };
  }
  if (type === 'options') return { kind: 'options', type: 'options', ...common, options: parseCommaList(body) };
  return { kind: 'raw', type: q.type ?? '', ...common, raw: body };
}

/**
 * Reply to a table upload or a querydata packet: `<tablename as sent>=<n>` (manual 7.5-7.12,
 * 9.1.4). `n` should count every line received, stored or logged raw, so that the device does
 * not resend lines the server already holds (a resent upload must change nothing anyway).
 */
export function formatTableAck(tableName: string, n: number): string {
  const t = tableName.trim();
  if (!/^[\w\[\]~.-]+$/.test(t)) return `OK`;
  return `${t}=${Math.max(0, Math.trunc(n))}`;
}

/** Lines a parse saw (good and bad): the number to acknowledge. */
export function receivedCount(r: ParseResult<unknown>): number {
  return r.results.length + r.rejected.length;
}

/** `OK`: the reply to rtlog, rtstate, devicecmd, options, irstate, linkphotoinfo, ping, and anything unknown. */
export const OK_REPLY = 'OK';

/**
 * The reply body for any `/iclock/cdata` or `/iclock/querydata` POST, from its query:
 * table/querydata tabledata uploads get `<tablename>=<n>`, everything else `OK`.
 */
export function formatUploadReply(q: UploadQuery, receivedLines: number): string {
  const table = (q.table ?? '').toLowerCase();
  const type = (q.type ?? '').toLowerCase();
  if ((table === 'tabledata' || type === 'tabledata' || type === 'vmtable') && q.tableName) {
    return formatTableAck(q.tableName, receivedLines);
  }
  return OK_REPLY;
}

/**
 * ACCOUNT upload of pull-SDK style devices (manual 9.2.1, `...&datafmt=3&Stamp=9999`):
 *
 *   name=transaction.tgz<LF>size=636<LF>datacode=base64<LF>datatype=tgz<NUL><base64 of the tgz>
 *
 * The NUL is the only place the manual puts one inside a body; everything after it is data.
 */
export interface AccountPackage {
  header: KvMap;
  name: string | null;
  size: number | null;
  dataCode: string | null;
  dataType: string | null;
  /** Base64 text after the NUL (line breaks removed), or null when there is no NUL. */
  data: string | null;
}

export function parseAccountPackage(body: string): AccountPackage {
  const nul = body.indexOf('\0');
  const head = nul < 0 ? body : body.slice(0, nul);
  const header = parseCommaList(head);
  return {
    header,
    name: header.text('name') ?? null,
    size: header.int('size'),
    dataCode: header.text('datacode') ?? null,
    dataType: header.text('datatype') ?? null,
    data: nul < 0 ? null : body.slice(nul + 1).replace(/[\r\n]/g, ''),
  };
}

export type UploadKind =
  | 'remoteAuth'
  | 'deviceAuthorize'
  | 'enrollInfo'
  | 'bioData'
  | 'accountOverview'
  | 'rtlog'
  | 'rtstate'
  | 'options'
  | 'tabledata'
  | 'irstate'
  | 'linkphotoinfo'
  | 'testdata'
  | 'unknown';

/**
 * Classifies a `POST /iclock/cdata` by its query, in the digest's order (§2): AuthType, type,
 * desc=overview, then table. Values match case-insensitively; anything else is 'unknown' and
 * still gets `OK`, so a device never stalls on an upload we do not understand.
 */
export function classifyCdataPost(q: UploadQuery): UploadKind {
  return classifyCdataQuery(q.query);
}

/** classifyCdataPost from the query alone (the device fast path reads no more of an upload's query than this). */
export function classifyCdataQuery(query: KvMap): UploadKind {
  const lc = (k: string) => query.text(k)?.toLowerCase();
  if (lc('AuthType') === 'device') return 'remoteAuth';
  const type = lc('type');
  if (type === 'registry') return 'deviceAuthorize';
  if (type === 'enrollinfodata') return 'enrollInfo';
  if (type === 'biodata') return 'bioData';
  if (lc('desc') === 'overview') return 'accountOverview';
  if (type === 'tabledata' && query.text('tablename')) return 'tabledata';
  const table = lc('table');
  switch (table) {
    case 'rtlog':
    case 'rtstate':
    case 'options':
    case 'tabledata':
    case 'irstate':
    case 'linkphotoinfo':
    case 'testdata':
      return table;
    default:
      return 'unknown';
  }
}
