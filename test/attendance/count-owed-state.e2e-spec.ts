/**
 * What the convergence views say of an attendance terminal whose user count is owed (att_terminal.count_due): it
 * initialised again, and its count is judged from an INFO with nothing of ours in flight. A factory reset whose first
 * INFO came with commands still unanswered is judged only at a later INFO; in between it was said synced while wiped
 * (found by the terminal twin fault hunt, seeds 2 and 4). And a terminal that confirmed no user (its user record
 * refused) but its template or photo, reset, counting 0 users: believed to hold them still (seed 5).
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf, sleep } from '../push/push-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 200, syncRetryMaxMs: 400 }, (app) => ({ t, reconciler } = app));

const photoOf = (s: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(s), Buffer.from([0xff, 0xd9])]).toString('base64');
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
const stateOn = async (pin: string, sn: string) => (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data.find((d: { deviceSn: string }) => d.deviceSn === sn);

/** A terminal in its own area holding person `pin` with a photo, everything confirmed. */
async function terminalWithPhoto(sn: string, pin: string): Promise<AttendanceTerminal> {
  expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
  const term = await initialisedTerminal(t, { sn });
  expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
  expect((await t.post('/api/person/updatePersonnelPhoto', { pin, personPhoto: photoOf(`photo ${pin}`) })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
  await settled(term);
  expect(term.photos.has(pin)).toBe(true);
  return term;
}

/** Polls with INFO and runs the reconciler until the device view says synced (a 20 s deadline). */
async function settled(term: AttendanceTerminal): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await reconciler.idle();
    await settleTerminal(reconciler, term);
    await term.poll(true);
    await reconciler.idle();
    const c = await convergence(term.sn);
    if (c.state === 'synced' || Date.now() > deadline) return c;
    await sleep(100);
    await reconciler.runOnce();
  }
}

describe('a factory reset whose first INFO comes with a command of ours unanswered', () => {
  it('is not said synced while its count is owed, and converges with the photo once its next INFO is judged', async () => {
    Object.assign(settingsOf(t), { lostReplyMs: 200 });
    const term = await terminalWithPhoto('ATT-CO-RESET', '8601');
    // A name edit, its reply lost on the way: the command is in flight, never run.
    term.loseNextReply();
    expect((await t.post('/api/person/add', { pin: '8601', name: 'Renamed' })).body.code).toBe(0);
    expect(await term.poll(true)).toEqual([]);
    expect(await term.factoryReset()).toBe(true);
    // Its INFOs (0 users) come while the edit is in flight: its count is held. The edit is offered again, run on the
    // wiped terminal and answered: the terminal holds the user record, not the photo.
    const deadline = Date.now() + 20_000;
    while (!term.users.has('8601') && Date.now() < deadline) {
      await term.poll(true);
      await sleep(50);
    }
    expect(term.users.get('8601')?.name).toBe('Renamed');
    expect(term.photos.has('8601')).toBe(false);
    await reconciler.idle();
    const c = await convergence('ATT-CO-RESET');
    expect(c).toMatchObject({ state: 'pending', divergent: false, pendingCommands: 0 });
    expect(c.owed).toEqual([expect.objectContaining({ kind: 'count' })]);
    expect(await stateOn('8601', 'ATT-CO-RESET')).toMatchObject({ state: 'pending', holds: false });
    // Its next INFO (1 user, the one put since the reset) is judged: the photo goes again.
    expect(await settled(term)).toMatchObject({ state: 'synced', divergent: false, owed: [] });
    expect(term.photos.get('8601')?.content).toBe(photoOf('photo 8601'));
    expect(await stateOn('8601', 'ATT-CO-RESET')).toMatchObject({ state: 'synced', holds: true });
  });
});

describe('an ordinary reboot', () => {
  it('is pending until its next INFO, and synced at that INFO', async () => {
    const term = await terminalWithPhoto('ATT-CO-BOOT', '8611');
    expect(await term.init()).toBe(true);
    await reconciler.idle();
    // The verification its initialisation owes is planned (nothing to send), its count owed still.
    await reconciler.runOnce();
    await reconciler.idle();
    expect(await convergence('ATT-CO-BOOT')).toMatchObject({ state: 'pending', owed: [expect.objectContaining({ kind: 'count' })] });
    expect(await stateOn('8611', 'ATT-CO-BOOT')).toMatchObject({ state: 'pending' });
    // One poll with INFO: its count (1 user, as confirmed) is judged, and nothing is sent.
    expect(await term.poll(true)).toEqual([]);
    await reconciler.idle();
    expect(await convergence('ATT-CO-BOOT')).toMatchObject({ state: 'synced', divergent: false, pendingCommands: 0, unconfirmedItems: 0, owed: [] });
    expect(await stateOn('8611', 'ATT-CO-BOOT')).toMatchObject({ state: 'synced', holds: true });
  });
});

describe('a terminal that refuses the user record, reset twice', () => {
  it('counting no users after the second reset, holds none of the photo it confirmed: sent again, not said synced without it', async () => {
    const term = await terminalWithPhoto('ATT-CO-TWICE', '8621');
    const refusal = term.failCommands((c) => c.startsWith('DATA UPDATE USERINFO PIN=8621'), -12, 'always');
    expect(refusal).toBeDefined();
    // The first reset: its count of 0 where it confirmed the user owes a full sync; the user record refused, the
    // photo taken.
    expect(await term.factoryReset()).toBe(true);
    await settleWithInfo(term);
    expect(term.users.has('8621')).toBe(false);
    expect(term.photos.has('8621')).toBe(true);
    // A second reset, the user record still refused: 0 users, none confirmed; the photo confirmed before it is gone.
    expect(await term.factoryReset()).toBe(true);
    await settleWithInfo(term);
    // The refusal ends: the record's retry lands. Said synced only with the photo back.
    term.clearFaults();
    const c = await settled(term);
    expect(c).toMatchObject({ state: 'synced' });
    expect(term.users.has('8621')).toBe(true);
    expect(term.photos.get('8621')?.content).toBe(photoOf('photo 8621'));
  });
});

/** A few rounds of polls with INFO and reconciler passes (not waiting for synced: a refusal is retried). */
async function settleWithInfo(term: AttendanceTerminal): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await term.poll(true);
    await reconciler.idle();
    await settleTerminal(reconciler, term);
  }
}
