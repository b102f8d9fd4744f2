import { CvCode, CvError } from '../common/cv-error';
import type { Page } from '../common/paging';

export interface ConsolePage {
  page: number;
  size: number;
  offset: number;
}

/** `page` from 1, `size` up to 500 (the console's tables never show more at once). */
export function consolePage(query: { page?: unknown; size?: unknown } | undefined, defaultSize = 50): ConsolePage {
  const page = query?.page === undefined || query.page === '' ? 1 : Number(query.page);
  const size = query?.size === undefined || query.size === '' ? defaultSize : Number(query.size);
  if (!Number.isInteger(page) || page < 1 || page > 1_000_000) throw new CvError(CvCode.PageNotPositive, 'page must be a whole number from 1');
  if (!Number.isInteger(size) || size < 1 || size > 500) throw new CvError(CvCode.PageSizeTooLarge, 'size must be a whole number from 1 to 500');
  return { page, size, offset: (page - 1) * size };
}

/** The module services' paging (pageNo from 1) for a console page. */
export function servicePage(p: ConsolePage, extra = 0): Page {
  return { pageNo: p.page, pageSize: p.size + extra, offset: p.offset };
}

/**
 * A page of a list that has no cheap count: the service is asked for one row more than the page shows, and
 * `more` tells the pager whether a next page exists.
 */
export function pageWithMore<T>(rows: T[], p: ConsolePage): { rows: T[]; page: number; size: number; more: boolean } {
  return { rows: rows.slice(0, p.size), page: p.page, size: p.size, more: rows.length > p.size };
}

export function likePattern(text: string, anchored: 'prefix' | 'anywhere'): string {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return anchored === 'prefix' ? `${escaped}%` : `%${escaped}%`;
}

/** A query-string value as a trimmed string, or undefined when absent or blank. */
export function queryText(v: unknown, max = 100): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (t === '') return undefined;
  if (t.length > max) throw new CvError(CvCode.InvalidParameter, `A filter may have at most ${max} characters`);
  return t;
}

/** A list filter's query value as a LIKE pattern matching anywhere (the console's name filters), or undefined when blank. */
export function anywhere(v: unknown): string | undefined {
  const text = queryText(v);
  return text === undefined ? undefined : likePattern(text, 'anywhere');
}
