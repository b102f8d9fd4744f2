import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, TEST_TOKEN, type HttpResult, type TestApp } from '../support/test-app';
import { buildFixture, expectEnvelope, expectRetMsg, servedEndpoints, type Fixture } from './conformance-support';
import { buildElevatorPassageFixture, type ElevatorPassageFixture } from './elevator-passage-fixture';

/**
 * Integrators' calls replayed (HR, payroll, visitor and parking systems): every list narrows to what its filter
 * names, in each module, so none claims a filter it did not apply; then every endpoint of cvsecurity-api.json in
 * every form the field notes say real clients send (the other method, a trailing slash, the token as acc_token or an
 * api-key header, query parameters in a JSON or form body or a JSON null body, body fields in a form or the query,
 * numbers as strings and strings as numbers, each field blank, null, an array or an object, each query parameter
 * blank, junk, negative, huge or fractional): never a 5xx, never anything but the envelope, codes as the manual's.
 */
let t: TestApp;
let f: Fixture;
let g: ElevatorPassageFixture;

beforeAll(async () => {
  t = await startTestApp({ apiRateLimit: 0, apiIpRateLimit: 0 });
  f = await buildFixture(t);
  g = await buildElevatorPassageFixture(t, f.pin);
  const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'REPLAYATT001' });
  await term.init();
  await term.punch({ pin: f.pin, time: '2024-03-01 08:30:00', status: 0, verify: 1 });
  // A temperature event (68, high body temperature) for the HEP list.
  expect((await f.sim.uploadRtlog([{ time: '2024-03-01 09:00:00', pin: 100, eventaddr: 1, event: 68, inoutstatus: 0, verifytype: 15, index: 9 }])).status).toBe(200);
}, 180_000);
afterAll(async () => {
  await t?.close();
});

/** How many rows a list answered (v1 array or v2 page), failing on any other answer. */
function rows(r: HttpResult, label: string): number {
  expect(r.body?.code, `${label}: ${r.text.slice(0, 200)}`).toBe(0);
  const d = r.body.data;
  if (Array.isArray(d)) return d.length;
  expect(Array.isArray(d?.data), `${label}: a v2 page`).toBe(true);
  expect(d.total, `${label}: total of a v2 page`).toBe(d.data.length);
  return d.data.length;
}

