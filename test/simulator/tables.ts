/**
 * In-memory device tables, keyed the way the firmware keys them (manual 9.1.1 "insert if there is no record
 * with that primary key, otherwise overwrite it"). Field names are stored exactly as the server sent them;
 * key fields are looked up by the manual's spelling, so a write with the upload spelling (`pin=` for `Pin=`)
 * makes a row with an empty key — what a SenseFace 2A did (field-notes, devices 14).
 */

const DAY_TYPES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Hol1', 'Hol2', 'Hol3'];

/** Field lists per table (push-tables.json → dataTables), in the manual's order. */
const FIELDS: Record<string, string> = {
  user: 'CardNo,Pin,Password,Group,StartTime,EndTime,Name,Privilege,Disable',
  extuser: 'Pin,FunSwitch,FirstName,LastName,PersonalVS',
  mulcarduser: 'Pin,CardNo,LossCardFlag,CardType,CardBit,SiteCode,IMIE',
  identitycard:
    'Pin,SN_Num,ID_Num,DN_Num,Name,Gender,Nation,Birthday,Valid_Info,Address,Additional_Info,Issuer,Photo,PhotoJPG,FP_Template1,FP_Template2,Reserve,Notice',
  userauthorize: 'Pin,AuthorizeTimezoneId,AuthorizeDoorId,DevID,StartTime,EndTime',
  holiday: 'Holiday,HolidayType,Loop',
  timezone: ['TimezoneId', ...DAY_TYPES.flatMap((d) => [1, 2, 3].map((n) => `${d}Time${n}`)), 'StartTime', 'EndTime'].join(','),
  templatev10: 'Pin,FingerID,Valid,Template',
  firstcard: 'DoorID,TimezoneID,Pin,DevID',
  multimcard: 'Index,DoorId,Group1,Group2,Group3,Group4,Group5,DevID',
  inoutfun: 'Index,EventType,InAddr,OutType,OutAddr,OutTime,Reserved,InDevID,OutDevID',
  outrelaysetting: 'Num,OutType,ActionType,TimezoneId,DevID',
  DSTSetting: 'Year,StartTime,EndTime,Loop',
  DevProperty: 'ID,Type,BusType,MachineType,Address,Mac,IPAddress,SN,IsMaster',
  DevParameters: 'ID,Name,Value',
  DoorProperty: 'ID,DevID,Address,Disable',
  DoorParameters: 'ID,Name,Value,DevID',
  ReaderProperty: 'ID,ReaderID,DoorID,Type,BusType,Address,IPAddress,Port,MAC,InOut,Disable,VerifyType,Multicast,DevID,OfflineRefuse',
  ReaderParameters: 'ID,DevID,Name,Value',
  ReaderParameter: 'ReaderID,Name,Value',
  AuxIn: 'ID,DevID,Address,Disable,ExtBoardID,InputType,InputMode,SupervisedResistor',
  AuxOut: 'ID,DevID,Address,Disable',
  DefaultWGFormat: 'ID,CardBit,SiteCode,FormatName,CardFormat',
  WGFormat: 'ID,CardBit,SiteCode,FormatName,CardFormat,ExtSiteCode,ExtParityFormat,IsDefault',
  ReaderWGFormat: 'ReaderID,DevID,WGFormatID,ParityVerifyDisable,ReversalType',
  InputIOSetting: 'Number,InType,TimeZoneId,DevID',
  DiffTimezoneVS: [
    'TimezoneID',
    ...DAY_TYPES.flatMap((d) => [1, 2, 3].flatMap((n) => [`${d}Time${n}`, `${d}Time${n}VSUser`, `${d}Time${n}VSDoor`])),
  ].join(','),
  DoorVSTimezone: 'DoorID,TimezoneID,DevID',
  PersonalVSTimezone: 'PIN,DoorID,TimezoneID,DevID',
  SuperAuthorize: 'Pin,DoorID,DevID',
  biophoto: 'PIN,Type,No,Index,Size,Content,Format,Url,PostBackTmpFlag',
  userpic: 'pin,size,format,url,content',
  biodata: 'Pin,No,Index,Valid,Duress,Type,MajorVer,MinorVer,Format,Tmp',
  usereleauthorize: 'Pin,AuthorizeTimezoneId,AuthorizeFloorId,AuthorizeFloors,DevID',
  gatepassrule: [
    'PasswayTimeZoneId',
    ...DAY_TYPES.slice(0, 7).flatMap((d) => [1, 2, 3, 4, 5].flatMap((n) => [`${d}Time${n}`, `${d}PassMode${n}`])),
  ].join(','),
  ntpserverlist: 'ServerAddress',
  contact_info: 'ContactID,Pin,GroupName,DisplayName,PassCode',
  contact_number_list: 'ContactID,NumType,Number,Priority,PatternID',
  contact_number_pattern_list: 'PatternID,Pattern,Strip,Prepend',
  cambindinfo: 'TargetType,TargetID,Chn,DevID',
  TriggerList: 'TriggerListID,Type,DevID,TriggerID',
  AntiPassBack: 'AntiPassBackID,PTriggerListID,TTriggerListID',
  InterLock: 'InterLockID,PTriggerListID,TTriggerListID',
  DeviceAuthorize: 'SN,IsAuthorize',
  // Access records: written by the device itself (every uploaded rtlog event), deleted / counted / queried only.
  transaction: 'cardno,pin,verified,doorid,eventtype,inoutstate,time_second,index,sitecode,devid,maskflag,temperature,convtemperature',
};

