/**
 * A panel that registers again with fewer locks (an inBio460 switched from four one-way doors to two two-way doors)
 * kept its old doors above the new LockCount: door/list still listed them, remoteOpenById answered success for a
 * door the panel no longer has (it refuses the number, -11), and their levels kept granting rights bits the panel has
 * no door for. They go now, with their readers and their place in levels, and the panel's rights follow. Reported
 * again (the panel switched back), such a door comes back as it was: its id, name, levels and attendance point.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { ChannelControllerSimulator } from '../simulator/channel';
import { Device, levelId, settleDevice } from '../sync/access-helpers';
import { claimsSynced, convergenceOf, ok } from '../sync/fault-helpers';
import { ConsoleLevelEditService } from '../../src/console/level-edit.service';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  t = await startTestApp({ syncVerifyIntervalMs: 0, syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

const doorsOf = async (prefix: string): Promise<Array<{ name: string; id: string }>> => {
  const r = await t.get('/api/door/list?pageNo=1&pageSize=1000');
  expect(r.body.code).toBe(0);
  return (r.body.data as Array<{ name: string; id: string }>).filter((d) => d.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
};

describe('LockCount dropping at re-registration', () => {
  it('the doors above the new LockCount leave the door list, the levels and the panel rights; a remote open of one is refused', async () => {
    const d = await Device.connect(t, 'LOCKS0001', 4, '10.73.0.1');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'LOCKS' }] }));
    for (const n of [1, 3]) await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'LOCKS', doorName: `10.73.0.1-${n}` }] }));
    const level = await levelId(t, 'LOCKS');
    await ok(t.post('/api/person/add', { pin: '7701', name: 'Ann', accLevelIds: level }));
    await settleDevice(reconciler, d.sim);
    expect(d.sim.rightsOf('7701').map((r) => r.doors)).toEqual([[1, 3]]);
    const before = await doorsOf('10.73.0.1-');
    expect(before.map((x) => x.name)).toEqual(['10.73.0.1-1', '10.73.0.1-2', '10.73.0.1-3', '10.73.0.1-4']);
    const door3 = before[2].id;
    // Door 3 is also an attendance point.
    await t.ds.query(`INSERT INTO att_point (door_id) VALUES ($1)`, [door3]);

    expect((await d.sim.reconfigure({ doors: 2 })).registered).toBe(true);
    await settleDevice(reconciler, d.sim);

    expect((await doorsOf('10.73.0.1-')).map((x) => x.name)).toEqual(['10.73.0.1-1', '10.73.0.1-2']);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM att_point WHERE door_id = $1`, [door3]))[0].n).toBe(0);
    const open = await t.post(`/api/door/remoteOpenById?doorId=${door3}&interval=5`, null);
    expect(open.body.code).toBeLessThan(0);
    const readers: Array<{ name: string }> = await t.ds.query(`SELECT r.name FROM reader r JOIN door o ON o.id = r.door_id JOIN device v ON v.id = o.device_id WHERE v.sn = $1 ORDER BY r.name`, [d.sim.sn]);
    expect(readers.map((r) => r.name)).toEqual(['10.73.0.1-1-In', '10.73.0.1-1-Out', '10.73.0.1-2-In', '10.73.0.1-2-Out']);
    const levelDoors: Array<{ name: string }> = await t.ds.query(`SELECT o.name FROM acc_level_door ld JOIN door o ON o.id = ld.door_id WHERE ld.level_id = $1`, [level]);
    expect(levelDoors.map((x) => x.name)).toEqual(['10.73.0.1-1']);
    // The panel's rights follow the level: door 1 only, confirmed.
    expect(d.sim.rightsOf('7701').map((r) => r.doors)).toEqual([[1]]);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);

    // Back to four doors: doors 3 and 4 come back as they were (id, name, lock delay), door 3 in its level and an
    // attendance point again, and the panel's rights follow.
    expect((await d.sim.reconfigure({ doors: 4 })).registered).toBe(true);
    await settleDevice(reconciler, d.sim);
    const after = await doorsOf('10.73.0.1-');
    expect(after.map((x) => x.name)).toEqual(['10.73.0.1-1', '10.73.0.1-2', '10.73.0.1-3', '10.73.0.1-4']);
    expect(after.map((x) => x.id)).toEqual(before.map((x) => x.id));
    const back: Array<{ name: string }> = await t.ds.query(`SELECT o.name FROM acc_level_door ld JOIN door o ON o.id = ld.door_id WHERE ld.level_id = $1 ORDER BY o.name`, [level]);
    expect(back.map((x) => x.name)).toEqual(['10.73.0.1-1', '10.73.0.1-3']);
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM att_point WHERE door_id = $1`, [door3]))[0].n).toBe(1);
    expect(d.sim.rightsOf('7701').map((r) => r.doors)).toEqual([[1, 3]]);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
    expect((await t.post(`/api/door/remoteOpenById?doorId=${door3}&interval=5`, null)).body.code).toBe(0);
    // Nothing is kept once every door is back.
    expect((await t.ds.query(`SELECT dropped_doors FROM device WHERE sn = $1`, [d.sim.sn]))[0].dropped_doors).toBeNull();
  });

  it('a level deleted while its door was gone is not brought back; the other levels are', async () => {
    const d = await Device.connect(t, 'LOCKS0003', 2, '10.73.0.4');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'LOCKS3A' }, { name: 'LOCKS3B' }] }));
    for (const l of ['LOCKS3A', 'LOCKS3B']) await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: l, doorName: '10.73.0.4-2' }] }));
    const a = await levelId(t, 'LOCKS3A');
    const b = await levelId(t, 'LOCKS3B');
    await ok(t.post('/api/person/add', { pin: '7731', name: 'Ada', accLevelIds: `${a},${b}` }));
    await settleDevice(reconciler, d.sim);
    expect(d.sim.rightsOf('7731').map((r) => r.doors)).toEqual([[2]]);
    expect((await d.sim.reconfigure({ doors: 1 })).registered).toBe(true);
    await settleDevice(reconciler, d.sim);
    expect(d.sim.rightsOf('7731')).toEqual([]);
    expect((await t.post('/api/accLevel/deleteLevel', null, { pin: '7731', levelIds: a })).body.code).toBe(0);
    // An operator deletes level A in the console meanwhile.
    await t.app.get(ConsoleLevelEditService).deleteLevel(a);
    expect((await d.sim.reconfigure({ doors: 2 })).registered).toBe(true);
    await settleDevice(reconciler, d.sim);
    const levels: Array<{ level_id: string }> = await t.ds.query(`SELECT ld.level_id FROM acc_level_door ld JOIN door o ON o.id = ld.door_id WHERE o.name = '10.73.0.4-2'`);
    expect(levels.map((x) => x.level_id)).toEqual([b]);
    expect(d.sim.rightsOf('7731').map((r) => r.doors)).toEqual([[2]]);
  });

  it('a channel controller that lost a gate of an entrance-control level is synced without it', async () => {
    const psg = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'LOCKPSG001', gates: 2, ipAddress: '10.73.0.3' });
    await psg.connect();
    await settleDevice(reconciler, psg);
    const gates: Array<{ id: string; name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 100 })).body.data;
    const mine = gates.filter((g) => g.name.startsWith('10.73.0.3-')).sort((a, b) => a.name.localeCompare(b.name));
    expect(mine).toHaveLength(2);
    const level = (await t.post('/api/gateway/psgLevel/save', { name: 'Gates 1-2', pointIds: mine.map((g) => g.id) })).body.data.id;
    await ok(t.post('/api/person/add', { pin: '7711', name: 'Gus' }));
    await ok(t.post('/api/psgLevel/syncPerson', undefined, { pin: '7711', levelIds: level }));
    await settleDevice(reconciler, psg);
    expect(psg.rightsOf('7711').map((r) => r.doors)).toEqual([[1, 2]]);

    expect((await psg.reconfigure({ doors: 1 })).registered).toBe(true);
    await settleDevice(reconciler, psg, { rounds: 6 });
    const left: Array<{ name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 100 })).body.data;
    expect(left.filter((g) => g.name.startsWith('10.73.0.3-')).map((g) => g.name)).toEqual(['10.73.0.3-1']);
    expect(psg.rightsOf('7711').map((r) => r.doors)).toEqual([[1]]);
    expect(claimsSynced(await convergenceOf(t, psg.sn))).toBe(true);

    // The gate reported again is back in its level, under its id; the controller's rights follow.
    expect((await psg.reconfigure({ doors: 2 })).registered).toBe(true);
    await settleDevice(reconciler, psg, { rounds: 6 });
    const again: Array<{ id: string; name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 100 })).body.data;
    expect(again.filter((g) => g.name.startsWith('10.73.0.3-')).sort((a, b) => a.name.localeCompare(b.name)).map((g) => g.id)).toEqual(mine.map((g) => g.id));
    expect(psg.rightsOf('7711').map((r) => r.doors)).toEqual([[1, 2]]);
    expect(claimsSynced(await convergenceOf(t, psg.sn))).toBe(true);
  });

  it('a registration that states the same LockCount leaves every door and its levels alone', async () => {
    const d = await Device.connect(t, 'LOCKS0002', 2, '10.73.0.2');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'LOCKS2' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'LOCKS2', doorName: '10.73.0.2-2' }] }));
    const ids = (await doorsOf('10.73.0.2-')).map((x) => x.id);
    expect(ids).toHaveLength(2);
    expect((await d.sim.reconfigure({})).registered).toBe(true);
    await settleDevice(reconciler, d.sim);
    expect((await doorsOf('10.73.0.2-')).map((x) => x.id)).toEqual(ids);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_level_door WHERE door_id = $1`, [ids[1]]);
    expect(n).toBe(1);
  });
});
