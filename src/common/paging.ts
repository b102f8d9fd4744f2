import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, MaxLength } from 'class-validator';
import { CvCode, CvError } from './cv-error';
import { wholeNumber } from './whole-number';
import { MAX_PAGING_CHARS } from './limits';
import { listParts } from './list-separator';

export interface Page {
  pageNo: number;
  pageSize: number;
  offset: number;
}

const toStringOrUndefined = ({ value }: { value: unknown }) => (value === undefined || value === null ? undefined : String(value));

/** What is wrong with a paging value that is no whole number: the field, and the start of what was sent. */
function notWholePage(field: string, raw: unknown): string {
  return `${field} must be a whole number from 1 (got ${JSON.stringify(String(raw)).slice(0, 40)})`;
}

/**
 * pageNo/pageSize (or 2.18.10's `page`) as text, bounded in length. A value longer than any whole number a page
 * can be is refused as checkPaging refuses one beyond 2^53, -90 naming the field: the bare length check answered
 * -400 "must be shorter than or equal to 16 characters" to a 17-digit pageSize, where a 16-digit one got -90.
 */
export function PagingText(transform: PropertyDecorator = Transform(toStringOrUndefined)): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    transform,
    MaxLength(MAX_PAGING_CHARS, { context: { code: CvCode.PageNotPositive }, message: ({ property, value }) => notWholePage(property, value) }),
  );
}

/**
 * The page size of a list whose manual section sets no cap: the level, device, door, floor, area, reader, person
 * and visitor-level lists (2.1, 2.2, 2.7, 2.9-2.14, 2.16, 2.28.3, 2.29.1, 2.30-2.33) say only "must be greater than
 * 0", where the transaction lists (2.18-2.21, 2.26, 2.34) add "not more than 1000 per page". CVSecurity reads
 * pageSize into a Java Integer, so its largest value is the bound: a client that reads every door, reader or person
 * in one page (pageSize=5000) is answered as CVSecurity answers it, not -91. The optional-paging lists of the same
 * objects (allDoorState, allGateState, getDepartmentList, the gateway's device and area lists) take it too.
 */
export const UNCAPPED_PAGE_SIZE = 2147483647;

/** The largest pageNo: a Java Integer's largest value, as UNCAPPED_PAGE_SIZE is pageSize's. */
export const MAX_PAGE_NO = 2147483647;

/** The manual's paging rules: -92 missing, -90 not a positive integer (or a pageNo past MAX_PAGE_NO), -91 larger than the cap. */
export function checkPaging(pageNo: unknown, pageSize: unknown, maxPageSize = 1000): Page {
  const missing = (v: unknown) => v === undefined || v === null || v === '';
  if (missing(pageNo) || missing(pageSize)) throw new CvError(CvCode.PageMissing, 'PageSize and pageNo cannot be empty');
  const no = wholeNumber(pageNo);
  const size = wholeNumber(pageSize);
  if (!Number.isSafeInteger(no) || !Number.isSafeInteger(size) || no <= 0 || size <= 0) {
    // The manual's text alone for a value of 0 or less; a value that is no whole number at all ("1.5", "1e3",
    // "abc", beyond 2^53) is named, since "less than or equal to 0" would send the client looking elsewhere.
    const notWhole = ([['pageNo', pageNo, no], ['pageSize', pageSize, size]] as const).find(([, , n]) => !Number.isSafeInteger(n));
    const detail = notWhole ? `: ${notWholePage(notWhole[0], notWhole[1])}` : '';
    throw new CvError(CvCode.PageNotPositive, `PageNo or pageSize cannot be set less than or equal to 0${detail}`);
  }
  // CVSecurity reads pageNo into a Java Integer, so a page past 2^31 - 1 is no page it can be asked for (Spring
  // refuses the value): answered with -90 naming the bound, as a page of 0 or no number at all is, where it gave an
  // empty page and code 0, which a client paging on until an empty page read as the end of the list.
  if (no > MAX_PAGE_NO) throw new CvError(CvCode.PageNotPositive, `PageNo or pageSize cannot be set less than or equal to 0: pageNo must be at most ${MAX_PAGE_NO} (got "${no}")`);
  if (size > maxPageSize) throw new CvError(CvCode.PageSizeTooLarge, `PageSize is greater than ${maxPageSize}`);
  // A page past every row, whatever its number: an uncapped pageSize times a large pageNo is past 2^53 (no longer a
  // whole number a double holds exactly), so the offset stops at 2^53 - 1, past any table.
  return { pageNo: no, pageSize: size, offset: Math.min((no - 1) * size, Number.MAX_SAFE_INTEGER) };
}

