/**
 * Cards on panels that keep them in `mulcarduser` (MulCardUserFunOn=1, several cards per user), meeting faults: a
 * person with several cards, a card moved from one person to another (main or secondary), a person deleted while
 * their cards move, with getrequest replies lost, devicecmd answers lost (results posted again), results held and
 * posted in reverse, factory resets. Property: whenever the faulty panel differs from a faultless like panel (settled
 * first: said synced), its convergence answer does not say synced; once the faults stop it ends equal to it, and a
 * card opens for its holder only (no card left under a person it was taken from). Knobs: FC_RUNS (default 10),
 * FC_SEED (also puts both panels' card items in a failure's message), FC_MAX_OPS, FC_TIMEOUT_MS.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { claimsSynced, convergenceOf, ok, panelFault, resultReplyLoss, settleConverged, startFaultApp, tableSnapshot, type PanelFault } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lost = resultReplyLoss();
const TABLES = ['user', 'userauthorize', 'mulcarduser'];
const snapshot = (d: Device) => tableSnapshot(d.sim, TABLES);

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

describe('cards moved between persons on a multi-card panel meeting faults', () => {
  type Op =
    | { kind: 'main' | 'second'; pin: string; n: number }
    | { kind: 'move'; from: string; to: string; second: boolean }
    | { kind: 'delete' | 'add'; pin: string }
    | { kind: 'handover'; from: string; to: string; second: boolean }
    | { kind: PanelFault };

  it('the faulty panel is never said synced while it differs, and ends equal to the faultless one', { timeout: Number(process.env.FC_TIMEOUT_MS ?? 240_000) }, async () => {
    const fc = (await import('fast-check')).default;
    const extras = { registryExtras: { MulCardUserFunOn: 1 } };
    const f = await Device.connect(t, 'FCARD0001', 1, '10.52.0.1', { ...extras, retryResults: true, fetch: lost.fetch });
    const r = await Device.connect(t, 'FCARD0002', 1, '10.52.0.2', extras);
    onTestFinished(() => {
      lost.count = 0;
    });
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'CARDL' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'CARDL', doorName: '10.52.0.1-1' }, { levelName: 'CARDL', doorName: '10.52.0.2-1' }] }));
    const level = await levelId(t, 'CARDL');
    const PINS = ['5201', '5202', '5203'];
    for (const pin of PINS) await ok(t.post('/api/person/add', { pin, name: `C${pin}`, accLevelIds: level }));
    const pin = fc.constantFrom(...PINS);
    const card = (n: number) => `52${n}`;
    const op: import('fast-check').Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constantFrom('main' as const, 'second' as const), pin, n: fc.integer({ min: 1, max: 4 }) }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('move' as const), from: pin, to: pin, second: fc.boolean() }), weight: 4 },
      fc.record({ kind: fc.constantFrom('delete' as const, 'add' as const), pin }),
      { arbitrary: fc.record({ kind: fc.constantFrom('lose' as const, 'loseResult' as const, 'reset' as const, 'hold' as const) }), weight: 3 },
    );
    // Every run moves a card at least once (random ops alone may never find a card to move: seed 4404 did not),
    // somewhere among the others, faults before and after it included.
    const handover: import('fast-check').Arbitrary<Op> = fc
      .record({ from: pin, to: pin, second: fc.boolean() })
      .filter((h) => h.from !== h.to)
      .map((h) => ({ kind: 'handover' as const, ...h }));
    const maxOps = Number(process.env.FC_MAX_OPS ?? 10);
    const opsOfRun = fc
      .tuple(fc.array(op, { maxLength: Math.max(0, maxOps - 1) }), handover, fc.nat())
      .map(([ops, h, at]) => [...ops.slice(0, at % (ops.length + 1)), h, ...ops.slice(at % (ops.length + 1))]);
    // Card numbers only a handover gives, each once: never held by anyone when given.
    let freshCards = 0;
    let moves = 0;
    let runMoves = 0;
    let cardRows = 0;
    // With FC_SEED (replaying a failure): the card and user items of both panels, in the failure's message.
    const cardItems = () => t.ds.query(`SELECT d.sn, s.kind, s.key, s.hash, s.prior_hashes, s.failures, s.next_try_at > now() AS waiting FROM sync_item s JOIN device d ON d.id = s.device_id WHERE s.kind IN ('card', 'user') ORDER BY 1, 2, 3`);
    const person = async (p: string) => (await t.get(`/api/person/get/${p}`)).body.data as { name: string } | null;
    const cardsOf = async (p: string) => ((await t.get(`/api/card/getCards/${p}`)).body.data ?? []) as Array<{ cardNo: string; cardType: string | number }>;
    const apply = async (o: Op) => {
      switch (o.kind) {
        case 'main':
        case 'second': {
          if (!(await person(o.pin))) return;
          // A card another person holds is refused (-23).
          const a = await t.post('/api/card/set', { pin: o.pin, cardNo: card(o.n), cardType: o.kind === 'main' ? '0' : '1' });
          expect([0, -23], a.body.message).toContain(a.body.code);
          return;
        }
        case 'move': {
          // The card leaves its holder (the person written again without it), then goes to the other person.
          const p = await person(o.from);
          if (!p || o.from === o.to || !(await person(o.to))) return;
          const cards = await cardsOf(o.from);
          const main = cards.find((c) => String(c.cardType) === '0');
          const seconds = cards.filter((c) => String(c.cardType) !== '0').map((c) => c.cardNo);
          const moved = o.second ? seconds[0] : main?.cardNo;
          if (!moved) return;
          if (o.second) await ok(t.post('/api/person/add', { pin: o.from, name: p.name, supplyCards: seconds.slice(1).join(',') }));
          else await ok(t.post('/api/person/add', { pin: o.from, name: p.name, cardNo: '' }));
          await ok(t.post('/api/card/set', { pin: o.to, cardNo: moved, cardType: o.second ? '1' : '0' }));
          moves++;
          runMoves++;
          return;
        }
        case 'handover': {
          // Both persons there, `from` holding a card of the kind (a fresh one if not), then that card moved.
          for (const p of [o.from, o.to]) if (!(await person(p))) await ok(t.post('/api/person/add', { pin: p, name: `C${p}`, accLevelIds: level }));
          const held = (await cardsOf(o.from)).some((c) => (String(c.cardType) === '0') !== o.second);
          if (!held) await ok(t.post('/api/card/set', { pin: o.from, cardNo: `53${++freshCards}`, cardType: o.second ? '1' : '0' }));
          return apply({ kind: 'move', from: o.from, to: o.to, second: o.second });
        }
        case 'delete':
          expect([0, -22]).toContain((await t.delete(`/api/person/delete/${o.pin}`)).body.code);
          return;
        case 'add':
          if (!(await person(o.pin))) await ok(t.post('/api/person/add', { pin: o.pin, name: `C${o.pin}`, accLevelIds: level }));
          return;
        default:
          return panelFault(o.kind, f.sim, lost);
      }
    };
    await fc.assert(
      fc.asyncProperty(opsOfRun, async (ops) => {
        runMoves = 0;
        let heldAfterHandover = 0;
        for (const [i, o] of ops.entries()) {
          await apply(o);
          // The faultless panel is the database's image once it says it is synced: a card moved to it from another
          // pin it holds waits there too, a retry after the old holder's delete (card-moves.ts), while the faulty
          // panel, its old holder's write not confirmed yet, may be sent both at once. Compared before that, the
          // faulty panel was found ahead of it and said synced, rightly.
          await settleConverged(t, reconciler, r.sim);
          expect(claimsSynced(await convergenceOf(t, r.sim.sn)), `the faultless panel did not settle after ${JSON.stringify(ops.slice(0, i + 1))}`).toBe(true);
          if (o.kind === 'handover') heldAfterHandover = snapshot(r).mulcarduser.length;
          await f.sim.poll();
          if (JSON.stringify(snapshot(f)) !== JSON.stringify(snapshot(r))) {
            const s = await convergenceOf(t, f.sim.sn);
            expect(claimsSynced(s), `said synced while it differs, after ${JSON.stringify(ops.slice(0, i + 1))}: ${JSON.stringify({ f: snapshot(f), r: snapshot(r), s, items: process.env.FC_SEED ? await cardItems() : null })}`).toBe(false);
          }
        }
        lost.count = 0;
        f.sim.loseNoMoreReplies();
        let same = false;
        for (let round = 0; round < 30 && !same; round++) {
          await reconciler.idle();
          await r.sim.pollUntilIdle({ maxPolls: 50 });
          await f.sim.pollUntilIdle({ maxPolls: 50 });
          same = JSON.stringify(snapshot(f)) === JSON.stringify(snapshot(r)) && claimsSynced(await convergenceOf(t, f.sim.sn)) && claimsSynced(await convergenceOf(t, r.sim.sn));
          if (!same) {
            await sleep(150);
            await reconciler.runOnce();
          }
        }
        expect(snapshot(f), JSON.stringify({ ops, status: await convergenceOf(t, f.sim.sn), items: process.env.FC_SEED ? await cardItems() : null })).toEqual(snapshot(r));
        expect(claimsSynced(await convergenceOf(t, f.sim.sn)), JSON.stringify({ ops })).toBe(true);
        expect(claimsSynced(await convergenceOf(t, r.sim.sn)), JSON.stringify({ ops })).toBe(true);
        // This run moved a card, and the faultless panel held cards once it had (not only a run of no-ops).
        expect(runMoves, JSON.stringify({ ops })).toBeGreaterThan(0);
        expect(heldAfterHandover, JSON.stringify({ ops })).toBeGreaterThan(0);
        cardRows += heldAfterHandover;
        // Each card opens for its holder in the database only.
        for (const p of PINS) {
          for (const c of await cardsOf(p)) {
            for (const d of [f, r]) {
              const a = d.sim.evaluateAccess({ cardno: c.cardNo, door: 1 });
              if (a.granted) expect(String(a.pin), JSON.stringify({ ops, card: c.cardNo, holder: p, sn: d.sim.sn })).toBe(p);
            }
          }
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 10), endOnFailure: true, seed: Number(process.env.FC_SEED ?? 20261127) },
    );
    // The runs did move cards, and the panels held some (a property of no-ops proves nothing).
    expect(moves).toBeGreaterThan(0);
    expect(cardRows).toBeGreaterThan(0);
  });
});
