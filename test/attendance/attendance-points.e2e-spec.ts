/**
 * Attendance points (gateway extension, /api/gateway/attendance/points): the access events at a door so marked are
 * listed by listAttTransaction (2.21.1) as punches. A punch is a person's verification the panel took, as a
 * terminal's real-time log counts it (realtimePunch): a refused verification (unauthorised, too short an interval,
 * privilege expired...) at that door is an access event, no punch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let panel: DeviceSimulator;
const page = { pageNo: 1, pageSize: 50 };

beforeAll(async () => {
  t = await startTestApp();
  panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ATTPOINT01', doors: 2 });
  await panel.connect();
});
afterAll(async () => {
  await t?.close();
});

describe('access events at an attendance point', () => {
  it('lists the verifications the panel took as punches, not the refused ones nor those at other doors', async () => {
    expect((await t.post('/api/person/add', { pin: '801', name: 'Ida', lastName: 'Point' })).body.code).toBe(0);
    const [door] = await t.ds.query(`SELECT d.id FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = 'ATTPOINT01' AND d.door_no = 1`);
    expect((await t.post('/api/gateway/attendance/points', { doorId: door.id })).body.code).toBe(0);

    const ev = (time: string, event: number, index: number, eventaddr = 1) => ({ time, pin: 801, eventaddr, event, inoutstatus: 0, verifytype: 1, index });
    await expect(
      panel.uploadRtlog([
        ev('2024-06-03 08:00:00', 0, 1),
        ev('2024-06-03 08:00:02', 20, 2), // the operation interval is too short
        ev('2024-06-03 12:00:00', 23, 3), // unauthorized access
        ev('2024-06-03 13:00:00', 29, 4), // the user privilege expires
        ev('2024-06-03 14:00:00', 0, 5, 2), // another door
        ev('2024-06-03 17:00:00', 0, 6),
      ]),
    ).resolves.toMatchObject({ status: 200 });
    // All six are access events.
    expect((await t.get('/api/v2/transaction/person/801', page)).body.data.total).toBe(6);

    const att = (await t.get('/api/transaction/listAttTransaction', { ...page, personPin: '801' })).body;
    expect(att.code).toBe(0);
    expect(att.data.map((p: { eventTime: string; logId: number }) => [p.eventTime, p.logId])).toEqual([
      ['2024-06-03 17:00:00', 6],
      ['2024-06-03 08:00:00', 1],
    ]);
    const v2 = (await t.get('/api/v2/transaction/listAttTransaction', { ...page, personPin: '801' })).body.data;
    expect([v2.total, v2.data.length]).toEqual([2, 2]);
  });
});

describe('unmarking a point', () => {
  it('takes the door off the points; a door that is no point is unmarked already; an id of no door is -47, not success', async () => {
    const [door] = await t.ds.query(`SELECT d.id FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = 'ATTPOINT01' AND d.door_no = 2`);
    expect((await t.post('/api/gateway/attendance/points', { doorId: door.id })).body.code).toBe(0);
    expect((await t.get('/api/gateway/attendance/points')).body.data).toContainEqual({ doorId: door.id });
    expect((await t.delete(`/api/gateway/attendance/points/${door.id}`)).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/gateway/attendance/points')).body.data).not.toContainEqual({ doorId: door.id });
    expect((await t.delete(`/api/gateway/attendance/points/${door.id}`)).body).toEqual({ code: 0, message: 'success', data: null });
    const before = (await t.get('/api/gateway/attendance/points')).body.data;
    expect((await t.delete('/api/gateway/attendance/points/0123456789abcdef0123456789abcdef')).body).toEqual({ code: -47, message: "Door doesn't exist: 0123456789abcdef0123456789abcdef", data: null });
    expect((await t.get('/api/gateway/attendance/points')).body.data).toEqual(before);
  });
});
