import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CommandOutcomeHub, type CommandOutcome } from '../../src/push/command-outcome';
import { CommandQueueService } from '../../src/push/command-queue.service';
import { loadRefusals } from '../../src/push/device-refusals';
import { dataDelete, dataUpdateUser, dataUpdateUserAuthorize, returnMeaning } from '../../src/push/protocol';
import { defaultPushSettings } from '../../src/push/push-settings';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { levelId } from '../sync/access-helpers';
import { deliveriesAgeBy } from '../sync/retry-waits';
import { startTestApp, type TestApp } from '../support/test-app';
import { commandsOf, connectedSim, enqueue, settingsOf } from './push-helpers';

/**
 * The queue's order, delivery and outcome rules under the faults real panels and networks
 * produce, played by the simulator. (Convergence of desired and confirmed state is the planner's; here the
 * commands are queued directly.)
 */
let t: TestApp;
let outcomes: CommandOutcome[] = [];
let unregister: () => void;
const TIMEOUT = 300;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  Object.assign(settingsOf(t), defaultPushSettings(), { lastSeenFlushMs: 3_600_000, ackTimeoutMs: TIMEOUT, maxAttempts: 3 });
  outcomes = [];
  unregister = t.app.get(CommandOutcomeHub).register(async (_m, o) => {
    outcomes.push(...o);
  });
});
afterEach(() => unregister());

const user = (pin: number) => dataUpdateUser({ pin, name: `User ${pin}`, cardNo: '', privilege: 0 });
const grant = (pin: number) => dataUpdateUserAuthorize({ pin, authorizeTimezoneId: 1, doors: [1] });
const revoke = (pin: number) => dataDelete('userauthorize', { Pin: pin });
const hasAccess = (sim: DeviceSimulator, pin: number) => sim.rightsOf(pin).length > 0;

async function fresh(sn: string, opts: Parameters<typeof connectedSim>[1] extends infer O ? Partial<O> : never = {}): Promise<DeviceSimulator> {
  const sim = await connectedSim(t, { sn, ...opts });
  await sim.pollUntilIdle();
  return sim;
}

/**
 * Polls `rounds` times, TIMEOUT/2 apart, checking `each` after every poll. The device's deliveries age by TIMEOUT/2
 * between polls instead of a sleep (deliveriesAgeBy): the same polls, in the same order against the timeout.
 */
async function pollRounds(sim: DeviceSimulator, rounds: number, each: () => void = () => undefined): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await sim.poll();
    each();
    await deliveriesAgeBy(t, sim.sn, TIMEOUT / 2);
  }
}

/**
 * A timeout the test's own pace never reaches (a loaded machine included) and no lost-reply window: a delivery is
 * settled only once the test ages it past the timeout (deliveriesAgeBy), not by a slow step in between.
 */
const ONLY_AGED = { ackTimeoutMs: 60_000, lostReplyMs: 0 };