/**
 * Primary keys. The manual never states them; these follow "one record per ..." in 9.1.1 and the delete
 * conditions of 9.1.2. userauthorize: one record per (Pin, time rule) — the doors are a bitmask inside it.
 */
const KEYS: Record<string, string[]> = {
  user: ['Pin'],
  extuser: ['Pin'],
  mulcarduser: ['Pin', 'CardNo'],
  identitycard: ['Pin'],
  userauthorize: ['Pin', 'AuthorizeTimezoneId'],
  holiday: ['Holiday'],
  timezone: ['TimezoneId'],
  templatev10: ['Pin', 'FingerID'],
  firstcard: ['DoorID', 'TimezoneID', 'Pin'],
  multimcard: ['Index'],
  inoutfun: ['Index'],
  outrelaysetting: ['Num'],
  DSTSetting: ['Year'],
  DevProperty: ['ID'],
  DevParameters: ['ID', 'Name'],
  DoorProperty: ['ID'],
  DoorParameters: ['ID', 'Name'],
  ReaderProperty: ['ID', 'ReaderID'],
  ReaderParameters: ['ID', 'Name'],
  ReaderParameter: ['ReaderID', 'Name'],
  AuxIn: ['ID'],
  AuxOut: ['ID'],
  DefaultWGFormat: ['ID'],
  WGFormat: ['ID'],
  ReaderWGFormat: ['ReaderID', 'DevID'],
  InputIOSetting: ['Number'],
  DiffTimezoneVS: ['TimezoneID'],
  DoorVSTimezone: ['DoorID'],
  PersonalVSTimezone: ['PIN', 'DoorID'],
  SuperAuthorize: ['Pin', 'DoorID'],
  biophoto: ['PIN', 'Type'],
  userpic: ['pin'],
  biodata: ['Pin', 'No', 'Index', 'Type'],
  usereleauthorize: ['Pin', 'AuthorizeTimezoneId'],
  gatepassrule: ['PasswayTimeZoneId'],
  ntpserverlist: ['ServerAddress'],
  contact_info: ['ContactID'],
  contact_number_list: ['ContactID', 'NumType'],
  contact_number_pattern_list: ['PatternID'],
  cambindinfo: ['TargetType', 'TargetID', 'Chn'],
  TriggerList: ['TriggerListID'],
  AntiPassBack: ['AntiPassBackID'],
  InterLock: ['InterLockID'],
  DeviceAuthorize: ['SN'],
  transaction: ['index'],
};

/** Tables a server can write with DATA UPDATE (transaction is device-generated). */
export const WRITABLE_TABLES = Object.keys(FIELDS).filter((t) => t !== 'transaction');
export const ALL_TABLES = Object.keys(FIELDS);

/** Delete conditions separated by SP are documented for this table only (9.1.2 L11148). */
export const SPACE_SEPARATED_DELETE_TABLES = new Set(['biophoto']);

export function fieldsOf(table: string): string[] {
  return (FIELDS[table] ?? '').split(',').filter(Boolean);
}

