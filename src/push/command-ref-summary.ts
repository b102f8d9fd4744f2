/**
 * A queued command's ref, summarised in two small columns beside it, so the queue's readers filter without
 * reading the ref itself.
 *
 * Why: a planned command's ref lists the items it carries (`put`: `[key, hash, plan]` entries, `del`: keys), and
 * a pending command grows by hundreds of records between two polls while persons are being added
 * (src/sync/pending-append.ts). Such a ref is stored compressed out of line, and every operator applied to it
 * (`ref ? 'sync'`, `ref->>'kind'`, a search of its `put` entries) fetched and decompressed all of it again: the
 * planner's search of the commands in flight for its pins, run under the devices' order locks, took about
 * 4 ms of a write group's 7 ms read with 10 panels (auto_explain, bench/convergence.bench.ts phase 3).
 *
 * - `meta`: the ref without its item lists, `put` and `del` replaced by `true` (so `meta ? 'put'` still says
 *   whether there is one): `sync`, `plan`, `kind`, `clear`, `verify`, `appended`, `count`… A few dozen bytes.
 * - `keys`: the keys the ref puts or deletes, one flat JSON array of strings, searched with `keys ?| pins`.
 * Both are NULL for a ref that is not a JSON object (or none). Every writer of `device_command.ref` keeps them
 * in step, with these expressions (the queue's insert, pending-append's append, a DATA COUNT kept).
 */

/** `meta` of the ref `ref` (an SQL expression of type jsonb). */
export const refMetaSql = (ref: string): string =>
  `CASE WHEN jsonb_typeof(${ref}) = 'object' THEN (${ref} - 'put' - 'del')
     || jsonb_strip_nulls(jsonb_build_object('put', CASE WHEN ${ref} ? 'put' THEN true END, 'del', CASE WHEN ${ref} ? 'del' THEN true END)) END`;

/** `keys` of the ref `ref` (an SQL expression of type jsonb). */
export const refKeysSql = (ref: string): string =>
  `CASE WHEN jsonb_typeof(${ref}) = 'object' THEN jsonb_path_query_array(${ref}, 'lax $.put[*][0]') || jsonb_path_query_array(${ref}, 'lax $.del[*]') END`;

/**
 * The records (lines) of a command text (an SQL expression of type text), counted in bytes: a newline is one
 * byte in UTF-8, so this is one pass over the text where `length` would count characters. Stored beside the
 * text (device_command.records, with .bytes) by the queue's insert and kept by pending-append's append.
 */
export const commandRecordsSql = (text: string): string => `octet_length(${text}) - octet_length(replace(${text}, E'\\n', '')) + 1`;
