/**
 * Attendance PUSH uploads of punches (attendance manual 11.2; also the answer to `DATA QUERY ATTLOG`, 12.1.3).
 *
 *   POST /iclock/cdata?SN=<sn>&table=ATTLOG&Stamp=<n>
 *   <Pin><HT><Time><HT><Status><HT><Verify><HT><Workcode><HT><Reserved><HT><Reserved>   one per LF (or CR LF)
 *
 * Answered `OK: <n>`, n = records processed. Field traps (field-notes 10): the width varies (a trailing TAB,
 * extra reserved fields), the workcode can be empty and is not always a number. Nothing after the time is
 * required: a line is usable when it has a PIN and a valid time. The manual's own examples print the TABs as
 * spaces (and `15: 16: 28` with spaces after the colons); such lines are read too, and so are lines that mix the
 * two (a TAB after the PIN and spaces after the time, spaces then TABs, a TAB between date and time) or write the
 * date with slashes: read by the TABs they hold when they give a PIN and a time, else by their blanks.
 */
import type { ParseResult, RejectedLine } from '../../protocol/errors';
import { endsInsideLine, splitLines } from '../../protocol/kv';
import { formatWallClock, isValidWallClock, type WallClock } from '../../protocol/time';

export interface AttPunch {
  pin: string;
  wallClock: WallClock;
  /** `yyyy-MM-dd HH:mm:ss` as the device meant it (its own wall clock). */
  time: string;
  /** Attendance state (0 check-in, 1 check-out, 2 break-out, 3 break-in, 4 OT-in, 5 OT-out...); null when absent. */
  status: number | null;
  /** Verify mode (Appendix 7 of the attendance manual: 0 password, 1 fingerprint, 15 face...); null when absent. */
  verify: number | null;
  /** Work code as sent ('' when empty). */
  workCode: string;
  /** Every field after the work code, as sent (trailing empty fields dropped). */
  reserved: string[];
  lineNo: number;
}

const SPACED = /^\s*(\S+)\s+(\d{4})[-/](\d{1,2})[-/](\d{1,2})[\sT]+(\d{1,2})\s*:\s*(\d{1,2})\s*:\s*(\d{1,2})(?:\s+([^]*))?$/;
const TIME = /^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T]+(\d{1,2})\s*:\s*(\d{1,2})\s*:\s*(\d{1,2})\s*$/;

function clock(m: RegExpExecArray | string[], from: number): WallClock | null {
  const w: WallClock = { year: +m[from], month: +m[from + 1], day: +m[from + 2], hour: +m[from + 3], minute: +m[from + 4], second: +m[from + 5] };
  return isValidWallClock(w) ? w : null;
}

const intOrNull = (s: string | undefined): number | null => {
  const t = (s ?? '').trim();
  if (!/^-?\d{1,9}$/.test(t)) return null;
  return Number(t);
};

/** Parses one ATTLOG line; a string is the reason it was refused. */
export function parseAttlogLine(text: string, lineNo: number): AttPunch | string {
  let pin = '';
  let w: WallClock | null = null;
  let rest: string[] = [];
  if (text.includes('\t')) {
    const f = text.split('\t');
    pin = (f[0] ?? '').trim();
    const m = TIME.exec(f[1] ?? '');
    w = m ? clock(m, 1) : null;
    rest = f.slice(2);
  }
  // No TABs, or TABs that do not give a PIN and a time (blanks where TABs belong, a TAB between date and time):
  // by the blanks. What follows the time keeps its empty fields where it is TAB-separated.
  const spaced = pin && w ? null : SPACED.exec(text);
  if (spaced) {
    pin = spaced[1];
    w = clock(spaced, 2);
    const after = spaced[8] ?? '';
    rest = after.trim() === '' ? [] : after.includes('\t') ? after.replace(/^[ ]+/, '').split('\t') : after.trim().split(/\s+/);
  } else if (!text.includes('\t')) return 'not an ATTLOG record (PIN and time expected)';
  if (!pin) return 'empty PIN';
  if (pin.length > 64 || /[\x00-\x1f]/.test(pin)) return 'unusable PIN';
  if (!w) return 'bad or missing time';
  while (rest.length > 0 && rest[rest.length - 1].trim() === '') rest.pop();
  return {
    pin,
    wallClock: w,
    time: formatWallClock(w),
    status: intOrNull(rest[0]),
    verify: intOrNull(rest[1]),
    workCode: (rest[2] ?? '').trim(),
    reserved: rest.slice(3).map((s) => s.trim()),
    lineNo,
  };
}

/** A line ending right after a one-digit second (`17:01:3`), with a blank or a colon before that digit. */
const ENDS_IN_ONE_DIGIT_SECOND = /\d{4}[-/]\d{1,2}[-/]\d{1,2}[\sT]+\d{1,2}\s*:\s*\d{1,2}\s*:\s*\d$/;

/**
 * Whether `text`, the body's last line, is an upload cut one digit into its seconds: the body ends inside it (no line
 * end after it) right after a one-digit second. Read as a time, `17:01:3` of `17:01:35` is a punch at 17:01:03 that
 * never happened, stored beside the real one once the whole upload is sent again; a punch line goes on after its time
 * (state, verify mode) or ends with its line, so such a line is a cut, not a punch.
 */
function cutInSeconds(body: string, text: string): boolean {
  return ENDS_IN_ONE_DIGIT_SECOND.test(text) && endsInsideLine(body, text);
}

/** Every line of an ATTLOG body: the good punches and the refused lines side by side. */
export function parseAttlog(body: string): ParseResult<AttPunch> {
  const results: AttPunch[] = [];
  const rejected: RejectedLine[] = [];
  const lines = splitLines(body);
  for (const [i, { text, lineNo }] of lines.entries()) {
    const r = i === lines.length - 1 && cutInSeconds(body, text) ? 'cut short one digit into its seconds (the body ends inside the line)' : parseAttlogLine(text, lineNo);
    if (typeof r === 'string') rejected.push({ line: text, lineNo, reason: r });
    else results.push(r);
  }
  return { results, rejected };
}

/**
 * The idempotency key of a punch: one person's punch at one second on one terminal is one record, however often
 * the terminal re-sends it (it re-sends until it reads `OK: n`, and `DATA QUERY ATTLOG` re-sends a whole period),
 * and whatever state it comes with: a Push 3.x terminal reports the same verification as rtlog, whose `inoutstatus`
 * is the door's In/Out (Security PUSH: 0 In, 1 Out), and as ATTLOG with its attendance state (0-5). A terminal
 * records no two punches of one person in one second (it suppresses repeated punches itself), unless its clock went
 * back: a line of another state or verify mode then is another punch, stored under an extra key (attlog-batch.ts,
 * extraKey).
 */
export function punchKey(sn: string, p: Pick<AttPunch, 'pin' | 'time'>): string {
  return `${sn}_${p.pin}_${p.time}`;
}

/** `OK: <n>`, the answer to ATTLOG, OPERLOG and IDCARD uploads (11.2, 11.4-11.11, 11.13, 11.6). */
export function formatAttUploadReply(n: number): string {
  return `OK: ${Math.max(0, Math.trunc(n))}`;
}

/**
 * `OK:<n>`, the answer to a `table=BIODATA` upload as 11.12 prints it, in its text ("OK:${XXX}") and its example
 * ("OK:1", Content-Length: 4): no blank after the colon, unlike the other sections' `OK: <n>`.
 */
export function formatBiodataUploadReply(n: number): string {
  return `OK:${Math.max(0, Math.trunc(n))}`;
}