export function keysOf(table: string): string[] {
  return KEYS[table] ?? [];
}

export type Row = Record<string, string>;

interface StoredRow {
  seq: number;
  /** Record slot on the device (uploaded as `uid=` for users and templates). */
  slot: number;
  row: Row;
}

export interface TableOptions {
  /** Match field names case-insensitively when finding key fields (default false: the manual's spelling only). */
  caseInsensitiveKeys?: boolean;
  /** Tables this firmware knows (default: every table of the manual). */
  supportedTables?: string[];
  /** Key overrides, e.g. `{ userauthorize: ['Pin', 'AuthorizeTimezoneId', 'AuthorizeDoorId'] }`. */
  keys?: Record<string, string[]>;
}

/** Case-insensitive field lookup in a row. */
export function getField(row: Row, name: string, caseInsensitive = true): string | undefined {
  if (name in row) return row[name];
  if (!caseInsensitive) return undefined;
  const lower = name.toLowerCase();
  for (const k of Object.keys(row)) if (k.toLowerCase() === lower) return row[k];
  return undefined;
}

export type Condition = [string, string];

export class DeviceTables {
  private readonly data = new Map<string, Map<string, StoredRow>>();
  private seq = 0;
  /** Per-table record slot counter (uploaded as `uid=` for users and templates). */
  private readonly slots = new Map<string, number>();
  readonly warnings: string[] = [];

  constructor(private readonly opts: TableOptions = {}) {}

  supports(table: string): boolean {
    if (this.opts.supportedTables) return this.opts.supportedTables.includes(table);
    return table in FIELDS;
  }

  keyFields(table: string): string[] {
    return this.opts.keys?.[table] ?? keysOf(table);
  }

  private tableMap(table: string): Map<string, StoredRow> {
    let m = this.data.get(table);
    if (!m) {
      m = new Map();
      this.data.set(table, m);
    }
    return m;
  }

  keyOf(table: string, row: Row): string {
    return this.keyFields(table)
      .map((k) => getField(row, k, this.opts.caseInsensitiveKeys ?? false) ?? '')
      .join('\u0000');
  }

  /** DATA UPDATE semantics: insert, or overwrite the record with the same key. Returns the stored row. */
  upsert(table: string, row: Row): Row {
    const known = fieldsOf(table);
    for (const k of Object.keys(row)) {
      if (known.length && !known.includes(k)) this.warnings.push(`${table}: field "${k}" is not in the manual's field list`);
    }
    for (const k of this.keyFields(table)) {
      const v = getField(row, k, this.opts.caseInsensitiveKeys ?? false);
      if (v === undefined || v === '') this.warnings.push(`${table}: key field "${k}" missing or empty — stored with an empty key`);
    }
    const m = this.tableMap(table);
    const key = this.keyOf(table, row);
    const prev = m.get(key);
    const stored: Row = { ...row };
    if (prev) {
      m.set(key, { seq: prev.seq, slot: prev.slot, row: stored });
    } else {
      const slot = (this.slots.get(table) ?? 0) + 1;
      this.slots.set(table, slot);
      m.set(key, { seq: ++this.seq, slot, row: stored });
    }
    return { ...stored };
  }

  /** Copies of the rows in insertion order. */
  rows(table: string): Row[] {
    const m = this.data.get(table);
    if (!m) return [];
    return [...m.values()].sort((a, b) => a.seq - b.seq).map((s) => ({ ...s.row }));
  }

  /** Rows with their internal slot number (for query uploads). */
  rowsWithSlot(table: string): Array<{ row: Row; slot: string }> {
    const m = this.data.get(table);
    if (!m) return [];
    return [...m.values()].sort((a, b) => a.seq - b.seq).map((s) => ({ row: { ...s.row }, slot: String(s.slot) }));
  }

  /** Rows matching every condition (field names compared case-insensitively, values exactly). */
  match(table: string, conds: Condition[]): Row[] {
    return this.rows(table).filter((r) => conds.every(([k, v]) => getField(r, k) === v));
  }

  /** Is this a field the table has (manual list or a field present on a stored row)? */
  knowsField(table: string, field: string): boolean {
    const lower = field.toLowerCase();
    if (fieldsOf(table).some((f) => f.toLowerCase() === lower)) return true;
    return this.rows(table).some((r) => Object.keys(r).some((k) => k.toLowerCase() === lower));
  }

