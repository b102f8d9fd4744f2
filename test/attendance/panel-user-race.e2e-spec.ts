/**
 * A user a panel uploads (`tabledata user`, security 7.5) while a REST write creates the same pin: the upload's
 * insert waits on the REST write's new row, and meets its unique pin once that commits. The upload is answered as
 * any other: the person the REST write made takes the panel's line (as a later upload would), and nothing is stored
 * twice.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import { lockWaits } from '../support/lock-waits';
import { startTestApp, type TestApp } from '../support/test-app';
import { levelId } from '../sync/access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  t = await startTestApp();
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

// Two transactions at once need two sessions; the embedded database serves one.
describe.skipIf(inject('testDb').mode === 'embedded')('a panel uploads a user while a REST write creates the same pin', () => {
  it('the upload is answered with its count, the person is stored once with the panel line taken', { timeout: 60_000 }, async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PUR-PANEL-1', doors: 1, ipAddress: '10.9.1.1' });
    await sim.connect();
    await sim.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'PUR' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'PUR', doorName: '10.9.1.1-1' }] })).body.code).toBe(0);
    const level = await levelId(t, 'PUR');

    // The REST write is held after inserting its person, before its level membership (whose key the level row,
    // locked here, must give): the panel's upload of the same pin then waits on that person's row.
    const hold = t.ds.createQueryRunner();
    await hold.connect();
    await hold.startTransaction();
    let rest: Promise<{ body: { code: number; message?: string } }> | undefined;
    let upload: ReturnType<DeviceSimulator['enrollUserLocally']> | undefined;
    try {
      await hold.query(`SELECT 1 FROM acc_level WHERE id = $1 FOR UPDATE`, [level]);
      rest = t.post('/api/person/add', { pin: '990001', name: 'Rest', accLevelIds: level });
      await lockWaits(t.ds, 1);
      upload = sim.enrollUserLocally({ uid: 1, pin: '990001', name: 'Panel', cardno: '7700001' });
      await lockWaits(t.ds, 2);
    } finally {
      await hold.commitTransaction();
      await hold.release();
    }
    const [r, u] = await Promise.all([rest!, upload!]);
    expect(r.body.code, r.body.message).toBe(0);
    expect(u.status, String(u.body)).toBe(200);
    expect(u.body).toBe('user=1');

    const persons = await t.ds.query(`SELECT name, card_no FROM person WHERE pin = '990001'`);
    expect(persons).toEqual([{ name: 'Panel', card_no: '7700001' }]);
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('user').filter((x) => x.Pin === '990001').map((x) => [x.Name, x.CardNo])).toEqual([['Panel', '7700001']]);
    expect(sim.table('userauthorize').filter((x) => x.Pin === '990001')).toHaveLength(1);
  });
});
