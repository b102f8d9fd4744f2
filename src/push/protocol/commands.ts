/**
 * Typed builders for server commands (manual 9; digest §7-14).
 *
 * A builder returns the command text that follows `C:<id>:`; the id belongs to the delivery
 * attempt and is added by `formatCommandLine` / `formatGetrequestReply` (./getrequest).
 *
 *   DATA<SP>UPDATE<SP><table><SP><k>=<v><HT><k>=<v>...[<LF><k>=<v><HT>...]   more records per LF
 *   DATA<SP>DELETE<SP><table><SP><cond>[<HT><cond>]  |  ... <table><SP>*
 *   DATA<SP>COUNT<SP><table>[<SP><cond>[<HT><cond>]]
 *   DATA<SP>QUERY<SP>tablename=<t>,fielddesc=<*|field>,filter=<*|NewRecord|<k>=<v>[<HT><k>=<v>]>
 *   CONTROL<SP>DEVICE<SP>AABBCCDD[EE]                      each byte %02X
 *   SET<SP>OPTIONS<SP><k>=<v>[,<k>=<v>]   GET<SP>OPTIONS<SP><name>[,<name>]
 *
 * Field names are sent exactly as the manual spells them for commands (`Pin`, `CardNo`),
 * never in the lower-case upload spelling: a SenseFace 2A given `pin=` stored a user with an
 * empty id. Values are refused when they contain TAB, CR, LF or NUL, because each of those
 * would start a new field, record or command.
 */
import { ProtocolValueError } from './errors';
import { encodeTimeSegment, encodeValiditySeconds, encodeZkSeconds, formatWallClock, formatYmd, type TimeSegment, type WallClock } from './time';

export type FieldValue = string | number | boolean | null | undefined;
/** Ordered fields; `undefined`/`null` values are left out, `''` is sent as `Key=`. */
export type FieldList = ReadonlyArray<readonly [string, FieldValue]>;

const FORBIDDEN = /[\t\r\n\0]/;

export function checkValue(field: string, v: Exclude<FieldValue, null | undefined>): string {
  let s: string;
  if (typeof v === 'boolean') s = v ? '1' : '0';
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ProtocolValueError(field, `is not a finite number (${v})`);
    s = String(v);
  } else s = v;
  if (FORBIDDEN.test(s)) throw new ProtocolValueError(field, 'must not contain TAB, CR, LF or NUL');
  return s;
}

