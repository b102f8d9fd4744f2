/**
 * Reads command lines back: the simulator plays the device with it, and the tests check every
 * builder against the manual's examples through it.
 *
 *   C:<CmdID>:<verb> <detail>
 *   C:8748:DATA UPDATE biodata Pin=1<HT>...<LF>Pin=2<HT>...     continuation lines = more records
 *   DataType=1,SN=<sn>,Priority=0,CmdID=<id>,CmdDesc=C:<id>:...  CmdFormat=1 wrapper (Appendix 14)
 *
 * Tolerates the manual's typos: a space after the second colon (`C:123: DATA ...`) and runs of
 * spaces between words. A line that does not start with `C:` and does not follow a DATA UPDATE
 * is rejected (firmware silently ignores bare commands).
 */
import type { ParseResult, RejectedLine } from './errors';
import { splitLines } from './kv';

export type Pair = [string, string];

interface Base {
  cmdId: string;
  /** Detail text after the verb, as sent (records joined by LF for DATA UPDATE). */
  detail: string;
  /** CmdFormat=1 wrapper fields, when present. */
  wrapper: { dataType: string | null; sn: string | null; priority: string | null } | null;
  lineNo: number;
}

export type ParsedCommand =
  | (Base & { verb: 'DATA UPDATE'; table: string | null; records: Pair[][] })
  | (Base & { verb: 'DATA DELETE'; table: string; conditions: '*' | Pair[] })
  | (Base & { verb: 'DATA COUNT'; table: string; conditions: Pair[] })
  | (Base & { verb: 'DATA QUERY'; table: string; fieldDesc: string; filter: '*' | 'NewRecord' | Pair[] })
  | (Base & { verb: 'CONTROL DEVICE'; hex: string; bytes: number[] })
  | (Base & { verb: 'SET OPTIONS' | 'UPGRADE' | 'SET ADSCREEN_OPTIONS'; options: Pair[] })
  | (Base & { verb: 'GET OPTIONS'; names: string[] })
  | (Base & { verb: 'ENROLL_INFO' | 'ENROLL_BIO' | 'Test Host'; fields: Pair[] })
  | (Base & { verb: 'ACCOUNT'; table: string; fields: Pair[] })
  | (Base & { verb: 'UNKNOWN'; text: string });

const pairOf = (tok: string): Pair | null => {
  const eq = tok.indexOf('=');
  return eq <= 0 ? null : [tok.slice(0, eq), tok.slice(eq + 1)];
};

function htPairs(s: string): Pair[] {
  const out: Pair[] = [];
  for (const tok of s.split('\t')) {
    if (tok === '') continue;
    const p = pairOf(tok);
    if (p) out.push(p);
  }
  return out;
}

function commaPairs(s: string): Pair[] {
  const out: Pair[] = [];
  for (const tok of s.split(',')) {
    const p = pairOf(tok);
    if (p) out.push(p);
  }
  return out;
}

const VERBS = ['DATA UPDATE', 'DATA DELETE', 'DATA COUNT', 'DATA QUERY', 'CONTROL DEVICE', 'SET OPTIONS', 'GET OPTIONS', 'SET ADSCREEN_OPTIONS', 'UPGRADE', 'ACCOUNT', 'Test Host', 'ENROLL_INFO', 'ENROLL_BIO'] as const;

