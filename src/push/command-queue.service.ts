import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CommandOutcomeHub, type CommandOutcome } from './command-outcome';
import type { DeviceCommandState } from './device-command.entity';
import { applyResult, formatCommandLine, returnMeaning, type DeviceCmdResult, type QueueCommand } from './protocol';
import { PUSH_SETTINGS, type PushSettings } from './push-settings';
import { WorkSignalService } from './work-signal.service';

/** One command handed to the device in this getrequest reply. */
export interface ClaimedCommand {
  id: string;
  /** The CmdID of this delivery attempt (`C:<attemptId>:`). */
  attemptId: string;
  command: string;
}

export interface ResultSummary {
  done: number;
  failed: number;
  waiting: number;
  ignored: number;
}

export interface QueuedCommandView {
  id: string;
  command: string;
  commandBytes: number;
  state: DeviceCommandState;
  attempts: number;
  cmdId: string | null;
  sentAt: Date | null;
  doneAt: Date | null;
  returnCode: number | null;
  returnMeaning: string | null;
  error: string | null;
  createdAt: Date;
}

const MAX_BIGINT = 9223372036854775807n;

/**
 * The durable command queue (table device_command), the device side of the outbox:
 *
 *   pending --getrequest (new CmdID)--> sent --Return >= 0--> done (Return kept: a count for QUERY/COUNT)
 *                                            --Return < 0---> failed (Return and its Appendix-1 meaning)
 *      ^-------- no result within ackTimeoutMs, attempts < maxAttempts --'
 *                no result after the last attempt -------------------------> failed ("no result")
 *
 * The rules are the codec's pure state machine (command-rules.ts); this class mirrors them in SQL.
 */
@Injectable()
export class CommandQueueService {
  private readonly logger = new Logger('CommandQueue');

  constructor(
    private readonly ds: DataSource,
    private readonly signal: WorkSignalService,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly outcomes: CommandOutcomeHub,
  ) {}

  /**
   * Queues full command texts (no `C:<id>:` prefix, built by the codec's builders) for one device, through
   * the caller's `manager`: the rows commit or roll back with the caller's transaction, and the device's
   * "work waiting" signal fires only after the commit. A text that would corrupt the wire (CR, NUL, an
   * embedded `C:` line) throws ProtocolValueError before anything is written.
   */
  async enqueue(manager: EntityManager, deviceSn: string, commands: string[]): Promise<void> {
    await this.enqueueMany(manager, [{ deviceSn, commands }]);
  }

  /**
   * Like enqueue for several devices, in one INSERT; order is kept per device. A command may be given as
   * `{ command, ref }`: `ref` (any JSON) is stored with it and handed back in its outcome (CommandOutcomeHub).
   */
  async enqueueMany(manager: EntityManager, items: ReadonlyArray<{ deviceSn: string; commands: ReadonlyArray<string | { command: string; ref?: unknown }> }>): Promise<void> {
    const sns: string[] = [];
    const texts: string[] = [];
    const refs: Array<string | null> = [];
    for (const { deviceSn, commands } of items) {
      for (const c of commands) {
        const text = typeof c === 'string' ? c : c.command;
        formatCommandLine({ cmdId: 1, command: text });
        sns.push(deviceSn);
        texts.push(text);
        refs.push(typeof c === 'string' || c.ref === undefined ? null : JSON.stringify(c.ref));
      }
    }
    if (texts.length === 0) return;
    await manager.query(
      `INSERT INTO device_command (device_sn, command, ref)
       SELECT sn, cmd, ref FROM unnest($1::varchar[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS t(sn, cmd, ref, ord) ORDER BY ord`,
      [sns, texts, refs],
    );
    await this.signal.afterCommit(manager, sns);
  }

