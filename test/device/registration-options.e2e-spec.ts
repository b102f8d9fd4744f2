import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELEVATOR_FUN_LIST, ElevatorControllerSimulator } from '../simulator/elevator';
import { settingsOf } from '../push/push-helpers';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * What a Security PUSH device says at registration (4.4) and in its parameters (4.6) is kept whole: one value the
 * gateway cannot use never costs the others, the kind included.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('registration with odd values', () => {
  it('an elevator controller registering while the gateway hands out a sub-second RequestDelay is registered as an elevator controller', async () => {
    const s = settingsOf(t);
    const delay = s.requestDelay;
    s.requestDelay = 0.5;
    try {
      const sim = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'REGODD0001' });
      const reg = await sim.register();
      // Before: 400 `ERROR: A value has the wrong format` (0.5 refused by an integer column), the kind left as inserted (acc).
      expect(reg.status).toBe(200);
      expect(reg.registered).toBe(true);
      const detail = (await t.get('/api/gateway/devices/REGODD0001')).body;
      expect(detail).toMatchObject({ code: 0, data: { kind: 'ele', detectedKind: 'ele', type: 'EC10', doors: [] } });
      const [row] = await t.ds.query(`SELECT request_delay FROM device WHERE sn = 'REGODD0001'`);
      expect(row.request_delay).toBe(0.5);
      // Its configuration download carries the RequestDelay it was handed.
      expect((await sim.handshake()).options).toMatchObject({ registry: 'ok', RequestDelay: '0.5' });
    } finally {
      s.requestDelay = delay;
    }
  });

  it('a registration whose parameters are TAB-separated is read parameter by parameter, not as one DeviceType value', async () => {
    const body = ['DeviceType=acc', '~DeviceName=EC16', 'FirmVer=AC Ver 5.7.8', 'LockCount=0', 'ReaderCount=1', 'AuxOutCount=16', `AccSupportFunList=${ELEVATOR_FUN_LIST}`, '~MaxUserCount=30000'].join('\t');
    const reg = await t.request('POST', '/iclock/registry', { query: { SN: 'REGODD0002' }, body });
    expect(reg.status).toBe(200);
    expect(reg.text).toMatch(/^RegistryCode=/);
    // Before: DeviceType = `acc<TAB>~DeviceName=EC16<TAB>...`, no other parameter, an access panel with one door.
    const detail = (await t.get('/api/gateway/devices/REGODD0002')).body.data;
    expect(detail).toMatchObject({ kind: 'ele', type: 'EC16', firmVer: 'AC Ver 5.7.8', lockCount: 0, readerCount: 1, doors: [] });
    const [row] = await t.ds.query(`SELECT device_type, registration FROM device WHERE sn = 'REGODD0002'`);
    expect(row.device_type).toBe('acc');
    expect(row.registration).toMatchObject({ DeviceType: 'acc', '~DeviceName': 'EC16', '~MaxUserCount': '30000' });
  });

});

describe('capacity', () => {
  it('keeps what the device says it can hold (registration, then its latest parameters) on its record, a bad value costing only itself', async () => {
    const sim = new DeviceSimulator({
      baseUrl: t.baseUrl,
      sn: 'CAPPANEL01',
      doors: 1,
      ipAddress: '10.44.0.1',
      registryExtras: { '~MaxUserCount': 2, '~MaxAttLogCount': 100000, '~MaxFingerCount': 'abc', '~MaxFaceCount': 1500 },
    });
    expect((await sim.connect()).registered).toBe(true);
    expect((await t.get('/api/gateway/devices/CAPPANEL01')).body.data.capacity).toEqual({
      maxUserCount: 2,
      maxAttLogCount: 100000,
      maxFingerCount: null,
      maxFaceCount: 1500,
      maxUserPhotoCount: null,
      userCount: null,
      transactionCount: null,
      fingerCount: null,
      faceCount: null,
    });
    // Its parameters (4.6, the manual's example keys) say what it holds now, and a capacity changed since.
    const up = await sim.uploadRaw('/iclock/cdata', { table: 'options' }, 'TransactionCount=23,~MaxAttLogCount=200000,UserCount=7,~MaxUserCount=2,~MaxUserPhotoCount=3000,FPCount=4,~MaxFingerCount=40,FaceCount=3,~MaxPvCount=');
    expect(up.body).toBe('OK');
    const listed = (await t.get('/api/gateway/devices')).body.data.find((d: { sn: string }) => d.sn === 'CAPPANEL01');
    expect(listed.capacity).toEqual({
      maxUserCount: 2,
      maxAttLogCount: 200000,
      maxFingerCount: 40,
      maxFaceCount: 1500,
      maxUserPhotoCount: 3000,
      userCount: 7,
      transactionCount: 23,
      fingerCount: 4,
      faceCount: 3,
    });
  });

  it('does not judge a device full from ~MaxUserCount: a figure of its own (the manual gives ~MaxUserCount=50 beside ~MaxAttLogCount=10 and TransactionCount=23), not a number of users', async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Cap' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Cap', doorName: '10.44.0.1-1' }] })).body.code).toBe(0);
    const level = (await t.get('/api/accLevel/getByName/Cap')).body.data.id;
    for (const pin of ['9101', '9102', '9103']) expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level })).body.code).toBe(0);
    // Three users on a panel reporting ~MaxUserCount=2: reported as it said, and no claim that it is full (before:
    // divergent, "3 users are to be held by this device, which holds at most 2", while the panel took all three).
    const over = (await t.get('/api/gateway/devices/CAPPANEL01/convergence')).body.data;
    expect(over).toMatchObject({ maxUserCount: 2, users: 3, capacityExceeded: null, failing: [] });
    expect(over.divergent).toBe(false);
  });
});
