/**
 * Key/value primitives shared by every parser.
 *
 * The PUSH protocol has one idea, `Name=Value`, with three separators depending on where it
 * travels: TAB inside a record (uploads, command fields), comma in the registration body and the
 * options upload, LF in INFO-style devicecmd bodies and in the server's own config replies.
 * Fields are always read by key, never by position: firmware adds, drops and reorders them.
 */

export interface KvField {
  /** Key exactly as sent, e.g. `~DeviceName`. */
  rawKey: string;
  /** Key without surrounding spaces and without the `~` prefix, case kept, e.g. `DeviceName`. */
  key: string;
  value: string;
}

/**
 * Normalised keys seen so far. Devices and callers use a few dozen distinct keys, and every request looks
 * several up (a one-event rtlog upload: about 30), so each is normalised once; the map is emptied should a
 * peer send endless distinct keys, so it stays small.
 */
const NORMALIZED = new Map<string, string>();
const NORMALIZED_MAX = 4096;

/**
 * Keys as sent, one string per distinct key: a record's keys are new strings each time, and every object keyed by
 * them (toObject's, one per record) would otherwise look each up in the engine's string table; the same bound as
 * NORMALIZED keeps it small.
 */
const RAW_KEYS = new Map<string, string>();

function sharedKey(rawKey: string): string {
  const k = RAW_KEYS.get(rawKey);
  if (k !== undefined) return k;
  if (RAW_KEYS.size >= NORMALIZED_MAX) RAW_KEYS.clear();
  RAW_KEYS.set(rawKey, rawKey);
  return rawKey;
}

/** Normalises a key for lookup: uploads say `pin`, commands say `Pin`, options say `~MaxUserCount`. */
export function normalizeKey(key: string): string {
  let k = NORMALIZED.get(key);
  if (k === undefined) {
    k = key.trim().replace(/^~+/, '').toLowerCase();
    if (NORMALIZED.size >= NORMALIZED_MAX) NORMALIZED.clear();
    NORMALIZED.set(key, k);
  }
  return k;
}

/** The key as sent without surrounding spaces and `~` prefix, case kept; most keys have neither. */
function bareKey(rawKey: string): string {
  const first = rawKey.charCodeAt(0);
  const last = rawKey.charCodeAt(rawKey.length - 1);
  if (first > 0x20 && first < 0x7e && last > 0x20 && last < 0x7f) return rawKey; // printable ASCII, no `~` first
  return rawKey.trim().replace(/^~+/, '');
}

/**
 * An ordered list of fields with case-insensitive, `~`-insensitive lookup.
 * Duplicate keys are kept in `fields`; lookup returns the first occurrence.
 */
export class KvMap {
  readonly fields: readonly KvField[];
  private readonly index = new Map<string, string>();

  constructor(fields: readonly KvField[]) {
    this.fields = fields;
    for (const f of fields) {
      const k = normalizeKey(f.rawKey);
      if (!this.index.has(k)) this.index.set(k, f.value);
    }
  }

  get size(): number {
    return this.fields.length;
  }

  has(key: string): boolean {
    return this.index.has(normalizeKey(key));
  }

  get(key: string): string | undefined {
    return this.index.get(normalizeKey(key));
  }

  /** Value with surrounding spaces removed; empty string becomes undefined. */
  text(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    const t = v.trim();
    return t === '' ? undefined : t;
  }

  /** Integer value, or null when absent, empty or not an integer (never NaN). */
  int(key: string): number | null {
    return toInt(this.get(key));
  }

  /** Decimal value (temperatures), or null. */
  num(key: string): number | null {
    const t = this.text(key);
    if (t === undefined || !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
    return Number(t);
  }

  /** `1` → true, `0` → false, anything else (absent, empty, garbage) → null. */
  flag(key: string): boolean | null {
    const t = this.text(key);
    if (t === '1') return true;
    if (t === '0') return false;
    return null;
  }

  /** Plain object keyed by the raw key (first occurrence wins), for storage and logs. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of this.fields) if (!(f.rawKey in out)) out[f.rawKey] = f.value;
    return out;
  }
}

export function toInt(v: string | undefined | null): number | null {
  if (v === undefined || v === null) return null;
  const t = v.trim();
  if (!/^[-+]?\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

export interface BodyLine {
  /** Line text without its terminator (and without trailing NUL padding). */
  text: string;
  /** 1-based line number. */
  lineNo: number;
}

/**
 * Splits a body into non-empty lines. Records end in LF on most firmware, CR LF on others
 * (SenseFace 2A rtlog, irstate, linkphotoinfo), and a lone CR on some: each is one line end, and so is a run of
 * CRs before an LF (`\r\r\n`, counted as one, as before). No value can hold a CR (fields are TAB-separated and
 * nothing that builds them lets a control character through), so a lone CR never cuts a record, and reading it
 * as part of the line instead would run the records after it into one and lose them. A missing final
 * terminator is normal. Trailing NULs are C-string padding some firmware leaves in fixed buffers.
 */
export function splitLines(body: string): BodyLine[] {
  const out: BodyLine[] = [];
  // Most bodies have no CR at all: a plain split then.
  const parts = body.indexOf('\r') < 0 ? body.split('\n') : body.split(LINE_END);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    // Only a line ending in NUL has anything to strip.
    const text = part.charCodeAt(part.length - 1) === 0 ? part.replace(/\0+$/, '') : part;
    if (text.trim() === '') continue;
    out.push({ text, lineNo: i + 1 });
  }
  return out;
}

