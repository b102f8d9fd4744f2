/**
 * A firmware that refuses for good to delete from its rights table (`DATA DELETE usereleauthorize` or
 * `userauthorize` answered -1004) still takes updates: a right the database withdraws is overwritten with no floor
 * (no door) in each time zone it held, so the controller opens nothing the database does not grant (fail closed).
 * It kept the withdrawn floor before, and the gateway reported the person as divergent for ever. The emptied rows (of a
 * member leaving the controller, or of a time zone a member lost) stay there, so it is reported divergent with them
 * until a probe deletes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { startTestApp, type TestApp } from '../support/test-app';
import { settleDevice } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const settle = (sim: DeviceSimulator) => settleDevice(reconciler, sim, { pauseMs: 250 });
const personOn = async (pin: string, sn: string) => ((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data as Array<{ deviceSn: string }>).find((d) => d.deviceSn === sn);
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
const evening = new Date('2027-03-01T19:00:00Z'); // a Monday

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 200, syncRetryMaxMs: 400, syncReconcileIntervalMs: 0, syncVerifyIntervalMs: 0, logLevel: 'error' } as never);
  reconciler = t.app.get(SyncReconciler);
  expect((await t.post('/api/gateway/timeSegments', { name: 'Evenings', schedule: { mon: [['18:00', '22:00']] } })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

describe('rights on a firmware that will not delete them', () => {
  it('an elevator controller: a floor taken away, in one time zone or all, is emptied by an update', async () => {
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10NODEL1', floors: 4, ipAddress: '10.2.0.1' });
    ec.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'usereleauthorize', -1004, 'always');
    await ec.connect();
    await settle(ec);
    const floors: Array<{ id: string; floorNo: number }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 10 })).body.data;
    const lobby = (await t.post('/api/gateway/eleLevel/save', { name: 'Lobby', pointIds: [floors[1].id] })).body.data.id;
    const roof = (await t.post('/api/gateway/eleLevel/save', { name: 'Roof', timeSegName: 'Evenings', pointIds: [floors[3].id] })).body.data.id;
    for (const pin of ['51', '52']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '51', levelIds: `${lobby},${roof}` })).body.code).toBe(0);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '52', levelIds: lobby })).body.code).toBe(0);
    await settle(ec);
    expect(ec.evaluateFloor({ pin: '51', floor: 4, time: evening }).granted).toBe(true);
    // 51 loses the roof (its only right in that time zone); 52 loses every floor.
    expect((await t.post('/api/eleLevel/deleteLevel', undefined, { pin: '51', levelIds: roof })).body.code).toBe(0);
    expect((await t.post('/api/eleLevel/deleteLevel', undefined, { pin: '52', levelIds: lobby })).body.code).toBe(0);
    await settle(ec);
    expect(ec.evaluateFloor({ pin: '51', floor: 4, time: evening })).toMatchObject({ granted: false });
    expect(ec.evaluateFloor({ pin: '51', floor: 2, time: evening })).toMatchObject({ granted: true });
    expect(ec.evaluateFloor({ pin: '52', floor: 2, time: evening })).toMatchObject({ granted: false });
    expect(ec.eleRightsOf('51').filter((r) => r.floors.length > 0)).toEqual([{ timezone: 1, directFloor: 0, floors: [2] }]);
    expect(ec.eleRightsOf('52').filter((r) => r.floors.length > 0)).toEqual([]);
    expect(ec.received.some((c) => c.command.startsWith('DATA UPDATE usereleauthorize Pin=52') && c.command.endsWith('AuthorizeFloors=0') && c.result === 0)).toBe(true);
    // 51 keeps its lobby floor; the roof's time zone stays on the controller as a row of no floor, which the database does
    // not give it: 51 is shown with that row, not synced, until a probe deletes it (refused-rights-delete-probe.e2e-spec.ts).
    expect(await personOn('51', 'EC10NODEL1')).toMatchObject({ state: 'divergent', confirmedRights: [{ timezoneId: 1, floors: [2] }, { timezoneId: 2, floors: [] }] });
    // 52's rows of no floor stay (the firmware deletes none): rows the database does not give the controller, so it is
    // not reported synced; nothing is pending or failing (the refusal's probe tries the delete again:
    // refused-rights-delete-probe.e2e-spec.ts).
    expect(await convergence('EC10NODEL1')).toMatchObject({ divergent: true, failingItems: 0, pendingCommands: 0 });
  });

  it('an access panel: a door taken away in one time zone is emptied by an update, the other door stays', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACCNODEL01', doors: 2, ipAddress: '10.2.0.2' });
    panel.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize', -1004, 'always');
    await panel.connect();
    await settle(panel);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Door 1', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }, { name: 'Door 2 evenings', areaName: 'Area Name', timeSegName: 'Evenings' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Door 1', doorName: '10.2.0.2-1' }, { levelName: 'Door 2 evenings', doorName: '10.2.0.2-2' }] })).body.code).toBe(0);
    const [door1, door2] = await Promise.all(['Door 1', 'Door 2 evenings'].map(async (n) => (await t.get(`/api/accLevel/getByName/${encodeURIComponent(n)}`)).body.data.id as string));
    expect((await t.post('/api/accLevel/syncPerson', undefined, { pin: '52', levelIds: `${door1},${door2}` })).body.code).toBe(0);
    await settle(panel);
    expect(panel.evaluateAccess({ pin: '52', door: 2, time: evening }).granted).toBe(true);
    expect((await t.post('/api/accLevel/deleteLevel', undefined, { pin: '52', levelIds: door2 })).body.code).toBe(0);
    await settle(panel);
    expect(panel.evaluateAccess({ pin: '52', door: 2, time: evening }).granted).toBe(false);
    expect(panel.evaluateAccess({ pin: '52', door: 1, time: evening }).granted).toBe(true);
    expect(panel.rightsOf('52').filter((r) => r.doors.length > 0).map((r) => [r.timezoneId, r.doors])).toEqual([['1', [1]]]);
    // The evening time zone's row of no door stays (the firmware deletes none): not reported synced, nothing pending or
    // failing; the refusal's probe tries the delete by Pin again.
    expect(await convergence('ACCNODEL01')).toMatchObject({ divergent: true, failingItems: 0, pendingCommands: 0 });
  });
});
