/**
 * A CVSecurity visitor level groups access levels with elevator levels (and passage levels): a checked-in visitor
 * gets them on every device of those levels. Here a visitor level may be an elevator level (floors) or an
 * entrance-control level (gates), listed by 2.16.1 and named in 2.17.1 visLevels: the visitor reaches the elevator
 * and channel controllers of those levels as a temporary user for the visit, through the one planner, and leaves them
 * at check-out and when the visit expires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ChannelControllerSimulator } from '../simulator/channel';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let reconciler: SyncReconciler;
let ec: ElevatorControllerSimulator;
let psg: ChannelControllerSimulator;
let liftLevel: string;
let gateLevel: string;

const pad = (n: number) => String(n).padStart(2, '0');
const fmt = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await reconciler.idle();
    await ec.pollUntilIdle({ maxPolls: 50 });
    await psg.pollUntilIdle({ maxPolls: 50 });
  }
};
const users = (sim: ElevatorControllerSimulator | ChannelControllerSimulator) => sim.table('user').map((u) => String(u.Pin)).sort();
const floorsOf = (pin: string) => ec.eleRightsOf(pin).map((r) => r.floors.join('.'));

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0, logLevel: 'error' } as never);
  reconciler = t.app.get(SyncReconciler);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10VIS001', floors: 4, ipAddress: '10.9.7.1' });
  psg = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PGVIS00001', gates: 2, ipAddress: '10.9.7.2' });
  for (const sim of [ec, psg]) await sim.connect();
  await settle();
  const floors: Array<{ id: string; floorNo: number }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
  const gates: Array<{ id: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 10 })).body.data;
  liftLevel = (await t.post('/api/gateway/eleLevel/save', { name: 'Visitor lift 3', pointIds: [floors.find((f) => f.floorNo === 3)!.id] })).body.data.id;
  gateLevel = (await t.post('/api/gateway/psgLevel/save', { name: 'Visitor gate 1', pointIds: [gates[0].id] })).body.data.id;
  expect((await t.post('/api/person/add', { pin: '5', deptCode: '1', name: 'Host' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

describe('a visitor level that is an elevator or entrance-control level', () => {
  it('is listed among the visitor levels (2.16.1) and can be offered by visLevel/add', async () => {
    const listed = (await t.get('/api/visLevel/list', { pageNo: 1, pageSize: 50 })).body.data.map((l: { id: string }) => l.id);
    expect(listed).toEqual(expect.arrayContaining([liftLevel, gateLevel]));
    expect((await t.post('/api/gateway/visLevel/add', { levelIds: `${liftLevel},${gateLevel}` })).body.code).toBe(0);
    const narrowed = (await t.get('/api/visLevel/list', { pageNo: 1, pageSize: 50 })).body.data.map((l: { id: string }) => l.id).sort();
    expect(narrowed).toEqual([liftLevel, gateLevel].sort());
  });

  it('a checked-in visitor gets the floor and the gate for the visit window; check-out takes them off both controllers', async () => {
    const body = {
      persPersonPin: '5', certType: '3', certNum: 'EV1001', visEmpName: 'Lift Guest', visitEmpPhone: '', visitReason: 'visit', visitorCount: '1',
      startTime: fmt(new Date(Date.now() - 3600_000)), endTime: fmt(new Date(Date.now() + 2 * 3600_000)), cardNo: '5557001', visLevels: `${liftLevel},${gateLevel}`,
    };
    const r = await t.post('/api/visRegistration/add', body);
    expect(r.body.code, r.body.message).toBe(0);
    await settle();
    const [{ pin }] = await t.ds.query(`SELECT visitor_pin AS pin FROM vis_registration WHERE cert_num = 'EV1001'`);
    expect(users(ec)).toEqual([pin]);
    expect(floorsOf(pin)).toEqual(['3']);
    expect(users(psg)).toEqual([pin]);
    expect(psg.table('userauthorize').map((a) => `${a.Pin}:${a.AuthorizeDoorId}`)).toEqual([`${pin}:1`]);
    // Valid for the visit window only (the user record's StartTime/EndTime), as on an access panel.
    expect(Number(ec.user(pin)?.EndTime ?? 0)).toBeGreaterThan(0);
    const devices = (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data;
    expect(JSON.stringify(devices)).toContain('EC10VIS001');

    expect((await t.post('/api/visRegistration/exit', undefined, { certType: '3', certNum: 'EV1001' })).body.code).toBe(0);
    await settle();
    expect(users(ec)).toEqual([]);
    expect(ec.table('usereleauthorize')).toEqual([]);
    expect(users(psg)).toEqual([]);
    expect(psg.table('userauthorize')).toEqual([]);
  });

  it('a visit that expires leaves the controllers; a floor added to the level meanwhile reaches a visitor on site', async () => {
    const body = {
      persPersonPin: '5', certType: '3', certNum: 'EV1002', visEmpName: 'Short Guest', visitEmpPhone: '', visitReason: 'visit', visitorCount: '1',
      startTime: fmt(new Date(Date.now() - 3600_000)), endTime: fmt(new Date(Date.now() + 3600_000)), cardNo: '5557002', visLevels: liftLevel,
    };
    expect((await t.post('/api/visRegistration/add', body)).body.code).toBe(0);
    await settle();
    const [{ pin, id }] = await t.ds.query(`SELECT visitor_pin AS pin, id FROM vis_registration WHERE cert_num = 'EV1002'`);
    expect(floorsOf(pin)).toEqual(['3']);
    const floors: Array<{ id: string; floorNo: number }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
    expect((await t.post('/api/gateway/eleLevel/save', { name: 'Visitor lift 3', pointIds: [3, 4].map((n) => floors.find((f) => f.floorNo === n)!.id) })).body.code).toBe(0);
    await settle();
    expect(floorsOf(pin)).toEqual(['3.4']);
    // The window ends: the sweeper's pass ends the visit.
    await t.ds.query(`UPDATE vis_registration SET end_time = now() - interval '1 minute' WHERE id = $1`, [id]);
    const { VisRegistrationService } = await import('../../src/visitor/vis-registration.service');
    await t.app.get(VisRegistrationService).expireDue();
    await settle();
    expect(users(ec)).toEqual([]);
    expect(ec.table('usereleauthorize')).toEqual([]);
  });
});
