/**
 * A command's later failure reported by a terminal (Attendance PUSH 11.16): `ERRORLOG ErrCode=…\tErrMsg=…\t
 * DataOrigin=cmd\tCmdId=<the command's ID>\tAdditional=…`, or by an access panel (Security PUSH 7.12, `tablename=
 * errorlog`: `errorlog errcode=…\terrmsg=…\tdataorigin=cmd\tcmdid=…`; upload-ingest.service.ts). The terminal
 * answered the command Return=0 and then failed at what it carried (a `DATA UPDATE BIOPHOTO` whose face it could not detect, appendix 9 D01E0001): the
 * command is failed after all, with the code and its meaning, and what it confirmed is failing again (sync-confirm.ts,
 * as a failed put: in doubt, planned again after a backoff). Such failures of one content in a row back off further
 * each time (a face that cannot be detected fails again at every retry, though every retry is answered Return=0);
 * another content (a new photo) starts the count again. After SYNC_GIVE_UP_FAILURES such failures of one content in
 * a row the item is given up on (GIVEN_UP): not sent again, its status `failed` with the ERRORLOG, until the data
 * changes (a new photo goes out at once, releaseSuperseded). DataOrigin=dev lines, CmdIds of no command sent to this
 * device, and commands already failed (the same ERRORLOG posted again after a lost reply) change nothing: the lines
 * stay stored only. A record naming a command not answered yet (its ERRORLOG posted before the devicecmd reply with
 * its Return=0) is stored, and fails the command when that Return comes (failDoneByStoredErrorLog).
 */
import type { EntityManager } from 'typeorm';
import { namedQuery } from '../../database/prepared-query.service';
import type { CommandOutcome, CommandOutcomeHub } from '../command-outcome';
import { outcomeCommandSql } from '../command-outcome';
import { QUEUE_LOCK } from '../command-queue.service';
import type { RawUploadRow } from '../raw-upload';
import { errorLogMeaning } from './protocol/idcard';
import { GIVEN_UP } from '../../sync/confirmed-state';

/** The field of an ERRORLOG record by name, whatever its case. */
const field = (fields: Record<string, string>, name: string): string | undefined =>
  Object.entries(fields).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]?.trim();

/** A record's failure as the command and its items keep it: `ERRORLOG D01E0001: Face detection failed`. */
export function errorLogText(code: string, msg: string | undefined): string {
  const meaning = errorLogMeaning(code) ?? 'unknown error code';
  return `ERRORLOG ${code}: ${meaning}${msg ? ` (${msg})` : ''}`.slice(0, 500);
}

/**
 * `00000000` is the code list's "Succeed" (Attendance PUSH appendix 9, Security PUSH Appendix 17: no error generator,
 * module or `E` type in it): an error log saying a command succeeded fails nothing.
 */
const SUCCEEDED = /^0+$/;

/** The commands an ERRORLOG upload names (DataOrigin=cmd), by the ID the device saw, with their failure text. */
export function commandErrors(rows: readonly RawUploadRow[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of rows) {
    if (r.table.toUpperCase() !== 'ERRORLOG') continue;
    const id = field(r.fields, 'CmdId');
    const code = field(r.fields, 'ErrCode');
    if (field(r.fields, 'DataOrigin')?.toLowerCase() !== 'cmd' || !id || !/^\d{1,18}$/.test(id) || !code || SUCCEEDED.test(code)) continue;
    out.set(id.replace(/^0+(?=\d)/, ''), errorLogText(code, field(r.fields, 'ErrMsg')));
  }
  return out;
}

/** Backoff of ERRORLOG failures in a row ($3 base, $4 longest, ms), as sync-items.ts backoffMs counts them. */
const ERROR_BACKOFF = `make_interval(secs => least($4::float8, $3::float8 * power(2::float8, least(greatest(s.error_failures, 1) - 1, 20))) / 1000)`;

/**
 * Fails the done commands of device `sn` these ERRORLOG rows name, in the caller's transaction (the upload's):
 * under the device's queue lock, as results are applied; the outcome listeners learn of the failure as of any.
 * Returns the ids of the commands failed.
 */
