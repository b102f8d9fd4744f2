/**
 * Command results: `POST /iclock/devicecmd?SN=..` (manual 7.4; field notes "Devices" 3).
 *
 * Three shapes reach this endpoint, sometimes in one body:
 *
 *   ID=1&Return=0&CMD=DATA                      one result per line, LF-batched
 *   ID=2&Return=0&CMD=DATA
 *
 *   ID=32                                       multi-line form, one field per line, optional
 *   Return=0                                    SN= and FILENAME=; Content= runs to the next
 *   CMD=Shell                                   `ID=` line
 *   Content=Tue Mar 24 16:12:26 GMT 2026
 *
 *   ID=26&Return=0&CMD=INFO                     a result followed by `key=value` content lines
 *   ~DeviceName=Biopro SA40
 *   MAC=00:17:61:11:cd:3b
 *
 * The body is not form data: `+` and `%` are literal, nothing is URL-decoded. `Return` and
 * `return` both occur. A result without an integer Return is rejected, never read as success.
 * ACCOUNT results carry a bare token (`CMD=ACCOUNT&transaction&StartTime=...`): kept in `bare`.
 */
import type { ParseResult, RejectedLine } from './errors';
import { KvMap, splitLines, toInt, type KvField } from './kv';
import { returnMeaning } from './tables';

export interface DeviceCmdResult {
  lineNo: number;
  /** Command id as echoed (integers here, but 16-hex ids exist in the field). */
  id: string;
  returnCode: number;
  /** CMD echo: often just `DATA`, sometimes `DATA UPDATE`, `CONTROL DEVICE`, `GET OPTION`... */
  cmd: string | null;
  /** Sub-controller SN on results relayed by a master controller. */
  sn: string | null;
  fields: Record<string, string>;
  bare: string[];
  /** Content= of the multi-line form, or the content lines after an INFO-style result. */
  content: string | null;
  /**
   * Appendix 1 meaning of the code as the Security PUSH manual reads it (null when unknown: store the code
   * verbatim). The parser does not know the device: the queue reads a terminal's codes with the attendance manual.
   */
  meaning: string | null;
}

interface Draft {
  lineNo: number;
  line: string;
  fields: KvField[];
  bare: string[];
  content: string[];
  multiLine: boolean;
  inContent: boolean;
}

function pair(tok: string): KvField | null {
  const eq = tok.indexOf('=');
  if (eq <= 0) return null;
  const rawKey = tok.slice(0, eq);
  return { rawKey, key: rawKey.trim(), value: tok.slice(eq + 1) };
}

const ID_LINE = /^\s*id\s*=/i;

/**
 * A result's Return: a whole number a device's 32-bit int holds (the codes of the manuals' appendices, a record
 * count), else null. A value past that is garbage, refused like any unreadable Return: taken, it failed the
 * batch's write in the database, so every result sent with it went unrecorded and the device resent the batch
 * forever.
 */
function returnCodeOf(v: string | undefined): number | null {
  const n = toInt(v);
  return n !== null && n >= -2_147_483_648 && n <= 2_147_483_647 ? n : null;
}
const MULTI_KEYS = new Set(['return', 'cmd', 'sn', 'filename', 'content']);

/** One result from its fields, or the line rejected: an ID and a whole-number Return are required. */
function resultOf(
  m: KvMap,
  at: { lineNo: number; line: string; bare: string[]; content: string | null; sn: string | null },
): DeviceCmdResult | RejectedLine {
  const id = m.text('ID');
  const rc = returnCodeOf(m.get('Return'));
  if (!id) return { line: at.line, lineNo: at.lineNo, reason: 'missing ID' };
  if (rc === null) return { line: at.line, lineNo: at.lineNo, reason: m.has('Return') ? `bad Return "${m.get('Return')}"` : 'missing Return' };
  return { lineNo: at.lineNo, id, returnCode: rc, cmd: m.text('CMD') ?? null, sn: at.sn, fields: m.toObject(), bare: at.bare, content: at.content, meaning: returnMeaning(rc) };
}

