/**
 * The lists of one person narrowed to a device, and the lists of one device narrowed to a person, as the lists of
 * every device take both (2.18.3: personPin; deviceSn, devSn or sn). Each was ignored: a client asking for one
 * person's events at one panel got that person's events at every panel, with success, as if filtered; and one
 * asking for one person's events at a panel got everyone's there. Access (2.18.1/2/6/7/8/9 and v3) and entrance
 * control (2.34.1/4/5/7) alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const page = { pageNo: 1, pageSize: 100 };
type Row = { eventTime: string; devSn: string; pin: string };
const seen = (rows: Row[]) => rows.map((r) => `${r.devSn}/${r.pin}/${r.eventTime}`).sort();

beforeAll(async () => {
  t = await startTestApp();
  const a = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'NRA0000001', doors: 1 });
  const b = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'NRB0000002', doors: 1 });
  const ga = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'NRPSG00001', gates: 1, ipAddress: '10.9.2.1' });
  const gb = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'NRPSG00002', gates: 1, ipAddress: '10.9.2.2' });
  for (const d of [a, b, ga, gb]) await d.connect();
  const ev = (time: string, pin: number, index: number) => ({ time, pin, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index });
  await a.uploadRtlog([ev('2024-03-01 08:00:00', 57, 1), ev('2024-03-01 08:10:00', 58, 2)]);
  await b.uploadRtlog([ev('2024-03-01 17:00:00', 57, 1), ev('2024-03-02 09:00:00', 57, 2)]);
  await ga.uploadRtlog([ev('2024-03-01 08:00:00', 57, 1), ev('2024-03-01 08:10:00', 58, 2)]);
  await gb.uploadRtlog([ev('2024-03-01 17:00:00', 57, 1)]);
});
afterAll(async () => {
  await t?.close();
});

describe('access transactions', () => {
  it('a person list (2.18.6, 2.18.7, v3) narrows to the device named as deviceSn, devSn or sn; an unknown one lists none', async () => {
    for (const key of ['deviceSn', 'devSn', 'sn']) {
      expect(seen((await t.get('/api/transaction/person/57', { ...page, [key]: 'NRA0000001' })).body.data), key).toEqual(['NRA0000001/57/2024-03-01 08:00:00']);
      const v2 = (await t.get('/api/v2/transaction/person/57', { ...page, [key]: 'NRB0000002' })).body.data;
      expect(v2.total, key).toBe(2);
      expect(seen(v2.data), key).toEqual(['NRB0000002/57/2024-03-01 17:00:00', 'NRB0000002/57/2024-03-02 09:00:00']);
    }
    expect((await t.get('/api/v3/transaction/person', { ...page, pin: '57', deviceSn: 'NRA0000001' })).body.data.total).toBe(1);
    expect((await t.get('/api/transaction/person/57', { ...page, deviceSn: 'NOSUCH' })).body).toEqual({ code: 0, message: 'success', data: [] });
    // Without it, every device's events of the person, as before.
    expect((await t.get('/api/v2/transaction/person/57', page)).body.data.total).toBe(3);
  });

  it('a device list (2.18.1, 2.18.2, v3) narrows to the person named as personPin or pin', async () => {
    for (const key of ['personPin', 'pin']) {
      expect(seen((await t.get('/api/transaction/device/NRA0000001', { ...page, [key]: '58' })).body.data), key).toEqual(['NRA0000001/58/2024-03-01 08:10:00']);
      expect((await t.get('/api/v2/transaction/device/NRA0000001', { ...page, [key]: '57' })).body.data.total, key).toBe(1);
    }
    expect((await t.get('/api/v3/transaction/device', { ...page, deviceSn: 'NRB0000002', personPin: '58' })).body.data.total).toBe(0);
    expect((await t.get('/api/v2/transaction/device/NRA0000001', page)).body.data.total).toBe(2);
  });

  it('first-in/last-out (2.18.8, 2.18.9, v3) narrows to the device: the day at panel A is its own first and last', async () => {
    const all = (await t.get('/api/transaction/firstInAndLastOut/57', { ...page, startDate: '2024-03-01', endDate: '2024-03-01' })).body.data;
    expect(all).toMatchObject([{ firstInTime: '2024-03-01 08:00:00', lastOutTime: '2024-03-01 17:00:00' }]);
    const atA = (await t.get('/api/transaction/firstInAndLastOut/57', { ...page, deviceSn: 'NRA0000001' })).body.data;
    expect(atA).toMatchObject([{ firstInTime: '2024-03-01 08:00:00', lastOutTime: null }]);
    expect((await t.get('/api/v2/transaction/firstInAndLastOut/57', { ...page, sn: 'NRB0000002' })).body.data.total).toBe(2);
    expect((await t.get('/api/v3/transaction/firstInAndLastOut', { ...page, pin: '57', devSn: 'NRA0000001' })).body.data.total).toBe(1);
  });
});

describe('entrance-control transactions', () => {
  it('a person list (2.34.4, 2.34.7) narrows to the device; a device list (2.34.1, 2.34.5) to the person', async () => {
    expect(seen((await t.get('/api/psgTransaction/person/57', { ...page, deviceSn: 'NRPSG00002' })).body.data)).toEqual(['NRPSG00002/57/2024-03-01 17:00:00']);
    expect((await t.get('/api/v2/psgTransaction/person/57', { ...page, devSn: 'NRPSG00001' })).body.data.total).toBe(1);
    expect((await t.get('/api/v2/psgTransaction/person/57', page)).body.data.total).toBe(2);
    expect(seen((await t.get('/api/psgTransaction/device/NRPSG00001', { ...page, personPin: '58' })).body.data)).toEqual(['NRPSG00001/58/2024-03-01 08:10:00']);
    expect((await t.get('/api/v2/psgTransaction/device/NRPSG00001', { ...page, pin: '57' })).body.data.total).toBe(1);
    expect((await t.get('/api/v2/psgTransaction/device/NRPSG00001', page)).body.data.total).toBe(2);
  });
});
