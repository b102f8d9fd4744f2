/**
 * Pure composition of the commands one device needs, from typed records, through the codec's builders.
 * No database, no Nest: the planner decides what changes, this file decides how it travels.
 *
 * Batching: a DATA UPDATE carries many records, one per LF-separated line (manual 9.1.1), so a device with
 * 10,000 users gets a few dozen commands, not 10,000. DATA DELETE carries one condition set per command.
 */
import {
  dataDelete,
  dataUpdateBiophoto,
  dataUpdateHoliday,
  dataUpdateMulCardUser,
  dataUpdateTimezone,
  dataUpdateUser,
  dataUpdateUserAuthorize,
  dataUpdateUserPic,
  deleteUser,
  encodeUserValidity,
  instantToWallClock,
  utf8Length,
  type HolidayRecord,
  type MulCardUserRecord,
  type TimezoneRecord,
  type UserAuthorizeRecord,
  type UserRecord,
  type WeeklySchedule,
} from '../push/protocol';
import type { WeekSchedule } from '../timeSegment/time-segment.entity';
import type { SyncDevice } from './device-dialect';

/** Records per DATA UPDATE command, and a byte ceiling well under a device's 2 MB MaxPackageSize. */
export const MAX_RECORDS_PER_COMMAND = 500;
export const MAX_COMMAND_BYTES = 512 * 1024;
export const MAX_PHOTO_COMMAND_BYTES = 1024 * 1024;

export interface SyncPerson {
  id: string;
  pin: string;
  name: string | null;
  lastName: string | null;
  cardNo: string | null;
  password: string | null;
  isDisabled: boolean;
  accStartTime: Date | null;
  accEndTime: Date | null;
  photo: string | null;
  /** Every card, main (0) and secondary (1), for devices that keep cards in mulcarduser. */
  cards: Array<{ cardNo: string; cardType: number }>;
}

/** One person's rights on one device: door numbers per TimezoneId. */
export type DeviceRights = Map<number, number[]>;

export interface PersonOnDevice {
  person: SyncPerson;
  rights: DeviceRights;
  /** Send `DATA DELETE userauthorize Pin=` first: the device holds a time zone this set no longer has. */
  resetRights: boolean;
  sendPhoto: boolean;
  /** The person had a photo on the device and has none now. */
  deletePhoto: boolean;
}

/**
 * Chunks records so that each command stays within the count and byte ceilings. Each record goes through
 * the builder once; a multi-record DATA UPDATE is the first record's command plus the further records'
 * lines (manual 9.1.1), which is exactly what the builder would produce for the chunk.
 */
export function chunkBuild<T>(records: readonly T[], build: (chunk: T[]) => string, maxBytes = MAX_COMMAND_BYTES, maxRecords = MAX_RECORDS_PER_COMMAND): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let chunk: T[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    out.push(parts.length === chunk.length ? parts.join('\n') : build(chunk));
    parts = [];
    chunk = [];
    bytes = 0;
  };
  for (const r of records) {
    const single = build([r]);
    const size = utf8Length(single);
    if (chunk.length > 0 && (chunk.length >= maxRecords || bytes + size > maxBytes)) flush();
    const header = /^DATA UPDATE [^ ]+ /.exec(single);
    if (chunk.length === 0) parts.push(single);
    else if (header && single.indexOf('\n') < 0) parts.push(single.slice(header[0].length));
    chunk.push(r);
    bytes += size;
  }
  flush();
  return out;
}

function displayName(p: SyncPerson): string {
  return [p.name, p.lastName].filter((s) => s && s.trim()).join(' ').trim();
}

/** The user record in this device's dialect (validity as Appendix-5 seconds or YYYYMMDD in the device's zone). */
export function userRecordFor(device: SyncDevice, p: SyncPerson): UserRecord {
  const validity = (d: Date | null, edge: 'start' | 'end') => encodeUserValidity(d ? instantToWallClock(d, device.timeZone) : null, device.dialect.dateFormat, edge);
  return {
    pin: p.pin,
    cardNo: device.dialect.cards === 'user' ? (p.cardNo ?? '') : '',
    password: p.password ?? '',
    startTime: validity(p.accStartTime, 'start'),
    endTime: validity(p.accEndTime, 'end'),
    name: displayName(p),
    privilege: 0,
    disable: p.isDisabled,
  };
}

