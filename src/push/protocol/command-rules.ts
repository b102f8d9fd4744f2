/**
 * The command queue's rules, pure and with the clock passed in. CommandQueueService runs them:
 * it loads a device's rows under the device's lock, asks planClaim / planResults (below), and
 * writes their answer back (the order semantics are written out in command-queue.service.ts).
 * One command, many delivery attempts, each with its own id (the `C:<id>:` the device echoes
 * as `ID=`):
 *
 *   pending --planClaim: offer--> sent --result >= 0 (applyResult)-----------> done
 *                                  |  --result < 0 (applyResult)------------> failed (Return kept)
 *                                  |  --timeout or lost reply, attempts left: planClaim--> sent again, new attempt id
 *                                  '  --timeout (last attempt), or overtaken-----------> failed (no Return)
 *
 * - A result is matched by attempt id. Unknown ids and results for finished commands are
 *   ignored (devices re-post results; querydata and devicecmd both conclude a query).
 * - A success from a superseded attempt still completes the command: the device did run it,
 *   and every command is an idempotent upsert, so running it twice is harmless.
 * - A failure (or -5000) from a superseded attempt is ignored: a newer attempt decides.
 * - `-5000` (a master controller queued it for a sub-controller) is not a result: the final
 *   one follows with the same id, so the attempt's timeout restarts.
 * - A few negative codes mean "nothing to report" or "already so", not a failure (isBenignReturn): done,
 *   Return kept. Which ones depends on the manual the device speaks (its Appendix 1), so planResults is told.
 */
import { enrolmentFailure, type ReturnCodeManual } from './tables';

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

export type Effect = 'done' | 'failed' | 'waiting' | 'ignored';

export interface Step {
  command: QueueCommand;
  effect: Effect;
}

export const SUBCONTROLLER_QUEUED = -5000;

/** `DATA DELETE <table> PIN=..` (or `Pin=`): a delete of what a terminal holds for one PIN (attendance manual 12.1.2). */
const DELETE_BY_PIN = /^DATA DELETE [A-Za-z]+ PIN=/i;

/**
 * A negative Return that reports the command's goal as already reached rather than a failure. Such a command is
 * done (its Return kept):
 *   - an attendance terminal answers `DATA QUERY ATTLOG` over a period without punches with -1 (field samples,
 *     trap 7): nothing to report;
 *   - Attendance PUSH firmware answers a `DATA DELETE <table> PIN=x` for a PIN it does not hold with -10, "The user
 *     specified by PIN does not exist in the equipment" (attendance manual, Appendix 1): what the delete was for
 *     (nothing of x on the terminal) is true. Failing it would retry it for ever and show the terminal divergent.
 *     On Security PUSH firmware -10 means "Incorrect data. Failed to resolve data API", a failure: only the
 *     attendance `manual` reads it so.
 */
/**
 * A Return of 0 or more that is a failure: a terminal's remote enrolment (ENROLL_FP, ENROLL_BIO, ENROLL_MF; attendance
 * manual 12.6 and Appendix 1) answers a positive code when the enrolment did not happen (2 already enrolled, 4
 * failed, 5 duplicate, 6 cancelled, 7 busy). Read so for attendance terminals only: elsewhere a positive Return is a
 * count (field notes, trap 7).
 */
export function isFailedNonNegativeReturn(command: string, returnCode: number, manual: ReturnCodeManual = 'security'): boolean {
  return manual === 'attendance' && enrolmentFailure(command, returnCode) !== null;
}

export function isBenignReturn(command: string, returnCode: number, manual: ReturnCodeManual = 'security'): boolean {
  if (returnCode === -1) return /^DATA QUERY ATTLOG(?=\s|$)/.test(command);
  return returnCode === -10 && manual === 'attendance' && DELETE_BY_PIN.test(command);
}

/**
 * Applies a devicecmd result (`ID=<attemptId>&Return=<code>`); `benign`: a negative code that is no failure
 * (isBenignReturn); `refused`: a code of 0 or more that is one (isFailedNonNegativeReturn).
 */
