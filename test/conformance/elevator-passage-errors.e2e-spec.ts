import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { buildFixture, type Fixture } from './conformance-support';
import { buildElevatorPassageFixture, type ElevatorPassageFixture } from './elevator-passage-fixture';

/**
 * The manual's error codes for every elevator (2.2, 2.10, 2.12, 2.19) and entrance-control (2.30-2.34)
 * endpoint: each case is the envelope with the code and data null, never a 5xx.
 */
let t: TestApp;
let f: Fixture;
let ef: ElevatorPassageFixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await buildFixture(t);
  ef = await buildElevatorPassageFixture(t, f.pin);
});
afterAll(async () => {
  await t?.close();
});

const NO_LEVEL = '00000000000000000000000000000000';

type Case = [string, string, () => Promise<HttpResult>, number];

/** A level of the module with a point of the fixture's controller and no member. */
async function emptyLevel(m: 'ele' | 'psg'): Promise<string> {
  const r = await t.post(`/api/gateway/${m}Level/save`, { name: `Nobody's ${m}`, pointIds: [m === 'ele' ? ef.floorId : ef.gateId] });
  expect(r.body.code, JSON.stringify(r.body)).toBe(0);
  return r.body.data.id;
}

const levelCases = (m: 'ele' | 'psg', s: string): Case[] => [
  [`${s}.1`, 'deleteLevel without pin', () => t.post(`/api/${m}Level/deleteLevel`, undefined, { levelIds: NO_LEVEL }), -42],
  [`${s}.1`, 'deleteLevel, unknown person', () => t.post(`/api/${m}Level/deleteLevel`, undefined, { pin: '99999', levelIds: NO_LEVEL }), -22],
  [`${s}.1`, 'deleteLevel without levelIds', () => t.post(`/api/${m}Level/deleteLevel`, undefined, { pin: f.pin }), -42],
  [`${s}.1`, 'deleteLevel, unknown level', () => t.post(`/api/${m}Level/deleteLevel`, undefined, { pin: f.pin, levelIds: NO_LEVEL }), -24],
  [`${s}.2`, 'getById, unknown level', () => t.get(`/api/${m}Level/getById/${NO_LEVEL}`), -24],
  [`${s}.3`, 'getByName, unknown level', () => t.get(`/api/${m}Level/getByName/nobody`), -24],
  [`${s}.4`, 'list without paging', () => t.get(`/api/${m}Level/list`), -92],
  [`${s}.4`, 'list, pageNo 0', () => t.get(`/api/${m}Level/list`, { pageNo: 0, pageSize: 10 }), -90],
  [`${s}.5`, 'syncLevel without levelId', () => t.post(`/api/${m}Level/syncLevel`), -43],
  [`${s}.5`, 'syncLevel, unknown level', () => t.post(`/api/${m}Level/syncLevel`, undefined, { levelId: NO_LEVEL }), -24],
  [`${s}.5`, 'syncLevel, a level nobody holds', async () => t.post(`/api/${m}Level/syncLevel`, undefined, { levelId: await emptyLevel(m) }), -25],
  [`${s}.6`, 'syncPerson without pin', () => t.post(`/api/${m}Level/syncPerson`, undefined, { levelIds: NO_LEVEL }), -42],
  [`${s}.6`, 'syncPerson, unknown person', () => t.post(`/api/${m}Level/syncPerson`, undefined, { pin: '99999', levelIds: NO_LEVEL }), -22],
  [`${s}.6`, 'syncPerson without levelIds', () => t.post(`/api/${m}Level/syncPerson`, undefined, { pin: f.pin }), -42],
  [`${s}.6`, 'syncPerson, unknown level', () => t.post(`/api/${m}Level/syncPerson`, undefined, { pin: f.pin, levelIds: NO_LEVEL }), -24],
  [`${s}.7`, 'v2 list, pageSize 0', () => t.get(`/api/v2/${m}Level/list`, { pageNo: 1, pageSize: 0 }), -90],
];

const eventCases = (s: string, path: string): Case[] => [
  [s, `${path} without paging`, () => t.get(path), -92],
  [s, `${path} pageSize 1001`, () => t.get(path, { pageNo: 1, pageSize: 1001 }), -91],
  [s, `${path} bad startDate`, () => t.get(path, { pageNo: 1, pageSize: 10, startDate: '2024/13/45' }), -100],
  [s, `${path} start after end`, () => t.get(path, { pageNo: 1, pageSize: 10, startDate: '2024-03-02 00:00:00', endDate: '2024-03-01 00:00:00' }), -101],
];