function checkName(what: string, name: string): string {
  if (!/^~?[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !/^\[[A-Za-z0-9_]+\]$/.test(name)) {
    throw new ProtocolValueError(what, `has an invalid name "${name}"`);
  }
  return name;
}

/** `k=v<HT>k=v`, skipping absent values. */
export function formatFields(fields: FieldList): string {
  const parts: string[] = [];
  for (const [k, v] of fields) {
    checkName('field name', k);
    if (v === undefined || v === null) continue;
    parts.push(`${k}=${checkValue(k, v)}`);
  }
  return parts.join('\t');
}

function toList(r: FieldList | Readonly<Record<string, FieldValue>>): FieldList {
  return Array.isArray(r) ? (r as FieldList) : Object.entries(r as Record<string, FieldValue>);
}

function required(field: string, v: FieldValue): Exclude<FieldValue, null | undefined> {
  if (v === undefined || v === null || v === '') throw new ProtocolValueError(field, 'is required');
  return v;
}

function many<T>(x: T | readonly T[]): readonly T[] {
  const arr = Array.isArray(x) ? (x as readonly T[]) : [x as T];
  if (arr.length === 0) throw new ProtocolValueError('records', 'at least one record is required');
  return arr;
}

/**
 * Generic `DATA UPDATE <table>` for tables without a typed builder. Several records share one
 * command, one per LF-separated line (manual 9.1.1 "Multiple Data Record Format").
 */
export function dataUpdate(table: string, records: FieldList | Readonly<Record<string, FieldValue>> | ReadonlyArray<FieldList | Readonly<Record<string, FieldValue>>>): string {
  checkName('table', table);
  const list: ReadonlyArray<FieldList | Readonly<Record<string, FieldValue>>> =
    Array.isArray(records) && (records.length === 0 || !isPair(records[0]))
      ? (records as ReadonlyArray<FieldList | Readonly<Record<string, FieldValue>>>)
      : [records as FieldList | Readonly<Record<string, FieldValue>>];
  if (list.length === 0) throw new ProtocolValueError('records', 'at least one record is required');
  const lines = list.map((r) => {
    const text = formatFields(toList(r));
    if (text === '') throw new ProtocolValueError('records', 'a record has no fields');
    return text;
  });
  return `DATA UPDATE ${table} ${lines.join('\n')}`;
}

function isPair(x: unknown): boolean {
  return Array.isArray(x) && x.length === 2 && typeof x[0] === 'string';
}

// ---------------------------------------------------------------------------------------------
// user (9.1.1, digest 8.1)

export interface UserRecord {
  pin: string | number;
  /** Decimal, or `[15CD5B07]` (see formatCardNoHex); '' = no card. */
  cardNo?: string | number | null;
  password?: string;
  group?: number;
  /** Already encoded for the device's DateFmtFunOn (see encodeUserValidity); 0 = no limit. */
  startTime?: string | number;
  endTime?: string | number;
  name?: string;
  privilege?: 0 | 2 | 6 | 10 | 14 | number;
  disable?: boolean;
}

/** `C:<id>:DATA UPDATE user CardNo=<HT>Pin=<HT>Password=<HT>Group=<HT>StartTime=<HT>EndTime=<HT>Name=<HT>Privilege=<HT>Disable=` */
export function dataUpdateUser(records: UserRecord | readonly UserRecord[]): string {
  return dataUpdate(
    'user',
    many(records).map((u): FieldList => [
      ['CardNo', u.cardNo],
      ['Pin', required('Pin', u.pin)],
      ['Password', u.password],
      ['Group', u.group],
      ['StartTime', u.startTime],
      ['EndTime', u.endTime],
      ['Name', u.name],
      ['Privilege', u.privilege],
      ['Disable', u.disable],
    ]),
  );
}

/**
 * User validity as the device wants it: Appendix-5 seconds when DateFmtFunOn=1, `YYYYMMDD`
 * otherwise; no limit is `0` in both.
 */
export function encodeUserValidity(w: WallClock | null | undefined, dateFormat: 'seconds' | 'yyyymmdd', edge: 'start' | 'end'): string | number {
  if (!w) return 0;
  return dateFormat === 'seconds' ? encodeValiditySeconds(w, edge) : formatYmd(w);
}

// ---------------------------------------------------------------------------------------------
// extuser (8.2)

export interface ExtUserRecord {
  pin: string | number;
  funSwitch?: number;
  firstName?: string;
  lastName?: string;
  personalVS?: number;
}

export function dataUpdateExtUser(records: ExtUserRecord | readonly ExtUserRecord[]): string {
  return dataUpdate(
    'extuser',
    many(records).map((r): FieldList => [
      ['Pin', required('Pin', r.pin)],
      ['FunSwitch', r.funSwitch],
      ['FirstName', r.firstName],
      ['LastName', r.lastName],
      ['PersonalVS', r.personalVS],
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// userauthorize (8.5)

/** AuthorizeDoorId bitmask: door n ⇔ bit n-1 (doors 1-4 → 15). */
export function doorMask(doors: readonly number[]): number {
  let m = 0;
  for (const d of doors) {
    if (!Number.isInteger(d) || d < 1 || d > 31) throw new ProtocolValueError('AuthorizeDoorId', `door ${d} is out of range 1-31`);
    m |= 1 << (d - 1);
  }
  return m >>> 0;
}

export function doorsFromMask(mask: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= 31; d++) if (mask & (1 << (d - 1))) out.push(d);
  return out;
}

export interface UserAuthorizeRecord {
  pin: string | number;
  authorizeTimezoneId: number;
  /** Bitmask, or give `doors` instead. */
  authorizeDoorId?: number;
  doors?: readonly number[];
  /** Only when the device supports DevID (AccSupportFunList 26). */
  devId?: number;
  /** Appendix-5 seconds (AccSupportFunList 62). */
  startTime?: number;
  endTime?: number;
}

/** `DATA UPDATE userauthorize Pin=<HT>AuthorizeTimezoneId=<HT>AuthorizeDoorId=<HT>DevID=[<HT>StartTime=<HT>EndTime=]` */
export function dataUpdateUserAuthorize(records: UserAuthorizeRecord | readonly UserAuthorizeRecord[]): string {
  return dataUpdate(
    'userauthorize',
    many(records).map((r): FieldList => {
      const mask = r.authorizeDoorId ?? (r.doors ? doorMask(r.doors) : undefined);
      return [
        ['Pin', required('Pin', r.pin)],
        ['AuthorizeTimezoneId', required('AuthorizeTimezoneId', r.authorizeTimezoneId)],
        ['AuthorizeDoorId', required('AuthorizeDoorId', mask)],
        ['DevID', r.devId],
        ['StartTime', r.startTime],
        ['EndTime', r.endTime],
      ];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// timezone (8.7)

export const TIMEZONE_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Hol1', 'Hol2', 'Hol3'] as const;
export type TimezoneDay = (typeof TIMEZONE_DAYS)[number];

/** Up to three intervals per weekday and per holiday type (Hol1-3 ⇔ HolidayType 1-3). */
export type WeeklySchedule = Partial<Record<TimezoneDay, readonly TimeSegment[]>>;

/** The 30 `<Day>Time<n>` fields of a schedule, in the manual's order; unused segments are 0. */
export function encodeWeeklySchedule(s: WeeklySchedule): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const day of TIMEZONE_DAYS) {
    const segs = s[day] ?? [];
    if (segs.length > 3) throw new ProtocolValueError(`${day}Time`, 'allows at most 3 intervals per day');
    for (let i = 0; i < 3; i++) out.push([`${day}Time${i + 1}`, encodeTimeSegment(segs[i])]);
  }
  return out;
}

/** A time rule that is always open: 00:00-23:59 in segment 1 of all ten day types. */
export const ALWAYS_OPEN: WeeklySchedule = Object.fromEntries(TIMEZONE_DAYS.map((d) => [d, [{ start: '00:00', end: '23:59' }]]));

export interface TimezoneRecord {
  timezoneId: number;
  schedule: WeeklySchedule;
  /** Appendix-5 seconds (AccSupportFunList 60). */
  startTime?: number;
  endTime?: number;
}

/** `DATA UPDATE timezone TimezoneId=<HT>SunTime1=..<HT>...<HT>Hol3Time3=[<HT>StartTime=<HT>EndTime=]` */
export function dataUpdateTimezone(records: TimezoneRecord | readonly TimezoneRecord[]): string {
  return dataUpdate(
    'timezone',
    many(records).map((r): FieldList => [
      ['TimezoneId', required('TimezoneId', r.timezoneId)],
      ...encodeWeeklySchedule(r.schedule),
      ['StartTime', r.startTime],
      ['EndTime', r.endTime],
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// holiday (8.6)

export interface HolidayRecord {
  /** `YYYYMMDD`, or a date. */
  holiday: string | Pick<WallClock, 'year' | 'month' | 'day'>;
  holidayType: 1 | 2 | 3;
  /** 1 = same month/day every year, 2 = this exact date. */
  loop: 1 | 2;
}

export function dataUpdateHoliday(records: HolidayRecord | readonly HolidayRecord[]): string {
  return dataUpdate(
    'holiday',
    many(records).map((r): FieldList => {
      const day = typeof r.holiday === 'string' ? r.holiday : formatYmd(r.holiday);
      if (!/^\d{8}$/.test(day)) throw new ProtocolValueError('Holiday', `must be YYYYMMDD, got "${day}"`);
      return [
        ['Holiday', day],
        ['HolidayType', r.holidayType],
        ['Loop', r.loop],
      ];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// biometrics (8.8, 8.15)

export interface BiodataRecord {
  pin: string | number;
  /** Body part: finger 0-9, face 0, iris/palm 0 left 1 right. */
  no: number;
  /** Several templates per body part, from 0 (a NIR face is Index 0-14). */
  index: number;
  valid?: 0 | 1;
  duress?: 0 | 1;
  /** Appendix 18 biometric type. */
  type: number;
  majorVer: number;
  minorVer: number;
  /** Fingerprint: 0 ZK, 1 ISO, 2 ANSI; others 0. Some firmware also accepts `ZK`. */
  format?: number | string;
  tmp: string;
}

/**
 * `DATA UPDATE biodata Pin=<HT>No=<HT>Index=<HT>Valid=<HT>Duress=<HT>Type=<HT>MajorVer=<HT>MinorVer=<HT>Format=<HT>Tmp=`
 * All records of one command must have the same Type (manual L8828-8838).
 */
export function dataUpdateBiodata(records: BiodataRecord | readonly BiodataRecord[]): string {
  const list = many(records);
  if (new Set(list.map((r) => r.type)).size > 1) throw new ProtocolValueError('Type', 'all records of one biodata command must have the same Type');
  return dataUpdate('biodata', list.map(biodataFields));
}

/** The fields of one biodata record: the access table and the attendance terminals' BIODATA (12.1.1.6) spell them alike. */
export function biodataFields(r: BiodataRecord): FieldList {
  return [
    ['Pin', required('Pin', r.pin)],
    ['No', r.no],
    ['Index', r.index],
    ['Valid', r.valid ?? 1],
    ['Duress', r.duress ?? 0],
    ['Type', r.type],
    ['MajorVer', r.majorVer],
    ['MinorVer', r.minorVer],
    ['Format', r.format ?? 0],
    ['Tmp', required('Tmp', r.tmp)],
  ];
}

export interface TemplateV10Record {
  pin: string | number;
  /** Finger 0-9 (never +16 on download: duress goes in valid=3). */
  fingerId: number;
  /** 0 invalid, 1 valid, 3 duress. */
  valid?: 0 | 1 | 3;
  template: string;
}

export function dataUpdateTemplateV10(records: TemplateV10Record | readonly TemplateV10Record[]): string {
  return dataUpdate(
    'templatev10',
    many(records).map((r): FieldList => {
      if (!Number.isInteger(r.fingerId) || r.fingerId < 0 || r.fingerId > 9) throw new ProtocolValueError('FingerID', 'must be 0-9');
      return [
        ['Pin', required('Pin', r.pin)],
        ['FingerID', r.fingerId],
        ['Valid', r.valid ?? 1],
        ['Template', required('Template', r.template)],
      ];
    }),
  );
}

export interface BiophotoRecord {
  pin: string | number;
  type: number;
  no?: number;
  index?: number;
  /** Base64 JPEG; Size is derived from it (devices answer -12 when Size differs). */
  content?: string;
  /** Download URL instead of content (Format=1). */
  url?: string;
  /** Ask the device to upload the template it extracts. */
  postBackTmpFlag?: boolean;
}

/** `DATA UPDATE biophoto PIN=<HT>Type=<HT>No=<HT>Index=<HT>Size=<HT>Content=<HT>Format=<HT>Url=<HT>PostBackTmpFlag=` */
export function dataUpdateBiophoto(records: BiophotoRecord | readonly BiophotoRecord[]): string {
  return dataUpdate(
    'biophoto',
    many(records).map((r): FieldList => {
      if ((r.content === undefined) === (r.url === undefined)) throw new ProtocolValueError('Content', 'give exactly one of content or url');
      const byUrl = r.url !== undefined;
      return [
        ['PIN', required('PIN', r.pin)],
        ['Type', r.type],
        ['No', r.no ?? 0],
        ['Index', r.index ?? 0],
        ['Size', byUrl ? undefined : r.content!.length],
        ['Content', byUrl ? undefined : r.content],
        ['Format', byUrl ? 1 : 0],
        ['Url', r.url],
        ['PostBackTmpFlag', r.postBackTmpFlag],
      ];
    }),
  );
}

export interface UserPicRecord {
  pin: string | number;
  content?: string;
  url?: string;
}

/** `DATA UPDATE userpic pin=<HT>size=<HT>format=<HT>url=<HT>content=` (lower-case names, as the manual prints). */
export function dataUpdateUserPic(records: UserPicRecord | readonly UserPicRecord[]): string {
  return dataUpdate(
    'userpic',
    many(records).map((r): FieldList => {
      if ((r.content === undefined) === (r.url === undefined)) throw new ProtocolValueError('content', 'give exactly one of content or url');
      const byUrl = r.url !== undefined;
      return [
        ['pin', required('pin', r.pin)],
        ['size', byUrl ? undefined : r.content!.length],
        ['format', byUrl ? 1 : undefined],
        ['url', r.url],
        ['content', r.content],
      ];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// cards and door rules (8.3, 8.9)

export interface MulCardUserRecord {
  pin: string | number;
  /** Hex string, e.g. `CC9932DD`. */
  cardNo: string;
  lossCardFlag?: 0 | 1;
  /** 0 main card, 1 sub-card. */
  cardType?: 0 | 1;
  /** WGRuleVer 2.0 only. */
  cardBit?: number;
  siteCode?: number;
  imie?: string | number;
}

export function dataUpdateMulCardUser(records: MulCardUserRecord | readonly MulCardUserRecord[]): string {
  return dataUpdate(
    'mulcarduser',
    many(records).map((r): FieldList => [
      ['Pin', required('Pin', r.pin)],
      ['CardNo', required('CardNo', r.cardNo)],
      ['LossCardFlag', r.lossCardFlag ?? 0],
      ['CardType', r.cardType ?? 0],
      ['CardBit', r.cardBit],
      ['SiteCode', r.siteCode],
      ['IMIE', r.imie],
    ]),
  );
}

export interface FirstCardRecord {
  doorId: number;
  timezoneId: number;
  pin: string | number;
  devId?: number;
}

export function dataUpdateFirstCard(records: FirstCardRecord | readonly FirstCardRecord[]): string {
  return dataUpdate(
    'firstcard',
    many(records).map((r): FieldList => [
      ['DoorID', r.doorId],
      ['TimezoneID', r.timezoneId],
      ['Pin', required('Pin', r.pin)],
      ['DevID', r.devId],
    ]),
  );
}

export interface MultimCardRecord {
  index: number;
  doorId: number;
  /** Up to five group ids; missing ones are sent empty. */
  groups: ReadonlyArray<number | null>;
  devId?: number;
}

export function dataUpdateMultimCard(records: MultimCardRecord | readonly MultimCardRecord[]): string {
  return dataUpdate(
    'multimcard',
    many(records).map((r): FieldList => {
      if (r.groups.length > 5) throw new ProtocolValueError('Group', 'at most 5 groups');
      const g = (i: number): FieldValue => r.groups[i] ?? '';
      return [
        ['Index', r.index],
        ['DoorId', r.doorId],
        ['Group1', g(0)],
        ['Group2', g(1)],
        ['Group3', g(2)],
        ['Group4', g(3)],
        ['Group5', g(4)],
        ['DevID', r.devId],
      ];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// DATA DELETE / COUNT / QUERY (9.1.2-9.1.4)

export type Conditions = '*' | FieldList | Readonly<Record<string, FieldValue>>;

function formatConditions(table: string, c: Conditions): string {
  if (c === '*') return '*';
  const list = toList(c).filter(([, v]) => v !== undefined && v !== null);
  if (list.length === 0) throw new ProtocolValueError('conditions', 'empty conditions; use "*" to clear a table on purpose');
  if (table.toLowerCase() === 'user' && list.some(([k]) => k !== 'Pin')) {
    // DATA DELETE user uid=n returned 0 and deleted every user on a SenseFace 2A.
    throw new ProtocolValueError('conditions', 'users are deleted by Pin only');
  }
  return formatFields(list);
}

/** `DATA DELETE <table> <cond>[<HT><cond>]` or `... <table> *` */
export function dataDelete(table: string, conditions: Conditions): string {
  checkName('table', table);
  return `DATA DELETE ${table} ${formatConditions(table, conditions)}`;
}

/** `DATA DELETE user Pin=<pin>`: the only safe way to delete one user. */
export function deleteUser(pin: string | number): string {
  return dataDelete('user', [['Pin', required('Pin', pin)]]);
}

/** `DATA COUNT <table>[ <cond>]` (biophoto/biodata counts need `Type=`). */
export function dataCount(table: string, conditions?: FieldList | Readonly<Record<string, FieldValue>>): string {
  checkName('table', table);
  if (!conditions) return `DATA COUNT ${table}`;
  const list = toList(conditions);
  return list.length === 0 ? `DATA COUNT ${table}` : `DATA COUNT ${table} ${formatFields(list)}`;
}

export interface DataQuery {
  /** `user`, `transaction`, `biodata`, `biophoto`, `templatev10`, `[APList]`... */
  table: string;
  /** `*` (default) or one field name: the manual defines no separator for a list. */
  fieldDesc?: string;
  /** `*` (default), `NewRecord` (transaction), or conditions joined by HT. */
  filter?: '*' | 'NewRecord' | FieldList | Readonly<Record<string, FieldValue>>;
}

/** `DATA QUERY tablename=<t>,fielddesc=<*>,filter=<*>` */
export function dataQuery(q: DataQuery): string {
  checkName('tablename', q.table);
  const fd = q.fieldDesc ?? '*';
  if (fd !== '*') checkName('fielddesc', fd);
  let filter: string;
  if (q.filter === undefined || q.filter === '*' || q.filter === 'NewRecord') filter = q.filter ?? '*';
  else {
    filter = formatFields(toList(q.filter));
    if (filter === '') filter = '*';
  }
  if (filter.includes(',')) throw new ProtocolValueError('filter', 'must not contain commas (they separate the query parameters)');
  return `DATA QUERY tablename=${q.table},fielddesc=${fd},filter=${filter}`;
}

/**
 * Which of its access records a panel is asked for (CVSecurity's Device > Get transactions): `new`, those it has not
 * uploaded (`filter=NewRecord`); `all`, its whole `transaction` table (`filter=*`); `period`, those whose time is in
 * the window, both ends included (`filter=starttime=<wall clock><HT>endtime=<wall clock>`, "on some devices", in the
 * panel's own wall clock as its records' time_second is).
 */
export type TransactionQuery = { records: 'new' } | { records: 'all' } | { records: 'period'; start: WallClock; end: WallClock };

/** `DATA QUERY tablename=transaction,fielddesc=*,filter=NewRecord|*|starttime=..<HT>endtime=..` (9.1.4, access records). */
export function queryTransactions(q: TransactionQuery): string {
  if (q.records === 'new') return dataQuery({ table: 'transaction', filter: 'NewRecord' });
  if (q.records === 'all') return dataQuery({ table: 'transaction', filter: '*' });
  if (encodeZkSeconds(q.start) > encodeZkSeconds(q.end)) throw new ProtocolValueError('starttime', 'must not be after endtime');
  return dataQuery({ table: 'transaction', filter: [['starttime', formatWallClock(q.start)], ['endtime', formatWallClock(q.end)]] });
}

// ---------------------------------------------------------------------------------------------
// CONTROL DEVICE (9.4, digest §12)

const byte = (what: string, n: number): string => {
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new ProtocolValueError(what, `must be a byte 0-255, got ${n}`);
  return n.toString(16).toUpperCase().padStart(2, '0');
};

/** `CONTROL DEVICE AABBCCDD[EE...]`: AA is the table row number written in hex (row 11 → `0B`). */
export function controlDevice(bytes: readonly number[]): string {
  if (bytes.length < 4) throw new ProtocolValueError('CONTROL DEVICE', 'needs at least 4 bytes AABBCCDD');
  return `CONTROL DEVICE ${bytes.map((b, i) => byte(['AA', 'BB', 'CC', 'DD', 'EE'][i] ?? `byte${i}`, b)).join('')}`;
}

const door = (d: number) => {
  if (!Number.isInteger(d) || d < 0 || d > 16) throw new ProtocolValueError('BB', `door must be 0 (all) or 1-16, got ${d}`);
  return d;
};

/** Open a door lock for 1-254 s: `01 <door> 01 <s>` (FF would mean normally open). */
export function openDoor(doorId: number, seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 254) throw new ProtocolValueError('DD', 'open duration must be 1-254 s');
  return controlDevice([0x01, door(doorId), 0x01, seconds]);
}

/** Close a door lock (also ends a remote normal-open): `01 <door> 01 00`. */
export function closeDoor(doorId: number): string {
  return controlDevice([0x01, door(doorId), 0x01, 0x00]);
}

/** Keep a door lock open until closed: `01 <door> 01 FF`. */
export function holdDoorOpen(doorId: number): string {
  return controlDevice([0x01, door(doorId), 0x01, 0xff]);
}

/** Drive auxiliary output n for 1-254 s (0 = off, 255 = normally open): `01 <n> 02 <s>`. */
export function auxOutput(output: number, seconds: number): string {
  return controlDevice([0x01, door(output), 0x02, seconds]);
}

/** Cancel alarms (door 0 = all): `02 <door> 00 00`. */
export function cancelAlarm(doorId = 0): string {
  return controlDevice([0x02, door(doorId), 0x00, 0x00]);
}

/** Restart the device (0) or a sub-device: `03 <id> 00 00`. There is no REBOOT verb in this protocol. */
export function restartDevice(subDevice = 0): string {
  return controlDevice([0x03, door(subDevice), 0x00, 0x00]);
}

/** Enable/disable today's normal-open period: `04 <door> 01|00 00`. */
export function setNormalOpen(doorId: number, enable: boolean): string {
  return controlDevice([0x04, door(doorId), enable ? 0x01 : 0x00, 0x00]);
}

/** Lockdown (AccSupportFunList 2): `06 <door> 01` lock, `06 <door> 00` unlock. */
export function lockDoor(doorId: number, lock: boolean): string {
  return controlDevice([0x06, door(doorId), lock ? 0x01 : 0x00, 0x00]);
}

/** Emergency (AccSupportFunList 3): all doors open (`07 01`) or all closed (`07 02`). */
export function emergency(mode: 'open-all' | 'close-all'): string {
  return controlDevice([0x07, mode === 'open-all' ? 0x01 : 0x02, 0x00, 0x00]);
}

// ---------------------------------------------------------------------------------------------
// SET / GET OPTIONS (9.5)

function optionPair(name: string, value: FieldValue): string {
  checkName('option', name);
  if (value === undefined || value === null) throw new ProtocolValueError(name, 'needs a value');
  const v = checkValue(name, value);
  if (v.includes(',')) throw new ProtocolValueError(name, 'option values cannot contain commas (no escaping exists)');
  return `${name}=${v}`;
}

/**
 * `SET OPTIONS <name>=<value>`: one option per command. Field evidence: a SenseFace 2A stored
 * a TAB-joined pair entirely in the first option and still answered 0.
 */
export function setOption(name: string, value: FieldValue): string {
  return `SET OPTIONS ${optionPair(name, value)}`;
}

/**
 * `SET OPTIONS <k>=<v>,<k>=<v>`: the comma form the manual shows (9.5.1). Prefer `setOption`
 * unless the device is known to take the list (the manual's own network/door examples do).
 */
export function setOptions(options: FieldList | Readonly<Record<string, FieldValue>>): string {
  const list = toList(options);
  if (list.length === 0) throw new ProtocolValueError('options', 'at least one option');
  return `SET OPTIONS ${list.map(([k, v]) => optionPair(k, v)).join(',')}`;
}

/** One door's parameters as a panel keeps them (9.5.1, Appendix 10); a field left out is not sent (the panel's own stays). */
export interface DoorOptionsRecord {
  doorNo: number;
  /** Door<n>Drivertime: seconds the lock stays released. */
  drivertime: number;
  /** Door<n>SensorType: 0 none, 1 normally open, 2 normally closed. */
  sensorType?: number;
  /** Door<n>Detectortime: door sensor delay in seconds (0: no alarm for the delay). */
  detectortime?: number;
  /** Door<n>Intertime: operate interval in seconds. */
  intertime?: number;
  /** Door<n>KeepOpenTimeZone: the passage mode time zone's TimezoneId (0: none). */
  keepOpenTz?: number;
  /** Door<n>ValidTZ: the door active time zone's TimezoneId. */
  validTz?: number;
  /** Door<n>CloseAndLock: 1 lock at door closing, 0 not. */
  closeAndLock?: 0 | 1;
  /** Door<n>ForcePassWord: the duress password, up to 6 digits ('' none). */
  forcePassword?: string;
  /** Door<n>SupperPassWord: the emergency password, up to 8 digits ('' none). */
  superPassword?: string;
}

/**
 * `SET OPTIONS Door1Drivertime=5,Door1SensorType=1,Door1Detectortime=15,Door1Intertime=2[,Door2...]`: the manual's
 * own access-control example (9.5.1) sends a door's parameters as one comma list, in this order.
 */
export function setDoorOptions(records: readonly DoorOptionsRecord[]): string {
  const list: Array<[string, FieldValue]> = [];
  for (const r of records) {
    if (!Number.isInteger(r.doorNo) || r.doorNo < 1 || r.doorNo > 255) throw new ProtocolValueError('doorNo', 'a door number 1-255');
    list.push([`Door${r.doorNo}Drivertime`, r.drivertime]);
    if (r.sensorType !== undefined) list.push([`Door${r.doorNo}SensorType`, r.sensorType]);
    if (r.detectortime !== undefined) list.push([`Door${r.doorNo}Detectortime`, r.detectortime]);
    if (r.intertime !== undefined) list.push([`Door${r.doorNo}Intertime`, r.intertime]);
    for (const [name, tz] of [['KeepOpenTimeZone', r.keepOpenTz], ['ValidTZ', r.validTz]] as const) {
      if (tz === undefined) continue;
      if (!Number.isInteger(tz) || tz < 0) throw new ProtocolValueError(`Door${r.doorNo}${name}`, 'a TimezoneId (0: none)');
      list.push([`Door${r.doorNo}${name}`, tz]);
    }
    if (r.closeAndLock !== undefined) list.push([`Door${r.doorNo}CloseAndLock`, r.closeAndLock]);
    for (const [name, pw, max] of [['ForcePassWord', r.forcePassword, 6], ['SupperPassWord', r.superPassword, 8]] as const) {
      if (pw === undefined) continue;
      if (!new RegExp(`^\\d{0,${max}}$`).test(pw)) throw new ProtocolValueError(`Door${r.doorNo}${name}`, `up to ${max} digits`);
      list.push([`Door${r.doorNo}${name}`, pw]);
    }
  }
  return setOptions(list);
}

/**
 * `SET OPTIONS Door<n>FirstCardOpenDoor=<mode>` (Appendix 10): 0 disabled, 1 first-card normal open (the door stays
 * open in the time zones of its `firstcard` rows once one of their pins first verifies), 2 first-card activation.
 */
export function setFirstCardOpenDoor(doorNo: number, mode: 0 | 1 | 2): string {
  if (!Number.isInteger(doorNo) || doorNo < 1 || doorNo > 255) throw new ProtocolValueError('doorNo', 'a door number 1-255');
  return setOption(`Door${doorNo}FirstCardOpenDoor`, mode);
}

/** `DATA DELETE firstcard DoorID=<n>` (9.1.2): every first-card row of the door. */
export function deleteFirstCardsOfDoor(doorNo: number): string {
  if (!Number.isInteger(doorNo) || doorNo < 1 || doorNo > 255) throw new ProtocolValueError('doorNo', 'a door number 1-255');
  return dataDelete('firstcard', [['DoorID', doorNo]]);
}

/** `SET OPTIONS DateTime=<Appendix-5 seconds>` of the device-local wall clock. */
export function setDateTime(deviceWallClock: WallClock): string {
  return setOption('DateTime', encodeZkSeconds(deviceWallClock));
}

/** `GET OPTIONS <name>,<name>`: results arrive on /iclock/querydata?type=options. */
export function getOptions(names: readonly string[]): string {
  if (names.length === 0) throw new ProtocolValueError('options', 'at least one name');
  return `GET OPTIONS ${names.map((n) => checkName('option', n)).join(',')}`;
}

// ---------------------------------------------------------------------------------------------
// less common verbs (9.2, 9.3, 9.4.1, 9.6)

/** `Test Host Address=<ip>:<port>` */
export function testHost(address: string): string {
  return `Test Host Address=${checkValue('Address', required('Address', address))}`;
}

export interface UpgradeParams {
  /**
   * 1: device fetches /iclock/file?url=.. and gets base64 (`checksum,url,size`);
   * 2: raw file (`type=1,checksum,size,url`);
   * 3: device GETs the URL with Range headers (`checksum,size,url[,supportsubcontracting]`).
   */
  method: 1 | 2 | 3;
  checksum: string;
  url: string;
  size: number;
  supportSubcontracting?: 0 | 1;
}

/** `UPGRADE <k>=<v>,...` in the order of the manual's example for each method (9.4.1). */
export function upgrade(p: UpgradeParams): string {
  const pairs: FieldList =
    p.method === 1
      ? [['checksum', p.checksum], ['url', p.url], ['size', p.size]]
      : p.method === 2
        ? [['type', 1], ['checksum', p.checksum], ['size', p.size], ['url', p.url]]
        : [['checksum', p.checksum], ['size', p.size], ['url', p.url], ['supportsubcontracting', p.supportSubcontracting]];
  return `UPGRADE ${pairs.filter(([, v]) => v !== undefined).map(([k, v]) => optionPair(k, v)).join(',')}`;
}

/** What a channel controller's advertising screen should show (9.5.3). */
export interface AdScreenParams {
  /** 0 the entry side's screen, 1 the exit side's. */
  inOut: 0 | 1;
  /** Display area number, from 1. */
  area: number;
  /** 0 video, 1 picture/icon, 2 text, 3 firmware upgrade. */
  type: 0 | 1 | 2 | 3;
  /** Size of the display area; left out when not given (the manual gives no unit or default). */
  range?: number;
  /** Absolute URL the screen downloads the file from. */
  url: string;
  /** Seconds between items: sent as InPlayInterval for the entry side, OutPlayInterval for the exit side. */
  playInterval: number;
}

/**
 * `SET ADSCREEN_OPTIONS InOut=0,Area=1,Type=1,Range=..,URL=http://..,InPlayInterval=10` (9.5.3, channel
 * controllers only). The device first answers -5000 (the screen is downloading), then the screen's result
 * under the same ID. Commas cannot be escaped, so a URL with a comma is refused.
 */
export function setAdScreenOptions(p: AdScreenParams): string {
  if (!/^https?:\/\/\S+$/.test(p.url)) throw new ProtocolValueError('URL', 'must be an absolute http(s) URL');
  if (!Number.isInteger(p.area) || p.area < 1) throw new ProtocolValueError('Area', 'must be a whole number from 1');
  if (!Number.isInteger(p.playInterval) || p.playInterval < 1) throw new ProtocolValueError('PlayInterval', 'must be a whole number of seconds from 1');
  const pairs: Array<readonly [string, FieldValue]> = [
    ['InOut', p.inOut],
    ['Area', p.area],
    ['Type', p.type],
    ['Range', p.range],
    ['URL', p.url],
    [p.inOut === 1 ? 'OutPlayInterval' : 'InPlayInterval', p.playInterval],
  ];
  return `SET ADSCREEN_OPTIONS ${pairs.filter(([, v]) => v !== undefined).map(([k, v]) => optionPair(k, v)).join(',')}`;
}

/** `ENROLL_BIO TYPE=<HT>NO=<HT>PIN=<HT>RETRY=<HT>OVERWRITE=<HT>MODE=` */
export function enrollBio(p: { type: number; no: number; pin: string | number; retry: number; overwrite: boolean; mode: 0 | 1 }): string {
  return `ENROLL_BIO ${formatFields([
    ['TYPE', p.type],
    ['NO', p.no],
    ['PIN', required('PIN', p.pin)],
    ['RETRY', p.retry],
    ['OVERWRITE', p.overwrite],
    ['MODE', p.mode],
  ])}`;
}

/** `ENROLL_INFO TYPE=<HT>PIN=<HT>RETRY=<HT>MODE=` (TYPE 0 = MF card number). */
export function enrollInfo(p: { type?: number; pin: string | number; retry: number; mode: 0 | 1 }): string {
  return `ENROLL_INFO ${formatFields([
    ['TYPE', p.type ?? 0],
    ['PIN', required('PIN', p.pin)],
    ['RETRY', p.retry],
    ['MODE', p.mode],
  ])}`;
}

/** `ACCOUNT transaction ContentType=tgz MaxIndex=<n>` (pull-SDK style, 9.2.1). */
export function accountTransactions(maxIndex = 0): string {
  if (!Number.isInteger(maxIndex) || maxIndex < 0) throw new ProtocolValueError('MaxIndex', 'must be a non-negative integer');
  return `ACCOUNT transaction ContentType=tgz MaxIndex=${maxIndex}`;
}

// ---------------------------------------------------------------------------------------------
// card numbers (17.5)

/**
 * `[15CD5B07]` form of a 32-bit card number: bytes least-significant first, upper-case hex
 * (the manual's format line says `%02x` but its example is upper case).
 */
export function formatCardNoHex(card: number | bigint): string {
  const n = BigInt(card);
  if (n < 0n || n > 0xffffffffn) throw new ProtocolValueError('CardNo', 'bracket form holds 32 bits');
  let s = '';
  for (let i = 0n; i < 4n; i++) s += ((n >> (8n * i)) & 0xffn).toString(16).toUpperCase().padStart(2, '0');
  return `[${s}]`;
}

/**
 * A card number as a device uploads it (attendance 11.5 `Card=`, security 7.5 `cardno=`, rtlog `cardno=`):
 * decimal, or the bracketed hexadecimal form `[%02x%02x%02x%02x]`, bytes least-significant first
 * (`[15CD5B07]` is 0x075BCD15 = 123456789), read to its decimal string. `{ card: null }` when there is no
 * card (absent, empty, all zeros); a string, the reason, when a bracket form is malformed (not 4 hex bytes):
 * such a value is never stored as a card number.
 */
export function readCardNo(raw: string | null | undefined): { card: string | null } | string {
  if (raw === null || raw === undefined) return { card: null };
  const t = raw.trim();
  if (t === '' || /^0+$/.test(t)) return { card: null };
  if (!t.startsWith('[') && !t.endsWith(']')) return { card: t };
  const m = /^\[([0-9a-fA-F]{8})\]$/.exec(t);
  if (!m) return `malformed bracketed card number "${t.slice(0, 40)}" (want [%02x%02x%02x%02x])`;
  let n = 0n;
  for (let i = 3; i >= 0; i--) n = (n << 8n) | BigInt(parseInt(m[1].substr(i * 2, 2), 16));
  return { card: n === 0n ? null : n.toString() };
}
