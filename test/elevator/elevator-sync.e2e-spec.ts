import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Elevator and channel controllers within the one planner: their rights come from their own levels (an
 * access level's gate grants nothing), and the entry points every write path uses (persons, time segments,
 * holidays, the gateway's full sync, the reconciler's owed full sync on admission) reach them.
 */
let t: TestApp;
let ec: ElevatorControllerSimulator;
let psg: ChannelControllerSimulator;
let panel: DeviceSimulator;
let floorIds: Map<number, string>;
let segId: string;
let segTz: number;

const received = (sim: DeviceSimulator, from: number) => sim.received.slice(from).map((r) => [r.command, ...r.continuation].join('\n'));

beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10SYNC01', floors: 4, ipAddress: '10.9.1.1' });
  await ec.connect();
  await ec.pollUntilIdle();
  psg = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PGSYNC0001', gates: 2, ipAddress: '10.9.1.3' });
  await psg.connect();
  await psg.pollUntilIdle();
  panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACCSYNC001', doors: 2, ipAddress: '10.9.1.2' });
  await panel.connect();
  await panel.pollUntilIdle();
  const floors: Array<{ id: string; floorNo: number }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
  floorIds = new Map(floors.map((f) => [f.floorNo, f.id]));
  const seg = await t.post('/api/gateway/timeSegments', { name: 'Lift hours', schedule: { mon: [['08:00', '12:00']] } });
  segId = seg.body.data.id;
  segTz = seg.body.data.tzId;
  const level = await t.post('/api/gateway/eleLevel/save', { name: 'Lift 2', timeSegName: 'Lift hours', pointIds: [floorIds.get(2)] });
  expect(level.body.code).toBe(0);
  await t.post('/api/person/add', { pin: '801', name: 'Eve' });
  expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '801', levelIds: level.body.data.id })).body.code).toBe(0);
  await ec.pollUntilIdle();
  await panel.pollUntilIdle();
});
afterAll(async () => {
  await t?.close();
});

describe('elevator and channel controllers in the planner', () => {
  it('a person saved through the person API reaches the controller that holds them, and no access panel', async () => {
    const [fromEc, fromPanel] = [ec.received.length, panel.received.length];
    expect((await t.post('/api/person/add', { pin: '801', name: 'Eva' })).body.code).toBe(0);
    await ec.pollUntilIdle();
    await panel.pollUntilIdle();
    expect(received(ec, fromEc).some((c) => c.startsWith('DATA UPDATE user ') && c.includes('Pin=801') && c.includes('Name=Eva'))).toBe(true);
    expect(received(panel, fromPanel)).toEqual([]);
  });

  it('a changed time segment reaches the controller whose rights use it', async () => {
    const from = ec.received.length;
    expect((await t.put(`/api/gateway/timeSegments/${segId}`, { schedule: { mon: [['09:00', '11:00']] } })).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(received(ec, from).some((c) => c.startsWith('DATA UPDATE timezone ') && c.includes(`TimezoneId=${segTz}`))).toBe(true);
  });

  it('a new holiday reaches elevator and channel controllers', async () => {
    const [fromEc, fromPsg] = [ec.received.length, psg.received.length];
    expect((await t.post('/api/gateway/holidays', { name: 'Lift day', startDate: '2027-03-01', endDate: '2027-03-01', holidayType: 1, isLoopByYear: false })).body.code).toBe(0);
    await ec.pollUntilIdle();
    await psg.pollUntilIdle();
    for (const cmds of [received(ec, fromEc), received(psg, fromPsg)]) expect(cmds.some((c) => c.startsWith('DATA UPDATE holiday '))).toBe(true);
  });

  it("the gateway's full sync of an elevator controller clears its user and floor tables, never door rights, and converges", async () => {
    const from = ec.received.length;
    expect((await t.post('/api/gateway/devices/EC10SYNC01/sync')).body.code).toBe(0);
    await ec.pollUntilIdle();
    const cmds = received(ec, from);
    expect(cmds).toContain('DATA DELETE usereleauthorize *');
    expect(cmds).toContain('DATA DELETE user *');
    expect(cmds.some((c) => c.startsWith('DATA UPDATE usereleauthorize ') && c.includes('Pin=801'))).toBe(true);
    // An elevator controller's rights are floors (usereleauthorize): the access panels' door rights never go to it.
    expect(cmds.some((c) => /^DATA (UPDATE|DELETE) userauthorize/.test(c))).toBe(false);
    await t.app.get(SyncReconciler).idle();
    const conv = (await t.get('/api/gateway/devices/EC10SYNC01/convergence')).body.data;
    expect(conv).toMatchObject({ divergent: false, unconfirmedItems: 0, failingItems: 0 });
    expect(ec.eleRightsOf('801')).toEqual([{ timezone: segTz, directFloor: 0, floors: [2] }]);
  });

  it('a controller admitted again gets what changed meanwhile, as owed work of the reconciler', async () => {
    expect((await t.post('/api/gateway/devices/EC10SYNC01/disable')).body.code).toBe(0);
    const level = await t.post('/api/gateway/eleLevel/save', { name: 'Lift 3', pointIds: [floorIds.get(3)] });
    await t.post('/api/person/add', { pin: '802', name: 'Fay' });
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '802', levelIds: level.body.data.id })).body.code).toBe(0);
    const from = ec.received.length;
    expect((await t.post('/api/gateway/devices/EC10SYNC01/approve')).body.code).toBe(0);
    await ec.pollUntil((sim) => received(sim, from).some((c) => c.startsWith('DATA UPDATE usereleauthorize ') && c.includes('Pin=802')), { maxPolls: 100, intervalMs: 50 });
    expect(ec.eleRightsOf('802')).toEqual([{ timezone: 1, directFloor: 0, floors: [3] }]);
    expect(ec.eleRightsOf('801')).toEqual([{ timezone: segTz, directFloor: 0, floors: [2] }]);
  });

  it('a gate of a channel controller put in an access level grants nothing through the access planner', async () => {
    const gates: Array<{ id: string; name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 10 })).body.data;
    expect(gates.length).toBeGreaterThan(0);
    await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Gate by access' }] });
    const added = await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Gate by access', doorName: gates[0].name }] });
    expect(added.body.code).toBe(0);
    const levelId = (await t.get(`/api/accLevel/getByName/${encodeURIComponent('Gate by access')}`)).body.data.id;
    const from = psg.received.length;
    await t.post('/api/person/add', { pin: '803', name: 'Gus', accLevelIds: levelId });
    await psg.pollUntilIdle();
    expect(received(psg, from).some((c) => c.includes('Pin=803'))).toBe(false);
  });
});
