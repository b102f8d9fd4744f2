/**
 * Remote actions overtake queued state commands (planClaim's actionsFirst), but only those that change nothing the
 * state commands decide: a remote enrolment (ENROLL_BIO, 9.6.2) saves a template on the panel for a person the
 * panel must hold, and its upload becomes the person's template in the database. It keeps its place behind the
 * state commands queued before it; the panel ends holding what a fresh full sync gives (fromScratch). And a run of
 * writes and remote actions under lost replies, re-posted results, refusals and a reset mid-sync: state commands
 * arrive in queue order, every action runs once, the panel equals the oracle.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device } from '../sync/access-helpers';
import { ok, resultReplyLoss, settleConverged, startFaultApp, tableSnapshot, fromScratch } from '../sync/fault-helpers';
import { MAX_OVERTAKING_REPLIES } from '../../src/push/protocol/command-rules';
import { settingsOf } from './push-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let d: Device;
const SN = 'ACTFIRST0001';
const TABLES = ['user', 'userauthorize', 'biodata'];
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  d = await Device.connect(t, SN, 1, '10.7.0.1');
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'AFLV' }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'AFLV', doorName: '10.7.0.1-1' }] }));
  const level = (await t.get('/api/accLevel/getByName/AFLV')).body.data.id;
  await ok(t.post('/api/person/add', { pin: '6001', name: 'Enrols', accLevelIds: level }));
  await d.since();
});
afterAll(async () => {
  await t?.close();
});

/** Replies of one command for the rest of the test: a remote action queued behind anything is beyond the head's reply. */
function oneCommandPerReply(): void {
  const settings = settingsOf(t);
  const perReply = settings.maxCommandsPerReply;
  settings.maxCommandsPerReply = 1;
  onTestFinished(() => {
    settings.maxCommandsPerReply = perReply;
  });
}

const fingers = (pin: string) =>
  d.sim.table('biodata').filter((r) => r.Pin === pin && r.Type === '1').map((r) => r.No).sort();

describe('a remote enrolment keeps its place behind the state commands queued before it', () => {
  it('a finger deleted and enrolled again at the panel ends on the panel and in the database', async () => {
    await ok(t.post('/api/bioTemplate/add', { personId: '6001', validType: '1', template: b64('finger 2 by REST'), templateNo: '2' }));
    await d.since();
    expect(fingers('6001')).toEqual(['2']);
    // The operator removes finger 2 and has the person enrol it again at the panel, before the panel polls.
    await ok(t.post('/api/bioTemplate/delete', { pin: '6001', templateNo: '2' }));
    const r = await t.post(`/api/gateway/devices/${SN}/control`, { action: 'enroll', pin: '6001', bioType: 1, templateNo: 2 });
    expect(r.body.code).toBe(0);
    const sent = await d.since();
    // The delete runs first, then the enrolment: the panel keeps the new finger, as the database does.
    expect(sent.map((c) => c.split(/[ \t]/).slice(0, 3).join(' '))).toEqual(['DATA DELETE biodata', 'ENROLL_BIO TYPE=1 NO=2']);
    const enrolled = b64(`enrolled at ${SN}: type 1 pin 6001 no 2`);
    expect((await t.get('/api/bioTemplate/getFgListByPin/6001')).body.data).toContainEqual(expect.objectContaining({ templateNo: '2', template: enrolled }));
    expect(d.sim.table('biodata')).toContainEqual(expect.objectContaining({ Pin: '6001', No: '2', Type: '1', Tmp: enrolled }));
    const held = tableSnapshot(d.sim, TABLES);
    expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(held);
  });

  it('an enrolment for a person just added goes after the person reaches the panel; a door opening queued after both still goes first', async () => {
    await d.since();
    // A reply of one command: the opening is beyond the head's reply, so it may go first.
    oneCommandPerReply();
    const level = (await t.get('/api/accLevel/getByName/AFLV')).body.data.id;
    await ok(t.post('/api/person/add', { pin: '6002', name: 'New', accLevelIds: level }));
    const r = await t.post(`/api/gateway/devices/${SN}/control`, { action: 'enroll', pin: '6002', bioType: 1, templateNo: 0 });
    expect(r.body.code).toBe(0);
    const doorId = (await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data[0].id;
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 5 })).body.code).toBe(0);
    const sent = (await d.since()).map((c) => c.split(/[ \t\n]/).slice(0, 3).join(' '));
    expect(sent[0]).toBe('CONTROL DEVICE 01010105');
    const user = sent.findIndex((c) => c.startsWith('DATA UPDATE user'));
    const enrol = sent.findIndex((c) => c.startsWith('ENROLL_BIO'));
    expect(user).toBeGreaterThan(0);
    expect(enrol).toBeGreaterThan(user);
    const held = tableSnapshot(d.sim, TABLES);
    expect(held.biodata.some((row) => row.includes('Pin=6002'))).toBe(true);
    expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(held);
  });
});

