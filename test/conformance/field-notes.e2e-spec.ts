import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { buildFixture, DATE_TIME, HEX32, heardFrom, PHOTO, type Fixture } from './conformance-support';

/** The REST items (1-10) of field-notes.md, each as a check against the running gateway. */
let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await buildFixture(t);
});
afterAll(async () => {
  await t?.close();
});

const token = () => ({ access_token: t.config.apiToken });
const OK = { code: 0, message: 'success', data: null };

/** The three ways real clients send "no body" with their inputs in the query (item 4). */
const NO_BODY = {
  'no body at all': (path: string, query: Record<string, unknown>) => t.request('POST', path, { query: { ...token(), ...query } }),
  'an empty body with Content-Type application/json': (path: string, query: Record<string, unknown>) =>
    t.request('POST', path, { query: { ...token(), ...query }, body: '', headers: { 'content-type': 'application/json' } }),
  'a JSON null body': (path: string, query: Record<string, unknown>) =>
    t.request('POST', path, { query: { ...token(), ...query }, body: 'null', headers: { 'content-type': 'application/json' } }),
  'the inputs in a JSON body': (path: string, query: Record<string, unknown>) => t.post(path, query),
  // Spring's @RequestParam, behind the real server, reads form fields too.
  'the inputs in a form body': (path: string, query: Record<string, unknown>) =>
    t.request('POST', path, { query: token(), body: new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  // `curl -d '{...}'` without -H: JSON under the form content type.
  'JSON under a form content type': (path: string, query: Record<string, unknown>) =>
    t.request('POST', path, { query: token(), body: JSON.stringify(query), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  // .NET's StringContent without a media type, and some Java clients: JSON as text/plain.
  'JSON under text/plain': (path: string, query: Record<string, unknown>) =>
    t.request('POST', path, { query: token(), body: JSON.stringify(query), headers: { 'content-type': 'text/plain; charset=utf-8' } }),
} as const;
const forms = Object.keys(NO_BODY) as Array<keyof typeof NO_BODY>;

async function levelsOf(pin: string): Promise<string> {
  const r = await t.get('/api/v2/person/get', { pin });
  expect(r.body.code).toBe(0);
  return r.body.data.accLevelIds;
}

describe('item 4: POST inputs from the query or the body', () => {
  it.each(forms)('accLevel/addLevelPerson, deleteLevel and syncPerson with %s', async (form) => {
    const send = NO_BODY[form];
    const pin = `4${forms.indexOf(form)}`;
    expect((await t.post('/api/person/add', { pin, name: 'Query' })).body).toEqual(OK);
    expect((await send('/api/accLevel/addLevelPerson', { pin, levelIds: f.levelId })).body).toEqual(OK);
    expect(await levelsOf(pin)).toBe(f.levelId);
    expect((await send('/api/accLevel/deleteLevel', { pin, levelIds: f.levelId })).body).toEqual(OK);
    expect(await levelsOf(pin)).toBe('');
    expect((await send('/api/accLevel/syncPerson', { pin, levelIds: f.levelId })).body).toEqual(OK);
    expect(await levelsOf(pin)).toBe(f.levelId);
    // Missing inputs are the manual's errors, not a parse failure.
    expect((await send('/api/accLevel/syncPerson', { levelIds: f.levelId })).body).toMatchObject({ code: -42, data: null });
  });

  it.each(forms)('accLevel/syncLevel with %s', async (form) => {
    expect((await NO_BODY[form]('/api/accLevel/syncLevel', { levelId: f.levelId })).body).toEqual(OK);
  });

  it.each(forms)('door/remoteOpenById?doorId=&interval= with %s queues the open', async (form) => {
    await heardFrom(f.sim);
    const res = await NO_BODY[form]('/api/door/remoteOpenById', { doorId: f.doors[0].id, interval: 5 });
    expect(res.body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
  });

  it.each(forms)('v2/person/getPersonList?pageNo=&pageSize=&pins=&deptCodes= with %s', async (form) => {
    const res = await NO_BODY[form]('/api/v2/person/getPersonList', { pageNo: 1, pageSize: 10, pins: f.pin, deptCodes: f.deptCode });
    expect(res.body.code).toBe(0);
    expect(res.body.data).toMatchObject({ page: 0, size: 10, total: 1, offset: 0, lastPage: true });
    expect(res.body.data.data.map((p: { pin: string }) => p.pin)).toEqual([f.pin]);
  });

  it.each(forms)('person/getPersonList (v1) with %s', async (form) => {
    const res = await NO_BODY[form]('/api/person/getPersonList', { pageNo: 1, pageSize: 10, pins: f.pin });
    expect(res.body.code).toBe(0);
    expect(res.body.data.map((p: { pin: string }) => p.pin)).toEqual([f.pin]);
  });

  it('the body wins over the query when both carry an input', async () => {
    const res = await t.post('/api/v2/person/getPersonList', { pins: f.pin, pageNo: 1, pageSize: 5 }, { pins: 'nobody', pageNo: 9, pageSize: 9 });
    expect(res.body.data).toMatchObject({ page: 0, size: 5, total: 1 });
  });
});

describe('the manual\'s own spellings, where its parameter tables differ from its examples', () => {
  it('2.18.10 names pageNo "page" and devSn "devsn" in its parameter table: both are read', async () => {
    const res = await t.post('/api/transaction/getDoorTransactions', { page: '1', pageSize: '1', devsn: f.sn });
    expect(res.body).toMatchObject({ ret: 'ok', page: 1, pageSize: 1, total: 3, success: true });
    const none = await t.post('/api/transaction/getDoorTransactions', { page: '1', pageSize: '1', devsn: 'NOPE' });
    expect(none.body).toMatchObject({ ret: 'ok', total: 0 });
    const v2 = await t.post('/api/v2/transaction/getDoorTransactions', { content: { page: '1', pageSize: '2', devsn: f.sn } });
    expect(v2.body.data).toMatchObject({ page: 0, size: 2, total: 3 });
  });

  it('2.18.11 sends dates without zero padding ("2023-1-13 18:00:00")', async () => {
    const res = await t.post('/api/v2/transaction/getDoorTransactions', { content: { devSn: f.sn, startTime: '2024-3-1 7:00:00', endTime: '2024-3-1 9:00:00', filter: '', type: 'normal', eventNo: '0', personPin: f.pin, pageNo: '1', pageSize: '2' } });
    expect(res.body).toMatchObject({ ret: 'ok', success: true, data: { total: 1 } });
  });

  it('2.18.12 shows {"content": {"id": ...}} in its parameter table and {"id": ...} in its example: both are read', async () => {
    const flat = await t.post('/api/transaction/getDoorTransactionDetail', { id: f.transactionId });
    const wrapped = await t.post('/api/transaction/getDoorTransactionDetail', { content: { id: f.transactionId } });
    expect(flat.body).toMatchObject({ ret: 'ok', data: { id: f.transactionId } });
    expect(wrapped.body).toEqual(flat.body);
  });

  it('2.11.3 prints ?deviceSn= in its URL and "Sn: device sn" in its parameter table: both are read', async () => {
    const byDeviceSn = await t.get('/api/door/doorStateBySn', { deviceSn: f.sn, timestamp: Date.now() });
    expect(byDeviceSn.body.code).toBe(0);
    expect(byDeviceSn.body.data).toHaveLength(2);
    expect((await t.get('/api/door/doorStateBySn', { sn: f.sn, timestamp: Date.now() })).body).toEqual(byDeviceSn.body);
    expect((await t.get('/api/door/doorStateBySn', { timestamp: Date.now() })).body).toMatchObject({ code: -48, data: null });
  });

  it('2.7.1 repeats the code in the query (?code=1)', async () => {
    expect((await t.get('/api/attAreaPerson/area/get/1', { code: '1' })).body).toMatchObject({ code: 0, data: { code: '1' } });
  });

  it('list date filters take yyyy-MM-dd as well as yyyy-MM-dd HH:mm:ss', async () => {
    const day = await t.get('/api/v2/transaction/list', { pageNo: 1, pageSize: 10, startDate: '2024-03-01', endDate: '2024-03-01' });
    const times = await t.get('/api/v2/transaction/list', { pageNo: 1, pageSize: 10, startDate: '2024-03-01 00:00:00', endDate: '2024-03-01 23:59:59' });
    expect(day.body.data.total).toBe(3);
    expect(times.body.data.total).toBe(3);
  });

  it('2.15.1 says visitEmpName, 2.17.1 visEmpName: both take either', async () => {
    const reservation = { persPersonPin: f.pin, certType: '3', certNum: '7001', visEmpName: 'Spelled', visitReason: 'visit', visitDate: '2030-09-01 10:00:00', visitEndDate: '2030-09-01 12:00:00' };
    expect((await t.post('/api/visReservation/add', reservation)).body).toEqual(OK);
    const now = Date.now();
    const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    const visit = { persPersonPin: f.pin, certType: '8', certNum: '7002', visitEmpName: 'Spelled', visitReason: 'visit', visitorCount: '1', startTime: fmt(now - 60_000), endTime: fmt(now + 3600_000) };
    expect((await t.post('/api/visRegistration/add', visit)).body).toEqual(OK);
  });
});

describe('items 5 and 8: paths and methods served both ways', () => {
  it.each(['POST', 'DELETE'])('person/delete/{pin} with %s', async (method) => {
    const pin = method === 'POST' ? '801' : '802';
    expect((await t.post('/api/person/add', { pin, name: 'Gone' })).body).toEqual(OK);
    expect((await t.request(method, `/api/person/delete/${pin}`, { query: token() })).body).toEqual(OK);
    expect((await t.get(`/api/person/get/${pin}`)).body).toMatchObject({ code: -22, data: null });
    expect((await t.request(method, `/api/person/delete/${pin}`, { query: token() })).body).toMatchObject({ code: -22, data: null });
  });

  it.each([
    ['/api/door/remoteCloseById', 'doorId'],
    ['/api/door/remoteoffById', 'doorId'],
    ['/api/door/remoteCloseByName', 'doorName'],
    ['/api/door/remoteoffByName', 'doorName'],
  ])('%s closes the door', async (path, key) => {
    const value = key === 'doorId' ? f.doors[1].id : f.doors[1].name;
    await heardFrom(f.sim);
    expect((await t.post(path, undefined, { [key]: value })).body).toMatchObject({ code: 0, message: expect.stringMatching(/^success/), data: null });
  });

  it('psgdDvice (the 2.30.1 title typo) answers like psgDevice', async () => {
    const typo = await t.get('/api/psgdDvice/list', { pageNo: 1, pageSize: 10 });
    expect(typo.body).toMatchObject({ code: 0, message: 'success' });
    expect(typo.body).toEqual((await t.get('/api/psgDevice/list', { pageNo: 1, pageSize: 10 })).body);
  });
});

describe('item 6: the endpoints real clients call that the manual lacks', () => {
  const twin = (path: string) => t.get(path, { pageNo: 1, pageSize: 10 });
  const calls: Array<[string, () => Promise<HttpResult>]> = [
    ['POST accLevel/addLevel', () => t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Item6', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })],
    ['POST accLevel/addLevelDoor', () => t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Item6', doorName: f.doors[1].name }] })],
    ['POST accLevel/addLevelPerson?levelIds=&pin=', () => t.post('/api/accLevel/addLevelPerson', undefined, { levelIds: f.levelId, pin: f.pin })],
    ['PUT accLevel/update/{id}', async () => t.put(`/api/accLevel/update/${(await t.get('/api/accLevel/getByName/Item6')).body.data.id}`, { name: 'Item6b' })],
    ['GET v2/accLevel/getById/{id}', () => t.get(`/api/v2/accLevel/getById/${f.levelId}`)],
    ['GET v2/accLevel/getByName/{name}', () => t.get(`/api/v2/accLevel/getByName/${f.levelName}`)],
    ['POST person/addPersonnelBasicInfo', () => t.post('/api/person/addPersonnelBasicInfo', { pin: '600', name: 'Basic', deptCode: '1', hireDate: ' 2019-06-10' })],
    ['POST person/updatePersonnelPhoto', () => t.post('/api/person/updatePersonnelPhoto', { pin: '600', personPhoto: PHOTO })],
    ['POST person/leave', () => t.post('/api/person/leave', { pin: '600', leaveDate: '2019-06-10', leaveType: '1' })],
    ['POST person/reinstated', () => t.post('/api/person/reinstated', { pin: '600', name: 'Back', deptCode: '1' })],
    ['POST v2/person/addPersons', () => t.post('/api/v2/person/addPersons', [{ pin: '601', name: 'One' }, { pin: '602', name: 'Two' }])],
    ['POST v2/person/delete', () => t.post('/api/v2/person/delete', undefined, { pin: '601' })],
    ['POST v2/person/deleteByPins', () => t.post('/api/v2/person/deleteByPins', { pins: '602' })],
    ['POST v2/person/getPersonList', () => t.post('/api/v2/person/getPersonList', { pageNo: 1, pageSize: 10 })],
    ['GET v2/person/get', () => t.get('/api/v2/person/get', { pin: f.pin })],
    ['POST v2/bioTemplate/delete', async () => {
      await t.post('/api/bioTemplate/add', { personId: f.pin, validType: '1', template: 'dGVtcGxhdGUgNw==', templateNo: '7' });
      return t.post('/api/v2/bioTemplate/delete', undefined, { pin: f.pin, templateNo: 7 });
    }],
    ['POST v2/bioTemplate/deleteByPin', async () => {
      await t.post('/api/person/add', { pin: '603', name: 'Bio' });
      await t.post('/api/bioTemplate/add', { personId: '603', validType: '1', template: 'dGVtcGxhdGUgOA==', templateNo: '8' });
      return t.post('/api/v2/bioTemplate/deleteByPin', undefined, { pin: '603' });
    }],
    ['GET v2/bioTemplate/getFgListByPin/{pin}', () => t.get(`/api/v2/bioTemplate/getFgListByPin/${f.pin}`)],
    ['GET v2/card/getCards', () => t.get('/api/v2/card/getCards', { pin: f.pin })],
    ['POST department/getDepartmentList', () => t.post('/api/department/getDepartmentList', { pageNo: 1, pageSize: 10 })],
    ['GET v2/department/get', () => t.get('/api/v2/department/get', { code: f.deptCode })],
    ['POST v2/department/delete', async () => {
      await t.post('/api/department/add', { code: '66', name: 'Temporary' });
      return t.post('/api/v2/department/delete', undefined, { code: '66' });
    }],
    ['GET reader/accList', () => twin('/api/reader/accList')],
    ['GET reader/getAcc?id=', () => t.get('/api/reader/getAcc', { id: f.readerId })],
    ['GET v2/reader/list', () => twin('/api/v2/reader/list')],
    ['GET v2/reader/get', () => t.get('/api/v2/reader/get', { id: f.readerId })],
    ['POST v2/reader/update', () => t.post('/api/v2/reader/update', { id: f.readerId, name: 'Front in' })],
    ['POST v2/reader/delete then v2/reader/add', async () => {
      const readers = (await t.get('/api/reader/accList', { pageNo: 1, pageSize: 20 })).body.data as Array<{ id: string; doorId: string; readerState: number }>;
      const out = readers.find((r) => r.doorId === f.doors[1].id && r.readerState === 1)!;
      expect((await t.post('/api/v2/reader/delete', { id: out.id })).body).toEqual(OK);
      return t.post('/api/v2/reader/add', { doorId: f.doors[1].id, readerState: 1, name: 'Side out' });
    }],
    ['GET transaction/device/{deviceSn}', () => twin(`/api/transaction/device/${f.sn}`)],
    ['GET transaction/person/{pin}', () => twin(`/api/transaction/person/${f.pin}`)],
    ['GET transaction/firstInAndLastOut/{pin}', () => twin(`/api/transaction/firstInAndLastOut/${f.pin}`)],
    ['GET transaction/getById/{id}', () => t.get(`/api/transaction/getById/${f.transactionId}`)],
    ['GET v2/transaction/device/{deviceSn}', () => twin(`/api/v2/transaction/device/${f.sn}`)],
    ['GET v2/transaction/person/{pin}', () => twin(`/api/v2/transaction/person/${f.pin}`)],
    ['GET v2/transaction/firstInAndLastOut/{pin}', () => twin(`/api/v2/transaction/firstInAndLastOut/${f.pin}`)],
    ['GET v2/transaction/getById/{id}', () => t.get(`/api/v2/transaction/getById/${f.transactionId}`)],
    ['GET v3/transaction/device?deviceSn=', () => t.get('/api/v3/transaction/device', { deviceSn: f.sn, pageNo: 1, pageSize: 10 })],
    ['GET v3/transaction/person?pin=', () => t.get('/api/v3/transaction/person', { pin: f.pin, pageNo: 1, pageSize: 10 })],
    ['GET v3/transaction/firstInAndLastOut?pin=', () => t.get('/api/v3/transaction/firstInAndLastOut', { pin: f.pin, pageNo: 1, pageSize: 10 })],
    ['GET transaction/monitor?timestamp=', () => t.get('/api/transaction/monitor', { timestamp: Date.now() })],
  ];

  it.each(calls)('%s succeeds', async (_name, call) => {
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.body.code, res.text.slice(0, 300)).toBe(0);
  });

  it('the v3 forms answer like the v2 ones, and the path forms like the query forms', async () => {
    const v2 = await twin(`/api/v2/transaction/person/${f.pin}`);
    const v3 = await t.get('/api/v3/transaction/person', { pin: f.pin, pageNo: 1, pageSize: 10 });
    expect(v3.body).toEqual(v2.body);
    const byDevice = await twin(`/api/v2/transaction/device/${f.sn}`);
    expect((await t.get('/api/v3/transaction/device', { deviceSn: f.sn, pageNo: 1, pageSize: 10 })).body).toEqual(byDevice.body);
    expect((await t.get(`/api/v2/transaction/getById/${f.transactionId}`)).body).toEqual((await t.get(`/api/transaction/getById/${f.transactionId}`)).body);
  });
});

describe('item 7: bio templates bare or wrapped as {"apiBioTemplate": {...}}', () => {
  it.each([
    ['bare', (b: object) => b],
    ['wrapped', (b: object) => ({ apiBioTemplate: b })],
  ])('%s', async (form, wrap) => {
    const no = form === 'bare' ? '1' : '2';
    const res = await t.post('/api/bioTemplate/add', wrap({ personId: f.pin, validType: '1', template: Buffer.from(`finger ${no}`).toString('base64'), templateNo: no }));
    expect(res.body).toEqual(OK);
    const list = (await t.get(`/api/bioTemplate/getFgListByPin/${f.pin}`)).body.data as Array<{ templateNo: string }>;
    expect(list.map((x) => x.templateNo)).toContain(no);
    // A wrapper without a pin inside is still the manual's -20.
    expect((await t.post('/api/bioTemplate/add', wrap({ validType: '1', template: 'eA==', templateNo: '4' }))).body).toMatchObject({ code: -20, data: null });
  });
});

/** Every value under a key of the given names, anywhere in a JSON value. */
function valuesOf(v: unknown, keys: (k: string) => boolean, out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (Array.isArray(v)) v.forEach((x) => valuesOf(x, keys, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (keys(k)) out.push([k, x]);
      valuesOf(x, keys, out);
    }
  }
  return out;
}

describe('item 9: field values', () => {
  const reads = () => [
    t.get('/api/accLevel/list', { pageNo: 1, pageSize: 50 }),
    t.get('/api/v2/device/list', { pageNo: 1, pageSize: 50 }),
    t.get('/api/door/list', { pageNo: 1, pageSize: 50 }),
    t.get('/api/door/allDoorState', { timestamp: Date.now() }),
    t.get('/api/reader/accList', { pageNo: 1, pageSize: 50 }),
    t.get('/api/attAreaPerson/area/list', { pageNo: 1, pageSize: 50 }),
    t.get('/api/visLevel/list', { pageNo: 1, pageSize: 50 }),
    t.post('/api/v2/person/getPersonList', { pageNo: 1, pageSize: 50 }),
    t.get('/api/v2/transaction/list', { pageNo: 1, pageSize: 50 }),
    t.get('/api/transaction/firstInAndLastOut/100', { pageNo: 1, pageSize: 50 }),
    t.post('/api/v2/transaction/getDoorTransactions', { content: { pageNo: 1, pageSize: 50 } }),
    t.post('/api/transaction/getDoorTransactions', { pageNo: 1, pageSize: 50 }),
  ];

  it('ids are 32-character lowercase hex (id, deviceId, doorId, accLevelIds)', async () => {
    const bodies = (await Promise.all(reads())).map((r) => r.body);
    const ids = valuesOf(bodies, (k) => k === 'id' || k === 'deviceId' || k === 'doorId');
    expect(ids.length).toBeGreaterThan(20);
    expect(ids.filter(([, v]) => typeof v !== 'string' || !HEX32.test(v))).toEqual([]);
    const levelIds = valuesOf(bodies, (k) => k === 'accLevelIds').flatMap(([, v]) => String(v).split(',').filter(Boolean));
    expect(levelIds.length).toBeGreaterThan(0);
    expect(levelIds.filter((v) => !HEX32.test(v))).toEqual([]);
  });

  it('times are yyyy-MM-dd HH:mm:ss and dates yyyy-MM-dd', async () => {
    const bodies = (await Promise.all(reads())).map((r) => r.body);
    const times = valuesOf(bodies, (k) => /Time$/.test(k)).filter(([, v]) => v !== null);
    expect(times.length).toBeGreaterThan(10);
    expect(times.filter(([, v]) => typeof v !== 'string' || !DATE_TIME.test(v))).toEqual([]);
    const dates = valuesOf(bodies, (k) => k === 'birthday' || k === 'hireDate').filter(([, v]) => v !== null);
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.filter(([, v]) => typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v))).toEqual([]);
  });

  it('unknown values are null, never absent: a bare person and an event of nobody keep every key', async () => {
    expect((await t.post('/api/person/add', { pin: '700' })).body).toEqual(OK);
    const bare = (await t.get('/api/v2/person/get', { pin: '700' })).body.data;
    const full = (await t.get('/api/v2/person/get', { pin: f.pin })).body.data;
    expect(Object.keys(bare).sort()).toEqual(Object.keys(full).sort());
    expect(Object.entries(bare).filter(([, v]) => v === undefined)).toEqual([]);
    expect(bare).toMatchObject({ birthday: null, hireDate: null, accStartTime: null, accEndTime: null, carPlate: null, ssn: null });

    const events = (await t.get('/api/v2/transaction/list', { pageNo: 1, pageSize: 50 })).body.data.data as Array<Record<string, unknown>>;
    const keys = Object.keys(events[0]).sort();
    expect(events.every((e) => JSON.stringify(Object.keys(e).sort()) === JSON.stringify(keys))).toBe(true);
    const door = events.find((e) => e.eventNo === 8)!;
    expect(door).toMatchObject({ pin: '', accZone: null });
  });

  it('an event of an unknown person, with an unknown event code and verify mode: the person\'s texts "" (as every list example shows), the verify mode null, the event CVSecurity\'s key of a new event type', async () => {
    expect((await f.sim.uploadRtlog([{ time: '2024-03-05 10:00:00', pin: 999, eventaddr: 1, event: 95, inoutstatus: 0, verifytype: 99, index: 40 }])).status).toBe(200);
    const [e] = (await t.get('/api/v2/transaction/person/999', { pageNo: 1, pageSize: 1 })).body.data.data;
    expect(e).toMatchObject({ pin: '999', name: '', lastName: '', deptName: '', eventNo: 95, eventName: 'acc_newEventNo_95', verifyModeName: null });
    const [v1] = (await t.get('/api/transaction/person/999', { pageNo: 1, pageSize: 1 })).body.data;
    expect(Object.keys(v1).sort()).toEqual(Object.keys(e).filter((k) => !['eventNo', 'eventLevel', 'doorName', 'capturePhotoBase64'].includes(k)).sort());
    expect(v1).toMatchObject({ name: '', lastName: '', deptName: '' });
  });

  it.each([
    ['numbers', { certType: 2, certNumber: 123456 }],
    ['strings', { certType: '2', certNumber: '123456' }],
  ])('certType and certNumber as %s', async (_how, cert) => {
    expect((await t.post('/api/person/add', { pin: '701', name: 'Cert', ...cert })).body).toEqual(OK);
    expect((await t.get('/api/v2/person/get', { pin: '701' })).body.data).toMatchObject({ certType: '2', certNumber: '123456' });
  });

  it('an 18-digit certNumber sent as a JSON number is stored digit for digit, not as the nearest double', async () => {
    // A Java client's long: JSON.parse alone reads 110101199001011234 as 110101199001011230.
    const body = '{"pin":"703","name":"Cert","certType":2,"certNumber":110101199001011234}';
    const res = await t.request('POST', '/api/person/addPersonnelBasicInfo', { query: token(), body, headers: { 'content-type': 'application/json' } });
    expect(res.body).toEqual(OK);
    expect((await t.get('/api/v2/person/get', { pin: '703' })).body.data).toMatchObject({ certType: '2', certNumber: '110101199001011234' });
  });

  it('person/add takes every extra field real clients send, stores those that mean something, ignores unknown ones', async () => {
    const res = await t.post('/api/person/add', {
      pin: '702', name: 'Extra', lastName: 'Fields', deptCode: '1', idNo: 'X1234567', password: '9911', mobilePhone: '15123456789', email: 'x@example.com',
      birthday: '1991-02-03', hireDate: ' 2019-06-10', isDisabled: false, isSendMail: 'true', carPlate: 'ZZ999', supplyCards: '5550001,5550002',
      personPwd: '9911', ssn: '222222', certType: 3, certNumber: 'P998877', leaveId: 'ignored', somethingNew: { nested: true }, anArray: [1, 2],
    });
    expect(res.body).toEqual(OK);
    expect((await t.get('/api/v2/person/get', { pin: '702' })).body.data).toMatchObject({
      pin: '702', name: 'Extra', lastName: 'Fields', mobilePhone: '15123456789', email: 'x@example.com', birthday: '1991-02-03', hireDate: '2019-06-10',
      isDisabled: false, isSendMail: true, carPlate: 'ZZ999', supplyCards: '5550001,5550002', personPwd: '9911', ssn: '222222', certType: '3', certNumber: 'P998877',
    });
  });
});

describe('item 10: list shapes', () => {
  const v1 = ['/api/accLevel/list', '/api/attAreaPerson/area/list', '/api/device/accList', '/api/door/list', '/api/reader/accList', '/api/visLevel/list', '/api/transaction/list', `/api/transaction/device/CONF00000001`, '/api/transaction/person/100', '/api/transaction/firstInAndLastOut/100'];
  const v2 = ['/api/v2/accLevel/list', '/api/v2/device/list', '/api/v2/door/list', '/api/v2/reader/list', '/api/v2/transaction/list', '/api/v2/transaction/device/CONF00000001', '/api/v2/transaction/person/100', '/api/v2/transaction/firstInAndLastOut/100'];

  it.each(v1)('v1 %s answers a bare array', async (path) => {
    const res = await t.get(path, { pageNo: 1, pageSize: 1 });
    expect(res.body.code).toBe(0);
    expect(Array.isArray(res.body.data)).toBe(true);
    expect(res.body.data).toHaveLength(1);
  });

  it.each(v2)('v2 %s answers exactly {page, size, total, data, offset, lastPage}', async (path) => {
    const first = await t.get(path, { pageNo: 1, pageSize: 1 });
    expect(Object.keys(first.body.data).sort()).toEqual(['data', 'lastPage', 'offset', 'page', 'size', 'total']);
    const { total } = first.body.data;
    expect(total).toBeGreaterThanOrEqual(1);
    expect(first.body.data).toEqual({ page: 0, size: 1, total, data: [expect.any(Object)], offset: 0, lastPage: total === 1 });
    const last = await t.get(path, { pageNo: total, pageSize: 1 });
    expect(last.body.data).toEqual({ page: total - 1, size: 1, total, data: [expect.any(Object)], offset: total - 1, lastPage: true });
  });

  it('v2/person/getPersonList (POST) and the v2 door-transaction page too', async () => {
    const persons = (await t.post('/api/v2/person/getPersonList', { pageNo: 1, pageSize: 1 })).body.data;
    expect(Object.keys(persons).sort()).toEqual(['data', 'lastPage', 'offset', 'page', 'size', 'total']);
    const events = (await t.post('/api/v2/transaction/getDoorTransactions', { content: { pageNo: 1, pageSize: 1 } })).body.data;
    expect(Object.keys(events).sort()).toEqual(['data', 'lastPage', 'offset', 'page', 'size', 'total']);
  });
});
