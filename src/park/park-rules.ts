import { CvCode, CvError } from '../common/cv-error';
import { codeText } from '../common/whole-number';
import { formatCvDateTime, parseCvTime } from '../common/time';

/** 0 white list, 1 black list (2.3). */
export type ListType = 0 | 1;

/**
 * A plate as the lists match it: upper case, without the spaces, dashes, dots and middle dots people and
 * cameras put in different places (`粤B·12345`, `AB-123-CD`, `ab 123 cd`).
 */
export function plateKey(raw: string): string {
  return raw.normalize('NFKC').toUpperCase().replace(/[\s\-·.•_]/g, '');
}

/**
 * -223 "Car license plate is incorrect": missing, over 20 characters, or other than 2 to 15 letters (any script)
 * and digits once the separators plateKey drops are taken out. Those separators are accepted, as plates are
 * written with them (`AB-123-CD`, `粤B·12345`); the message says so, since "letters or digits" alone told a
 * client its `AB-123-CD` was wrong when the entry it sent was stored.
 */
export function checkPlate(raw: unknown, field = 'carNumber'): { carNumber: string; key: string } {
  const carNumber = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
  const key = plateKey(carNumber);
  if (!carNumber || carNumber.length > 20 || !/^[\p{L}\p{N}]{2,15}$/u.test(key)) {
    throw new CvError(CvCode.ParkPlate, `Car license plate is incorrect: ${field} must be 2 to 15 letters or digits (spaces, dashes, dots and underscores between them are allowed), at most 20 characters in all`);
  }
  return { carNumber, key };
}

/** -221: `0`/`1`, also as a number or the words white/black. */
export function checkListType(raw: unknown): ListType {
  const v = codeText(raw).toLowerCase();
  if (v === '0' || v === 'white') return 0;
  if (v === '1' || v === 'black') return 1;
  throw new CvError(CvCode.ParkListType, 'Black and white list type error: type must be 0 (white list) or 1 (black list)');
}

/**
 * One end of a validity: its day, and the time of day the client gave when it is not the day's edge (00:00:00 for
 * the start, 23:59:59 for the end), null otherwise: a bare date, or a time on the edge, is the whole day.
 */
export interface Bound {
  day: string;
  time: string | null;
}

/** The first and last instant of a validity as the lists compare them: `yyyy-MM-dd HH:mm:ss`, server wall clock. */
export const START_OF_DAY = '00:00:00';
export const END_OF_DAY = '23:59:59';

/**
 * A time in any client form of common/time.ts (`2018-08-17`, `2019/8/16 18:00:00`, ISO 8601), or -222. The manual's
 * examples are days; a client that sends a time of day (`toTime=2019-08-16 18:00:00`) had it dropped: the entry
 * answered success and let the car through until midnight.
 */
export function parseBound(raw: unknown, field: string, timeZone: string, edge: string): Bound | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const t = parseCvTime(raw, timeZone);
  if (!t) throw new CvError(CvCode.ParkTime, `Time parameter error: ${field} must be yyyy-MM-dd (or yyyy-MM-dd HH:mm:ss)`);
  const time = t.bareDate ? edge : formatCvDateTime(t.at, timeZone)!.slice(11);
  return { day: t.day, time: time === edge ? null : time };
}

/** The bound as a wall-clock text, its edge filled in. */
export const boundText = (b: Bound | null, edge: string): string | null => (b ? `${b.day} ${b.time ?? edge}` : null);

/**
 * -222 for bad or reversed times. A white list entry needs both (the manual: "White List need to be filled
 * in"); a black list entry without them applies from now on, for good.
 */
export function checkValidity(type: ListType, fromRaw: unknown, toRaw: unknown, timeZone: string): { from: Bound | null; to: Bound | null } {
  const from = parseBound(fromRaw, 'fromTime', timeZone, START_OF_DAY);
  const to = parseBound(toRaw, 'toTime', timeZone, END_OF_DAY);
  if (type === 0 && (!from || !to)) throw new CvError(CvCode.ParkTime, 'Time parameter error: a white list entry needs fromTime and toTime');
  if (from && to && boundText(from, START_OF_DAY)! > boundText(to, END_OF_DAY)!) throw new CvError(CvCode.ParkTime, 'Time parameter error: fromTime is after toTime');
  return { from, to };
}

export interface ListEntry {
  type: ListType;
  /** First and last second in force, `yyyy-MM-dd HH:mm:ss` in the server time zone; null = open-ended. */
  from: string | null;
  to: string | null;
}

export interface CameraDecision {
  allowed: boolean;
  /** The list that decided, when one did. */
  listType: ListType | null;
  eventType: string;
  carTypeName: string;
}

/**
 * The answer to a plate camera (gateway extension). An entry in force at the read's time (`yyyy-MM-dd HH:mm:ss`,
 * server time zone):
 * black refuses in both directions, white lets in and out. Otherwise (no entry, or one out of its dates) the
 * car is a temporary one: it may always leave, and enters when PARKING_UNLISTED is allow.
 */
export function decide(entry: ListEntry | undefined, at: string, direction: 1 | 2, allowUnlisted: boolean): CameraDecision {
  const inForce = entry && (!entry.from || entry.from <= at) && (!entry.to || at <= entry.to);
  if (inForce && entry.type === 1) return { allowed: false, listType: 1, eventType: 'Black list car refused', carTypeName: 'Black list car' };
  if (inForce && entry.type === 0) return { allowed: true, listType: 0, eventType: 'White list car passed', carTypeName: 'Fixed car' };
  if (direction === 2 || allowUnlisted) return { allowed: true, listType: null, eventType: 'Temporary car passed', carTypeName: 'Temporary car' };
  return { allowed: false, listType: null, eventType: 'Unlisted car refused', carTypeName: 'Temporary car' };
}

/** `in`/`out`, `entry`/`exit`, `1`/`2` (the manual's recordType), `0`/`1` (PUSH inoutstatus): 1 entry or 2 exit. */
export function parseDirection(raw: unknown): 1 | 2 | undefined {
  const v = typeof raw === 'string' ? raw.trim().toLowerCase() : raw;
  if (['in', 'entry', 'enter', '1', 1, '0', 0].includes(v as string | number)) return 1;
  if (['out', 'exit', 'leave', '2', 2].includes(v as string | number)) return 2;
  return undefined;
}
