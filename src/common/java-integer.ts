/**
 * A whole number as CVSecurity (Java: Integer.parseInt, Spring's binding) reads one from a query, a form or a
 * JSON string: decimal digits with an optional sign, blanks around them. JavaScript's Number() also reads "1e1"
 * (10), "0x10" (16), "0b1" and "1.0", which the vendor's server refuses: read by Number(), a client's
 * malformed value became a page, an open time or a sort order it never asked for. NaN for anything else (a
 * fraction, a value beyond 2^53, a boolean).
 */
export function javaInteger(v: unknown): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : NaN;
  if (typeof v !== 'string') return NaN;
  const s = v.trim();
  const n = /^[+-]?\d+$/.test(s) ? Number(s) : NaN;
  return Number.isSafeInteger(n) ? n : NaN;
}
