/**
 * A person deleted while the device's result for that delete is lost, then added again with the same record. The
 * gateway cannot know whether the device ran the delete: `GET /api/gateway/persons/{pin}/devices` must never say
 * `synced` (nor `holds`) while the device lacks the person, and once the device holds again exactly what the
 * database gives (the same device reset and synced from scratch holds the same), it says `synced`.
 *
 * The case that went wrong: a delete whose result was lost behind later answered commands (the panel posts each
 * result on its own and one post is lost) fails with no Return. It was taken as not run (the user still held as
 * before), so the person added again with the same record matched what the panel was believed to hold: nothing was
 * sent, the failure was settled, and both answers said synced while the panel (or terminal) had no such user.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { heldBiometrics, initialisedTerminal, wantedBiometrics } from '../attendance/attendance-helpers';
import { Device, levelId, PHOTO } from './access-helpers';
import { claimsSynced, convergenceOf, fromScratch, ok, tableSnapshot, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((a) => ({ t, reconciler } = a));

const TABLES = ['user', 'userauthorize', 'timezone'];
const finger = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PersonDeviceAnswer {
  state: string;
  holds: boolean;
  unconfirmed: string[];
  lastError: string | null;
}

/** The person's entry for this device in `GET /api/gateway/persons/{pin}/devices`. */
async function answerFor(sn: string, pin: string): Promise<PersonDeviceAnswer | undefined> {
  const body = (await t.get(`/api/gateway/persons/${pin}/devices`)).body;
  expect(body.code, body.message).toBe(0);
  return (body.data as Array<PersonDeviceAnswer & { deviceSn: string }>).find((x) => x.deviceSn === sn);
}

/** A gauge's value in /metrics. */
async function metric(name: string): Promise<number> {
  const line = new RegExp(`^${name} (\\S+)$`, 'm').exec((await t.request('GET', '/metrics')).text);
  expect(line, name).not.toBeNull();
  return Number(line![1]);
}

/** While the device lacks the person, no answer may say it holds them. */
async function expectNoClaim(sn: string, pin: string, lacks: boolean): Promise<void> {
  if (!lacks) return;
  const a = await answerFor(sn, pin);
  expect(a?.state, JSON.stringify(a)).not.toBe('synced');
  expect(a?.holds, JSON.stringify(a)).toBe(false);
  expect(claimsSynced(await convergenceOf(t, sn))).toBe(false);
}

/**
 * Polls (past the lost-reply time, so unanswered deliveries are settled) and runs the reconciler until the answer
 * says synced, checking at every step that nothing claims the person while the device lacks them.
 */
async function converge(sn: string, pin: string, poll: () => Promise<unknown>, lacks: () => boolean): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await expectNoClaim(sn, pin, lacks());
    if ((await answerFor(sn, pin))?.state === 'synced' && claimsSynced(await convergenceOf(t, sn))) return;
    await sleep(250);
    await poll();
    await reconciler.runOnce();
    await reconciler.idle();
  }
}

/** Polls past the lost-reply time until the person's answer for the device reports the delete's lost result. */
async function untilNoResult(sn: string, pin: string, poll: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 20 && (await answerFor(sn, pin))?.lastError !== 'no result'; i++) {
    await sleep(250);
    await poll();
    await reconciler.idle();
  }
  expect(await answerFor(sn, pin)).toMatchObject({ lastError: 'no result' });
}