export function applyResult(cmd: QueueCommand, attemptId: string, returnCode: number, now: number, benign = false, refused = false): Step {
  const i = cmd.attempts.findIndex((a) => a.attemptId === attemptId);
  if (i < 0 || cmd.state === 'done' || cmd.state === 'failed') return { command: cmd, effect: 'ignored' };
  const current = i === cmd.attempts.length - 1;
  if ((returnCode >= 0 && !refused) || benign) {
    return { command: { ...cmd, state: 'done', returnCode, failure: null, finishedAt: now }, effect: 'done' };
  }
  if (!current) return { command: cmd, effect: 'ignored' };
  if (returnCode === SUBCONTROLLER_QUEUED) {
    const attempts = cmd.attempts.map((a, k) => (k === i ? { ...a, sentAt: now } : a));
    return { command: { ...cmd, state: 'sent', attempts, returnCode }, effect: 'waiting' };
  }
  return { command: { ...cmd, state: 'failed', returnCode, failure: 'device', finishedAt: now }, effect: 'failed' };
}

// ---------------------------------------------------------------------------------------------------------------
// One device's queue: what a poll hands out, what a batch of results does. These functions are what production
// runs (CommandQueueService loads the rows under the device's lock, asks here, and writes the answer back).
// ---------------------------------------------------------------------------------------------------------------

/** An unfinished command of one device, as the queue loads it (pending, or sent and unanswered). */
export interface HeadCommand {
  id: string;
  state: 'pending' | 'sent';
  /** Deliveries so far. */
  attempts: number;
  /** When the current delivery was handed out (sent commands). */
  sentAt: number | null;
  /** Size of the command text in UTF-8 bytes. */
  bytes: number;
  /**
   * A later command of this device has been answered since this command's current delivery was handed out.
   * Replies carry a prefix of the queue and the device runs a reply in order, so the reply that carried this
   * command reached the device and this command ran before that later one: only its result was lost.
   */
  overtaken: boolean;
  /** The current delivery was answered `-5000` (accepted for a sub-controller): the final result is still to come. */
  subcontroller?: boolean;
  /**
   * A remote enrolment (`ENROLL_BIO`/`ENROLL_INFO`, 9.6; a terminal's `ENROLL_FP`/`ENROLL_MF`): its result comes when
   * the person has enrolled or given up, and the device goes on polling meanwhile. A poll then is no sign of a lost
   * reply: only its timeout settles it (offering it again would restart the enrolment under the person's hand).
   * Pending, it keeps its place behind the state commands queued before it (actionsFirst).
   */
  awaitsPerson?: boolean;
  /**
   * A device restart (`CONTROL DEVICE 03`, a terminal's `REBOOT`): delivered once. A panel may restart before it posts the result, and
   * then polls again without it: sent again, it would restart again. Settled without a result, it fails.
   */
  deliverOnce?: boolean;
  /**
   * Delivered before the device registered again (a reboot, a factory reset): it may have run the reply and lost the
   * results with the restart. A remote action among them (a validity: a door opened, closed) fails when settled
   * instead of being offered again, so it never runs twice; state commands are offered again (idempotent).
   */
  restartedSince?: boolean;
  /**
   * An earlier command of the same delivery (the same reply) has been answered, and this one has not. Some
   * firmware runs only the first command(s) of a reply and leaves the rest for later polls (an AiFace answers
   * one per poll: field samples, poll-aiface-adaptive): when the reply is settled, this command was evidently not
   * run, so its re-offer does not use up a delivery attempt (see planClaim). Progress is certain: the device
   * answered at least one command of every such reply.
   */
  followsAnswered?: boolean;
  /**
   * An action that is only worth running soon (a remote door open): not handed out, first or again, at or after
   * this instant. Absent or null: no limit (state commands must always arrive).
   */
  validUntil?: number | null;
}