export function parseDeviceCmd(body: string): ParseResult<DeviceCmdResult> {
  const results: DeviceCmdResult[] = [];
  const rejected: RejectedLine[] = [];
  let cur: Draft | null = null;

  const finish = () => {
    if (!cur) return;
    const m = new KvMap(cur.fields);
    const content = cur.content.length > 0 ? cur.content.join('\n') : (m.get('Content') ?? null);
    const r = resultOf(m, { lineNo: cur.lineNo, line: cur.line, bare: cur.bare, content, sn: m.text('SN') ?? null });
    if ('reason' in r) rejected.push(r);
    else results.push(r);
    cur = null;
  };

  for (const { text, lineNo } of splitLines(body)) {
    if (ID_LINE.test(text)) {
      finish();
      const multiLine = !text.includes('&');
      const fields: KvField[] = [];
      const bare: string[] = [];
      for (const tok of multiLine ? [text] : text.split('&')) {
        const f = pair(tok);
        if (f) fields.push(f);
        else if (tok.trim() !== '') bare.push(tok);
      }
      cur = { lineNo, line: text, fields, bare, content: [], multiLine, inContent: false };
      continue;
    }
    if (!cur) {
      rejected.push({ line: text, lineNo, reason: 'not part of a result (no ID= before it)' });
      continue;
    }
    const c: Draft = cur;
    if (c.multiLine && !c.inContent) {
      const f = pair(text);
      if (f && MULTI_KEYS.has(f.key.toLowerCase())) {
        c.fields.push(f);
        c.line += `\n${text}`;
        if (f.key.toLowerCase() === 'content') {
          c.inContent = true;
          c.content.push(f.value);
        }
        continue;
      }
    }
    // INFO-style payload or continued Content: data, not a new result.
    c.content.push(text);
  }
  finish();
  return { results, rejected };
}

/** The device's own keys on every iclock query, never part of a result. */
const QUERY_ONLY_KEYS = new Set(['sn', 'pushver', 'options', 'language', 'pushcommkey']);

/**
 * The results of one `/iclock/devicecmd` request: its body's (parseDeviceCmd), and the one its query carries. The
 * attendance manual's section 13 annotation names GET as the method, and a terminal that follows it sends
 * `GET /iclock/devicecmd?SN=..&ID=..&Return=..&CMD=..` with nothing in the body: that result counts as the same line
 * in a POST body does (the query is URL-decoded, unlike a body). Only a request without a body is read so: a body's
 * results are the request's, whatever its URL carries besides. A query `ID=` without a whole-number Return is
 * rejected like such a body line.
 */
export function parseDeviceCmdRequest(query: KvMap, body: string): ParseResult<DeviceCmdResult> {
  const parsed = parseDeviceCmd(body);
  const id = query.text('ID');
  if (id === undefined || body.trim() !== '') return parsed;
  const fields = query.fields.filter((f) => !QUERY_ONLY_KEYS.has(f.key.toLowerCase()));
  const line = fields.map((f) => `${f.rawKey}=${f.value}`).join('&');
  const m = new KvMap(fields);
  // The query's SN is the terminal's own (a body's SN= names a relayed sub-controller): the result has none.
  const r = resultOf(m, { lineNo: 0, line, bare: [], content: m.get('Content') ?? null, sn: null });
  if ('reason' in r) return { results: parsed.results, rejected: [...parsed.rejected, { ...r, reason: `${r.reason} (query)` }] };
  return { results: [r, ...parsed.results], rejected: parsed.rejected };
}

export type CommandFamily = 'DATA UPDATE' | 'DATA DELETE' | 'DATA COUNT' | 'DATA QUERY' | 'ACCOUNT' | 'OTHER';

export interface ReturnOutcome {
  /** The command ran (>= 0). */
  ok: boolean;
  /** Master controller accepted it for a sub-controller; the final result follows with the same ID. */
  pending: boolean;
  /** For QUERY / COUNT / ACCOUNT: the number of records (a positive Return is not an error). */
  recordCount: number | null;
  meaning: string | null;
}

/**
 * Reads a Return code in the light of the command that was sent (the CMD echo is unreliable:
 * `DATA` for every DATA verb). >= 0 succeeds; on QUERY, COUNT and ACCOUNT it is a record count.
 */
export function interpretReturn(returnCode: number, family: CommandFamily): ReturnOutcome {
  const counted = family === 'DATA QUERY' || family === 'DATA COUNT' || family === 'ACCOUNT';
  return {
    ok: returnCode >= 0,
    pending: returnCode === -5000,
    recordCount: counted && returnCode >= 0 ? returnCode : null,
    meaning: returnMeaning(returnCode),
  };
}

/** The `key=value` lines after an INFO-style result, as a map. */
export function resultContentMap(r: DeviceCmdResult): KvMap {
  const fields: KvField[] = [];
  for (const line of (r.content ?? '').split('\n')) {
    const f = pair(line);
    if (f) fields.push({ rawKey: f.rawKey, key: f.key.replace(/^~+/, ''), value: f.value });
  }
  return new KvMap(fields);
}
