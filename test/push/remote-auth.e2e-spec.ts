import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cvsEventName } from '../../src/push/cvsecurity-event-names';
import { DeviceRegistryService } from '../../src/push/device-registry.service';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim } from './push-helpers';

/**
 * Remote identification (Security PUSH manual 10) through HTTP: the panel posts `AuthType=device`, the gateway
 * decides from the database as the panel would from its own tables, answers AUTH=..., the record and a
 * CONTROL DEVICE on success, and stores the decision once as an access event (222 / 44).
 *
 * Calendar: 2026-03-02 is a Monday; 2026-03-04 (a Wednesday) is a type-1 holiday.
 */
let t: TestApp;
let sim: DeviceSimulator;
let officeLevel: string;
let lobbyLevel: string;
const SN = 'RA-PANEL-1';
const DOOR1 = '10.7.0.1-1';
const DOOR2 = '10.7.0.1-2';
const ok = { code: 0, message: 'success', data: null };

const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

async function decisions(where = ''): Promise<Array<{ unique_key: string; event_no: number; event_name: string; pin: string | null; card_no: string | null; door_no: number; door_name: string; name: string | null; event_time: Date }>> {
  return t.ds.query(`SELECT unique_key, event_no, event_name, pin, card_no, door_no, door_name, name, event_time FROM acc_transaction WHERE device_sn = $1 ${where} ORDER BY id`, [SN]);
}

beforeAll(async () => {
  t = await startTestApp({ timeZone: 'UTC' });
  sim = await connectedSim(t, { sn: SN, doors: 2, ipAddress: '10.7.0.1' });
  await sim.pollUntilIdle();
  // Office hours on weekdays, nothing on type-1 holidays; the door's own lock duration is 7 s.
  expect((await t.post('/api/gateway/timeSegments', { name: 'Office', schedule: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']], thu: [['08:00', '18:00']], fri: [['08:00', '18:00']] } })).body.code).toBe(0);
  expect((await t.post('/api/gateway/holidays', { name: 'Founders', startDate: '2026-03-04', endDate: '2026-03-04', holidayType: 1 })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Office', timeSegName: 'Office' }, { name: 'Lobby' }] })).body).toEqual(ok);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Office', doorName: DOOR1 }, { levelName: 'Lobby', doorName: DOOR2 }] })).body).toEqual(ok);
  officeLevel = (await t.get(`/api/accLevel/getByName/Office`)).body.data.id;
  lobbyLevel = (await t.get(`/api/accLevel/getByName/Lobby`)).body.data.id;
  await t.ds.query(`UPDATE door SET lock_delay = 7 WHERE name = $1`, [DOOR1]);
  expect((await t.post('/api/person/add', { pin: '1001', name: 'Ann', cardNo: '00123456', accLevelIds: officeLevel })).body).toEqual(ok);
  expect((await t.post('/api/person/add', { pin: '1002', name: 'Bob', accLevelIds: officeLevel })).body).toEqual(ok);
  await sim.pollUntilIdle();
});
afterAll(async () => {
  await t?.close();
});

