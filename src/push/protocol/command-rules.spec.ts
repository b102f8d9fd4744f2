import { describe, expect, it } from 'vitest';
import { applyResult, isBenignReturn, planClaim, planResults, REPLY_LINE_OVERHEAD, type AnsweredCommand, type ClaimRules, type HeadCommand, type QueueCommand } from './command-rules';

/** A sent command whose delivery attempts are `ids` (the last is current). */
const sent = (...ids: string[]): QueueCommand => ({
  state: 'sent',
  attempts: (ids.length ? ids : ['a1']).map((attemptId, i) => ({ attemptId, sentAt: i * 60_000 })),
  returnCode: null,
  failure: null,
  finishedAt: null,
});

describe('one command: its results (applyResult)', () => {
  it('Return >= 0 marks done; a positive Return (QUERY count) is success', () => {
    expect(applyResult(sent(), 'a1', 0, 5).command).toMatchObject({ state: 'done', returnCode: 0, finishedAt: 5 });
    expect(applyResult(sent(), 'a1', 4, 5).command).toMatchObject({ state: 'done', returnCode: 4 });
  });

  it('Return < 0 marks failed with the code', () => {
    expect(applyResult(sent(), 'a1', -1004, 5).command).toMatchObject({ state: 'failed', returnCode: -1004, failure: 'device' });
  });

  it('unknown or stale attempt ids are ignored', () => {
    const c = sent();
    expect(applyResult(c, 'zzz', 0, 1)).toEqual({ command: c, effect: 'ignored' });
    const done = applyResult(c, 'a1', 0, 1).command;
    expect(applyResult(done, 'a1', -12, 2)).toEqual({ command: done, effect: 'ignored' });
  });

  it('a success from a superseded attempt still marks the command done (the device ran it)', () => {
    expect(applyResult(sent('a1', 'a2'), 'a1', 0, 60_500)).toMatchObject({ effect: 'done', command: { state: 'done' } });
  });

  it('a failure from a superseded attempt is ignored while a newer attempt is out', () => {
    const c = sent('a1', 'a2');
    expect(applyResult(c, 'a1', -12, 60_500)).toEqual({ command: c, effect: 'ignored' });
  });

  it('-5000 (queued on a sub-controller) waits for the final result and restarts the timeout', () => {
    const s = applyResult(sent('a1'), 'a1', -5000, 50_000);
    expect(s).toMatchObject({ effect: 'waiting', command: { state: 'sent', attempts: [{ attemptId: 'a1', sentAt: 50_000 }] } });
    expect(applyResult(s.command, 'a1', 0, 60_000).command.state).toBe('done');
  });
});

const claimRules: ClaimRules = { ackTimeoutMs: 60_000, maxAttempts: 3, maxCommands: 3, byteBudget: 10_000 };
const pending = (id: string, bytes = 10): HeadCommand => ({ id, state: 'pending', attempts: 0, sentAt: null, bytes, overtaken: false });
const out = (id: string, sentAt: number, attempts = 1, overtaken = false): HeadCommand => ({ id, state: 'sent', attempts, sentAt, bytes: 10, overtaken });