describe('every list narrows to what its filter names', () => {
  const page = { pageNo: 1, pageSize: 100 };
  const lists = (): Array<{ path: string; sn: string; pin?: boolean }> => [
    { path: '/api/transaction/list', sn: f.sn, pin: true },
    { path: '/api/v2/transaction/list', sn: f.sn, pin: true },
    { path: '/api/eleTransaction/list', sn: g.eleSn, pin: true },
    { path: '/api/v2/eleTransaction/list', sn: g.eleSn, pin: true },
    { path: '/api/psgTransaction/list', sn: g.psgSn, pin: true },
    { path: '/api/v2/psgTransaction/list', sn: g.psgSn, pin: true },
    { path: '/api/transaction/listAttTransaction', sn: 'REPLAYATT001', pin: true },
    { path: '/api/v2/transaction/listAttTransaction', sn: 'REPLAYATT001', pin: true },
    { path: '/api/hep/transaction/list', sn: f.sn, pin: true },
  ];

  it('personPin and the startDate/endDate window, in each module', { timeout: 120_000 }, async () => {
    for (const l of lists()) {
      const all = rows(await t.get(l.path, page), l.path);
      expect(all, `${l.path}: the fixture has events there`).toBeGreaterThan(0);
      expect(rows(await t.get(l.path, { ...page, personPin: f.pin }), `${l.path} own pin`)).toBeGreaterThan(0);
      expect(rows(await t.get(l.path, { ...page, personPin: 'nobody9' }), `${l.path} personPin nobody`)).toBe(0);
      for (const startDate of ['2029-01-01 00:00:00', '2029-01-01', '1861920000000']) expect(rows(await t.get(l.path, { ...page, startDate }), `${l.path} startDate ${startDate}`)).toBe(0);
      for (const endDate of ['2020-01-01 00:00:00', '2020-01-01', '1577836800000']) expect(rows(await t.get(l.path, { ...page, endDate }), `${l.path} endDate ${endDate}`)).toBe(0);
      expect(rows(await t.get(l.path, { ...page, startDate: '2024-01-01 00:00:00', endDate: '2030-01-01 00:00:00' }), `${l.path} window`)).toBe(all);
    }
  });

  // transaction/list reads the device (deviceSn, devSn, sn); the other modules' lists answered every device's
  // events with success to the same parameter, as if filtered.
  it('the device, as deviceSn, devSn or sn, in each module', { timeout: 120_000 }, async () => {
    for (const l of lists()) {
      const all = rows(await t.get(l.path, page), l.path);
      for (const key of ['deviceSn', 'devSn', 'sn']) {
        expect(rows(await t.get(l.path, { ...page, [key]: l.sn }), `${l.path} ${key} own`)).toBe(all);
        expect(rows(await t.get(l.path, { ...page, [key]: 'NOSUCHSN' }), `${l.path} ${key} unknown`)).toBe(0);
      }
    }
  });

  it('person lists: pins and deptCodes from the query, a JSON body or a form body', { timeout: 60_000 }, async () => {
    for (const path of ['/api/person/getPersonList', '/api/v2/person/getPersonList']) {
      for (const [key, hit, miss] of [['pins', f.pin, 'nobody9,nobody8'], ['deptCodes', f.deptCode, 'nodept']]) {
        for (const [value, expected] of [[hit, 1], [miss, 0]] as const) {
          const params = { pageNo: '1', pageSize: '10', [key]: value };
          const label = `${path} ${key}=${value}`;
          expect(rows(await t.post(path, undefined, params), `${label} (query)`)).toBe(expected);
          expect(rows(await t.post(path, params), `${label} (JSON)`)).toBe(expected);
          const form = await t.request('POST', path, { query: { access_token: TEST_TOKEN }, body: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
          expect(rows(form, `${label} (form)`)).toBe(expected);
        }
      }
    }
  });
});

describe('2.18.11 and 2.18.12 with `content` written as form or query keys', () => {
  const form = (path: string, pairs: Record<string, string>) =>
    t.request('POST', path, { query: { access_token: TEST_TOKEN }, body: new URLSearchParams(pairs).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const total = (r: HttpResult, label: string): number => {
    expect(r.body?.ret, `${label}: ${r.text.slice(0, 200)}`).toBe('ok');
    return r.body.data.total;
  };

  // `content[devSn]=` (PHP, jQuery) and `content.devSn=` (Spring, ASP.NET) were dropped: every event answered, as if filtered.
  it('narrow as the JSON body does', { timeout: 60_000 }, async () => {
    const P = '/api/v2/transaction/getDoorTransactions';
    const all = total(await t.post(P, {}), 'no filter');
    expect(all).toBeGreaterThan(0);
    for (const key of ['content[devSn]', 'content.devSn']) {
      expect(total(await form(P, { [key]: 'NOSUCHSN' }), `${key} unknown (form)`)).toBe(0);
      expect(total(await t.post(P, undefined, { [key]: 'NOSUCHSN' }), `${key} unknown (query)`)).toBe(0);
      expect(total(await form(P, { [key]: f.sn }), `${key} own (form)`)).toBe(all);
    }
    const own = total(await t.post(P, { content: { personPin: f.pin } }), 'personPin (JSON)');
    expect(own).toBeGreaterThan(0);
    expect(own).toBeLessThan(all);
    expect(total(await form(P, { 'content[personPin]': f.pin }), 'content[personPin] (form)')).toBe(own);
    const detail = await form('/api/transaction/getDoorTransactionDetail', { 'content[id]': f.transactionId });
    expect(detail.body, detail.text.slice(0, 200)).toMatchObject({ ret: 'ok', data: { id: f.transactionId } });
  });
});

describe('every endpoint of the manual, in every form real clients send', () => {
  const RET_MSG = new Set(['2.18.10', '2.18.11', '2.18.12']);
  /** Values of the fixture for the manual's parameter names; the manual's example otherwise. */
  const value = (name: string, example: unknown): string => {
    const m: Record<string, string> = {
      pin: f.pin, personPin: f.pin, persPersonPin: f.pin, personId: f.pin, deviceSn: f.sn, sn: f.sn, devSn: f.sn, doorId: f.doors[0].id, doorName: f.doors[0].name,
      levelIds: f.levelId, levelId: f.levelId, id: f.levelId, code: f.deptCode, deptCode: f.deptCode, name: f.levelName, pageNo: '1', pageSize: '10',
      floorId: g.floorId, gateId: g.gateId, gateName: g.gateName,
    };
    return m[name] ?? (example === undefined || example === null ? 'x' : String(example));
  };

  it('never a 5xx, never anything but the envelope', { timeout: 600_000 }, async () => {
    const tok = { access_token: TEST_TOKEN };
    const json = { 'content-type': 'application/json' };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    let calls = 0;
    for (const e of servedEndpoints()) {
      const path = e.likelyPath.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(value(n, e.pathParams.find((p) => p.name === n)?.example)));
      const q: Record<string, string> = {};
      for (const p of e.query) if (p.name !== 'access_token') q[p.name] = value(p.name, p.example);
      const example = e.body?.example;
      const body = example !== null && typeof example === 'object' && !Array.isArray(example) ? (example as Record<string, unknown>) : undefined;
      const check = async (label: string, method: string, url: string, init: { query?: Record<string, unknown>; body?: string; headers?: Record<string, string> }) => {
        const r = await t.request(method, url, init);
        calls++;
        const what = `${e.section} ${label}: ${method} ${url}`;
        expect(r.headers.get('content-type') ?? '', `${what}: JSON`).toMatch(/application\/json/);
        if (RET_MSG.has(e.section) && r.body?.ret !== undefined) expectRetMsg(r, what);
        else expectEnvelope(r, what);
        if (r.body?.code !== undefined && r.body.code !== 0) expect(r.body.code, `${what}: a failure is negative`).toBeLessThan(0);
      };
      const withBody = (b: unknown) => ({ query: tok, body: JSON.stringify(b), headers: json });
      await check('as printed', e.method, path, { query: { ...tok, ...q }, ...(body && e.method !== 'GET' ? { body: JSON.stringify(body), headers: json } : {}) });
      await check('other method', e.method === 'GET' ? 'POST' : 'GET', path, { query: { ...tok, ...q } });
      await check('trailing slash', e.method, `${path}/`, { query: { ...tok, ...q } });
      await check('acc_token', e.method, path, { query: { acc_token: TEST_TOKEN, ...q } });
      await check('api-key header', e.method, path, { query: q, headers: { 'api-key': TEST_TOKEN } });
      await check('no token', e.method, path, { query: q });
      for (const k of Object.keys(q)) {
        for (const v of ['', 'zz%', '-1', '99999999999999999999', '1.5', 'TRUE']) await check(`query ${k}=${v}`, e.method, path, { query: { ...tok, ...q, [k]: v } });
      }
      if (e.method === 'GET') continue;
      await check('query in JSON body', e.method, path, withBody(q));
      await check('query in form body', e.method, path, { query: tok, body: new URLSearchParams(q).toString(), headers: form });
      await check('JSON null body', e.method, path, { query: { ...tok, ...q }, body: 'null', headers: json });
      await check('empty JSON body', e.method, path, { query: { ...tok, ...q }, body: '', headers: json });
      if (!body) continue;
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(body)) flat[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
      await check('body in form', e.method, path, { query: tok, body: new URLSearchParams(flat).toString(), headers: form });
      await check('body in query', e.method, path, { query: { ...tok, ...flat } });
      const swapped: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(body)) swapped[k] = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : typeof v === 'number' ? String(v) : v;
      await check('numbers and strings swapped', e.method, path, withBody(swapped));
      for (const k of Object.keys(body)) {
        for (const v of ['', null, [1, 2], { a: 1 }, 'False']) await check(`body ${k}=${JSON.stringify(v)}`, e.method, path, withBody({ ...body, [k]: v }));
      }
    }
    expect(calls).toBeGreaterThan(2000);
  });
});
