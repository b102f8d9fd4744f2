/**
 * Full syncs of several panels at the same point planned together (SyncPlannerService.syncDevicesFull, as the
 * reconciler runs owed full syncs): one plan id for every page, a later page skipping the earlier pages'
 * commands in its replay, like panels queued the same command texts, and a REST write in the middle (its
 * records added to the full sync's pending commands) still ends with every panel holding the database's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/common/ids';
import { SyncPlannerService } from '../../src/sync/sync-planner.service';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId, seedPersons } from './access-helpers';

const PERSONS = 7;
let t: TestApp;
let a: Device;
let b: Device;
let level: string;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  a = await Device.connect(t, 'GROUPA0001', 1, '10.8.0.1');
  b = await Device.connect(t, 'GROUPB0001', 1, '10.8.0.2');
  await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'G' }] });
  await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'G', doorName: '10.8.0.1-1' }, { levelName: 'G', doorName: '10.8.0.2-1' }] });
  level = await levelId(t, 'G');
  await a.since();
  await b.since();
  await seedPersons(t, PERSONS, level, 'g');
});
afterAll(async () => {
  await t?.close();
});

const users = (d: Device) => d.sim.table('user').map((u) => `${u.Pin}:${u.Name}`).sort();

describe('a full sync of two like panels, planned together in pages', () => {
  it('pages of 3 pins under one plan, a write in between: both panels end with exactly the desired users and rights', async () => {
    const planner = t.app.get(SyncPlannerService);
    const [{ ida }] = await t.ds.query(`SELECT id AS ida FROM device WHERE sn = $1`, [a.sim.sn]);
    const [{ idb }] = await t.ds.query(`SELECT id AS idb FROM device WHERE sn = $1`, [b.sim.sn]);
    const plan = newId();
    let cursor: string | null = null;
    let pages = 0;
    do {
      cursor = await t.ds.transaction((m) => planner.syncDevicesFull(m, [ida, idb], cursor, plan, 3));
      pages++;
      // A write after the first page, about a pin of a later page: planned with its own plan.
      if (pages === 1) expect((await t.post('/api/person/add', { pin: '100006', name: 'Renamed', accLevelIds: level })).body.code).toBe(0);
    } while (cursor !== null);
    expect(pages).toBe(3);
    // The same command texts for both panels (built once), in the same order.
    const texts = async (sn: string) => (await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 AND state = 'pending' ORDER BY id`, [sn])).map((r: { command: string }) => r.command);
    expect(await texts(b.sim.sn)).toEqual(await texts(a.sim.sn));
    const sentA = await a.since();
    await b.since();
    expect(sentA.filter((c) => c === 'DATA DELETE user *')).toHaveLength(1);
    const want = Array.from({ length: PERSONS }, (_, i) => `${100001 + i}:${i + 1 === 6 ? 'Renamed' : `P${i + 1}`}`).sort();
    for (const d of [a, b]) {
      expect(users(d)).toEqual(want);
      expect(d.sim.table('userauthorize')).toHaveLength(PERSONS);
      d.expectAllAcknowledged();
    }
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM sync_item WHERE kind = 'user' AND hash IS NOT NULL AND device_id = ANY($1)`, [[ida, idb]]);
    expect(n).toBe(2 * PERSONS);
  });
});

describe('a clear the panel refuses', () => {
  it('restarts the owed full sync from its first page: a user only the panel held is gone in the end', async () => {
    const reconciler = t.app.get(SyncReconciler);
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [a.sim.sn]);
    // A user added at the panel's keypad, unknown to the database: only a clear removes it.
    a.sim.tables.upsert('user', { Pin: '999999', Name: 'Keypad', CardNo: '', Password: '', Privilege: '0' });
    const clear = a.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'user' && c.args.trim() === '*', -1002, 1);
    // The first page (3 pins) with the clear, owed as the reconciler owes it; the panel refuses the clear.
    const plan = newId();
    const planner = t.app.get(SyncPlannerService);
    const next = await t.ds.transaction((m) => planner.syncDevicesFull(m, [id], null, plan, 3));
    expect(next).not.toBeNull();
    await t.ds.query(`INSERT INTO sync_owed (device_id, kind, cursor, plan) VALUES ($1, 'full', $2, $3)`, [id, next, plan]);
    await a.since();
    expect(clear.used).toBe(1);
    const [owed] = await t.ds.query(`SELECT cursor, plan FROM sync_owed WHERE device_id = $1 AND kind = 'full'`, [id]);
    expect(owed, 'the failed clear sends the full sync back to its first page').toEqual({ cursor: null, plan: null });
    await t.ds.query(`UPDATE sync_owed SET next_try_at = now() WHERE device_id = $1`, [id]);
    for (let i = 0; i < 6; i++) {
      await reconciler.runOnce();
      await a.since();
    }
    expect(a.sim.user('999999')).toBeUndefined();
    expect(users(a)).toHaveLength(PERSONS);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM sync_owed WHERE device_id = $1`, [id]))[0].n).toBe(0);
  });
});
