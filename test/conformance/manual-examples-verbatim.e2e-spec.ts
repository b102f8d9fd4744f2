import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

/**
 * Requests as the manual prints them and as clients copied them (sections 2.13, 2.18, 2.26): bodies that are
 * not strict JSON, full-width commas in lists, and the string fields clients parse.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const raw = (method: string, path: string, body: string, contentType = 'application/json') =>
  t.request(method, path, { query: { access_token: TEST_TOKEN }, body, headers: { 'content-type': contentType } });

describe('bodies as the manual prints them', () => {
  it('2.13.7 addPersonnelBasicInfo with its trailing comma is stored', async () => {
    const body = `{
"pin": "1234567",
"deptCode": "1",
"birthday": "2016-07-15",
"cardNo": "123456789",
"certNumber": "123456",
"certType": "2",
"email": "123@zkteco.com",
"gender": "F",
"hireDate": " 2019-06-10",
"isDisabled": false,
"isSendMail": true,
"lastName": "lastName",
"mobilePhone": "15123456789",
"name": "max",
"personPwd": "123456",
"ssn": "111111",
"supplyCards": "987643",
 }`;
    const r = await raw('POST', '/api/person/addPersonnelBasicInfo', body);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    const got = await t.get('/api/v2/person/get', { pin: '1234567' });
    expect(got.body.data).toMatchObject({ pin: '1234567', name: 'max', cardNo: '123456789', supplyCards: '987643', hireDate: '2019-06-10' });
  });

  it('2.13.8 updatePersonnelPhoto with its trailing comma is read (and its placeholder photo refused as a photo, not as JSON)', async () => {
    const r = await raw('POST', '/api/person/updatePersonnelPhoto', '{\n"pin": "1234567",\n"personPhoto": "string",\n}');
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(-27);
  });

  it('2.13.1 person/add with typographic quotes around a value is read as JSON', async () => {
    const r = await raw('POST', '/api/person/add', '{\n"pin": "1235",\n"name": "name",\n"personPhoto":“picture-base64”\n}');
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(-27);
  });

  it('2.18.10 getDoorTransactions with a doubled quote and a trailing comma answers its page', async () => {
    const body = `{
"devSn": "5662012052868",
"startTime": "2021-11-19 18:00:00"",
"endTime": "2021-11-19 18:00:00",
"filter": "Name",
"type": "normal",
"eventNo": "0",
"personPin": "320022",
"pageNo": "1",
"pageSize": "100",
}`;
    const r = await raw('POST', '/api/transaction/getDoorTransactions', body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ret: 'ok', data: [], page: 1, pageSize: 100, total: 0, success: true });
  });

  it('2.18.11 v2 getDoorTransactions without the outer braces answers its page', async () => {
    const body = `"content": {
"devSn": "7633223440032",
"startTime": "2023-1-13 18:00:00",
"endTime": "2023-1-14 18:00:00",
"filter": "",
"type": "normal",
"eventNo": "0",
"personPin": "59",
"pageNo": "1",
 "pageSize": "2"
}`;
    for (const type of ['application/json', 'application/x-www-form-urlencoded']) {
      const r = await raw('POST', '/api/v2/transaction/getDoorTransactions', body, type);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ret: 'ok', data: { total: 0, data: [] } });
    }
  });

  it('2.18.12 getDoorTransactionDetail with its trailing comma is read (the id is looked up)', async () => {
    const r = await raw('POST', '/api/transaction/getDoorTransactionDetail', '{\n"id": "402856a7695c716301695c81290d0006",\n}');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ret: 'fail', msg: expect.stringContaining('does not exist') });
  });

  it('2.17.3 visRegistration/getQrCode with its body as printed (typographic quotes, no closing brace) is read', async () => {
    const r = await raw('POST', '/api/visRegistration/getQrCode/80000001', '{\n“pin”: “80000001”\n');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ code: -257, data: null });
  });

  it('a body that is still not JSON answers -400 as before', async () => {
    const r = await raw('POST', '/api/person/add', '{"pin": ');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: -400, message: 'Request body is not valid JSON', data: null });
  });
});

describe('full-width commas in lists', () => {
  it('2.13.7 supplyCards "987643，2233452" (the manual\'s own example) are two secondary cards', async () => {
    const r = await t.post('/api/person/addPersonnelBasicInfo', { pin: '1234567', supplyCards: '987643，2233452' });
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    const got = await t.get('/api/v2/person/get', { pin: '1234567' });
    expect(String(got.body.data.supplyCards).split(',').sort()).toEqual(['2233452', '987643']);
  });

  it('pins "a，b" in getPersonList select both persons', async () => {
    expect((await t.post('/api/person/add', { pin: '41', name: 'A' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '42', name: 'B' })).body.code).toBe(0);
    const r = await t.post('/api/v2/person/getPersonList', { pins: '41，42', pageNo: 1, pageSize: 10 });
    expect(r.body.data.total).toBe(2);
    const v1 = await t.post('/api/person/getPersonList', { pins: '41，42', pageNo: 1, pageSize: 10 });
    expect((v1.body.data as any[]).map((p) => p.pin).sort()).toEqual(['41', '42']);
  });
});

describe('2.26 names are strings', () => {
  it('a person without a last name has lastName "" in the hep list and monitor, as in the 2.18 lists', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'HEPQ000001', doors: 1, registryExtras: { MaskDetectionFunOn: 1, IRTempDetectionFunOn: 1 } });
    await sim.connect();
    expect((await t.post('/api/person/add', { pin: '77', name: 'Solo' })).body.code).toBe(0);
    const since = Date.now();
    await sim.uploadRtlog([{ time: '2026-03-02 08:00:01', pin: 77, event: 0, verifytype: 15, ...sim.screeningFields({ maskflag: 1, celsius: 36.6 }) }]);
    const list = await t.get('/api/hep/transaction/list', { pageNo: 1, pageSize: 10, personPin: '77' });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ pin: '77', name: 'Solo', lastName: '' });
    const acc = await t.get('/api/transaction/list', { pageNo: 1, pageSize: 10, personPin: '77' });
    expect(acc.body.data[0]).toMatchObject({ name: 'Solo', lastName: '' });
    const got: any[] = [];
    for (let i = 0; i < 100 && got.length === 0; i++) {
      const mon = await t.get('/api/hep/transaction/monitor', { timestamp: since });
      got.push(...mon.body.data);
      if (got.length === 0) await new Promise((res) => setTimeout(res, 100));
    }
    expect(got).toEqual([expect.objectContaining({ pin: '77', name: 'Solo', lastName: '' })]);
  });
});

describe('v2/person/addPersons items take the forms person/add takes', () => {
  it('personPin and personId name the pin, as on person/add; a {"person": [...]} body is the batch', async () => {
    const r = await t.post('/api/v2/person/addPersons', [{ personPin: '8101', name: 'Syn' }, { personId: 8102, name: 'Num' }]);
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/person/get/8101')).body.data).toMatchObject({ pin: '8101', name: 'Syn' });
    expect((await t.get('/api/person/get/8102')).body.data).toMatchObject({ pin: '8102', name: 'Num' });
    expect((await t.post('/api/v2/person/addPersons', { person: [{ pin: '8103', name: 'Wrapped' }] })).body.code).toBe(0);
    expect((await t.get('/api/person/get/8103')).body.data).toMatchObject({ name: 'Wrapped' });
  });

  it('an item that is not an object answers -400 naming it, and nothing is written', async () => {
    const r = await t.post('/api/v2/person/addPersons', [{ pin: '8104', name: 'A' }, 'x']);
    expect(r.body).toEqual({ code: -400, message: 'persons[1]: each person must be a JSON object', data: null });
    expect((await t.get('/api/person/get/8104')).body.code).toBe(-22);
  });
});

describe('doubled slashes in an /api path', () => {
  it('2.26.2 as its title prints it (api//hep/transaction/monitor), and //api/... from a base URL ending in "/", reach the endpoint', async () => {
    const a = await t.request('GET', '/api//hep/transaction/monitor', { query: { access_token: TEST_TOKEN, timestamp: 1494467276539 } });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ code: 0, message: 'success' });
    const b = await fetch(`${t.baseUrl}//api/person/get/1234567?access_token=${TEST_TOKEN}`);
    expect(await b.json()).toMatchObject({ code: 0, data: { pin: '1234567' } });
    const c = await t.request('GET', '/api/transaction//list', { query: { access_token: TEST_TOKEN, pageNo: 1, pageSize: 1 } });
    expect(c.body).toMatchObject({ code: 0, data: [expect.objectContaining({ devSn: 'HEPQ000001' })] });
  });

  it('a query value holding "//" is left as it is', async () => {
    const r = await t.request('GET', '/api/transaction/list', { query: { access_token: TEST_TOKEN, pageNo: 1, pageSize: 1, personPin: 'a//b' } });
    expect(r.body).toMatchObject({ code: 0, data: [] });
  });
});

describe('a ;jsessionid= path parameter (Java clients with URL-rewriting session handling)', () => {
  it('names the same endpoint, on reads and writes, whatever its case, before the query or the printed &access_token=', async () => {
    const read = await fetch(`${t.baseUrl}/api/person/get/1234567;jsessionid=8F3C0A1B2C3D4E5F6A7B8C9D0E1F2A3B?access_token=${TEST_TOKEN}`);
    expect(await read.json()).toMatchObject({ code: 0, data: { pin: '1234567' } });
    const list = await fetch(`${t.baseUrl}/api/accLevel/list;JSESSIONID=8F3C0A1B.node1?pageNo=1&pageSize=5&access_token=${TEST_TOKEN}`);
    expect(await list.json()).toMatchObject({ code: 0, message: 'success' });
    const write = await t.request('POST', '/api/department/add;jsessionid=ABC123', {
      query: { access_token: TEST_TOKEN },
      body: JSON.stringify({ name: 'Session dept', code: '7301', parentCode: '1' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(write.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/department/get/7301')).body).toMatchObject({ code: 0, data: { code: '7301', name: 'Session dept' } });
    const printed = await fetch(`${t.baseUrl}/api/department/get/7301;jsessionid=ABC123&access_token=${TEST_TOKEN}`);
    expect(await printed.json()).toMatchObject({ code: 0, data: { code: '7301' } });
  });
});

describe('person writes: a field sent as null is a field not set (Java clients serialize unset fields so)', () => {
  it('person/add with every optional field null answers success and keeps the card, levels and names', async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'NullKeep', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    const level = ((await t.get('/api/accLevel/list', { pageNo: 1, pageSize: 100 })).body.data as any[]).find((l) => l.name === 'NullKeep').id;
    const add = await t.post('/api/person/add', { pin: '9101', name: 'Ann', lastName: 'Lee', gender: 'F', cardNo: '91010', accLevelIds: level, accStartTime: '2026-01-01 00:00:00', accEndTime: '2026-12-31 23:59:59' });
    expect(add.body.code).toBe(0);
    const nulls = {
      pin: '9101', deptCode: null, name: null, lastName: null, gender: null, cardNo: null, personPhoto: null,
      accLevelIds: null, accStartTime: null, accEndTime: null, supplyCards: null, carPlate: null, birthday: null,
    };
    const r = await t.post('/api/person/add', nulls);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    const got = (await t.get('/api/v2/person/get', { pin: '9101' })).body.data;
    expect(got).toMatchObject({ name: 'Ann', lastName: 'Lee', gender: 'F', cardNo: '91010', accLevelIds: level, accStartTime: '2026-01-01 00:00:00', accEndTime: '2026-12-31 23:59:59' });
    // "" still clears, as the manual says.
    expect((await t.post('/api/person/add', { pin: '9101', cardNo: '' })).body.code).toBe(0);
    expect((await t.get('/api/person/get/9101')).body.data.cardNo).toBe('');
  });

  it('addPersonnelBasicInfo, reinstated and v2 addPersons read null the same way', async () => {
    expect((await t.post('/api/person/addPersonnelBasicInfo', { pin: '9101', cardNo: '91011', gender: null, name: null, isDisabled: null, certType: null })).body.code).toBe(0);
    expect((await t.post('/api/v2/person/addPersons', [{ pin: '9101', cardNo: null, gender: null, accLevelIds: null }])).body.code).toBe(0);
    expect((await t.post('/api/person/leave', { pin: '9101', leaveDate: '2026-02-01' })).body.code).toBe(0);
    expect((await t.post('/api/person/reinstated', { pin: '9101', cardNo: null, name: null, gender: null })).body.code).toBe(0);
    expect((await t.get('/api/person/get/9101')).body.data).toMatchObject({ name: 'Ann', gender: 'F', cardNo: '91011' });
  });
});

describe('2.18.10/2.18.11 getDoorTransactions: null filters are not set', () => {
  it('"type": null and "eventNo": null answer the page (was HTTP 500 for type, -400 for eventNo)', async () => {
    const body = { devSn: null, startTime: null, endTime: null, filter: null, type: null, eventNo: null, personPin: null, pageNo: '1', pageSize: '10' };
    const v1 = await t.post('/api/transaction/getDoorTransactions', body);
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({ ret: 'ok', page: 1, pageSize: 10, success: true });
    expect(v1.body.total).toBeGreaterThan(0);
    const v2 = await t.post('/api/v2/transaction/getDoorTransactions', { content: body });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ ret: 'ok', data: { total: v1.body.total } });
  });
});

describe('a resigned person does not exist for 2.23-2.25, as person/get answers', () => {
  it('attApply, editAttPerson, editInsPerson and bioTemplate answer -22 and store nothing; reinstated, they work again', async () => {
    expect((await t.post('/api/person/add', { pin: '9301', name: 'Gone' })).body.code).toBe(0);
    expect((await t.post('/api/person/leave', { pin: '9301', leaveDate: '2026-01-01', leaveType: '1' })).body.code).toBe(0);
    expect((await t.get('/api/person/get/9301')).body.code).toBe(-22);
    const calls: Array<[string, unknown]> = [
      ['/api/attApply/applySign', { personPin: '9301', signDatetime: '2021-11-19 18:00:00' }],
      ['/api/attApply/applyOvertime', { personPin: '9301', startDatetime: '2021-11-19 13:00:00', endDatetime: '2021-11-19 18:00:00' }],
      ['/api/attApply/applyLeave', { personPin: '9301', leaveTypeNo: 'L1', startDatetime: '2021-11-19 13:00:00', endDatetime: '2021-11-19 18:00:00' }],
      ['/api/attPerson/editAttPerson', { personPin: '9301', perDevAuth: 0 }],
      ['/api/attPerson/editInsPerson', { personPin: '9301', category: 0 }],
      ['/api/bioTemplate/add', { personId: '9301', validType: '1', template: 'fsfsfsfsfs', templateNo: '1' }],
    ];
    for (const [path, body] of calls) expect([path, (await t.post(path, body)).body.code]).toEqual([path, -22]);
    expect((await t.get('/api/bioTemplate/getFgListByPin/9301')).body.code).toBe(-22);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM att_apply a JOIN person p ON p.id = a.person_id WHERE p.pin = '9301'`);
    expect(n).toBe(0);
    expect((await t.post('/api/person/reinstated', { pin: '9301' })).body.code).toBe(0);
    for (const [path, body] of calls) expect([path, (await t.post(path, body)).body.code]).toEqual([path, 0]);
    expect((await t.get('/api/bioTemplate/getFgListByPin/9301')).body.data).toHaveLength(1);
  });
});
