/**
 * The lifecycle of the other device kinds (elevator controllers, channel controllers, attendance terminals) around
 * their identity, as test/device/lifecycle.e2e-spec.ts does it for access panels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { deleteWhileHeld as deleteHeld, useLifecycleApp } from './lifecycle-helpers';
import { AttendanceTerminal, type AttendanceTerminalOptions } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { claimsSynced, convergenceOf, ok, settleConverged } from '../sync/fault-helpers';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ChannelControllerSimulator } from '../simulator/channel';

let t: TestApp;
let reconciler: SyncReconciler;
useLifecycleApp((app) => ({ t, reconciler } = app));

/** The device's session as this process held it before a delete, put back as another process would still hold it. */
const deleteWhileHeld = (sn: string) => deleteHeld(t, sn);

/** The simulator's options but its gateway and SN (stampResume ...). */
type TerminalOptions = Omit<AttendanceTerminalOptions, 'baseUrl' | 'sn'>;

/** An attendance terminal of this gateway, initialised. */
async function initialisedTerminal(sn: string, options: TerminalOptions = {}): Promise<AttendanceTerminal> {
  const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn, ...options });
  expect(await term.init()).toBe(true);
  return term;
}

/** An attendance terminal, initialised and polling, with its INFO seen. */
async function connectedTerminal(sn: string, options: TerminalOptions = {}): Promise<AttendanceTerminal> {
  const term = await initialisedTerminal(sn, options);
  await term.poll(true);
  await reconciler.idle();
  return term;
}

describe('a punch a terminal posted through a process that has not heard of the delete yet', () => {
  it('is stored (under the device its SN becomes), not answered OK and lost', async () => {
    const term = await connectedTerminal('LIFE-ATT2');
    expect((await term.uploadAttlog([{ pin: '7301', time: '2026-05-06 09:00:00', status: 0, verify: 1 }])).body).toBe('OK: 1');
    const held = await deleteWhileHeld('LIFE-ATT2');
    const r = await term.uploadAttlog([{ pin: '7301', time: '2026-05-06 18:00:00', status: 1, verify: 1 }]);
    expect([r.status, r.body]).toEqual([200, 'OK: 1']);
    const punches = await t.ds.query(`SELECT event_time FROM att_transaction WHERE device_sn = 'LIFE-ATT2' ORDER BY event_time`);
    expect(punches).toHaveLength(2);
    const [device] = await t.ds.query(`SELECT id FROM device WHERE sn = 'LIFE-ATT2'`);
    expect(device?.id).not.toBe(held.id);
  });
});

describe('an elevator controller deleted through REST while it stays connected', () => {
  it('is cleared of its former floors and users before it is said synced, and its floors come back when it registers', async () => {
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'LIFE-EC1', floors: 4, ipAddress: '10.41.2.1', retryResults: true });
    expect((await ec.connect()).registered).toBe(true);
    await ec.pollUntilIdle();
    const [floor] = await t.ds.query(`SELECT f.id FROM floor f JOIN device d ON d.id = f.device_id WHERE d.sn = 'LIFE-EC1' AND f.floor_no = 2`);
    const level = await t.post('/api/gateway/eleLevel/save', { name: 'LifeEc1', pointIds: [floor.id] });
    expect(level.body.code).toBe(0);
    await ok(t.post('/api/person/add', { pin: '7501', name: 'Lift' }));
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '7501', levelIds: level.body.data.id }));
    await settleConverged(t, reconciler, ec);
    expect(ec.eleRightsOf('7501').flatMap((r) => r.floors)).toEqual([2]);
    await ok(t.delete('/api/gateway/devices/LIFE-EC1'));
    // It polls on without registering again.
    await ec.poll();
    expect(claimsSynced(await convergenceOf(t, ec.sn))).toBe(false);
    await settleConverged(t, reconciler, ec);
    expect(ec.table('usereleauthorize')).toEqual([]);
    expect(ec.table('user')).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, ec.sn))).toBe(true);
    // Reconnecting, it registers: an elevator controller again, its floors back (in no level), still holding nothing.
    expect((await ec.connect()).registered).toBe(true);
    await settleConverged(t, reconciler, ec);
    expect((await t.get('/api/gateway/devices/LIFE-EC1')).body.data.kind).toBe('ele');
    expect(await t.ds.query(`SELECT f.floor_no FROM floor f JOIN device d ON d.id = f.device_id WHERE d.sn = 'LIFE-EC1' ORDER BY 1`)).toEqual([1, 2, 3, 4].map((n) => ({ floor_no: n })));
    expect(ec.table('usereleauthorize')).toEqual([]);
    expect(ec.table('user')).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, ec.sn))).toBe(true);
  });
});

