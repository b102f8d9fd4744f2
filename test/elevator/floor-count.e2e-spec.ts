/**
 * An elevator controller that registers again reporting fewer floors (an expansion board taken out: fewer auxiliary
 * outputs) kept its floors above the new count: floor/list still listed them, remoteOpenById answered success for a
 * floor the controller no longer drives (it refuses the bitmap, -11), and the elevator levels holding them kept
 * granting those floors in the controller's usereleauthorize. They are set aside now: not listed, not opened, not
 * granted; the controller's rights follow, and it is said synced only once it holds them. Reported again (the board
 * put back), such a floor comes back as it was: its id, name and levels, and the rights follow again.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { claimsSynced, convergenceOf, ok, settleConverged, tableSnapshot, useFaultApp } from '../sync/fault-helpers';
import { floorsOf } from './controller-tables';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const ELE = ['user', 'usereleauthorize', 'timezone'];

async function floorsOfController(sn: string): Promise<Array<{ id: string; floorNo: number; name: string }>> {
  const r = await t.get('/api/floor/list', { pageNo: 1, pageSize: 1000 });
  expect(r.body.code).toBe(0);
  const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
  return (r.body.data as Array<{ id: string; floorNo: number; name: string; deviceId: string }>).filter((f) => f.deviceId === id).map(({ id: fid, floorNo, name }) => ({ id: fid, floorNo, name }));
}

/** The oracle: what the same controller holds once factory-reset and synced again from the database. */
async function fromScratch(ec: ElevatorControllerSimulator): Promise<Record<string, string[]>> {
  expect((await ec.factoryReset()).registered).toBe(true);
  await settleConverged(t, reconciler, ec);
  return tableSnapshot(ec, ELE);
}