describe('order after a lost getrequest reply', () => {
  it('grant A, the reply is lost, revoke A: nothing newer runs first, and A never holds access', async () => {
    const sim = await fresh('F-GRANT-REVOKE');
    Object.assign(settingsOf(t), ONLY_AGED);
    await enqueue(t, sim.sn, [user(1), grant(1)]);
    sim.loseNextReply();
    expect(await sim.poll()).toEqual([]);
    expect(sim.lostReplies).toHaveLength(1);
    await enqueue(t, sim.sn, [revoke(1)]);
    // The lost reply is outstanding: the revoke is not handed out ahead of it.
    expect(await sim.poll()).toEqual([]);
    expect(await sim.poll()).toEqual([]);
    expect(hasAccess(sim, 1)).toBe(false);
    await deliveriesAgeBy(t, sim.sn, ONLY_AGED.ackTimeoutMs);
    await pollRounds(sim, 4, () => expect(hasAccess(sim, 1)).toBe(false));
    expect(hasAccess(sim, 1)).toBe(false);
    // The lost reply came again first, under new CmdIDs, and the revoke after it in the same reply.
    const got = sim.received.map((c) => c.command);
    expect(got).toEqual([user(1), grant(1), revoke(1)]);
    const rows = await commandsOf(t, sim.sn);
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([
      ['done', 2],
      ['done', 2],
      ['done', 1],
    ]);
    expect(sim.received.map((c) => c.id)).toEqual(rows.map((r) => r.attempt_id));
    expect(outcomes.map((o) => [o.commandId, o.state, o.reason])).toEqual(rows.map((r) => [r.id, 'done', 'returned']));
  });

  it('revoke A, the reply is lost, grant A: A ends with access', async () => {
    const sim = await fresh('F-REVOKE-GRANT');
    await enqueue(t, sim.sn, [user(2)]);
    await sim.pollUntilIdle();
    await enqueue(t, sim.sn, [revoke(2)]);
    sim.loseNextReply();
    await sim.poll();
    await enqueue(t, sim.sn, [grant(2)]);
    await pollRounds(sim, 6);
    expect(hasAccess(sim, 2)).toBe(true);
    expect(sim.received.map((c) => c.command)).toEqual([user(2), revoke(2), grant(2)]);
    expect((await commandsOf(t, sim.sn)).every((r) => r.state === 'done')).toBe(true);
  });

  it('the device polls again after losing a reply: it gets it again at that poll, the revoke behind it too (not after the timeout)', async () => {
    const sim = await fresh('F-LOST-REPOLL');
    // lostReplyMs long enough for the overlapping poll below to come sooner on a slow machine too.
    Object.assign(settingsOf(t), { ackTimeoutMs: 60_000, lostReplyMs: 10_000 });
    await enqueue(t, sim.sn, [user(6), grant(6)]);
    sim.loseNextReply();
    expect(await sim.poll()).toEqual([]);
    await enqueue(t, sim.sn, [revoke(6)]);
    // Sooner than lostReplyMs: an overlapping poll, not the device's next one; nothing newer goes ahead.
    expect(await sim.poll()).toEqual([]);
    // The device's next poll: past lostReplyMs, far before the timeout.
    await deliveriesAgeBy(t, sim.sn, 10_000);
    expect((await sim.poll()).map((c) => c.command)).toEqual([user(6), grant(6), revoke(6)]);
    expect(hasAccess(sim, 6)).toBe(false);
    const rows = await commandsOf(t, sim.sn);
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([
      ['done', 2],
      ['done', 2],
      ['done', 1],
    ]);
  });

  it('results lost behind answered ones: at the next poll those commands fail (they ran), the rest comes again, nothing waits for the timeout', async () => {
    const sim = await fresh('F-LOST-PARTIAL');
    Object.assign(settingsOf(t), { ackTimeoutMs: 60_000, lostReplyMs: 10_000 });
    await enqueue(t, sim.sn, [user(7)]);
    await sim.pollUntilIdle();
    // One reply: grant 7, user 8, grant 8. Only user 8's result arrives.
    sim.holdResults((c) => c.table === 'userauthorize');
    await enqueue(t, sim.sn, [grant(7), user(8), grant(8)]);
    expect(await sim.poll()).toHaveLength(3);
    sim.stopHoldingResults();
    sim.dropHeldResults();
    await enqueue(t, sim.sn, [revoke(7)]);
    await deliveriesAgeBy(t, sim.sn, 10_000);
    expect((await sim.poll()).map((c) => c.command)).toEqual([grant(8), revoke(7)]);
    expect(hasAccess(sim, 7)).toBe(false);
    expect(hasAccess(sim, 8)).toBe(true);
    const rows = await commandsOf(t, sim.sn);
    // grant 8 followed an answered command of its reply (user 8): its second delivery does not use up an attempt
    // (firmware that runs only the start of a reply, planClaim followsAnswered); it was delivered twice all the same.
    expect(rows.slice(1).map((r) => [r.state, r.attempts])).toEqual([
      ['failed', 1],
      ['done', 1],
      ['done', 1],
      ['done', 1],
    ]);
    expect(outcomes.find((o) => o.command === grant(7))).toMatchObject({ state: 'failed', reason: 'expired' });
  });

  it('the queue fails a command whose every delivery was lost, reports it as expired, and goes on', async () => {
    settingsOf(t).maxAttempts = 2;
    const sim = await fresh('F-EXPIRE');
    const queue = t.app.get(CommandQueueService);
    await t.ds.transaction((m) => queue.enqueue(m, sim.sn, [{ command: grant(3), ref: { item: 'grant', pin: 3 } }, user(4)]));
    sim.loseNextReply(2);
    await pollRounds(sim, 8);
    const rows = await commandsOf(t, sim.sn);
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([
      ['failed', 2],
      ['failed', 2],
    ]);
    expect(rows[0].error).toMatch(/no result after 2 deliveries/);
    expect(outcomes).toEqual([
      { deviceSn: sim.sn, commandId: rows[0].id, command: grant(3), ref: { item: 'grant', pin: 3 }, state: 'failed', returnCode: null, reason: 'expired' },
      { deviceSn: sim.sn, commandId: rows[1].id, command: user(4), ref: null, state: 'failed', returnCode: null, reason: 'expired' },
    ]);
    // The queue is not blocked: the next command is delivered.
    await enqueue(t, sim.sn, [user(5)]);
    await sim.poll();
    expect(sim.user(5)).toBeDefined();
  });
});