describe('an attendance terminal deleted through REST while it stays connected', () => {
  it('is added again at its next poll as the terminal this process knew it as: no panel command reaches it', async () => {
    const term = await connectedTerminal('LIFE-ATT4');
    await ok(t.delete('/api/gateway/devices/LIFE-ATT4'));
    await term.poll();
    await reconciler.idle();
    const got = await term.drain();
    expect(got.filter((c) => c.returnCode !== 0)).toEqual([]);
    expect((await t.get('/api/gateway/devices/LIFE-ATT4')).body.data).toMatchObject({ kind: 'att', refusedCapabilities: [] });
  });
});

describe('a channel controller deleted through REST while it stays connected', () => {
  it('is cleared of its former pass rules, users and rights before it is said synced', async () => {
    const cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'LIFE-PSG1', gates: 2, ipAddress: '10.41.3.1', retryResults: true });
    expect((await cc.connect()).registered).toBe(true);
    await cc.pollUntilIdle();
    await ok(t.post('/api/gateway/psgDevice/LIFE-PSG1/passRule', { timeSegName: '24-Hour Accessible', passMode: 1 }));
    const [gate] = await t.ds.query(`SELECT g.id FROM door g JOIN device d ON d.id = g.device_id WHERE d.sn = 'LIFE-PSG1' AND g.door_no = 1`);
    const level = await t.post('/api/gateway/psgLevel/save', { name: 'LifePsg1', pointIds: [gate.id] });
    expect(level.body.code).toBe(0);
    await ok(t.post('/api/person/add', { pin: '7601', name: 'Gate' }));
    await ok(t.post('/api/psgLevel/syncPerson', undefined, { pin: '7601', levelIds: level.body.data.id }));
    await settleConverged(t, reconciler, cc);
    expect([cc.table('gatepassrule').length, cc.table('userauthorize').length]).toEqual([1, 1]);
    await ok(t.delete('/api/gateway/devices/LIFE-PSG1'));
    await cc.poll();
    expect(claimsSynced(await convergenceOf(t, cc.sn))).toBe(false);
    await settleConverged(t, reconciler, cc);
    expect([cc.table('gatepassrule'), cc.table('userauthorize'), cc.table('user')]).toEqual([[], [], []]);
    expect(claimsSynced(await convergenceOf(t, cc.sn))).toBe(true);
    expect((await cc.connect()).registered).toBe(true);
    await settleConverged(t, reconciler, cc);
    expect((await t.get('/api/gateway/devices/LIFE-PSG1')).body.data.kind).toBe('psg');
    expect([cc.table('gatepassrule'), cc.table('userauthorize'), cc.table('user')]).toEqual([[], [], []]);
    expect(claimsSynced(await convergenceOf(t, cc.sn))).toBe(true);
  });
});

