/**
 * Every REST write that affects a device becomes queued commands, delivered at the next poll and confirmed by the
 * device. One write at a time, through HTTP as the manual (cvsecurity-api.json) or the gateway's own API shows it,
 * with six simulated devices online: an access panel keeping cards in user.CardNo (older firmware, templatev10),
 * a panel keeping cards in mulcarduser, a SpeedFace (face templates and photos), an elevator controller, a channel
 * controller and an attendance terminal. For each write:
 *  (a) each device received exactly the command lines listed (the protocol manuals' forms), and nothing else;
 *  (b) the device's tables then equal what the same device holds after a factory reset and a full sync: after every
 *      write for one device in turn (the n-th write's is device n mod 6), and for all six after the last write of
 *      each group. Six resets after every write took about 60 % of the file's time; (a) still checks every write's
 *      lines, a divergence the full sync would show stays visible at the group's end, and one that a later write
 *      of the group repairs is seen when that device's turn falls in between;
 *  (c) the convergence answer says synced neither before the device polled nor while its results are held back,
 *      and says so once they are posted;
 *  (d) a write no device should see queues nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ChannelControllerSimulator } from '../simulator/channel';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import { PHOTO } from './access-helpers';
import { claimsSynced, convergenceOf, ok, startFaultApp } from './fault-helpers';
import { attendanceDevice, pushDevice, type SweptDevice } from './sweep-devices';

let t: TestApp;
let reconciler: SyncReconciler;
let devices: SweptDevice[] = [];
const ids: Record<string, string> = {};

const OLD = { registryPushVersion: 'Ver 2.2.0-20180101', multiBioDataSupport: '', multiBioPhotoSupport: '', registryExtras: { DateFmtFunOn: 0, BioPhotoFun: 0, BioDataFun: 0 } };
const KINDS = ['panel', 'mulcard panel', 'speedface', 'elevator', 'channel', 'attendance terminal'] as const;
type Kind = (typeof KINDS)[number];
const finger = (s: string) => Buffer.from(s.padEnd(64, '.')).toString('base64');

/** What each kind of device must receive; kinds left out must receive nothing. */
type Expected = Partial<Record<Kind, string[]>>;

/**
 * The command lines each write must bring each device, by step name (checked against the manuals' forms: Security
 * PUSH 8.x tables and CONTROL DEVICE, Attendance PUSH 12.x; multi-record bodies joined by LF). SWEEP_PRINT=1 prints
 * what each step brought instead of comparing (to review a deliberate change).
 */
const EXPECTED: Record<string, Expected> = JSON.parse(fs.readFileSync(path.join(__dirname, 'rest-to-device-sweep.expected.json'), 'utf8'));
const expectedOf = (name: string): Expected | 'print' => {
  if (process.env.SWEEP_PRINT) return 'print';
  const e = EXPECTED[name];
  if (!e) throw new Error(`no expected command lines for ${name}`);
  return e;
};

/**
 * Runs one write and checks (a), (c) and (d) on every device and (b) on the devices `oracleOf` picks. The convergence
 * answers of the six devices are read at once, and the devices poll side by side: each answer is about one device.
 */
async function sweep(name: string, write: () => Promise<{ body: { code: number; message?: string } }>, expected: Expected | 'print', oracleOf: (d: SweptDevice, i: number) => boolean): Promise<void> {
  for (const d of devices) d.mark();
  await ok(write());
  const due = (d: SweptDevice) => expected === 'print' || (expected[d.kind as Kind]?.length ?? 0) > 0;
  // (c) queued in the write's transaction: not synced before the device polled.
  const before = await Promise.all(devices.map((d) => convergenceOf(t, d.sn)));
  if (expected !== 'print') devices.forEach((d, i) => expect(claimsSynced(before[i]), `${name}: ${d.kind} before its poll ${JSON.stringify(before[i])}`).toBe(!due(d)));
  // (c) not synced while the results are held back (each device its own results; the devices side by side).
  await Promise.all(
    devices.map(async (d) => {
      const got = await d.pollHolding();
      if (got) expect(claimsSynced(await convergenceOf(t, d.sn)), `${name}: ${d.kind} with its results held back`).toBe(false);
      await d.releaseHeld();
    }),
  );
  await Promise.all(devices.map((d) => d.settle()));
  const seen = Object.fromEntries(devices.map((d) => [d.kind, d.received()]));
  const after = await Promise.all(devices.map((d) => convergenceOf(t, d.sn)));
  devices.forEach((d, i) => expect(claimsSynced(after[i]), `${name}: ${d.kind} after its results ${JSON.stringify(after[i])}`).toBe(true));
  // (b) the oracle: the device reset and synced from scratch holds what the writes left it.
  const oracle = await Promise.all(
    devices.filter(oracleOf).map(async (d) => {
      const incremental = d.snapshot();
      await d.resync();
      d.mark();
      return { kind: d.kind, incremental, truth: d.snapshot() };
    }),
  );
  for (const o of oracle) expect(o.incremental, `${name}: ${o.kind} against a fresh full sync`).toEqual(o.truth);
  if (expected === 'print') {
    console.log(`SWEEP ${name}\n${JSON.stringify(seen, null, 1)}`);
    return;
  }
  // (a) and (d)
  const want = Object.fromEntries(devices.map((d) => [d.kind, expected[d.kind as Kind] ?? []]));
  expect(seen, name).toEqual(want);
}

