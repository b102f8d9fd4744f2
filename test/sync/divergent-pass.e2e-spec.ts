/**
 * The reconciler's divergent pass (items whose retry is due, planned again per device) releases only what it
 * selected. It plans one device after another, each in a transaction of its own: an item that came due after the
 * pass's select, released by a condition read again in its device's transaction, lost its row or its retry time
 * without being planned. A card put held back on a panel (card-moves.ts) is such an item: the new holder's card was
 * never sent, the panel divergent for good with nothing pending (CI, fault-hunts 'the old holder's write refused
 * once', intermittently). Here the window is made wide on purpose: another device's transaction of the same pass is
 * kept waiting on a row lock while the held card's retry comes due.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { claimsSynced, convergenceOf, holdersOf, ok, settleConverged } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let ds: DataSource;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RETRY_MS = 1500;

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: RETRY_MS, syncRetryMaxMs: RETRY_MS, syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
  ds = t.app.get(DataSource);
});
afterAll(async () => {
  await t?.close();
});

const deviceId = async (sn: string): Promise<string> => (await ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]))[0].id;

describe('the divergent pass', () => {
  for (const mulCard of [false, true]) {
    it(`a held card put that comes due while the pass plans another device is sent on a later pass${mulCard ? ' (mulcarduser)' : ''}`, { timeout: 120_000 }, async () => {
      const n = mulCard ? 2 : 1;
      const sn = `DIVPASS000${n}`;
      const d = await Device.connect(t, sn, 1, `10.72.0.${n}`, mulCard ? { registryExtras: { MulCardUserFunOn: 1 } } : {});
      // A second panel whose due item the pass plans first (older retry time), its transaction kept waiting.
      const blocker = await Device.connect(t, `DIVPASS010${n}`, 1, `10.72.1.${n}`);
      const level = `DIVP${n}`;
      await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
      await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `10.72.0.${n}-1` }] }));
      const levelIds = await levelId(t, level);
      const [ann, bob, card] = [`81${n}1`, `81${n}2`, `81${n}0001`];
      await ok(t.post('/api/person/add', { pin: ann, name: 'Ann', cardNo: card, accLevelIds: levelIds }));
      await ok(t.post('/api/person/add', { pin: bob, name: 'Bob', accLevelIds: levelIds }));
      await settleConverged(t, reconciler, d.sim);
      expect(holdersOf(d, card)).toEqual([ann]);

      // Ann gets another card; the panel refuses that write once: her card item is in doubt, due a retry later.
      const aboutAnn = (c: { verb: string | null; table?: string; args: string; continuation: string[] }) =>
        (c.verb === 'DATA UPDATE' || c.verb === 'DATA DELETE') && (c.table === 'user' || c.table === 'mulcarduser') && [c.args, ...c.continuation].some((l) => l.includes(`Pin=${ann}`));
      const refusal = d.sim.failCommands(aboutAnn, -12, 1);
      await ok(t.post('/api/person/add', { pin: ann, name: 'Ann', cardNo: `${card}9`, accLevelIds: levelIds }));
      await d.sim.poll();
      expect(refusal.used).toBe(1);
      // Bob gets the card half a retry later: his put is held until Ann's item has settled, due half a retry after hers.
      await sleep(RETRY_MS / 2);
      const heldFrom = Date.now();
      await ok(t.post('/api/person/add', { pin: bob, name: 'Bob', cardNo: card, accLevelIds: levelIds }));
      const kind = mulCard ? 'card' : 'user';
      const [bobItem] = await ds.query(`SELECT failures, next_try_at > now() AS waiting FROM sync_item WHERE device_id = $1 AND kind = $2 AND key = $3`, [await deviceId(sn), kind, bob]);
      // Waiting (a retry after his put): checked only when read inside that wait for sure (a loaded machine can spend it).
      if (Date.now() - heldFrom < RETRY_MS) expect(bobItem).toMatchObject({ waiting: true });
      expect(bobItem.failures).toBeGreaterThan(0);

      // Ann's retry is due, Bob's not yet. The blocker's due item (older) is planned first, and its transaction waits
      // on a row this test holds locked until Bob's retry is due too.
      await sleep(RETRY_MS / 2 + 200);
      await ds.query(`INSERT INTO sync_item (device_id, kind, key, failures, next_try_at) VALUES ($1, 'user', 'blocker', 1, now() - interval '1 hour')`, [await deviceId(blocker.sim.sn)]);
      const lock = ds.createQueryRunner();
      await lock.connect();
      await lock.startTransaction();
      await lock.query(`SELECT 1 FROM sync_item WHERE key = 'blocker' FOR UPDATE`);
      const pass = reconciler.runOnce();
      await sleep(RETRY_MS);
      await lock.commitTransaction();
      await lock.release();
      await pass;

      // Bob's held put is still owed, and goes out once Ann's item has settled.
      for (let i = 0; i < 20 && !holdersOf(d, card).includes(bob); i++) {
        await reconciler.idle();
        await d.sim.pollUntilIdle({ maxPolls: 50 });
        await sleep(300);
        await reconciler.runOnce();
      }
      expect(holdersOf(d, card), JSON.stringify(await convergenceOf(t, sn))).toEqual([bob]);
      await settleConverged(t, reconciler, d.sim);
      expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    });
  }
});
