/**
 * A card a device uploads for a known person (a panel's `tabledata user`, security 7.5; a terminal's OPERLOG USER
 * line, attendance 11.5) whose write PostgreSQL aborts to break a deadlock with a concurrent writer. The deadlock is
 * no refusal of the card: the upload's transaction runs again and takes it, and the device is not sent the
 * database's record without the card it just enrolled.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { lockWaits } from '../support/lock-waits';
import type { TestApp } from '../support/test-app';
import { panelInLevel } from '../sync/access-helpers';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

/**
 * `upload` of a line renaming the person of `pin` (its row locked first) and changing a card, met by a transaction of
 * the test holding the person's card rows: the upload waits on them, then the test's transaction asks for the
 * person's row, and PostgreSQL aborts one of the two. The test's session looks for the deadlock after 10 s, the
 * upload's after the default 1 s: the upload's transaction is the one aborted. Answers the upload's answer.
 */
async function deadlockedUpload<U>(pin: string, upload: () => Promise<U>): Promise<U> {
  const [{ id }] = await t.ds.query(`SELECT id FROM person WHERE pin = $1`, [pin]);
  const hold = t.ds.createQueryRunner();
  await hold.connect();
  await hold.startTransaction();
  let sent: Promise<U> | undefined;
  try {
    await hold.query(`SET LOCAL deadlock_timeout = '10s'`);
    expect(await hold.query(`SELECT 1 FROM card WHERE person_id = $1 FOR UPDATE`, [id])).not.toHaveLength(0);
    sent = upload();
    await lockWaits(t.ds, 1);
    await hold.query(`SELECT 1 FROM person WHERE id = $1 FOR UPDATE`, [id]);
  } finally {
    await hold.rollbackTransaction();
    await hold.release();
  }
  return sent;
}

const cardsOf = (pin: string) =>
  t.ds.query(`SELECT c.card_no, c.card_type FROM card c JOIN person p ON p.id = c.person_id WHERE p.pin = $1 ORDER BY c.card_type, c.card_no`, [pin]);
const personOf = (pin: string) => t.ds.query(`SELECT name, card_no FROM person WHERE pin = $1`, [pin]);

// Two transactions at once need two sessions; the embedded database serves one.
describe.skipIf(inject('testDb').mode === 'embedded')('a deadlock while a device’s uploaded card is written', () => {
  it('a panel’s user upload: answered with its count, the person holds the card, the panel keeps it', { timeout: 60_000 }, async () => {
    const { sim, level } = await panelInLevel(t, 'ECD-PANEL-1', '10.9.2.1', 'ECD');
    expect((await t.post('/api/person/add', { pin: '980001', name: 'Rest', cardNo: '7800001', accLevelIds: level })).body.code).toBe(0);
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('user').filter((x) => x.Pin === '980001').map((x) => [x.Name, x.CardNo])).toEqual([['Rest', '7800001']]);

    const u = await deadlockedUpload('980001', () => sim.enrollUserLocally({ uid: 1, pin: '980001', name: 'Panel', cardno: '7800002' }));
    expect(u.status, String(u.body)).toBe(200);
    expect(u.body).toBe('user=1');
    expect(await personOf('980001')).toEqual([{ name: 'Panel', card_no: '7800002' }]);
    expect(await cardsOf('980001')).toEqual([{ card_no: '7800002', card_type: 0 }]);

    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('user').filter((x) => x.Pin === '980001').map((x) => [x.Name, x.CardNo])).toEqual([['Panel', '7800002']]);
  });

  describe('a terminal’s OPERLOG USER line', () => {
    let term: AttendanceTerminal;
    beforeAll(async () => {
      term = await initialisedTerminal(t, { sn: 'ECD-TERM-1' });
    });

    /** A person put in attendance area 1, held by the terminal as the database gives them. */
    async function held(pin: string, add: Record<string, string>): Promise<void> {
      expect((await t.post('/api/person/add', { pin, name: 'Rest', ...add })).body.code).toBe(0);
      expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: [pin] })).body.code).toBe(0);
      await settleTerminal(reconciler, term);
      expect(term.users.get(pin)).toMatchObject({ name: 'Rest', card: add.cardNo, viceCard: add.supplyCards ?? '' });
    }

    it('with a new card: answered OK, the person holds the card, the terminal keeps it', { timeout: 60_000 }, async () => {
      await held('980002', { cardNo: '7800011' });
      const u = await deadlockedUpload('980002', () => term.enrollUser({ pin: '980002', name: 'Terminal', card: '7800012' }));
      expect([u.status, u.body]).toEqual([200, 'OK: 2']);
      expect(await personOf('980002')).toEqual([{ name: 'Terminal', card_no: '7800012' }]);
      expect(await cardsOf('980002')).toEqual([{ card_no: '7800012', card_type: 0 }]);
      await settleTerminal(reconciler, term);
      expect(term.users.get('980002')).toMatchObject({ name: 'Terminal', card: '7800012' });
    });

    it('with a new ViceCard: answered OK, the person holds it as secondary card, the terminal keeps it', { timeout: 60_000 }, async () => {
      await held('980003', { cardNo: '7800021', supplyCards: '7800022' });
      // The main card unchanged: only the ViceCard is written.
      const u = await deadlockedUpload('980003', () => term.enrollUser({ pin: '980003', name: 'Terminal', card: '7800021', viceCard: '7800023' }));
      expect([u.status, u.body]).toEqual([200, 'OK: 2']);
      expect(await cardsOf('980003')).toEqual([
        { card_no: '7800021', card_type: 0 },
        { card_no: '7800023', card_type: 1 },
      ]);
      await settleTerminal(reconciler, term);
      expect(term.users.get('980003')).toMatchObject({ name: 'Terminal', card: '7800021', viceCard: '7800023' });
    });
  });
});