describe('a person deleted, the delete run by the device and its result lost, then added again', () => {
  async function panel(sn: string, ip: string, name: string): Promise<{ d: Device; level: string }> {
    const d = await Device.connect(t, sn, 1, ip);
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: name, doorName: `${ip}-1` }] }));
    return { d, level: await levelId(t, name) };
  }

  /**
   * Deletes the person while another is added, both in one reply; the panel runs them all, and the post carrying the
   * user delete's result is lost while the others arrive. Returns once the person's answer reports the lost result.
   */
  async function deleteResultLost(d: Device, sn: string, pin: string, other: Record<string, string>): Promise<void> {
    d.sim.holdResults((c) => c.verb === 'DATA DELETE' && c.table === 'user');
    await ok(t.delete(`/api/person/delete/${pin}`));
    await ok(t.post('/api/person/add', other));
    await d.sim.poll();
    d.sim.dropHeldResults();
    d.sim.stopHoldingResults();
    expect(d.sim.user(pin)).toBeUndefined();
    expect(d.sim.user(other.pin)).toMatchObject({ Name: other.name });
    await untilNoResult(sn, pin, () => d.sim.poll());
  }

  it('a panel whose delete result was lost behind answered commands: never synced while it lacks the user, synced once it holds exactly the database', { timeout: 120_000 }, async () => {
    const sn = 'RDL00001';
    const { d, level } = await panel(sn, '10.76.0.1', 'RDLA');
    const ann = { pin: '7601', name: 'Ann', accLevelIds: level, cardNo: '760101' };
    await ok(t.post('/api/person/add', ann));
    await converge(sn, '7601', () => d.sim.pollUntilIdle({ maxPolls: 50 }), () => false);
    expect(d.sim.user('7601')).toMatchObject({ Name: 'Ann' });

    await deleteResultLost(d, sn, '7601', { pin: '7699', name: 'Bob', accLevelIds: level });

    // Added again, the same record: the panel still lacks the user.
    await ok(t.post('/api/person/add', ann));
    expect(d.sim.user('7601')).toBeUndefined();
    const readded = await answerFor(sn, '7601');
    expect(readded).toMatchObject({ holds: false });
    expect(readded?.state).not.toBe('synced');
    expect(readded?.unconfirmed).toContain('user');

    await converge(sn, '7601', () => d.sim.pollUntilIdle({ maxPolls: 50 }), () => !d.sim.user('7601'));
    expect(await answerFor(sn, '7601')).toMatchObject({ state: 'synced', holds: true, unconfirmed: [] });
    expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    expect(d.sim.user('7601')).toMatchObject({ Name: 'Ann', CardNo: '760101' });
    expect(d.sim.rightsOf('7601').map((r) => r.doors)).toEqual([[1]]);
    // Exactly what the database gives: the same panel reset and synced from scratch holds the same rows.
    const held = tableSnapshot(d.sim, TABLES);
    expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(held);
  });

  it('a panel whose delete result was lost, the person added again: while the retry is on its way both answers say pending', async () => {
    const sn = 'RDL00004';
    const { d, level } = await panel(sn, '10.76.0.4', 'RDL-retry');
    const eve = { pin: '7604', name: 'Eve', accLevelIds: level };
    await ok(t.post('/api/person/add', eve));
    await converge(sn, '7604', () => d.sim.pollUntilIdle({ maxPolls: 50 }), () => false);
    await deleteResultLost(d, sn, '7604', { pin: '7698', name: 'Finn', accLevelIds: level });
    await ok(t.post('/api/person/add', eve));
    // Nothing runs on its own here (no periodic pass, the panel does not poll): the device's view and /metrics count
    // the same failing items, whether the user waits out its backoff (failing) or the add queued its retry (not).
    expect(await metric('cvgw_sync_failing_items')).toBe((await convergenceOf(t, sn)).failingItems);

    // The panel does not poll: once the user's backoff ends, the reconciler queues its retry, and it waits there.
    const userRetryQueued = async () => {
      const body = (await t.get(`/api/gateway/devices/${sn}/commands?state=pending`)).body;
      expect(body.code, body.message).toBe(0);
      return (body.data.data as Array<{ command: string }>).some((c) => /^DATA UPDATE user .*Pin=7604\b/.test(c.command));
    };
    for (let i = 0; i < 20 && !(await userRetryQueued()); i++) {
      await sleep(250);
      await reconciler.runOnce();
      await reconciler.idle();
    }
    expect(await userRetryQueued()).toBe(true);
    const retry = await answerFor(sn, '7604');
    expect(retry, JSON.stringify(retry)).toMatchObject({ state: 'pending', holds: false, lastError: 'no result' });
    expect(d.sim.user('7604')).toBeUndefined();
    // The device's convergence says the same at the same moment: the failure is being retried, not divergent.
    const c = await convergenceOf(t, sn);
    expect(c, JSON.stringify(c)).toMatchObject({ state: 'pending', divergent: false, failingItems: 0 });
    expect(c.pendingCommands).toBeGreaterThan(0);
    expect(await answerFor(sn, '7604')).toMatchObject({ state: 'pending' });
    // So does /metrics (every other panel of this file has converged): no device divergent.
    expect(await metric('cvgw_sync_divergent_devices')).toBe(0);
    // Nor is any item failing there while its retry travels: the metric counts the view's failingItems.
    expect(await metric('cvgw_sync_failing_items')).toBe(0);

    await converge(sn, '7604', () => d.sim.pollUntilIdle({ maxPolls: 50 }), () => !d.sim.user('7604'));
    expect(await answerFor(sn, '7604')).toMatchObject({ state: 'synced', holds: true, unconfirmed: [] });
    expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    expect(d.sim.user('7604')).toMatchObject({ Name: 'Eve' });
  });

  it('a panel whose whole reply with the delete, or its results, were lost: pending, not synced, until it holds the user again', { timeout: 120_000 }, async () => {
    for (const [sn, ip, pin, fault] of [
      ['RDL00002', '10.76.0.2', '7602', 'results'],
      ['RDL00003', '10.76.0.3', '7603', 'reply'],
    ] as const) {
      const { d, level } = await panel(sn, ip, `RDL-${fault}`);
      const person = { pin, name: 'Cleo', accLevelIds: level };
      await ok(t.post('/api/person/add', person));
      await converge(sn, pin, () => d.sim.pollUntilIdle({ maxPolls: 50 }), () => false);
      if (fault === 'results') d.sim.holdResults();
      else d.sim.loseNextReply();
      await ok(t.delete(`/api/person/delete/${pin}`));
      await d.sim.poll();
      d.sim.dropHeldResults();
      d.sim.stopHoldingResults();
      // The panel ran the delete (its results lost) or never got it (its reply lost): the gateway cannot tell.
      expect(d.sim.user(pin) === undefined).toBe(fault === 'results');
      await ok(t.post('/api/person/add', person));
      expect(await answerFor(sn, pin)).toMatchObject({ state: 'pending', holds: false });
      await converge(sn, pin, () => d.sim.pollUntilIdle({ maxPolls: 50 }), () => !d.sim.user(pin));
      expect(await answerFor(sn, pin)).toMatchObject({ state: 'synced', holds: true });
      expect(d.sim.user(pin)).toMatchObject({ Name: 'Cleo' });
      const held = tableSnapshot(d.sim, TABLES);
      expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(held);
    }
  });

  it('an attendance terminal whose USERINFO delete result was lost behind answered commands: never synced while it lacks the user, its finger or photo', async () => {
    const sn = 'RDLATT01';
    const term: AttendanceTerminal = await initialisedTerminal(t, { sn, resultPerPost: true });
    const drain = () => term.drain();
    const add = async (pin: string) => {
      await ok(t.post('/api/person/add', { pin, name: 'Dora', personPhoto: PHOTO }));
      await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: finger(`${pin} f3`), templateNo: '3' }));
      await ok(t.post('/api/attAreaPerson/set', { code: '1', pins: [pin] }));
    };
    const lacks = () => !term.users.has('7611') || term.templatesOf('7611').length !== 1 || !term.photos.has('7611');
    await add('7611');
    await converge(sn, '7611', drain, () => false);
    expect(lacks()).toBe(false);

    term.holdResults((c) => c.startsWith('DATA DELETE USERINFO'));
    await ok(t.post('/api/person/delete/7611'));
    await add('7612');
    await term.poll();
    term.dropHeldResults();
    term.stopHoldingResults();
    expect(term.users.has('7611')).toBe(false);
    expect(term.users.has('7612')).toBe(true);
    await untilNoResult(sn, '7611', () => term.poll());

    await add('7611');
    expect(lacks()).toBe(true);
    await expectNoClaim(sn, '7611', true);
    await converge(sn, '7611', drain, lacks);
    expect(await answerFor(sn, '7611')).toMatchObject({ state: 'synced', holds: true, unconfirmed: [] });
    expect(term.users.get('7611')).toMatchObject({ name: 'Dora' });
    expect(term.templatesOf('7611')).toHaveLength(1);
    expect(term.photos.has('7611')).toBe(true);
  });
  it('an attendance terminal whose USERINFO delete result was lost, the person taken off its area and put back: it ends with exactly their templates and photo', async () => {
    // The templates and photo stay in the database: put back, the person's template and photo items are what the
    // terminal was last confirmed to hold. The USERINFO delete takes them with it on the terminal, so its lost result
    // leaves them in doubt as much as the user; taken as still held, only the user went out again.
    const sn = 'RDLATT02';
    const pin = '7621';
    const term: AttendanceTerminal = await initialisedTerminal(t, { sn, resultPerPost: true });
    const drain = () => term.drain();
    await ok(t.post('/api/person/add', { pin, name: 'Gus', personPhoto: PHOTO }));
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: finger(`${pin} f3`), templateNo: '3' }));
    await ok(t.post('/api/attAreaPerson/set', { code: '1', pins: [pin] }));
    const lacks = () => !term.users.has(pin) || term.templatesOf(pin).length !== 1 || !term.photos.has(pin);
    await converge(sn, pin, drain, () => false);
    expect(lacks()).toBe(false);

    term.holdResults((c) => c.startsWith('DATA DELETE USERINFO'));
    await ok(t.post('/api/attAreaPerson/delete', { code: '1', pins: [pin] }));
    await ok(t.post('/api/person/add', { pin: '7622', name: 'Hal' }));
    await ok(t.post('/api/attAreaPerson/set', { code: '1', pins: ['7622'] }));
    await term.poll();
    term.dropHeldResults();
    term.stopHoldingResults();
    expect(term.users.has(pin)).toBe(false);
    expect(term.templatesOf(pin)).toHaveLength(0);
    expect(term.users.has('7622')).toBe(true);
    for (let i = 0; i < 20; i++) {
      const [lost] = await t.ds.query(
        `SELECT count(*)::int AS n FROM sync_item i JOIN device d ON d.id = i.device_id WHERE d.sn = $1 AND i.kind = 'user' AND i.key = $2 AND i.failures > 0`,
        [sn, pin],
      );
      if (lost.n > 0) break;
      await sleep(250);
      await term.poll();
      await reconciler.idle();
    }

    await ok(t.post('/api/attAreaPerson/set', { code: '1', pins: [pin] }));
    expect(lacks()).toBe(true);
    await expectNoClaim(sn, pin, true);
    await converge(sn, pin, drain, lacks);
    expect(await answerFor(sn, pin)).toMatchObject({ state: 'synced', holds: true, unconfirmed: [] });
    expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    expect(term.users.get(pin)).toMatchObject({ name: 'Gus' });
    const [wanted] = await wantedBiometrics(t, ['1']);
    expect(heldBiometrics(term)[pin]).toBe(wanted[pin]);
    expect(term.templatesOf(pin)).toHaveLength(1);
  });
});
