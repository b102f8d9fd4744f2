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
 *                         `DATA QUERY user` (from `tablename=`), `DATA COUNT userauthorize`;
 *   <WORDS>               otherwise the leading words before the first argument: `CONTROL DEVICE`, `SET OPTIONS`,
 *                         `ENROLL_BIO`, `Test Host`, `ACCOUNT transaction`.
 */

export const REFUSAL_CODES: ReadonlySet<number> = new Set([-1002, -1004, -629, -708]);

export function isRefusal(returnCode: number | null | undefined): boolean {
  return typeof returnCode === 'number' && REFUSAL_CODES.has(returnCode);
}

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
    return words.length >= 3 ? `DATA ${verb} ${words[2]}` : `DATA ${verb}`;
  }
  const lead: string[] = [];
  for (const w of words) {
    if (lead.length >= 3 || w === '' || /[=\d]/.test(w)) break;
    lead.push(w);
  }
  return lead.join(' ') || firstLine.slice(0, 32);
}