describe('remote identification (AuthType=device)', () => {
  it('admits a person within a level of theirs and its time segment: AUTH=SUCCESS, the record, CONTROL DEVICE for the door', async () => {
    const r = await sim.remoteIdentify({ pin: 1001, door: 1, time: '2026-03-02 09:15:00', verifytype: 1 });
    expect(r.status).toBe(200);
    const record = 'time=2026-03-02 09:15:00\tpin=1001\tcardno=0\taddrtype=2\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1';
    expect(r.sent).toBe(record);
    // door 1, lock released for the door's 7 s
    expect(r.body).toBe(`AUTH=SUCCESS\r\n${record}\r\nCONTROL DEVICE 01010107`);
    expect(sim.doorActions.at(-1)).toMatchObject({ action: 'open', door: 1, seconds: 7 });
    expect(sim.doorState(1).unlocked).toBe(true);
    const [e] = await decisions(`AND pin = '1001'`);
    expect(e).toMatchObject({ event_no: 222, pin: '1001', name: 'Ann', door_no: 1, door_name: DOOR1, event_time: new Date('2026-03-02T09:15:00Z') });
    // Served like any access event.
    const list = await t.get('/api/transaction/list', { pageNo: 1, pageSize: 50 });
    // (eventName: CVSecurity's name of code 222, as an rtlog event 222 gets; cvsecurity-event-names.ts)
    expect(e.event_name).toBe(cvsEventName(222));
    const served = list.body.data.filter((x: { devSn: string; eventTime: string }) => x.devSn === SN && x.eventTime === '2026-03-02 09:15:00');
    expect(served).toHaveLength(1);
    expect(served[0]).toMatchObject({ pin: '1001', name: 'Ann', eventName: cvsEventName(222), eventPointName: DOOR1 });
  });

  it('refuses outside the time segment: AUTH=FAILED and the record, no control line', async () => {
    const r = await sim.remoteIdentify({ pin: 1001, door: 1, time: '2026-03-02 19:00:00' });
    expect(r.lines).toEqual(['AUTH=FAILED', r.sent]);
    expect(r.control).toBeNull();
    const [e] = await decisions(`AND event_time = '2026-03-02 19:00:00+00'`);
    expect(e).toMatchObject({ event_no: 44, event_name: cvsEventName(44), pin: '1001', door_no: 1 });
  });

  it('refuses on a holiday whose type has no interval, and admits the next (ordinary) day', async () => {
    expect((await sim.remoteIdentify({ pin: 1001, door: 1, time: '2026-03-04 09:15:00' })).auth).toBe('FAILED');
    expect((await sim.remoteIdentify({ pin: 1001, door: 1, time: '2026-03-05 09:15:00' })).auth).toBe('SUCCESS');
    // and on a weekend day the segment has no interval
    expect((await sim.remoteIdentify({ pin: 1001, door: 1, time: '2026-03-07 09:15:00' })).auth).toBe('FAILED');
  });

  it('refuses a door that is not in any level of theirs', async () => {
    const r = await sim.remoteIdentify({ pin: 1001, door: 2, time: '2026-03-02 09:20:00' });
    expect(r.lines).toEqual(['AUTH=FAILED', r.sent]);
    const [e] = await decisions(`AND event_time = '2026-03-02 09:20:00+00'`);
    expect(e).toMatchObject({ event_no: 44, door_no: 2, door_name: DOOR2 });
  });

  it('refuses at a disabled door', async () => {
    await t.ds.query(`UPDATE door SET enabled = false WHERE name = $1`, [DOOR1]);
    expect((await sim.remoteIdentify({ pin: 1001, door: 1, time: '2026-03-02 09:22:00' })).auth).toBe('FAILED');
    await t.ds.query(`UPDATE door SET enabled = true WHERE name = $1`, [DOOR1]);
    expect((await sim.remoteIdentify({ pin: 1001, door: 1, time: '2026-03-02 09:23:00' })).auth).toBe('SUCCESS');
  });

  it('refuses another addrtype than a door', async () => {
    expect((await sim.remoteIdentify({ pin: 1001, door: 1, addrtype: 3, time: '2026-03-02 09:21:00' })).auth).toBe('FAILED');
  });

  it('refuses a person who left', async () => {
    expect((await sim.remoteIdentify({ pin: 1002, door: 1, time: '2026-03-02 09:25:00' })).auth).toBe('SUCCESS');
    expect((await t.post('/api/person/leave', { pin: '1002' })).body.code).toBe(0);
    expect((await sim.remoteIdentify({ pin: 1002, door: 1, time: '2026-03-02 09:26:00' })).auth).toBe('FAILED');
  });

  it('refuses an unknown pin, and stores the refusal with that pin', async () => {
    const r = await sim.remoteIdentify({ pin: 9999, door: 1, time: '2026-03-02 09:30:00' });
    expect(r.lines).toEqual(['AUTH=FAILED', r.sent]);
    const [e] = await decisions(`AND pin = '9999'`);
    expect(e).toMatchObject({ event_no: 44, name: null, door_no: 1 });
  });

  it('identifies by card when pin is 0, comparing card numbers by value', async () => {
    const r = await sim.remoteIdentify({ pin: 0, cardno: 123456, door: 1, time: '2026-03-02 10:00:00' });
    expect(r.auth).toBe('SUCCESS');
    expect(r.control).toBe('CONTROL DEVICE 01010107');
    const [e] = await decisions(`AND event_time = '2026-03-02 10:00:00+00'`);
    expect(e).toMatchObject({ event_no: 222, pin: '1001', name: 'Ann', card_no: '123456' });
    expect((await sim.remoteIdentify({ pin: 0, cardno: 654321, door: 1, time: '2026-03-02 10:01:00' })).auth).toBe('FAILED');
  });

  it('admits a checked-in visitor on a door of their visitor level within the visit window', async () => {
    const now = Date.now();
    const res = await t.post('/api/visRegistration/add', {
      persPersonPin: '1001', certType: '8', certNum: 'P7654321', visEmpName: 'Guest', visitReason: 'meeting', visitorCount: '1',
      startTime: fmt(now - 60_000), endTime: fmt(now + 3_600_000), cardNo: '7770001', visLevels: lobbyLevel,
    });
    expect(res.body).toEqual(ok);
    const [v] = await t.ds.query(`SELECT visitor_pin FROM vis_registration WHERE card_no = '7770001'`);
    const at = new Date(now);
    expect((await sim.remoteIdentify({ pin: v.visitor_pin, door: 2, time: at })).auth).toBe('SUCCESS');
    expect((await sim.remoteIdentify({ cardno: '7770001', door: 2, time: new Date(now + 1000) })).auth).toBe('SUCCESS');
    // not on a door outside their level, nor outside the visit window
    expect((await sim.remoteIdentify({ pin: v.visitor_pin, door: 1, time: new Date(now + 2000) })).auth).toBe('FAILED');
    expect((await sim.remoteIdentify({ pin: v.visitor_pin, door: 2, time: new Date(now + 7_200_000) })).auth).toBe('FAILED');
  });

  it('stores a decision once when the panel sends the request again, and answers it the same', async () => {
    const first = await sim.remoteIdentify({ pin: 1001, door: 1, time: '2026-03-02 11:00:00' });
    expect(first.auth).toBe('SUCCESS');
    const again = await sim.remoteIdentify({ resend: true });
    expect(again.sent).toBe(first.sent);
    expect(again.body).toBe(first.body);
    // Even after the rules changed, a resent request is answered as first decided, and stored once.
    expect((await t.post('/api/person/leave', { pin: '1001' })).body.code).toBe(0);
    const third = await sim.remoteIdentify({ resend: true });
    expect(third.body).toBe(first.body);
    expect(await decisions(`AND event_time = '2026-03-02 11:00:00+00'`)).toHaveLength(1);
  });

  it('answers a bad body AUTH=FAILED (never a 5xx), logged and kept raw, nothing stored as an event', async () => {
    const before = (await decisions()).length;
    for (const body of ['garbage', 'time=yesterday\tpin=1\tevent=0', 'pin=1\tevent=0', '']) {
      const r = await sim.remoteIdentify({ body });
      expect([r.status, r.body]).toEqual([200, 'AUTH=FAILED']);
    }
    expect((await decisions()).length).toBe(before);
    const raw = await t.ds.query(`SELECT count(*)::int AS n FROM device_upload WHERE device_sn = $1 AND table_name = 'remoteauth.rejected'`, [SN]);
    expect(raw[0].n).toBe(3);
  });

  it('refuses a device that is not admitted the way its other uploads are refused', async () => {
    await t.ds.query(`UPDATE device SET admission = 'pending' WHERE sn = $1`, [SN]);
    t.app.get(DeviceRegistryService).forget(SN);
    const r = await sim.remoteIdentify({ pin: 1001, door: 1, time: '2026-03-02 12:00:00' });
    expect(r.body).toBe(`ERROR: device ${SN} is not admitted`);
    expect(await decisions(`AND event_time = '2026-03-02 12:00:00+00'`)).toHaveLength(0);
  });
});