/**
 * The user record a panel's `tabledata user` upload describes, as userRecordFor builds it (the record the gateway
 * would send for those values), so that its hash (userHash) equals a confirmed user item's when the upload is exactly
 * the record the panel was sent and confirmed. Null when the upload holds something no record the gateway builds for
 * this panel could: a name the builder would change, a card in the user record of a panel that keeps cards elsewhere,
 * a validity not in the panel's date form.
 */
export function uploadedUserRecord(
  device: SyncDevice,
  u: { pin: string; name: string | null; cardNo: string | null; password: string | null; startTime: string | null; endTime: string | null; privilege: number | null; disable: boolean | null },
): UserRecord | null {
  const validity = (v: string | null): string | number | null => {
    const text = (v ?? '').trim();
    if (text === '' || text === '0') return 0;
    if (device.dialect.dateFormat === 'seconds') return /^\d+$/.test(text) ? Number(text) : null;
    return /^\d{8}$/.test(text) ? text : null;
  };
  const [startTime, endTime] = [validity(u.startTime), validity(u.endTime)];
  if (startTime === null || endTime === null) return null;
  const record = userRecordFor(device, {
    id: '',
    pin: u.pin,
    name: u.name,
    lastName: null,
    cardNo: u.cardNo || null,
    password: u.password || null,
    isDisabled: u.disable ?? false,
    accStartTime: null,
    accEndTime: null,
    photo: null,
    cards: [],
  });
  if (record.name !== (u.name ?? '') || String(record.cardNo ?? '') !== (u.cardNo ?? '')) return null;
  return { ...record, startTime, endTime, privilege: u.privilege ?? 0 };
}

export function rightsRecords(pin: string, rights: DeviceRights): UserAuthorizeRecord[] {
  return [...rights.entries()]
    .sort(([a], [b]) => a - b)
    .map(([tz, doors]) => ({ pin, authorizeTimezoneId: tz, doors: [...doors].sort((a, b) => a - b) }));
}

/** Card numbers as mulcarduser wants them: hex, upper case. Non-numeric card numbers are left out. */
export function mulCardRecords(p: SyncPerson): MulCardUserRecord[] {
  return p.cards
    .filter((c) => /^\d+$/.test(c.cardNo))
    .map((c) => ({ pin: p.pin, cardNo: BigInt(c.cardNo).toString(16).toUpperCase(), cardType: c.cardType === 1 ? 1 : 0 }));
}

function photoCommands(device: SyncDevice, people: SyncPerson[]): string[] {
  const withPhoto = people.filter((p) => p.photo);
  if (withPhoto.length === 0 || !device.dialect.photo) return [];
  if (device.dialect.photo === 'biophoto') {
    return chunkBuild(
      withPhoto.map((p) => ({ pin: p.pin, type: device.photoType, no: 0, index: 0, content: p.photo! })),
      dataUpdateBiophoto,
      MAX_PHOTO_COMMAND_BYTES,
    );
  }
  return chunkBuild(withPhoto.map((p) => ({ pin: p.pin, content: p.photo! })), dataUpdateUserPic, MAX_PHOTO_COMMAND_BYTES);
}

function photoDelete(device: SyncDevice, pin: string): string[] {
  if (device.dialect.photo === 'biophoto') return [dataDelete('biophoto', [['PIN', pin], ['Type', device.photoType]])];
  if (device.dialect.photo === 'userpic') return [dataDelete('userpic', [['pin', pin]])];
  return [];
}

/**
 * Users, then their rights, then cards and photos: the manual wants the user before its rights (8.5).
 * Rights that must shrink are cleared first with `DATA DELETE userauthorize Pin=`.
 */
export function personCommands(device: SyncDevice, items: readonly PersonOnDevice[]): string[] {
  if (items.length === 0) return [];
  const out: string[] = [];
  for (const i of items) if (i.resetRights) out.push(dataDelete('userauthorize', [['Pin', i.person.pin]]));
  out.push(...chunkBuild(items.map((i) => userRecordFor(device, i.person)), dataUpdateUser));
  const rights = items.flatMap((i) => rightsRecords(i.person.pin, i.rights));
  if (rights.length) out.push(...chunkBuild(rights, dataUpdateUserAuthorize));
  if (device.dialect.cards === 'mulcarduser') {
    const cards = items.flatMap((i) => mulCardRecords(i.person));
    for (const i of items) out.push(dataDelete('mulcarduser', [['Pin', i.person.pin]]));
    if (cards.length) out.push(...chunkBuild(cards, dataUpdateMulCardUser));
  }
  for (const i of items) if (i.deletePhoto) out.push(...photoDelete(device, i.person.pin));
  out.push(...photoCommands(device, items.filter((i) => i.sendPhoto).map((i) => i.person)));
  return out;
}