  /** Delete matching rows (`conds` empty = all). Returns the number deleted. */
  delete(table: string, conds: Condition[]): number {
    const m = this.data.get(table);
    if (!m) return 0;
    let n = 0;
    for (const [key, s] of [...m.entries()]) {
      if (conds.every(([k, v]) => getField(s.row, k) === v)) {
        m.delete(key);
        n++;
      }
    }
    return n;
  }

  clear(table: string): number {
    const n = this.data.get(table)?.size ?? 0;
    this.data.delete(table);
    return n;
  }

  count(table: string, conds: Condition[] = []): number {
    return conds.length ? this.match(table, conds).length : (this.data.get(table)?.size ?? 0);
  }

  tableNames(): string[] {
    return [...this.data.keys()].filter((t) => (this.data.get(t)?.size ?? 0) > 0);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Query uploads: stored rows in the upload record format of 7.5-7.11 (lower-case keys, table-name prefix).
// ---------------------------------------------------------------------------------------------------------------

const g = (row: Row, name: string) => getField(row, name) ?? '';

/** One record of a DATA QUERY answer in the upload format the manual gives for the table. */
export function toUploadRecord(table: string, row: Row, slot: string, sn: string): Array<[string, string]> | null {
  switch (table) {
    case 'user':
      // 7.5: user uid= cardno= pin= password= group= starttime= endtime= name= privilege= disable= verify=
      return [
        ['uid', slot],
        ['cardno', g(row, 'CardNo')],
        ['pin', g(row, 'Pin')],
        ['password', g(row, 'Password')],
        ['group', g(row, 'Group')],
        ['starttime', g(row, 'StartTime') || '0'],
        ['endtime', g(row, 'EndTime') || '0'],
        ['name', g(row, 'Name')],
        ['privilege', g(row, 'Privilege') || '0'],
        ['disable', g(row, 'Disable') || '0'],
        ['verify', '0'],
      ];
    case 'templatev10': {
      // 7.7: downloads carry duress in Valid=3, uploads as fingerid+16 with valid=1.
      const tmpl = g(row, 'Template');
      const duress = g(row, 'Valid') === '3';
      const finger = Number(g(row, 'FingerID') || '0');
      return [
        ['size', String(tmpl.length)],
        ['uid', slot],
        ['pin', g(row, 'Pin')],
        ['fingerid', String(duress ? finger + 16 : finger)],
        ['valid', duress ? '1' : g(row, 'Valid') || '1'],
        ['template', tmpl],
        ['resverd', ''],
        ['endtag', ''],
      ];
    }
    case 'biophoto': {
      const pin = g(row, 'PIN');
      const rec: Array<[string, string]> = [
        ['pin', pin],
        ['filename', `${pin}.jpg`],
        ['type', g(row, 'Type')],
      ];
      if (getField(row, 'No') !== undefined) rec.push(['no', g(row, 'No')]);
      if (getField(row, 'Index') !== undefined) rec.push(['index', g(row, 'Index')]);
      const content = g(row, 'Content');
      rec.push(['size', String(content.length)], ['content', content]);
      return rec;
    }
    case 'userpic': {
      const pin = g(row, 'pin');
      const content = g(row, 'content');
      return [
        ['pin', pin],
        ['filename', `${pin}.jpg`],
        ['size', String(content.length)],
        ['content', content],
      ];
    }
    case 'biodata':
      return [
        ['pin', g(row, 'Pin')],
        ['no', g(row, 'No')],
        ['index', g(row, 'Index')],
        ['valid', g(row, 'Valid') || '1'],
        ['duress', g(row, 'Duress') || '0'],
        ['type', g(row, 'Type')],
        ['majorver', g(row, 'MajorVer')],
        ['minorver', g(row, 'MinorVer')],
        ['format', g(row, 'Format') || '0'],
        ['tmp', g(row, 'Tmp')],
      ];
    case 'transaction':
      return [...fieldsOf('transaction').filter((f) => row[f] !== undefined).map((f): [string, string] => [f, row[f]]), ['sn', sn]];
    default:
      return Object.entries(row).map(([k, v]): [string, string] => [k, v]);
  }
}
