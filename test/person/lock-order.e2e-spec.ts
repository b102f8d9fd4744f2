/**
 * Person writes take their locks in one order (lockPersonPins): the person's pin, then card numbers, then the person
 * row. A user enrolled at a panel's menu with a card (`tabledata user`, Security PUSH 7.5) took pin then card, while a
 * REST person/add of the same pin and card took card then pin, and card/set took the person row then the card:
 * run at once they deadlocked, PostgreSQL aborted one, and writeTransaction ran it again (counted in
 * cvgw_write_deadlock_retries). Here many such pairs race on PostgreSQL and no deadlock is retried; each pin ends as
 * one person holding its card. The embedded database runs one transaction at a time: nothing there can interleave.
 */
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { writeDeadlockRetries } from '../../src/common/write-transaction';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { Device } from '../sync/access-helpers';
import { startFaultApp } from '../sync/fault-helpers';
import type { TestApp } from '../support/test-app';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await reconciler?.idle();
  await t?.close();
});

const ROUNDS = Number(process.env.LOCK_ORDER_ROUNDS ?? 12);
const PAIRS = 3;

const cardsOf = async (pin: string): Promise<string[]> =>
  (await t.ds.query(`SELECT c.card_no FROM card c JOIN person p ON p.id = c.person_id WHERE p.pin = $1 ORDER BY 1`, [pin])).map((r: { card_no: string }) => r.card_no);

it.skipIf(inject('testDb').mode === 'embedded')('an enrolment at the panel, a REST person/add and a card/set of one pin and card at once: no deadlock, one person with the card', { timeout: 120_000 }, async () => {
  const d = await Device.connect(t, 'LOCKORD01', 2, '10.61.0.1');
  const before = writeDeadlockRetries();
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(
      Array.from({ length: PAIRS }, async (_, k) => {
        const pin = String(61000 + round * PAIRS + k);
        const card = `7${pin}`;
        // Half the rounds the person exists already (the add edits, card/set finds them); half they are new.
        if (round % 2 === 1) expect((await t.post('/api/person/add', { pin, name: `Old${pin}` })).body.code).toBe(0);
        const [up, added, set] = await Promise.all([
          d.sim.enrollUserLocally({ uid: round * PAIRS + k + 1, pin, name: `Panel${pin}`, cardno: card }),
          t.post('/api/person/add', { pin, name: `Rest${pin}`, cardNo: card }),
          round % 2 === 1 ? t.post('/api/card/set', { pin, cardNo: card, cardType: '0' }) : Promise.resolve(undefined),
        ]);
        expect(up.status).toBe(200);
        expect(added.body, JSON.stringify(added.body)).toMatchObject({ code: 0 });
        if (set) expect(set.body, JSON.stringify(set.body)).toMatchObject({ code: 0 });
        expect(await cardsOf(pin)).toEqual([card]);
      }),
    );
  }
  expect(writeDeadlockRetries() - before, 'write transactions run again after a deadlock').toBe(0);
});
