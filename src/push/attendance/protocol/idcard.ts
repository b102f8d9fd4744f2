/**
 * Identity-card records of attendance terminals (attendance manual 11.6, 11.7, 11.16).
 *
 * - 11.7: an ATTLOG line of an ID-card terminal carries two more fields, `<IDNum><HT><Type>`. Type 0 is an attendance
 *   record (a punch like any other); Type 1 is a VERIFICATION record, whose Status is 0 success, 1 failure,
 *   2 blacklist: the terminal checked an identity card against its holder, which is no punch. Counting it as one
 *   would give a person a check-in for a failed or blacklisted card.
 * - 11.6 `IDCARD PIN=…\tSNNum=…\tIDNum=…\tName=…` and 11.16 `ERRORLOG ErrCode=…\tErrMsg=…\tDataOrigin=…\tCmdId=…\tAdditional=…`
 *   are key=value records: kept with their fields, so that they can be read back by key.
 */
import { parseTabRecord } from '../../protocol/kv';
import type { AttPunch } from './attlog';

export interface IdCardVerification {
  pin: string;
  time: string;
  /** 0 success, 1 failure, 2 blacklist (11.7); null when absent or not a number. */
  status: number | null;
  /** 1 face, 2 face + fingerprint, 3 fingerprint + face (11.7). */
  verify: number | null;
  idNum: string;
  lineNo: number;
}

const RESULTS: Record<number, string> = { 0: 'success', 1: 'failure', 2: 'blacklist' };

/** The word for a verification's Status (11.7), or `status <n>`. */
export function idCardResult(status: number | null): string {
  return status === null ? 'unknown' : (RESULTS[status] ?? `status ${status}`);
}

/**
 * The verification record an ATTLOG line is (11.7: Type 1 after the ID number), or null for a punch. The reserved
 * fields after the work code are `Reserved1, Reserved2, IDNum, Type`; only a line with an ID number there and Type
 * exactly 1 is a verification, so a firmware's other extra fields never turn a punch into one.
 */
export function idCardVerificationOf(p: AttPunch): IdCardVerification | null {
  const idNum = idCardNumberOf(p, '1');
  return idNum === null ? null : { pin: p.pin, time: p.time, status: p.status, verify: p.verify, idNum, lineNo: p.lineNo };
}

/**
 * The identity card number an ATTLOG line of this 11.7 Type carries (`IDNum` after the two reserved fields, then
 * `Type`), or null: a line of another Type, or with no ID number there.
 */
export function idCardNumberOf(p: AttPunch, type: '0' | '1'): string | null {
  const [, , idNum, lineType] = p.reserved;
  return lineType === type && idNum && /^[0-9A-Za-z]{4,32}$/.test(idNum) ? idNum : null;
}

/** Appendix 9 (11.16 ErrCode): the codes the manual names. */
const ERROR_CODES: Record<string, string> = {
  '00000000': 'Succeed',
  D01E0001: 'Face detection failed',
  D01E0002: 'Face occlusion',
  D01E0003: 'Lack of clarity',
  D01E0004: 'Face angle is too big',
  D01E0005: 'Live detection failed',
  D01E0006: 'Extraction template failed',
};

/** What an ERRORLOG ErrCode means (appendix 9), or undefined for a code the manual does not name. */
export function errorLogMeaning(code: string): string | undefined {
  return ERROR_CODES[code.trim().toUpperCase()];
}

/**
 * The fields of a key=value record line (IDCARD, ERRORLOG) as stored, or null for a line without any. An ERRORLOG
 * record gains `meaning` (appendix 9) when its code is one the manual names.
 */
export function keyedRecordFields(table: string, line: string): Record<string, string> | null {
  const { map } = parseTabRecord(line, table);
  if (map.size === 0) return null;
  const fields = map.toObject();
  const code = map.text('ErrCode');
  const meaning = table.toUpperCase() === 'ERRORLOG' && code ? errorLogMeaning(code) : undefined;
  return meaning ? { ...fields, meaning } : fields;
}
