/**
 * Work owed to devices and input that reaches them: an approval owes ONE full sync (recorded with the
 * approval); control characters are refused at the REST edge with an envelope, and a stored row that still
 * carries one is skipped and shown to operators while the rest of the device's sync goes out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let sim: DeviceSimulator;
let level: string;

async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
  }
}

beforeAll(async () => {
  t = await startTestApp({ deviceAdmission: 'manual', syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
  sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'OWED00001', doors: 1, ipAddress: '10.8.0.1' });
  await sim.connect();
  await sim.pollUntilIdle();
});
afterAll(async () => {
  await t?.close();
});

describe('approval', () => {
  it('owes one full sync, recorded with the approval, carried out once even though the device registers again', async () => {
    // Something to hold from the start: a holiday (every device gets the holiday table).
    expect((await t.post('/api/gateway/holidays', { name: 'New Year', startDate: '2027-01-01', endDate: '2027-01-02', holidayType: 2, isLoopByYear: true })).body.code).toBe(0);
    expect((await t.post('/api/gateway/devices/OWED00001/approve')).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Main' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Main', doorName: '10.8.0.1-1' }] })).body.code).toBe(0);
    level = await levelId(t, 'Main');
    expect((await t.post('/api/person/add', { pin: '11', name: 'Ok', accLevelIds: level })).body.code).toBe(0);
    await sim.connect();
    await settle();
    const queued: string[] = (await t.ds.query(`SELECT command FROM device_command WHERE device_sn = 'OWED00001' ORDER BY id`)).map((r: { command: string }) => r.command);
    expect(queued.filter((c) => c === 'DATA DELETE user *')).toHaveLength(1);
    expect(sim.table('holiday')).toHaveLength(2);
    expect(sim.user('11')).toBeDefined();
    expect((await t.ds.query(`SELECT count(*)::int AS n FROM sync_owed`))[0].n).toBe(0);
  });
});

describe('input that reaches a device is safe', () => {
  it('control characters in person, card and visitor fields are refused with an envelope, never HTTP 500', async () => {
    for (const body of [
      { pin: '12', name: 'Tab\there' },
      { pin: '12', lastName: 'line\nbreak' },
      { pin: '12', cardNo: '12\r34' },
      { pin: '12', personPwd: '1\u00002' },
      { pin: '12', supplyCards: '5\t6' },
    ]) {
      const r = await t.post('/api/person/add', body);
      expect(r.status).toBe(200);
      expect(r.body.code).toBe(-400);
      expect(r.body.message).toMatch(/control characters/);
    }
    expect((await t.post('/api/person/add', { pin: '12\t3' })).body.code).toBe(-29);
    expect((await t.post('/api/card/set', { pin: '11', cardNo: '1\n2' })).body.code).toBe(-400);
  });

  it('a stored name with a TAB is skipped and reported; the rest of the sync goes out', async () => {
    await t.ds.query(
      `INSERT INTO person (id, pin, name, dept_id) VALUES (md5('bad'), '13', E'Bad\\tName', (SELECT id FROM department WHERE code = '1'))`,
    );
    await t.ds.query(`INSERT INTO acc_level_person (level_id, person_id) VALUES ($1, md5('bad'))`, [level]);
    expect((await t.post('/api/person/add', { pin: '14', name: 'Good', accLevelIds: level })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/syncLevel', null, { levelId: level })).body.code).toBe(0);
    await settle();
    expect(sim.user('14')).toBeDefined();
    expect(sim.user('11')).toBeDefined();
    expect(sim.user('13')).toBeUndefined();
    const device = (await t.get('/api/gateway/devices/OWED00001/convergence')).body.data;
    expect(device.skipped).toEqual([{ pin: '13', name: 'Bad\tName', lastName: null, reason: 'name contains a control character' }]);
    const person = (await t.get('/api/gateway/persons/13/devices')).body.data;
    expect(person).toEqual([expect.objectContaining({ deviceSn: 'OWED00001', state: 'skipped', skipped: 'name contains a control character' })]);
    // A full sync is not blocked either.
    expect((await t.post('/api/gateway/devices/OWED00001/sync')).body.code).toBe(0);
    await settle();
    expect(sim.user('14')).toBeDefined();
    expect(sim.user('13')).toBeUndefined();
  });
});
