/**
 * A card moved from one pin to another on an attendance terminal (simulator). The card lives in the user record
 * (USERINFO Card= and ViceCard=): the old holder's record must lose it there before the new holder's record carries
 * it, or the terminal holds the card under both pins and books a card punch to whichever it finds first. The API
 * refuses a card another person holds, so a move is two writes: the old holder gets another card (or none), then
 * the new holder the card; the terminal refuses, or never gets, the first.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf, sleep } from '../push/push-helpers';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { deliveriesAgeBy } from '../sync/retry-waits';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1500, syncRetryMaxMs: 3000 }, (app) => ({ t, reconciler } = app));

const ok = async (r: Promise<{ body: { code: number; message?: string } }>) => expect((await r).body).toMatchObject({ code: 0 });

async function terminalInOwnArea(sn: string): Promise<AttendanceTerminal> {
  await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
  const term = await initialisedTerminal(t, { sn });
  await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
  await settleTerminal(reconciler, term);
  return term;
}

/** The pins under which the terminal holds `card`, as its main or secondary card. */
const holdersOf = (term: AttendanceTerminal, card: string) => [...term.users.values()].filter((u) => u.card === card || u.viceCard === card).map((u) => u.pin).sort();
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;

/** Reconciler passes and polls until the terminal converged, `check` after every poll. */
async function stepThrough(term: AttendanceTerminal, check: (step: number) => void, rounds = 60): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await reconciler.runOnce();
    await reconciler.idle();
    await term.poll();
    check(i);
    const c = await convergence(term.sn);
    if (!c.divergent && c.pendingCommands === 0) return;
    await sleep(150);
  }
}

describe('a card moved from one pin to another on an attendance terminal', () => {
  for (const fault of ['refused', 'lost'] as const) {
    for (const secondary of [false, true]) {
      it(`the old holder's USERINFO ${fault === 'refused' ? 'refused once' : 'in a lost reply'}: the ${secondary ? 'secondary ' : ''}card is never under both pins, and ends under the new one only`, { timeout: 120_000 }, async () => {
        const n = (fault === 'refused' ? 1 : 3) + (secondary ? 1 : 0);
        const sn = `ATT-CM-${n}`;
        const [ann, bob] = [`76${n}1`, `76${n}2`];
        const card = `76${n}0001`;
        const term = await terminalInOwnArea(sn);
        const cardOf = (c: string, main: string) => (secondary ? { cardNo: main, supplyCards: c } : { cardNo: c });
        await ok(t.post('/api/person/add', { pin: ann, name: 'Ann', ...cardOf(card, `${card}5`) }));
        await ok(t.post('/api/person/add', { pin: bob, name: 'Bob' }));
        await ok(t.post('/api/attAreaPerson/set', { code: sn, pins: [ann, bob] }));
        await settleTerminal(reconciler, term);
        expect(holdersOf(term, card)).toEqual([ann]);

        // Ann's record without the card: refused once, or its reply lost, while Bob's record with the card is queued.
        const aboutAnn = (c: string) => c.startsWith(`DATA UPDATE USERINFO PIN=${ann}\t`);
        const refusal = fault === 'refused' ? term.failCommands(aboutAnn, -1002, 1) : null;
        if (fault === 'lost') {
          // One attempt: the lost command expires unanswered, and Ann's record is in doubt when Bob's is written.
          Object.assign(settingsOf(t), { maxAttempts: 1 });
          term.loseNextReply();
        }
        await ok(t.post('/api/person/add', { pin: ann, name: 'Ann', ...(secondary ? { cardNo: `${card}5`, supplyCards: '' } : { cardNo: '' }) }));
        // The terminal polls between the two writes: Bob's record goes in a reply of its own, after Ann's failed.
        await term.poll();
        if (fault === 'lost') {
          // Past the timeout (ackTimeoutMs, 1 s here).
          await deliveriesAgeBy(t, sn, 1000);
          expect(await term.poll()).toEqual([]);
        }
        await ok(t.post('/api/person/add', { pin: bob, name: 'Bob', ...cardOf(card, `${card}6`) }));
        await stepThrough(term, (i) => expect(holdersOf(term, card).length, `step ${i}: ${holdersOf(term, card)}`).toBeLessThanOrEqual(1));
        if (refusal) expect(refusal.used).toBe(1);
        else expect(term.lostReplies.some((r) => r.includes(`PIN=${ann}`))).toBe(true);
        await settleTerminal(reconciler, term, 20);
        expect(holdersOf(term, card)).toEqual([bob]);
        expect(await convergence(sn)).toMatchObject({ divergent: false });
      });
    }
  }

  it('a factory reset while the new holder waits: the terminal refills with the card under the new holder only', { timeout: 120_000 }, async () => {
    const sn = 'ATT-CM-9';
    const [ann, bob, card] = ['7691', '7692', '7690001'];
    const term = await terminalInOwnArea(sn);
    await ok(t.post('/api/person/add', { pin: ann, name: 'Ann', cardNo: card }));
    await ok(t.post('/api/person/add', { pin: bob, name: 'Bob' }));
    await ok(t.post('/api/attAreaPerson/set', { code: sn, pins: [ann, bob] }));
    await settleTerminal(reconciler, term);
    const refusal = term.failCommands((c) => c.startsWith(`DATA UPDATE USERINFO PIN=${ann}\t`), -1002, 1);
    await ok(t.post('/api/person/add', { pin: ann, name: 'Ann', cardNo: '' }));
    await term.poll();
    expect(refusal.used).toBe(1);
    await ok(t.post('/api/person/add', { pin: bob, name: 'Bob', cardNo: card }));
    expect(holdersOf(term, card)).toEqual([ann]);
    expect(await term.factoryReset()).toBe(true);
    await reconciler.idle();
    await term.poll(true);
    await stepThrough(term, (i) => expect(holdersOf(term, card).length, `step ${i}: ${holdersOf(term, card)}`).toBeLessThanOrEqual(1));
    await settleTerminal(reconciler, term, 20);
    expect(holdersOf(term, card)).toEqual([bob]);
    expect([...term.users.keys()].sort()).toEqual([ann, bob]);
    expect(await convergence(sn)).toMatchObject({ divergent: false });
  });
});

