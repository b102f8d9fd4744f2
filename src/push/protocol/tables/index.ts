/**
 * Lookups over the generated manual tables. Unknown codes answer null (never throw): devices
 * send codes newer than the manual, and the API reports unknown names as null.
 */
import {
  accSupportFunList,
  biometricTypes,
  controlDeviceCodes,
  eventCodes,
  returnValues,
  rtstateAlarmBits,
  verifyModes,
  type ControlDeviceCodeRow,
  type EventCodeRow,
} from './push-tables.generated';
import { attendanceReturnValues } from './attendance-return-values';

export * from './push-tables.generated';
export { attendanceReturnValues } from './attendance-return-values';

const byCode = <T extends { code: number }>(rows: readonly T[]) => new Map(rows.map((r) => [r.code, r]));
const eventIndex = byCode(eventCodes);
const returnIndex = new Map(returnValues.map((r) => [r.code, r.meaning]));
const attendanceReturnIndex = new Map(attendanceReturnValues.map((r) => [r.code, r.meaning]));
/**
 * Appendix 3's 200 ("Other": an event that is no verification, such as a door or linkage event) reads
 * `others` in the REST manual's transaction examples, which is what integrators match on.
 */
export const VERIFY_MODE_OTHERS = 'others';
const verifyIndex = new Map(verifyModes.map((r) => [r.code, r.code === 200 ? VERIFY_MODE_OTHERS : r.meaning]));
const controlIndex = new Map(controlDeviceCodes.map((r) => [r.AA, r]));
const funIndex = new Map(accSupportFunList.map((r) => [r.position, r.meaning]));
const bioIndex = new Map(biometricTypes.map((r) => [r.type, r.name]));

export function eventInfo(code: number): EventCodeRow | null {
  return eventIndex.get(code) ?? null;
}

/** Which manual's Appendix 1 to read first where both define a code (they disagree on -1..-12). */
export type ReturnCodeManual = 'security' | 'attendance';

/** A panel's Get transactions (`DATA QUERY tablename=transaction`, Security PUSH 9.1.4). */
const TRANSACTION_QUERY = /^DATA QUERY tablename=transaction,/;
/**
 * -1 to a panel's Get transactions. Security PUSH reads it as a failure (Appendix 1, "Failed to send the command"),
 * and a panel with no records of what was asked answers Return 0, the number of records (9.1.4): the field samples'
 * -1 for an empty answer is an attendance terminal's to `DATA QUERY ATTLOG` (isBenignReturn), not a panel's. So it
 * stays a failure, said with what it does and does not mean.
 */
const TRANSACTION_QUERY_FAILED =
  'Failed to send the command (Appendix 1): the panel sent no records. Not "no records": a panel holding none of what was asked answers Return 0. Ask again, or for a period';

/**
 * Appendix 1 meaning of a devicecmd `Return`; `>= 0` is success (or a record count). Both manuals are
 * consulted: by default the Security PUSH appendix first (access panels), then the Attendance PUSH one
 * (-1001..-1008); `manual: 'attendance'` reverses the order, and is what a terminal or kiosk's codes are read
 * with (device-kind.ts returnCodeManual). Null only for a code neither manual lists.
 */
export function returnMeaning(code: number, manual: ReturnCodeManual = 'security', command?: string): string | null {
  if (manual === 'attendance' && command !== undefined) {
    const refused = enrolmentFailure(command, code);
    if (refused !== null) return refused;
  }
  if (code >= 0) return 'Successful';
  if (code === -1 && command !== undefined && TRANSACTION_QUERY.test(command)) return TRANSACTION_QUERY_FAILED;
  const [first, second] = manual === 'attendance' ? [attendanceReturnIndex, returnIndex] : [returnIndex, attendanceReturnIndex];
  return first.get(code) ?? second.get(code) ?? null;
}

/**
 * The positive Returns of a remote enrolment at an attendance terminal that are failures: Appendix 1's "Enroll_FP/
 * Enroll_BIO Error" codes, and for ENROLL_MF (12.6.2) its own list (4 retries used up, 5 timed out, 6 Esc pressed).
 */
const ENROLL_FP_BIO_ERRORS: ReadonlyMap<number, string> = new Map([
  [2, 'Enrolment: the user already has this template'],
  [4, 'Enrolment failed (poor quality, or the samples did not match)'],
  [5, 'Enrolment: the template is already enrolled in the terminal'],
  [6, 'Enrolment cancelled at the terminal'],
  [7, 'Enrolment not possible: the terminal is busy'],
]);
const ENROLL_MF_ERRORS: ReadonlyMap<number, string> = new Map([
  [4, 'Card enrolment failed: retries used up'],
  [5, 'Card enrolment timed out'],
  [6, 'Card enrolment cancelled at the terminal (Esc)'],
]);

/** The meaning of `code` when it is a failure of the remote enrolment `command` (ENROLL_FP/BIO/MF, manual 12.6), else null. */
export function enrolmentFailure(command: string, code: number): string | null {
  if (code <= 0) return null;
  const verb = /^\s*ENROLL_(FP|BIO|MF)(?=\s|$)/i.exec(command)?.[1]?.toUpperCase();
  if (!verb) return null;
  return (verb === 'MF' ? ENROLL_MF_ERRORS : ENROLL_FP_BIO_ERRORS).get(code) ?? null;
}

export function verifyModeName(code: number): string | null {
  return verifyIndex.get(code) ?? null;
}

export function controlDeviceInfo(aa: number | string): ControlDeviceCodeRow | null {
  const key = typeof aa === 'number' ? aa.toString(16).toUpperCase().padStart(2, '0') : aa.toUpperCase();
  return controlIndex.get(key) ?? null;
}

export function accSupportFunMeaning(position: number): string | null {
  return funIndex.get(position) ?? null;
}

export function biometricTypeName(type: number): string | null {
  return bioIndex.get(type) ?? null;
}

/** Names of the alarm bits set in one door's rtstate alarm byte (manual 7.3, LSB = first bit). */
export function alarmBitNames(byte: number): string[] {
  return rtstateAlarmBits.filter((b) => (byte & b.mask) !== 0).map((b) => b.meaning);
}
