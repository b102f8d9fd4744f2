/**
 * Command-line grammar as the firmware reads it (manual 8.1, 9; digest §7):
 *   C:<CmdID>:<CmdDesc><SP><CmdDetail>
 * Exactly one SP between the words; `C:123: DATA ...` (stray space, a typo in the manual) is not a known verb.
 */
import { HT, RawCommand, splitPair } from './wire';
import { Condition, SPACE_SEPARATED_DELETE_TABLES } from './tables';

/** Verbs of the Security PUSH manual (9.1-9.6), longest first. */
export const VERBS = [
  'SET ADSCREEN_OPTIONS',
  'CONTROL DEVICE',
  'DATA UPDATE',
  'DATA DELETE',
  'DATA COUNT',
  'DATA QUERY',
  'SET OPTIONS',
  'GET OPTIONS',
  'ENROLL_INFO',
  'ENROLL_BIO',
  'Test Host',
  'ACCOUNT',
  'UPGRADE',
] as const;

export type Verb = (typeof VERBS)[number];

export interface ParsedCommand extends RawCommand {
  /** Known verb, or null when the firmware would not recognise the command. */
  verb: Verb | null;
  /** Table for DATA UPDATE / DELETE / COUNT (the token after the verb); DATA QUERY: the tablename= value. */
  table?: string;
  /** Separator found after the table name (' ' is the only correct one). */
  tableSeparator?: string;
  /** Text after the verb (and after the table name for DATA UPDATE / DELETE / COUNT). */
  args: string;
}

export function classify(raw: RawCommand): ParsedCommand {
  const verb = VERBS.find((v) => raw.text === v || raw.text.startsWith(v + ' ')) ?? null;
  if (!verb) return { ...raw, verb: null, args: raw.text };
  const rest = raw.text.slice(verb.length + 1);
  if (verb === 'DATA UPDATE' || verb === 'DATA DELETE' || verb === 'DATA COUNT') {
    const m = /[ \t]/.exec(rest);
    if (!m) return { ...raw, verb, table: rest, args: '' };
    return { ...raw, verb, table: rest.slice(0, m.index), tableSeparator: m[0], args: rest.slice(m.index + 1) };
  }
  if (verb === 'DATA QUERY') {
    const q = parseQueryArgs(rest);
    return { ...raw, verb, table: q?.tablename, args: rest };
  }
  return { ...raw, verb, args: rest };
}

/** The CMD= echo. 'manual': what the manual's examples print (`DATA` for UPDATE/DELETE); 'full': the verb. */
export function cmdEcho(cmd: ParsedCommand, style: 'manual' | 'full'): string {
  if (!cmd.verb) return cmd.text.split(/[ \t]/)[0] || cmd.text;
  if (style === 'manual' && (cmd.verb === 'DATA UPDATE' || cmd.verb === 'DATA DELETE')) return 'DATA';
  return cmd.verb;
}

export type ParseError = { error: number; reason: string };

const KEY_RE = /^~?[A-Za-z_][A-Za-z0-9_~.]*$/;
/** A value that swallowed another field because the sender used SP instead of HT. */
const SPACE_FIELD_RE = / ~?[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * One DATA UPDATE record: `k=v<HT>k=v...`. Fields separated by spaces make real firmware answer -1
 * (field-notes, devices 14); a CR inside a value or a field without `=` is malformed (-1 as well).
 */
export function parseRecord(text: string): Array<[string, string]> | ParseError {
  const out: Array<[string, string]> = [];
  for (const part of text.split(HT)) {
    if (part === '') continue;
    const kv = splitPair(part);
    if (!kv || !KEY_RE.test(kv[0])) return { error: -1, reason: `malformed field "${part.slice(0, 40)}"` };
    if (kv[1].includes('\r')) return { error: -1, reason: `CR inside value of ${kv[0]}` };
    if (SPACE_FIELD_RE.test(kv[1])) return { error: -1, reason: `fields separated by spaces in "${part.slice(0, 60)}"` };
    out.push(kv);
  }
  if (out.length === 0) return { error: -1, reason: 'empty record' };
  return out;
}

export function isParseError(x: unknown): x is ParseError {
  return typeof x === 'object' && x !== null && 'error' in x;
}

/**
 * DATA DELETE / COUNT conditions (9.1.2): `*`, or `Field=value` items separated by HT (AND).
 * The biophoto delete format prints SP between `PIN=` and `Type=`, so SP is accepted there only.
 */
export function parseConditions(table: string, text: string): Condition[] | 'all' | ParseError {
  const t = text.trim();
  if (t === '*' || t === '') return 'all';
  const parts = SPACE_SEPARATED_DELETE_TABLES.has(table) ? t.split(/[\t ]+/) : t.split(HT);
  const out: Condition[] = [];
  for (const p of parts) {
    if (p === '') continue;
    const kv = splitPair(p);
    if (!kv || !KEY_RE.test(kv[0])) return { error: -1, reason: `malformed condition "${p}"` };
    if (SPACE_FIELD_RE.test(kv[1])) return { error: -1, reason: `conditions separated by spaces in "${p}"` };
    out.push(kv);
  }
  return out.length ? out : 'all';
}

export interface QueryArgs {
  tablename: string;
  fielddesc: string;
  filter: string;
}

/** `tablename=<t>,fielddesc=<*|fields>,filter=<*|cond>` (9.1.4). The filter may itself contain `=` and HT. */
export function parseQueryArgs(text: string): QueryArgs | null {
  const m = /^tablename=([^,]*),fielddesc=(.*?),filter=(.*)$/s.exec(text);
  if (!m) return null;
  return { tablename: m[1], fielddesc: m[2], filter: m[3] };
}

/** Bytes of a CONTROL DEVICE argument `AABBCCDD[EE...]`, or null when it is not even-length hex of ≥ 4 bytes. */
export function parseControlBytes(text: string): number[] | null {
  const t = text.trim();
  if (!/^[0-9A-Fa-f]+$/.test(t) || t.length % 2 !== 0 || t.length < 8) return null;
  const out: number[] = [];
  for (let i = 0; i < t.length; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
  return out;
}