/**
 * Two pins swap cards while the terminal does not poll (Ann X→none, Bob Y→X, Ann none→Y), or with Ann's first write
 * refused once (Ann in doubt, maybe still holding X): each new record waits on the other pin's card. Without the
 * record sent meanwhile without the new card, neither ever went out and both kept their old cards for good.
 */
describe('two pins swap cards on an attendance terminal', () => {
  for (const refused of [false, true]) it(`${refused ? "the first write refused once: " : ""}each ends with the other one's card, never one card under both pins, and the terminal converges`, { timeout: 120_000 }, async () => {
    const sn = refused ? 'ATT-SWAPR' : 'ATT-SWAPC';
    const term = await terminalInOwnArea(sn);
    const [ann, bob, x, y] = refused ? ['7911', '7912', '79110001', '79120002'] : ['7901', '7902', '79010001', '79020002'];
    await ok(t.post('/api/person/add', { pin: ann, name: 'Ann', cardNo: x }));
    await ok(t.post('/api/person/add', { pin: bob, name: 'Bob', cardNo: y }));
    await ok(t.post('/api/attAreaPerson/set', { code: sn, pins: [ann, bob] }));
    await settleTerminal(reconciler, term);
    expect(holdersOf(term, x)).toEqual([ann]);
    expect(holdersOf(term, y)).toEqual([bob]);

    // The swap, three writes while the terminal does not poll (or, refused: Ann's record without X is refused once,
    // so Ann is in doubt, possibly still holding X, when the other two are written).
    const refusal = refused ? term.failCommands((c) => c.startsWith(`DATA UPDATE USERINFO PIN=${ann}\t`), -1002, 1) : null;
    await ok(t.post('/api/person/add', { pin: ann, name: 'Ann', cardNo: '' }));
    if (refused) await term.poll();
    await ok(t.post('/api/person/add', { pin: bob, name: 'Bob', cardNo: x }));
    await ok(t.post('/api/person/add', { pin: ann, name: 'Ann', cardNo: y }));
    await stepThrough(term, (i) => {
      expect(holdersOf(term, x).length, `step ${i}`).toBeLessThanOrEqual(1);
      expect(holdersOf(term, y).length, `step ${i}`).toBeLessThanOrEqual(1);
    });
    if (refusal) expect(refusal.used).toBe(1);
    expect(holdersOf(term, x)).toEqual([bob]);
    expect(holdersOf(term, y)).toEqual([ann]);
    expect(await convergence(sn)).toMatchObject({ divergent: false });
  });
});
