/**
 * Why a device refused a command, in the four words an operator acts on, from its negative Return (Security PUSH
 * Appendix 1; Attendance PUSH Appendix 1, whose -1..-12 mean other things; digest push-tables.json returnValues):
 *
 *   capacity     the device is full: nothing the gateway sends makes room (-18 insufficient space, -1001 limited
 *                capacity). Someone must free room on it or move persons to another device.
 *   data         this record cannot be taken as it is (bad format, bad template, too long): the same data is
 *                refused again; the data must change (-9 CRC, -10, -11, -26, -30, -106, -620, -621, -631, -1006;
 *                on a terminal -1, -2, -9, -11, -12 too; -1001 to a photo: too large, field sample rc-aiface-photo-1001).
 *   unsupported  the firmware has no such table or command (protocol/refusals.ts: -1002, -1004, -629, -708, -13).
 *   transient    anything else: a busy or momentarily failing device (-1005 busy, -1003 timeout, -3 cache, -604
 *                memory, -12 "command execution error" on a panel…) and codes neither manual lists; retrying is the cure.
 *
 * A device's ~MaxUserCount/~MaxAttLogCount are no evidence of fullness: the manual's own examples give
 * ~MaxUserCount=50 beside ~MaxAttLogCount=10 and TransactionCount=23 (thousands, or hundreds, not records). Only the
 * device's answer says it is full. Pure.
 */
import type { ReturnCodeManual } from './tables';
import { isRefusal } from './refusals';

export type ReturnReason = 'capacity' | 'data' | 'unsupported' | 'transient';

export const RETURN_REASONS: readonly ReturnReason[] = ['capacity', 'data', 'unsupported', 'transient'];

const CAPACITY: ReadonlySet<number> = new Set([-18, -1001]);
/** Data the device cannot take, in either manual. */
const DATA: ReadonlySet<number> = new Set([-9, -10, -11, -19, -20, -26, -30, -106, -620, -621, -631, -1006]);
/** Terminal codes (Attendance PUSH Appendix 1) that say the record itself is wrong. */
const DATA_ATTENDANCE: ReadonlySet<number> = new Set([-1, -2, -9, -11, -12]);
/** "The command does not exist" (Security PUSH -13): the firmware lacks it, as -708 says. */
const UNSUPPORTED_EXTRA: ReadonlySet<number> = new Set([-13]);

const PHOTO_COMMAND = /^\s*DATA\s+UPDATE\s+(?:userpic|biophoto)\b/i;

/** Whether a command text sends a photo (USERPIC, BIOPHOTO): its -1001 says the photo is too large, not the device full. */
export const isPhotoCommand = (command: string): boolean => PHOTO_COMMAND.test(command);

/** The reason of a negative Return (null for a success or none); `photo`: it answered a photo (-1001: too large). */
export function returnReason(code: number | null | undefined, manual: ReturnCodeManual = 'security', photo = false): ReturnReason | null {
  if (typeof code !== 'number' || code >= 0) return null;
  if (isRefusal(code) || (manual === 'security' && UNSUPPORTED_EXTRA.has(code))) return 'unsupported';
  if (code === -1001 && photo) return 'data';
  if (CAPACITY.has(code)) return 'capacity';
  if (manual === 'attendance' ? DATA_ATTENDANCE.has(code) || (code < -12 && DATA.has(code)) : DATA.has(code)) return 'data';
  return 'transient';
}

/** What an operator is to do about each reason (the words after the Return's meaning). */
export const REASON_ADVICE: Readonly<Record<ReturnReason, string>> = {
  capacity: 'the device is full: free room on it (delete users or templates there) or move persons to another device; retried with backoff, and at once when the data changes',
  data: 'the device cannot take this data as it is: correct it (format, template, photo); retried with backoff, and at once when the data changes',
  unsupported: 'the firmware does not have this table or command: probed again with backoff, and at once when another firmware registers',
  transient: 'retried with backoff',
};
