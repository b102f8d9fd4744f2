/**
 * Property: random REST writes (grant, revoke, delete, a level gaining a door) interleaved with random
 * refusals by the panels (negative Returns), lost replies and factory resets always end with every panel holding exactly what the database
 * grants, once the panels accept again and the reconciler has run. Users enrolled at a panel's own menu (with a
 * card that may be another person's) join in: a user the database grants no right there may stay, but every user
 * a panel holds carries the card the database gives that person, never another's. One gateway process here; the variant
 * over two processes, with more faults and the safety invariant, is test/hardening/convergence-two-processes.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const devices: Device[] = [];
/** Commands each panel still refuses (-1002 / -12 alternately). */
const refuse = [0, 0];
let level: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function held(d: Device): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const u of d.sim.table('user')) out[String(u.Pin)] = [];
  for (const r of d.sim.table('userauthorize')) (out[String(r.Pin)] ??= []).push(Number(r.AuthorizeDoorId));
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

/** What the database grants on each panel: pin → door masks, from the REST model below. */
function expected(members: Set<string>, doorsOn: boolean[]): Array<Record<string, number[]>> {
  return doorsOn.map((on) => (on ? Object.fromEntries([...members].sort().map((p) => [p, [1]])) : {}));
}

beforeAll(async () => {
  // The periodic verification every second: a reset panel whose first count was refused is counted again.
  t = await startTestApp({ syncRetryBaseMs: 100, syncRetryMaxMs: 200, syncReconcileIntervalMs: 0, syncVerifyIntervalMs: 1000 });
  reconciler = t.app.get(SyncReconciler);
  // A lost reply is noticed at the panel's next poll this long after (real panels poll every few seconds).
  // A refusal for good (the -12s below) is probed again soon, as a harness's transient refusals need.
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000, refusalProbe: { baseMs: 200, maxMs: 400 } });
  for (let i = 0; i < 2; i++) {
    devices.push(
      await Device.connect(t, `PROP${i}0001`, 1, `10.6.0.${i + 1}`, {
        resultFor: (c) => (c.verb?.startsWith('DATA') && refuse[i] > 0 ? (refuse[i]--, refuse[i] % 2 ? -1002 : -12) : undefined),
      }),
    );
  }
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'P' }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'P', doorName: '10.6.0.1-1' }] })).body.code).toBe(0);
  level = await levelId(t, 'P');
});
afterAll(async () => {
  await t?.close();
});

type Op =
  | { kind: 'grant' | 'revoke' | 'delete'; pin: string }
  | { kind: 'door' }
  | { kind: 'refuse'; device: number; n: number }
  | { kind: 'lose'; device: number }
  | { kind: 'reset'; device: number }
  | { kind: 'enroll'; device: number; pin: string; card: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('grant' as const, 'revoke' as const, 'delete' as const), pin: fc.constantFrom('71', '72', '73') }),
  fc.constant({ kind: 'door' as const }),
  fc.record({ kind: fc.constant('refuse' as const), device: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('lose' as const), device: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('reset' as const), device: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('enroll' as const), device: fc.integer({ min: 0, max: 1 }), pin: fc.constantFrom('71', '72', '74'), card: fc.constantFrom('900071', '900072', '900073', '555074') }),
);

/** The card the database gives each user a panel holds ('' for none); a pin the database lacks is named as such. */
async function cardsAgree(d: Device): Promise<string[]> {
  const users = d.sim.table('user');
  const rows: Array<{ pin: string; card_no: string | null }> = await t.ds.query(`SELECT pin, card_no FROM person WHERE pin = ANY($1)`, [users.map((u) => String(u.Pin))]);
  const card = new Map(rows.map((r) => [r.pin, r.card_no ?? '']));
  return users.filter((u) => card.get(String(u.Pin)) !== String(u.CardNo ?? '')).map((u) => `${u.Pin} holds ${u.CardNo}, the database ${card.has(String(u.Pin)) ? card.get(String(u.Pin)) : 'has no such person'}`);
}

/** Rights as the model grants them; users the panel holds beyond them only if enrolled there, and with no right. */
function rightsHeld(d: Device, enrolledHere: ReadonlySet<string>): Record<string, number[]> {
  const all = held(d);
  return Object.fromEntries(Object.entries(all).filter(([pin, doors]) => doors.length > 0 || !enrolledHere.has(pin)));
}

it('random writes and refusals over two panels always converge to the database', { timeout: Number(process.env.FC_TIMEOUT_MS ?? 240_000) }, async () => {
  const members = new Set<string>();
  const doorsOn = [true, false];
  const enrolled = [new Set<string>(), new Set<string>()];
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 6 }), async (ops) => {
      for (const o of ops) {
        if (o.kind === 'refuse') refuse[o.device] += o.n;
        else if (o.kind === 'lose') devices[o.device].sim.loseNextReply();
        else if (o.kind === 'reset') expect((await devices[o.device].sim.factoryReset()).registered).toBe(true);
        else if (o.kind === 'enroll') {
          expect((await devices[o.device].sim.enrollUserLocally({ uid: Number(o.pin), pin: o.pin, name: `E${o.pin}`, cardno: o.card })).body).toBe('user=1');
          enrolled[o.device].add(o.pin);
        }
        else if (o.kind === 'door') {
          if (!doorsOn[1]) expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'P', doorName: '10.6.0.2-1' }] })).body.code).toBe(0);
          doorsOn[1] = true;
        } else if (o.kind === 'grant') {
          expect((await t.post('/api/person/add', { pin: o.pin, name: `N${o.pin}`, accLevelIds: level })).body.code).toBe(0);
          members.add(o.pin);
        } else if (o.kind === 'revoke') {
          const r = await t.post('/api/accLevel/deleteLevel', null, { pin: o.pin, levelIds: level });
          expect([0, -22]).toContain(r.body.code);
          members.delete(o.pin);
        } else {
          const r = await t.delete(`/api/person/delete/${o.pin}`);
          expect([0, -22]).toContain(r.body.code);
          members.delete(o.pin);
        }
        // Panels poll between writes (the writes and the panel interleave).
        for (const d of devices) await d.sim.poll();
      }
      // The panels accept again; within a bounded number of polls and reconciler passes they equal the database.
      refuse[0] = refuse[1] = 0;
      for (const d of devices) d.sim.loseNoMoreReplies();
      const want = expected(members, doorsOn);
      for (let round = 0; round < 20; round++) {
        await reconciler.idle();
        for (const d of devices) await d.sim.pollUntilIdle({ maxPolls: 30 });
        const agree = await Promise.all(devices.map(cardsAgree));
        if (devices.every((d, i) => JSON.stringify(rightsHeld(d, enrolled[i])) === JSON.stringify(want[i])) && agree.every((a) => a.length === 0)) return;
        await sleep(150);
        await reconciler.runOnce();
      }
      expect(devices.map((d, i) => rightsHeld(d, enrolled[i]))).toEqual(want);
      expect(await Promise.all(devices.map(cardsAgree))).toEqual([[], []]);
    }),
    { numRuns: Number(process.env.FC_RUNS ?? 20), ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
  );
});