describe('an elevator controller registering again with another floor count', () => {
  it('fewer floors: those above leave the floor list, the remote calls and the rights; reported again, they come back as they were', async () => {
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10FLOORS1', floors: 6, ipAddress: '10.74.0.1' });
    await ec.connect();
    await settleConverged(t, reconciler, ec);
    const before = await floorsOfController('EC10FLOORS1');
    expect(before.map((f) => f.name)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `10.74.0.1-${n}`));
    const floor = (n: number) => before.find((f) => f.floorNo === n)!.id;
    const level = (await t.post('/api/gateway/eleLevel/save', { name: 'FLOORS 2+5', pointIds: [floor(2), floor(5)] })).body.data.id;
    await ok(t.post('/api/person/add', { pin: '7401', name: 'Lia' }));
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '7401', levelIds: level }));
    await settleConverged(t, reconciler, ec);
    expect(floorsOf(ec)).toEqual({ '7401': ['1:2.5'] });

    // The EX308 with floors 5-6 is taken out: the controller registers with 4 floor outputs.
    expect((await ec.reconfigure({ floors: 4 })).registered).toBe(true);
    await settleConverged(t, reconciler, ec);
    expect((await floorsOfController('EC10FLOORS1')).map((f) => f.floorNo)).toEqual([1, 2, 3, 4]);
    expect((await t.post('/api/floor/remoteOpenById', undefined, { floorId: floor(5), interval: 5 })).body.code).toBe(-404);
    // Nor can a level take it while it is gone.
    expect((await t.post('/api/gateway/eleLevel/save', { name: 'FLOORS 6', pointIds: [floor(6)] })).body.code).toBe(-404);
    expect(floorsOf(ec)).toEqual({ '7401': ['1:2'] });
    expect((await (await t.get('/api/gateway/persons/7401/devices')).body.data)[0]).toMatchObject({ deviceSn: 'EC10FLOORS1', state: 'synced', rights: [{ timezoneId: 1, floors: [2] }] });
    expect(claimsSynced(await convergenceOf(t, 'EC10FLOORS1'))).toBe(true);
    expect(ec.evaluateFloor({ pin: '7401', floor: 5 }).granted).toBe(false);
    const held = tableSnapshot(ec, ELE);

    // Put back: floors 5 and 6 return under their ids and names, floor 5 in its level, and the rights follow.
    expect((await ec.reconfigure({ floors: 6 })).registered).toBe(true);
    await settleConverged(t, reconciler, ec);
    expect(await floorsOfController('EC10FLOORS1')).toEqual(before);
    expect(floorsOf(ec)).toEqual({ '7401': ['1:2.5'] });
    expect(claimsSynced(await convergenceOf(t, 'EC10FLOORS1'))).toBe(true);
    expect((await t.post('/api/floor/remoteOpenById', undefined, { floorId: floor(5), interval: 5 })).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.floorReleased(5)).toBe(true);
    const back = tableSnapshot(ec, ELE);
    expect(back.usereleauthorize).not.toEqual(held.usereleauthorize);
    // Its tables equal what the database gives it.
    expect(await fromScratch(ec)).toEqual(back);
  });

  it('a registration trimmed of its AuxOutCount (its LockCount the only count) sets no floor aside', async () => {
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10FLOORS2', floors: 4, ipAddress: '10.74.0.2' });
    await ec.connect();
    await settleConverged(t, reconciler, ec);
    const before = await floorsOfController('EC10FLOORS2');
    expect(before.map((f) => f.floorNo)).toEqual([1, 2, 3, 4]);
    const level = (await t.post('/api/gateway/eleLevel/save', { name: 'FLOORS 4', pointIds: [before[3].id] })).body.data.id;
    await ok(t.post('/api/person/add', { pin: '7402', name: 'Max' }));
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '7402', levelIds: level }));
    await settleConverged(t, reconciler, ec);
    expect((await ec.reconfigure({ auxOut: 0, doors: 1 })).registered).toBe(true);
    await settleConverged(t, reconciler, ec);
    expect(await floorsOfController('EC10FLOORS2')).toEqual(before);
    expect(floorsOf(ec)).toEqual({ '7402': ['1:4'] });
    expect(claimsSynced(await convergenceOf(t, 'EC10FLOORS2'))).toBe(true);
  });

  it('floors set aside come back, with their levels, when an operator declares them', async () => {
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10FLOORS3', floors: 4, ipAddress: '10.74.0.3' });
    await ec.connect();
    await settleConverged(t, reconciler, ec);
    const before = await floorsOfController('EC10FLOORS3');
    const level = (await t.post('/api/gateway/eleLevel/save', { name: 'FLOORS 1+4', pointIds: [before[0].id, before[3].id] })).body.data.id;
    await ok(t.post('/api/person/add', { pin: '7403', name: 'Ned' }));
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '7403', levelIds: level }));
    await settleConverged(t, reconciler, ec);
    expect((await ec.reconfigure({ floors: 2 })).registered).toBe(true);
    await settleConverged(t, reconciler, ec);
    expect(floorsOf(ec)).toEqual({ '7403': ['1:1'] });
    // The installer's relays still drive floors 3-4 (the firmware does not report the board): declared, they are back.
    expect((await t.post('/api/gateway/eleDevice/EC10FLOORS3/floors', { floors: 4 })).body.code).toBe(0);
    await settleConverged(t, reconciler, ec);
    expect(await floorsOfController('EC10FLOORS3')).toEqual(before);
    expect(floorsOf(ec)).toEqual({ '7403': ['1:1.4'] });
    expect(claimsSynced(await convergenceOf(t, 'EC10FLOORS3'))).toBe(true);
  });

  it('a level whose floors are all set aside grants nothing and answers as it is; the floors back, it grants again with no level call', async () => {
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10FLOORS4', floors: 6, ipAddress: '10.74.0.4' });
    await ec.connect();
    await settleConverged(t, reconciler, ec);
    const before = await floorsOfController('EC10FLOORS4');
    const top = before.filter((f) => f.floorNo >= 5).map((f) => f.id);
    const saved = (await t.post('/api/gateway/eleLevel/save', { name: 'TOP FLOORS', pointIds: top })).body;
    expect(saved.code).toBe(0);
    const level = saved.data.id;
    await ok(t.post('/api/person/add', { pin: '7404', name: 'Ola' }));
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '7404', levelIds: level }));
    await settleConverged(t, reconciler, ec);
    expect(floorsOf(ec)).toEqual({ '7404': ['1:5.6'] });

    const from = ec.received.length;
    expect((await ec.reconfigure({ floors: 4 })).registered).toBe(true);
    await settleConverged(t, reconciler, ec);
    // The controller was told to drop the person's floor rights: the exact line, acknowledged.
    const lines = ec.received.slice(from).map((r) => [r.command, ...r.continuation].join('\n'));
    expect(lines).toContain('DATA DELETE usereleauthorize Pin=7404');
    expect(ec.received.slice(from).every((r) => r.result !== undefined && r.result >= 0)).toBe(true);
    expect(floorsOf(ec)).toEqual({});
    expect(ec.evaluateFloor({ pin: '7404', floor: 5 }).granted).toBe(false);
    // The level answers as it is (2.2.2-2.2.4: id and name), and the person still holds it.
    const asSaved = { id: level, name: 'TOP FLOORS' };
    expect((await t.get(`/api/eleLevel/getById/${level}`)).body).toMatchObject({ code: 0, data: asSaved });
    expect((await t.get(`/api/eleLevel/getByName/TOP FLOORS`)).body.data).toEqual(asSaved);
    expect((await t.get('/api/eleLevel/list', { pageNo: 1, pageSize: 100 })).body.data).toContainEqual(asSaved);
    expect(claimsSynced(await convergenceOf(t, 'EC10FLOORS4'))).toBe(true);

    // The board back: the floors are granted again from the level, with no call by the integrator.
    const back = ec.received.length;
    expect((await ec.reconfigure({ floors: 6 })).registered).toBe(true);
    await settleConverged(t, reconciler, ec);
    expect(floorsOf(ec)).toEqual({ '7404': ['1:5.6'] });
    const again = ec.received.slice(back).map((r) => [r.command, ...r.continuation].join('\n'));
    expect(again).toContain('DATA UPDATE usereleauthorize Pin=7404\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=30');
    expect(claimsSynced(await convergenceOf(t, 'EC10FLOORS4'))).toBe(true);
    expect(await fromScratch(ec)).toEqual(tableSnapshot(ec, ELE));
  });
});
