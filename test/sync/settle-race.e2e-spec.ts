/**
 * A plan settles a failing item (settledFailures: out of backoff, the device holds it as desired, nothing in flight
 * says otherwise) by clearing its failure late in its transaction. The device's reply is recorded in a transaction of
 * its own: a failure of that item committed between the plan's read and that clear was wiped with it, so the item was
 * left in doubt (`?`) with no failure and no retry time: nothing planned it again, the panel divergent with nothing
 * pending or owed. Here the reply's transaction is held on a row lock after it recorded the failure, and the plan is
 * started while it waits, so its clear comes after that failure is committed.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DataSource } from 'typeorm';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { SyncPlannerService } from '../../src/sync/sync-planner.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { lockWaits } from '../support/lock-waits';
import { claimsSynced, convergenceOf, ok, settleConverged } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let planner: SyncPlannerService;
let ds: DataSource;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 300, syncRetryMaxMs: 300, syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
  planner = t.app.get(SyncPlannerService);
  ds = t.app.get(DataSource);
});
afterAll(async () => {
  await t?.close();
});

// Two transactions at once need two sessions; the embedded database serves one.
describe.skipIf(inject('testDb').mode === 'embedded')('settling a failing item', () => {
  it('a failure the device reports while a plan settles the item keeps its retry', { timeout: 60_000 }, async () => {
    const d = await Device.connect(t, 'SETTLERACE1', 1, '10.73.0.1');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'SETTLE1' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'SETTLE1', doorName: '10.73.0.1-1' }] }));
    const pin = '8501';
    await ok(t.post('/api/person/add', { pin, name: 'Cal', accLevelIds: await levelId(t, 'SETTLE1') }));
    await settleConverged(t, reconciler, d.sim);
    const [{ id }] = await ds.query(`SELECT id FROM device WHERE sn = $1`, [d.sim.sn]);
    const item = async () =>
      (await ds.query(`SELECT hash, failures, next_try_at IS NOT NULL AS owed FROM sync_item WHERE device_id = $1 AND kind = 'user' AND key = $2`, [id, pin]))[0];

    // The person is sent again (a forced plan): their user record and rights are on their way. Their user item is
    // failing and out of backoff with the record the panel holds, as a put confirmed while it waited out a later
    // command's failure leaves it (sync-confirm.ts PUT_IN_BACKOFF): a plan of the person settles it.
    await ds.transaction((m) => planner.syncPins(m, [pin], { force: true }));
    await ds.query(`UPDATE sync_item SET failures = 1, next_try_at = now() WHERE device_id = $1 AND kind = 'user' AND key = $2`, [id, pin]);
    // The panel refuses the user record (not its rights); the results of both writes come back in one body, later.
    const written = (c: { verb: string | null; table?: string }) => c.verb === 'DATA UPDATE' && (c.table === 'user' || c.table === 'userauthorize');
    d.sim.holdResults(written);
    const refusal = d.sim.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'user', -12, 1);
    const got = await d.sim.poll();
    d.sim.stopHoldingResults();
    expect(refusal.used).toBe(1);
    expect(got.filter((c) => written(c.parsed)).map((c) => c.parsed.table)).toEqual(['user', 'userauthorize']);
    expect(d.sim.pendingAcks).toHaveLength(2);

    // The reply's transaction records the user record's failure, then waits on the rights item this test inserts
    // and does not commit (the rights' delete before the put was confirmed: the item has no row).
    const lock = ds.createQueryRunner();
    await lock.connect();
    await lock.startTransaction();
    await lock.query(`INSERT INTO sync_item (device_id, kind, key, hash) VALUES ($1, 'auth', $2, 'x')`, [id, pin]);
    const results = d.sim.releaseResults(undefined, 'batched');
    await lockWaits(ds, 1);
    // A plan of the person reads the user item as it was committed (failing, as the panel holds it) and settles it;
    // its clear waits on the reply's transaction.
    const plan = ds.transaction((m) => planner.reconcileDevice(m, id, [pin]));
    await lockWaits(ds, 2);
    await lock.rollbackTransaction();
    await lock.release();
    await results;
    await plan;

    // The refused write keeps its failure and retry time: the item is planned again, and the panel converges.
    const after = await item();
    expect(after.hash).toBe('?');
    expect(after.failures).toBeGreaterThan(0);
    expect(after.owed).toBe(true);
    await sleep(400);
    await settleConverged(t, reconciler, d.sim);
    expect(await item()).toMatchObject({ failures: 0 });
    expect((await item()).hash).not.toBe('?');
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });
});