describe('one device: what a poll hands out (planClaim)', () => {
  it('hands out the head of the queue in order, bounded by count', () => {
    expect(planClaim([pending('1'), pending('2'), pending('3'), pending('4')], 0, claimRules)).toEqual({
      fail: [],
      offer: ['1', '2', '3'], uncounted: [],
      waiting: false,
      wakeAt: 60_000,
    });
  });

  it('bounds a reply by bytes, but a first command larger than the budget still goes alone', () => {
    const r = { ...claimRules, byteBudget: 100 };
    expect(planClaim([pending('1', 500), pending('2')], 0, r).offer).toEqual(['1']);
    expect(planClaim([pending('1', 40), pending('2', 40), pending('3')], 0, r).offer).toEqual(['1']);
    expect(planClaim([pending('1', 10), pending('2', 100 - 2 * REPLY_LINE_OVERHEAD - 10)], 0, r).offer).toEqual(['1', '2']);
  });

  it('offers nothing newer while a delivered command is outstanding, and wakes at its deadline', () => {
    expect(planClaim([out('1', 1000), pending('2')], 30_000, claimRules)).toEqual({ fail: [], offer: [], uncounted: [], waiting: true, wakeAt: 61_000 });
  });

  it('a reply is a unit: one outstanding command of it holds back everything, even answered neighbours do not help', () => {
    // 1 and 3 were answered (not in the head any more); 2 is still out.
    expect(planClaim([out('2', 0), pending('4')], 59_999, claimRules).offer).toEqual([]);
  });

  it('re-offers a timed-out reply, then everything after it, in the original order', () => {
    const p = planClaim([out('1', 0), out('2', 0), pending('3'), pending('4')], 60_000, claimRules);
    expect(p).toEqual({ fail: [], offer: ['1', '2', '3'], uncounted: [], waiting: false, wakeAt: 120_000 });
  });

  it('fails a command whose last delivery timed out, and goes on with the next', () => {
    const p = planClaim([out('1', 0, 3), pending('2')], 60_000, claimRules);
    expect(p).toEqual({ fail: [{ id: '1', why: 'attempts' }], offer: ['2'], uncounted: [], waiting: false, wakeAt: 120_000 });
  });

  it('never re-offers an overtaken command (its reply ran; re-running it would undo later commands)', () => {
    const p = planClaim([out('1', 0, 1, true), pending('5')], 60_000, claimRules);
    expect(p).toEqual({ fail: [{ id: '1', why: 'overtaken' }], offer: ['5'], uncounted: [], waiting: false, wakeAt: 120_000 });
  });

  it('a timed-out command after an outstanding one waits for it (-5000 restarted the first one\'s timeout)', () => {
    const p = planClaim([out('1', 50_000), out('2', 0)], 60_000, claimRules);
    expect(p).toMatchObject({ offer: [], uncounted: [], waiting: true, wakeAt: 110_000 });
  });

  it('an empty queue offers nothing and needs no wake-up', () => {
    expect(planClaim([], 5, claimRules)).toEqual({ fail: [], offer: [], uncounted: [], waiting: false, wakeAt: null });
  });

  it('fails an action past its validity instead of handing it out, and goes on with the rest in order', () => {
    const action = (id: string, validUntil: number): HeadCommand => ({ ...pending(id), validUntil });
    expect(planClaim([pending('1'), action('2', 1_000), pending('3')], 1_000, claimRules)).toEqual({
      fail: [{ id: '2', why: 'stale' }],
      offer: ['1', '3'], uncounted: [],
      waiting: false,
      wakeAt: 61_000,
    });
    // Still valid: handed out like any command.
    expect(planClaim([action('2', 1_001)], 1_000, claimRules).offer).toEqual(['2']);
  });

  it('never offers a timed-out action again once its validity has passed', () => {
    const sentAction: HeadCommand = { ...out('1', 0), validUntil: 30_000 };
    expect(planClaim([sentAction, pending('2')], 60_000, claimRules)).toEqual({ fail: [{ id: '1', why: 'stale' }], offer: ['2'], uncounted: [], waiting: false, wakeAt: 120_000 });
    // Outstanding and not yet timed out: its result may still come, validity or not.
    expect(planClaim([sentAction], 40_000, claimRules)).toMatchObject({ fail: [], waiting: true });
  });

  it('actions waiting behind state commands go out first, in a reply of their own; a state command offered again keeps its place', () => {
    const action = (id: string): HeadCommand => ({ ...pending(id), validUntil: 200_000 });
    expect(planClaim([pending('1'), pending('2'), pending('3'), action('9'), action('12')], 0, claimRules).offer).toEqual(['9', '12']);
    // An action the head's reply carries anyway goes with it, in order: a revoke before it is not a poll later.
    expect(planClaim([pending('1'), pending('2'), action('9'), action('12')], 0, claimRules).offer).toEqual(['1', '2', '9']);
    expect(planClaim([action('1'), pending('2'), action('3')], 0, claimRules).offer).toEqual(['1', '2', '3']);
    expect(planClaim([pending('1', 9_950), pending('2'), action('3')], 0, claimRules).offer).toEqual(['3']);
    // An action offered again after a lost reply (its timeout passed) also goes before the pending state commands.
    expect(planClaim([pending('2'), pending('3'), pending('4'), { ...out('9', 0), validUntil: 200_000 }], 60_000, claimRules).offer).toEqual(['9']);
    // (With the state commands before it, when the head's reply carries it anyway.)
    expect(planClaim([pending('2'), { ...out('9', 0), validUntil: 200_000 }], 60_000, claimRules).offer).toEqual(['2', '9']);
    // A state command offered again: the head as it is (everything after it follows it, in order).
    expect(planClaim([out('1', 0), pending('2'), action('9')], 60_000, claimRules).offer).toEqual(['1', '2', '9']);
    // Only actions, or none: the head as it is.
    expect(planClaim([action('1'), action('2')], 0, claimRules).offer).toEqual(['1', '2']);
    // A remote enrolment keeps its place behind the state commands before it (its template would be deleted by
    // them on the panel and kept in the database); an action behind it still goes first, and one offered again
    // keeps the head as it is.
    const enrol = (id: string): HeadCommand => ({ ...action(id), awaitsPerson: true });
    expect(planClaim([pending('1'), enrol('2'), pending('3'), pending('4')], 0, claimRules).offer).toEqual(['1', '2', '3']);
    expect(planClaim([pending('1'), enrol('2'), pending('3'), action('4')], 0, claimRules).offer).toEqual(['4']);
    expect(planClaim([{ ...out('2', 0), validUntil: 200_000, awaitsPerson: true }, pending('3'), action('4')], 60_000, claimRules).offer).toEqual(['2', '3', '4']);
  });

  it('new actions go first in at most MAX_OVERTAKING_REPLIES replies in a row, then the head goes; actions offered again after a lost reply still go first', () => {
    const action = (id: string): HeadCommand => ({ ...pending(id), validUntil: 200_000 });
    const queue = [pending('1'), pending('2'), pending('3'), action('9')];
    expect(planClaim(queue, 0, claimRules)).toMatchObject({ offer: ['9'], overtook: 'new' });
    const next = planClaim(queue, 0, { ...claimRules, actionsFirst: false });
    expect(next.offer).toEqual(['1', '2', '3']);
    expect(next.overtook).toBeUndefined();
    // An action whose reply was lost is the same reply again: it still goes first.
    const again = [pending('2'), pending('3'), pending('4'), { ...out('9', 0), validUntil: 200_000 }];
    expect(planClaim(again, 60_000, { ...claimRules, actionsFirst: false })).toMatchObject({ offer: ['9'], overtook: 'again' });
    // The head carrying the action anyway is no overtaking.
    expect(planClaim([pending('1'), action('2')], 0, claimRules).overtook).toBeUndefined();
  });
});

