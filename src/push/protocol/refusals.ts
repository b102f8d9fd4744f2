/**
 * Commands a firmware refuses for good: the Return codes that say "this device does not have that table or
 * command", as opposed to "this record was wrong" (-12, -11, -1, ...), which a later attempt may pass.
 *
 *   -1002  Not supported by the equipment                        (Attendance PUSH, Appendix 1; field notes: unsupported command)
 *   -1004  The data and equipment configuration are inconsistent  (Attendance PUSH, Appendix 1; field notes: unsupported table,
 *                                                                  e.g. attendance-mode firmware given an access table)
 *   -629   Incorrect table name                                   (Security PUSH, Appendix 1; access firmware given `USERINFO`)
 *   -708   The firmware does not support this command              (Security PUSH, Appendix 1)
 *
 * A refusal is keyed by what was refused, so that the planner can skip it for that device:
 *
 *   DATA <VERB> <table>   for the DATA commands, the table as sent: `DATA UPDATE biodata`, `DATA DELETE mulcarduser`,
 *                         `DATA QUERY user` (from `tablename=`), `DATA COUNT userauthorize`; a photo table's clear
 *                         (no PIN named: `DATA DELETE biophoto Type=9`, `DATA DELETE userpic *`) is
 *                         `DATA DELETE biophoto *` / `DATA DELETE userpic *`, and a user or rights table's clear
 *                         (`DATA DELETE user *`, `DATA DELETE userauthorize *`) `DATA DELETE user *` /
 *                         `DATA DELETE userauthorize *`, apart from the deletes by PIN;
 *   <WORDS>               otherwise the leading words before the first argument: `CONTROL DEVICE`, `SET OPTIONS`,
 *                         `ENROLL_BIO`, `Test Host`, `ACCOUNT transaction`.
 */

export const REFUSAL_CODES: ReadonlySet<number> = new Set([-1002, -1004, -629, -708]);

export function isRefusal(returnCode: number | null | undefined): boolean {
  return typeof returnCode === 'number' && REFUSAL_CODES.has(returnCode);
}

const PHOTO_TABLES: ReadonlySet<string> = new Set(['biophoto', 'userpic']);
/** Tables a full sync clears whole with `*`, which firmware may refuse while it deletes by PIN. */
const STAR_CLEARED_APART: ReadonlySet<string> = new Set(['user', 'userauthorize', 'usereleauthorize']);

/** The refusal key of an attendance terminal's BIODATA update of one template type other than fingerprints, less the type. */
export const BIODATA_TYPE_REFUSAL = 'DATA UPDATE BIODATA Type=';
/**
 * The refusal key of an access panel's `biodata` update of one template type, less the type: every type is keyed
 * apart there, since a panel has no other table to fall back to (templatev10 is chosen at registration, not after a
 * refusal) and firmware that announces a type in MultiBioDataSupport may still refuse it (-1004).
 */
export const PANEL_BIODATA_TYPE_REFUSAL = 'DATA UPDATE biodata Type=';
/** Template types older attendance firmware takes in tables of their own: fingerprint, near-infrared face, finger vein. */
const LEGACY_TEMPLATE_TYPES: ReadonlySet<string> = new Set(['1', '2', '7']);

/** The refusal key of a command text (without `C:<id>:`); see the module comment. */
export function refusalKey(command: string): string {
  const firstLine = command.split('\n', 1)[0].trim();
  const words = firstLine.split(/[ \t]+/);
  if (words[0] === 'DATA' && words.length >= 2) {
    const verb = words[1];
    if (verb === 'QUERY') {
      const m = /(?:^|[ ,\t])tablename=([^,\t ]+)/i.exec(firstLine);
      return m ? `DATA QUERY ${m[1]}` : 'DATA QUERY';
    }
    if (words.length < 3) return `DATA ${verb}`;
    // A photo table cleared whole (`DATA DELETE biophoto Type=9`, `DATA DELETE userpic *`: the manual's generic
    // condition of 9.1.2, which the photo sections never print) is a command of its own: firmware that refuses it
    // still deletes photos by PIN. Under one key, its refusal held back every per-PIN photo delete, and a per-PIN
    // delete's success took the refusal away and owed the panel a full sync (forgetRefusalsSql), at every departure.
    if (verb === 'DELETE' && PHOTO_TABLES.has(words[2]) && !/(?:^|[ \t])pin=/i.test(firstLine)) return `DATA DELETE ${words[2]} *`;
    // So is the clear of the user and rights tables: a firmware refusing it but deleting by PIN had every person
    // leaving held on the panel until the clear's probe, whose per-PIN delete then lifted the clear's refusal and
    // owed a full sync; and the rows of another site it holds could never be deleted one by one (learnUnknownRows).
    if (verb === 'DELETE' && STAR_CLEARED_APART.has(words[2]) && words.slice(3).join(' ') === '*') return `DATA DELETE ${words[2]} *`;
    // An attendance terminal's unified template of a type no older table carries (a visible-light face, a palm) is a
    // command of its own: firmware that announces a type it then refuses (-1004) still takes fingerprints as BIODATA.
    // Under one key, one refused face took BIODATA away from the terminal: its fingers went as FINGERTMP, which it
    // answers -12, for good. A fingerprint, near-infrared face or finger vein (FINGERTMP, FACE, FVEIN) keeps the
    // table's key: refused, the terminal is firmware without unified templates and gets them in those tables.
    const bioType = verb === 'UPDATE' && (words[2] === 'BIODATA' || words[2] === 'biodata') ? /(?:^|\t)Type=(\d+)(?:\t|$)/.exec(firstLine)?.[1] : undefined;
    if (bioType !== undefined && words[2] === 'BIODATA' && !LEGACY_TEMPLATE_TYPES.has(bioType)) return `${BIODATA_TYPE_REFUSAL}${bioType}`;
    // An access panel's lower-case biodata likewise, of every type (no older table to fall back to): under the table's
    // key, one refused face held back every fingerprint of the panel (the bio kind refused whole) until the probe.
    if (bioType !== undefined && words[2] === 'biodata') return `${PANEL_BIODATA_TYPE_REFUSAL}${bioType}`;
    return `DATA ${verb} ${words[2]}`;
  }
  const lead: string[] = [];
  for (const w of words) {
    if (lead.length >= 3 || w === '' || /[=\d]/.test(w)) break;
    lead.push(w);
  }
  return lead.join(' ') || firstLine.slice(0, 32);
}