describe('an attendance terminal pending admission (DEVICE_ADMISSION=manual)', () => {
  let m: TestApp;
  beforeAll(async () => {
    m = await startTestApp({ deviceAdmission: 'manual', deviceClearOnAdd: true, syncReconcileIntervalMs: 0 });
  });
  afterAll(async () => {
    await m?.close();
  });

  it('acknowledges none of its uploads (punches, enrolments, table data) before it is admitted, and stores them after', async () => {
    const term = new AttendanceTerminal({ baseUrl: m.baseUrl, sn: 'LIFE-PEND-ATT1' });
    expect(await term.init()).toBe(false);
    const refused = 'ERROR: device LIFE-PEND-ATT1 is not admitted';
    const punch = { pin: '7701', time: '2026-05-06 09:00:00', status: 0, verify: 1 };
    const tableData = () =>
      fetch(`${m.baseUrl}/iclock/cdata?SN=LIFE-PEND-ATT1&table=tabledata&tablename=user&count=1`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/push;charset=UTF-8' },
        body: 'user uid=1\tcardno=\tpin=7702\tpassword=\tgroup=1\tstarttime=0\tendtime=0\tname=Table\tprivilege=0\tdisable=0\tverify=0\r\n',
      }).then(async (r) => [r.status, await r.text()]);
    expect((await term.uploadAttlog([punch])).body).toBe(refused);
    expect((await term.uploadOperlog(['USER PIN=7701\tName=Keypad\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard='])).body).toBe(refused);
    expect(await tableData()).toEqual([200, refused]);
    expect(await m.ds.query(`SELECT pin FROM person WHERE pin IN ('7701', '7702')`)).toEqual([]);
    expect((await m.post('/api/gateway/devices/LIFE-PEND-ATT1/approve')).body.code).toBe(0);
    expect(await term.init()).toBe(true);
    expect((await term.uploadAttlog([punch])).body).toBe('OK: 1');
    expect(await tableData()).toEqual([200, 'user=1']);
    expect(await m.ds.query(`SELECT count(*)::int AS n FROM att_transaction WHERE device_sn = 'LIFE-PEND-ATT1'`)).toEqual([{ n: 1 }]);
  });
});

describe('an attendance terminal deleted and added again', () => {
  it('loses no punch and stores none twice across the delete, its next uploads and its next initialisation', async () => {
    const term = await connectedTerminal('LIFE-ATT5', { stampResume: true });
    await term.punch({ pin: '7801', time: '2026-05-07 08:00:00', status: 0, verify: 1 });
    await term.punch({ pin: '7802', time: '2026-05-07 08:01:00', status: 0, verify: 1 });
    await ok(t.delete('/api/gateway/devices/LIFE-ATT5'));
    // Polls on, punches (uploaded at once), then reconnects and initialises: it resumes from the Stamp handed back.
    await term.poll(true);
    await term.punch({ pin: '7803', time: '2026-05-07 08:02:00', status: 0, verify: 1 });
    expect(await term.init()).toBe(true);
    await term.poll(true);
    await term.uploadUnsent();
    await term.punch({ pin: '7804', time: '2026-05-07 08:03:00', status: 0, verify: 1 });
    await term.poll(true);
    const rows: Array<{ pin: string; n: number }> = await t.ds.query(
      `SELECT pin, count(*)::int AS n FROM att_transaction WHERE device_sn = 'LIFE-ATT5' GROUP BY pin ORDER BY pin`,
    );
    expect(rows).toEqual(['7801', '7802', '7803', '7804'].map((pin) => ({ pin, n: 1 })));
  });
});

describe('an attendance terminal whose area changes while it is offline', () => {
  it('holds the new area\'s members and not the old one\'s once it is said synced, and is not said synced before', async () => {
    for (const code of ['LIFE-A1', 'LIFE-A2']) await ok(t.post('/api/gateway/areas', { code, name: code }));
    const term = await initialisedTerminal('LIFE-ATT6');
    await ok(t.put('/api/gateway/devices/LIFE-ATT6/area', { areaCode: 'LIFE-A1' }));
    await ok(t.post('/api/person/add', { pin: '7901', name: 'Old' }));
    await ok(t.post('/api/person/add', { pin: '7902', name: 'New' }));
    await ok(t.post('/api/attAreaPerson/set', { code: 'LIFE-A1', pins: ['7901'] }));
    await ok(t.post('/api/attAreaPerson/set', { code: 'LIFE-A2', pins: ['7902'] }));
    await settleConverged(t, reconciler, { sn: term.sn, pendingAcks: [], pollUntilIdle: () => term.drain() });
    expect([...term.users.keys()]).toEqual(['7901']);
    // Offline (it polls no more) while it is moved, its last reply lost as it went.
    term.loseNextReply();
    await ok(t.put('/api/gateway/devices/LIFE-ATT6/area', { areaCode: 'LIFE-A2' }));
    await reconciler.idle();
    await term.poll();
    expect(claimsSynced(await convergenceOf(t, term.sn))).toBe(false);
    // Back: it initialises again and polls on.
    expect(await term.init()).toBe(true);
    await settleConverged(t, reconciler, { sn: term.sn, pendingAcks: [], pollUntilIdle: () => term.poll(true).then(() => term.drain()) });
    expect([...term.users.keys()]).toEqual(['7902']);
    expect(claimsSynced(await convergenceOf(t, term.sn))).toBe(true);
  });
});

