/**
 * Property (as convergence-property.e2e-spec.ts plays it on access panels) for the other kinds of controller: an
 * elevator controller (4 floors: `user` + `usereleauthorize`, floors as an AuthorizeFloors bitmask) and a channel
 * controller (2 gates: `user` + `userauthorize`, gates as AuthorizeDoorId bits, and a pass rule). Random REST
 * writes of the manual's elevator and entrance-control sections (2.2.6/2.2.1 and 2.32's syncPerson/deleteLevel, persons leaving and reinstated,
 * a level's floors or gates changed, the controller's floors declared fewer and back, a time segment's periods
 * changed, persons added with a card, re-carded and deleted) are interleaved with the controllers' faults: refusals
 * (-1002 / -12), a lost getrequest reply, devicecmd answers lost (results posted again), results held and answered
 * late or never (sent again after the ack timeout), rights deletes refused for good (-1004: a
 * withdrawn right is emptied, AuthorizeFloors 0 / AuthorizeDoorId 0, which grants nothing, until a probe deletes it), registering again, and factory resets. Once the controllers
 * accept again, within a bounded number of polls and reconciler passes each holds exactly what the model of the
 * REST writes grants (every user with rights and the card the database gives, no other user), the convergence
 * answer says so, and the whole tables equal what a fresh full sync from the database gives (the oracle: the same
 * controller factory-reset and synced again). Knobs: FC_RUNS (default 12), FC_SEED, FC_OPS
 * (the longest run of operations, default 8).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ChannelControllerSimulator } from '../simulator/channel';
import { claimsSynced, convergenceOf, ok, resultReplyLoss, startFaultApp, tableSnapshot } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let ec: ElevatorControllerSimulator;
let psg: ChannelControllerSimulator;
const sims: DeviceSimulator[] = [];
/** DATA commands each controller still refuses (-1002 / -12 alternately). */
const refuse = [0, 0];
/** devicecmd answers each controller will not see (it posts those results again). */
const losses = [resultReplyLoss(), resultReplyLoss()];
const TABLES = ['user', 'userauthorize', 'usereleauthorize', 'timezone', 'gatepassrule'];
const PINS = ['81', '82', '83'];

let lateTz = 0;
/** The rtlog index of the next event uploaded. */
let nextIndex = 1;
let lateSegId = '';
/** Level ids: ele[0] floors 1-2 all day, ele[1] floor 3 (or 3-4) late; psg[0] gate 1 all day, psg[1] gate 2 (or 1-2) late. */
const ele: string[] = [];
const psgLevels: string[] = [];
let floorIds: Record<number, string> = {};
let gateIds: Record<number, string> = {};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The floor and gate ids by number (a floor declared away and back is a new floor). */
async function loadPoints(): Promise<void> {
  const floors: Array<{ id: string; floorNo: number }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
  floorIds = Object.fromEntries(floors.map((f) => [f.floorNo, f.id]));
  const gates: Array<{ id: string; name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 10 })).body.data;
  gateIds = Object.fromEntries(gates.map((g) => [Number(g.name.split('-').pop()), g.id]));
}

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  const refusal = (i: number) => (c: { verb: string | null }) => (c.verb?.startsWith('DATA') && refuse[i] > 0 ? (refuse[i]--, refuse[i] % 2 ? -1002 : -12) : undefined);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'ECPROP0001', floors: 4, ipAddress: '10.7.0.1', resultFor: refusal(0), fetch: losses[0].fetch, retryResults: true });
  psg = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PGPROP0001', gates: 2, ipAddress: '10.7.0.2', resultFor: refusal(1), fetch: losses[1].fetch, retryResults: true });
  sims.push(ec, psg);
  for (const s of sims) {
    await s.connect();
    await reconciler.idle();
    await s.pollUntilIdle();
  }
  const seg = await t.post('/api/gateway/timeSegments', { name: 'Late', schedule: { mon: [['18:00', '22:00']] } });
  expect(seg.body.code).toBe(0);
  lateSegId = seg.body.data.id;
  lateTz = seg.body.data.tzId;
  await loadPoints();
  expect(Object.keys(floorIds)).toHaveLength(4);
  expect(Object.keys(gateIds)).toEqual(['1', '2']);
  ele.push((await t.post('/api/gateway/eleLevel/save', { name: 'Lift day', pointIds: [floorIds[1], floorIds[2]] })).body.data.id);
  ele.push((await t.post('/api/gateway/eleLevel/save', { name: 'Lift late', timeSegName: 'Late', pointIds: [floorIds[3]] })).body.data.id);
  psgLevels.push((await t.post('/api/gateway/psgLevel/save', { name: 'Gate day', pointIds: [gateIds[1]] })).body.data.id);
  psgLevels.push((await t.post('/api/gateway/psgLevel/save', { name: 'Gate late', timeSegName: 'Late', pointIds: [gateIds[2]] })).body.data.id);
  await ok(t.post('/api/gateway/psgDevice/PGPROP0001/passRule', { timeSegName: 'Late', passMode: 1 }));
});
afterAll(async () => {
  await t?.close();
});

