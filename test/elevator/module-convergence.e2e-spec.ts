/**
 * Convergence of elevator and channel controllers with misbehaving devices (simulator): their rights
 * (`usereleauthorize` floors, `userauthorize` gates) are believed held only from Return codes; a refused or
 * unanswered command leaves the controller divergent and is retried with backoff; a refusal for good is
 * recorded as a capability; a factory-reset controller gets everything back without a REST call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { ChannelControllerSimulator } from '../simulator/channel';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { startTestApp, type TestApp } from '../support/test-app';
import { deliveriesAgeBy } from '../sync/retry-waits';
import { floorsOf, gatesOf } from './controller-tables';

let t: TestApp;
let reconciler: SyncReconciler;
let ec: ElevatorControllerSimulator;
let psg: ChannelControllerSimulator;
let liftLevel: string;
let gateLevel: string;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls and runs the reconciler (past the backoff) until the controller holds `want`, at most `rounds` times. */
async function converge<S extends DeviceSimulator>(sim: S, tables: (s: S) => Record<string, string[]>, want: Record<string, string[]>, rounds = 12): Promise<number> {
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    if (JSON.stringify(tables(sim)) === JSON.stringify(want)) return i;
    await sleep(300);
    await reconciler.runOnce();
  }
  expect(tables(sim)).toEqual(want);
  return rounds;
}

const personDevices = async (pin: string) => (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data;
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000, syncReconcileIntervalMs: 0, logLevel: 'error' } as never);
  reconciler = t.app.get(SyncReconciler);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10CONV01', floors: 4, ipAddress: '10.9.2.1' });
  await ec.connect();
  psg = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PGCONV0001', gates: 2, ipAddress: '10.9.2.2' });
  await psg.connect();
  await reconciler.idle();
  await ec.pollUntilIdle();
  await psg.pollUntilIdle();
  const floors: Array<{ id: string; floorNo: number }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
  const gates: Array<{ id: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 10 })).body.data;
  liftLevel = (await t.post('/api/gateway/eleLevel/save', { name: 'Lift 2-3', pointIds: [2, 3].map((n) => floors.find((f) => f.floorNo === n)!.id) })).body.data.id;
  gateLevel = (await t.post('/api/gateway/psgLevel/save', { name: 'Gate 1', pointIds: [gates[0].id] })).body.data.id;
});
afterAll(async () => {
  await t?.close();
});

