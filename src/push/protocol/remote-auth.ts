/**
 * Remote identification (Security PUSH manual 10): the panel asks the server to decide an access.
 *
 *   POST /iclock/cdata?SN=<sn>&AuthType=device
 *
 *   time=2026-03-02 09:15:00<HT>pin=1001<HT>cardno=0<HT>addrtype=2<HT>eventaddr=1<HT>event=0<HT>inoutstatus=0<HT>verifytype=4
 *
 * answered
 *
 *   AUTH=SUCCESS<CR><LF>
 *   <the record as sent><CR><LF>
 *   CONTROL DEVICE 01010105<CR><LF>          (on success: release the door's lock)
 *   TIPS=<UTF-8 text>                        (optional)
 *
 * `AUTH` is SUCCESS, FAILED or TIMEOUT. `pin` 0 (or empty) means no user ID: the card number identifies.
 * `addrtype` says what `eventaddr` is: 1 device, 2 door, 3 reader, 4 auxiliary input, 5 auxiliary output
 * ("currently, the door is the only option").
 */
import type { ParseResult, RejectedLine } from './errors';
import { ProtocolValueError } from './errors';
import { parseTabRecord, splitLines } from './kv';
import { parseRtlog, type RtlogEvent } from './rtlog';

export type RemoteAuthResult = 'SUCCESS' | 'FAILED' | 'TIMEOUT';

/** addrtype 2: the event address is a door number. */
export const ADDR_TYPE_DOOR = 2;

const LINE_BREAK = /[\r\n\0]/;

export interface RemoteAuthRequest {
  /** The record line as sent (line ending stripped): echoed in the answer. */
  line: string;
  /** `addrtype` as sent; null when absent (read as a door: the only kind the manual says panels send). */
  addrType: number | null;
  /** The record read as an rtlog event line (same fields): time, pin, cardno, eventaddr, event, inoutstatus, verifytype. */
  event: RtlogEvent;
}

/**
 * One identification per request: the first record line is the request; any other line is rejected (never
 * decided: the panel waits for one answer). A line without a usable `time` or `event` is rejected.
 */
export function parseRemoteAuth(body: string): ParseResult<RemoteAuthRequest> {
  const rejected: RejectedLine[] = [];
  const results: RemoteAuthRequest[] = [];
  for (const { text, lineNo } of splitLines(body)) {
    if (results.length > 0) {
      rejected.push({ line: text, lineNo, reason: 'one identification per request: extra line' });
      continue;
    }
    // The line is echoed in the answer: a CR or NUL inside it would break the answer's lines.
    const trimmed = text.replace(/[\r\0]+$/, '').trim();
    if (LINE_BREAK.test(trimmed)) {
      rejected.push({ line: text, lineNo, reason: 'CR or NUL inside the record' });
      continue;
    }
    const parsed = parseRtlog(trimmed);
    const r = parsed.results[0];
    if (!r) {
      rejected.push({ line: text, lineNo, reason: parsed.rejected[0]?.reason ?? 'unreadable' });
      continue;
    }
    if (r.kind !== 'event') {
      rejected.push({ line: text, lineNo, reason: 'a door state, not an identification' });
      continue;
    }
    const { map } = parseTabRecord(trimmed);
    results.push({ line: trimmed, addrType: map.int('addrtype'), event: { ...r, lineNo } });
  }
  return { results, rejected };
}

export interface RemoteAuthReply {
  auth: RemoteAuthResult;
  /** The request's record line, echoed as sent; null when the body held none. */
  record: string | null;
  /** A `CONTROL DEVICE …` command (a typed builder's output), on success only. */
  control?: string | null;
  /** Prompt text for the panel (UTF-8). */
  tips?: string | null;
}

/** The answer's lines joined by CR LF, as the manual prints them; refuses a line break inside any part. */
export function formatRemoteAuthReply(r: RemoteAuthReply): string {
  const lines = [`AUTH=${r.auth}`];
  const add = (field: string, v: string | null | undefined, prefix = '') => {
    if (v === null || v === undefined) return;
    if (LINE_BREAK.test(v)) throw new ProtocolValueError(field, 'must not contain CR, LF or NUL');
    lines.push(prefix + v);
  };
  add('record', r.record);
  if (r.control && r.auth !== 'SUCCESS') throw new ProtocolValueError('CONTROL DEVICE', 'is sent on success only');
  if (r.control && !/^CONTROL DEVICE [0-9A-F]{8,}$/.test(r.control)) throw new ProtocolValueError('CONTROL DEVICE', `is not a CONTROL DEVICE command: "${r.control}"`);
  add('CONTROL DEVICE', r.control);
  add('TIPS', r.tips, 'TIPS=');
  return lines.join('\r\n');
}
