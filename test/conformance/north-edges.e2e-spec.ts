import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

/**
 * Edges of the north side that third-party clients reach and that once answered something a CVSecurity user would
 * not expect: a key repeated in the query, a JSON body written into a JSON string, a pageNo past a Java Integer,
 * an area named by its id, an auxiliary input's events, and a gate its controller lost.
 */
let t: TestApp;
let panel: DeviceSimulator;
let cc: ChannelControllerSimulator;
const success = { code: 0, message: 'success', data: null };

beforeAll(async () => {
  t = await startTestApp();
  panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'EDGEPANEL01', doors: 2, ipAddress: '10.9.0.11' });
  await panel.connect();
  await panel.pollUntilIdle();
  cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'EDGEGATE001', gates: 2, ipAddress: '10.9.0.21' });
  await cc.connect();
  await cc.pollUntilIdle();
  for (const pin of ['E1', 'E2']) expect((await t.post('/api/person/add', { pin, name: `Edge ${pin}` })).body).toEqual(success);
});
afterAll(async () => {
  await t?.close();
});

/** A request with the query written as given (keys repeated), the token added. */
const raw = (method: string, pathAndQuery: string, body?: string, contentType = 'application/json') =>
  t.request(method, `${pathAndQuery}${pathAndQuery.includes('?') ? '&' : '?'}access_token=${TEST_TOKEN}`, body === undefined ? {} : { body, headers: { 'content-type': contentType } });

