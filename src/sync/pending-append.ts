/**
 * Records of a write added to commands already queued, instead of more commands. A person saved costs each of
 * its devices a user and a userauthorize record; queued as commands of their own, every write would cost every
 * device two deliveries and two results, and devices would confirm a few persons per second however fast the
 * gateway plans. A device's last pending (not yet delivered) `DATA UPDATE user` command can take the next
 * person's user record as well: one command, one Return, many records (up to MAX_RECORDS_PER_COMMAND).
 *
 * Only where the device's order cannot tell the difference:
 *   - the write's commands are all puts of user, rights, cards or templates (no deletes, no resets, no time zones);
 *   - they go into pending commands of the same table, in their own order (each into a later one);
 *   - every command from the first one written into to the tail is such a put;
 *   - no pending command from the first one written into to the tail carries a pin of this write (the `keys`
 *     kept beside each command): a record moved ahead of a command about the same pin would change what the device
 *     ends with. Commands older than those (unanswered, or pending further back) run before the records anyway:
 *     a person saved and then given a template while the panel is offline costs it no command of its own.
 * Otherwise the write queues its own commands. The caller holds the devices' order locks (the queue's rule
 * (f)): no other writer touches these tails until it commits; pending commands are the tail of a device's
 * queue. A poll claiming one of them right now holds its row: such rows are skipped (SKIP LOCKED), and a poll
 * that reaches a row this write holds waits for the commit and delivers the longer command.
 *
 * Each put entry carries the plan it came from (`[key, hash, plan]`), so confirmation keeps judging an item by
 * its own plan (sync-confirm.ts), and the ref is marked `appended`: its items are no longer all of its `plan`
 * (the replay of a full sync's later page skips only unmarked commands of its own plan, confirmed-state.ts).
 */
import type { EntityManager } from 'typeorm';
import { formatCommandLine, utf8Length } from '../push/protocol';
import { MAX_COMMAND_BYTES, MAX_RECORDS_PER_COMMAND } from './sync-commands';
import type { PlannedCommand } from './sync-plan';
import type { ItemKind } from './sync-items';
import { read, runRead, type Read } from '../database/read-together';
import { commandNotifySql } from '../push/work-signal.service';
import { commandRecordsSql } from '../push/command-ref-summary';

/**
 * Templates too: integrators add fingerprints and faces one REST call each, and a panel offline meanwhile got one
 * command per template (700 templates: 14 getrequest replies of 50 commands and 700 results to post). A template
 * put is one pin's whole record set; a set being replaced (slots deleted, a set in doubt cleared by Pin) carries a
 * DATA DELETE and is never appended.
 */
const APPENDABLE: ReadonlySet<ItemKind> = new Set(['user', 'auth', 'card', 'bio']);
/** Pending commands looked at per device: a write carries at most one command per appendable table. */
const TAIL = 4;
const HEADER = /^DATA UPDATE [^ \n]+ /;
/** A header longer than this (no table name is) is not recognised, and its command takes no appends. */
const HEAD_CHARS = 64;

export interface DeviceBatch {
  deviceSn: string;
  commands: PlannedCommand[];
}

export interface TailRow {
  id: string;
  device_sn: string;
  bytes: number;
  records: number;
  head: string | null;
  kind: string | null;
  put_only: boolean;
  /** The pins (keys) its records put or delete (device_command.keys). */
  keys: string[] | null;
}

interface Placement {
  id: string;
  /** The records appended, each after a newline. */
  lines: string;
  /** How many, and their UTF-8 bytes with those newlines (what device_command.records and .bytes grow by). */
  records: number;
  bytes: number;
  put: Array<[string, string, string]>;
}

function appendable(c: PlannedCommand): string | null {
  const r = c.ref;
  // An item sent apart (SyncRef.alone) is sent apart so that its Return is its own: never added to another command.
  if (!r.kind || !APPENDABLE.has(r.kind) || !r.put?.length || r.del?.length || r.clear || r.verify || r.alone) return null;
  return HEADER.exec(c.command)?.[0] ?? null;
}

/** Where each command of one device's batch goes (ids of tail rows), or null when the batch must be queued as is. */
export function placeBatch(commands: readonly PlannedCommand[], tail: readonly TailRow[]): Placement[] | null {
  const out: Placement[] = [];
  const rows = [...tail].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  let pos = 0;
  let first = -1;
  for (const c of commands) {
    const head = appendable(c);
    if (!head) return null;
    const body = c.command.slice(head.length);
    const records = body.split('\n').length;
    const bytes = utf8Length(body) + 1;
    let j = pos;
    while (j < rows.length && !(rows[j].head === head && rows[j].kind === c.ref.kind && rows[j].put_only && rows[j].records + records <= MAX_RECORDS_PER_COMMAND && rows[j].bytes + bytes <= MAX_COMMAND_BYTES)) j++;
    if (j >= rows.length) return null;
    if (first < 0) first = j;
    out.push({ id: rows[j].id, lines: `\n${body}`, records, bytes, put: c.ref.put!.map(([k, h]) => [k, h, c.ref.plan]) });
    pos = j + 1;
  }
  if (first < 0) return null;
  const pins = new Set(commands.flatMap((c) => c.ref.put!.map(([k]) => k)));
  for (const r of rows.slice(first)) {
    if (!r.put_only || !APPENDABLE.has((r.kind ?? '') as ItemKind)) return null;
    // Keys unknown (a command queued before they were kept beside it): it may carry one of them.
    if (!Array.isArray(r.keys) || r.keys.some((k) => pins.has(k))) return null;
  }
  return out;
}