  /**
   * Claims the next commands of a device for one getrequest reply, in queue order: pending ones and sent ones
   * whose result timed out (re-offered under a new CmdID); sent ones out of attempts become failed. Bounded by
   * count and bytes; `FOR UPDATE SKIP LOCKED` makes exactly one process deliver each attempt.
   */
  async claim(sn: string): Promise<ClaimedCommand[]> {
    const s = this.settings;
    const timeoutSecs = s.ackTimeoutMs / 1000;
    const rows: Array<{ id: string; attempt_id: string; command: string }> = await this.ds.transaction(async (m) => {
     const expired: Array<{ id: string; command: string; ref: unknown }> = await m.query(
      `UPDATE device_command SET state = 'failed', done_at = now(), error = 'no result after ' || attempts || ' deliveries'
       WHERE device_sn = $1 AND state = 'sent' AND sent_at <= now() - make_interval(secs => $2) AND attempts >= $3
       RETURNING id::text AS id, command, ref`,
      [sn, timeoutSecs, s.maxAttempts],
     ).then((r: unknown) => (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as Array<{ id: string; command: string; ref: unknown }>);
     await this.outcomes.emit(m, expired.map((e) => ({ deviceSn: sn, commandId: e.id, command: e.command, ref: e.ref, state: 'failed', returnCode: null, reason: 'expired' })));
     return m.query(
      `WITH cand AS (
         SELECT id, octet_length(command) AS len FROM device_command
         WHERE device_sn = $1
           AND (state = 'pending' OR (state = 'sent' AND sent_at <= now() - make_interval(secs => $2) AND attempts < $3))
         ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED
       ), pick AS (
         SELECT id FROM (SELECT id, sum(len + 24) OVER (ORDER BY id) AS run, row_number() OVER (ORDER BY id) AS rn FROM cand) s
         WHERE run <= $5 OR rn = 1
       ), claimed AS (
         UPDATE device_command c
         SET state = 'sent', attempts = c.attempts + 1, attempt_id = nextval('device_command_attempt_seq'), sent_at = now()
         FROM pick WHERE c.id = pick.id
         RETURNING c.id, c.attempt_id, c.command, c.sent_at
       ), logged AS (
         INSERT INTO device_command_attempt (attempt_id, command_id, device_sn, sent_at)
         SELECT attempt_id, id, $1, sent_at FROM claimed
       )
       SELECT id::text AS id, attempt_id::text AS attempt_id, command FROM claimed ORDER BY claimed.id`,
      [sn, timeoutSecs, s.maxAttempts, s.maxCommandsPerReply, s.replyByteBudget],
     );
    });
    if (rows.length > 0) {
      this.signal.wakeAt(sn, Date.now() + s.ackTimeoutMs + 100);
      return rows.map((r) => ({ id: r.id, attemptId: r.attempt_id, command: r.command }));
    }
    // Nothing to hand out: wake up again when the oldest outstanding delivery times out.
    const [{ oldest }]: Array<{ oldest: Date | null }> = await this.ds.query(
      `SELECT min(sent_at) AS oldest FROM device_command WHERE device_sn = $1 AND state = 'sent'`,
      [sn],
    );
    if (oldest) this.signal.wakeAt(sn, new Date(oldest).getTime() + s.ackTimeoutMs + 100);
    return [];
  }

  /**
   * Applies devicecmd results by CmdID. A result for the current or a superseded attempt completes its
   * command (a success always; a failure only from the current attempt, per the codec's rules); unknown ids,
   * other devices' ids and results for finished commands are logged and ignored.
   */
  async applyResults(sn: string, results: readonly DeviceCmdResult[]): Promise<ResultSummary> {
    const summary: ResultSummary = { done: 0, failed: 0, waiting: 0, ignored: 0 };
    const ids = [...new Set(results.map((r) => r.id.trim()).filter((id) => /^\d{1,19}$/.test(id) && BigInt(id) <= MAX_BIGINT))];
    const rows: Array<{ attempt_id: string; id: string; state: DeviceCommandState; current: string | null }> = ids.length
      ? await this.ds.query(
          `SELECT a.attempt_id::text AS attempt_id, c.id::text AS id, c.state, c.attempt_id::text AS current
           FROM device_command_attempt a JOIN device_command c ON c.id = a.command_id
           WHERE a.attempt_id = ANY($2::bigint[]) AND a.device_sn = $1`,
          [sn, ids],
        )
      : [];
    const byAttempt = new Map(rows.map((r) => [r.attempt_id, r]));
    const commands = new Map<string, { cmd: QueueCommand; current: string | null; changed: boolean; effect: string }>();
    const now = Date.now();
    for (const r of results) {
      const row = byAttempt.get(r.id.trim());
      if (!row) {
        summary.ignored++;
        this.logger.warn(`device ${sn}: result for unknown command id ${JSON.stringify(r.id).slice(0, 40)} (Return=${r.returnCode}) ignored`);
        continue;
      }
      let entry = commands.get(row.id);
      if (!entry) {
        entry = {
          cmd: { state: row.state, attempts: [], returnCode: null, failure: null, finishedAt: null },
          current: row.current,
          changed: false,
          effect: 'ignored',
        };
        commands.set(row.id, entry);
      }
      const attempts = row.attempt_id === entry.current ? [{ attemptId: row.attempt_id, sentAt: 0 }] : [{ attemptId: row.attempt_id, sentAt: 0 }, { attemptId: entry.current ?? '', sentAt: 0 }];
      const step = applyResult({ ...entry.cmd, attempts }, row.attempt_id, r.returnCode, now);
      if (step.effect === 'ignored') {
        summary.ignored++;
        this.logger.debug?.(`device ${sn}: result ID=${r.id} Return=${r.returnCode} ignored (command ${row.id} is ${entry.cmd.state})`);
        continue;
      }
      entry.cmd = { ...step.command, attempts: [] };
      entry.changed = true;
      entry.effect = step.effect;
      if (step.effect === 'done') summary.done++;
      else if (step.effect === 'failed') {
        summary.failed++;
        this.logger.warn(`device ${sn}: command ${row.id} (CmdID ${r.id}) failed: Return=${r.returnCode} ${returnMeaning(r.returnCode) ?? '(unknown code)'}`);
      } else if (step.effect === 'waiting') summary.waiting++;
    }
    const changed = [...commands.entries()].filter(([, e]) => e.changed);
    if (changed.length > 0) {
      await this.ds.transaction(async (m) => {
      const finished: Array<{ id: string; command: string; ref: unknown; state: 'done' | 'failed'; return_code: number | null }> = await m.query(
        `UPDATE device_command c SET state = v.state, return_code = v.rc, error = v.err,
           done_at = CASE WHEN v.state IN ('done', 'failed') THEN now() ELSE c.done_at END,
           sent_at = CASE WHEN v.state = 'sent' THEN now() ELSE c.sent_at END
         FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[]) AS v(id, state, rc, err)
         WHERE c.id = v.id AND c.state IN ('pending', 'sent')
         RETURNING c.id::text AS id, c.command, c.ref, c.state, c.return_code`,
        [
          changed.map(([id]) => id),
          changed.map(([, e]) => e.cmd.state),
          changed.map(([, e]) => e.cmd.returnCode),
          changed.map(([, e]) => (e.cmd.state === 'failed' ? `Return ${e.cmd.returnCode}: ${returnMeaning(e.cmd.returnCode ?? 0) ?? 'unknown error code'}` : null)),
        ],
      ).then((r: unknown) => (Array.isArray(r) && Array.isArray(r[0]) ? r[0] : r) as typeof finished);
      const final: CommandOutcome[] = finished
        .filter((f) => f.state === 'done' || f.state === 'failed')
        .map((f) => ({ deviceSn: sn, commandId: f.id, command: f.command, ref: f.ref, state: f.state, returnCode: f.return_code, reason: 'returned' }));
      await this.outcomes.emit(m, final);
      });
      if (changed.some(([, e]) => e.effect === 'waiting')) this.signal.wakeAt(sn, Date.now() + this.settings.ackTimeoutMs + 100);
    }
    return summary;
  }

  /** The queue of one device for operators, newest first. */
  async list(sn: string, state: DeviceCommandState | undefined, offset: number, limit: number): Promise<{ rows: QueuedCommandView[]; total: number }> {
    const where = state ? `device_sn = $1 AND state = $2` : `device_sn = $1`;
    const params: unknown[] = state ? [sn, state] : [sn];
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM device_command WHERE ${where}`, params);
    const rows: Array<{
      id: string;
      command: string;
      bytes: number;
      state: DeviceCommandState;
      attempts: number;
      attempt_id: string | null;
      sent_at: Date | null;
      done_at: Date | null;
      return_code: number | null;
      error: string | null;
      created_at: Date;
    }> = await this.ds.query(
      `SELECT id::text AS id, left(command, 200) AS command, octet_length(command) AS bytes, state, attempts,
              attempt_id::text AS attempt_id, sent_at, done_at, return_code, error, created_at
       FROM device_command WHERE ${where} ORDER BY device_command.id DESC OFFSET ${Number(offset)} LIMIT ${Number(limit)}`,
      params,
    );
    return {
      total,
      rows: rows.map((r) => ({
        id: r.id,
        // Templates and photos make long commands: show their head only.
        command: r.bytes > 200 ? `${r.command}…` : r.command,
        commandBytes: r.bytes,
        state: r.state,
        attempts: r.attempts,
        cmdId: r.attempt_id,
        sentAt: r.sent_at,
        doneAt: r.done_at,
        returnCode: r.return_code,
        returnMeaning: r.return_code === null ? null : returnMeaning(r.return_code),
        error: r.error,
        createdAt: r.created_at,
      })),
    };
  }
}
