import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { buildFixture, type Fixture } from './conformance-support';

/**
 * 2. A single-item read carries every field the same item has in its list form, with the same value: a client
 * that reads a field from the list reads it from the single read too (the face-enrolment client reads level
 * ids and photo fields from person/get). Compared field by field on a realistic fixture.
 */
let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await buildFixture(t);
});
afterAll(async () => {
  await t?.close();
});

const page = { pageNo: 1, pageSize: 100 };
const items = (r: HttpResult): any[] => (Array.isArray(r.body.data) ? r.body.data : r.body.data.data);

/**
 * Fields only a list carries, where the single read's own example has fewer keys: getDepartmentList's items
 * carry sortNo (the order of the list, as a later manual's example shows them), department/get keeps 2.5.3's.
 */
const LIST_ONLY: Record<string, string[]> = { 'department/getDepartmentList': ['sortNo'] };

/** [name, the single read, the list read, how to find the same item in the list] */
const PAIRS: Array<[string, () => Promise<HttpResult>, () => Promise<HttpResult>, (item: any) => boolean]> = [
  ['person/get/{pin} ~ person/getPersonList', () => t.get(`/api/person/get/${f.pin}`), () => t.post('/api/person/getPersonList', page), (i) => i.pin === f.pin],
  ['v2/person/get ~ v2/person/getPersonList', () => t.get('/api/v2/person/get', { pin: f.pin }), () => t.post('/api/v2/person/getPersonList', page), (i) => i.pin === f.pin],
  ['department/get/{code} ~ department/getDepartmentList', () => t.get(`/api/department/get/${f.deptCode}`), () => t.post('/api/department/getDepartmentList', page), (i) => i.code === f.deptCode],
  ['v2/department/get ~ department/getDepartmentList', () => t.get('/api/v2/department/get', { code: f.deptCode }), () => t.post('/api/department/getDepartmentList', page), (i) => i.code === f.deptCode],
  ['accLevel/getById/{id} ~ accLevel/list', () => t.get(`/api/accLevel/getById/${f.levelId}`), () => t.get('/api/accLevel/list', page), (i) => i.id === f.levelId],
  ['accLevel/getByName/{name} ~ v2/accLevel/list', () => t.get(`/api/accLevel/getByName/${f.levelName}`), () => t.get('/api/v2/accLevel/list', page), (i) => i.id === f.levelId],
  ['attAreaPerson/area/get/{code} ~ area/list', () => t.get(`/api/attAreaPerson/area/get/${f.areaCode}`), () => t.get('/api/attAreaPerson/area/list', page), (i) => i.code === f.areaCode],
  ['device/getAcc ~ device/accList', () => t.get('/api/device/getAcc', { sn: f.sn }), () => t.get('/api/device/accList', page), (i) => i.sn === f.sn],
  ['door/get ~ door/list', () => t.get('/api/door/get', { id: f.doors[0].id }), () => t.get('/api/door/list', page), (i) => i.id === f.doors[0].id],
  ['door/get ~ v2/door/list', () => t.get('/api/door/get', { id: f.doors[0].id }), () => t.get('/api/v2/door/list', page), (i) => i.id === f.doors[0].id],
  ['reader/getAcc ~ reader/accList', () => t.get('/api/reader/getAcc', { id: f.readerId }), () => t.get('/api/reader/accList', page), (i) => i.id === f.readerId],
  ['v2/reader/get ~ v2/reader/list', () => t.get('/api/v2/reader/get', { id: f.readerId }), () => t.get('/api/v2/reader/list', page), (i) => i.id === f.readerId],
  ['transaction/getById/{id} ~ v2/transaction/list', () => t.get(`/api/transaction/getById/${f.transactionId}`), () => t.get('/api/v2/transaction/list', page), (i) => i.id === f.transactionId],
  ['v2/transaction/getById/{id} ~ v2/transaction/person/{pin}', () => t.get(`/api/v2/transaction/getById/${f.transactionId}`), () => t.get(`/api/v2/transaction/person/${f.pin}`, page), (i) => i.id === f.transactionId],
];

describe('a single read carries its list item, field by field', () => {
  it.each(PAIRS)('%s', async (_name, single, list, same) => {
    const one = await single();
    expect(one.body.code, one.text.slice(0, 300)).toBe(0);
    const all = await list();
    expect(all.body.code, all.text.slice(0, 300)).toBe(0);
    const item = items(all).find(same);
    expect(item, 'the item is in the list').toBeDefined();
    const listOnly = LIST_ONLY[_name.split(' ~ ')[1]] ?? [];
    for (const [field, value] of Object.entries(item)) if (!listOnly.includes(field)) expect(one.body.data[field], field).toEqual(value);
  });
});
