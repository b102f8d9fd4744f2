/**
 * The command queue's rules, pure and with the clock passed in; the database layer mirrors
 * them in SQL. One command, many delivery attempts, each with its own id (the `C:<id>:` the
 * device echoes as `ID=`):
 *
 *   pending --offer(attemptId)--> sent --result >= 0--------------> done
 *      ^                           |  --result < 0---------------> failed (Return kept)
 *      '-----expire (attempts < max)'  --expire (attempts = max)--> failed (timeout)
 *
 * - A result is matched by attempt id. Unknown ids and results for finished commands are
 *   ignored (devices re-post results; querydata and devicecmd both conclude a query).
 * - A success from a superseded attempt still completes the command: the device did run it,
 *   and every command is an idempotent upsert, so running it twice is harmless.
 * - A failure (or -5000) from a superseded attempt is ignored: a newer attempt decides.
 * - `-5000` (a master controller queued it for a sub-controller) is not a result: the final
 *   one follows with the same id, so the attempt's timeout restarts.
 */

export type CommandState = 'pending' | 'sent' | 'done' | 'failed';

export interface Attempt {
  attemptId: string;
  sentAt: number;
}

export interface QueueCommand {
  state: CommandState;
  /** Delivery attempts, oldest first; the last one is current. */
  attempts: readonly Attempt[];
  returnCode: number | null;
  failure: 'device' | 'timeout' | null;
  finishedAt: number | null;
}

export interface QueueRules {
  ackTimeoutMs: number;
  maxAttempts: number;
}

export type Effect = 'sent' | 'done' | 'failed' | 'requeued' | 'waiting' | 'ignored';

export interface Step {
  command: QueueCommand;
  effect: Effect;
}

export const SUBCONTROLLER_QUEUED = -5000;

export function newCommand(): QueueCommand {
  return { state: 'pending', attempts: [], returnCode: null, failure: null, finishedAt: null };
}

/** Hands a pending command out under a new attempt id. */
export function offer(cmd: QueueCommand, attemptId: string, now: number, rules: QueueRules): Step {
  if (cmd.state !== 'pending' || cmd.attempts.length >= rules.maxAttempts) return { command: cmd, effect: 'ignored' };
  if (cmd.attempts.some((a) => a.attemptId === attemptId)) throw new Error(`attempt id ${attemptId} reused`);
  return { command: { ...cmd, state: 'sent', attempts: [...cmd.attempts, { attemptId, sentAt: now }] }, effect: 'sent' };
}

/** When a sent command's current attempt times out (null when nothing is outstanding). */
export function deadline(cmd: QueueCommand, rules: QueueRules): number | null {
  if (cmd.state !== 'sent') return null;
  return cmd.attempts[cmd.attempts.length - 1].sentAt + rules.ackTimeoutMs;
}

/** Re-queues a timed-out attempt, or fails the command once its attempts are used up. */
export function expire(cmd: QueueCommand, now: number, rules: QueueRules): Step {
  const due = deadline(cmd, rules);
  if (due === null || now < due) return { command: cmd, effect: 'ignored' };
  if (cmd.attempts.length >= rules.maxAttempts) {
    return { command: { ...cmd, state: 'failed', failure: 'timeout', finishedAt: now }, effect: 'failed' };
  }
  return { command: { ...cmd, state: 'pending' }, effect: 'requeued' };
}

/** Applies a devicecmd result (`ID=<attemptId>&Return=<code>`). */
export function applyResult(cmd: QueueCommand, attemptId: string, returnCode: number, now: number): Step {
  const i = cmd.attempts.findIndex((a) => a.attemptId === attemptId);
  if (i < 0 || cmd.state === 'done' || cmd.state === 'failed') return { command: cmd, effect: 'ignored' };
  const current = i === cmd.attempts.length - 1;
  if (returnCode >= 0) {
    return { command: { ...cmd, state: 'done', returnCode, failure: null, finishedAt: now }, effect: 'done' };
  }
  if (!current) return { command: cmd, effect: 'ignored' };
  if (returnCode === SUBCONTROLLER_QUEUED) {
    const attempts = cmd.attempts.map((a, k) => (k === i ? { ...a, sentAt: now } : a));
    return { command: { ...cmd, state: 'sent', attempts, returnCode }, effect: 'waiting' };
  }
  return { command: { ...cmd, state: 'failed', returnCode, failure: 'device', finishedAt: now }, effect: 'failed' };
}
