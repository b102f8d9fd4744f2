import { describe, expect, it } from 'vitest';
import { applyResult, deadline, expire, newCommand, offer, type QueueCommand, type QueueRules } from './command-rules';

const rules: QueueRules = { ackTimeoutMs: 60_000, maxAttempts: 3 };
const sent = (id = 'a1', at = 0): QueueCommand => offer(newCommand(), id, at, rules).command;

describe('command queue rules', () => {
  it('pending → sent with its own attempt id', () => {
    const s = offer(newCommand(), 'a1', 1000, rules);
    expect(s.effect).toBe('sent');
    expect(s.command).toMatchObject({ state: 'sent', attempts: [{ attemptId: 'a1', sentAt: 1000 }] });
    expect(deadline(s.command, rules)).toBe(61_000);
  });

  it('Return >= 0 marks done; a positive Return (QUERY count) is success', () => {
    expect(applyResult(sent(), 'a1', 0, 5).command).toMatchObject({ state: 'done', returnCode: 0, finishedAt: 5 });
    expect(applyResult(sent(), 'a1', 4, 5).command).toMatchObject({ state: 'done', returnCode: 4 });
  });

  it('Return < 0 marks failed with the code', () => {
    expect(applyResult(sent(), 'a1', -1004, 5).command).toMatchObject({ state: 'failed', returnCode: -1004, failure: 'device' });
  });

  it('not expired before the deadline', () => {
    expect(expire(sent(), 59_999, rules).effect).toBe('ignored');
  });

  it('timeout re-offers under a NEW attempt id, up to maxAttempts, then fails', () => {
    let c = sent('a1', 0);
    let s = expire(c, 60_000, rules);
    expect(s).toMatchObject({ effect: 'requeued', command: { state: 'pending' } });
    c = offer(s.command, 'a2', 60_001, rules).command;
    c = offer(expire(c, 120_001, rules).command, 'a3', 120_002, rules).command;
    expect(c.attempts.map((a) => a.attemptId)).toEqual(['a1', 'a2', 'a3']);
    s = expire(c, 180_002, rules);
    expect(s).toMatchObject({ effect: 'failed', command: { state: 'failed', failure: 'timeout' } });
    expect(offer(s.command, 'a4', 180_003, rules).effect).toBe('ignored');
  });

  it('reusing an attempt id is a bug', () => {
    const c = expire(sent('a1', 0), 60_000, rules).command;
    expect(() => offer(c, 'a1', 60_001, rules)).toThrow(/reused/);
  });

  it('unknown or stale attempt ids are ignored', () => {
    const c = sent();
    expect(applyResult(c, 'zzz', 0, 1)).toEqual({ command: c, effect: 'ignored' });
    const done = applyResult(c, 'a1', 0, 1).command;
    expect(applyResult(done, 'a1', -12, 2)).toEqual({ command: done, effect: 'ignored' });
  });

  it('a success from a superseded attempt still marks the command done (the device ran it)', () => {
    const c = offer(expire(sent('a1', 0), 60_000, rules).command, 'a2', 60_001, rules).command;
    expect(applyResult(c, 'a1', 0, 60_500)).toMatchObject({ effect: 'done', command: { state: 'done' } });
  });

  it('a failure from a superseded attempt is ignored while a newer attempt is out', () => {
    const c = offer(expire(sent('a1', 0), 60_000, rules).command, 'a2', 60_001, rules).command;
    expect(applyResult(c, 'a1', -12, 60_500)).toEqual({ command: c, effect: 'ignored' });
  });

  it('a late result for the expired current attempt still counts', () => {
    const c = expire(sent('a1', 0), 60_000, rules).command;
    expect(applyResult(c, 'a1', 0, 60_100).command.state).toBe('done');
  });

  it('-5000 (queued on a sub-controller) waits for the final result and restarts the timeout', () => {
    const s = applyResult(sent('a1', 0), 'a1', -5000, 50_000);
    expect(s).toMatchObject({ effect: 'waiting', command: { state: 'sent' } });
    expect(deadline(s.command, rules)).toBe(110_000);
    expect(applyResult(s.command, 'a1', 0, 60_000).command.state).toBe('done');
  });
});
