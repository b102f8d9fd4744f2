/**
 * The reply to `GET /iclock/getrequest?SN=..` (manual 8.1):
 *
 *   C:<CmdID>:<CmdDesc><SP><CmdDetail><LF>C:<CmdID>:...        commands joined by LF
 *   OK                                                        when nothing is queued
 *
 * With CmdFormat=1 (Appendix 14) each command is wrapped:
 *   DataType=1,SN=<sn>,Priority=<n>,CmdID=<id>,CmdDesc=C:<id>:<command>
 */
import { ProtocolValueError } from './errors';

export interface QueuedCommand {
  /** The id of this delivery attempt; the device echoes it as `ID=` in devicecmd. */
  cmdId: string | number;
  /** Command text from a builder in ./commands (everything after `C:<id>:`). */
  command: string;
}

export interface WrapOptions {
  sn: string;
  priority?: number;
}

/** Body for an empty queue: undefined by the manual, accepted by every device seen. */
export const EMPTY_QUEUE_REPLY = 'OK';

function checkId(id: string | number): string {
  const s = String(id);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(s)) throw new ProtocolValueError('CmdID', `must be 1-64 letters, digits, _ or -, got "${s}"`);
  return s;
}

export function formatCommandLine(cmd: QueuedCommand, wrap?: WrapOptions): string {
  const id = checkId(cmd.cmdId);
  if (/[\0\r]/.test(cmd.command) || /(^|\n)\s*(C:|DataType=)/.test(cmd.command)) {
    throw new ProtocolValueError('command', 'contains CR, NUL or an embedded C: line');
  }
  if (cmd.command.trim() === '') throw new ProtocolValueError('command', 'is empty');
  const line = `C:${id}:${cmd.command}`;
  if (!wrap) return line;
  if (/[,\s]/.test(wrap.sn)) throw new ProtocolValueError('SN', 'must not contain commas or spaces');
  return `DataType=1,SN=${wrap.sn},Priority=${wrap.priority ?? 0},CmdID=${id},CmdDesc=${line}`;
}

export function formatGetrequestReply(cmds: readonly QueuedCommand[], wrap?: WrapOptions): string {
  if (cmds.length === 0) return EMPTY_QUEUE_REPLY;
  return cmds.map((c) => formatCommandLine(c, wrap)).join('\n');
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export interface PackResult {
  /** Commands to send now, in queue order. */
  batch: QueuedCommand[];
  /** Commands left for the next poll, in queue order. */
  rest: QueuedCommand[];
  /** Bytes of the formatted reply body. */
  bytes: number;
  /** True when the first command alone exceeds the budget and was sent anyway. */
  oversize: boolean;
}

/**
 * Takes commands in order while the reply stays within `budgetBytes` (UTF-8) and `maxCount`.
 * Never skips ahead to a smaller command: order is part of correctness (a user before its
 * rights, a delete before a re-add). A first command larger than the budget is sent alone,
 * because holding it back would stall the queue forever; the device answers -106 if it is
 * really too big, and the queue fails it.
 */
export function packCommands(cmds: readonly QueuedCommand[], budgetBytes: number, opts: { maxCount?: number; wrap?: WrapOptions } = {}): PackResult {
  const maxCount = opts.maxCount ?? Infinity;
  const batch: QueuedCommand[] = [];
  let bytes = 0;
  for (const c of cmds) {
    if (batch.length >= maxCount) break;
    const len = utf8Length(formatCommandLine(c, opts.wrap)) + (batch.length > 0 ? 1 : 0);
    if (bytes + len > budgetBytes && batch.length > 0) break;
    batch.push(c);
    bytes += len;
    if (bytes > budgetBytes) break;
  }
  return { batch, rest: cmds.slice(batch.length), bytes, oversize: batch.length === 1 && bytes > budgetBytes };
}
