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

/** A field of recordArray: text, a number, or null (NULL). */
export type RecordField = string | number | null | undefined;

const RECORD_ESCAPE = /["\\]/g;

/**
 * `{"(\"a\",1,)","(\"b \"\"c\"\"\",2,3)"}`: an array of a composite type, one row per element (for
 * `unnest($1::some_row_type[])`, one parameter where one array per column would cost PostgreSQL a literal and a
 * tuple store each). In a row, a string field is always quoted (so commas, parentheses, spaces and the empty
 * string stay text) with `"` and `\` doubled, a number is written as it is, null (or a non-finite number) is an
 * empty field, which reads as NULL; each row is then an array element, quoted, with `"` and `\` escaped.
 */
export function recordArray(rows: ReadonlyArray<ReadonlyArray<RecordField>>): string {
  let out = '{';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (r > 0) out += ',';
    out += '"(';
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (i > 0) out += ',';
      if (typeof v === 'string') {
        // Doubled for the row, then escaped for the array: `"` -> `""` -> `\"\"`, `\` -> `\\` -> `\\\\`.
        out += NEEDS_ESCAPE.test(v) ? `\\"${v.replace(RECORD_ESCAPE, (c) => `\\${c}\\${c}`)}\\"` : `\\"${v}\\"`;
      } else if (typeof v === 'number' && Number.isFinite(v)) out += String(v);
    }
    out += ')"';
  }
  return out + '}';
}

/**
 * One array of an `unnest` of a batch statement, written so that the planner cannot see how many elements it
 * holds: `(SELECT $n)` is evaluated once per statement, and `unnest` of it is estimated at 10 rows in every plan.
 *
 * Why: with plan_cache_mode `auto` PostgreSQL compares a prepared statement's generic plan (10 rows assumed for an
 * `unnest` of a parameter) with a plan made for each execution's own values. A batch of one to a few uploads
 * looks cheaper planned for its own size, so at low load (every batch a single upload) the statement was planned
 * again on every execution: the rtlog batch statement cost PostgreSQL 4.9 M instructions for one event, 2.4 M
 * with its cached plan (callgrind, docs/performance-log.md, stop 42). Estimated at 10 rows either way, the
 * generic plan wins after the first five executions of each connection and is kept. Put it around the first
 * array of the `unnest` (the estimate of several arrays is the largest of theirs).
 */
export function genericRows(param: string): string {
  return `(SELECT ${param})`;
}