describe('a key repeated in the query', () => {
  it('a field that takes one value is refused when its repeats differ (it took the last), and read when they agree', async () => {
    const differ = await raw('GET', '/api/person/get?pin=E1&pin=E2');
    expect(differ.body).toMatchObject({ code: -400, data: null });
    expect(differ.body.message).toBe('pin takes one value, but was sent 2 times with different values ("E1", "E2")');
    expect((await raw('GET', '/api/person/get?pin=E2&pin=E2')).body).toEqual((await t.get('/api/person/get/E2')).body);
    // Under a synonym of the path parameter alike, and in a read whose DTO takes the pin (the v2 form).
    expect((await raw('GET', '/api/person/get?personPin=E1&personPin=E2')).body).toMatchObject({ code: -400, message: expect.stringMatching(/^personPin takes one value/) });
    expect((await raw('GET', '/api/v2/person/get?pin=E1&pin=E2')).body).toMatchObject({ code: -400, message: expect.stringMatching(/^pin takes one value/) });
    // A delete naming two persons deletes neither, where it deleted the last and answered success.
    expect((await raw('POST', '/api/person/delete?pin=E1&pin=E2')).body.code).toBe(-400);
    expect((await t.get('/api/person/get/E1')).body.data).toMatchObject({ pin: 'E1' });
    expect((await t.get('/api/person/get/E2')).body.data).toMatchObject({ pin: 'E2' });
    // A number alike (Spring would take the first, the gateway took the last): refused, never one of them.
    expect((await raw('GET', '/api/area/list?pageNo=1&pageNo=2&pageSize=10')).body).toMatchObject({ code: -400, message: expect.stringMatching(/^pageNo takes one value/) });
    expect((await raw('GET', '/api/area/list?pageNo=1&pageNo=1&pageSize=10')).body.code).toBe(0);
    // A blank repeat beside a value (a form's empty default, then the value) is no second value: the value.
    const e2 = (await t.get('/api/person/get/E2')).body;
    expect((await raw('GET', '/api/person/get?pin=&pin=E2')).body).toEqual(e2);
    expect((await raw('GET', '/api/person/get?pin=E2&pin=')).body).toEqual(e2);
    expect((await raw('GET', '/api/v2/person/get?pin=&pin=E2')).body.data).toMatchObject({ pin: 'E2' });
    expect((await raw('GET', '/api/area/list?pageNo=&pageNo=1&pageSize=10')).body.code).toBe(0);
  });

  it('a list takes every repeat as it takes a comma list', async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Edge level' }] })).body).toEqual(success);
    const level = (await t.get('/api/v2/accLevel/getByName/Edge level')).body.data.id as string;
    expect((await raw('POST', `/api/accLevel/addLevelPerson?pin=E1&pin=E2&levelIds=${level}&levelIds=${level}`)).body).toEqual(success);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_level_person lp JOIN person p ON p.id = lp.person_id WHERE lp.level_id = $1 AND p.pin IN ('E1', 'E2')`, [level]);
    expect(n).toBe(2);
    const both = await raw('POST', '/api/person/getPersonList?pins=E1&pins=E2', JSON.stringify({ pageNo: 1, pageSize: 10 }));
    expect(both.body.data.map((p: { pin: string }) => p.pin).sort()).toEqual(['E1', 'E2']);
    expect((await raw('POST', '/api/person/getPersonList?pins=E1,E2', JSON.stringify({ pageNo: 1, pageSize: 10 }))).body).toEqual(both.body);
  });
});

describe('a JSON body written into a JSON string (double-encoded)', () => {
  it('is read as the JSON it holds, under a JSON type or none (it answered -10 "code or name empty")', async () => {
    const twice = JSON.stringify(JSON.stringify({ code: 'DE1', name: 'Double encoded' }));
    expect((await raw('POST', '/api/department/add', twice)).body).toEqual(success);
    expect((await t.get('/api/department/get/DE1')).body.data).toMatchObject({ code: 'DE1', name: 'Double encoded' });
    expect((await raw('POST', '/api/department/add', JSON.stringify(JSON.stringify({ code: 'DE2', name: 'As text' })), 'text/plain')).body).toEqual(success);
    // Three times over: two layers are taken off.
    expect((await raw('POST', '/api/department/add', JSON.stringify(JSON.stringify(JSON.stringify({ code: 'DE3', name: 'Thrice' }))))).body).toEqual(success);
    expect((await t.get('/api/department/get/DE3')).body.data).toMatchObject({ code: 'DE3', name: 'Thrice' });
  });

  it('a JSON string that holds no object is refused saying so', async () => {
    const res = await raw('POST', '/api/department/add', JSON.stringify('code=DE4'));
    expect(res.body).toMatchObject({ code: -400, data: null });
    expect(res.body.message).toMatch(/^Request body is a JSON string, not a JSON object/);
  });
});

describe('a pageNo past a Java Integer', () => {
  it('is -90 naming the bound (it answered an empty page), as pageSize past it is -91', async () => {
    for (const call of [() => t.get('/api/area/list', { pageNo: 2147483648, pageSize: 10 }), () => t.get('/api/transaction/list', { pageNo: '4294967296', pageSize: 10 }), () => t.post('/api/v2/person/getPersonList', { pageNo: 2147483648, pageSize: 10 })]) {
      const res = await call();
      expect(res.body).toMatchObject({ code: -90, data: null });
      expect(res.body.message).toMatch(/^PageNo or pageSize cannot be set less than or equal to 0: pageNo must be at most 2147483647 \(got "\d+"\)$/);
    }
    expect((await t.get('/api/area/list', { pageNo: 2147483647, pageSize: 10 })).body).toEqual({ code: 0, message: 'success', data: [] });
  });
});

describe('an area named by its id', () => {
  it('is found wherever an area is taken, as by its code', async () => {
    expect((await t.post('/api/gateway/areas', { code: '7', name: 'Seventh' })).body.code).toBe(0);
    const area = ((await t.get('/api/area/list', { pageNo: 1, pageSize: 10 })).body.data as Array<{ id: string; code: string }>).find((a) => a.code === '7')!;
    expect(area.id).toMatch(/^[0-9a-f]{32}$/);
    expect((await t.get(`/api/area/get/${area.id}`)).body).toEqual((await t.get('/api/area/get/7')).body);
    expect((await t.get(`/api/attAreaPerson/area/get/${area.id.toUpperCase()}`)).body.data).toMatchObject({ code: '7' });
    expect((await t.post('/api/attAreaPerson/set', { code: area.id, pins: ['E1'] })).body).toEqual(success);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Area by id', areaName: area.id, timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    const [stored] = await t.ds.query(`SELECT a.code FROM acc_level l JOIN area a ON a.id = l.area_id WHERE l.name = 'Area by id'`);
    expect(stored).toEqual({ code: '7' });
    expect((await t.put('/api/gateway/devices/EDGEPANEL01/area', { areaCode: area.id })).body.code).toBe(0);
    expect((await t.get('/api/gateway/devices/EDGEPANEL01')).body.data).toMatchObject({ areaCode: '7' });
    expect((await t.get('/api/area/get/0123456789abcdef0123456789abcdef')).body.code).toBe(-80);
  });
});

describe("an auxiliary input's events (220, 221)", () => {
  it('name the auxiliary input as their point, not the door of the same number', async () => {
    await panel.uploadRtlog([
      { pin: 0, eventaddr: 1, event: 220, inoutstatus: 0, verifytype: 200, time: '2026-01-05 10:00:00' },
      { pin: 0, eventaddr: 2, event: 221, inoutstatus: 0, verifytype: 200, time: '2026-01-05 10:00:01' },
      { pin: 0, eventaddr: 1, event: 8, inoutstatus: 0, verifytype: 200, time: '2026-01-05 10:00:02' },
    ]);
    const rows = (await t.get('/api/transaction/device/EDGEPANEL01', { pageNo: 1, pageSize: 10 })).body.data as Array<Record<string, unknown>>;
    const named = (eventName: string) => rows.find((r) => r.eventName === eventName);
    expect(named('Auxiliary Input Disconnected')).toMatchObject({ eventPointName: '10.9.0.11-AuxIn-1' });
    expect(named('Auxiliary Input Shorted')).toMatchObject({ eventPointName: '10.9.0.11-AuxIn-2' });
    expect(rows.filter((r) => r.eventPointName === '10.9.0.11-1')).toHaveLength(1);
    // No door or reader of that number is the event's: the door's name is none of its fields.
    const stored = await t.ds.query(`SELECT event_no, door_id, door_name, reader_name, event_point_name FROM acc_transaction WHERE device_sn = 'EDGEPANEL01' AND event_no IN (220, 221) ORDER BY event_no`);
    expect(stored).toEqual([
      { event_no: 220, door_id: null, door_name: null, reader_name: null, event_point_name: '10.9.0.11-AuxIn-1' },
      { event_no: 221, door_id: null, door_name: null, reader_name: null, event_point_name: '10.9.0.11-AuxIn-2' },
    ]);
  });
});

describe('a gate its controller reports not connected (event 110)', () => {
  it('has gateState "0" until the controller is heard from at that gate again', async () => {
    const gates = (await t.get('/api/psgGate/allGateState')).body.data as Array<{ id: string; gateState: string; connect: string }>;
    expect(gates.map((g) => [g.connect, g.gateState])).toEqual([['1', '1'], ['1', '1']]);
    await cc.uploadRtlog([{ pin: 0, eventaddr: 1, event: 110, inoutstatus: 0, verifytype: 200, time: '2026-01-05 11:00:00' }]);
    expect(((await t.get('/api/psgGate/allGateState')).body.data as typeof gates).map((g) => [g.connect, g.gateState])).toEqual([['1', '0'], ['1', '1']]);
    expect((await t.get('/api/psgGate/gateStateById', { gateId: gates[0].id })).body.data).toMatchObject([{ connect: '1', gateState: '0' }]);
    expect((await t.get('/api/psgGate/gateStateBySn', { deviceSn: 'EDGEGATE001' })).body.data.map((g: { gateState: string }) => g.gateState)).toEqual(['0', '1']);
    // An earlier event uploaded late does not bring it back; a later one at the gate does.
    await cc.uploadRtlog([{ pin: 0, eventaddr: 1, event: 206, inoutstatus: 0, verifytype: 200, time: '2026-01-05 10:59:00' }]);
    expect((await t.get('/api/psgGate/gateStateById', { gateId: gates[0].id })).body.data[0].gateState).toBe('0');
    await cc.uploadRtlog([{ pin: 0, eventaddr: 1, event: 206, inoutstatus: 0, verifytype: 200, time: '2026-01-05 11:05:00' }]);
    expect((await t.get('/api/psgGate/gateStateById', { gateId: gates[0].id })).body.data[0].gateState).toBe('1');
  });
});