describe('through REST writes', () => {
  it('addLevelPerson, the reply is lost, deleteLevel: the person never holds access on the panel and ends without it', async () => {
    Object.assign(settingsOf(t), ONLY_AGED);
    const sim = await fresh('F-REST-1', { ipAddress: '10.66.0.1', doors: 2 });
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'QF' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'QF', doorName: '10.66.0.1-1' }] })).body.code).toBe(0);
    const level = await levelId(t, 'QF');
    expect((await t.post('/api/person/add', { pin: '501', name: 'Ann' })).body.code).toBe(0);
    await sim.pollUntilIdle();
    const from = sim.received.length;

    expect((await t.post('/api/accLevel/addLevelPerson', undefined, { levelIds: level, pin: '501' })).body.code).toBe(0);
    sim.loseNextReply();
    expect(await sim.poll()).toEqual([]);
    expect(sim.lostReplies).toHaveLength(1);
    expect((await t.post('/api/accLevel/deleteLevel', undefined, { levelIds: level, pin: '501' })).body.code).toBe(0);
    expect(await sim.poll()).toEqual([]);
    await deliveriesAgeBy(t, sim.sn, ONLY_AGED.ackTimeoutMs);
    await pollRounds(sim, 4, () => expect(hasAccess(sim, 501)).toBe(false));
    expect(hasAccess(sim, 501)).toBe(false);
    const got = sim.received.slice(from).map((c) => c.command);
    // The grant came again (its reply was lost), and the revoke after it.
    const lastGrant = got.map((c) => c.startsWith('DATA UPDATE userauthorize Pin=501')).lastIndexOf(true);
    const lastRevoke = got.map((c) => c.startsWith('DATA DELETE userauthorize Pin=501')).lastIndexOf(true);
    expect(lastGrant).toBeGreaterThanOrEqual(0);
    expect(lastRevoke).toBeGreaterThan(lastGrant);
  });
});

