/**
 * Appendix 1 "Error Code" of the Attendance PUSH Communication Protocol (attendance-push-protocol.txt,
 * lines 5821-5855), typed from the manual. push-tables.json (and so push-tables.generated.ts) holds the
 * Security PUSH appendix only; attendance-mode firmware, and access firmware that shares its code base, answer
 * with these codes too (field notes, Devices 5 and 14: -1002 unsupported command, -1004 on table names the
 * firmware does not hold). Where both appendices define a code, they disagree (-1, -2, -3, -9, -10, -11, -12):
 * `returnMeaning` answers the Security meaning unless asked for the attendance one, which the command queue and
 * the convergence views do for attendance terminals and FaceKiosks (device-kind.ts returnCodeManual).
 */
import type { ReturnValueRow } from './push-tables.generated';

export const attendanceReturnValues: readonly ReturnValueRow[] = [
  { code: -1, meaning: 'The parameter is incorrect' },
  { code: -2, meaning: 'The transmitted user photo data does not match the given size' },
  { code: -3, meaning: 'Reading or writing is incorrect' },
  { code: -9, meaning: 'The transmitted template data does not match the given size' },
  { code: -10, meaning: 'The user specified by PIN does not exist in the equipment' },
  { code: -11, meaning: 'The fingerprint template format is illegal' },
  { code: -12, meaning: 'The fingerprint template is illegal' },
  { code: -1001, meaning: 'Limited capacity' },
  { code: -1002, meaning: 'Not supported by the equipment' },
  { code: -1003, meaning: 'Command execution timeout' },
  { code: -1004, meaning: 'The data and equipment configuration are inconsistent' },
  { code: -1005, meaning: 'The equipment is busy' },
  { code: -1006, meaning: 'The data is too long' },
  { code: -1007, meaning: 'Memory error' },
  { code: -1008, meaning: 'Failed to get server data' },
];
