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