describe('one device polls again after a lost reply (planClaim with lostReplyMs)', () => {
  const lossy: ClaimRules = { ...claimRules, lostReplyMs: 2_500 };
  const sub = (c: HeadCommand): HeadCommand => ({ ...c, subcontroller: true });

  it('a poll sooner than lostReplyMs after the delivery is an overlapping one: nothing, and a wake-up at lostReplyMs', () => {
    expect(planClaim([out('1', 1000), pending('2')], 3_499, lossy)).toEqual({ fail: [], offer: [], uncounted: [], waiting: true, wakeAt: 3_500 });
  });

  it('the next poll, with no result at all, gets the lost reply again in order, with what follows it', () => {
    const p = planClaim([out('1', 1000), out('2', 1000), pending('3'), pending('4')], 3_500, lossy);
    expect(p).toEqual({ fail: [], offer: ['1', '2', '3'], uncounted: [], waiting: false, wakeAt: 6_000 });
  });

  it('results lost behind answered later ones: those commands ran and fail at once; the unanswered tail is offered again', () => {
    // Reply 1, 2, 3, 4: 2 was answered (it is no longer in the head), so 1 ran; 3 and 4 may not have.
    const p = planClaim([out('1', 0, 1, true), out('3', 0), out('4', 0), pending('5')], 6_000, lossy);
    expect(p).toEqual({ fail: [{ id: '1', why: 'overtaken' }], offer: ['3', '4', '5'], uncounted: [], waiting: false, wakeAt: 8_500 });
  });

  it('a reply the device ran only the start of (one command per poll): the rest is offered again without using up attempts', () => {
    // Reply 1, 2, 3: 1 was answered (no longer in the head); 2 and 3 follow it in that reply. 2 is on its last
    // delivery, which would otherwise wait for its timeout: it did not run, so it goes again at once.
    const after = (c: HeadCommand): HeadCommand => ({ ...c, followsAnswered: true });
    const p = planClaim([after(out('2', 0, 3)), after(out('3', 0, 2)), pending('4')], 6_000, lossy);
    expect(p).toEqual({ fail: [], offer: ['2', '3', '4'], uncounted: ['2', '3'], waiting: false, wakeAt: 8_500 });
  });

  it('its last delivery is not settled early: only the timeout fails it (a late result still counts until then)', () => {
    expect(planClaim([out('1', 0, 3), pending('2')], 6_000, lossy)).toEqual({ fail: [], offer: [], uncounted: [], waiting: true, wakeAt: 60_000 });
    expect(planClaim([out('1', 0, 3), pending('2')], 60_000, lossy).fail).toEqual([{ id: '1', why: 'attempts' }]);
  });

  it('a command answered -5000 waits for its final result from the sub-controller, however often the device polls', () => {
    expect(planClaim([sub(out('1', 1000)), out('2', 1000), pending('3')], 30_000, lossy)).toEqual({ fail: [], offer: [], uncounted: [], waiting: true, wakeAt: 61_000 });
  });

  it('a remote enrolment waits for the person, however often the device polls meanwhile; its timeout settles it', () => {
    const enrol = (c: HeadCommand): HeadCommand => ({ ...c, awaitsPerson: true });
    expect(planClaim([enrol(out('1', 1000)), pending('2')], 30_000, lossy)).toEqual({ fail: [], offer: [], uncounted: [], waiting: true, wakeAt: 61_000 });
    expect(planClaim([enrol(out('1', 1000)), pending('2')], 61_000, lossy).offer).toEqual(['1', '2']);
  });

  it('a restart delivered without a result fails at the next poll (or its timeout) instead of going again', () => {
    const once = (c: HeadCommand): HeadCommand => ({ ...c, deliverOnce: true });
    expect(planClaim([once(out('1', 1000)), pending('2')], 3_500, lossy)).toEqual({ fail: [{ id: '1', why: 'once' }], offer: ['2'], uncounted: [], waiting: false, wakeAt: 6_000 });
  });

  it('a remote action delivered before the device registered again fails when settled; a state command of that reply goes again', () => {
    const restarted = (c: HeadCommand, validUntil: number | null): HeadCommand => ({ ...c, restartedSince: true, validUntil });
    expect(planClaim([restarted(out('1', 1000), 60_000), restarted(out('2', 1000), null), pending('3')], 3_500, lossy)).toMatchObject({ fail: [{ id: '1', why: 'restarted' }], offer: ['2', '3'] });
    // Not restarted since: the action is offered again as any lost reply's command.
    expect(planClaim([{ ...out('1', 1000), validUntil: 60_000 }, pending('3')], 3_500, lossy)).toMatchObject({ fail: [], offer: ['1', '3'] });
  });

  it('is off when lostReplyMs is not shorter than the timeout', () => {
    expect(planClaim([out('1', 0), pending('2')], 3_000, { ...claimRules, ackTimeoutMs: 2_000, lostReplyMs: 2_500 }).offer).toEqual(['1', '2']);
    expect(planClaim([out('1', 0), pending('2')], 1_999, { ...claimRules, ackTimeoutMs: 2_000, lostReplyMs: 2_500 })).toMatchObject({ offer: [], uncounted: [], wakeAt: 2_000 });
  });
});