describe('a revoke queued before a remote opening still reaches the panel at the next poll', () => {
  it('the reply that carries the opening carries the person\'s delete before it', async () => {
    await d.since();
    expect(d.sim.table('userauthorize').some((r) => r.Pin === '6001')).toBe(true);
    await ok(t.post('/api/person/delete', undefined, { pin: '6001' }));
    const doorId = (await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data[0].id;
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 4 })).body.code).toBe(0);
    const reply = (await d.sim.poll()).map((c) => c.command.split(/[ \t]/).slice(0, 3).join(' '));
    expect(reply).toContain('CONTROL DEVICE 01010104');
    expect(d.sim.table('userauthorize').filter((r) => r.Pin === '6001')).toEqual([]);
    expect(d.sim.table('user').filter((r) => r.Pin === '6001')).toEqual([]);
  });
});

describe('a stream of remote actions does not hold a sync back', () => {
  it('an opening before every poll: new openings go first at most MAX_OVERTAKING_REPLIES replies in a row, so the persons queued before them still arrive', async () => {
    await d.since();
    // A reply of one command: every opening is beyond the head's reply.
    oneCommandPerReply();
    const level = (await t.get('/api/accLevel/getByName/AFLV')).body.data.id;
    const pins = ['6101', '6102', '6103'];
    for (const pin of pins) await ok(t.post('/api/person/add', { pin, name: `Stream ${pin}`, accLevelIds: level }));
    const doorId = (await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data[0].id;
    const replies: string[][] = [];
    // A turnstile integration opening the door faster than the panel polls.
    for (let i = 0; i < 16; i++) {
      expect((await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 3 })).body.code).toBe(0);
      replies.push((await d.sim.poll()).map((c) => c.command.split(/[ \t]/).slice(0, 3).join(' ')));
    }
    const isState = (r: string[]) => r.some((c) => c.startsWith('DATA'));
    const lastState = replies.map(isState).lastIndexOf(true);
    // The sync went out (without the bound: never, each reply was the opening queued before it).
    expect(lastState).toBeGreaterThanOrEqual(0);
    // While it lasted, it had at least one reply in every MAX_OVERTAKING_REPLIES + 1.
    const span = MAX_OVERTAKING_REPLIES + 1;
    for (let i = span - 1; i <= lastState; i++) {
      expect(replies.slice(i - span + 1, i + 1).some(isState), `replies ${i - span + 1}-${i}: ${JSON.stringify(replies.slice(0, lastState + 1))}`).toBe(true);
    }
    for (const pin of pins) expect(d.sim.table('user').some((r) => r.Pin === pin), pin).toBe(true);
    await d.since();
  });
});