/** The steps in file order; a group's last step resets every device (group()). */
const steps: Array<{ groupEnd: boolean }> = [];

/** One write of the sweep, its own test (in file order: each starts from the state the previous ones left). */
function step(name: string, write: () => Promise<{ body: { code: number; message?: string } }>, before?: () => Promise<unknown>): void {
  const n = steps.length;
  const me = { groupEnd: false };
  steps.push(me);
  it(name, async () => {
    if (before) {
      await before();
      await Promise.all(devices.map((d) => d.settle()));
    }
    await sweep(name, write, expectedOf(name), (_d, i) => me.groupEnd || i === n % devices.length);
  }, 240_000);
}

/** A describe of steps whose last step checks every device against a fresh full sync. */
function group(name: string, body: () => void): void {
  describe(name, () => {
    body();
    steps[steps.length - 1].groupEnd = true;
  });
}

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'SWPANEL001', doors: 2, ipAddress: '10.88.0.1', ...OLD });
  const mulcard = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'SWMCARD001', doors: 1, ipAddress: '10.88.0.2', ...OLD, registryExtras: { ...OLD.registryExtras, MulCardUserFunOn: 1 } });
  const face = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'SWFACE0001', doors: 1, ipAddress: '10.88.0.3' });
  const ele = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'SWELEV0001', floors: 3, ipAddress: '10.88.0.4' });
  const chan = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'SWCHAN0001', gates: 1, ipAddress: '10.88.0.5' });
  for (const s of [panel, mulcard, face, ele, chan]) await s.connect();
  await ok(t.post('/api/gateway/areas', { code: 'SWATT', name: 'SWATT' }));
  const term = await initialisedTerminal(t, { sn: 'SWATTE0001' });
  await ok(t.put('/api/gateway/devices/SWATTE0001/area', { areaCode: 'SWATT' }));
  devices = [
    pushDevice(t, reconciler, 'panel', panel),
    pushDevice(t, reconciler, 'mulcard panel', mulcard),
    pushDevice(t, reconciler, 'speedface', face),
    pushDevice(t, reconciler, 'elevator', ele),
    pushDevice(t, reconciler, 'channel', chan),
    attendanceDevice(t, reconciler, term),
  ];

  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'SWL' }, { name: 'SWL2' }] }));
  await ok(
    t.post('/api/accLevel/addLevelDoor', {
      accApiLevelAddDoorItems: [
        { levelName: 'SWL', doorName: '10.88.0.1-1' },
        { levelName: 'SWL', doorName: '10.88.0.2-1' },
        { levelName: 'SWL', doorName: '10.88.0.3-1' },
        { levelName: 'SWL2', doorName: '10.88.0.1-2' },
      ],
    }),
  );
  for (const n of ['SWL', 'SWL2']) ids[n] = (await t.get(`/api/accLevel/getByName/${n}`)).body.data.id;
  const doors: Array<{ id: string; name: string }> = (await t.get('/api/door/list', { pageNo: 1, pageSize: 100 })).body.data;
  for (const d of doors) ids[`door ${d.name}`] = d.id;
  const [{ id: eleId }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'SWELEV0001'`);
  const floors: Array<{ id: string; floorNo: number; deviceId: string }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
  for (const f of floors.filter((x) => x.deviceId === eleId)) ids[`floor ${f.floorNo}`] = f.id;
  const gates: Array<{ id: string; name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 100 })).body.data;
  ids.gate = gates.find((g) => g.name.startsWith('10.88.0.5'))!.id;
  ids.SWE = (await t.post('/api/gateway/eleLevel/save', { name: 'SWE', pointIds: [ids['floor 1']] })).body.data.id;
  ids.SWG = (await t.post('/api/gateway/psgLevel/save', { name: 'SWG', pointIds: [ids.gate] })).body.data.id;
  await ok(t.post('/api/person/add', { pin: '8001', name: 'Ann', cardNo: '80011', accLevelIds: ids.SWL }));
  await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '8001', levelIds: ids.SWE }));
  await ok(t.post('/api/psgLevel/syncPerson', undefined, { pin: '8001', levelIds: ids.SWG }));
  await ok(t.post('/api/attAreaPerson/set', { code: 'SWATT', pins: ['8001'] }));
  for (const d of devices) await d.settle();
  // The terminal's initialisation made its user count due (reportCount).
  for (const d of devices) await d.reportCount();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

group('persons', () => {
  step('person/add new', () => t.post('/api/person/add', { pin: '8002', name: 'Bob', cardNo: '80021', accLevelIds: ids.SWL }));
  step('person/add edit', () => t.post('/api/person/add', { pin: '8001', name: 'Ann B', cardNo: '80011', accLevelIds: ids.SWL }));
  step('card/set', () => t.post('/api/card/set', { pin: '8001', cardNo: '80012', cardType: '0' }));
  step('card/set secondary', () => t.post('/api/card/set', { pin: '8001', cardNo: '80013', cardType: '1' }));
  step('person/addPersonnelBasicInfo', () => t.post('/api/person/addPersonnelBasicInfo', { pin: '8001', deptCode: '1', name: 'Ann C', lastName: 'Lee', gender: 'F', personPwd: '123456', isDisabled: false }));
  step('person/updatePersonnelPhoto', () => t.post('/api/person/updatePersonnelPhoto', { pin: '8001', personPhoto: PHOTO }));
  step('bioTemplate/add', () => t.post('/api/bioTemplate/add', { personId: '8001', validType: '1', template: finger('f8001'), templateNo: '3' }));
  step('bioTemplate/delete', () => t.delete('/api/bioTemplate/delete/8001/3'));
  step('bioTemplate/add 2', () => t.post('/api/bioTemplate/add', { personId: '8001', validType: '1', template: finger('f8001b'), templateNo: '4' }));
  step('bioTemplate/deleteByPin', () => t.delete('/api/bioTemplate/deleteByPin/8001'));
  step('bioTemplate/add 6', () => t.post('/api/bioTemplate/add', { personId: '8001', validType: '1', template: finger('f8001d'), templateNo: '6' }),
    () => ok(t.post('/api/bioTemplate/add', { personId: '8001', validType: '1', template: finger('f8001c'), templateNo: '5' })));
  step('bioTemplate/delete one of two', () => t.delete('/api/bioTemplate/delete/8001/5'));
  step('person/leave', () => t.post('/api/person/leave', { leaveDate: '2026-06-10', leaveType: '1', pin: '8002' }));
  step('person/reinstated', () => t.post('/api/person/reinstated', { pin: '8002', deptCode: '1', name: 'Bob', cardNo: '80021' }));
  step('person/delete', () => t.delete('/api/person/delete/8002'));
  step('person/add (validity window)', () => t.post('/api/person/add', { pin: '8004', name: 'Dee', accLevelIds: ids.SWL, accStartTime: '2026-11-01 08:00:00', accEndTime: '2027-11-01 18:00:00' }));
  step('v2/person/addPersons', () => t.post('/api/v2/person/addPersons', { persons: [{ pin: '8005', name: 'Eve', accLevelIds: ids.SWL }, { pin: '8006', name: 'Fay', cardNo: '80061', accLevelIds: ids.SWL }] }));
  step('v2/person/deleteByPins', () => t.post('/api/v2/person/deleteByPins', { pins: '8004,8005,8006' }));
});

group('access levels', () => {
  step('accLevel/syncPerson', () => t.post('/api/accLevel/syncPerson', undefined, { pin: '8003', levelIds: `${ids.SWL},${ids.SWL2}` }),
    () => ok(t.post('/api/person/add', { pin: '8003', name: 'Cid', cardNo: '80031' })));
  step('accLevel/deleteLevel', () => t.post('/api/accLevel/deleteLevel', undefined, { pin: '8003', levelIds: ids.SWL2 }));
  step('accLevel/addLevel', () => t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'SWL3' }] }));
  step('accLevel/addLevelPerson', () => t.post('/api/accLevel/addLevelPerson', null, { levelIds: ids.SWL3, pin: '8003' }),
    async () => (ids.SWL3 = (await t.get('/api/accLevel/getByName/SWL3')).body.data.id));
  step('accLevel/addLevelDoor', () => t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'SWL3', doorName: '10.88.0.1-2' }] }));
  step('accLevel/update timeSegName', () => t.put(`/api/accLevel/update/${ids.SWL3}`, { timeSegName: 'SWDay' }),
    async () => (ids.SWDay = (await t.post('/api/gateway/timeSegments', { name: 'SWDay', schedule: { mon: [['08:00', '18:00']] } })).body.data.id));
  step('accLevel/update name', () => t.put(`/api/accLevel/update/${ids.SWL3}`, { name: 'SWL3b' }));
  step('accLevel/syncLevel', () => t.post('/api/accLevel/syncLevel', undefined, { levelId: ids.SWL3 }));
});

group('time segments and holidays', () => {
  step('gateway/timeSegments update', () => t.put(`/api/gateway/timeSegments/${ids.SWDay}`, { schedule: { mon: [['07:00', '19:00']] } }));
  step('gateway/timeSegments add (unused)', () => t.post('/api/gateway/timeSegments', { name: 'SWUnused', schedule: { tue: [['08:00', '09:00']] } }));
  step('gateway/holidays add', async () => {
    const r = await t.post('/api/gateway/holidays', { name: 'SWHol', startDate: '2027-05-01', endDate: '2027-05-02', holidayType: 1, isLoopByYear: false });
    ids.hol = r.body.data?.id;
    return r;
  });
  step('gateway/holidays update', () => t.put(`/api/gateway/holidays/${ids.hol}`, { name: 'SWHol', startDate: '2027-05-03', endDate: '2027-05-03', holidayType: 2, isLoopByYear: false }));
  step('gateway/holidays delete', () => t.delete(`/api/gateway/holidays/${ids.hol}`));
});

group('doors', () => {
  const door = () => ids['door 10.88.0.1-1'];
  step('door/remoteOpenById', () => t.post('/api/door/remoteOpenById', undefined, { doorId: door(), interval: 5 }));
  step('door/remoteCloseById', () => t.post('/api/door/remoteCloseById', undefined, { doorId: door() }));
  step('door/remoteoffById', () => t.post('/api/door/remoteoffById', undefined, { doorId: door() }));
  step('door/remoteOpenByName', () => t.post('/api/door/remoteOpenByName', undefined, { doorName: '10.88.0.3-1', interval: 5 }));
  step('door/remoteCloseByName', () => t.post('/api/door/remoteCloseByName', undefined, { doorName: '10.88.0.3-1' }));
  for (const a of ['normalOpen', 'lock', 'unlock', 'cancelAlarm']) step(`gateway/doors/${a}`, () => t.post(`/api/gateway/doors/${door()}/${a}`));
  step('gateway/doors/disable', () => t.post(`/api/gateway/doors/${door()}/disable`));
  step('gateway/doors/enable', () => t.post(`/api/gateway/doors/${door()}/enable`));
});

group('elevator', () => {
  step('floor/remoteOpenById', () => t.post('/api/floor/remoteOpenById', undefined, { floorId: ids['floor 2'], interval: 5 }));
  step('floor/remoteCloseById', () => t.post('/api/floor/remoteCloseById', undefined, { floorId: ids['floor 2'] }));
  step('eleLevel/syncPerson', () => t.post('/api/eleLevel/syncPerson', undefined, { pin: '8003', levelIds: ids.SWE }));
  step('gateway/eleLevel/save (floors)', () => t.post('/api/gateway/eleLevel/save', { name: 'SWE', pointIds: [ids['floor 1'], ids['floor 3']] }));
  step('eleLevel/syncLevel', () => t.post('/api/eleLevel/syncLevel', undefined, { levelId: ids.SWE }));
  step('eleLevel/deleteLevel', () => t.post('/api/eleLevel/deleteLevel', undefined, { pin: '8003', levelIds: ids.SWE }));
});

group('channel', () => {
  step('psgGate/remoteOpenById', () => t.post('/api/psgGate/remoteOpenById', undefined, { gateId: ids.gate, openType: 1 }));
  step('psgGate/remoteOpenByName', () => t.post('/api/psgGate/remoteOpenByName', undefined, { gateName: '10.88.0.5-1', openType: 1 }));
  step('psgLevel/syncPerson', () => t.post('/api/psgLevel/syncPerson', undefined, { pin: '8003', levelIds: ids.SWG }));
  step('psgLevel/syncLevel', () => t.post('/api/psgLevel/syncLevel', undefined, { levelId: ids.SWG }));
  step('gateway/psgDevice/passRule', () => t.post('/api/gateway/psgDevice/SWCHAN0001/passRule', { timeSegName: 'SWDay', passMode: 2 }));
  step('psgLevel/deleteLevel', () => t.post('/api/psgLevel/deleteLevel', undefined, { pin: '8003', levelIds: ids.SWG }));
});

group('attendance', () => {
  step('attAreaPerson/set', () => t.post('/api/attAreaPerson/set', { code: 'SWATT', pins: ['8003'] }));
  step('attPerson/editAttPerson', () => t.post('/api/attPerson/editAttPerson', { isAttendance: true, perDevAuth: 14, personPin: '8003', verifyMode: 0 }));
  step('attAreaPerson/delete', () => t.delete('/api/attAreaPerson/delete', {}, { code: 'SWATT', pins: '8003' }));
});

group('visitors', () => {
  step('visReservation/add', () => t.post('/api/visReservation/add', { persPersonPin: '8001', certType: '3', certNum: 'SW4512', visitEmpName: 'Mary', visitEmpPhone: '13015648651', company: 'ZKTeco', visitReason: 'visit', visitDate: '2027-08-31 14:40:00', visitEndDate: '2027-08-31 23:59:59' }),
    () => ok(t.post('/api/gateway/visLevel/add', { levelIds: `${ids.SWL},${ids.SWE}` })));
  step('visRegistration/add', () => t.post('/api/visRegistration/add', { persPersonPin: '8001', certType: '8', certNum: 'SW456888', visEmpName: 'Vis', visitEmpPhone: '', company: '', visitReason: 'visit', visitorCount: '1', startTime: '2026-11-01 00:00:00', endTime: '2027-12-31 23:59:59', cardNo: '80091', visLevels: `${ids.SWL},${ids.SWE}` }));
  step('visRegistration/exit', () => t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: 'SW456888' }));
});

group('writes no device sees', () => {
  step('department/add', () => t.post('/api/department/add', { name: 'SW dept', code: 'SW456', parentCode: '1' }));
  step('person/add (department move only)', () => t.post('/api/person/add', { pin: '8003', name: 'Cid', cardNo: '80031', deptCode: 'SW456' }));
  step('department/delete', () => t.delete('/api/department/delete/SW457'), () => ok(t.post('/api/department/add', { name: 'SW dept2', code: 'SW457', parentCode: '1' })));
  step('attApply/applyLeave', () => t.post('/api/attApply/applyLeave', { personPin: '8001', leaveTypeNo: 'L1', startDatetime: '2027-01-04 09:00:00', endDatetime: '2027-01-04 18:00:00', remark: 'x' }));
  step('gateway/areas add', () => t.post('/api/gateway/areas', { code: 'SWA2', name: 'SWA2' }));
});

group('devices', () => {
  step('gateway/devices/control reboot', () => t.post('/api/gateway/devices/SWPANEL001/control', { action: 'reboot' }));
  step('gateway/devices/control cancelAlarm', () => t.post('/api/gateway/devices/SWFACE0001/control', { action: 'cancelAlarm' }));
  step('gateway/eleDevice/cancelEmergency', () => t.post('/api/gateway/eleDevice/SWELEV0001/cancelEmergency'));
  step('gateway/psgDevice/resetCounters', () => t.post('/api/gateway/psgDevice/SWCHAN0001/resetCounters'));
  step('gateway/devices/sync', () => t.post('/api/gateway/devices/SWMCARD001/sync'));
  step('gateway/attendance/terminals/sync', () => t.post('/api/gateway/attendance/terminals/SWATTE0001/sync'));
});
