import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELEVATOR_FUN_LIST, ElevatorControllerSimulator } from '../simulator/elevator';
import { settingsOf } from '../push/push-helpers';
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