describe('refused commands', () => {
  it('a -12 marks the command failed with its meaning, reports it through the hook, and the queue goes on', async () => {
    const sim = await fresh('F-MINUS12');
    sim.failCommands((c) => c.verb === 'DATA DELETE', -12);
    const queue = t.app.get(CommandQueueService);
    await t.ds.transaction((m) => queue.enqueueMany(m, [{ deviceSn: sim.sn, commands: [{ command: revoke(6), ref: ['revoke', 6] }, user(7)] }]));
    await sim.pollUntilIdle();
    const rows = await commandsOf(t, sim.sn);
    expect(rows.map((r) => [r.state, r.return_code])).toEqual([
      ['failed', -12],
      ['done', 0],
    ]);
    expect(rows[0].error).toBe(`Return -12: ${returnMeaning(-12)}`);
    expect(returnMeaning(-12)).toBe('Command execution error');
    expect(outcomes).toEqual([
      { deviceSn: sim.sn, commandId: rows[0].id, command: revoke(6), ref: ['revoke', 6], state: 'failed', returnCode: -12, reason: 'returned' },
      { deviceSn: sim.sn, commandId: rows[1].id, command: user(7), ref: null, state: 'done', returnCode: 0, reason: 'returned' },
    ]);
    // -12 is not a refusal for good.
    const detail = await t.get(`/api/gateway/devices/${sim.sn}`);
    expect(detail.body.data.refusedCapabilities).toEqual([]);
  });

  it('-1002 and -1004 are recorded as refused capabilities, shown to operators and readable by the planner', async () => {
    const sim = await fresh('F-REFUSED');
    sim.failCommands((c) => c.table === 'biodata', -1004, 'always');
    sim.failCommands((c) => c.table === 'userauthorize', -1002, 2);
    const bio = 'DATA UPDATE biodata Pin=8\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=58\tMinorVer=0\tFormat=0\tTmp=QUJD';
    await enqueue(t, sim.sn, [user(8), bio, grant(8), grant(8)]);
    await sim.pollUntilIdle();
    const rows = await commandsOf(t, sim.sn);
    expect(rows.map((r) => [r.state, r.return_code])).toEqual([
      ['done', 0],
      ['failed', -1004],
      ['failed', -1002],
      ['failed', -1002],
    ]);
    expect(rows[2].error).toBe('Return -1002: Not supported by the equipment');
    const detail = await t.get(`/api/gateway/devices/${sim.sn}`);
    expect(detail.body.code).toBe(0);
    expect(detail.body.data.refusedCapabilities).toEqual([
      {
        what: 'DATA UPDATE biodata Type=9',
        returnCode: -1004,
        returnMeaning: 'The data and equipment configuration are inconsistent',
        refusals: 1,
        command: bio,
        firstAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
        lastAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
        // Probed again with backoff: SYNC_REFUSAL_PROBE_MS (1 min by default) after the first refusal.
        probeAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        // Rows a count found beyond what the panel confirmed: only for a refused clear of the user or rights table.
        excessRows: null,
      },
      // Both grants came in one reply (their results one POST each, as the panel posts them): one refusal.
      expect.objectContaining({ what: 'DATA UPDATE userauthorize', returnCode: -1002, returnMeaning: 'Not supported by the equipment', refusals: 1 }),
    ]);
    const probeIn = Date.parse(detail.body.data.refusedCapabilities[0].probeAt) - Date.now();
    expect(probeIn).toBeGreaterThan(50_000);
    expect(probeIn).toBeLessThanOrEqual(60_000);
    const deviceId: string = detail.body.data.id;
    // -1004 (no such table) is for good at once; a -1002 reply is not yet (firmware also answers it while busy).
    expect(await loadRefusals(t.ds.manager, [deviceId, 'f'.repeat(32)])).toEqual(new Map([[deviceId, new Set(['DATA UPDATE biodata Type=9'])]]));
    // The firmware accepts userauthorize after all (upgraded): the refusal goes away with the first success.
    await enqueue(t, sim.sn, [grant(8)]);
    await sim.pollUntilIdle();
    expect(hasAccess(sim, 8)).toBe(true);
    expect(await loadRefusals(t.ds.manager, [deviceId])).toEqual(new Map([[deviceId, new Set(['DATA UPDATE biodata Type=9'])]]));
    const list = await t.get('/api/gateway/devices');
    expect(list.body.data.find((d: { sn: string }) => d.sn === sim.sn).refusedCapabilities.map((r: { what: string }) => r.what)).toEqual(['DATA UPDATE biodata Type=9']);
    // Registering again with the same firmware keeps the refusal; another firmware version forgets it.
    await sim.register();
    expect((await loadRefusals(t.ds.manager, [deviceId])).get(deviceId)).toEqual(new Set(['DATA UPDATE biodata Type=9']));
    const upgraded = await connectedSim(t, { sn: sim.sn, firmVer: 'AC Ver 5.9.0 Jun 1 2026' });
    await upgraded.pollUntilIdle();
    expect(await loadRefusals(t.ds.manager, [deviceId])).toEqual(new Map());
  });
});

describe('overlapping polls', () => {
  it('two getrequests at once never deliver one command twice nor out of order', async () => {
    const sim = await fresh('F-CONCURRENT');
    Object.assign(settingsOf(t), { maxCommandsPerReply: 3 });
    const cmds = Array.from({ length: 20 }, (_, i) => user(100 + i));
    await enqueue(t, sim.sn, cmds);
    let concurrentRounds = 0;
    for (let i = 0; i < 30 && sim.received.length < cmds.length; i++) {
      const replies = await sim.pollConcurrently(2);
      // At most one of the two polls gets commands.
      expect(replies.filter((r) => r.length > 0).length).toBeLessThanOrEqual(1);
      concurrentRounds++;
    }
    expect(concurrentRounds).toBeGreaterThan(1);
    expect(sim.received.map((c) => c.command)).toEqual(cmds);
    expect(new Set(sim.received.map((c) => c.id)).size).toBe(cmds.length);
    const rows = await commandsOf(t, sim.sn);
    expect(rows.every((r) => r.state === 'done' && r.attempts === 1)).toBe(true);
  });
});

