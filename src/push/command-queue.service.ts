/**
 * The durable command queue (table device_command), the device side of the outbox. One command, many
 * deliveries, each under its own CmdID (`C:<attempt_id>:`, logged in device_command_attempt):
 *
 *   pending --reply--> sent --Return >= 0--> done    (Return kept: a count for QUERY / COUNT)
 *                       |   --Return < 0---> failed  (Return and its Appendix-1 meaning)
 *                       |   --timeout, attempts left, not overtaken--> sent again under a new CmdID
 *                       '   --timeout after the last delivery, or overtaken--> failed (no Return)
 *
 * A Return is read with the Appendix 1 of the manual the device speaks (device-kind.ts returnCodeManual: the
 * Attendance PUSH one for terminals and kiosks), for its meaning and for the few negative codes that report the
 * goal already reached (isBenignReturn: done, Return kept), such as -10 on a terminal's delete by PIN.
 *
 * Order, per device (the rules are the pure functions planClaim / planResults of protocol/command-rules.ts,
 * which this class runs on the rows it loads under the device's lock, with the database clock):
 *
 * (a) A reply is a unit. It carries a prefix of the device's unfinished commands in queue (id) order, bounded
 *     by count and bytes. While any command of it is outstanding (sent, unanswered, not settled), the device
 *     is offered nothing else: the next reply waits until every command of this one is answered or settled.
 *     A delivery is settled by its timeout, or sooner by a lost reply: firmware runs a reply and posts its
 *     results before it polls again, so a poll at least lostReplyMs (DEVICE_LOST_REPLY_MS, shorter than
 *     RequestDelay) after a delivery that still lacks results means the reply or its results were lost, and
 *     that poll settles it as (b) says. A poll sooner than that is an overlapping one and gets nothing. This is
 *     what bounds a revoke queued behind a lost reply to the device's next poll instead of the timeout.
 * (b) A re-offer keeps the order. When an outstanding command is settled it is offered again under a new CmdID,
 *     together with everything after it that is unfinished, in the original order; nothing newer goes first.
 *     Running a prefix of the queue again is harmless (idempotent upserts and deletes, nothing newer ran). A
 *     command on its last delivery is settled by its timeout only; one answered -5000 waits for its final result.
 *     Firmware that runs only the first command(s) of a reply (one per poll on some AiFace units) answers a
 *     prefix of it: the unanswered rest did not run, and its re-offer does not use up an attempt (followsAnswered),
 *     so such a device works through its queue one reply at a time instead of stalling at the attempt limit.
 *     A timed-out command is never re-offered after later commands have been answered since its delivery
 *     ("overtaken"): the device runs a reply in order, so it did run, only its result was lost, and running it
 *     again would undo what came after it (a re-run grant after a revoke). It fails with reason 'expired'.
 * (c) Late results. A success from any delivery, current or superseded, completes the command (the device ran
 *     it; every command is an idempotent upsert or delete). A failure counts only from the current delivery: a
 *     failure of a superseded delivery is ignored while a newer one is out (the newer one decides). `-5000`
 *     (accepted for a sub-controller) restarts the current delivery's timeout. Results for finished commands
 *     (re-posted bodies, late duplicates, a success after an expiry) change nothing: a command finishes once.
 * (d) Overlapping polls. A claim takes the device's advisory lock with pg_try_advisory_xact_lock, so of two
 *     polls at once (one process or several on one database) one gets the commands and the other answers `OK`
 *     at once (and looks again on its next poll); once the first has committed, (a) holds the second back.
 *     Results take the same lock (waiting for it), so a result and an expiry, or two copies of one result,
 *     never both finish a command.
 * (e) A failure does not stop the queue. A command that fails (Return < 0, or expired) is final; later commands
 *     go on (each is applied by the device on its own). The failure is reported through CommandOutcomeHub in
 *     the transaction that records it, so the planner replans in the same commit; what it queues goes to the
 *     tail, after everything already queued. Refusals for good (-1002, -1004, -629, -708) are also recorded as
 *     device capabilities (device-refusals.ts) in that transaction.
 *
 * (f) Delivery order is commit order. Command ids come from a sequence at insert, but two transactions can
 *     commit in the opposite order of their ids: a poll between the two commits would hand out the later id,
 *     and the earlier one would follow it (a grant delivered after the revoke that was written after it). So a
 *     transaction queueing for a device first takes the device's order lock (ORDER_LOCK, transaction-scoped,
 *     in lock-key order over its devices, so two writers never wait on each other in a cycle) and holds it
 *     until it commits: a later writer for that device inserts (takes its ids) only after the earlier one has
 *     committed. Claims never take it (a poll is not held up by writers). Pending commands therefore always
 *     form the tail of the device's queue, which is what lets a writer add records to its last pending
 *     command (the planner's pending-append.ts) instead of queueing one more.
 *
 * (g) Actions expire. A command queued with a validity (QueueItem.validForMs: remote door control) that has not
 *     been handed out before it ends, or whose delivery timed out after it, fails ('expired', with the reason
 *     "not delivered in time") instead of running late: a door must not open when its panel reconnects hours
 *     after the request. State commands (the planner's) have no validity: they must always arrive.
 *
 * (h) Actions run at most once across a restart. A remote action delivered before the device registered again (a
 *     reboot, a factory reset) and settled without a result fails ('expired') instead of being offered again: the
 *     device may have run it and lost the result with the restart (a door opened twice). State commands are
 *     offered again as (b) says.
 *
 * Every final transition (done, failed by Return, failed by expiry) is reported to CommandOutcomeHub once; a
 * listener that throws rolls the transaction back, and devicecmd then answers an error so the device posts its
 * results again. Idle polls cost nothing: GetrequestRoute asks the queue only when WorkSignalService says there
 * may be work (commands committed, results recorded, a delivery's timeout due).
 */