describe('remote actions overtaking a sync while replies are lost, results re-posted and commands refused', () => {
  it('the panel ends equal to a fresh full sync (also after a reset mid-sync), state commands arrive in order, and each action ran once', { timeout: 120_000 }, async () => {
    const settings = settingsOf(t);
    const perReply = settings.maxCommandsPerReply;
    settings.maxCommandsPerReply = 2;
    const lost = resultReplyLoss();
    const f = await Device.connect(t, 'ACTFIRST0002', 2, '10.7.0.2', { retryResults: true, fetch: lost.fetch });
    try {
      await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'AFLV2' }] }));
      await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'AFLV2', doorName: '10.7.0.2-1' }] }));
      const level = (await t.get('/api/accLevel/getByName/AFLV2')).body.data.id;
      const doors = ((await t.get('/api/door/list', { pageNo: 1, pageSize: 50 })).body.data as Array<{ id: string; name: string }>).filter((x) => x.name.startsWith('10.7.0.2-'));
      let seed = Number(process.env.AF_SEED ?? 7);
      // mulberry32: a fixed run, with the low bits as random as the high ones.
      const rnd = (n: number) => {
        seed = (seed + 0x6d2b79f5) | 0;
        let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) % n;
      };
      for (let round = 0; round < 14; round++) {
        // State: persons added, edited (cards, levels) and deleted, a few per round.
        for (let k = 0; k < 3; k++) {
          const pin = `77${rnd(8)}`;
          const op = rnd(4);
          if (op === 3) await t.post('/api/person/delete', undefined, { pin });
          else await t.post('/api/person/add', { pin, name: `P${pin}-${round}`, cardNo: `${round}${k}${rnd(1000)}`, accLevelIds: op === 2 ? '' : level });
        }
        // Actions behind them, some refused, some with their reply or their result's answer lost.
        const door = doors[rnd(doors.length)];
        const r = await t.post(rnd(3) === 0 ? '/api/door/remoteCloseById' : '/api/door/remoteOpenById', undefined, { doorId: door.id, interval: 3 });
        expect(r.body.code).toBe(0);
        // Halfway, the panel is reset with actions and state commands pending (it registers again, empty).
        if (round === 7) expect((await f.sim.factoryReset()).registered).toBe(true);
        const fault = rnd(4);
        if (fault === 0) f.sim.loseNextReply();
        else if (fault === 1) lost.count++;
        else if (fault === 2) f.sim.failCommands((c) => c.verb === 'CONTROL DEVICE', -12, 1);
        else f.sim.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'userauthorize', -1002, 1);
        for (let p = 0; p < 1 + rnd(3); p++) await f.sim.poll();
        if (rnd(2) === 0) await new Promise((res) => setTimeout(res, settings.lostReplyMs + 50));
      }
      f.sim.clearFaults();
      f.sim.loseNoMoreReplies();
      lost.count = 0;
      await settleConverged(t, reconciler, f.sim);
      // No remote action ran twice on the panel (each delivery that ran has a CmdID of its own).
      const ran: Array<{ command_id: string; n: number }> = await t.ds.query(
        `SELECT a.command_id::text AS command_id, count(*)::int AS n FROM device_command_attempt a WHERE a.device_sn = 'ACTFIRST0002' AND a.attempt_id = ANY($1::bigint[]) GROUP BY 1`,
        [f.sim.doorActions.map((a) => a.cmdId)],
      );
      expect(ran.filter((x) => x.n > 1)).toEqual([]);
      expect(f.sim.doorActions.length).toBeGreaterThan(5);
      // State commands reach the panel in queue order: none is first delivered after a later one was.
      const byAttempt = new Map<string, string>(
        (await t.ds.query(`SELECT attempt_id::text AS a, command_id::text AS c FROM device_command_attempt WHERE device_sn = 'ACTFIRST0002'`)).map((r: { a: string; c: string }) => [r.a, r.c]),
      );
      const state = f.sim.received.filter((r) => r.command.startsWith('DATA UPDATE') || r.command.startsWith('DATA DELETE')).map((r) => BigInt(byAttempt.get(r.id)!));
      const seen = new Set<bigint>();
      let highest = 0n;
      const outOfOrder: string[] = [];
      for (const id of state) {
        if (!seen.has(id) && id < highest) outOfOrder.push(`${id} after ${highest}`);
        seen.add(id);
        if (id > highest) highest = id;
      }
      expect(outOfOrder).toEqual([]);
      expect(seen.size).toBeGreaterThan(10);
      // Some actions did overtake state commands queued before them.
      const actionIds = f.sim.doorActions.map((a) => BigInt(byAttempt.get(a.cmdId)!));
      expect(actionIds.some((a) => [...seen].some((s) => s < a && f.sim.received.findIndex((r) => byAttempt.get(r.id) === String(s)) > f.sim.received.findIndex((r) => byAttempt.get(r.id) === String(a))))).toBe(true);
      const held = tableSnapshot(f.sim, TABLES);
      expect(await fromScratch(t, reconciler, f.sim, TABLES)).toEqual(held);
    } finally {
      settings.maxCommandsPerReply = perReply;
    }
  });
});