/** Parses one command (its first line plus any continuation records). */
export function parseCommand(text: string, lineNo = 1): ParsedCommand | string {
  let t = text;
  let wrapper: Base['wrapper'] = null;
  const w = /^\s*DataType=([^,]*),\s*SN=([^,]*),\s*(?:Priority=([^,]*),\s*)?CmdID=([^,]*),\s*CmdDesc=/.exec(t);
  if (w) {
    wrapper = { dataType: w[1], sn: w[2], priority: w[3] ?? null };
    t = t.slice(w[0].length);
  }
  const m = /^C:([^:\s]+):\s*/.exec(t);
  if (!m) return 'does not start with C:<id>:';
  const cmdId = m[1];
  const rest = t.slice(m[0].length);
  // Normalise runs of spaces between the verb words only (values keep their spaces).
  const head = /^(DATA|CONTROL|SET|GET|Test)\s+(\S+)\s*/.exec(rest);
  let verbText: string;
  let detail: string;
  if (head) {
    verbText = `${head[1]} ${head[2]}`;
    detail = rest.slice(head[0].length);
  } else {
    const one = /^(\S+)\s*/.exec(rest);
    verbText = one ? one[1] : '';
    detail = one ? rest.slice(one[0].length) : '';
  }
  const verb = VERBS.find((v) => v.toUpperCase() === verbText.toUpperCase());
  const base = { cmdId, detail, wrapper, lineNo };
  if (!verb) return { ...base, verb: 'UNKNOWN', text: rest };
  switch (verb) {
    case 'DATA UPDATE': {
      const [first, ...more] = detail.split('\n');
      const sp = /^([^\s=]+)\s+/.exec(first);
      const table = sp && !sp[1].includes('=') ? sp[1] : null;
      const firstFields = table ? first.slice(sp![0].length) : first;
      return { ...base, verb, table, records: [firstFields, ...more].map(htPairs) };
    }
    case 'DATA DELETE':
    case 'DATA COUNT': {
      const sp = /^(\S+?)(\*|\s+|$)/.exec(detail);
      if (!sp) return `${verb} without a table`;
      const table = sp[1];
      const cond = detail.slice(table.length).trim();
      if (verb === 'DATA DELETE') {
        if (cond === '') return 'DATA DELETE without conditions';
        return { ...base, verb, table, conditions: cond === '*' ? '*' : htPairs(cond.replace(/ (?=\S+=)/g, '\t')) };
      }
      return { ...base, verb, table, conditions: htPairs(cond) };
    }
    case 'DATA QUERY': {
      const q = /^tablename=([^,]*),fielddesc=([^,]*),filter=(.*)$/s.exec(detail);
      if (!q) return 'DATA QUERY is not tablename=..,fielddesc=..,filter=..';
      const f = q[3].replace(/^\\\*/, '*');
      const filter = f === '*' || f === 'NewRecord' ? f : htPairs(f);
      return { ...base, verb, table: q[1], fieldDesc: q[2].replace(/^\\\*$/, '*'), filter };
    }
    case 'CONTROL DEVICE': {
      const hex = detail.trim();
      if (!/^([0-9A-Fa-f]{2}){4,}$/.test(hex)) return `CONTROL DEVICE needs hex bytes, got "${hex}"`;
      return { ...base, verb, hex, bytes: hex.match(/../g)!.map((b) => parseInt(b, 16)) };
    }
    case 'SET OPTIONS':
    case 'UPGRADE':
    case 'SET ADSCREEN_OPTIONS':
      return { ...base, verb, options: commaPairs(detail) };
    case 'GET OPTIONS':
      return { ...base, verb, names: detail.split(',').map((s) => s.trim()).filter((s) => s !== '') };
    case 'ACCOUNT': {
      const [table, ...params] = detail.split(/[ \t]+/);
      return { ...base, verb, table: table ?? '', fields: params.map(pairOf).filter((p): p is Pair => p !== null) };
    }
    default:
      return { ...base, verb, fields: htPairs(detail) };
  }
}

/**
 * Parses a whole getrequest reply. Lines after a `DATA UPDATE` that do not start a new command
 * are that command's further records; anything else without `C:` is rejected.
 */
export function parseGetrequestBody(body: string): ParseResult<ParsedCommand> {
  const results: ParsedCommand[] = [];
  const rejected: RejectedLine[] = [];
  if (body.trim() === 'OK') return { results, rejected };
  type Group = { text: string; lineNo: number; firstLine: string };
  const groups: Group[] = [];
  for (const { text, lineNo } of splitLines(body)) {
    const starts = /^\s*(C:|DataType=)/.test(text);
    const last = groups[groups.length - 1];
    if (!starts && last && /C:[^:]+:\s*DATA\s+UPDATE\b/.test(last.firstLine)) {
      last.text += `\n${text}`;
      continue;
    }
    if (!starts) {
      rejected.push({ line: text, lineNo, reason: 'not a command (no C:<id>: prefix)' });
      continue;
    }
    groups.push({ text, lineNo, firstLine: text });
  }
  for (const g of groups) {
    const r = parseCommand(g.text, g.lineNo);
    if (typeof r === 'string') rejected.push({ line: g.text, lineNo: g.lineNo, reason: r });
    else results.push(r);
  }
  return { results, rejected };
}