/** A connected elevator controller (4 floors) with an elevator level of its floor `floorNo`, and a person `pin` in no level yet. */
async function elevatorWithLevel(sn: string, ipAddress: string, floorNo: number, levelName: string, pin: string) {
  const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn, floors: 4, ipAddress, retryResults: true });
  expect((await ec.connect()).registered).toBe(true);
  await ec.pollUntilIdle();
  const [floor] = await t.ds.query(`SELECT f.id FROM floor f JOIN device d ON d.id = f.device_id WHERE d.sn = $1 AND f.floor_no = $2`, [sn, floorNo]);
  const level = await t.post('/api/gateway/eleLevel/save', { name: levelName, pointIds: [floor.id] });
  await ok(t.post('/api/person/add', { pin, name: 'Lift' }));
  return { ec, levelId: level.body.data.id as string };
}

describe('an elevator controller replaced by another board under its SN', () => {
  it('gets its users and floor rights back (the new board holds nothing), and is not said synced before', async () => {
    const { ec, levelId } = await elevatorWithLevel('LIFE-EC2', '10.41.2.2', 3, 'LifeEc2', '7511');
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '7511', levelIds: levelId }));
    await settleConverged(t, reconciler, ec);
    expect(ec.eleRightsOf('7511').flatMap((r) => r.floors)).toEqual([3]);
    // Another board, empty, another MAC, under the same SN and address.
    const board = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'LIFE-EC2', floors: 4, ipAddress: '10.41.2.2', retryResults: true, mac: '00:17:61:aa:bb:e2' });
    expect((await board.connect()).registered).toBe(true);
    expect(claimsSynced(await convergenceOf(t, board.sn))).toBe(false);
    await settleConverged(t, reconciler, board);
    expect(board.eleRightsOf('7511').flatMap((r) => r.floors)).toEqual([3]);
    expect(board.table('user').map((u) => u.Pin)).toEqual(['7511']);
    expect(claimsSynced(await convergenceOf(t, board.sn))).toBe(true);
  });
});

describe('an elevator controller deleted while the results of its commands are held back', () => {
  it('ends holding what the database gives the device it becomes, said synced only then', async () => {
    const { ec, levelId } = await elevatorWithLevel('LIFE-EC3', '10.41.2.3', 1, 'LifeEc3', '7521');
    // Its results of the grant do not come back before the delete.
    ec.holdResults();
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '7521', levelIds: levelId }));
    await reconciler.idle();
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('7521').flatMap((r) => r.floors)).toEqual([1]);
    await ok(t.delete('/api/gateway/devices/LIFE-EC3'));
    ec.stopHoldingResults();
    await ec.releaseResults();
    await ec.poll();
    // Said synced only once it holds nothing of its former life.
    if (claimsSynced(await convergenceOf(t, ec.sn))) expect([ec.table('user'), ec.table('usereleauthorize')]).toEqual([[], []]);
    await settleConverged(t, reconciler, ec);
    expect([ec.table('user'), ec.table('usereleauthorize')]).toEqual([[], []]);
    expect(claimsSynced(await convergenceOf(t, ec.sn))).toBe(true);
    expect((await ec.connect()).registered).toBe(true);
    await settleConverged(t, reconciler, ec);
    expect([ec.table('user'), ec.table('usereleauthorize')]).toEqual([[], []]);
    expect(claimsSynced(await convergenceOf(t, ec.sn))).toBe(true);
  });
});

describe('an enrolment a terminal posted through a process that has not heard of the delete yet', () => {
  it('is stored under the device its SN becomes at once, not refused until that process hears of the delete', async () => {
    const term = await connectedTerminal('LIFE-ATT7');
    await deleteWhileHeld('LIFE-ATT7');
    const r = await term.uploadOperlog(['USER PIN=7951\tName=Keypad\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=']);
    expect([r.status, r.body]).toEqual([200, 'OK: 1']);
    expect((await t.get('/api/person/get/7951')).body.data).toMatchObject({ pin: '7951', name: 'Keypad' });
  });
});
