import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type HttpResult, type TestApp } from '../support/test-app';

/**
 * The request forms real integrators (HR, payroll, visitor and parking systems) send, as one table: each form
 * answers what the canonical form answers (the same data, the same stored effect) or a clear negative-code
 * envelope, never a 5xx, an HTML page or a framework's own error shape. The forms' finer rules have files of their
 * own (client-forms, form-bodies, north-edges, whole-numbers, field-notes); this one walks the whole table once.
 *
 * A Content-Type that names no media type (blank, `undefined`, a bare `json`, two types joined) was refused with
 * HTTP 415 "Unsupported Media Type", even on a POST whose inputs are all in the query and whose body is empty
 * (accLevel/syncPerson, as field notes 4 shows it); it is read as no type, as a missing one is.
 */
let t: TestApp;
let levelA: string;
let levelB: string;

beforeAll(async () => {
  t = await startTestApp();
  expect((await t.post('/api/department/add', { code: 'RF1', name: 'Forms' })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Form A' }, { name: 'Form B' }] })).body.code).toBe(0);
  levelA = (await t.get('/api/v2/accLevel/getByName/Form A')).body.data.id;
  levelB = (await t.get('/api/v2/accLevel/getByName/Form B')).body.data.id;
  expect((await t.post('/api/person/add', { pin: 'RF0', name: 'Canon', deptCode: 'RF1', cardNo: '4242' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

/** One request exactly as given: the path and query as written, the headers as given (none added). */
async function send(method: string, pathAndQuery: string, headers: Record<string, string> = {}, body?: string | Buffer | FormData): Promise<HttpResult> {
  const res = await fetch(`${t.baseUrl}${pathAndQuery}`, { method, headers, body: body as NonNullable<Parameters<typeof fetch>[1]>['body'] });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: expectEnvelope says so */
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Every answer: a JSON envelope of exactly code, message, data, below 500; a failure's data null. */
function envelope(r: HttpResult, label: string): { code: number; message: string; data: any } {
  expect(r.status, `${label}: ${r.text.slice(0, 160)}`).toBeLessThan(500);
  expect(r.headers.get('content-type') ?? '', label).toMatch(/^application\/json/);
  expect(r.body !== null && typeof r.body === 'object' ? Object.keys(r.body).sort() : r.text.slice(0, 160), label).toEqual(['code', 'data', 'message']);
  if (r.body.code !== 0) expect(r.body.data, label).toBeNull();
  return r.body;
}

const q = `access_token=${TEST_TOKEN}`;
const JSON_TYPE = { 'content-type': 'application/json' };
const person = async (pin: string) => (await t.get(`/api/person/get/${pin}`)).body;
const levelsOf = async (pin: string) => String((await person(pin)).data?.accLevelIds ?? '').split(',').filter(Boolean).sort();

describe('the access token', () => {
  const canonical = () => send('GET', `/api/person/get/RF0?${q}`);
  const forms: Array<[string, () => Promise<HttpResult>]> = [
    ['access_token header', () => send('GET', '/api/person/get/RF0', { access_token: TEST_TOKEN })],
    ['api-key header', () => send('GET', '/api/person/get/RF0', { 'api-key': TEST_TOKEN })],
    ['acc_token in the query', () => send('GET', `/api/person/get/RF0?acc_token=${TEST_TOKEN}`)],
    ['the token twice, alike', () => send('GET', `/api/person/get/RF0?${q}&${q}`)],
  ];
  it('in the query, a header or the manual\'s acc_token reads alike', async () => {
    const want = envelope(await canonical(), 'canonical');
    expect(want.data.pin).toBe('RF0');
    for (const [label, call] of forms) expect(envelope(await call(), label), label).toEqual(want);
  });
  it('in a JSON or form body, a write is authenticated and stored', async () => {
    expect(envelope(await send('POST', '/api/person/add', JSON_TYPE, JSON.stringify({ access_token: TEST_TOKEN, pin: 'RF1', name: 'Body token' })), 'json').code).toBe(0);
    expect(envelope(await send('POST', '/api/person/add', { 'content-type': 'application/x-www-form-urlencoded' }, `access_token=${TEST_TOKEN}&pin=RF2&name=Form+token`), 'form').code).toBe(0);
    expect((await person('RF1')).data.name).toBe('Body token');
    expect((await person('RF2')).data.name).toBe('Form token');
  });
  it('missing or wrong is -401, never success', async () => {
    expect(envelope(await send('GET', '/api/person/get/RF0'), 'missing').code).toBe(-401);
    expect(envelope(await send('GET', '/api/person/get/RF0?access_token=wrong-token'), 'wrong').code).toBe(-401);
    expect(envelope(await send('POST', '/api/person/add', JSON_TYPE, JSON.stringify({ pin: 'RFX', name: 'x' })), 'write without').code).toBe(-401);
    expect((await person('RFX')).code).toBe(-22);
  });
});

describe('the body of a write under every Content-Type a client sends', () => {
  const json = (pin: string) => JSON.stringify({ pin, name: `Name ${pin}`, deptCode: 'RF1' });
  const multipart = (pin: string) => {
    const f = new FormData();
    f.append('pin', pin);
    f.append('name', `Name ${pin}`);
    f.append('deptCode', 'RF1');
    return f;
  };
  const bom = (pin: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json(pin))]);
  const forms: Array<[string, Record<string, string>, (pin: string) => string | Buffer | FormData]> = [
    ['application/json', JSON_TYPE, json],
    ['application/json; charset=utf-8', { 'content-type': 'application/json; charset=utf-8' }, json],
    ['APPLICATION/JSON;charset="UTF-8"', { 'content-type': 'APPLICATION/JSON;charset="UTF-8"' }, json],
    ['text/plain (.NET StringContent)', { 'content-type': 'text/plain; charset=utf-8' }, json],
    ['no Content-Type', {}, (pin) => Buffer.from(json(pin))],
    ['application/octet-stream', { 'content-type': 'application/octet-stream' }, json],
    ['x-www-form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }, (pin) => `pin=${pin}&name=Name+${pin}&deptCode=RF1`],
    ['multipart/form-data', {}, multipart],
    ['a UTF-8 BOM before the JSON', JSON_TYPE, bom],
    ['UTF-16 declared', { 'content-type': 'application/json; charset=utf-16le' }, (pin) => Buffer.from(json(pin), 'utf16le')],
    // The forms that answered 415 "Unsupported Media Type".
    ['a blank Content-Type', { 'content-type': '' }, json],
    ['Content-Type "undefined"', { 'content-type': 'undefined' }, json],
    ['Content-Type "json"', { 'content-type': 'json' }, json],
    ['two types joined', { 'content-type': 'application/json, text/plain' }, json],
    ['a form under a blank Content-Type', { 'content-type': '' }, (pin) => `pin=${pin}&name=Name+${pin}&deptCode=RF1`],
  ];
  it('each stores the person the canonical JSON stores', async () => {
    let n = 10;
    for (const [label, headers, body] of forms) {
      const pin = `RF${n++}`;
      expect(envelope(await send('POST', `/api/person/add?${q}`, headers, body(pin)), label), label).toEqual({ code: 0, message: 'success', data: null });
      expect((await person(pin)).data, label).toMatchObject({ pin, name: `Name ${pin}`, deptCode: 'RF1' });
    }
  });
  it('a charset the gateway cannot read, and text that is no JSON, are -400 and store nothing', async () => {
    const bogus = envelope(await send('POST', `/api/person/add?${q}`, { 'content-type': 'application/json; charset=bogus' }, json('RF90')), 'bogus charset');
    expect(bogus).toMatchObject({ code: -400, message: expect.stringContaining('charset') });
    expect(envelope(await send('POST', `/api/person/add?${q}`, JSON_TYPE, "{'pin':'RF91'}"), 'single quotes').code).toBe(-400);
    expect(envelope(await send('POST', `/api/person/add?${q}`, JSON_TYPE, '"RF92"'), 'a JSON string').code).toBe(-400);
    for (const pin of ['RF90', 'RF91', 'RF92']) expect((await person(pin)).code).toBe(-22);
  });
  it('an empty, null, array or number body is the manual\'s missing-input code (-20), not success', async () => {
    for (const body of ['', 'null', '[]', '5']) expect(envelope(await send('POST', `/api/person/add?${q}`, JSON_TYPE, body), `body ${body}`).code, body).toBe(-20);
  });
  it('over 10 MB is -413 in the envelope', async () => {
    const big = JSON.stringify({ pin: 'RF93', name: 'x'.repeat(11 * 1024 * 1024) });
    const r = await send('POST', `/api/person/add?${q}`, JSON_TYPE, big);
    expect(r.status).toBe(413);
    expect(envelope(r, 'oversize').code).toBe(-413);
    expect((await person('RF93')).code).toBe(-22);
  });
});

describe('a POST whose inputs are in the query, with the body clients send beside them', () => {
  // accLevel/syncPerson?pin=&levelIds= (field notes 4): empty, `null`, or nothing, under whatever type the client sets.
  const bodies: Array<[string, Record<string, string>, string | undefined]> = [
    ['no body, no type', {}, undefined],
    ['empty JSON', JSON_TYPE, ''],
    ['JSON null', JSON_TYPE, 'null'],
    ['empty form', { 'content-type': 'application/x-www-form-urlencoded' }, ''],
    ['blank type, no body', { 'content-type': '' }, undefined],
    ['blank type, empty body', { 'content-type': '' }, ''],
    ['type "undefined", empty body', { 'content-type': 'undefined' }, ''],
  ];
  it('each assigns the levels the query names', async () => {
    let n = 30;
    for (const [label, headers, body] of bodies) {
      const pin = `RF${n++}`;
      expect((await t.post('/api/person/add', { pin, name: pin })).body.code).toBe(0);
      const r = await send('POST', `/api/accLevel/syncPerson?pin=${pin}&levelIds=${levelA},${levelB}&${q}`, headers, body);
      expect(envelope(r, label), label).toEqual({ code: 0, message: 'success', data: null });
      expect(await levelsOf(pin), label).toEqual([levelA, levelB].sort());
    }
  });
});

describe('values in the other JSON type', () => {
  it('numbers for text fields are their digits; a boolean or object for a name is -400 and stores nothing', async () => {
    expect(envelope(await t.post('/api/person/add', { pin: 5150, name: 77, cardNo: 99887766, deptCode: 'RF1' }), 'numbers').code).toBe(0);
    expect((await person('5150')).data).toMatchObject({ pin: '5150', name: '77', cardNo: '99887766' });
    for (const name of [true, { a: 1 }]) {
      const r = envelope(await t.post('/api/person/add', { pin: 'RF94', name }), `name ${JSON.stringify(name)}`);
      expect(r).toMatchObject({ code: -400, message: expect.stringContaining('name') });
    }
    expect((await person('RF94')).code).toBe(-22);
  });
  it('a flag as true/false, 1/0, "1"/"0", "true"/"false" is read as CVSecurity reads it; 2 or "abc" is -400 and stores nothing', async () => {
    const forms: Array<[unknown, boolean]> = [[true, true], [1, true], ['1', true], ['true', true], [false, false], [0, false], ['0', false], ['false', false]];
    let n = 70;
    for (const [sent, stored] of forms) {
      const pin = `RF${n++}`;
      expect(envelope(await t.post('/api/person/add', { pin, name: pin, isDisabled: sent }), String(sent)).code, String(sent)).toBe(0);
      expect((await t.get('/api/v2/person/get', { pin })).body.data.isDisabled, String(sent)).toBe(stored);
    }
    for (const sent of [2, 'abc']) expect(envelope(await t.post('/api/person/add', { pin: 'RF97', name: 'x', isDisabled: sent }), String(sent)).code).toBe(-400);
    expect((await person('RF97')).code).toBe(-22);
  });
  it('paging as strings, numbers or "1.0" pages alike; 0, negative, past Integer, missing and no number are -90/-92', async () => {
    const want = envelope(await send('GET', `/api/person/getPersonList?pageNo=1&pageSize=2&${q}`), 'canonical');
    expect(want.data).toHaveLength(2);
    expect(envelope(await send('GET', `/api/person/getPersonList?pageNo=1.0&pageSize=%202&${q}`), '1.0')).toEqual(want);
    const v2 = (body: string) => send('POST', `/api/v2/person/getPersonList?${q}`, JSON_TYPE, body);
    const v2Want = envelope(await v2('{"pageNo":1,"pageSize":2}'), 'v2 numbers');
    expect(envelope(await v2('{"pageNo":"1","pageSize":"2"}'), 'v2 strings')).toEqual(v2Want);
    for (const [query, code] of [['pageNo=0&pageSize=2', -90], ['pageNo=-1&pageSize=2', -90], ['pageNo=1&pageSize=0', -90], ['pageNo=abc&pageSize=2', -90],
      ['pageNo=2147483648&pageSize=2', -90], ['pageSize=2', -92], ['pageNo=&pageSize=', -92]] as const) {
      expect(envelope(await send('GET', `/api/person/getPersonList?${query}&${q}`), query).code, query).toBe(code);
    }
    // The transaction lists cap the page at 1000 (-91), as the manual's appendix says.
    expect(envelope(await send('GET', `/api/transaction/list?pageNo=1&pageSize=1001&${q}`), 'pageSize 1001').code).toBe(-91);
  });
  it('a level list as a comma string, a JSON array, repeated form keys or spaced commas assigns the same levels', async () => {
    const forms: Array<[string, string, Record<string, string>, string]> = [
      ['comma string', 'RF50', JSON_TYPE, JSON.stringify({ pin: 'RF50', levelIds: `${levelA},${levelB}` })],
      ['JSON array', 'RF51', JSON_TYPE, JSON.stringify({ pin: 'RF51', levelIds: [levelA, levelB] })],
      ['repeated form keys', 'RF52', { 'content-type': 'application/x-www-form-urlencoded' }, `pin=RF52&levelIds=${levelA}&levelIds=${levelB}`],
      ['spaces around commas', 'RF53', JSON_TYPE, JSON.stringify({ pin: 'RF53', levelIds: ` ${levelA} , ${levelB} ` })],
    ];
    for (const [label, pin, headers, body] of forms) {
      expect((await t.post('/api/person/add', { pin, name: pin })).body.code).toBe(0);
      expect(envelope(await send('POST', `/api/accLevel/addLevelPerson?${q}`, headers, body), label).code, label).toBe(0);
      expect(await levelsOf(pin), label).toEqual([levelA, levelB].sort());
    }
  });
  it('the dates the manual and clients write are stored as yyyy-MM-dd HH:mm:ss; one that is no date is -100', async () => {
    const forms: Array<[string, string]> = [
      ['2017-08-04 15:45:00', '2017-08-04 15:45:00'],
      ['2017-08-04', '2017-08-04 00:00:00'],
      ['2023-1-13 18:00:00', '2023-01-13 18:00:00'],
      [' 2019-06-10', '2019-06-10 00:00:00'],
      ['2017/08/04 15:45:00', '2017-08-04 15:45:00'],
      ['2017-08-04T15:45:00', '2017-08-04 15:45:00'],
      ['2017-08-04 15:45', '2017-08-04 15:45:00'],
    ];
    let n = 60;
    for (const [sent, stored] of forms) {
      const pin = `RF${n++}`;
      expect(envelope(await t.post('/api/person/add', { pin, name: pin, accStartTime: sent, accEndTime: '2030-01-01 00:00:00' }), sent).code, sent).toBe(0);
      expect((await t.get('/api/v2/person/get', { pin })).body.data.accStartTime, sent).toBe(stored);
    }
    for (const sent of ['garbage', '04/08/2017', '2017-02-30 10:00:00', '2017-08-04 25:00:00']) {
      expect(envelope(await t.post('/api/person/add', { pin: 'RF95', name: 'x', accStartTime: sent }), sent).code, sent).toBe(-100);
    }
    expect((await person('RF95')).code).toBe(-22);
  });
});

describe('the URL', () => {
  it('a trailing slash, doubled slashes, a ;jsessionid and a POST of a GET read answer as the canonical GET', async () => {
    const want = envelope(await send('GET', `/api/person/getPersonList?pageNo=1&pageSize=3&${q}`), 'canonical');
    for (const path of ['/api/person/getPersonList/', '/api//person/getPersonList', '//api/person/getPersonList', '/api/person/getPersonList;jsessionid=ABC']) {
      expect(envelope(await send('GET', `${path}?pageNo=1&pageSize=3&${q}`), path), path).toEqual(want);
    }
    expect(envelope(await send('POST', `/api/person/getPersonList?pageNo=1&pageSize=3&${q}`), 'POST')).toEqual(want);
  });
  it('another case, an unknown path and a method the path does not take are -404/-405 envelopes', async () => {
    for (const path of ['/api/person/getpersonlist', '/API/person/getPersonList', '/api/person/nope']) {
      expect(envelope(await send('GET', `${path}?pageNo=1&pageSize=3&${q}`, { accept: 'text/html' }), path).code, path).toBe(-404);
    }
    expect(envelope(await send('PUT', `/api/person/add?${q}`, JSON_TYPE, '{"pin":"RF96"}'), 'PUT').code).toBe(-405);
    // A write asked for by GET (a client that swapped the methods) is -405 and assigns nothing.
    expect(envelope(await send('GET', `/api/accLevel/syncPerson?pin=RF0&levelIds=${levelA}&${q}`), 'GET write').code).toBe(-405);
    expect(await levelsOf('RF0')).toEqual([]);
    expect(envelope(await send('GET', `/api/person/get/%E0%A4%A?${q}`), 'malformed escape').code).toBe(-400);
  });
  it('a key repeated with one value is that value; with two values it is -400 and changes nothing', async () => {
    const want = envelope(await send('GET', `/api/person/getPersonList?pageNo=1&pageSize=3&${q}`), 'canonical');
    expect(envelope(await send('GET', `/api/person/getPersonList?pageNo=1&pageNo=1&pageSize=3&${q}`), 'same')).toEqual(want);
    expect(envelope(await send('GET', `/api/person/getPersonList?pageNo=1&pageNo=2&pageSize=3&${q}`), 'differ').code).toBe(-400);
    expect(envelope(await send('POST', `/api/person/delete?pin=RF0&pin=RF1&${q}`), 'delete two').code).toBe(-400);
    expect((await person('RF0')).code).toBe(0);
    expect((await person('RF1')).code).toBe(0);
  });
});