/**
 * Whether the body ends inside `line`, its last line (as splitLines read it): no line end after it, NULs aside. An
 * upload cut mid-body (the link or the terminal's power gone) ends so; a line a cut can make look whole is judged by it.
 */
export function endsInsideLine(body: string, line: string): boolean {
  return !/[\r\n]\0*$/.test(body) && body.replace(/\0+$/, '').endsWith(line);
}

/** A line end: LF with any CRs before it, or a lone CR. */
export const LINE_END = /\r*\n|\r/;

function field(rawKey: string, value: string): KvField {
  return { rawKey, key: bareKey(rawKey), value };
}

/**
 * Splits `k=v` at the first `=`; values may contain `=` (base64 padding, filters). A value holding a NUL ends
 * there, as the C string the firmware built it in does: what follows is buffer garbage, and the database refuses
 * NUL in text, so carrying it would fail the whole upload.
 */
function splitPair(token: string): KvField | null {
  const eq = token.indexOf('=');
  if (eq <= 0) return null;
  const rawKey = token.slice(0, eq);
  if (rawKey.trim() === '') return null;
  const nul = token.indexOf('\0', eq + 1);
  return field(sharedKey(withoutNul(rawKey)), token.slice(eq + 1, nul < 0 ? undefined : nul));
}

// A key looks like `~Name`, `Door1Drivertime`, `SN_Num`, `wgRuleVer`; used to decide where a
// space- or comma-separated value ends and the next field begins.
const KEY_AHEAD = /^\s*~?[A-Za-z_][A-Za-z0-9_.\[\]~-]*=/;

export interface TabRecord {
  /** Table-name prefix such as `user` in `user uid=5<HT>...`, or null. */
  prefix: string | null;
  map: KvMap;
  /** Tokens without `=` (positional attendance data, stray words); kept, never interpreted. */
  bare: string[];
}

/**
 * Parses one TAB-separated record:
 *
 *   [<table><SP>]<k>=<v><HT><k>=<v>...
 *
 * - A first token (up to the first SP or HT) without `=` is a table-name prefix.
 * - With `expectedPrefix`, a prefix printed fused to the first key (`biodatapin=1`,
 *   `DeviceAuthorizeSN=`, as in the manual's format lines) is split off too.
 * - A line with no TAB at all but several `key=` tokens separated by spaces is split on the
 *   spaces that precede a key: the manual prints TABs as spaces and some firmware/tools do
 *   the same, while values such as `time=2017-01-10 11:49:32` keep their inner spaces.
 */
export function parseTabRecord(line: string, expectedPrefix?: string): TabRecord {
  // Spaces or TABs before the record (a tool indenting its lines, an empty first field) are no part of its prefix.
  const first = line.charCodeAt(0);
  let rest = first === 0x20 || first === 0x09 ? line.replace(/^[ \t]+/, '') : line;
  let prefix: string | null = null;
  // A line that starts `key=` (every upload record without a table name) has no prefix to look for.
  const m = startsWithPair(rest) ? null : /^([^\s=]+)[ \t]+/.exec(rest);
  if (m && !m[1].includes('=') && KEY_AHEAD.test(rest.slice(m[0].length))) {
    prefix = m[1];
    rest = rest.slice(m[0].length);
  } else if (expectedPrefix) {
    const lower = rest.toLowerCase();
    const p = expectedPrefix.toLowerCase();
    if (lower.startsWith(p) && rest.length > p.length && /^[A-Za-z_]/.test(rest.slice(p.length))) {
      const after = rest.slice(p.length);
      const eq = after.indexOf('=');
      const firstSep = after.search(/[\t ]/);
      if (eq > 0 && (firstSep < 0 || eq < firstSep)) {
        prefix = rest.slice(0, p.length);
        rest = after;
      }
    }
  }
  const tokens = rest.includes('\t') ? rest.split('\t') : splitOnKeyBoundaries(rest, ' ');
  const fields: KvField[] = [];
  const bare: string[] = [];
  for (const tok of tokens) {
    if (tok.trim() === '') continue;
    const f = splitPair(tok);
    if (f) fields.push(f);
    else bare.push(tok);
  }
  return { prefix, map: new KvMap(fields), bare };
}