/**
 * Paging where the manual marks neither value required (2.18.10/2.18.11: its example answers page 1, pageSize 10,
 * ZKBio's pager defaults): a missing, null or empty value takes that default; what is given is checked as
 * checkPaging checks it, so -90/-91 stay as on the other transaction lists.
 */
export function pagingOrDefault(pageNo: unknown, pageSize: unknown, maxPageSize = 1000, defaults = { pageNo: 1, pageSize: 10 }): Page {
  const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
  return checkPaging(blank(pageNo) ? defaults.pageNo : pageNo, blank(pageSize) ? defaults.pageSize : pageSize, maxPageSize);
}

/** The page a list whose paging is optional was asked for: none when neither pageNo nor pageSize is given. */
export function pageIfAsked(dto: { pageNo?: unknown; pageSize?: unknown }, maxPageSize = 1000): Page | undefined {
  return dto.pageNo === undefined && dto.pageSize === undefined ? undefined : checkPaging(dto.pageNo, dto.pageSize, maxPageSize);
}

/** The v2 "with total number" page object. */
export interface V2Page<T> {
  page: number;
  size: number;
  total: number;
  data: T[];
  offset: number;
  lastPage: boolean;
}

/**
 * `page` is pageNo - 1, as most of the manual's examples show it (0 for the first page); `firstPage: 1` for the
 * lists whose examples show 1 for the first page (pageNo itself): 2.19.2 and 2.34.5-2.34.7.
 */
export function v2Page<T>(rows: T[], total: number, p: Page, firstPage: 0 | 1 = 0): V2Page<T> {
  return { page: p.pageNo - 1 + firstPage, size: p.pageSize, total, data: rows, offset: p.offset, lastPage: p.offset + rows.length >= total };
}

/** pageNo/pageSize as the manual names them; checked by checkPaging so the manual's codes apply. */
export class PagingDto {
  @ApiProperty({ example: 1, description: 'page number, from 1' })
  @PagingText()
  pageNo?: string;

  @ApiProperty({ example: 10, description: 'page size: 1 to 1000 on the transaction and event lists (2.18-2.21, 2.26, 2.34), whose sections cap it; 1 to 2147483647 on the level, device, door, floor, area, reader and person lists, whose sections set no cap' })
  @PagingText()
  pageSize?: string;
}

export class OptionalPagingDto {
  @ApiPropertyOptional({ example: 1 })
  @PagingText()
  pageNo?: string;

  @ApiPropertyOptional({ example: 10 })
  @PagingText()
  pageSize?: string;
}

/** Comma-separated lists ("a,b,c") as the manual sends them, `;` too (list-separator.ts); arrays are accepted too. Each item once. */
export function splitList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const parts = Array.isArray(value) ? value.map((v) => String(v).trim()).filter((s) => s.length > 0) : listParts(String(value));
  return [...new Set(parts)];
}

/**
 * The pins of a level call's pin input: the manual gives one pin, clients send several (`pin=200,201`, the key
 * repeated or an array, which ListInput joins), each taken once. Text with no pin in it stays as given, so that the
 * caller's own check answers it (an empty pin, -22 naming what was sent).
 */
export function pinsOf(text: string): string[] {
  const pins = splitList(text);
  return pins.length ? pins : [text];
}