export interface ClaimRules extends QueueRules {
  /** Commands per reply. */
  maxCommands: number;
  /** UTF-8 bytes per reply (a first command larger than this still goes alone). */
  byteBudget: number;
  /**
   * A device that polls again at least this long after a delivery, without a result for some of its commands,
   * lost those results or the whole reply (firmware runs a reply and posts its results before it polls again):
   * they are settled at once instead of after `ackTimeoutMs` (see planClaim). Shorter than RequestDelay, so the
   * device's next regular poll qualifies, and longer than two overlapping polls are apart. Absent: only the
   * timeout settles a delivery.
   */
  lostReplyMs?: number;
  /**
   * False when the device's last replies already sent new remote actions before state commands
   * (ClaimPlan.overtook, MAX_OVERTAKING_REPLIES in a row): only actions offered again after a lost reply may still
   * go first, new ones wait for the head, so a stream of actions (a turnstile opened for every visitor, faster than
   * the panel polls) cannot hold a sync, and the revokes in it, back. Absent: actions may go first (actionsFirst).
   */
  actionsFirst?: boolean;
}

/**
 * Replies in a row that may send new remote actions before the state commands queued ahead of them: then the head
 * goes, so a sync gets at least one reply in MAX_OVERTAKING_REPLIES + 1 however many actions are queued. Two, so
 * that an opening and the closing an operator sends right after it both go promptly during a long sync.
 */
export const MAX_OVERTAKING_REPLIES = 2;

/** Bytes a command costs in a reply beyond its text: `C:<CmdID>:` and the line end. */
export const REPLY_LINE_OVERHEAD = 24;

export interface ClaimPlan {
  /** Commands that end failed now, in queue order: 'attempts' = no result after the last delivery; 'overtaken' (see HeadCommand). */
  fail: Array<{ id: string; why: 'attempts' | 'overtaken' | 'stale' | 'once' | 'restarted' }>;
  /** Commands to hand out in this reply, in queue order; each gets a new attempt id. */
  offer: string[];
  /** Those of `offer` whose earlier delivery does not count as an attempt (HeadCommand.followsAnswered). */
  uncounted: string[];
  /** An earlier reply is still outstanding: nothing may be handed out before it is answered or times out. */
  waiting: boolean;
  /** When this queue next needs a look (the earliest deadline of what is out), or null. */
  wakeAt: number | null;
  /**
   * Present when the reply is remote actions that went before state commands queued ahead of them: 'new' when new
   * ones are among them, 'again' when it only offers again actions whose reply was lost.
   */
  overtook?: 'new' | 'again';
}

/**
 * What a reply is made of: the head of the queue, or, when remote actions (a validity: a door opening, a clock
 * setting; not an enrolment, see overtakes) wait behind pending state commands beyond the head's reply and nothing
 * is to be offered again, those actions alone, in queue order. A door opened during a long sync (thousands of
 * photos, a reply at a time) would otherwise wait behind all of it and be dropped when its validity ends (an action offered again after a lost reply too). An action
 * touches no table the state commands write, so running it before them changes nothing they do; a reply of its own
 * keeps the state commands' replies in order, and no state command offered again is overtaken by it (then the
 * head goes as it is).
 */
function actionsFirst(candidates: readonly HeadCommand[], headReply: readonly string[], newOnes: boolean): readonly HeadCommand[] {
  // A state command (or enrolment) offered again keeps its place: everything after it follows it, in order (rule (b)).
  if (candidates.some((c) => c.state === 'sent' && !overtakes(c))) return candidates;
  // An action the head's reply carries anyway goes with it, in order: a revoke queued before it then still
  // reaches the panel at this poll ("How far behind a panel can be"), and the action is not a poll later either.
  const inHead = new Set(headReply);
  if (candidates.some((c) => overtakes(c) && inHead.has(c.id))) return candidates;
  const actions = candidates.filter((c) => overtakes(c) && (newOnes || c.state === 'sent'));
  return actions.length > 0 && actions.length < candidates.length ? actions : candidates;
}

/** The ids of one reply: `list` from its start, bounded by count and bytes (the first command always goes). */
function replyOf(list: readonly HeadCommand[], rules: ClaimRules): string[] {
  const offer: string[] = [];
  let bytes = 0;
  for (const c of list) {
    if (offer.length >= rules.maxCommands) break;
    const cost = c.bytes + REPLY_LINE_OVERHEAD;
    if (offer.length > 0 && bytes + cost > rules.byteBudget) break;
    offer.push(c.id);
    bytes += cost;
  }
  return offer;
}

/**
 * An action that may go before the state commands queued ahead of it. Not a remote enrolment, though it has a
 * validity: it saves a template on the panel for a person the panel must already hold, and its upload becomes the
 * person's template in the database; run before a delete of that template (or of the person) queued ahead of
 * it, the delete would then take the new template off the panel while the database keeps it.
 */