import { Inject, Injectable, Logger } from '@nestjs/common';
import { formatCvDateTime } from '../common/time';
import { DataSource, type EntityManager } from 'typeorm';
import { CommandOutcomeHub, outcomeCommandSql, type CommandOutcome } from './command-outcome';
import { intoOf } from '../database/columns';
import { lockKeys } from '../database/advisory-locks';
import { namedQuery } from '../database/prepared-query.service';
import { DeviceCommand, DeviceCommandAttempt, type DeviceCommandState } from './device-command.entity';
import { recordRefusals } from './device-refusals';
import { readSnapshot } from '../database/snapshot';
import { CLOCK_HEAD, clockAtHandOut } from './clock-command';
import { commandRecordsSql, refKeysSql, refMetaSql } from './command-ref-summary';
import { effectiveKindSql, returnCodeManual } from '../device/device-kind';
import {
  formatCommandLine,
  MAX_OVERTAKING_REPLIES,
  planClaim,
  planResults,
  returnMeaning,
  SUBCONTROLLER_QUEUED,
  type AnsweredCommand,
  type ClaimPlan,
  type ClaimRules,
  type CommandState,
  type DeviceCmdResult,
  type HeadCommand,
  type MatchedResult,
} from './protocol';
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

/** A queued command with its times as REST renders times (`yyyy-MM-dd HH:mm:ss` in `zone`): the REST queue and the console's. */
export function commandViewIn(r: QueuedCommandView, zone: string): Omit<QueuedCommandView, 'sentAt' | 'doneAt' | 'createdAt'> & { sentAt: string | null; doneAt: string | null; createdAt: string } {
  return { ...r, sentAt: formatCvDateTime(r.sentAt, zone), doneAt: formatCvDateTime(r.doneAt, zone), createdAt: formatCvDateTime(r.createdAt, zone)! };
}

/** A command's state as awaitFinal last read it. */
export interface CommandStanding {
  state: DeviceCommandState;
  /** The device's Return; null before it answered or when the command failed without one (expired). */
  returnCode: number | null;
  /** Why it failed ("Return -11: ...", "not delivered in time"); null otherwise. */
  error: string | null;
}

/** How often awaitFinal reads a command's row: a Return comes within milliseconds of the poll that fetched it. */
const COMMAND_WATCH_MS = 100;
const MAX_BIGINT = 9223372036854775807n;
/** Class id of the per-device queue lock: `pg_advisory_xact_lock(QUEUE_LOCK, hashtext(sn))`. */
export const QUEUE_LOCK = 0x51554555;
/** Class id of the per-device order lock taken by writers (rule (f)): `pg_advisory_xact_lock(ORDER_LOCK, hashtext(sn))`. */
export const ORDER_LOCK = 0x51554f52;
/** More sent commands than this are never loaded for one claim (a reply holds at most maxCommandsPerReply). */
const MAX_SENT_LOADED = 1000;
// The head of a command only: a sent command can be a full sync's tens of kilobytes, stored compressed, and
// substr reads (decompresses) just its first bytes where LIKE on the column would read all of it, per claim.
const COMMAND_HEAD_SQL = `substr(command, 1, 24)`;
/** A remote enrolment (HeadCommand.awaitsPerson): Security PUSH ENROLL_BIO / ENROLL_INFO, a terminal's ENROLL_FP / ENROLL_MF. */
const AWAITS_PERSON_SQL = `(${COMMAND_HEAD_SQL} LIKE 'ENROLL\\_%')`;
/** A device restart (HeadCommand.deliverOnce): a panel's `CONTROL DEVICE 03…`, a terminal's `REBOOT` (12.7). */
const DELIVER_ONCE_SQL = `(${COMMAND_HEAD_SQL} LIKE 'CONTROL DEVICE 03%' OR ${COMMAND_HEAD_SQL} = 'REBOOT')`;
const ATTEMPT_INTO = intoOf(DeviceCommandAttempt, ['attemptId', 'commandId', 'deviceSn', 'sentAt']);
const COMMAND_INTO = intoOf(DeviceCommand, ['deviceSn', 'command', 'ref', 'meta', 'keys', 'records', 'bytes']);
const COMMAND_TIMED_INTO = intoOf(DeviceCommand, ['deviceSn', 'command', 'ref', 'meta', 'keys', 'records', 'bytes', 'validUntil']);

