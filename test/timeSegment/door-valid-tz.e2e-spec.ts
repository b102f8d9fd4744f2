/**
 * The seeded 24-Hour Accessible (TimezoneId 1) stays on every access panel: it is the doors' active time zone
 * (Door<n>ValidTZ, manual 9.5.1 and Appendix 10; 1 as CVSecurity and the factory leave it). A panel without it
 * refuses everyone at those doors (event 21), whatever their rights say.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId, settleDevice } from '../sync/access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let a: Device;
/** Monday 2027-03-01 10:00 UTC: inside Work's Monday hours. */
const MONDAY = new Date('2027-03-01T10:00:00Z');

const settle = (d: Device, rounds = 4) => settleDevice(reconciler, d.sim, { rounds, pauseMs: 600 });

const timezoneIds = (d: Device) => d.sim.table('timezone').map((r) => Number(r.TimezoneId)).sort((x, y) => x - y);

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 200, syncRetryMaxMs: 400, syncReconcileIntervalMs: 0, deviceCommandTimeout: 1 });
  reconciler = t.app.get(SyncReconciler);
  a = await Device.connect(t, 'VALIDTZ0001', 2, '10.56.0.1', { timeZone: 'UTC' });
  // The doors' active time zone as CVSecurity configured them (SET OPTIONS Door<n>ValidTZ=1).
  a.sim.options.set('Door1ValidTZ', '1');
  a.sim.options.set('Door2ValidTZ', '1');
});
afterAll(async () => {
  await t?.close();
});

describe('the doors keep their active time zone (TimezoneId 1)', () => {
  it('a level moved off 24-Hour Accessible, then a lost reply and a factory reset: time zone 1 stays and the panel grants by the new segment', async () => {
    expect((await t.post('/api/gateway/timeSegments', { name: 'Work', schedule: { mon: [['08:00', '17:00']] } })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Main' }] })).body.code).toBe(0);
    await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Main', doorName: '10.56.0.1-1' }] });
    const main = await levelId(t, 'Main');
    expect((await t.post('/api/person/add', { pin: '31', name: 'Ann', accLevelIds: main })).body.code).toBe(0);
    await settle(a, 1);
    expect(a.sim.evaluateAccess({ pin: '31', door: 1, time: MONDAY })).toMatchObject({ granted: true });

    a.sim.loseNextReply(1);
    expect((await t.put(`/api/accLevel/update/${main}`, { timeSegName: 'Work' })).body.code).toBe(0);
    await settle(a);
    expect(timezoneIds(a)).toEqual([1, 2]);
    expect(a.sim.evaluateAccess({ pin: '31', door: 1, time: MONDAY })).toMatchObject({ granted: true, event: 0 });
    expect(a.sim.evaluateAccess({ pin: '31', door: 1, time: new Date('2027-03-02T10:00:00Z') })).toMatchObject({ granted: false, event: 22 });

    // A factory-reset panel gets time zone 1 back with the rest, though no level on it uses the segment.
    await a.sim.factoryReset();
    a.sim.options.set('Door1ValidTZ', '1');
    await settle(a);
    expect(timezoneIds(a)).toEqual([1, 2]);
    expect(a.sim.evaluateAccess({ pin: '31', door: 1, time: MONDAY })).toMatchObject({ granted: true, event: 0 });
    const conv = (await t.get('/api/gateway/devices/VALIDTZ0001/convergence')).body.data;
    expect(conv).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0 });
    expect(conv.desiredItems).toBe(conv.confirmedItems);
  });

});
