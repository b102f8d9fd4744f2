import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, DATE_TIME, HEX32, heardFrom, PHOTO, type Fixture } from './conformance-support';
import { startTestApp, TEST_TOKEN, type HttpResult, type TestApp } from '../support/test-app';

/**
 * Requests as public third-party clients of the CVSecurity API write them (method, path, where the token and
 * the inputs go, content type, body types), and what each client then reads from the answer. Each describe
 * names the kind of client; the requests are rebuilt here from how those clients build them.
 */
let t: TestApp;
let f: Fixture;
beforeAll(async () => {
  t = await startTestApp({ apiRateLimit: 0, apiIpRateLimit: 0 });
  f = await buildFixture(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const tok = `access_token=${TEST_TOKEN}`;
const JSON_TYPE = { 'content-type': 'application/json' };
const send = (method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResult> => t.request(method, url, { body, headers });

describe('a Next.js proxy on axios, its instance created with a JSON Content-Type header', () => {
  it('opens a door with its inputs as a URLSearchParams body, which axios sends still labelled application/json', async () => {
    const door = f.doors[1];
    const before = f.sim.doorActions.length;
    const r = await send('POST', `/api/door/remoteOpenById?${tok}`, `doorId=${door.id}&interval=5`, JSON_TYPE);
    expect([r.status, r.body]).toEqual([200, { code: 0, message: 'success', data: null }]);
    await f.sim.pollUntilIdle();
    expect(f.sim.doorActions.slice(before)).toEqual([expect.objectContaining({ action: 'open', door: 2, seconds: 5, result: 0 })]);
    // A form-looking body that names nothing is still read as a form (the door is missing: -44), and text that
    // is neither JSON nor a form keeps its -400.
    expect((await send('POST', `/api/door/remoteOpenById?${tok}`, 'interval=5', JSON_TYPE)).body.code).toBe(-44);
    expect((await send('POST', `/api/door/remoteOpenById?${tok}`, '{"doorId": ', JSON_TYPE)).body).toEqual({ code: -400, message: 'Request body is not valid JSON', data: null });
  });

  it('closes a door with a null body and the door in the query params', async () => {
    await heardFrom(f.sim);
    const r = await send('POST', `/api/door/remoteCloseById?doorId=${f.doors[0].id}&${tok}`);
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
  });

  it('lists persons by POSTing getPersonList with everything in the query and no body; reads data.data', async () => {
    const r = await send('POST', `/api/v2/person/getPersonList?pageNo=1&pageSize=50&pins=${f.pin}&${tok}`);
    expect(r.body.code).toBe(0);
    expect(r.body.data.data.map((p: any) => p.pin)).toEqual([f.pin]);
  });

  it('reads transactions through v2 list, v3 person/device, v2 getById and v2 firstInAndLastOut by query; reads data.data', async () => {
    const range = 'startDate=2024-03-01%2000:00:00&endDate=2024-03-02%2000:00:00';
    const list = await send('GET', `/api/v2/transaction/list?pageNo=1&pageSize=50&personPin=${f.pin}&${range}&${tok}`);
    expect(list.body.data.data.map((x: any) => x.eventTime)).toEqual(['2024-03-01 18:00:00', '2024-03-01 08:00:00']);
    const person = await send('GET', `/api/v3/transaction/person?pin=${f.pin}&pageNo=1&pageSize=50&${range}&${tok}`);
    expect(person.body.data.data).toEqual(list.body.data.data);
    const device = await send('GET', `/api/v3/transaction/device?deviceSn=${f.sn}&pageNo=1&pageSize=50&${tok}`);
    expect(device.body.data.total).toBe(3);
    const one = await send('GET', `/api/v2/transaction/getById/${f.transactionId}?${tok}`);
    expect(one.body.data).toMatchObject({ id: f.transactionId, pin: f.pin, eventTime: expect.stringMatching(DATE_TIME) });
    const firstLast = await send('GET', `/api/v2/transaction/firstInAndLastOut?pin=${f.pin}&pageNo=1&pageSize=50&${range}&${tok}`);
    expect(firstLast.body.data.data).toEqual([expect.objectContaining({ pin: f.pin, firstInTime: '2024-03-01 08:00:00', lastOutTime: '2024-03-01 18:00:00' })]);
  });

  it('reads doors, readers, devices and levels; v2 lists through data.data, v1 lists as arrays with deviceId', async () => {
    expect((await send('GET', `/api/v2/door/list?pageNo=1&pageSize=50&${tok}`)).body.data.data.map((d: any) => d.id)).toEqual(f.doors.map((d) => d.id));
    expect((await send('GET', `/api/door/list?pageNo=1&pageSize=100&${tok}`)).body.data.every((d: any) => HEX32.test(d.deviceId))).toBe(true);
    expect((await send('GET', `/api/v2/reader/list?pageNo=1&pageSize=50&${tok}`)).body.data.data.map((x: any) => x.id)).toContain(f.readerId);
    expect((await send('GET', `/api/v2/reader/get/${f.readerId}?${tok}`)).body.data.id).toBe(f.readerId);
    expect((await send('GET', `/api/device/accList?pageNo=1&pageSize=100&${tok}`)).body.data.map((d: any) => d.sn)).toEqual([f.sn]);
    expect((await send('GET', `/api/v2/accLevel/list?pageNo=1&pageSize=50&${tok}`)).body.data.data.map((l: any) => l.id)).toContain(f.levelId);
    expect((await send('GET', `/api/door/doorStateById?doorId=${f.doors[0].id}&${tok}`)).body.data).toMatchObject({ id: f.doors[0].id, connect: expect.any(String) });
    expect((await send('GET', `/api/door/allDoorState?${tok}`)).body.data).toHaveLength(2);
  });

  it('uploads a fingerprint wrapped as {apiBioTemplate}, then reads it back from v2 getFgListByPin', async () => {
    const add = await send('POST', `/api/bioTemplate/add?${tok}`, JSON.stringify({ apiBioTemplate: { personId: f.pin, validType: '1', template: Buffer.from('wrapped').toString('base64'), templateNo: '6' } }), JSON_TYPE);
    expect(add.body.code).toBe(0);
    const list = await send('GET', `/api/v2/bioTemplate/getFgListByPin/${f.pin}?${tok}`);
    expect(list.body.data.map((x: any) => x.templateNo)).toContain('6');
  });
});

describe('a PHP curl client registering visitors (numbers where the manual has strings, empty strings)', () => {
  it('adds a department with a numeric code, parentCode "" and sortNo, and reads it back by path; data.code is parsed', async () => {
    const add = await send('POST', `/api/department/add?${tok}`, JSON.stringify({ code: 31, name: 'Visitors 31', parentCode: '', sortNo: 999999 }), { ...JSON_TYPE, accept: 'application/json' });
    expect(add.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await send('GET', `/api/department/get/31?${tok}`, undefined, { accept: 'application/json' })).body.data).toMatchObject({ code: '31', name: 'Visitors 31' });
    // The same name again: the message the client compares against says the name exists.
    const again = await send('POST', `/api/department/add?${tok}`, JSON.stringify({ code: 32, name: 'Visitors 31', parentCode: '', sortNo: 999999 }), JSON_TYPE);
    expect(again.body.code).toBeLessThan(0);
    expect(again.body.message).toMatch(/name/i);
  });

  it('adds a person with certType as a number, a numeric deptCode, empty strings and booleans, then syncs a level with an empty JSON POST', async () => {
    const body = {
      accEndTime: '2030-07-14 08:56:00', accLevelIds: f.levelId, accStartTime: '2022-07-14 08:56:00', birthday: '2016-07-15', carPlate: 'B 1234 XY', cardNo: '',
      certNumber: '', certType: 2, deptCode: 31, email: '', gender: 'M', hireDate: '2019-06-10', isDisabled: false, isSendMail: false, lastName: '', mobilePhone: '',
      name: 'Budi', personPhoto: PHOTO, personPwd: '', pin: '4321', ssn: '111111', supplyCards: '',
    };
    const add = await send('POST', `/api/person/add?${tok}`, JSON.stringify(body), JSON_TYPE);
    expect(add.body).toEqual({ code: 0, message: 'success', data: null });
    const levels = await send('GET', `/api/accLevel/list?pageNo=1&pageSize=10&${tok}`, undefined, JSON_TYPE);
    expect(levels.body.data.map((l: any) => l.name)).toContain(f.levelName);
    const sync = await send('POST', `/api/accLevel/syncPerson?levelIds=${f.levelId}&pin=4321&${tok}`, '', JSON_TYPE);
    expect(sync.body.message).toBe('success');
    expect((await send('GET', `/api/person/get/4321?${tok}`)).body.data).toMatchObject({ pin: '4321', deptCode: '31', name: 'Budi' });
  });
});

describe('a Python httpx client (token in params, JSON bodies with numbers)', () => {
  it('looks a person up by path, by query, then through v2 getPersonList with a JSON body; -22 when gone', async () => {
    expect((await send('GET', `/api/person/get/${f.pin}?${tok}`)).body.data.pin).toBe(f.pin);
    expect((await send('GET', `/api/person/get?${tok}&pin=${f.pin}`)).body.data.pin).toBe(f.pin);
    const list = await send('POST', `/api/v2/person/getPersonList?${tok}`, JSON.stringify({ pins: f.pin, pageNo: 1, pageSize: 5 }), JSON_TYPE);
    expect(list.body.data.data.map((p: any) => p.pin)).toEqual([f.pin]);
    expect((await send('GET', `/api/person/get/nobody?${tok}`)).body.code).toBe(-22);
    expect((await send('POST', `/api/person/delete?${tok}&pin=nobody`)).body.code).toBe(-22);
  });

  it('drives doors with the inputs in params and empty POSTs: remoteoffById, doorStateById with a timestamp, v2 getFgListByPin by query', async () => {
    await heardFrom(f.sim);
    expect((await send('POST', `/api/door/remoteoffById?${tok}&doorId=${f.doors[0].id}`)).body).toEqual({ code: 0, message: 'success', data: null });
    const state = await send('GET', `/api/door/doorStateById?${tok}&doorId=${f.doors[0].id}&timestamp=1763700000000`);
    expect(state.body.data).toMatchObject({ id: f.doors[0].id });
    const templates = await send('GET', `/api/v2/bioTemplate/getFgListByPin?${tok}&pin=${f.pin}`);
    expect(templates.body.data.map((x: any) => [x.personId, typeof x.bioType])).toContainEqual([f.pin, 'number']);
  });

  it('pages departments with an empty POST and the paging in params', async () => {
    const r = await send('POST', `/api/department/getDepartmentList?${tok}&pageNo=1&pageSize=100`);
    expect(r.body.data.data.map((d: any) => d.code)).toContain(f.deptCode);
    expect(r.body.data.total).toBe(r.body.data.data.length);
  });

  it('follows v2/transaction/list pages by total and lastPage', async () => {
    const page = async (n: number) => (await send('GET', `/api/v2/transaction/list?${tok}&startDate=2024-03-01%2000:00:00&endDate=2024-03-02%2000:00:00&pageNo=${n}&pageSize=2`)).body.data;
    const [one, two] = [await page(1), await page(2)];
    expect([one.total, one.data.length, one.lastPage, two.data.length, two.lastPage]).toEqual([3, 2, false, 1, true]);
  });
});

describe('a Java Unirest client assigning a shift level', () => {
  it('POSTs syncPerson with the inputs in the URL, a JSON Content-Type, no body and a doubled SESSION cookie: HTTP 200 and success', async () => {
    const r = await send('POST', `/api/accLevel/syncPerson?pin=${f.pin}&levelIds=${f.levelId}&${tok}`, undefined, {
      ...JSON_TYPE,
      accept: 'application/json',
      cookie: 'SESSION=ZTg5NTM0ZGU; SESSION=ZTg5NTM0ZGU',
    });
    expect([r.status, r.body]).toEqual([200, { code: 0, message: 'success', data: null }]);
  });
});

describe('a PHP parking poller: monitor events of an unregistered plate, then person/add, open, deleteLevel, delete', () => {
  it('reads the unregistered pin from monitor and registers, opens for and removes it with empty JSON-labelled requests', async () => {
    const since = Date.now() - 1000;
    const up = await f.sim.uploadRtlog([{ time: new Date().toISOString().slice(0, 19).replace('T', ' '), pin: 'AB1234', eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 200, index: 90 }]);
    expect(up.status).toBe(200);
    const monitor = await send('GET', `/api/transaction/monitor?timestamp=${since}&access_token=${TEST_TOKEN}`, undefined, JSON_TYPE);
    expect(monitor.body.code).toBe(0);
    const event = monitor.body.data.find((e: any) => e.pin === 'AB1234');
    expect(event).toMatchObject({ pin: 'AB1234', eventName: expect.any(String), readerName: expect.any(String), eventTime: expect.stringMatching(DATE_TIME) });
    const add = await send('POST', `/api/person/add?access_token=${TEST_TOKEN}`, JSON.stringify({ pin: 'AB1234', name: 'Usuario Autogenerado', password: '', cardNo: '', deptCode: '1', gender: 'M', idNo: '', email: '' }), JSON_TYPE);
    expect(add.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await send('POST', `/api/accLevel/addLevelPerson?levelIds=${f.levelId}&pin=AB1234&access_token=${TEST_TOKEN}`, '[]', JSON_TYPE)).body.code).toBe(0);
    await heardFrom(f.sim);
    expect((await send('POST', `/api/door/remoteOpenById?doorId=${f.doors[0].id}&interval=1&access_token=${TEST_TOKEN}`, undefined, JSON_TYPE)).body.code).toBe(0);
    expect((await send('POST', `/api/accLevel/deleteLevel?pin=AB1234&levelIds=${f.levelId}&access_token=${TEST_TOKEN}`, undefined, JSON_TYPE)).body.code).toBe(0);
    expect((await send('DELETE', `/api/person/delete/AB1234?access_token=${TEST_TOKEN}`, undefined, JSON_TYPE)).body).toEqual({ code: 0, message: 'success', data: null });
  });
});

describe('pollers of transaction/monitor and listAttTransaction', () => {
  it('a .NET HttpWebRequest GET labelled application/json, and a GET labelled as a form, read data as an array', async () => {
    const monitor = await send('GET', `/api/transaction/monitor?timestamp=1494467276539&${tok}`, undefined, JSON_TYPE);
    expect(Array.isArray(monitor.body.data)).toBe(true);
    expect(monitor.body.data.map((e: any) => e.devSn)).toContain(f.sn);
    const att = await send('GET', `/api/transaction/listAttTransaction?endDate=2024-03-01%2023:59:59&pageNo=1&pageSize=1000&personPin=${f.pin}&startDate=2024-03-01%2000:00:00&${tok}`, undefined, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect([att.body.code, Array.isArray(att.body.data)]).toEqual([0, true]);
  });
});