export async function failCommandsByErrorLog(
  m: EntityManager,
  sn: string,
  rows: readonly RawUploadRow[],
  hub: CommandOutcomeHub,
  retry: { baseMs: number; maxMs: number; giveUpFailures: number },
): Promise<string[]> {
  const errors = commandErrors(rows);
  if (errors.size === 0) return [];
  await namedQuery(m, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, [QUEUE_LOCK, sn]);
  const attempts = [...errors.keys()];
  // An UPDATE … RETURNING answers [rows, count] through the pg driver.
  const failed: Array<{ attempt_id: string; id: string; command: string; ref: unknown }> = await m.query(
    `WITH named AS (
       SELECT DISTINCT ON (c.id) a.attempt_id::text AS attempt_id, c.id FROM device_command_attempt a JOIN device_command c ON c.id = a.command_id
        WHERE a.device_sn = $1 AND a.attempt_id = ANY($2::bigint[]) AND c.device_sn = $1 AND c.state = 'done'
        ORDER BY c.id, a.attempt_id)
     UPDATE device_command c SET state = 'failed', error = v.err
       FROM named n JOIN unnest($2::bigint[], $3::text[]) AS v(attempt, err) ON v.attempt::text = n.attempt_id
      WHERE c.id = n.id AND c.state = 'done'
      RETURNING n.attempt_id, c.id::text AS id, ${outcomeCommandSql('c.command')} AS command, c.ref`,
    [sn, attempts, attempts.map((a) => errors.get(a)!)],
  ).then((r: unknown) => (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as Array<{ attempt_id: string; id: string; command: string; ref: unknown }>);
  if (failed.length === 0) return [];
  const outcomes: CommandOutcome[] = failed.map((f) => ({ deviceSn: sn, commandId: f.id, command: f.command, ref: f.ref ?? null, state: 'failed', returnCode: null, reason: 'returned' }));
  await hub.emit(m, outcomes);
  // The items those commands put, failed again just now (a later command's word on an item stands: not failed here),
  // keep the ERRORLOG's code and back off by its failures of their content in a row.
  for (const f of failed) {
    const ref = f.ref as { sync?: number; kind?: string; put?: Array<[string, string]> } | null;
    if (ref?.sync !== 1 || !ref.kind || !ref.put?.length) continue;
    await m.query(
      `UPDATE sync_item s SET last_error = $3,
              error_failures = CASE WHEN s.error_hash = x.h THEN s.error_failures + 1 ELSE 1 END, error_hash = x.h
         FROM unnest($4::varchar[], $5::text[]) AS x(k, h)
        WHERE s.device_id = (SELECT id FROM device WHERE sn = $1) AND s.kind = $2 AND s.key = x.k AND s.failed_at = now() AND s.failures > 0`,
      [sn, ref.kind, errors.get(f.attempt_id)!, ref.put.map(([k]) => k), ref.put.map(([, h]) => h)],
    );
    await m.query(
      `UPDATE sync_item s SET failures = greatest(s.failures, s.error_failures),
              next_try_at = CASE WHEN s.error_failures >= $6 THEN ${GIVEN_UP} ELSE greatest(s.next_try_at, now() + ${ERROR_BACKOFF}) END
        WHERE s.device_id = (SELECT id FROM device WHERE sn = $1) AND s.kind = $2 AND s.key = ANY($5::varchar[]) AND s.failed_at = now() AND s.failures > 0 AND s.last_error IS NOT NULL`,
      [sn, ref.kind, retry.baseMs, retry.maxMs, ref.put.map(([k]) => k), retry.giveUpFailures],
    );
  }
  return failed.map((f) => f.id);
}

/** How long a stored ERRORLOG waits for the Return of the command it names (a reply comes within seconds). */
const EARLY_ERRORLOG_WINDOW = `interval '1 day'`;

/**
 * The commands just reported done (`outcomes`) that an ERRORLOG stored before their Return names (the terminal posted
 * its error log before its devicecmd reply: manual 11.16 does not order them): failed now as failCommandsByErrorLog
 * fails them, in the transaction recording the Return. Runs after the other outcome listeners (registerLast), so the
 * put's confirmation is written first and the failure overrides it. Returns the ids of the commands failed.
 */
export async function failDoneByStoredErrorLog(
  m: EntityManager,
  outcomes: readonly CommandOutcome[],
  hub: CommandOutcomeHub,
  retry: { baseMs: number; maxMs: number; giveUpFailures: number },
): Promise<string[]> {
  const done = new Map<string, string[]>();
  for (const o of outcomes) if (o.state === 'done' && o.reason === 'returned') done.set(o.deviceSn, [...(done.get(o.deviceSn) ?? []), o.commandId]);
  const failed: string[] = [];
  for (const [sn, ids] of done) {
    // The device's recent ERRORLOG records (usually none: one index probe), narrowed to those naming an attempt of these
    // commands and posted once that attempt had gone out: an older record naming a CmdID not handed out yet (a terminal
    // that served another server, its own numbering) is about some other command, and failed the one that later got
    // that number from the global sequence, though the terminal answered it Return=0 and held what it put.
    const rows: Array<{ record: Record<string, string> }> = await m.query(
      `SELECT u.record FROM device_upload u
        WHERE u.device_sn = $1 AND upper(u.table_name) = 'ERRORLOG' AND u.received_at > now() - ${EARLY_ERRORLOG_WINDOW}
          AND EXISTS (SELECT 1 FROM jsonb_each_text(u.record) e JOIN device_command_attempt a ON a.attempt_id::text = ltrim(btrim(e.value), '0')
                       WHERE lower(e.key) = 'cmdid' AND a.device_sn = $1 AND a.command_id = ANY($2::bigint[]) AND u.received_at >= a.sent_at)`,
      [sn, ids],
    );
    if (rows.length === 0) continue;
    failed.push(...(await failCommandsByErrorLog(m, sn, rows.map((r) => ({ table: 'ERRORLOG', fields: r.record })), hub, retry)));
  }
  return failed;
}
