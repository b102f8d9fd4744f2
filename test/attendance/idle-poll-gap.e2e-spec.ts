/**
 * A terminal seen again after an outage is asked for the punches of the gap (DATA QUERY ATTLOG), but a terminal that
 * is only idle is not: real terminals poll every 30 s when idle whatever Delay they are handed, now and then a
 * second late (field samples hdr-mb160-getrequest, poll-aiface-adaptive: 17:08:44, 17:09:15, 17:09:45, 17:10:15), and
 * an AiFace polls at 1 s after a command, climbing back to 30 s. The gateway's clock is stepped (vi.setSystemTime,
 * Date only) so that the quiet between requests is the field's to the second.
 */
import { afterEach, expect, it, vi } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, punchesOf, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));
afterEach(() => {
  vi.useRealTimers();
});

const wall = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

it('an idle terminal polling every 30 to 31 s is sent no DATA QUERY ATTLOG; one back after an outage is, once, and its punches are stored once', async () => {
  // Near the real clock: timers the gateway arms from it stay in range.
  let now = Math.floor(Date.now() / 1000) * 1000;
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  const term = await initialisedTerminal(t, { sn: 'ATT-IDLE-30S' });
  await settleTerminal(reconciler, term);
  const queries: string[] = [];
  const pollAfter = async (seconds: number) => {
    now += seconds * 1000;
    vi.setSystemTime(now);
    await reconciler.idle();
    const done = await term.poll(true);
    queries.push(...done.map((d) => d.command).filter((c) => c.startsWith('DATA QUERY ATTLOG')));
    return done;
  };
  // Idle: 30 s, a second late now and then (the AiFace's 17:08:44, 17:09:15, 17:09:45, 17:10:15).
  for (let i = 0; i < 12; i++) await pollAfter(i % 3 === 0 ? 31 : 30);
  // A command (an operator's CHECK), after which it polls fast and climbs back to its idle 30 s.
  expect((await t.post('/api/gateway/attendance/terminals/ATT-IDLE-30S/command', { action: 'check' })).body.code).toBe(0);
  for (const s of [31, 1, 1, 3, 5, 8, 8, 15, 30, 31, 30, 31]) await pollAfter(s);
  expect(queries).toEqual([]);
  // An outage: a punch it could not send, then the gateway unreachable for two minutes.
  term.online = false;
  await term.punch({ pin: '7301', time: wall(now + 10_000), status: 0, verify: 1 });
  term.online = true;
  await pollAfter(120);
  await settleTerminal(reconciler, term);
  expect(queries).toHaveLength(1);
  expect(await punchesOf(t, 'ATT-IDLE-30S')).toMatchObject([{ pin: '7301', at: wall(now - 110_000) }]);
  // Idle again: no query.
  for (let i = 0; i < 6; i++) await pollAfter(i % 2 ? 31 : 30);
  expect(queries).toHaveLength(1);
  // The punch once, however often it came back.
  await term.uploadAttlog(term.log);
  expect(await punchesOf(t, 'ATT-IDLE-30S')).toHaveLength(1);
});