describe('elevator and channel controller rights are confirmed by Return codes', () => {
  it('floors refused twice with -1002 leave the controller divergent, then land once it accepts', async () => {
    ec.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'usereleauthorize', -1002, 2);
    expect((await t.post('/api/person/add', { pin: '901', name: 'Ida' })).body.code).toBe(0);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '901', levelIds: liftLevel })).body.code).toBe(0);
    // The refusal is recorded during this poll, so no earlier than here: its 1 s backoff ends after refusedBy + 1 s.
    const refusedBy = Date.now();
    await ec.pollUntilIdle();
    expect(floorsOf(ec)).toEqual({ '901': [] });
    expect(await personDevices('901')).toEqual([
      expect.objectContaining({ deviceSn: 'EC10CONV01', state: 'divergent', holds: false, unconfirmed: ['eleauth'], lastReturn: -1002, rights: [{ timezoneId: 1, floors: [2, 3] }], confirmedRights: [] }),
    ]);
    expect(await convergence('EC10CONV01')).toMatchObject({ divergent: true, failingItems: 1 });
    // Nothing is re-sent before the backoff ends (checked only when this round ended inside it for sure: a loaded
    // machine can take longer than the 1 s backoff over the reads above).
    await reconciler.runOnce();
    const resent = await ec.pollUntilIdle();
    const early = Date.now() - refusedBy < 1000;
    if (early) expect(resent).toEqual([]);
    const rounds = await converge(ec, floorsOf, { '901': ['1:2.3'] });
    if (early) expect(rounds).toBeGreaterThanOrEqual(2);
    expect((await personDevices('901'))[0]).toMatchObject({ state: 'synced', holds: true, unconfirmed: [], confirmedRights: [{ timezoneId: 1, floors: [2, 3] }] });
    expect(await convergence('EC10CONV01')).toMatchObject({ divergent: false, failingItems: 0, unconfirmedItems: 0 });
    expect((await ec.selectFloor({ pin: '901', floor: 3 })).allowed).toBe(true);
  });

  it('a gate revoke refused by the channel controller is retried: the person does not keep the gate', async () => {
    expect((await t.post('/api/person/add', { pin: '902', name: 'Jon' })).body.code).toBe(0);
    expect((await t.post('/api/psgLevel/syncPerson', undefined, { pin: '902', levelIds: gateLevel })).body.code).toBe(0);
    await converge(psg, gatesOf, { '902': ['1:1'] });
    expect((await personDevices('902'))[0]).toMatchObject({ deviceSn: 'PGCONV0001', state: 'synced', confirmedRights: [{ timezoneId: 1, authorizeDoorId: 1 }] });
    psg.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize', -12, 1);
    expect((await t.post('/api/psgLevel/deleteLevel', undefined, { pin: '902', levelIds: gateLevel })).body.code).toBe(0);
    await psg.pollUntilIdle();
    // Refused: the gate is still held, and the gateway says so.
    expect(gatesOf(psg)['902']).toEqual(['1:1']);
    expect(await convergence('PGCONV0001')).toMatchObject({ divergent: true, failingItems: 1 });
    expect(await converge(psg, gatesOf, {})).toBeGreaterThanOrEqual(1);
    expect(psg.evaluateAccess({ pin: '902', door: 1 }).granted).toBe(false);
    expect(await convergence('PGCONV0001')).toMatchObject({ divergent: false, failingItems: 0 });
  });

  it('a grant whose reply was lost is delivered again and confirmed once', async () => {
    settingsOf(t).ackTimeoutMs = 1000;
    expect((await t.post('/api/person/add', { pin: '903', name: 'Kim' })).body.code).toBe(0);
    ec.loseNextReply();
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '903', levelIds: liftLevel })).body.code).toBe(0);
    expect(await ec.poll()).toEqual([]);
    expect(ec.lostReplies).toHaveLength(1);
    // Not confirmed while the reply is outstanding.
    expect((await personDevices('903'))[0]).toMatchObject({ state: 'pending', holds: false });
    await deliveriesAgeBy(t, ec.sn, 1000);
    await converge(ec, floorsOf, { '901': ['1:2.3'], '903': ['1:2.3'] });
    await reconciler.idle();
    expect((await personDevices('903'))[0]).toMatchObject({ state: 'synced', holds: true });
    expect(await convergence('EC10CONV01')).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0 });
  });

  it('a table the controller does not support (-1004) is recorded as refused and not sent again', async () => {
    psg.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'holiday', -1004, 'always');
    expect((await t.post('/api/gateway/holidays', { name: 'Gate day', startDate: '2027-04-01', endDate: '2027-04-01', holidayType: 1, isLoopByYear: false })).body.code).toBe(0);
    await psg.pollUntilIdle();
    await ec.pollUntilIdle();
    expect(ec.table('holiday').length).toBeGreaterThan(0);
    expect((await convergence('PGCONV0001')).refused).toContain('DATA UPDATE holiday');
    const from = psg.received.length;
    expect((await t.post('/api/gateway/holidays', { name: 'Gate day 2', startDate: '2027-04-02', endDate: '2027-04-02', holidayType: 1, isLoopByYear: false })).body.code).toBe(0);
    await psg.pollUntilIdle();
    await ec.pollUntilIdle();
    expect(psg.received.slice(from).filter((c) => c.command.startsWith('DATA UPDATE holiday'))).toEqual([]);
    expect(ec.table('holiday').length).toBeGreaterThan(1);
  });
});

describe('a controller changed behind the gateway is brought back', () => {
  it('a factory-reset elevator controller gets its users and floors back with no REST call', async () => {
    const want = floorsOf(ec);
    expect(Object.keys(want)).toEqual(['901', '903']);
    await ec.factoryReset();
    expect(floorsOf(ec)).toEqual({});
    await converge(ec, floorsOf, want);
    const queued: string[] = (await t.ds.query(`SELECT command FROM device_command WHERE device_sn = 'EC10CONV01' ORDER BY id`)).map((r: { command: string }) => r.command);
    expect(queued).toContain('DATA COUNT user');
    expect(queued.filter((c) => c === 'DATA DELETE usereleauthorize *')).toHaveLength(1);
    expect(ec.table('timezone').length).toBeGreaterThan(0);
    expect(await convergence('EC10CONV01')).toMatchObject({ divergent: false, unconfirmedItems: 0 });
  });

  it('a factory-reset channel controller gets its users and gates back with no REST call', async () => {
    expect((await t.post('/api/psgLevel/syncPerson', undefined, { pin: '901', levelIds: gateLevel })).body.code).toBe(0);
    await converge(psg, gatesOf, { '901': ['1:1'] });
    await psg.factoryReset();
    expect(gatesOf(psg)).toEqual({});
    await converge(psg, gatesOf, { '901': ['1:1'] });
    expect(psg.evaluateAccess({ pin: '901', door: 1 }).granted).toBe(true);
  });
});