type Op =
  | { kind: 'add'; pin: string; card: string }
  | { kind: 'delete' | 'leave' | 'reinstate'; pin: string }
  | { kind: 'grant' | 'revoke'; module: 'ele' | 'psg'; level: number; pin: string }
  | { kind: 'points'; module: 'ele' | 'psg' }
  | { kind: 'floors' }
  | { kind: 'segment' }
  | { kind: 'event'; module: 'ele' | 'psg'; pin: string; point: number; resend: boolean }
  | { kind: 'refuse'; device: number; n: number }
  | { kind: 'lose' | 'loseResult' | 'hold' | 'drop' | 'reset' | 'reregister' | 'noDeletes'; device: number };

const device = fc.integer({ min: 0, max: 1 });
const pin = fc.constantFrom(...PINS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('add' as const), pin, card: fc.constantFrom('', 'a', 'b') }).map((o) => ({ ...o, card: o.card && `7${o.pin}${o.card === 'a' ? 1 : 2}` })), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constantFrom('delete' as const, 'leave' as const, 'reinstate' as const), pin }), weight: 2 },
  {
    arbitrary: fc.record({ kind: fc.constantFrom('grant' as const, 'revoke' as const), module: fc.constantFrom('ele' as const, 'psg' as const), level: fc.integer({ min: 0, max: 1 }), pin }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('points' as const), module: fc.constantFrom('ele' as const, 'psg' as const) }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'segment' as const }), weight: 1 },
  { arbitrary: fc.constant({ kind: 'floors' as const }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('event' as const), module: fc.constantFrom('ele' as const, 'psg' as const), pin, point: fc.integer({ min: 1, max: 2 }), resend: fc.boolean() }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('refuse' as const), device, n: fc.integer({ min: 1, max: 3 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constantFrom('lose' as const, 'loseResult' as const, 'hold' as const, 'drop' as const, 'reset' as const, 'reregister' as const, 'noDeletes' as const), device }), weight: 3 },
);

/** The model of the REST writes. */
interface Model {
  /** pin → card ('' none) of the persons that exist. */
  persons: Map<string, string>;
  /** Persons who left (2.13.6): on no controller, their levels kept for their reinstatement. */
  left: Set<string>;
  /** `${module}${level}` → member pins. */
  members: Map<string, Set<string>>;
  /** Whether the late levels hold their second point (floor 4 / gate 1). */
  wide: { ele: boolean; psg: boolean };
  /** The floors declared for the elevator controller (4, or 3: floor 4 and its place in levels gone). */
  floorCount: number;
  lateSchedule: number;
  /** Events uploaded (each once, whether or not sent again), per module. */
  events: { ele: number; psg: number };
}

/** What the model grants: elevator pin → ["tz:floors"], channel pin → ["tz:mask"], both sorted as the readers below. */
function expected(m: Model): [Record<string, string[]>, Record<string, string[]>] {
  const lift: Record<string, string[]> = {};
  const gate: Record<string, string[]> = {};
  for (const p of [...m.persons.keys()].filter((x) => !m.left.has(x)).sort()) {
    const e: string[] = [];
    if (m.members.get('ele0')?.has(p)) e.push(`1:1.2`);
    if (m.members.get('ele1')?.has(p)) e.push(`${lateTz}:${m.wide.ele ? '3.4' : '3'}`);
    if (e.length) lift[p] = e;
    const g: string[] = [];
    if (m.members.get('psg0')?.has(p)) g.push('1:1');
    if (m.members.get('psg1')?.has(p)) g.push(`${lateTz}:${m.wide.psg ? 3 : 2}`);
    if (g.length) gate[p] = g.sort();
  }
  return [lift, gate];
}

function liftHeld(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const u of [...ec.table('user')].sort((a, b) => String(a.Pin).localeCompare(String(b.Pin)))) out[String(u.Pin)] = [];
  for (const r of ec.table('usereleauthorize')) out[String(r.Pin)] ??= ['(no user)'];
  for (const p of Object.keys(out)) if (out[p].length === 0) out[p] = ec.eleRightsOf(p).filter((r) => r.floors.length > 0).map((r) => `${r.timezone}:${r.floors.join('.')}`);
  return out;
}