describe('late results', () => {
  it('a late success of a superseded delivery completes the command once; the re-offer\'s results change nothing', async () => {
    const sim = await fresh('F-LATE-OK');
    sim.holdResults();
    await enqueue(t, sim.sn, [grant(9)]);
    const [first] = await sim.poll();
    await deliveriesAgeBy(t, sim.sn, TIMEOUT);
    const [second] = await sim.poll();
    expect(second.command).toBe(first.command);
    expect(second.id).not.toBe(first.id);
    sim.stopHoldingResults();
    await sim.releaseResults((r) => r.id === first.id);
    expect((await commandsOf(t, sim.sn))[0]).toMatchObject({ state: 'done', return_code: 0, attempt_id: second.id });
    await sim.releaseResults();
    await sim.releaseResults(); // nothing left
    expect(outcomes.filter((o) => o.command === grant(9))).toHaveLength(1);
  });

  it('a late failure of a superseded delivery is ignored while the newer one is out; the newer one decides', async () => {
    const sim = await fresh('F-LATE-FAIL');
    sim.failCommands((c) => c.table === 'userauthorize', -12, 1);
    sim.holdResults();
    await enqueue(t, sim.sn, [grant(10)]);
    const [first] = await sim.poll();
    await deliveriesAgeBy(t, sim.sn, TIMEOUT);
    const [second] = await sim.poll();
    sim.stopHoldingResults();
    await sim.releaseResults((r) => r.id === first.id);
    expect(sim.ackFor(first.id)?.code).toBe(-12);
    expect((await commandsOf(t, sim.sn))[0].state).toBe('sent');
    await sim.releaseResults((r) => r.id === second.id);
    expect((await commandsOf(t, sim.sn))[0]).toMatchObject({ state: 'done', return_code: 0 });
    expect(outcomes.map((o) => [o.state, o.returnCode])).toEqual([['done', 0]]);
  });

  it('a result lost behind answered later commands: the command is not run again out of order, but reported', async () => {
    const sim = await fresh('F-OVERTAKEN');
    await enqueue(t, sim.sn, [user(11)]);
    await sim.pollUntilIdle();
    // One reply: grant, revoke. The grant's result never arrives; the revoke's does.
    sim.holdResults((c) => c.table === 'userauthorize' && c.verb === 'DATA UPDATE');
    await enqueue(t, sim.sn, [grant(11), revoke(11)]);
    expect(await sim.poll()).toHaveLength(2);
    sim.stopHoldingResults();
    sim.dropHeldResults();
    await pollRounds(sim, 4, () => expect(hasAccess(sim, 11)).toBe(false));
    const rows = await commandsOf(t, sim.sn);
    expect(rows.slice(1).map((r) => [r.command, r.state, r.attempts])).toEqual([
      [grant(11), 'failed', 1],
      [revoke(11), 'done', 1],
    ]);
    expect(rows[1].error).toMatch(/later commands of its reply were answered/);
    expect(sim.received.filter((c) => c.command === grant(11))).toHaveLength(1);
    expect(outcomes.find((o) => o.command === grant(11))).toMatchObject({ state: 'failed', returnCode: null, reason: 'expired' });
  });

  it('the same results posted twice (or by a retrying device) finish each command once', async () => {
    const sim = await fresh('F-DUPLICATE');
    sim.holdResults();
    await enqueue(t, sim.sn, [user(12), user(13)]);
    const got = await sim.poll();
    const body = got.map((c) => `ID=${c.id}&Return=0&CMD=DATA`).join('\n');
    const [a, b] = await Promise.all([sim.uploadRaw('/iclock/devicecmd', {}, body), sim.uploadRaw('/iclock/devicecmd', {}, body)]);
    expect([a.body, b.body]).toEqual(['OK', 'OK']);
    expect(outcomes.map((o) => o.command)).toEqual([user(12), user(13)]);
  });
});

describe('the outcome hook', () => {
  it('a listener that throws rolls the results back; devicecmd asks the device to send them again; then they count once', async () => {
    const sim = await fresh('F-HOOK-THROWS', { retryResults: true });
    let fail = true;
    const committed: CommandOutcome[] = [];
    const off = t.app.get(CommandOutcomeHub).register(async (m, o) => {
      await m.query(`SELECT 1`);
      if (fail) throw new Error(`planner unavailable (${o.length} outcomes)`);
      committed.push(...o);
    });
    try {
      await enqueue(t, sim.sn, [user(14)]);
      await sim.poll();
      const ack = sim.acknowledged.at(-1)!;
      expect(ack.status).toBe(503);
      expect((await commandsOf(t, sim.sn))[0].state).toBe('sent');
      expect(sim.unconfirmedResults).toHaveLength(1);
      fail = false;
      await sim.poll(); // posts the result again first
      expect(sim.acknowledged.at(-1)!.status).toBe(200);
      expect((await commandsOf(t, sim.sn))[0]).toMatchObject({ state: 'done', return_code: 0 });
      // Seen twice by listeners (the first time in the transaction that rolled back), committed once.
      expect(outcomes.map((o) => o.command)).toEqual([user(14), user(14)]);
      expect(committed.map((o) => [o.command, o.state])).toEqual([[user(14), 'done']]);
    } finally {
      off();
    }
  });
});
