import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedEndpoints, buildFixture, callManual, fillPath, pathVariants, type Fixture } from './conformance-support';
import { startTestApp, TEST_TOKEN, type HttpResult, type TestApp } from '../support/test-app';

/**
 * 1. Every form a real client may send, on every operation of the live OpenAPI document (client-forms.ts,
 * route-forms.ts): a path parameter sent in the query or the JSON body, an identifier sent as a trailing path
 * segment, every list parameter of the manual in every array form (comma string, JSON array, repeated keys), the
 * manual's synonyms (`pin`/`personPin`/`personId`, `deviceSn`/`devSn`/`sn`, `pageNo`/`page`), and a JSON body
 * wrapped in its Swagger parameter name. Each form must get the same answer as the form the route declares.
 */
let t: TestApp;
let f: Fixture;
let ops: Array<{ method: string; path: string; pathParams: string[]; bodyProps: string[] }> = [];

beforeAll(async () => {
  t = await startTestApp({ apiRateLimit: 0, apiIpRateLimit: 0 });
  f = await buildFixture(t);
  const doc = (await (await fetch(`${t.baseUrl}/api-docs-json`)).json()) as any;
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    if (!path.startsWith('/api/') || path === '/api/gateway/stream') continue;
    for (const [method, op] of Object.entries<any>(item)) {
      const params = (op.parameters ?? []) as Array<{ in: string; name: string }>;
      let schema = op.requestBody?.content?.['application/json']?.schema;
      if (schema?.$ref) schema = doc.components.schemas[schema.$ref.split('/').pop()];
      ops.push({ method: method.toUpperCase(), path, pathParams: params.filter((p) => p.in === 'path').map((p) => p.name), bodyProps: Object.keys(schema?.properties ?? {}) });
    }
  }
});
afterAll(async () => {
  await t?.close();
});

const send = (method: string, path: string, query: Record<string, unknown> = {}, body?: unknown): Promise<HttpResult> =>
  t.request(method, path, {
    query: { access_token: TEST_TOKEN, ...query },
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });

/** Values that exist in the fixture, by parameter name: the first one a read accepts is used. */
function candidates(name: string): string[] {
  const byName: Record<string, string[]> = {
    pin: [f.pin, f.visitorPin],
    code: [f.deptCode, f.areaCode],
    id: [f.levelId, f.readerId, f.transactionId, f.doors[0].id],
    name: [f.levelName],
    sn: [f.sn],
    deviceSn: [f.sn],
    doorId: [f.doors[0].id],
    templateNo: ['3'],
  };
  return byName[name] ?? ['x'];
}

/** Removes what differs between two calls of one read by nature (the time of the answer). */
const comparable = (r: HttpResult) => ({ status: r.status, code: r.body?.code, message: r.body?.message, data: r.body?.data });

/** Paths where the query form would need a parameter in the middle of the path: gateway extensions only. */
const trailingParams = (path: string) => /^\/api\/[^{]*(\{\w+\}(\/)?)*$/.test(path) && !/\}\/\w/.test(path);