describe('one device: what a devicecmd body does (planResults)', () => {
  const sentCmd = (id: string, attempt: string): AnsweredCommand => ({ id, state: 'sent', currentAttempt: attempt, returnCode: null });

  it('success and failure of current deliveries finish their commands, once', () => {
    const p = planResults([sentCmd('1', 'a1'), sentCmd('2', 'a2')], [
      { commandId: '1', attemptId: 'a1', returnCode: 0 },
      { commandId: '2', attemptId: 'a2', returnCode: -12 },
      { commandId: '2', attemptId: 'a2', returnCode: 0 },
    ], 5);
    expect(p.finished).toEqual([
      { id: '1', state: 'done', returnCode: 0 },
      { id: '2', state: 'failed', returnCode: -12 },
    ]);
    expect(p.effects).toEqual(['done', 'failed', 'ignored']);
    expect(p.changes).toEqual([
      { id: '1', state: 'done', returnCode: 0, restartTimeout: false },
      { id: '2', state: 'failed', returnCode: -12, restartTimeout: false },
    ]);
  });

  it('an empty DATA QUERY ATTLOG (Return=-1) is done with its Return kept; -1 elsewhere still fails', () => {
    const q = 'DATA QUERY ATTLOG StartTime=2026-01-01 00:00:00\tEndTime=2026-01-02 00:00:00';
    expect(isBenignReturn(q, -1)).toBe(true);
    expect(isBenignReturn(q, -1004)).toBe(false);
    expect(isBenignReturn('DATA QUERY ATTLOGX', -1)).toBe(false);
    expect(isBenignReturn('DATA UPDATE USERINFO PIN=1', -1)).toBe(false);
    const p = planResults([{ ...sentCmd('1', 'a1'), command: q }, { ...sentCmd('2', 'a2'), command: 'DATA UPDATE USERINFO PIN=1' }], [
      { commandId: '1', attemptId: 'a1', returnCode: -1 },
      { commandId: '2', attemptId: 'a2', returnCode: -1 },
    ], 5);
    expect(p.finished).toEqual([
      { id: '1', state: 'done', returnCode: -1 },
      { id: '2', state: 'failed', returnCode: -1 },
    ]);
  });

  it("a terminal's delete by PIN answered -10 (the user is not there) is done; -10 is a failure elsewhere and on panels", () => {
    const del = 'DATA DELETE USERINFO PIN=7';
    expect(isBenignReturn(del, -10, 'attendance')).toBe(true);
    expect(isBenignReturn('DATA DELETE BIODATA Pin=7', -10, 'attendance')).toBe(true);
    expect(isBenignReturn('DATA DELETE FINGERTMP PIN=7\tFID=1', -10, 'attendance')).toBe(true);
    // Security PUSH -10: "Incorrect data. Failed to resolve data API".
    expect(isBenignReturn(del, -10)).toBe(false);
    expect(isBenignReturn(del, -10, 'security')).toBe(false);
    // An update for a user who is not there did not do what it was for.
    expect(isBenignReturn('DATA UPDATE BIODATA Pin=7\tNo=1', -10, 'attendance')).toBe(false);
    expect(isBenignReturn(del, -1, 'attendance')).toBe(false);
    const p = planResults([{ ...sentCmd('1', 'a1'), command: del }, { ...sentCmd('2', 'a2'), command: 'DATA UPDATE USERPIC PIN=7\tSize=1' }], [
      { commandId: '1', attemptId: 'a1', returnCode: -10 },
      { commandId: '2', attemptId: 'a2', returnCode: -10 },
    ], 5, 'attendance');
    expect(p.finished).toEqual([
      { id: '1', state: 'done', returnCode: -10 },
      { id: '2', state: 'failed', returnCode: -10 },
    ]);
    expect(planResults([{ ...sentCmd('1', 'a1'), command: del }], [{ commandId: '1', attemptId: 'a1', returnCode: -10 }], 5).finished).toEqual([{ id: '1', state: 'failed', returnCode: -10 }]);
  });

  it("a terminal's remote enrolment answered with a positive error code (Appendix 1, 12.6.2) fails; a positive Return elsewhere is a count", () => {
    const fp = 'ENROLL_FP PIN=1\tFID=6\tRETRY=3\tOVERWRITE=1';
    const mf = 'ENROLL_MF PIN=1\tRETRY=3';
    const results = (code: number) => [{ commandId: '1', attemptId: 'a1', returnCode: code }];
    expect(planResults([{ ...sentCmd('1', 'a1'), command: fp }], results(4), 5, 'attendance').finished).toEqual([{ id: '1', state: 'failed', returnCode: 4 }]);
    expect(planResults([{ ...sentCmd('1', 'a1'), command: fp }], results(0), 5, 'attendance').finished).toEqual([{ id: '1', state: 'done', returnCode: 0 }]);
    // ENROLL_MF has no code 2 or 7; a panel's positive Return is a record count.
    expect(planResults([{ ...sentCmd('1', 'a1'), command: mf }], results(2), 5, 'attendance').finished).toEqual([{ id: '1', state: 'done', returnCode: 2 }]);
    expect(planResults([{ ...sentCmd('1', 'a1'), command: fp }], results(4), 5).finished).toEqual([{ id: '1', state: 'done', returnCode: 4 }]);
    expect(planResults([{ ...sentCmd('1', 'a1'), command: 'DATA QUERY USERINFO PIN=1' }], results(4), 5, 'attendance').finished).toEqual([{ id: '1', state: 'done', returnCode: 4 }]);
  });

  it('a late success of a superseded delivery completes the command; a late failure of one is ignored', () => {
    expect(planResults([sentCmd('1', 'a2')], [{ commandId: '1', attemptId: 'a1', returnCode: 0 }], 5).finished).toEqual([{ id: '1', state: 'done', returnCode: 0 }]);
    expect(planResults([sentCmd('1', 'a2')], [{ commandId: '1', attemptId: 'a1', returnCode: -12 }], 5)).toEqual({ changes: [], finished: [], effects: ['ignored'] });
  });

  it('results for finished commands change nothing (a re-posted body, a second process)', () => {
    const done: AnsweredCommand = { id: '1', state: 'done', currentAttempt: 'a1', returnCode: 0 };
    const failed: AnsweredCommand = { id: '2', state: 'failed', currentAttempt: 'a2', returnCode: null };
    const p = planResults([done, failed], [
      { commandId: '1', attemptId: 'a1', returnCode: -12 },
      { commandId: '2', attemptId: 'a2', returnCode: 0 },
    ], 5);
    expect(p).toEqual({ changes: [], finished: [], effects: ['ignored', 'ignored'] });
  });

  it('-5000 restarts the timeout, and the final result that follows in the same body finishes the command', () => {
    expect(planResults([sentCmd('1', 'a1')], [{ commandId: '1', attemptId: 'a1', returnCode: -5000 }], 5).changes).toEqual([
      { id: '1', state: 'sent', returnCode: -5000, restartTimeout: true },
    ]);
    const both = planResults([sentCmd('1', 'a1')], [
      { commandId: '1', attemptId: 'a1', returnCode: -5000 },
      { commandId: '1', attemptId: 'a1', returnCode: 0 },
    ], 5);
    expect(both.finished).toEqual([{ id: '1', state: 'done', returnCode: 0 }]);
    expect(both.changes).toEqual([{ id: '1', state: 'done', returnCode: 0, restartTimeout: false }]);
  });

  it('ignores results for commands it was not given', () => {
    expect(planResults([], [{ commandId: '9', attemptId: 'x', returnCode: 0 }], 5).effects).toEqual(['ignored']);
  });
});
