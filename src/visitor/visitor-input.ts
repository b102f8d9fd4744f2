import { CvCode, CvError } from '../common/cv-error';
import { inclusiveEnd, parseCvTime, rangeEndAfter, type CvTime } from '../common/time';
import { codeText, wholeNumber } from '../common/whole-number';
import type { VisitorBaseDto } from './dto/visitor.dto';
import type { VisitorDetails } from './visitor-details.entity';
import { VisCode } from './visitor-codes';

/** 2 national ID card, 3 passport, 4 driver licence, 5 work permit, 6 real-name card, 7 driving licence, 8 others. */
export const CERT_TYPES = new Set(['2', '3', '4', '5', '6', '7', '8']);

/**
 * Characters refused in visitor text (-261): markup and escape characters, and TAB/CR/LF, which would also split a
 * device command. The apostrophe is not among them: real names carry it (O'Brien, d'Artagnan), as companies do
 * (McDonald's), and it travels in a PUSH command as any other character.
 */
const SPECIAL = /[<>"&\\%\u0000-\u001f\u007f]/;

/**
 * The visitor sections (2.15, 2.17) list 2-8 only. 1 ("second generation ID card") and 1000/1001 are the
 * person table's codes (2.13), a table of its own in CVSecurity: a visitor with 1 is refused as CVSecurity
 * refuses it, and the message names the visitor codes, since a client reusing the person codes sends it.
 */
export function checkCertType(raw: string): string {
  const certType = codeText(raw);
  if (!CERT_TYPES.has(certType)) {
    throw new CvError(
      VisCode.CertTypeInvalid,
      `Invalid certificate type: ${certType.slice(0, 20)} (a visitor's certType is 2 national ID card, 3 passport, 4 driver's license, 5 work permit, 6 real-name card, 7 driving license or 8 others)`,
    );
  }
  return certType;
}

/** A national ID (type 2) is 15 digits, or 17 digits and a check digit or X. */
export function checkCertNum(certType: string, certNum: string): string {
  checkText(certNum);
  if (certType === '2' && !/^(\d{15}|\d{17}[\dXx])$/.test(certNum)) throw new CvError(VisCode.CertNumInvalid, 'Please fill in the correct national ID number');
  return certNum;
}

export function checkText(...values: Array<string | undefined | null>): void {
  for (const v of values) if (v && SPECIAL.test(v)) throw new CvError(VisCode.SpecialCharacters, 'Contains special characters');
}

export function requireName(...candidates: Array<string | undefined>): string {
  const name = candidates.find((c) => c !== undefined && c !== null && c.trim() !== '')?.trim();
  if (!name) throw new CvError(VisCode.NameEmpty, 'Visitor name cannot be empty');
  checkText(name);
  return name;
}

/** The visitor fields a reservation and a visit share, checked. */
export interface CheckedVisitor {
  certType: string;
  certNum: string;
  visitorName: string;
}

/**
 * The checks a reservation (2.15.1) and a visit (2.17.1) share, in the order whose first failure the
 * client sees: certificate, name (the first non-empty of `names`), then free text incl. `moreText`.
 */
export function checkVisitor(dto: VisitorBaseDto, names: Array<string | undefined>, moreText: Array<string | undefined> = []): CheckedVisitor {
  const certType = checkCertType(dto.certType);
  const certNum = checkCertNum(certType, dto.certNum);
  const visitorName = requireName(...names);
  checkText(dto.visitEmpPhone, dto.company, dto.visitReason, ...moreText);
  return { certType, certNum, visitorName };
}

type VisitorColumns = Pick<VisitorDetails, 'hostPersonId' | 'hostPin' | 'certType' | 'certNum' | 'visitorName' | 'phone' | 'company' | 'visitReason'>;

/** The VisitorDetails columns of a new reservation or visit; empty phone and company are stored as null. */
export function visitorColumns(dto: VisitorBaseDto, v: CheckedVisitor, hostPersonId: string): VisitorColumns {
  return {
    hostPersonId,
    hostPin: dto.persPersonPin,
    certType: v.certType,
    certNum: v.certNum,
    visitorName: v.visitorName,
    phone: dto.visitEmpPhone || null,
    company: dto.company || null,
    visitReason: dto.visitReason,
  };
}

/** A client date-time (common/time.ts) in the server zone: -247 when empty, -249 when malformed. */
function requireVisitTime(raw: string | undefined, timeZone: string, field: string): CvTime {
  if (raw === undefined || raw === null || raw.trim() === '') throw new CvError(VisCode.VisitDateEmpty, `Visit date cannot be empty: ${field}`);
  const t = parseCvTime(raw, timeZone);
  if (!t) throw new CvError(VisCode.DateFormat, `Date format error: ${field} must be yyyy-MM-dd HH:mm:ss`);
  return t;
}

/** `yyyy-MM-dd HH:mm:ss` (or another client form) in the server zone: -247 when empty, -249 when malformed. */
export function requireVisitDate(raw: string | undefined, timeZone: string, field: string): Date {
  return requireVisitTime(raw, timeZone, field).at;
}

/**
 * The end of a visit window (2.15.1 visitEndDate, 2.17.1 endTime): as requireVisitDate, but a bare date
 * (`2030-09-01`) ends with that day, at 23:59:59, as the manual's examples end visits; read as its midnight it
 * would end the visit before the day it names (and a one-day visit would answer -252).
 */
export function requireVisitEnd(raw: string | undefined, timeZone: string, field: string): Date {
  return inclusiveEnd(requireVisitTime(raw, timeZone, field), timeZone);
}

/**
 * 2.15.2's visitDate: a date-time names one reservation's start (exactly, as stored); a bare date (the digest's
 * "accept a bare date") names that day in the server zone, [its midnight, the next midnight). -247/-249 as
 * requireVisitDate.
 */
export function requireVisitDay(raw: string | undefined, timeZone: string, field: string): { from: Date; to: Date } | { at: Date } {
  const t = requireVisitTime(raw, timeZone, field);
  return t.bareDate ? { from: t.at, to: rangeEndAfter(t, timeZone) } : { at: t.at };
}

/** A window that ends after it starts (-252). */
export function requireWindow(start: Date, end: Date): void {
  if (end.getTime() <= start.getTime()) throw new CvError(VisCode.DateInvalid, 'Please fill in the correct date: the end must be after the start');
}

const MAX_VISITOR_COUNT = 2_147_483_647;

export function requireVisitorCount(raw: string | undefined): number {
  const n = wholeNumber(raw);
  // A value that is no whole number (2.7, "abc") is named: "Must bigger than 0" alone reads wrong for 2.7.
  const why = raw === undefined || raw === null || raw === '' || Number.isInteger(n) ? '' : `: visitorCount must be a whole number of visitors, got ${raw}`;
  if (!Number.isInteger(n) || n <= 0) throw new CvError(VisCode.CountNotPositive, `Visitor Number Count Must bigger than 0${why}`);
  // The column is a 32-bit integer: a larger count was the database's bare -400 "A value has the wrong format".
  if (n > MAX_VISITOR_COUNT) throw new CvError(CvCode.InvalidParameter, `visitorCount must be at most ${MAX_VISITOR_COUNT}, got ${raw}`);
  return n;
}