describe('a path parameter may come in the query', () => {
  it('every operation with trailing path parameters answers the query form as the path form', { timeout: 120_000 }, async () => {
    // Where the path without its parameters is a route of its own (a gateway extension's list), it is that route.
    const routed = new Set(ops.map((o) => `${o.method} ${o.path}`));
    const withParams = ops.filter((o) => o.pathParams.length && trailingParams(o.path) && !routed.has(`${o.method} ${o.path.replace(/\/\{.*$/, '')}`));
    expect(withParams.length).toBeGreaterThan(25);
    for (const op of withParams) {
      // Reads with values that exist (so the data is compared too); writes with values that do not, so that
      // neither form changes what the other finds.
      const values: Record<string, string> = {};
      for (const p of op.pathParams) {
        const list = op.method === 'GET' ? candidates(p) : [`nobody-${p}`];
        values[p] = list[0];
        for (const v of list) {
          const probe = await send(op.method, op.path.replace(`{${p}}`, encodeURIComponent(v)).replace(/\{(\w+)\}/g, (_, n) => candidates(n)[0]));
          if (probe.body?.code === 0) {
            values[p] = v;
            break;
          }
        }
      }
      const asPath = await send(op.method, op.path.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(values[n])));
      const base = op.path.replace(/\/\{.*$/, '');
      const asQuery = await send(op.method, base, values);
      const label = `${op.method} ${base}?${new URLSearchParams(values)}`;
      expect(asQuery.body?.message ?? '', label).not.toMatch(/^No such endpoint/);
      expect(comparable(asQuery), label).toEqual(comparable(asPath));
    }
  });

  it('every operation that carries a body takes its trailing path parameters from the JSON body too', { timeout: 120_000 }, async () => {
    const routed = new Set(ops.map((o) => `${o.method} ${o.path}`));
    const withParams = ops.filter((o) => o.method !== 'GET' && o.pathParams.length && trailingParams(o.path) && !routed.has(`${o.method} ${o.path.replace(/\/\{.*$/, '')}`));
    expect(withParams.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(['POST /api/person/getQrCode/{pin}', 'POST /api/visRegistration/getQrCode/{pin}', 'DELETE /api/person/delete/{pin}']));
    for (const op of withParams) {
      // Values that do not exist, so that neither form changes what the other finds (a write answers alike).
      const values = Object.fromEntries(op.pathParams.map((p) => [p, op.path.includes('QrCode') ? f.pin : `nobody-${p}`]));
      const asPath = await send(op.method, op.path.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(values[n])));
      const base = op.path.replace(/\/\{.*$/, '');
      const label = `${op.method} ${base} ${JSON.stringify(values)}`;
      const asBody = await send(op.method, base, {}, values);
      expect(asBody.body?.message ?? '', label).not.toMatch(/^No such endpoint/);
      expect(comparable(asBody), label).toEqual(comparable(asPath));
      // Wrapped, under a synonym (pin), and a body without it: an envelope that says what is missing.
      if (op.pathParams.length === 1 && op.pathParams[0] === 'pin') {
        expect(comparable(await send(op.method, base, {}, { person: { personPin: values.pin } })), `${label} wrapped`).toEqual(comparable(asPath));
      }
      const without = await send(op.method, base, {}, {});
      expect(without.status, label).toBeLessThan(500);
      // A pin is the manual's -20, as endpoints that read it from the query or body answer; a device SN its -48 (2.18.1,
      // as device/getAcc answers); a department code -10 and a level id -43, as their v2 and query forms answer
      // (blank-path-params.e2e-spec); any other -400 naming it.
      const missing = base.startsWith('/api/department/')
        ? { code: -10, message: 'The department number or name cannot be empty' }
        : base.startsWith('/api/accLevel/update')
          ? { code: -43, message: "Access level id can't be null" }
          : ['pin', 'personPin', 'personId'].includes(op.pathParams[0])
        ? { code: -20, message: 'Pin number cannot be empty' }
        : ['sn', 'deviceSn', 'devSn'].includes(op.pathParams[0])
          ? { code: -48, message: "Device serial number can't be null" }
          : { code: -400, message: expect.stringMatching(/is required/) };
      expect(without.body, label).toMatchObject({ ...missing, data: null });
    }
  });

  it('the QR endpoints answer the body form as the path form (-501, -22 for an unknown pin)', async () => {
    for (const path of ['/api/person/getQrCode', '/api/visRegistration/getQrCode']) {
      const asPath = await send('POST', `${path}/${f.pin}`);
      expect(asPath.body.code, path).not.toBe(-404);
      expect(comparable(await send('POST', path, {}, { pin: f.pin })), path).toEqual(comparable(asPath));
      expect((await send('POST', path, {}, { pin: 'nobody' })).body.code, path).toBe((await send('POST', `${path}/nobody`)).body.code);
    }
  });

  it('the manual synonyms name a path parameter in the query too', async () => {
    const byPin = await send('GET', `/api/person/get/${f.pin}`);
    expect(byPin.body.code).toBe(0);
    for (const name of ['pin', 'personPin', 'personId']) expect(comparable(await send('GET', '/api/person/get', { [name]: f.pin })), name).toEqual(comparable(byPin));
    const bySn = await send('GET', `/api/transaction/device/${f.sn}`, { pageNo: 1, pageSize: 5 });
    expect(bySn.body.code).toBe(0);
    for (const name of ['deviceSn', 'devSn', 'sn']) expect(comparable(await send('GET', '/api/transaction/device', { [name]: f.sn, pageNo: 1, pageSize: 5 })), name).toEqual(comparable(bySn));
  });
});

