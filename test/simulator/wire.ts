/**
 * The device side of the Security PUSH wire format, written independently of the server's codec in src/.
 * Everything here is pure: no I/O, no clock.
 *
 * Separators (manual 2, digest §1): fields of one record are separated by HT, records by LF (CR LF tolerated),
 * command words by SP, registration / options / SET OPTIONS lists by commas, server configuration replies by LF.
 */
import { createHash } from 'node:crypto';

export const HT = '\t';
export const LF = '\n';

/** Split a body into non-empty lines on LF or CR LF. */
export function splitLines(body: string): string[] {
  return body.split(/\r?\n/).filter((l) => l.length > 0);
}

/** `key=value` split at the first `=` (values may contain `=`, e.g. base64 padding). */
export function splitPair(text: string): [string, string] | null {
  const i = text.indexOf('=');
  if (i <= 0) return null;
  return [text.slice(0, i), text.slice(i + 1)];
}

/**
 * Server configuration block (4.1 / 4.5 replies): one `Name=Value` per line.
 *   registry=ok\nRegistryCode=..\nServerVersion=..\n...
 * Lines without `=` (e.g. a bare `OK`) are ignored.
 */
export function parseOptionLines(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of splitLines(body)) {
    const kv = splitPair(line.trim());
    if (kv) out[kv[0]] = kv[1];
  }
  return out;
}

/**
 * Comma lists (registration body, SET OPTIONS, options upload): `A=1,B=2,~C=x y`.
 * A comma only separates items when the text after it looks like `~?Key=` (values such as
 * `~OEMVendor=ZKTECO CO., LTD.` contain commas).
 */
export function parseCommaList(text: string): Array<[string, string]> {
  const items: string[] = [];
  let cur = '';
  const parts = text.split(',');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (i === 0) {
      cur = p;
      continue;
    }
    if (/^~?[A-Za-z_][\w~.]*=/.test(p)) {
      items.push(cur);
      cur = p;
    } else {
      cur += ',' + p;
    }
  }
  items.push(cur);
  const out: Array<[string, string]> = [];
  for (const item of items) {
    if (item === '') continue;
    const kv = splitPair(item);
    out.push(kv ?? [item, '']);
  }
  return out;
}

export function formatCommaList(pairs: Iterable<[string, string]>): string {
  return [...pairs].map(([k, v]) => `${k}=${v}`).join(',');
}

export type FieldValue = string | number | boolean | null | undefined;

