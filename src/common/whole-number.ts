/**
 * A whole number as a client writes one, in a query, a form or JSON: decimal digits with an optional sign and
 * blanks around them, or a zero fraction ("14.0", as Python's str() and .NET's formatting of a float write 14), or
 * a JSON number without a fraction. NaN for anything else: a fraction (29.9 or "29.9" is refused, never cut to
 * 29, a value the client did not send), a value beyond 2^53, a boolean, and what JavaScript's Number() also reads
 * but is no client's number ("1e1", "0x10", "0b1"): read by Number(), a client's malformed value became a page,
 * an open time or a sort order it never asked for. One rule for every integer input (ToInteger, paging, door
 * and floor open times, finger numbers, visitor counts), so a value is read alike whatever field carries it.
 */
export function wholeNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : NaN;
  if (typeof v !== 'string') return NaN;
  const m = /^([+-]?\d+)(?:\.0+)?$/.exec(v.trim());
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) ? n : NaN;
}

/** A device's integer field as PostgreSQL's `integer` holds it: null when absent, fractional or out of its range. */
export const int32 = (n: number | null | undefined): number | null => (n === null || n === undefined || !Number.isInteger(n) || n < -2147483648 || n > 2147483647 ? null : n);

/**
 * A numeric code (a type, a direction, a list kind) as its digits: "1", 1, " 1 " and "1.0" (a JavaScript or float
 * serialiser's 1) are all "1", as wholeNumber reads them. Anything else is returned trimmed, as written, for the
 * caller's check to refuse with its own code: openType=1.0 was refused -266 while pageNo=1.0 was page 1.
 */
export function codeText(v: unknown): string {
  const n = wholeNumber(v);
  if (!Number.isNaN(n)) return String(n);
  return typeof v === 'string' ? v.trim() : String(v ?? '');
}