function overtakes(c: HeadCommand): boolean {
  return c.validUntil != null && c.awaitsPerson !== true;
}

/**
 * Decides one getrequest reply for one device from its unfinished commands in queue order (`head`: every sent
 * command and at least the first `maxCommands` pending ones).
 *
 * - While any delivered command is outstanding (sent, unanswered, its timeout not reached), nothing is
 *   offered: a reply is a unit, and the next one waits until every command of it is answered or settled.
 * - A delivered command is settled when its timeout is reached, or earlier when the device polls again
 *   `lostReplyMs` or more after the delivery (the device evidently lost the reply or the results: firmware
 *   runs a reply and posts its results before its next poll). Settling: failed when overtaken (a later command
 *   was answered since, so it ran and only its result was lost; running it again would undo what came after
 *   it), failed when its attempts are used up (at its timeout only), otherwise offered again, before anything
 *   newer, with everything after it, in queue order; a command that follows an answered one of its own reply
 *   (followsAnswered: firmware that runs only a reply's first commands) is offered again without using up an
 *   attempt. Running a prefix of the queue again in order is harmless:
 *   every command is an idempotent upsert or delete, and nothing newer has run. A command answered `-5000`
 *   waits for its final result (sub-controllers are slow): only its restarted timeout settles it; so does a remote
 *   enrolment (awaitsPerson), whose result waits for the person.
 * - Otherwise the reply is the head of the queue, bounded by count and bytes (the first command always goes), or
 *   the pending remote actions alone when they wait behind state commands (actionsFirst); new ones not after
 *   MAX_OVERTAKING_REPLIES such replies in a row (rules.actionsFirst).
 * - A command with a validity (`validUntil`, a remote door action) that has passed is failed ('stale') instead of
 *   being handed out or offered again: a door must not open when a panel reconnects hours after the request.
 */
export function planClaim(head: readonly HeadCommand[], now: number, rules: ClaimRules): ClaimPlan {
  const fail: ClaimPlan['fail'] = [];
  const candidates: HeadCommand[] = [];
  const uncounted = new Set<string>();
  let earliest: number | null = null;
  const waitUntil = (at: number) => (earliest = earliest === null ? at : Math.min(earliest, at));
  // An action past its validity fails instead of being handed out (first or again); the rest go on (rule (e)).
  const offerable = (c: HeadCommand) => {
    if (c.validUntil != null && now >= c.validUntil) fail.push({ id: c.id, why: 'stale' });
    else candidates.push(c);
  };
  for (const c of head) {
    if (c.state === 'sent') {
      const sentAt = c.sentAt ?? 0;
      const due = sentAt + rules.ackTimeoutMs;
      const timedOut = now >= due;
      const lost = !timedOut && rules.lostReplyMs !== undefined && !c.subcontroller && !c.awaitsPerson && rules.lostReplyMs < rules.ackTimeoutMs;
      if (!timedOut && !lost) {
        waitUntil(due);
        continue;
      }
      if (lost && now < sentAt + rules.lostReplyMs!) {
        waitUntil(sentAt + rules.lostReplyMs!);
        continue;
      }
      if (c.overtaken) fail.push({ id: c.id, why: 'overtaken' });
      else if (c.deliverOnce) fail.push({ id: c.id, why: 'once' });
      else if (c.restartedSince && c.validUntil != null) fail.push({ id: c.id, why: 'restarted' });
      else if (c.followsAnswered) {
        uncounted.add(c.id);
        offerable(c);
      } else if (c.attempts < rules.maxAttempts) offerable(c);
      // Its last delivery: only the timeout fails it (its result may still come).
      else if (!timedOut) waitUntil(due);
      else fail.push({ id: c.id, why: 'attempts' });
      continue;
    }
    offerable(c);
  }
  if (earliest !== null) return { fail, offer: [], uncounted: [], waiting: true, wakeAt: earliest };
  const headReply = replyOf(candidates, rules);
  const picked = actionsFirst(candidates, headReply, rules.actionsFirst !== false);
  const offer = picked === candidates ? headReply : replyOf(picked, rules);
  const next = rules.lostReplyMs !== undefined && rules.lostReplyMs < rules.ackTimeoutMs ? rules.lostReplyMs : rules.ackTimeoutMs;
  const plan: ClaimPlan = { fail, offer, uncounted: offer.filter((id) => uncounted.has(id)), waiting: false, wakeAt: offer.length > 0 ? now + next : null };
  if (picked !== candidates) {
    const sent = new Set(picked.filter((c) => c.state === 'sent').map((c) => c.id));
    plan.overtook = offer.every((id) => sent.has(id)) ? 'again' : 'new';
  }
  return plan;
}