const CASES = (): Case[] => [
  ...levelCases('ele', '2.2'),
  ['2.10.1', 'eleList without paging', () => t.get('/api/eleDevice/eleList'), -92],
  ['2.10.2', 'getEle without sn', () => t.get('/api/eleDevice/getEle'), -48],
  ['2.10.3', 'v2 eleList, pageNo 0', () => t.get('/api/v2/eleDevice/eleList', { pageNo: 0, pageSize: 10 }), -90],
  ['2.12.1', 'floor list without paging', () => t.get('/api/floor/list'), -92],
  ['2.12.2', 'remoteCloseById without floorId', () => t.post('/api/floor/remoteCloseById'), -201],
  ['2.12.2', 'remoteoffById without floorId', () => t.post('/api/floor/remoteoffById'), -201],
  ['2.12.3', 'remoteOpenById without floorId', () => t.post('/api/floor/remoteOpenById', undefined, { interval: 5 }), -201],
  ['2.12.3', 'remoteOpenById without interval', () => t.post('/api/floor/remoteOpenById', undefined, { floorId: ef.floorId }), -202],
  ['2.12.3', 'remoteOpenById, interval 0', () => t.post('/api/floor/remoteOpenById', undefined, { floorId: ef.floorId, interval: 0 }), -203],
  ['2.12.4', 'v2 floor list, pageNo 0', () => t.get('/api/v2/floor/list', { pageNo: 0, pageSize: 10 }), -90],
  ...eventCases('2.19.1', '/api/eleTransaction/list'),
  ...eventCases('2.19.2', '/api/v2/eleTransaction/list'),
  ['2.30.1', 'psgDevice list without paging', () => t.get('/api/psgDevice/list'), -92],
  ['2.30.2', 'getBySn without sn', () => t.get('/api/psgDevice/getBySn'), -48],
  ['2.30.3', 'v2 psgDevice list, pageNo 0', () => t.get('/api/v2/psgDevice/list', { pageNo: 0, pageSize: 10 }), -90],
  ['2.31.3', 'gateStateBySn without deviceSn', () => t.get('/api/psgGate/gateStateBySn'), -48],
  ['2.31.5', 'gate list without paging', () => t.get('/api/psgGate/list'), -92],
  ['2.31.6', 'v2 gate list, pageNo 0', () => t.get('/api/v2/psgGate/list', { pageNo: 0, pageSize: 10 }), -90],
  ['2.31.7', 'remoteOpenById without openType', () => t.post('/api/psgGate/remoteOpenById', undefined, { gateId: ef.gateId }), -265],
  ['2.31.7', 'remoteOpenById, openType 9', () => t.post('/api/psgGate/remoteOpenById', undefined, { gateId: ef.gateId, openType: 9 }), -266],
  ['2.31.8', 'remoteOpenByName without openType', () => t.post('/api/psgGate/remoteOpenByName', undefined, { gateName: ef.gateName }), -265],
  ['2.31.8', 'remoteOpenByName, openType x', () => t.post('/api/psgGate/remoteOpenByName', undefined, { gateName: ef.gateName, openType: 'x' }), -266],
  ...levelCases('psg', '2.32'),
  ['2.33.1', 'reader list without paging', () => t.get('/api/psgReader/list'), -92],
  ['2.33.2', 'v2 reader list, pageNo 0', () => t.get('/api/v2/psgReader/list', { pageNo: 0, pageSize: 10 }), -90],
  ['2.33.3', 'getById without id', () => t.get('/api/psgReader/getById'), -263],
  ['2.33.3', 'getById, unknown reader', () => t.get('/api/psgReader/getById', { id: NO_LEVEL }), -264],
  ...eventCases('2.34.1', `/api/psgTransaction/device/CONFPSG00001`),
  ...eventCases('2.34.2', '/api/psgTransaction/list'),
  ['2.34.3', 'monitor, bad timestamp', () => t.get('/api/psgTransaction/monitor', { timestamp: 'now' }), -100],
  ...eventCases('2.34.4', `/api/psgTransaction/person/100`),
  ...eventCases('2.34.5', `/api/v2/psgTransaction/device/CONFPSG00001`),
  ...eventCases('2.34.6', '/api/v2/psgTransaction/list'),
  ...eventCases('2.34.7', `/api/v2/psgTransaction/person/100`),
];

