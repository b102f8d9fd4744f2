/**
 * A device whose kind changes after it was sent data (an access panel whose irstate upload shows a channel
 * controller, or a controller an operator declares an elevator controller) holds what its old kind was sent:
 * access-level users and door rights that its new kind's levels do not grant. The change owes a full sync in its
 * own transaction (the old kind's rights table cleared first where the new kind keeps rights elsewhere), so the
 * device ends up holding what the database says for its new kind, with nothing pending and nothing divergent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { settleDevice } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let accLevel: string;

/** Polls and runs the reconciler until the device has nothing left to do. */
const settle = (sim: DeviceSimulator) => settleDevice(reconciler, sim);

/** The device's users and both rights tables, as `pin`, `pin:tz:doors` and `pin:tz:floors`. */
const held = (sim: DeviceSimulator) => ({
  users: sim.table('user').map((u) => String(u.Pin)).sort(),
  doors: sim.table('userauthorize').map((r) => `${r.Pin}:${r.AuthorizeTimezoneId}:${r.AuthorizeDoorId}`).sort(),
  floors: sim.table('usereleauthorize').map((r) => `${r.Pin}:${r.AuthorizeTimezoneId}:${r.AuthorizeFloors}`).sort(),
});
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;

/** A plain-looking panel (no model name or parameter tells its kind) whose door 1 is in the access level, holding pin 31. */
async function panelHoldingAccessRights(sn: string, ip: string, extra: Record<string, unknown> = {}): Promise<DeviceSimulator> {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, deviceName: 'X200', ipAddress: ip, ...extra });
  await sim.connect();
  await settle(sim);
  expect((await t.get(`/api/gateway/devices/${sn}`)).body.data.kind).toBe('acc');
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Doors', doorName: `${ip}-1` }] })).body.code).toBe(0);
  await settle(sim);
  expect(held(sim)).toEqual({ users: ['31'], doors: ['31:1:1'], floors: [] });
  return sim;
}

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0, syncVerifyIntervalMs: 0, logLevel: 'error' } as never);
  reconciler = t.app.get(SyncReconciler);
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Doors', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
  accLevel = (await t.get('/api/accLevel/getByName/Doors')).body.data.id;
  for (const pin of ['31', '32']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/syncPerson', undefined, { pin: '31', levelIds: accLevel })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

describe('a device whose kind changes is brought to what its new kind should hold', () => {
  it('a panel whose irstate upload shows a channel controller loses the access-level rights; its gate level reaches it', async () => {
    const sim = await panelHoldingAccessRights('LATEPSG001', '10.6.0.1');
    const irstate = await sim.uploadRaw('/iclock/cdata', { table: 'irstate' }, 'irstate=0\tirsensecount=2\tincount=0\toutcount=0\talarmcount=0\truncount=0\r\n', {
      'Content-Type': 'application/push;charset=UTF-8',
    });
    expect(irstate.status).toBe(200);
    expect((await t.get('/api/gateway/devices/LATEPSG001')).body.data.kind).toBe('psg');
    await settle(sim);
    // An access level's door grants nothing on a channel controller.
    expect(held(sim)).toEqual({ users: [], doors: [], floors: [] });
    expect(await convergence('LATEPSG001')).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    const gates: Array<{ id: string; name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 10 })).body.data;
    const gateLevel = (await t.post('/api/gateway/psgLevel/save', { name: 'Gate 2', pointIds: [gates.find((g) => g.name === '10.6.0.1-2')!.id] })).body.data.id;
    expect((await t.post('/api/psgLevel/syncPerson', undefined, { pin: '32', levelIds: gateLevel })).body.code).toBe(0);
    await settle(sim);
    expect(held(sim)).toEqual({ users: ['32'], doors: ['32:1:2'], floors: [] });
    // Registering again changes nothing.
    await sim.connect();
    await settle(sim);
    expect(held(sim)).toEqual({ users: ['32'], doors: ['32:1:2'], floors: [] });
    expect(await convergence('LATEPSG001')).toMatchObject({ divergent: false, pendingCommands: 0 });
  });

  it('a controller an operator declares an elevator controller gets its floors, loses its door rights, and holds its elevator level', async () => {
    const sim = await panelHoldingAccessRights('LATEELE001', '10.6.0.2', { auxOut: 4 });
    expect((await t.post('/api/gateway/devices/LATEELE001/kind', { kind: 'ele' })).body.code).toBe(0);
    await settle(sim);
    expect(held(sim)).toEqual({ users: [], doors: [], floors: [] });
    expect(sim.received.map((c) => c.command)).toContain('DATA DELETE userauthorize *');
    expect(await convergence('LATEELE001')).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    // Its floors exist without waiting for the next registration (AuxOutCount 4).
    const floors: Array<{ id: string; floorNo: number; name: string }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 50 })).body.data;
    expect(floors.map((f) => f.name)).toEqual(['10.6.0.2-1', '10.6.0.2-2', '10.6.0.2-3', '10.6.0.2-4']);
    const lift = (await t.post('/api/gateway/eleLevel/save', { name: 'Lift 3', pointIds: [floors[2].id] })).body.data.id;
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '31', levelIds: lift })).body.code).toBe(0);
    await settle(sim);
    expect(held(sim)).toEqual({ users: ['31'], doors: [], floors: ['31:1:4'] });
    expect(await convergence('LATEELE001')).toMatchObject({ divergent: false, pendingCommands: 0 });
  });
});