/** A command a devicecmd body names, as loaded for its results. */
export interface AnsweredCommand {
  id: string;
  state: CommandState;
  /** The attempt id of the current delivery. */
  currentAttempt: string | null;
  returnCode: number | null;
  /** The command text, for the codes that depend on it (isBenignReturn). */
  command?: string;
}

/** One result matched to its command (by the attempt id the device echoed). */
export interface MatchedResult {
  commandId: string;
  attemptId: string;
  returnCode: number;
}

export interface ResultChange {
  id: string;
  state: CommandState;
  returnCode: number | null;
  /** -5000: the current delivery's timeout restarts now. */
  restartTimeout: boolean;
}

export interface ResultPlan {
  /** Row changes, one per command (the last state it reached in this body). */
  changes: ResultChange[];
  /** Commands that reached done or failed in this body, in the order their results came. */
  finished: Array<{ id: string; state: 'done' | 'failed'; returnCode: number }>;
  /** Per result, in input order: what it did. */
  effects: Effect[];
}

/**
 * Applies the results of one devicecmd body in order (several may name one command: `-5000`, then the final
 * code). Per command the rules of `applyResult`: any success completes it, even from a superseded delivery
 * (the device ran it; commands are idempotent); a failure counts only from the current delivery; results for
 * finished commands change nothing, so a command finishes once however often its result is re-posted. `manual`:
 * the Appendix 1 the device's codes are read with (device-kind.ts returnCodeManual), for isBenignReturn.
 */
export function planResults(commands: readonly AnsweredCommand[], results: readonly MatchedResult[], now: number, manual: ReturnCodeManual = 'security'): ResultPlan {
  const byId = new Map(commands.map((c) => [c.id, c]));
  const state = new Map<string, { cmd: AnsweredCommand; restart: boolean; changed: boolean }>();
  const finished: ResultPlan['finished'] = [];
  const effects: Effect[] = [];
  for (const r of results) {
    const base = byId.get(r.commandId);
    if (!base) {
      effects.push('ignored');
      continue;
    }
    const entry = state.get(r.commandId) ?? { cmd: base, restart: false, changed: false };
    state.set(r.commandId, entry);
    const cur = entry.cmd;
    const attempts: Attempt[] =
      r.attemptId === cur.currentAttempt || cur.currentAttempt === null
        ? [{ attemptId: r.attemptId, sentAt: 0 }]
        : [{ attemptId: r.attemptId, sentAt: 0 }, { attemptId: cur.currentAttempt, sentAt: 0 }];
    const benign = cur.command !== undefined && isBenignReturn(cur.command, r.returnCode, manual);
    const refused = cur.command !== undefined && isFailedNonNegativeReturn(cur.command, r.returnCode, manual);
    const step = applyResult({ state: cur.state, attempts, returnCode: cur.returnCode, failure: null, finishedAt: null }, r.attemptId, r.returnCode, now, benign, refused);
    effects.push(step.effect);
    if (step.effect === 'ignored') continue;
    entry.cmd = { ...cur, state: step.command.state, returnCode: step.command.returnCode };
    entry.changed = true;
    if (step.effect === 'waiting') entry.restart = true;
    if (step.effect === 'done' || step.effect === 'failed') finished.push({ id: cur.id, state: step.effect, returnCode: r.returnCode });
  }
  const changes = [...state.values()]
    .filter((e) => e.changed)
    .map((e) => ({ id: e.cmd.id, state: e.cmd.state, returnCode: e.cmd.returnCode, restartTimeout: e.restart && e.cmd.state === 'sent' }));
  return { changes, finished, effects };
}
