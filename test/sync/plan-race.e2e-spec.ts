/**
 * Two transactions that plan the same member for the same panel at once. The later one must plan from the
 * earlier one's committed state: it takes the panel's order lock before it reads what the panel should hold,
 * so a revoke committed while it waited is never followed by a grant planned from the state before it. The same
 * holds for an attendance terminal (AttendanceSyncService.plan).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AttendanceSyncService } from '../../src/sync/attendance-sync.service';
import { SyncPlannerService } from '../../src/sync/sync-planner.service';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { lockWaits } from '../support/lock-waits';
import { Device, levelId } from './access-helpers';
import { claimsSynced, convergenceOf } from './fault-helpers';

let t: TestApp;
let panel: Device;
let level: string;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  panel = await Device.connect(t, 'RACE000001', 2, '10.9.8.1');
  await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Race' }] });
  await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Race', doorName: '10.9.8.1-1' }] });
  level = await levelId(t, 'Race');
  expect((await t.post('/api/person/add', { pin: '7001', name: 'Before', accLevelIds: level })).body.code).toBe(0);
  await panel.since();
});
afterAll(async () => {
  await t?.close();
});

// Two transactions at once need two sessions; the embedded database serves one.
describe.skipIf(inject('testDb').mode === 'embedded')('a grant planned while a revoke of the same member commits', () => {
  it('never reaches the panel after the revoke: the panel ends without the member\'s rights', async () => {
    const planner = t.app.get(SyncPlannerService);
    expect(panel.sim.rightsOf('7001').length).toBeGreaterThan(0);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let planned!: () => void;
    const revokePlanned = new Promise<void>((r) => (planned = r));
    // T1: the member leaves the level; its revoke is planned (holding the panel's order lock), not yet committed.
    const revoke = t.ds.transaction(async (m) => {
      await m.query(`DELETE FROM acc_level_person WHERE person_id = (SELECT id FROM person WHERE pin = '7001')`);
      await planner.syncPins(m, ['7001']);
      planned();
      await gate;
    });
    await revokePlanned;
    // T2: the level gains the panel's second door; the member's rights are planned while T1 holds the lock.
    const rename = t.ds.transaction(async (m) => {
      await m.query(`INSERT INTO acc_level_door (level_id, door_id) SELECT $1, id FROM door WHERE name = '10.9.8.1-2'`, [level]);
      await planner.syncPins(m, ['7001']);
    });
    // Let T2 get as far as it can before T1 commits (it waits for the lock; before the fix it had read the
    // member's rights as they were before T1 by then).
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([revoke, rename]);
    await panel.since();
    expect(panel.sim.rightsOf('7001')).toEqual([]);
    panel.expectAllAcknowledged();
  });

  it('a person deleted while a grant of them commits: the delete waits and takes them off the panel', async () => {
    const planner = t.app.get(SyncPlannerService);
    expect((await t.post('/api/person/add', { pin: '7003', name: 'Doomed', cardNo: '700301' })).body.code).toBe(0);
    await panel.since();
    expect(panel.sim.rightsOf('7003')).toEqual([]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let planned!: () => void;
    const grantPlanned = new Promise<void>((r) => (planned = r));
    // T1: what person/add with a level does (the person locked, the level joined, the grant planned), held open.
    const grant = t.ds.transaction(async (m) => {
      await m.query(`SELECT 1 FROM person WHERE pin = '7003' FOR UPDATE`);
      await m.query(`INSERT INTO acc_level_person (level_id, person_id) SELECT $1, id FROM person WHERE pin = '7003'`, [level]);
      await planner.syncPins(m, ['7003']);
      planned();
      await gate;
    });
    await grantPlanned;
    // T2: person/delete of the same person, while T1 has not committed (before the fix it planned the removal from
    // the state before T1, found no device holding the person, and the panel kept T1's grant).
    const deleted = t.post('/api/person/delete/7003', {});
    await new Promise((r) => setTimeout(r, 300));
    release();
    await grant;
    expect((await deleted).body.code).toBe(0);
    await panel.since();
    expect((await t.get('/api/person/get/7003')).body.code).toBe(-22);
    expect(panel.sim.user('7003')).toBeUndefined();
    expect(panel.sim.rightsOf('7003')).toEqual([]);
    panel.expectAllAcknowledged();
  });

  it('a change planned while another change of the same member commits: the panel ends with both', async () => {
    const planner = t.app.get(SyncPlannerService);
    expect((await t.post('/api/person/add', { pin: '7002', name: 'Old', cardNo: '700201', accLevelIds: level })).body.code).toBe(0);
    await panel.since();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let planned!: () => void;
    const firstPlanned = new Promise<void>((r) => (planned = r));
    const rename = t.ds.transaction(async (m) => {
      await m.query(`UPDATE person SET name = 'New' WHERE pin = '7002'`);
      await planner.syncPins(m, ['7002']);
      planned();
      await gate;
    });
    await firstPlanned;
    const recard = t.ds.transaction(async (m) => {
      await m.query(`UPDATE person SET card_no = '700202' WHERE pin = '7002'`);
      await planner.syncPins(m, ['7002']);
    });
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([rename, recard]);
    await panel.since();
    expect(panel.sim.user('7002')).toMatchObject({ Name: 'New', CardNo: '700202' });
  });

  it('a member granted while the panel\'s full sync is planned: the clear does not take them off, the panel ends with them', async () => {
    const planner = t.app.get(SyncPlannerService);
    const [{ id: deviceId }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [panel.sim.sn]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let planned!: () => void;
    const grantPlanned = new Promise<void>((r) => (planned = r));
    // T1: what person/add with a level does (person, membership, the grant planned under the panel's order lock), held open.
    const grant = t.ds.transaction(async (m) => {
      await m.query(`INSERT INTO person (id, pin, name, dept_id) VALUES (md5('race-7004'), '7004', 'Late', (SELECT id FROM department WHERE code = '1'))`);
      await m.query(`INSERT INTO acc_level_person (level_id, person_id) VALUES ($1, md5('race-7004'))`, [level]);
      await planner.syncPins(m, ['7004']);
      planned();
      await gate;
    });
    await grantPlanned;
    // T2: the panel's full sync (as an owed one runs: clear, then every pin it should hold), while T1 holds the lock.
    // Before the fix it read its pins before it waited for the lock, so without 7004, whose records T1 had queued
    // ahead of its clear: the clear took 7004 off the panel and nothing wrote them again.
    const full = t.ds.transaction((m) => planner.syncDeviceFull(m, deviceId));
    await lockWaits(t.ds, 1);
    release();
    await Promise.all([grant, full]);
    const sent = await panel.since();
    expect(sent).toContain('DATA DELETE user *');
    expect(panel.sim.user('7004')).toMatchObject({ Name: 'Late' });
    expect(panel.sim.rightsOf('7004').length).toBeGreaterThan(0);
    expect(claimsSynced(await convergenceOf(t, panel.sim.sn))).toBe(true);
    panel.expectAllAcknowledged();
  });
});

describe.skipIf(inject('testDb').mode === 'embedded')('an attendance terminal: a user record planned while its removal commits', () => {
  it('never reaches the terminal after the removal: the terminal ends without the person', async () => {
    const att = t.app.get(AttendanceSyncService);
    const reconciler = t.app.get(SyncReconciler);
    expect((await t.post('/api/gateway/areas', { code: 'RACE-AREA', name: 'Race area' })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn: 'RACEATT001' });
    expect((await t.put('/api/gateway/devices/RACEATT001/area', { areaCode: 'RACE-AREA' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '7003', name: 'Member' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: 'RACE-AREA', pins: ['7003'] })).body.code).toBe(0);
    const settle = async () => {
      for (let i = 0; i < 10; i++) {
        await reconciler.idle();
        if ((await term.drain()).length === 0) return;
      }
    };
    await settle();
    expect([...term.users.keys()]).toContain('7003');
    const [{ id }] = await t.ds.query(`SELECT id FROM person WHERE pin = '7003'`);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let planned!: () => void;
    const removalPlanned = new Promise<void>((r) => (planned = r));
    // T1: the person leaves the terminal's area; the delete is planned, not yet committed.
    const removal = t.ds.transaction(async (m) => {
      await m.query(`DELETE FROM att_area_person WHERE person_id = $1`, [id]);
      await att.syncPersons(m, [id]);
      planned();
      await gate;
    });
    await removalPlanned;
    // T2: the person's terminal privilege changes (a new USERINFO record, Pri=14), planned while T1 holds the lock.
    const privilege = t.ds.transaction(async (m) => {
      await m.query(`INSERT INTO att_person (person_id, per_dev_auth) VALUES ($1, 14) ON CONFLICT (person_id) DO UPDATE SET per_dev_auth = 14`, [id]);
      await att.syncPersons(m, [id]);
    });
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([removal, privilege]);
    await settle();
    expect([...term.users.keys()]).not.toContain('7003');
  });
});
