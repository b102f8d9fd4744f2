import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';

/**
 * An update that gives nothing to change (`{}`, no body at all) is a negative code naming the fields it takes, and
 * the stored record is what it was: it used to answer success, and a client whose body went missing took its edit
 * as done. One with a field still updates.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

interface Row {
  what: string;
  /** Creates the record; the path of its update and of its read. */
  setUp: () => Promise<{ update: string; read: () => Promise<unknown>; change: Record<string, unknown> }>;
  method: 'PUT' | 'POST';
  /** What the refusal calls the record. */
  noun: string;
  fields: string;
}

const okData = async (p: Promise<HttpResult>): Promise<any> => {
  const r = await p;
  expect(r.body, JSON.stringify(r.body)).toMatchObject({ code: 0 });
  return r.body.data;
};

const ROWS: Row[] = [
  {
    what: 'accLevel/update/{id}',
    method: 'PUT',
    noun: 'level',
    fields: 'name, areaName or timeSegName',
    setUp: async () => {
      await okData(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Empty update', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] }));
      const id = (await okData(t.get('/api/accLevel/getByName/Empty update'))).id;
      return { update: `/api/accLevel/update/${id}`, read: () => okData(t.get(`/api/accLevel/getById/${id}`)), change: { name: 'Empty update 2' } };
    },
  },
  {
    what: 'gateway/areas/{code}',
    method: 'PUT',
    noun: 'area',
    fields: 'name, parentCode or remark',
    setUp: async () => {
      await okData(t.post('/api/gateway/areas', { code: 'EU1', name: 'Empty update area' }));
      return { update: '/api/gateway/areas/EU1', read: () => okData(t.get('/api/gateway/areas/EU1')), change: { remark: 'changed' } };
    },
  },
  {
    what: 'gateway/timeSegments/{id}',
    method: 'PUT',
    noun: 'time segment',
    fields: 'name, schedule or remark',
    setUp: async () => {
      const seg = await okData(t.post('/api/gateway/timeSegments', { name: 'Empty update segment', schedule: { mon: [['08:00', '18:00']] } }));
      return { update: `/api/gateway/timeSegments/${seg.id}`, read: () => okData(t.get(`/api/gateway/timeSegments/${seg.id}`)), change: { remark: 'changed' } };
    },
  },
  {
    what: 'gateway/holidays/{id}',
    method: 'PUT',
    noun: 'holiday',
    fields: 'name, startDate, endDate, holidayType, isLoopByYear or remark',
    setUp: async () => {
      const h = await okData(t.post('/api/gateway/holidays', { name: 'Empty update holiday', startDate: '2031-01-01', endDate: '2031-01-02' }));
      return { update: `/api/gateway/holidays/${h.id}`, read: () => okData(t.get(`/api/gateway/holidays/${h.id}`)), change: { name: 'Changed holiday' } };
    },
  },
  {
    what: 'gateway/pushTargets/{id}',
    method: 'PUT',
    noun: 'Push Center target',
    fields: 'name, url, secret or enabled',
    setUp: async () => {
      const target = await okData(t.post('/api/gateway/pushTargets', { name: 'Empty update target', url: 'http://127.0.0.1:8/events', enabled: false }));
      return { update: `/api/gateway/pushTargets/${target.id}`, read: () => okData(t.get(`/api/gateway/pushTargets/${target.id}`)), change: { name: 'Changed target' } };
    },
  },
];

describe('an update that gives nothing to change is refused, naming the fields', () => {
  it.each(ROWS.map((r) => [r.what, r] as const))('%s', async (_, row) => {
    const { update, read, change } = await row.setUp();
    const before = await read();
    const refused = { code: -400, message: `The ${row.noun} update gives nothing to change: send ${row.fields}`, data: null };
    expect((await t.request(row.method, update, { query: { access_token: t.config.apiToken }, body: '{}', headers: { 'content-type': 'application/json' } })).body).toEqual(refused);
    expect((await t.request(row.method, update, { query: { access_token: t.config.apiToken } })).body).toEqual(refused);
    expect(await read()).toEqual(before);
    // A field given is an update.
    expect((await t.request(row.method, update, { query: { access_token: t.config.apiToken }, body: JSON.stringify(change), headers: { 'content-type': 'application/json' } })).body).toMatchObject({ code: 0 });
    expect(await read()).toMatchObject(change);
  });
});
