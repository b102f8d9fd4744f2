/**
 * Grp and TZ a terminal reported for a user (terminal-group.e2e-spec.ts) under the faults of real terminals and
 * networks: the reply carrying the area's other terminal its USERINFO lost, that USERINFO refused (negative Return)
 * beside a neighbour's, and terminals reset (the one it was enrolled at, and the other). Each time the user comes
 * back with the group and periods reported, never Grp=1 and the group's periods, and a refused line costs only itself.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { settingsOf, sleep } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let enrol: AttendanceTerminal;
let peer: AttendanceTerminal;

const PERSONAL = '0001000200010000';
const LOST_REPLY_MS = 300;

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 0, syncRetryMaxMs: 0 });
  // A lost reply is noticed at the terminal's next poll LOST_REPLY_MS after it (the product's 2.5 s would cost
  // each of the file's eleven settles that long, 30 s in all): what is tested is Grp and TZ, not the window.
  Object.assign(settingsOf(t), { lostReplyMs: LOST_REPLY_MS });
  reconciler = t.app.get(SyncReconciler);
  enrol = await initialisedTerminal(t, { sn: 'ATT-GRPF-ENROL' });
  peer = await initialisedTerminal(t, { sn: 'ATT-GRPF-PEER' });
  await settle(enrol);
  await settle(peer);
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const settle = async (term: AttendanceTerminal) => {
  await settleTerminal(reconciler, term);
  // Past the lost-reply window, and a reconciler tick (it retries what failed).
  await sleep(LOST_REPLY_MS + 200);
  await reconciler.runOnce();
  await settleTerminal(reconciler, term);
};
const heldOn = (term: AttendanceTerminal, pin: string) => {
  const u = term.users.get(pin);
  return u && { name: u.name, grp: u.fields.Grp, tz: u.fields.TZ };
};

describe('Grp and TZ sent back to terminals, with faults', () => {
  it('the reply carrying the other terminal the user is lost: sent again with the reported Grp and TZ', async () => {
    peer.loseNextReply(1);
    expect((await enrol.enrollUser({ pin: '7601', name: 'Blocked', grp: 100, tz: PERSONAL })).body).toBe('OK: 2');
    await reconciler.idle();
    expect(await peer.poll()).toEqual([]);
    expect(peer.lostReplies.some((b) => b.includes('PIN=7601'))).toBe(true);
    await settle(peer);
    expect(heldOn(peer, '7601')).toEqual({ name: 'Blocked', grp: '100', tz: PERSONAL });
  });

  it('a refused USERINFO costs that user only; retried, it carries the reported Grp and TZ', async () => {
    peer.failCommands((c) => c.startsWith('DATA UPDATE USERINFO PIN=7602\t'), -1, 1);
    expect((await enrol.enrollUser({ pin: '7602', name: 'Refused', grp: 100, tz: PERSONAL })).body).toBe('OK: 2');
    expect((await enrol.enrollUser({ pin: '7603', name: 'Neighbour', grp: 7, tz: PERSONAL })).body).toBe('OK: 2');
    await reconciler.idle();
    const first = await peer.drain();
    expect(first.filter((c) => c.command.includes('PIN=7602')).map((c) => c.returnCode)).toContain(-1);
    expect(heldOn(peer, '7603')).toEqual({ name: 'Neighbour', grp: '7', tz: PERSONAL });
    await settle(peer);
    expect(heldOn(peer, '7602')).toEqual({ name: 'Refused', grp: '100', tz: PERSONAL });
  });

  it('the other terminal reset: its users come back with their Grp and TZ', async () => {
    expect(await peer.factoryReset()).toBe(true);
    expect(peer.users.size).toBe(0);
    // What its initialisation owes done first, its next INFO= (0 users) is judged: everything it should hold is sent.
    await settle(peer);
    await peer.poll(true);
    await settle(peer);
    expect(heldOn(peer, '7601')).toEqual({ name: 'Blocked', grp: '100', tz: PERSONAL });
    expect(heldOn(peer, '7602')).toEqual({ name: 'Refused', grp: '100', tz: PERSONAL });
    expect(heldOn(peer, '7603')).toEqual({ name: 'Neighbour', grp: '7', tz: PERSONAL });
  });

  it('a terminal reset that sends INFO= only on its first poll, while a command is still out to it: asked INFO later, its users come back', async () => {
    expect(await peer.factoryReset()).toBe(true);
    // A REST edit queues the neighbour's record for it: with that still out, the count of its first poll is not judged.
    expect((await t.post('/api/person/add', { pin: '7603', name: 'Neighbour Two' })).body.code).toBe(0);
    await reconciler.idle();
    await peer.poll(true);
    await settle(peer);
    expect([...peer.users.keys()]).toEqual(['7603']);
    // It never sends INFO= again by itself; past its Delay the gateway asks (INFO command) and judges the answer.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(Date.now() + 120_000));
    await settle(peer);
    vi.setSystemTime(new Date(Date.now() + 120_000));
    await settle(peer);
    expect(peer.executed.some((c) => c.command === 'INFO')).toBe(true);
    expect(heldOn(peer, '7601')).toEqual({ name: 'Blocked', grp: '100', tz: PERSONAL });
    expect(heldOn(peer, '7603')).toEqual({ name: 'Neighbour Two', grp: '7', tz: PERSONAL });
  });

  it('the terminal they were enrolled at reset: it is sent them back with what it reported', async () => {
    expect(await enrol.factoryReset()).toBe(true);
    await settle(enrol);
    await enrol.poll(true);
    await settle(enrol);
    expect(heldOn(enrol, '7601')).toEqual({ name: 'Blocked', grp: '100', tz: PERSONAL });
    expect(heldOn(enrol, '7603')).toEqual({ name: 'Neighbour Two', grp: '7', tz: PERSONAL });
  });
});