describe('an identifier may come as a trailing path segment', () => {
  it('every read by query identifier answers the path form alike', { timeout: 120_000 }, async () => {
    const reads = ops.filter((o) => o.method === 'GET' && !o.pathParams.length);
    let checked = 0;
    for (const op of reads) {
      for (const key of ['pin', 'code', 'sn', 'id', 'name']) {
        const value = candidates(key).find(() => true)!;
        const asQuery = await send('GET', op.path, { [key]: value });
        if (asQuery.body?.code !== 0 || asQuery.body.data === null || Array.isArray(asQuery.body.data)) continue;
        // A read the query identifier selects: the path form names the same item.
        const other = await send('GET', op.path, { [key]: `${value}-other` });
        if (other.body?.code === 0 && JSON.stringify(other.body.data) === JSON.stringify(asQuery.body.data)) continue;
        const asPath = await send('GET', `${op.path}/${encodeURIComponent(value)}`);
        expect(comparable(asPath), `GET ${op.path}/${value} vs ?${key}=`).toEqual(comparable(asQuery));
        checked++;
        break;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('the Swagger forms of the issue: v2/person/get/{pin}, v2/department/get/{code}, device/getAcc/{sn}', async () => {
    for (const [path, q] of [
      [`/api/v2/person/get/${f.pin}`, ['/api/v2/person/get', { pin: f.pin }]],
      [`/api/v2/department/get/${f.deptCode}`, ['/api/v2/department/get', { code: f.deptCode }]],
      [`/api/v2/card/getCards/${f.pin}`, ['/api/v2/card/getCards', { pin: f.pin }]],
    ] as const) {
      const a = await send('GET', path);
      expect(a.body.code, path).toBe(0);
      expect(comparable(a), path).toEqual(comparable(await send('GET', q[0], q[1])));
    }
  });
});

describe('a read may come under the other method (read-forms.ts)', () => {
  /** Path parameters filled with the first fixture value the read answers 0 for (else the first candidate). */
  async function filled(path: string, pathParams: string[]): Promise<string> {
    let out = path;
    for (const p of pathParams) {
      const list = candidates(p);
      let chosen = list[0];
      for (const v of list) {
        const probe = await send('GET', out.replace(`{${p}}`, encodeURIComponent(v)).replace(/\{(\w+)\}/g, (_, n) => candidates(n)[0]), { pageNo: 1, pageSize: 5 });
        if (probe.body?.code === 0) {
          chosen = v;
          break;
        }
      }
      out = out.replace(`{${p}}`, encodeURIComponent(chosen));
    }
    return out.replace(/\{(\w+)\}/g, (_, n) => encodeURIComponent(candidates(n)[0]));
  }

  it('every GET read of the manual answers a POST of the same URL alike', { timeout: 120_000 }, async () => {
    const posts = new Set(ops.filter((o) => o.method === 'POST').map((o) => o.path.replace(/\{\w+\}/g, '{}')));
    // The monitor is a cursor per client and timestamp: a second call answers what came after the first.
    const reads = ops.filter((o) => o.method === 'GET' && !o.path.startsWith('/api/gateway/') && o.path !== '/api/transaction/monitor' && !posts.has(o.path.replace(/\{\w+\}/g, '{}')));
    expect(reads.length).toBeGreaterThan(80);
    let answered = 0;
    for (const op of reads) {
      const path = await filled(op.path, op.pathParams);
      const asGet = await send('GET', path, { pageNo: 1, pageSize: 5 });
      const asPost = await send('POST', path, { pageNo: 1, pageSize: 5 });
      expect(comparable(asPost), `POST ${path}`).toEqual(comparable(asGet));
      if (asGet.body?.code === 0) answered++;
    }
    expect(answered).toBeGreaterThan(60);
  });

  it('a POST read takes its inputs from a JSON or form body as well as the query', async () => {
    const asGet = await send('GET', '/api/transaction/list', { pageNo: 1, pageSize: 5 });
    expect(asGet.body.code).toBe(0);
    expect(asGet.body.data.length).toBeGreaterThan(0);
    expect(comparable(await send('POST', '/api/transaction/list', {}, { pageNo: 1, pageSize: 5 }))).toEqual(comparable(asGet));
    const form = await t.request('POST', '/api/transaction/list', { body: `pageNo=1&pageSize=5&access_token=${TEST_TOKEN}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(comparable(form)).toEqual(comparable(asGet));
    // The same checks as under GET: no paging is -92.
    expect((await send('POST', '/api/transaction/list', {}, {})).body).toMatchObject({ code: -92, data: null });
    // The v2 template read of a Python integration: POST with the pin in the query.
    const templates = await send('GET', `/api/v2/bioTemplate/getFgListByPin/${f.pin}`);
    expect(templates.body.data.length).toBeGreaterThan(0);
    expect(comparable(await send('POST', '/api/v2/bioTemplate/getFgListByPin', { pin: f.pin }))).toEqual(comparable(templates));
  });

  it('the POST reads of the manual answer a GET with their inputs in the query alike', async () => {
    for (const [path, body] of [
      ['/api/person/getPersonList', { pageNo: 1, pageSize: 5 }],
      ['/api/v2/person/getPersonList', { pageNo: 1, pageSize: 5 }],
      ['/api/department/getDepartmentList', { pageNo: 1, pageSize: 5 }],
      ['/api/transaction/getDoorTransactions', { pageNo: 1, pageSize: 5 }],
      ['/api/v2/transaction/getDoorTransactions', { pageNo: 1, pageSize: 5 }],
      ['/api/transaction/getDoorTransactionDetail', { id: f.transactionId }],
      ['/api/transaction/getDoorTransactionDetail', { id: 'no-such-event' }],
    ] as const) {
      const asPost = await send('POST', path, {}, body);
      const asGet = await send('GET', path, body);
      expect(asGet.status, path).toBe(asPost.status);
      expect(asGet.body, path).toEqual(asPost.body);
    }
    expect((await send('GET', '/api/transaction/getDoorTransactionDetail', { id: f.transactionId })).body).toMatchObject({ ret: 'ok' });
  });

  it('a write keeps its own method; a POST to the template read carrying templateNo deletes nothing', async () => {
    const add = await send('GET', '/api/person/add', { pin: 'read-forms-1', name: 'Nobody' });
    expect([add.status, add.body]).toEqual([405, { code: -405, message: 'GET is not served at /api/person/add: use POST', data: null }]);
    expect((await send('GET', '/api/person/get/read-forms-1')).body.code).toBe(-22);
    const before = await send('GET', `/api/bioTemplate/getFgListByPin/${f.pin}`);
    expect(before.body.data.some((x: { templateNo: string }) => x.templateNo === '3')).toBe(true);
    const r = await send('POST', `/api/bioTemplate/getFgListByPin/${f.pin}`, { templateNo: 3 });
    expect([r.status, r.body.code, r.body.data]).toEqual([405, -405, null]);
    expect(r.body.message).toContain(`POST /api/bioTemplate/delete/${f.pin}/3`);
    expect(comparable(await send('GET', `/api/bioTemplate/getFgListByPin/${f.pin}`))).toEqual(comparable(before));
    expect(comparable(await send('POST', `/api/bioTemplate/getFgListByPin/${f.pin}`))).toEqual(comparable(before));
  });
});

/** Runs `check` on every GET list whose second one-item page differs from its first (at least 3 of them). */
async function forEachSecondPage(check: (path: string, second: HttpResult) => Promise<void>): Promise<void> {
  let checked = 0;
  for (const op of ops.filter((o) => o.method === 'GET' && !o.pathParams.length)) {
    const second = await send('GET', op.path, { pageNo: 2, pageSize: 1 });
    const first = await send('GET', op.path, { pageNo: 1, pageSize: 1 });
    if (second.body?.code !== 0 || JSON.stringify(first.body.data) === JSON.stringify(second.body.data)) continue;
    await check(op.path, second);
    checked++;
  }
  expect(checked).toBeGreaterThanOrEqual(3);
}

describe('synonyms', () => {
  it('pin, personPin and personId name the same person everywhere a pin is read', async () => {
    for (const [method, path, extra] of [
      ['GET', '/api/v2/person/get', {}],
      ['GET', '/api/v2/card/getCards', {}],
      ['GET', '/api/v3/transaction/person', { pageNo: 1, pageSize: 5 }],
    ] as const) {
      const base = await send(method, path, { pin: f.pin, ...extra });
      expect(base.body.code, path).toBe(0);
      for (const name of ['personPin', 'personId']) expect(comparable(await send(method, path, { [name]: f.pin, ...extra })), `${path} ${name}`).toEqual(comparable(base));
    }
  });

  it('deviceSn, devSn and sn name the same device', async () => {
    const base = await send('GET', '/api/device/getAcc', { sn: f.sn });
    expect(base.body.code).toBe(0);
    for (const name of ['deviceSn', 'devSn']) expect(comparable(await send('GET', '/api/device/getAcc', { [name]: f.sn })), name).toEqual(comparable(base));
    const state = await send('GET', '/api/door/doorStateBySn', { deviceSn: f.sn });
    expect(state.body.code).toBe(0);
    expect((await send('GET', '/api/door/doorStateBySn', { devSn: f.sn })).body.code).toBe(0);
  });

  it('page is pageNo, on every paged list', async () => {
    await forEachSecondPage(async (path, second) => {
      expect(comparable(await send('GET', path, { page: 2, pageSize: 1 })), path).toEqual(comparable(second));
    });
  });
});

describe('a name in another case', () => {
  // The manual's own descriptions capitalise names (`PageNo`, `DeviceSn`, `Pin`); .NET and Delphi clients write them so.
  it('fills the field it names on every paged list, in the query and in a JSON body; the exact name wins', async () => {
    await forEachSecondPage(async (path, second) => {
      expect(comparable(await send('GET', path, { PageNo: 2, PageSize: 1 })), path).toEqual(comparable(second));
      expect(comparable(await send('GET', path, { pageno: 2, pagesize: 1 })), path).toEqual(comparable(second));
      expect(comparable(await send('GET', path, { pageNo: 2, PageNo: 1, pageSize: 1 })), path).toEqual(comparable(second));
    });
    const body = await send('POST', '/api/person/getPersonList', {}, { PageNo: 1, PageSize: 5, Pins: f.pin });
    expect(body.body.code).toBe(0);
    expect(body.body.data.map((p: { pin: string }) => p.pin)).toEqual([f.pin]);
  });

  it('a write stores what a capitalised body names; a repeated list key in another case keeps every item', async () => {
    expect((await send('POST', '/api/person/add', {}, { Pin: 'case1', Name: 'Cased', DeptCode: f.deptCode })).body).toEqual({ code: 0, message: 'success', data: null });
    const stored = (await send('GET', '/api/person/get/case1')).body.data;
    expect([stored.pin, stored.name, stored.deptCode]).toEqual(['case1', 'Cased', f.deptCode]);
    expect((await send('POST', '/api/person/add', {}, { pin: 'case2', PIN: 'case3', name: 'Exact' })).body.code).toBe(0);
    expect((await send('GET', '/api/person/get/case2')).body.data.name).toBe('Exact');
    expect((await send('GET', '/api/person/get/case3')).body.code).toBe(-22);
    const r = await send('POST', '/api/v2/person/getPersonList?PageNo=1&PageSize=5&Pins=case1&Pins=case2');
    expect(r.body.data.data.map((p: { pin: string }) => p.pin).sort()).toEqual(['case1', 'case2']);
  });

  it('a path parameter named in another case in the query or the body reaches its route', async () => {
    const bySn = await send('GET', `/api/transaction/device/${f.sn}`, { pageNo: 1, pageSize: 5 });
    expect(bySn.body.code).toBe(0);
    expect(comparable(await send('GET', '/api/transaction/device', { DeviceSn: f.sn, PageNo: 1, PageSize: 5 }))).toEqual(comparable(bySn));
    const byPin = await send('GET', `/api/person/get/${f.pin}`);
    expect(comparable(await send('GET', '/api/person/get', { PIN: f.pin }))).toEqual(comparable(byPin));
    expect(comparable(await send('POST', '/api/person/getQrCode', {}, { Pin: f.pin }))).toEqual(comparable(await send('POST', `/api/person/getQrCode/${f.pin}`)));
  });
});

describe('a boolean as the words clients write', () => {
  /** A person's [isDisabled, isSendMail] as v2/person/get reads them back. */
  const flags = async (pin: string) => {
    const p = (await send('GET', '/api/v2/person/get', { pin })).body.data;
    return [p.isDisabled, p.isSendMail];
  };

  it('"True"/"False" (.NET bool.ToString(), Python str(True)), "TRUE", yes/no and on/off, in JSON, a form or the query, are read as CVSecurity reads them', async () => {
    const cases: Array<[unknown, boolean]> = [['True', true], ['False', false], ['TRUE', true], ['FALSE', false], [' true ', true], ['yes', true], ['No', false], ['on', true], ['off', false], [true, true], [0, false]];
    for (const [word, meant] of cases) {
      const r = await send('POST', '/api/person/addPersonnelBasicInfo', {}, { pin: 'bool-json', name: 'Bool', isDisabled: word, isSendMail: word });
      expect(r.body, `JSON ${JSON.stringify(word)}`).toEqual({ code: 0, message: 'success', data: null });
      expect(await flags('bool-json'), `JSON ${JSON.stringify(word)}`).toEqual([meant, meant]);
    }
    // A C# client building a form or a query from its bools.
    const form = await t.request('POST', '/api/person/addPersonnelBasicInfo', {
      body: `pin=bool-form&name=Bool&isDisabled=True&isSendMail=False&access_token=${TEST_TOKEN}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.body.code).toBe(0);
    expect(await flags('bool-form')).toEqual([true, false]);
    expect((await send('POST', '/api/person/addPersonnelBasicInfo', { pin: 'bool-query', name: 'Bool', isDisabled: 'False', isSendMail: 'True' })).body.code).toBe(0);
    expect(await flags('bool-query')).toEqual([false, true]);
    // Words that are no boolean are still refused, and change nothing.
    for (const word of ['maybe', 'truee', '2', 'T']) {
      const r = await send('POST', '/api/person/addPersonnelBasicInfo', {}, { pin: 'bool-query', name: 'Bool', isDisabled: word });
      expect([r.body.code < 0, r.body.data], word).toEqual([true, null]);
    }
    expect(await flags('bool-query')).toEqual([false, true]);
  });

  it('an empty value ("", a form\'s `isDisabled=`) is a flag not given, as CVSecurity (Jackson, Spring) reads an empty Boolean: the stored flag stays', async () => {
    expect((await send('POST', '/api/person/add', {}, { pin: 'bool-empty', name: 'Bool', isDisabled: true, isSendMail: true })).body.code).toBe(0);
    // JSON, as the manual's own examples leave fields unset ("cardNo": "", "visLevels": "").
    const json = await send('POST', '/api/person/add', {}, { pin: 'bool-empty', name: 'Bool JSON', isDisabled: '', isSendMail: ' ' });
    expect(json.body).toEqual({ code: 0, message: 'success', data: null });
    expect(await flags('bool-empty')).toEqual([true, true]);
    expect((await send('GET', '/api/person/get/bool-empty')).body.data.name).toBe('Bool JSON');
    // A form whose checkboxes were left alone, and the query of a POST.
    const form = await t.request('POST', '/api/person/add', {
      body: `pin=bool-empty&name=Bool+form&isDisabled=&isSendMail=&access_token=${TEST_TOKEN}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await send('POST', '/api/person/add', { pin: 'bool-empty', name: 'Bool query', isDisabled: '', isSendMail: '' })).body.code).toBe(0);
    expect(await flags('bool-empty')).toEqual([true, true]);
    expect((await send('GET', '/api/person/get/bool-empty')).body.data.name).toBe('Bool query');
    // A new person given "" gets the defaults.
    expect((await send('POST', '/api/person/add', {}, { pin: 'bool-empty-new', name: 'New', isDisabled: '', isSendMail: '' })).body.code).toBe(0);
    expect(await flags('bool-empty-new')).toEqual([false, false]);
  });
});

describe('a list in every array form', () => {
  /** The list parameters of the manual's endpoints: a comma-separated example, or an array of scalars. */
  function listParams() {
    const found: Array<{ e: ReturnType<typeof servedEndpoints>[number]; name: string; inQuery: boolean }> = [];
    const isList = (name: string, v: unknown) => (Array.isArray(v) && v.every((x) => typeof x !== 'object')) || (typeof v === 'string' && v.includes(',') && /s$/.test(name));
    for (const e of servedEndpoints()) {
      for (const q of e.query) if (isList(q.name, q.example)) found.push({ e, name: q.name, inQuery: true });
      const b = e.body?.example;
      if (b && typeof b === 'object' && !Array.isArray(b)) for (const [k, v] of Object.entries(b)) if (isList(k, v)) found.push({ e, name: k, inQuery: false });
    }
    return found;
  }

  /** Items of a list by its name: ones that exist where a read selects by them, unknown ones for writes. */
  const itemsOf = (name: string, write: boolean): string[] =>
    write ? [`nosuch-${name}-1`, `nosuch-${name}-2`] : name === 'pins' ? [f.pin, 'nobody'] : name === 'deptCodes' ? [f.deptCode, '1'] : [`x-${name}-1`, `x-${name}-2`];

  it('a comma-separated string, a JSON array, repeated query keys and name[] answer alike', { timeout: 120_000 }, async () => {
    const lists = listParams();
    expect(lists.length).toBeGreaterThanOrEqual(8);
    let reads = 0;
    for (const { e, name, inQuery } of lists) {
      const path = fillPath(e, pathVariants(e)[0]);
      const write = !/getPersonList/.test(e.likelyPath);
      const items = itemsOf(name, write);
      // The person a level list is about is the fixture's, so that the list decides the answer.
      const extraQuery = e.query.some((q) => q.name === 'pin') ? { pin: f.pin } : {};
      const example = (e.body?.example ?? {}) as Record<string, unknown>;
      const bodyWithout = Object.fromEntries(Object.entries(example).filter(([k]) => k !== name));
      const repeated = (key: string) => `${path}?${items.map((i) => `${encodeURIComponent(key)}=${encodeURIComponent(i)}`).join('&')}`;
      const query = extraQuery;
      const comma = inQuery ? await send(e.method, path, { ...query, [name]: items.join(',') }, bodyWithout) : await send(e.method, path, query, { ...bodyWithout, [name]: items.join(',') });
      expect(comma.status, `${e.section} ${name}`).toBeLessThan(500);
      const forms: Array<[string, Promise<HttpResult>]> = [
        ['JSON array', send(e.method, path, query, { ...bodyWithout, [name]: items })],
        ['repeated query keys', send(e.method, repeated(name), query, bodyWithout)],
        ['name[] query keys', send(e.method, repeated(`${name}[]`), query, bodyWithout)],
        ['comma string in the other place', inQuery ? send(e.method, path, query, { ...bodyWithout, [name]: items.join(',') }) : send(e.method, path, { ...query, [name]: items.join(',') }, bodyWithout)],
      ];
      for (const [form, call] of forms) expect(comparable(await call), `${e.section} ${e.likelyPath} ${name} as ${form}`).toEqual(comparable(comma));
      if (!write && comma.body?.code === 0) reads++;
    }
    expect(reads).toBeGreaterThanOrEqual(2);
  });

  it('a list read by repeated keys selects every item; any other repeated key is refused when its repeats differ', async () => {
    const both = await send('POST', `/api/person/getPersonList?pins=${f.pin}&pins=nobody`, {}, { pageNo: 1, pageSize: 10 });
    expect(both.body.code).toBe(0);
    expect(both.body.data.map((p: { pin: string }) => p.pin)).toEqual([f.pin]);
    expect((await send('GET', `/api/person/get?pin=nobody&pin=${f.pin}`)).body).toMatchObject({ code: -400, message: expect.stringMatching(/^pin takes one value/) });
    expect(comparable(await send('GET', `/api/person/get?pin=${f.pin}&pin=${f.pin}`))).toEqual(comparable(await send('GET', `/api/person/get/${f.pin}`)));
  });
});

describe('a JSON body wrapped in its Swagger parameter name', () => {
  /** The Swagger parameter name of a write, where CVSecurity's is known, else the entity its path names. */
  const wrapperOf = (path: string) => {
    if (path.includes('bioTemplate')) return 'apiBioTemplate';
    const entity = path.replace(/^\/api\/(v\d\/)?(gateway\/)?/, '').split('/')[0];
    return entity;
  };

  it('every write of the manual answers the wrapped body as the bare one', { timeout: 120_000 }, async () => {
    let checked = 0;
    for (const e of servedEndpoints()) {
      const example = e.body?.example;
      if (e.method === 'GET' || !example || typeof example !== 'object' || Array.isArray(example)) continue;
      // Only writes that can run twice alike (adds are upserts; deletes and check-ins are not repeated).
      if (/delete|exit|Close|Open|remote|leave|reinstated|getQrCode|addPersons|addLevel$|addLevelDoor|visReservation\/add|visRegistration\/add/i.test(e.likelyPath)) continue;
      const path = fillPath(e, pathVariants(e)[0]);
      const bare = await callManual(t, e, path);
      const wrapped = await callManual(t, e, path, { body: { [wrapperOf(e.likelyPath)]: example } });
      expect(comparable(wrapped), `${e.section} ${path} wrapped as ${wrapperOf(e.likelyPath)}`).toEqual(comparable(bare));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('the forms of the issue: {"department": {...}}, {"person": {...}}, {"apiBioTemplate": {...}} with pin', async () => {
    expect((await t.post('/api/department/add', { department: { code: 'W1', name: 'Wrapped', parentCode: '1' } })).body.code).toBe(0);
    expect((await t.get('/api/department/get/W1')).body.data).toMatchObject({ code: 'W1', name: 'Wrapped' });
    expect((await t.post('/api/person/add', { person: { pin: 'W2', name: 'Wrapped', deptCode: 'W1' } })).body.code).toBe(0);
    expect((await t.get('/api/person/get/W2')).body.data).toMatchObject({ pin: 'W2', name: 'Wrapped', deptCode: 'W1' });
    const template = Buffer.from('wrapped finger').toString('base64');
    expect((await t.post('/api/bioTemplate/add', { apiBioTemplate: { pin: 'W2', validType: '1', template, templateNo: '4' } })).body.code).toBe(0);
    expect((await t.get('/api/bioTemplate/getFgListByPin/W2')).body.data).toEqual([expect.objectContaining({ personId: 'W2', templateNo: '4' })]);
  });

  it('every documented write body is unwrapped the same way (the fuzz covers the rest)', async () => {
    let checked = 0;
    for (const op of ops.filter((o) => o.method !== 'GET' && o.bodyProps.length && !o.pathParams.length)) {
      // A body that fails validation the same way whatever the write: each declared field an empty object.
      const body = Object.fromEntries(op.bodyProps.slice(0, 3).map((k) => [k, '\u0001'.repeat(300)]));
      const bare = await send(op.method, op.path, {}, body);
      const wrapped = await send(op.method, op.path, {}, { [wrapperOf(op.path)]: body });
      expect({ code: wrapped.body?.code, message: wrapped.body?.message }, `${op.method} ${op.path}`).toEqual({ code: bare.body?.code, message: bare.body?.message });
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });
});