function gatesHeld(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const u of [...psg.table('user')].sort((a, b) => String(a.Pin).localeCompare(String(b.Pin)))) out[String(u.Pin)] = [];
  for (const r of psg.table('userauthorize').filter((x) => Number(x.AuthorizeDoorId) !== 0)) (out[String(r.Pin)] ??= ['(no user)']).push(`${r.AuthorizeTimezoneId}:${r.AuthorizeDoorId}`);
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

/** Users whose card differs from the model's. */
function cardsDiffer(sim: DeviceSimulator, m: Model): string[] {
  return sim
    .table('user')
    .filter((u) => m.persons.get(String(u.Pin)) !== String(u.CardNo ?? ''))
    .map((u) => `${sim.sn} ${u.Pin} holds card '${u.CardNo}', the model '${m.persons.get(String(u.Pin))}'`);
}

const heldNow = () => [liftHeld(), gatesHeld()];

async function apply(o: Op, m: Model): Promise<void> {
  switch (o.kind) {
    case 'add':
      if (m.left.has(o.pin)) return;
      await ok(t.post('/api/person/add', { pin: o.pin, name: `P${o.pin}`, cardNo: o.card }));
      m.persons.set(o.pin, o.card);
      return;
    case 'delete': {
      const r = await t.delete(`/api/person/delete/${o.pin}`);
      expect(r.body.code === 0 || !m.persons.has(o.pin) || m.left.has(o.pin), r.body.message).toBe(true);
      if (r.body.code !== 0) return;
      m.persons.delete(o.pin);
      m.left.delete(o.pin);
      for (const s of m.members.values()) s.delete(o.pin);
      return;
    }
    case 'leave':
      if (!m.persons.has(o.pin) || m.left.has(o.pin)) return;
      await ok(t.post('/api/person/leave', { pin: o.pin, leaveDate: '2026-01-05' }));
      m.left.add(o.pin);
      return;
    case 'reinstate':
      if (!m.left.has(o.pin)) return;
      await ok(t.post('/api/person/reinstated', { pin: o.pin, name: `P${o.pin}` }));
      m.left.delete(o.pin);
      return;
    case 'grant': {
      if (m.left.has(o.pin)) return;
      if (!m.persons.has(o.pin)) await apply({ kind: 'add', pin: o.pin, card: '' }, m);
      const levelId = (o.module === 'ele' ? ele : psgLevels)[o.level];
      await ok(t.post(`/api/${o.module}Level/syncPerson`, undefined, { pin: o.pin, levelIds: levelId }));
      m.members.get(`${o.module}${o.level}`)!.add(o.pin);
      return;
    }
    case 'revoke': {
      if (!m.persons.has(o.pin) || m.left.has(o.pin)) return;
      const levelId = (o.module === 'ele' ? ele : psgLevels)[o.level];
      await ok(t.post(`/api/${o.module}Level/deleteLevel`, undefined, { pin: o.pin, levelIds: levelId }));
      m.members.get(`${o.module}${o.level}`)!.delete(o.pin);
      return;
    }
    case 'floors': {
      m.floorCount = m.floorCount === 4 ? 3 : 4;
      await ok(t.post('/api/gateway/eleDevice/ECPROP0001/floors', { floors: m.floorCount }));
      if (m.floorCount === 3) m.wide.ele = false;
      await loadPoints();
      return;
    }
    case 'points': {
      if (o.module === 'ele' && m.floorCount === 3) return;
      const wide = !m.wide[o.module];
      if (o.module === 'ele') await ok(t.post('/api/gateway/eleLevel/save', { name: 'Lift late', pointIds: wide ? [floorIds[3], floorIds[4]] : [floorIds[3]] }));
      else await ok(t.post('/api/gateway/psgLevel/save', { name: 'Gate late', pointIds: wide ? [gateIds[1], gateIds[2]] : [gateIds[2]] }));
      m.wide[o.module] = wide;
      return;
    }
    case 'segment': {
      m.lateSchedule = (m.lateSchedule + 1) % 3;
      const from = ['18:00', '17:00', '19:30'][m.lateSchedule];
      await ok(t.put(`/api/gateway/timeSegments/${lateSegId}`, { schedule: { mon: [[from, '22:00']], sat: [['10:00', '12:00']] } }));
      return;
    }
    case 'event': {
      // A floor selected or a gate passed (rtlog with the point as eventaddr); sent again when the controller
      // did not see the OK: stored once either way.
      const sim = o.module === 'ele' ? ec : psg;
      const ev = { time: new Date(Date.now() - 60_000), pin: o.pin, eventaddr: o.point, event: 0, inoutstatus: o.point - 1, verifytype: 1, index: nextIndex++ };
      for (let i = 0; i < (o.resend ? 2 : 1); i++) expect((await sim.uploadRtlog([ev])).status).toBe(200);
      m.events[o.module]++;
      return;
    }
    case 'refuse':
      refuse[o.device] += o.n;
      return;
    case 'lose':
      sims[o.device].loseNextReply();
      return;
    case 'loseResult':
      losses[o.device].count += 1;
      return;
    case 'hold':
    case 'drop':
      sims[o.device].holdResults();
      return;
    case 'noDeletes':
      // Firmware that refuses deleting rights (-1004) until the end of the run: withdrawn rights are emptied instead.
      sims[o.device].failCommands((c) => c.verb === 'DATA DELETE' && (c.table === 'usereleauthorize' || c.table === 'userauthorize'), -1004, 'always');
      return;
    case 'reregister':
      expect((await sims[o.device].connect()).registered).toBe(true);
      return;
    case 'reset':
      expect((await sims[o.device].factoryReset()).registered).toBe(true);
      return;
  }
}