/** `UPDATE … RETURNING` through a manager answers [rows, count] (TypeORM 1.x); a WITH … SELECT plain rows. */
function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return Array.isArray(result) ? (result as T[]) : [];
}

/**
 * A command to queue: its text, and optionally a reference handed back in its outcome (CommandOutcome.ref) and,
 * for an action only worth running soon (a remote door open), how long from now it may still be handed out
 * (`validForMs`; rule (g)).
 */
export type QueueItem = string | { command: string; ref?: unknown; validForMs?: number };

/** The durable command queue: see the module comment at the top of this file. */
@Injectable()
export class CommandQueueService {
  private readonly logger = new Logger('CommandQueue');
  /**
   * Per device, the replies in a row from this process that sent new remote actions first (ClaimPlan.overtook):
   * at MAX_OVERTAKING_REPLIES the next reply is the head of the queue. In memory: with several processes a
   * device's polls may alternate between them, and the sync still gets its share of each one's replies.
   */
  private readonly overtaking = new Map<string, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly signal: WorkSignalService,
    private readonly outcomes: CommandOutcomeHub,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
  ) {}

  /**
   * Queues full command texts (no `C:<id>:` prefix, built by the codec's builders) for one device, through
   * the caller's `manager`: the rows commit or roll back with the caller's transaction, and the device's
   * "work waiting" signal fires only after the commit. A text that would corrupt the wire (CR, NUL, an
   * embedded `C:` line) throws ProtocolValueError before anything is written.
   */
  async enqueue(manager: EntityManager, deviceSn: string, commands: readonly QueueItem[]): Promise<void> {
    await this.enqueueMany(manager, [{ deviceSn, commands }]);
  }

  /**
   * Like enqueue for several devices, in one INSERT; order is kept per device. A command may carry a `ref`
   * (any JSON), stored in device_command.ref and handed back in its CommandOutcome. A text or ref queued for
   * several devices (a plan over like panels hands each the same commands) is checked, serialised and sent to
   * the database once, and each row refers to it by index.
   */
  async enqueueMany(manager: EntityManager, items: ReadonlyArray<{ deviceSn: string; commands: ReadonlyArray<QueueItem> }>): Promise<void> {
    await this.lockForOrder(manager, items.filter((i) => i.commands.length > 0).map((i) => i.deviceSn));
    const sns: string[] = [];
    const textAt: number[] = [];
    const refAt: Array<number | null> = [];
    const validMs: Array<number | null> = [];
    const texts = new Map<string, number>();
    const refs = new Map<unknown, number>();
    for (const { deviceSn, commands } of items) {
      for (const item of commands) {
        const c = typeof item === 'string' ? item : item.command;
        let t = texts.get(c);
        if (t === undefined) {
          formatCommandLine({ cmdId: 1, command: c });
          texts.set(c, (t = texts.size + 1));
        }
        const ref = typeof item === 'string' ? undefined : item.ref;
        let r: number | null = null;
        if (ref !== undefined) {
          r = refs.get(ref) ?? null;
          if (r === null) refs.set(ref, (r = refs.size + 1));
        }
        sns.push(deviceSn);
        textAt.push(t);
        refAt.push(r);
        const v = typeof item === 'string' ? undefined : item.validForMs;
        validMs.push(v !== undefined && Number.isFinite(v) && v > 0 ? Math.round(v) : null);
      }
    }
    if (sns.length === 0) return;
    const timed = validMs.some((v) => v !== null);
    await manager.query(
      `INSERT INTO ${timed ? COMMAND_TIMED_INTO : COMMAND_INTO}
       SELECT t.sn, c.cmd, r.ref, r.meta, r.keys, c.records, c.bytes${timed ? `, now() + make_interval(secs => t.v / 1000.0)` : ''}
         FROM unnest($1::varchar[], $2::int[], $3::int[]${timed ? ', $6::int[]' : ''}) WITH ORDINALITY AS t(sn, ci, ri${timed ? ', v' : ''}, ord)
         JOIN (SELECT cmd, i, ${commandRecordsSql('cmd')} AS records, octet_length(cmd) AS bytes
                 FROM unnest($4::text[]) WITH ORDINALITY AS c(cmd, i)) c ON c.i = t.ci
         LEFT JOIN (SELECT u.ref, u.i, ${refMetaSql('u.ref')} AS meta, ${refKeysSql('u.ref')} AS keys
                      FROM unnest($5::jsonb[]) WITH ORDINALITY AS u(ref, i)) r ON r.i = t.ri
        ORDER BY t.ord`,
      [sns, textAt, refAt, [...texts.keys()], [...refs.keys()].map((ref) => JSON.stringify(ref)), ...(timed ? [validMs] : [])],
    );
    await this.signal.afterCommit(manager, sns);
  }

  /**
   * Queues a remote action (CONTROL DEVICE: open or close a door, a floor, a gate) with the validity of rule (g)
   * (DEVICE_ACTION_VALID_SECONDS): handed out while it lasts, dropped when the device comes back after it.
   * Answers that validity in seconds (null: no limit).
   */
  async enqueueAction(manager: EntityManager, deviceSn: string, command: string, ref?: unknown): Promise<number | null> {
    const ms = this.settings.actionValidMs;
    await this.enqueue(manager, deviceSn, [{ command, ref, validForMs: ms > 0 ? ms : undefined }]);
    return ms > 0 ? Math.ceil(ms / 1000) : null;
  }

  /**
   * The id of the command the caller's transaction queued last for this device: it holds the device's order lock
   * (enqueueMany took it), so no other transaction has queued for it since.
   */
  async lastQueuedId(manager: EntityManager, deviceSn: string): Promise<string | null> {
    const [r]: Array<{ id: string | null }> = await manager.query(`SELECT max(id)::text AS id FROM device_command WHERE device_sn = $1 AND state = 'pending'`, [deviceSn]);
    return r?.id ?? null;
  }

  /**
   * Where one command stands after waiting up to `waitMs` for it to become final (done or failed): reads its row
   * every COMMAND_WATCH_MS outside any transaction, so a caller waiting for a device's Return holds no connection
   * or lock between reads and never blocks the event loop. Answers the row as last read (null: no such command).
   */
  async awaitFinal(id: string, waitMs: number): Promise<CommandStanding | null> {
    const deadline = Date.now() + Math.max(0, waitMs);
    for (;;) {
      const [r]: Array<{ state: DeviceCommandState; return_code: number | null; error: string | null }> = await this.ds.query(
        `SELECT state, return_code, error FROM device_command WHERE id = $1::bigint`,
        [id],
      );
      if (!r) return null;
      const standing: CommandStanding = { state: r.state, returnCode: r.return_code, error: r.error };
      const left = deadline - Date.now();
      if (r.state === 'done' || r.state === 'failed' || left <= 0) return standing;
      await new Promise((resolve) => setTimeout(resolve, Math.min(COMMAND_WATCH_MS, left)));
    }
  }

  /**
   * Takes the order lock of these devices for the rest of the caller's transaction (rule (f)), in lock-key
   * order. Taking it again in the same transaction is free of waits (advisory locks stack).
   */
  async lockForOrder(manager: EntityManager, sns: readonly string[]): Promise<void> {
    await lockKeys(manager, ORDER_LOCK, sns);
  }

  /** Fires the devices' "work waiting" signal once the caller's transaction commits (records added to pending commands). */
  signalAfterCommit(manager: EntityManager, sns: readonly string[]): Promise<void> {
    return this.signal.afterCommit(manager, [...sns]);
  }

  /**
   * signalAfterCommit for a caller whose own statement queues the NOTIFY (`commandNotifySql`) when
   * `notifiesOthers`: one round trip fewer for a writer holding the devices' order locks.
   */
  get notifiesOthers(): boolean {
    return this.signal.notifies;
  }

  raiseAfterCommit(manager: EntityManager, sns: readonly string[]): void {
    this.signal.raiseAfterCommit(manager, sns);
  }

  /**
   * The commands of one getrequest reply for a device (rules (a), (b), (d) above): under the device's lock,
   * loads its unfinished head, asks planClaim, fails what it says (reporting the outcomes), and hands out the
   * rest under new CmdIDs. Empty when another poll holds the lock, when a reply is outstanding, or when the
   * queue is empty; the work signal is re-armed for whichever applies.
   */
  async claim(sn: string): Promise<ClaimedCommand[]> {
    const s = this.settings;
    const rules: ClaimRules = {
      ackTimeoutMs: s.ackTimeoutMs,
      maxAttempts: s.maxAttempts,
      maxCommands: s.maxCommandsPerReply,
      byteBudget: s.replyByteBudget,
      lostReplyMs: s.lostReplyMs > 0 ? s.lostReplyMs : undefined,
      actionsFirst: (this.overtaking.get(sn) ?? 0) < MAX_OVERTAKING_REPLIES,
    };
    const out = await this.ds.transaction(async (m) => {
      const [{ locked }]: Array<{ locked: boolean }> = await namedQuery(m, `SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked`, [QUEUE_LOCK, sn]);
      if (!locked) return { busy: true as const };
      const rows: Array<{ id: string; state: 'pending' | 'sent'; attempts: number; sent_ms: number | null; valid_ms: number | null; bytes: number; now_ms: number; overtaken: boolean; follows_answered: boolean; subcontroller: boolean; awaits_person: boolean; deliver_once: boolean; restarted: boolean }> = await namedQuery(m,
        `WITH h AS (
           (SELECT id, state, attempts, sent_at, return_code, octet_length(command) AS bytes, valid_until, attempt_id, ${AWAITS_PERSON_SQL} AS awaits_person,
                   ${DELIVER_ONCE_SQL} AS deliver_once, coalesce(sent_at < (SELECT registered_at FROM device WHERE sn = $1), false) AS restarted
            FROM device_command WHERE device_sn = $1 AND state = 'sent' ORDER BY id LIMIT ${MAX_SENT_LOADED})
           UNION ALL
           -- awaits_person of a pending command: an enrolment is not handed out before the state commands ahead of it.
           (SELECT id, state, attempts, sent_at, return_code, octet_length(command), valid_until, attempt_id,
                   CASE WHEN valid_until IS NULL THEN false ELSE ${AWAITS_PERSON_SQL} END, false, false FROM device_command
            WHERE device_sn = $1 AND state = 'pending' ORDER BY id LIMIT $2)
           UNION ALL
           -- Remote actions further back in the queue (behind a long sync): planClaim may hand them out first.
           (SELECT id, state, attempts, sent_at, return_code, octet_length(command), valid_until, attempt_id, false, false, false FROM device_command
            WHERE device_sn = $1 AND state = 'pending' AND valid_until IS NOT NULL AND NOT ${AWAITS_PERSON_SQL}
              AND id > (SELECT max(f.id) FROM (SELECT id FROM device_command WHERE device_sn = $1 AND state = 'pending' ORDER BY id LIMIT $2) f)
            ORDER BY id LIMIT $2)
         )
         SELECT h.id::text AS id, h.state, h.attempts, h.bytes, coalesce(h.return_code = ${SUBCONTROLLER_QUEUED}, false) AS subcontroller, h.awaits_person, h.deliver_once, h.restarted,
                (extract(epoch FROM h.sent_at) * 1000)::float8 AS sent_ms, (extract(epoch FROM now()) * 1000)::float8 AS now_ms,
                (extract(epoch FROM h.valid_until) * 1000)::float8 AS valid_ms,
                (h.state = 'sent' AND h.sent_at <= now() - make_interval(secs => $3) AND EXISTS (
                   SELECT 1 FROM device_command l
                   WHERE l.device_sn = $1 AND l.state IN ('done', 'failed') AND l.id > h.id AND l.return_code IS NOT NULL AND l.done_at >= h.sent_at
                 )) AS overtaken,
                -- The commands of one reply took consecutive attempt ids in one statement (the same sent_at): a look
                -- at the few ids just before this one (unique index) finds an answered command of its reply.
                (h.state = 'sent' AND h.sent_at <= now() - make_interval(secs => $3) AND EXISTS (
                   SELECT 1 FROM device_command l
                   WHERE l.attempt_id >= h.attempt_id - $2 AND l.attempt_id < h.attempt_id AND l.device_sn = $1
                     AND l.sent_at = h.sent_at AND l.state IN ('done', 'failed') AND l.return_code IS NOT NULL
                 )) AS follows_answered
         FROM h ORDER BY h.id`,
        [sn, rules.maxCommands, Math.min(rules.ackTimeoutMs, rules.lostReplyMs ?? rules.ackTimeoutMs) / 1000],
      );
      if (rows.length === 0) return { busy: false as const, plan: null, claimed: [] as ClaimedCommand[] };
      const now = Number(rows[0].now_ms);
      const head: HeadCommand[] = rows.map((r) => ({
        id: r.id,
        state: r.state,
        attempts: r.attempts,
        sentAt: r.sent_ms === null ? null : Number(r.sent_ms),
        bytes: r.bytes,
        overtaken: r.overtaken === true,
        followsAnswered: r.follows_answered === true,
        subcontroller: r.subcontroller === true,
        awaitsPerson: r.awaits_person === true,
        deliverOnce: r.deliver_once === true,
        restartedSince: r.restarted === true,
        validUntil: r.valid_ms === null ? null : Number(r.valid_ms),
      }));
      const plan = planClaim(head, now, rules);
      if (plan.fail.length > 0) await this.expire(m, sn, plan.fail, head);
      let claimed: ClaimedCommand[] = [];
      if (plan.offer.length > 0) {
        const offered: Array<{ id: string; attempt_id: string; command: string; ref: unknown }> = await namedQuery(m,
          `WITH pick AS (
             SELECT id, nextval('device_command_attempt_seq') AS aid FROM (SELECT id FROM device_command WHERE id = ANY($2::bigint[]) ORDER BY id) s
           ), claimed AS (
             UPDATE device_command c SET state = 'sent', attempts = c.attempts + CASE WHEN c.id = ANY($3::bigint[]) THEN 0 ELSE 1 END,
               attempt_id = pick.aid, sent_at = now(), return_code = NULL
             FROM pick WHERE c.id = pick.id AND c.device_sn = $1 AND c.state IN ('pending', 'sent')
             -- The ref only of a clock setting (refreshClocks): a sync command's ref lists its items, not worth the trip.
             RETURNING c.id, c.attempt_id, c.command, CASE WHEN left(c.command, ${CLOCK_HEAD.length}) = '${CLOCK_HEAD}' THEN c.ref END AS ref, c.sent_at
           ), logged AS (
             INSERT INTO ${ATTEMPT_INTO} SELECT attempt_id, id, $1, sent_at FROM claimed
           )
           SELECT id::text AS id, attempt_id::text AS attempt_id, command, ref FROM claimed ORDER BY claimed.id`,
          [sn, plan.offer, plan.uncounted],
        );
        await this.refreshClocks(m, offered);
        claimed = offered.map((r) => ({ id: r.id, attemptId: r.attempt_id, command: r.command }));
      }
      return { busy: false as const, plan: { ...plan, wakeInMs: plan.wakeAt === null ? null : plan.wakeAt - now }, claimed };
    });
    if (out.busy) {
      // Another poll of this device is claiming right now: look again on the next poll.
      this.signal.set(sn);
      return [];
    }
    // A few ms past the deadline, so that the claim the wake-up lets through sees it passed; should the
    // database's clock lag ours, that claim finds the reply still waiting and simply arms the wake-up again.
    if (out.plan?.wakeInMs != null) this.signal.wakeAt(sn, Date.now() + out.plan.wakeInMs + 10);
    if (out.claimed.length > 0) {
      // A reply offering lost actions again counts neither way: it is the reply that was lost, once more.
      if (out.plan?.overtook === 'new') this.overtaking.set(sn, (this.overtaking.get(sn) ?? 0) + 1);
      else if (out.plan?.overtook === undefined) this.overtaking.delete(sn);
    }
    return out.claimed;
  }

  /**
   * A clock setting queued with a ClockRef goes out with the time of this hand-out (clockAtHandOut), each delivery
   * again; the row keeps the text that went out, so the command queue shows the value the device was sent.
   */
  private async refreshClocks(m: EntityManager, offered: Array<{ id: string; command: string; ref: unknown }>): Promise<void> {
    const now = new Date();
    for (const r of offered) {
      const fresh = clockAtHandOut(r.command, r.ref, now);
      if (fresh === null) continue;
      await m.query(`UPDATE device_command SET command = $2, bytes = octet_length($2) WHERE id = $1::bigint`, [r.id, fresh]);
      r.command = fresh;
    }
  }

  /** Fails timed-out commands (planClaim's `fail`) and reports them, in the claim's transaction. */
  private async expire(m: EntityManager, sn: string, fail: ClaimPlan['fail'], head: readonly HeadCommand[]): Promise<void> {
    const attempts = new Map(head.map((h) => [h.id, h.attempts]));
    const rows = returnedRows<{ id: string; command: string; ref: unknown }>(await m.query(
      `UPDATE device_command c SET state = 'failed', done_at = now(), error = v.err
       FROM unnest($2::bigint[], $3::text[]) AS v(id, err)
       WHERE c.id = v.id AND c.device_sn = $1 AND c.state IN ('pending', 'sent')
       RETURNING c.id::text AS id, ${outcomeCommandSql('c.command')} AS command, c.ref`,
      [
        sn,
        fail.map((f) => f.id),
        fail.map((f) =>
          f.why === 'attempts'
            ? `no result after ${attempts.get(f.id) ?? '?'} deliveries`
            : f.why === 'stale'
              ? 'not delivered in time: an action is not run when the device comes back later'
              : f.why === 'once'
                ? 'delivered, no result: a restart is not sent again (the device may have restarted before answering; its last registration tells)'
                : f.why === 'restarted'
                  ? 'delivered, no result, and the device registered again since: it may have run before restarting; an action is not run twice'
                : 'no result, and later commands of its reply were answered: it ran, its result was lost; not run again out of order',
        ),
      ],
    ));
    const byId = new Map(rows.map((r) => [r.id, r]));
    const why = { attempts: 'no result after the last delivery', overtaken: 'result lost behind later commands', stale: 'not delivered before its validity ended', once: 'a restart delivered without a result', restarted: 'an action delivered before the device registered again, without a result' };
    for (const f of fail) if (byId.has(f.id)) this.logger.warn(`device ${sn}: command ${f.id} failed: ${why[f.why]}`);
    await this.outcomes.emit(
      m,
      fail
        .filter((f) => byId.has(f.id))
        .map((f) => {
          const r = byId.get(f.id)!;
          return { deviceSn: sn, commandId: r.id, command: r.command, ref: r.ref ?? null, state: 'failed' as const, returnCode: null, reason: 'expired' as const };
        }),
    );
  }

  /**
   * Applies devicecmd results by CmdID (rule (c) above), under the device's lock, in one transaction that
   * also records refusals and runs the outcome listeners. Unknown ids, other devices' ids and results for
   * finished commands are logged and ignored. Throws when the transaction fails (a listener threw, the
   * database is gone): nothing is recorded, and the caller must make the device send the results again.
   */
  async applyResults(sn: string, results: readonly DeviceCmdResult[]): Promise<ResultSummary> {
    const summary: ResultSummary = { done: 0, failed: 0, waiting: 0, ignored: 0 };
    const valid = (id: string) => /^\d{1,19}$/.test(id) && BigInt(id) <= MAX_BIGINT;
    const ids = [...new Set(results.map((r) => r.id.trim()).filter(valid))];
    if (ids.length === 0) {
      for (const r of results) this.ignoredResult(sn, r);
      summary.ignored = results.length;
      return summary;
    }
    await this.ds.transaction(async (m) => {
      await namedQuery(m, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, [QUEUE_LOCK, sn]);
      const rows: Array<{ attempt_id: string; id: string; state: CommandState; current: string | null; return_code: number | null; command: string; ref: unknown; refusals: boolean; device_kind: string | null }> = await namedQuery(m,
        `SELECT a.attempt_id::text AS attempt_id, c.id::text AS id, c.state, c.attempt_id::text AS current, c.return_code, ${outcomeCommandSql('c.command')} AS command, c.ref,
                EXISTS (SELECT 1 FROM device_refusal r JOIN device d ON d.id = r.device_id WHERE d.sn = $1) AS refusals,
                (SELECT ${effectiveKindSql('d')} FROM device d WHERE d.sn = $1) AS device_kind
         FROM device_command_attempt a JOIN device_command c ON c.id = a.command_id
         WHERE a.attempt_id = ANY($2::bigint[]) AND a.device_sn = $1`,
        [sn, ids],
      );
      const byAttempt = new Map(rows.map((r) => [r.attempt_id, r]));
      const byCommand = new Map(rows.map((r) => [r.id, r]));
      const matched: MatchedResult[] = [];
      const matchedFrom: DeviceCmdResult[] = [];
      for (const r of results) {
        const row = byAttempt.get(r.id.trim());
        if (!row) {
          summary.ignored++;
          this.ignoredResult(sn, r);
          continue;
        }
        matched.push({ commandId: row.id, attemptId: row.attempt_id, returnCode: r.returnCode });
        matchedFrom.push(r);
      }
      const commands: AnsweredCommand[] = [...byCommand.values()].map((r) => ({ id: r.id, state: r.state, currentAttempt: r.current, returnCode: r.return_code, command: r.command }));
      // A terminal's codes are read with the attendance manual's Appendix 1, a panel's with the Security one.
      const manual = returnCodeManual(rows[0]?.device_kind);
      const plan = planResults(commands, matched, Date.now(), manual);
      plan.effects.forEach((e, i) => {
        if (e === 'done') summary.done++;
        else if (e === 'failed') summary.failed++;
        else if (e === 'waiting') summary.waiting++;
        else {
          summary.ignored++;
          this.logger.debug?.(`device ${sn}: result ID=${matchedFrom[i].id} Return=${matchedFrom[i].returnCode} ignored (command ${matched[i].commandId} is ${byCommand.get(matched[i].commandId)?.state})`);
        }
      });
      if (plan.changes.length === 0) return;
      // `outstanding`: sent commands of the device, not timed out, left unanswered after this body (0: the reply
      // is complete, or only timed-out commands remain; either way the next claim has work).
      const updated: Array<{ id: string; outstanding: number }> = await namedQuery(m,
        `WITH upd AS (
           UPDATE device_command c SET state = v.state, return_code = v.rc, error = v.err,
             done_at = CASE WHEN v.state IN ('done', 'failed') THEN now() ELSE c.done_at END,
             sent_at = CASE WHEN v.restart THEN now() ELSE c.sent_at END
           FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::bool[]) AS v(id, state, rc, err, restart)
           WHERE c.id = v.id AND c.state IN ('pending', 'sent')
           RETURNING c.id, c.state
         )
         SELECT upd.id::text AS id,
                (SELECT count(*)::int FROM device_command d
                 WHERE d.device_sn = $6 AND d.state = 'sent' AND d.sent_at > now() - make_interval(secs => $7)
                   AND d.id NOT IN (SELECT id FROM upd WHERE state <> 'sent')) AS outstanding
         FROM upd`,
        [
          plan.changes.map((c) => c.id),
          plan.changes.map((c) => c.state),
          plan.changes.map((c) => c.returnCode),
          plan.changes.map((c) => (c.state === 'failed' ? `Return ${c.returnCode}: ${returnMeaning(c.returnCode ?? 0, manual, byCommand.get(c.id)?.command) ?? 'unknown error code'}` : null)),
          plan.changes.map((c) => c.restartTimeout),
          sn,
          this.settings.ackTimeoutMs / 1000,
        ],
      );
      const written = new Set(updated.map((u) => u.id));
      const finished = plan.finished.filter((f) => written.has(f.id));
      for (const f of finished) {
        if (f.state === 'failed') this.logger.warn(`device ${sn}: command ${f.id} failed: Return=${f.returnCode} ${returnMeaning(f.returnCode, manual, byCommand.get(f.id)?.command) ?? '(unknown code)'}`);
      }
      const outcomes: CommandOutcome[] = finished.map((f) => {
        const row = byCommand.get(f.id)!;
        return { deviceSn: sn, commandId: f.id, command: row.command, ref: row.ref ?? null, state: f.state, returnCode: f.returnCode, reason: 'returned' };
      });
      await recordRefusals(m, sn, outcomes, this.settings.refusalProbe, rows[0]?.refusals === true);
      await this.outcomes.emit(m, outcomes);
      // The next reply may go once this one is complete: wake this device's next poll (in every process).
      if (finished.length > 0 && updated.some((u) => u.outstanding === 0)) await this.signal.afterCommit(m, [sn]);
      if (plan.changes.some((c) => c.restartTimeout)) this.signal.wakeAt(sn, Date.now() + this.settings.ackTimeoutMs + 100);
    });
    return summary;
  }

  private ignoredResult(sn: string, r: DeviceCmdResult): void {
    this.logger.warn(`device ${sn}: result for unknown command id ${JSON.stringify(r.id).slice(0, 40)} (Return=${r.returnCode}) ignored`);
  }

  /** The queue of one device for operators, newest first; with `id`, that one command only (a door action's outcome). */
  async list(sn: string, state: DeviceCommandState | undefined, offset: number, limit: number, id?: string): Promise<{ rows: QueuedCommandView[]; total: number }> {
    const params: unknown[] = [sn];
    let where = `device_sn = $1`;
    if (state) where += ` AND state = $${params.push(state)}`;
    if (id !== undefined) where += ` AND id = $${params.push(id)}::bigint`;
    // The count and the page in one snapshot: commands queued or pruned between them would answer a total
    // that does not match the page (a short page said not to be the last).
    const { total, kind, rows } = await readSnapshot(this.ds, async (m) => {
      const [head]: Array<{ total: number; kind: string | null }> = await m.query(
        `SELECT count(*)::int AS total, (SELECT ${effectiveKindSql('d')} FROM device d WHERE d.sn = $1) AS kind FROM device_command WHERE ${where}`,
        params,
      );
      const page: CommandRow[] = await m.query(
        `SELECT id::text AS id, left(command, 200) AS command, octet_length(command) AS bytes, state, attempts,
                attempt_id::text AS attempt_id, sent_at, done_at, return_code, error, created_at
         FROM device_command WHERE ${where} ORDER BY device_command.id DESC OFFSET ${Number(offset)} LIMIT ${Number(limit)}`,
        params,
      );
      return { ...head, rows: page };
    });
    const manual = returnCodeManual(kind);
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
        returnMeaning: r.return_code === null ? null : returnMeaning(r.return_code, manual, r.command),
        error: r.error,
        createdAt: r.created_at,
      })),
    };
  }
}

/** One row of a device's queue as the operators' list reads it. */
interface CommandRow {
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
}
