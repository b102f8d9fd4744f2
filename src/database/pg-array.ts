/**
 * PostgreSQL array literals (`{1,NULL,3}`, `{"a","b \"c\""}`) for statements that take one array per column
 * (`unnest($1::int[], $2::text[], …)`). node-pg serialises a JS array element by element through its generic
 * value preparation, quoting and regex-escaping each one; on the real-time ingest, a statement of a few
 * hundred elements per batch, that was a visible share of the gateway's time. A string parameter is passed
 * through as it is, so these builders hand it the finished literal.
 */

/** `{1,2,NULL}`: integers (or any finite numbers); null and undefined become NULL. */
export function numberArray(values: ReadonlyArray<number | null | undefined>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    out += v === null || v === undefined || !Number.isFinite(v) ? 'NULL' : String(v);
  }
  return out + '}';
}

const NEEDS_ESCAPE = /["\\]/;

/** `{"a","b",NULL}`: every element quoted (so spaces, commas, braces and the word NULL stay text), `"` and `\` escaped. */
export function textArray(values: ReadonlyArray<string | null | undefined>): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) out += 'NULL';
    else out += `"${NEEDS_ESCAPE.test(v) ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return out + '}';
}