/** One upload record: `[prefix SP]k=v<HT>k=v...`; null/undefined values are left out. */
export function formatRecord(fields: Record<string, FieldValue> | Array<[string, FieldValue]>, prefix?: string): string {
  const entries = Array.isArray(fields) ? fields : Object.entries(fields);
  const body = entries
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${typeof v === 'boolean' ? (v ? 1 : 0) : v}`)
    .join(HT);
  return prefix ? `${prefix} ${body}` : body;
}

// ---------------------------------------------------------------------------------------------------------------
// getrequest replies
// ---------------------------------------------------------------------------------------------------------------

/** One command as cut out of a getrequest reply. */
export interface RawCommand {
  /** CmdID exactly as sent (integers in the manual; any token without ':' is echoed unchanged). */
  id: string;
  /** The whole `C:<id>:...` line as received (the CmdFormat=1 prefix included, if any). */
  line: string;
  /** Text after `C:<id>:`. */
  text: string;
  /** Further lines that belong to this command (extra records of a multi-record DATA UPDATE). */
  continuation: string[];
}

/**
 * getrequest reply (8.1, 9.1.1 L6155-6168):
 *   C:<id>:<CmdDesc> <CmdDetail>          a command
 *   <k>=<v><HT>...                          a further record of the preceding DATA UPDATE
 *   OK                                      nothing queued
 * With CmdFormat=1 (Appendix 14) each command is prefixed `DataType=1,SN=..,Priority=..,CmdID=..,CmdDesc=C:<id>:...`.
 * Lines that are neither a command nor a continuation are returned in `ignored` (firmware drops them silently).
 */
export function parseCommandReply(body: string, opts: { cmdFormat?: number } = {}): { commands: RawCommand[]; ignored: string[] } {
  const commands: RawCommand[] = [];
  const ignored: string[] = [];
  for (const rawLine of body.split(LF)) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') continue;
    let cmdText = line;
    if (opts.cmdFormat === 1) {
      const at = line.indexOf('CmdDesc=');
      if (line.startsWith('DataType=') && at >= 0) cmdText = line.slice(at + 'CmdDesc='.length);
    }
    const m = /^C:([^:\s]+):/.exec(cmdText);
    if (m) {
      commands.push({ id: m[1], line, text: cmdText.slice(m[0].length), continuation: [] });
      continue;
    }
    const last = commands[commands.length - 1];
    if (last && last.text.startsWith('DATA UPDATE ')) last.continuation.push(line);
    else ignored.push(line);
  }
  return { commands, ignored };
}

// ---------------------------------------------------------------------------------------------------------------
// devicecmd results
// ---------------------------------------------------------------------------------------------------------------

export type ReplyForm = 'single' | 'batched' | 'multiline';
export type ReturnCase = 'Return' | 'return';

export interface CommandResult {
  id: string;
  code: number;
  cmd: string;
  /** Sub-controller SN (7.4) — only for multi-level setups. */
  sn?: string;
}

/** `ID=<id>&Return=<code>&CMD=<cmd>[&SN=<sn>]` (7.4). Not URL-encoded. */
export function formatResultLine(r: CommandResult, returnCase: ReturnCase = 'Return'): string {
  return `ID=${r.id}&${returnCase}=${r.code}&CMD=${r.cmd}${r.sn ? `&SN=${r.sn}` : ''}`;
}

/** Multi-line result form seen on real firmware: `ID=..\nReturn=..\nCMD=..` one field per line. */
export function formatResultBlock(r: CommandResult, returnCase: ReturnCase = 'Return'): string {
  const lines = [`ID=${r.id}`];
  if (r.sn) lines.push(`SN=${r.sn}`);
  lines.push(`${returnCase}=${r.code}`, `CMD=${r.cmd}`);
  return lines.join(LF);
}

/** The devicecmd POST bodies for a list of results in the given form. */
export function formatResultBodies(results: CommandResult[], form: ReplyForm, batch: boolean, returnCase: ReturnCase): string[] {
  if (results.length === 0) return [];
  const one = (r: CommandResult) => (form === 'multiline' ? formatResultBlock(r, returnCase) : formatResultLine(r, returnCase));
  if (form === 'batched' || batch) return [results.map(one).join(LF)];
  return results.map(one);
}

// ---------------------------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------------------------

/** Appendix 5: every month has 31 days and every year 372; encodes wall-clock fields, not an epoch. */
export function zkEncode(Y: number, M: number, D: number, h = 0, m = 0, s = 0): number {
  return ((Y - 2000) * 372 + (M - 1) * 31 + (D - 1)) * 86400 + (h * 60 + m) * 60 + s;
}

export function zkDecode(t: number): WallClock {
  const s = t % 60;
  t = Math.floor(t / 60);
  const m = t % 60;
  t = Math.floor(t / 60);
  const h = t % 24;
  t = Math.floor(t / 24);
  const D = (t % 31) + 1;
  t = Math.floor(t / 31);
  const M = (t % 12) + 1;
  const Y = Math.floor(t / 12) + 2000;
  return { Y, M, D, h, m, s, weekday: new Date(Date.UTC(Y, M - 1, D)).getUTCDay() };
}

export interface WallClock {
  Y: number;
  M: number;
  D: number;
  h: number;
  m: number;
  s: number;
  /** 0 = Sunday. */
  weekday: number;
}

/** A device zone: an IANA name (`Europe/Berlin`), `UTC`, or a fixed offset (`+08:00`, `-0500`). */
export type DeviceZone = string;

/** Fixed offset in minutes for `+08:00` / `+0800` / `-5` forms, undefined for IANA names. */
export function fixedOffsetMinutes(zone: DeviceZone): number | undefined {
  if (/^(UTC|GMT|Z)$/i.test(zone)) return 0;
  const m = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(zone.trim());
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

export function wallClock(date: Date, zone: DeviceZone): WallClock {
  const fixed = fixedOffsetMinutes(zone);
  if (fixed !== undefined) {
    const d = new Date(date.getTime() + fixed * 60_000);
    return {
      Y: d.getUTCFullYear(),
      M: d.getUTCMonth() + 1,
      D: d.getUTCDate(),
      h: d.getUTCHours(),
      m: d.getUTCMinutes(),
      s: d.getUTCSeconds(),
      weekday: d.getUTCDay(),
    };
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    weekday: 'short',
  }).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '0';
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    Y: Number(get('year')),
    M: Number(get('month')),
    D: Number(get('day')),
    h: Number(get('hour')) % 24,
    m: Number(get('minute')),
    s: Number(get('second')),
    weekday: weekdays.indexOf(get('weekday')),
  };
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** `yyyy-MM-dd HH:mm:ss` (event times: device wall clock, no offset). */
export function formatWallClock(w: WallClock): string {
  return `${w.Y}-${p2(w.M)}-${p2(w.D)} ${p2(w.h)}:${p2(w.m)}:${p2(w.s)}`;
}

/** The instant a wall-clock reading denotes in a zone (inverse of `wallClock`, two-pass for DST). */
export function instantOf(w: Omit<WallClock, 'weekday'>, zone: DeviceZone): Date {
  const asUtc = Date.UTC(w.Y, w.M - 1, w.D, w.h, w.m, w.s);
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const seen = wallClock(new Date(guess), zone);
    const seenUtc = Date.UTC(seen.Y, seen.M - 1, seen.D, seen.h, seen.m, seen.s);
    guess += asUtc - seenUtc;
  }
  return new Date(guess);
}

/**
 * `TimeZone=` option as firmware reads it (attendance manual's option list; not in the Security PUSH manual): an
 * integer, hours when -12 < n < 12 (`8`, `-5`), minutes beyond (`330`, `-210`, `720`); `+0800` as some servers send.
 * The number is read as C firmware reads it (atoi): `5.5` is 5 hours, half an hour off what a server meant by it.
 * Returns minutes east of UTC.
 */
export function parseTimeZoneOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (/^[+-]\d{4}$/.test(t)) return (t[0] === '-' ? -1 : 1) * (Number(t.slice(1, 3)) * 60 + Number(t.slice(3)));
  const m = /^[+-]?\d+/.exec(t);
  if (!m) return undefined;
  const n = Number(m[0]);
  return Math.abs(n) <= 14 ? n * 60 : n;
}

export function offsetZone(minutes: number): DeviceZone {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${p2(Math.floor(a / 60))}:${p2(a % 60)}`;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** Build `a=1&b=2` the way firmware does (values percent-encoded only where a URL needs it). */
export function buildQuery(pairs: Array<[string, string | number]>): string {
  return pairs.map(([k, v]) => `${k}=${encodeURIComponent(String(v)).replace(/%2F/gi, '/').replace(/%3A/gi, ':')}`).join('&');
}