/** Removing a person from a device: rights first, then the user, then templates and photo (manual 9.1.2). */
export function removalCommands(device: SyncDevice, pin: string): string[] {
  const templates = device.dialect.bio === 'biodata' ? dataDelete('biodata', [['Pin', pin]]) : dataDelete('templatev10', [['Pin', pin]]);
  return [
    dataDelete('userauthorize', [['Pin', pin]]),
    deleteUser(pin),
    templates,
    ...(device.dialect.cards === 'mulcarduser' ? [dataDelete('mulcarduser', [['Pin', pin]])] : []),
    ...photoDelete(device, pin),
  ];
}

const DAY_KEYS: Array<[keyof WeekSchedule, keyof WeeklySchedule]> = [
  ['sun', 'Sun'],
  ['mon', 'Mon'],
  ['tue', 'Tue'],
  ['wed', 'Wed'],
  ['thu', 'Thu'],
  ['fri', 'Fri'],
  ['sat', 'Sat'],
  ['hol1', 'Hol1'],
  ['hol2', 'Hol2'],
  ['hol3', 'Hol3'],
];

/** A stored time segment schedule as the codec's weekly schedule. */
export function toWeeklySchedule(s: WeekSchedule): WeeklySchedule {
  const out: WeeklySchedule = {};
  for (const [from, to] of DAY_KEYS) out[to] = (s[from] ?? []).map(([start, end]) => ({ start, end }));
  return out;
}

export interface SyncTimeSegment {
  tzId: number;
  schedule: WeekSchedule;
}

export function timezoneCommands(segments: readonly SyncTimeSegment[]): string[] {
  if (segments.length === 0) return [];
  const records: TimezoneRecord[] = [...segments].sort((a, b) => a.tzId - b.tzId).map((s) => ({ timezoneId: s.tzId, schedule: toWeeklySchedule(s.schedule) }));
  return chunkBuild(records, dataUpdateTimezone);
}

export interface SyncHoliday {
  startDate: string; // yyyy-MM-dd
  endDate: string;
  holidayType: number;
  isLoopByYear: boolean;
}

/** A holiday day as the device keys it: YYYYMMDD, zero-padded. */
export function holidayKey(d: { year: number; month: number; day: number }): string {
  return `${String(d.year).padStart(4, '0')}${String(d.month).padStart(2, '0')}${String(d.day).padStart(2, '0')}`;
}

/** Every day of every holiday as one `holiday` record (the holiday writes keep them within HOLIDAY_DAYS_MAX). */
export function holidayRecords(holidays: readonly SyncHoliday[]): HolidayRecord[] {
  const out = new Map<string, HolidayRecord>();
  for (const h of holidays) {
    const start = Date.parse(`${h.startDate}T00:00:00Z`);
    const end = Date.parse(`${h.endDate}T00:00:00Z`);
    for (let t = start; t <= end; t += 86400000) {
      const d = new Date(t);
      const day = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
      const type = (h.holidayType >= 1 && h.holidayType <= 3 ? h.holidayType : 1) as 1 | 2 | 3;
      // Zero-padded YYYYMMDD: unpadded, 2025-01-11 and 2025-11-01 both gave "2025111" and one was dropped.
      const key = holidayKey(day);
      if (!out.has(key)) out.set(key, { holiday: day, holidayType: type, loop: h.isLoopByYear ? 1 : 2 });
    }
  }
  return [...out.values()];
}

/** The device's holiday table replaced as a whole: `holiday` can only be deleted with `*` (manual 9.1.2). */
export function holidayCommands(holidays: readonly SyncHoliday[]): string[] {
  const records = holidayRecords(holidays);
  return [dataDelete('holiday', '*'), ...(records.length ? chunkBuild(records, dataUpdateHoliday) : [])];
}