/** True when the text's first token (up to a space or TAB) holds an `=`: `time=…`, not `user uid=…`. */
function startsWithPair(text: string): boolean {
  const eq = text.indexOf('=');
  if (eq <= 0) return false;
  for (let i = 0; i < eq; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c) return false;
  }
  return true;
}

/** Splits on `sep` (or, with `alsoTab`, a TAB) only where the text after it starts with `key=`. */
function splitOnKeyBoundaries(text: string, sep: string, alsoTab = false): string[] {
  const out: string[] = [];
  let start = 0;
  let from = 0;
  for (;;) {
    const i = alsoTab ? nextOf(text, sep, '\t', from) : text.indexOf(sep, from);
    if (i < 0) break;
    if (KEY_AHEAD.test(text.slice(i + 1))) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
    from = i + 1;
  }
  out.push(text.slice(start));
  return out;
}

/** The first index of `a` or `b` from `from`, or -1. */
function nextOf(text: string, a: string, b: string, from: number): number {
  const i = text.indexOf(a, from);
  const j = text.indexOf(b, from);
  return i < 0 ? j : j < 0 ? i : Math.min(i, j);
}

/**
 * Parses a comma list `Name=Value,~Name=Value,...` (registration body, options upload,
 * GET OPTIONS results). A comma only separates fields when a key follows it, so
 * `~OEMVendor=ZKTECO CO., LTD.` keeps its value. Stray spaces around keys are dropped
 * (`~OEMVendor= ZKTeco Inc. ` keeps its value as sent). Line breaks are treated as separators,
 * because some bodies end in LF and INFO-style bodies put one field per line.
 */
export function parseCommaList(body: string): KvMap {
  const fields: KvField[] = [];
  for (const { text } of splitLines(body)) {
    // A comma ending the line separates nothing from its value: the manual prints the list so (4.6
    // `Parm1=${XXX}, Parm2=${XXX}, ... Parm3=${XXX},`), and a registration that ends so must not name its device
    // `<ip>,` (the last value would keep the comma, as no key follows it).
    // A TAB before a key separates too: TAB is the protocol's field separator everywhere else (field notes, devices
    // 1), and a body sent with TABs was read as one field, its first, whose value swallowed every other parameter
    // (the kind's evidence, the counts, the function switches): the device was taken for an access panel.
    for (const tok of splitOnKeyBoundaries(text.replace(/,\s*$/, ''), ',', text.includes('\t'))) {
      if (tok.trim() === '') continue;
      // `, Parm2=` (4.6's printed form): the key is `Parm2`, as stored and served (GET /api/gateway/devices/{sn}/options).
      const f = splitPair(tok.trimStart());
      if (f) fields.push(f);
      else if (fields.length > 0) {
        // A comma not followed by a key belongs to the previous value.
        const last = fields[fields.length - 1];
        fields[fields.length - 1] = { ...last, value: `${last.value},${tok}` };
      }
    }
  }
  return new KvMap(fields);
}

/** Parses `Name=Value` lines (config replies, INFO bodies). */
export function parseLineList(body: string): KvMap {
  const fields: KvField[] = [];
  for (const { text } of splitLines(body)) {
    const f = splitPair(text);
    if (f) fields.push(f);
  }
  return new KvMap(fields);
}

/** Parses a URL query string (`SN=..&table=..`) with case-insensitive lookup. */
export function parseQuery(query: string | Record<string, string | string[] | undefined>): KvMap {
  const fields: KvField[] = [];
  if (typeof query === 'string') {
    const q = query.startsWith('?') ? query.slice(1) : query;
    for (const part of q.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const k = eq < 0 ? part : part.slice(0, eq);
      const v = eq < 0 ? '' : part.slice(eq + 1);
      fields.push(field(withoutNul(safeDecode(k)), withoutNul(safeDecode(v))));
    }
  } else {
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      fields.push(field(withoutNul(k), withoutNul(Array.isArray(v) ? (v[0] ?? '') : v)));
    }
  }
  return new KvMap(fields);
}

/**
 * Firmware written in C pads some query values with NUL (`pushver=2.4.1%00`, an INFO field): the padding is no
 * part of the value, and the database refuses NUL in text, so a terminal could never initialise or poll.
 */
function withoutNul(s: string): string {
  return s.indexOf('\0') < 0 ? s : s.replace(/\0/g, '');
}

function safeDecode(s: string): string {
  // Most values (serial numbers, table names, stamps) have nothing to decode.
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