describe('elevator and entrance control: the manual error codes', () => {
  it.each(CASES().map(([section, what, call, code]) => [`${section} ${what} → ${code}`, call, code] as const))('%s', async (_name, call, code) => {
    const res = await call();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code, message: expect.any(String), data: null });
  });

  it('the lists whose section sets no cap on pageSize ("must be greater than 0") answer a page of 5000; the transaction lists keep their 1000', async () => {
    const big = { pageNo: 1, pageSize: 5000 };
    const items = (r: HttpResult) => (Array.isArray(r.body.data) ? r.body.data : r.body.data?.data) as Array<{ id: string }> | undefined;
    const lists: Array<[string, string]> = [
      ['2.28.3', '/api/insAreaPerson/getAreaList'], ['2.29.1', '/api/device/attAdDeviceList'],
      ['2.30.1', '/api/psgDevice/list'], ['2.30.3', '/api/v2/psgDevice/list'], ['2.31.5', '/api/psgGate/list'], ['2.31.6', '/api/v2/psgGate/list'],
      ['2.32.4', '/api/psgLevel/list'], ['2.32.7', '/api/v2/psgLevel/list'], ['2.33.1', '/api/psgReader/list'], ['2.33.2', '/api/v2/psgReader/list'],
    ];
    for (const [section, path] of lists) {
      const r = await t.get(path, big);
      expect(r.body.code, `${section} ${path}: ${r.text.slice(0, 200)}`).toBe(0);
      expect(items(r), `${section} ${path}`).toEqual((await t.get(path, { pageNo: 1, pageSize: 1000 })).body.data?.data ?? (await t.get(path, { pageNo: 1, pageSize: 1000 })).body.data);
    }
    expect(items(await t.get('/api/psgGate/list', big))?.map((g) => g.id)).toContain(ef.gateId);
    expect(items(await t.get('/api/psgReader/list', big))?.map((g) => g.id)).toContain(ef.readerId);
    // Past a Java Integer, as CVSecurity's own binding refuses it; the transaction lists as before.
    expect((await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 2147483648 })).body.code).toBe(-91);
    expect((await t.get('/api/psgTransaction/list', big)).body.code).toBe(-91);
  });

  it('the level, device, door, floor, area, reader, person and department lists set no cap either: a page of 5000 is the page of 1000', async () => {
    // 2.1.4/2.1.7, 2.2.4/2.2.7, 2.7.2, 2.9.1/2.9.3, 2.10.1/2.10.3, 2.11.5/2.11.10, 2.12.1/2.12.4, 2.13.4/2.13.9,
    // 2.14.1, 2.16.1 say only "must be greater than 0"; the twins and the pageNo/pageSize-optional lists as they.
    const items = (r: HttpResult) => (Array.isArray(r.body.data) ? r.body.data : r.body.data?.data) as unknown[] | undefined;
    const lists: Array<[string, string, 'get' | 'post']> = [
      ['2.1.4', '/api/accLevel/list', 'get'], ['2.1.7', '/api/v2/accLevel/list', 'get'],
      ['2.2.4', '/api/eleLevel/list', 'get'], ['2.2.7', '/api/v2/eleLevel/list', 'get'],
      ['2.7.2', '/api/area/list', 'get'], ['2.7.2', '/api/attAreaPerson/area/list', 'get'],
      ['2.9.1', '/api/device/accList', 'get'], ['2.9.3', '/api/v2/device/list', 'get'], ['attList', '/api/device/attList', 'get'],
      ['2.10.1', '/api/eleDevice/eleList', 'get'], ['2.10.3', '/api/v2/eleDevice/eleList', 'get'],
      ['2.11.1', '/api/door/allDoorState', 'get'], ['2.11.5', '/api/door/list', 'get'], ['2.11.10', '/api/v2/door/list', 'get'],
      ['2.12.1', '/api/floor/list', 'get'], ['2.12.4', '/api/v2/floor/list', 'get'],
      ['2.13.4', '/api/person/getPersonList', 'post'], ['2.13.9', '/api/v2/person/getPersonList', 'post'],
      ['2.14.1', '/api/reader/accList', 'get'], ['v2 reader', '/api/v2/reader/list', 'get'], ['2.16.1', '/api/visLevel/list', 'get'],
      ['2.31.1', '/api/psgGate/allGateState', 'get'], ['departments', '/api/department/getDepartmentList', 'post'],
      ['gateway', '/api/gateway/devices', 'get'], ['gateway', '/api/gateway/areas', 'get'],
    ];
    const ask = (path: string, how: 'get' | 'post', pageSize: number) =>
      how === 'get' ? t.get(path, { pageNo: 1, pageSize }) : t.post(path, { pageNo: 1, pageSize });
    for (const [section, path, how] of lists) {
      const r = await ask(path, how, 5000);
      expect(r.body.code, `${section} ${path}: ${r.text.slice(0, 200)}`).toBe(0);
      // The fixture holds no attendance terminal; every other list has rows.
      if (path !== '/api/device/attList') expect(items(r)?.length, `${section} ${path}`).toBeGreaterThan(0);
      expect(items(r), `${section} ${path}`).toEqual(items(await ask(path, how, 1000)));
    }
    expect((await t.post('/api/person/getPersonList', { pageNo: 1, pageSize: 5000 })).body.data.map((p: { pin: string }) => p.pin)).toContain(f.pin);
    expect((await t.get('/api/door/list', { pageNo: 1, pageSize: 2147483648 })).body.code).toBe(-91);
    // The last page a Java int pageNo can name: an empty page. Past it (2^53 - 1), -90 as for any pageNo out of range.
    const far = { pageNo: 2147483647, pageSize: 2147483647 };
    const beyond = { pageNo: 9007199254740991, pageSize: 10 };
    for (const [path, how] of [['/api/door/list', 'get'], ['/api/v2/door/list', 'get'], ['/api/person/getPersonList', 'post'], ['/api/v2/person/getPersonList', 'post'], ['/api/psgGate/list', 'get'], ['/api/insAreaPerson/getAreaList', 'get'], ['/api/department/getDepartmentList', 'post'], ['/api/gateway/devices', 'get']] as const) {
      const r = how === 'get' ? await t.get(path, far) : await t.post(path, far);
      // (pageNo - 1) * pageSize far past the rows: an empty page, not the database's refusal.
      expect(r.body.code, `${path}: ${r.text.slice(0, 200)}`).toBe(0);
      expect(items(r), path).toEqual([]);
      const past = how === 'get' ? await t.get(path, beyond) : await t.post(path, beyond);
      expect(past.body.code, `${path}: ${past.text.slice(0, 200)}`).toBe(-90);
    }
    expect((await t.post('/api/person/getPersonList', { pageNo: 1, pageSize: 2147483648 })).body.code).toBe(-91);
    expect((await t.get('/api/transaction/list', { pageNo: 1, pageSize: 5000 })).body.code).toBe(-91);
  });

  it('the successes of the writes answer the public envelope', async () => {
    const success = { code: 0, message: 'success', data: null };
    expect((await t.post('/api/eleLevel/syncLevel', undefined, { levelId: ef.eleLevelId })).body).toEqual(success);
    expect((await t.post('/api/psgLevel/syncLevel', undefined, { levelId: ef.psgLevelId })).body).toEqual(success);
    // Several levels as levelIds comes everywhere else (was -24 "does not exist: a,b"); one unknown is -24 naming it.
    for (const [m, id] of [['ele', ef.eleLevelId], ['psg', ef.psgLevelId]] as const) {
      expect((await t.post(`/api/${m}Level/syncLevel`, undefined, { levelIds: `${id},${id}` })).body).toEqual(success);
      expect((await t.post(`/api/${m}Level/syncLevel`, { levelIds: [id] })).body).toEqual(success);
      expect((await t.post(`/api/${m}Level/syncLevel`, undefined, { levelIds: `${id},${NO_LEVEL}` })).body).toEqual({ code: -24, message: `The level group does not exist: ${NO_LEVEL}`, data: null });
    }
    await ef.heard();
    expect((await t.post('/api/floor/remoteOpenById', undefined, { floorId: ef.floorId, interval: 5 })).body).toEqual(success);
    expect((await t.post('/api/floor/remoteCloseById', undefined, { floorId: ef.floorId })).body).toEqual(success);
    expect((await t.post('/api/psgGate/remoteOpenById', undefined, { gateId: ef.gateId, openType: 1 })).body).toEqual(success);
    expect((await t.post('/api/psgGate/remoteOpenByName', undefined, { gateName: ef.gateName, openType: 2 })).body).toEqual(success);
    expect((await t.post('/api/eleLevel/deleteLevel', undefined, { pin: ef.pin, levelIds: ef.eleLevelId })).body).toEqual(success);
    expect((await t.post('/api/psgLevel/deleteLevel', undefined, { pin: ef.pin, levelIds: ef.psgLevelId })).body).toEqual(success);
  });
});