/**
 * The pending tail of these devices (their TAIL newest pending commands), locked, as a read that can share a
 * round trip (read-together.ts): the planner reads it with the rest of its state once the order locks are held
 * (src/sync/plan-scope.ts), which saves a round trip while every other plan of those devices waits. A tail
 * row a poll is claiming right now is skipped (SKIP LOCKED); a poll that reaches a row locked here waits for the
 * commit and delivers the longer command.
 */
export function tailsRead(sns: readonly string[]): Read<TailRow[]> {
  // A pending command's text is hundreds of records by now. Its size is kept beside it (device_command.records
  // and .bytes): counting them here read and decompressed every tail's whole text, about 2 ms of a write group's
  // 7 ms read under the order locks (auto_explain, 10 panels). Rows from before those columns are counted from
  // the text. The header is looked for in the text's first characters only, which PostgreSQL fetches (and
  // decompresses) without the rest.
  return read(
    `SELECT t.id::text AS id, t.device_sn, t.bytes, t.records, t.head, t.kind, t.put_only, t.keys
       FROM unnest($1::text[]) AS s(sn)
       CROSS JOIN LATERAL (
         SELECT id, device_sn, COALESCE(bytes, octet_length(command)) AS bytes, COALESCE(records, ${commandRecordsSql('command')}) AS records,
                substring(substr(command, 1, ${HEAD_CHARS}) from '^DATA UPDATE [^ \\n]+ ') AS head, meta->>'kind' AS kind,
                (meta ? 'sync' AND meta ? 'put' AND NOT meta ? 'del' AND NOT meta ? 'clear' AND NOT meta ? 'verify' AND NOT meta ? 'alone') AS put_only, keys
           FROM device_command WHERE device_sn = s.sn AND state = 'pending' ORDER BY id DESC LIMIT ${TAIL} FOR UPDATE SKIP LOCKED
       ) t`,
    [sns],
    (rows: TailRow[]) => rows,
  );
}

/**
 * Adds the batches' records to pending commands where placeBatch allows; returns the batches still to queue and
 * the devices whose pending commands grew. The caller holds the order locks of every device in `batches`;
 * `preread`, when given, is tailsRead of (at least) those devices, read under the same locks.
 */
export async function appendToPending(
  m: EntityManager,
  batches: readonly DeviceBatch[],
  notify = false,
  preread?: readonly TailRow[],
): Promise<{ rest: DeviceBatch[]; appended: string[] }> {
  const candidates = batches.filter((b) => b.commands.length > 0 && b.commands.every((c) => appendable(c) !== null));
  if (candidates.length === 0) return { rest: [...batches], appended: [] };
  for (const b of candidates) for (const c of b.commands) formatCommandLine({ cmdId: 1, command: c.command });
  const tails = preread ?? (await runRead(m, tailsRead(candidates.map((b) => b.deviceSn))));
  const byDevice = new Map<string, TailRow[]>();
  for (const t of tails) {
    let l = byDevice.get(t.device_sn);
    if (!l) byDevice.set(t.device_sn, (l = []));
    l.push(t);
  }
  const placed: Placement[] = [];
  const appended = new Set<string>();
  for (const b of candidates) {
    const p = placeBatch(b.commands, byDevice.get(b.deviceSn) ?? []);
    if (!p) continue;
    placed.push(...p);
    appended.add(b.deviceSn);
  }
  if (placed.length > 0) {
    // `notify`: the same statement queues the devices' NOTIFY for the other gateway processes.
    const [{ count }]: Array<{ count: number }> = await m.query(
      `WITH u AS (
         UPDATE device_command c SET command = c.command || v.lines, ref = jsonb_set(c.ref, '{put}', (c.ref->'put') || v.put) || '{"appended": true}',
             meta = c.meta || '{"appended": true}', keys = c.keys || jsonb_path_query_array(v.put, '$[*][0]'),
             records = c.records + v.records, bytes = c.bytes + v.bytes
           FROM unnest($1::bigint[], $2::text[], $3::jsonb[], $4::int[], $5::int[]) AS v(id, lines, put, records, bytes) WHERE c.id = v.id AND c.state = 'pending'
         RETURNING c.device_sn)
       SELECT (SELECT count(*) FROM u)::int AS count${notify ? `, (SELECT count(${commandNotifySql('sn')}) FROM (SELECT DISTINCT device_sn AS sn FROM u) n) AS notified` : ''}`,
      [placed.map((p) => p.id), placed.map((p) => p.lines), placed.map((p) => JSON.stringify(p.put)), placed.map((p) => p.records), placed.map((p) => p.bytes)],
    );
    // The rows are locked by this transaction and were pending when locked: nothing can have taken them.
    if (count !== placed.length) throw new Error(`pending commands changed under their lock (${count} of ${placed.length} updated)`);
  }
  return { rest: batches.filter((b) => !appended.has(b.deviceSn)), appended: [...appended] };
}