it('random elevator and entrance-control writes with controller faults always converge to the database', { timeout: Number(process.env.FC_TIMEOUT_MS ?? 600_000) }, async () => {
  const m: Model = { persons: new Map(), left: new Set(), members: new Map(['ele0', 'ele1', 'psg0', 'psg1'].map((k) => [k, new Set<string>()])), wide: { ele: false, psg: false }, floorCount: 4, lateSchedule: 0, events: { ele: 0, psg: 0 } };
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: Number(process.env.FC_OPS ?? 8) }), async (ops) => {
      for (const o of ops) {
        await apply(o, m);
        // The controllers poll between writes; a held reply is answered late, after the next write.
        for (const [i, s] of sims.entries()) {
          await s.poll();
          if (o.kind === 'drop' && o.device === i) {
            // Executed, its results never posted (the controller restarted before): sent again after the ack timeout.
            await s.poll();
            s.stopHoldingResults();
            s.dropHeldResults();
          } else if (o.kind !== 'hold' || o.device !== i) {
            s.stopHoldingResults();
            if (s.pendingAcks.length) await s.releaseResults();
          }
        }
        // Never said synced while it differs from what the database grants.
        const want = expected(m);
        const held = heldNow();
        for (const [i, s] of sims.entries()) {
          if (JSON.stringify(held[i]) === JSON.stringify(want[i]) && cardsDiffer(s, m).length === 0) continue;
          const c = await convergenceOf(t, s.sn);
          expect(claimsSynced(c), `${s.sn} said synced while it holds ${JSON.stringify(held[i])}, the database grants ${JSON.stringify(want[i])}`).toBe(false);
        }
      }
      // The controllers accept again; within a bounded number of polls and reconciler passes they equal the model.
      refuse[0] = refuse[1] = 0;
      for (const [i, s] of sims.entries()) {
        s.loseNoMoreReplies();
        losses[i].count = 0;
        s.stopHoldingResults();
        s.clearFaults();
        if (s.pendingAcks.length) await s.releaseResults();
      }
      const want = expected(m);
      let synced = false;
      for (let round = 0; round < 25 && !synced; round++) {
        await reconciler.idle();
        for (const s of sims) await s.pollUntilIdle({ maxPolls: 30 });
        const claims = await Promise.all(sims.map((s) => convergenceOf(t, s.sn)));
        synced =
          JSON.stringify(heldNow()) === JSON.stringify(want) &&
          sims.every((s) => cardsDiffer(s, m).length === 0) &&
          claims.every(claimsSynced);
        if (!synced) {
          await sleep(250);
          await reconciler.runOnce();
        }
      }
      expect(heldNow()).toEqual(want);
      expect(sims.flatMap((s) => cardsDiffer(s, m))).toEqual([]);
      for (const s of sims) expect(await convergenceOf(t, s.sn), s.sn).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
      // Every event uploaded is served once by the manual's read endpoints (2.19.2, 2.34).
      const total = async (path: string) => (await t.get(path, { pageNo: 1, pageSize: 10 })).body.data.total;
      expect({ ele: await total('/api/v2/eleTransaction/list'), psg: await total('/api/v2/psgTransaction/list') }).toEqual(m.events);
      // The whole tables (time zones, pass rule) are what a fresh full sync gives.
      const now = sims.map((s) => tableSnapshot(s, TABLES));
      for (const [i, s] of sims.entries()) {
        expect((await s.factoryReset()).registered).toBe(true);
        for (let round = 0; round < 25; round++) {
          await reconciler.idle();
          await s.pollUntilIdle({ maxPolls: 30 });
          if (claimsSynced(await convergenceOf(t, s.sn))) break;
          await sleep(250);
          await reconciler.runOnce();
        }
        expect(now[i], `${s.sn} differs from a fresh full sync`).toEqual(tableSnapshot(s, TABLES));
      }
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 12), ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
  );
});
