import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type HttpResult, type TestApp } from '../support/test-app';

/**
 * A list sent as a form body's repeated key (`pins=1&pins=2`: Java's and .NET's form encoders, `curl -d pins=1 -d
 * pins=2`, a multipart form with two `pins` parts), or by PHP's indexed keys (`pins[0]=1&pins[1]=2`, as
 * http_build_query and Guzzle write an array), is the whole list, as the same key repeated in the query is
 * (client-forms.ts). Before, a form body kept only a repeated key's last value: `v2/person/deleteByPins` deleted
 * the last pin and answered success for all of them; and indexed keys were dropped, so a filtered list answered
 * every person. Form text sent with no Content-Type (Python's requests with a string body) or as text/plain (fetch
 * with a string body) was dropped, answered -20 "Pin number cannot be empty"; it is read as a form.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  for (const pin of ['7101', '7102', '7103', '7104']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

const form = (method: string, path: string, body: string, query: Record<string, unknown> = {}): Promise<HttpResult> =>
  t.request(method, path, { query: { access_token: TEST_TOKEN, ...query }, body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

const exists = async (pin: string) => (await t.get(`/api/person/get/${pin}`)).body.code === 0;
const pinsOf = (r: HttpResult): string[] => (Array.isArray(r.body.data) ? r.body.data : r.body.data.data).map((p: { pin: string }) => p.pin).sort();

describe('a list field repeated in a form body', () => {
  it('v2/person/getPersonList and person/getPersonList select every pin of the form', async () => {
    const v2 = await form('POST', '/api/v2/person/getPersonList', 'pins=7101&pins=7102', { pageNo: 1, pageSize: 10 });
    expect(v2.body.code).toBe(0);
    expect(pinsOf(v2)).toEqual(['7101', '7102']);
    expect(v2.body.data.total).toBe(2);
    const v1 = await form('POST', '/api/person/getPersonList', 'pins=7101&pins=7103&pageNo=1&pageSize=10');
    expect(v1.body.code).toBe(0);
    expect(pinsOf(v1)).toEqual(['7101', '7103']);
    // name[] repeated in the body, as jQuery's $.param writes an array.
    const brackets = await form('POST', '/api/v2/person/getPersonList', 'pins%5B%5D=7102&pins%5B%5D=7103', { pageNo: 1, pageSize: 10 });
    expect(pinsOf(brackets)).toEqual(['7102', '7103']);
  });

  it('a form in a declared charset other than UTF-8 keeps every value too', async () => {
    const r = await t.request('POST', '/api/v2/person/getPersonList', {
      query: { access_token: TEST_TOKEN, pageNo: 1, pageSize: 10 },
      body: 'pins=7101&pins=7104',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=GBK' },
    });
    expect(pinsOf(r)).toEqual(['7101', '7104']);
  });

  it('a multipart form with the key in two parts selects both', async () => {
    const fd = new FormData();
    fd.append('pins', '7102');
    fd.append('pins', '7104');
    fd.append('pageNo', '1');
    fd.append('pageSize', '10');
    const res = await fetch(`${t.baseUrl}/api/person/getPersonList?access_token=${TEST_TOKEN}`, { method: 'POST', body: fd });
    const body = (await res.json()) as { code: number; data: Array<{ pin: string }> };
    expect(body.code).toBe(0);
    expect(body.data.map((p) => p.pin).sort()).toEqual(['7102', '7104']);
  });

  it('v2/person/deleteByPins deletes every pin of the form, not only the last', async () => {
    await t.post('/api/person/add', { pin: '7201', name: 'D1' });
    await t.post('/api/person/add', { pin: '7202', name: 'D2' });
    const r = await form('POST', '/api/v2/person/deleteByPins', 'pins=7201&pins=7202');
    expect(r.body.code).toBe(0);
    expect(await exists('7201')).toBe(false);
    expect(await exists('7202')).toBe(false);
  });

  it('a field that is no list, repeated in a form body with values that differ, is refused (as in the query); repeats that agree are that value', async () => {
    // It took the last value: a person named Second, and page 1 of a call that also asked for page 9.
    const r = await form('POST', '/api/person/add', 'pin=7301&name=First&name=Second');
    expect(r.body).toEqual({ code: -400, message: 'name takes one value, but was sent 2 times with different values ("First", "Second")', data: null });
    expect((await t.get('/api/person/get/7301')).body.code).not.toBe(0);
    expect((await form('POST', '/api/person/getPersonList', 'pins=7101&pageNo=9&pageNo=1&pageSize=10')).body.code).toBe(-400);
    expect((await form('POST', '/api/person/add', 'pin=7301&name=Second&name=Second')).body.code).toBe(0);
    expect((await t.get('/api/person/get/7301')).body.data.name).toBe('Second');
    const paged = await form('POST', '/api/person/getPersonList', 'pins=7101&pageNo=1&pageNo=1&pageSize=10');
    expect(pinsOf(paged)).toEqual(['7101']);
  });
});

describe("PHP's indexed list keys, pins[0]=…&pins[1]=…", () => {
  it('in the query select those pins, not every person', async () => {
    const r = await t.post('/api/v2/person/getPersonList', undefined, { pageNo: 1, pageSize: 10, 'pins[1]': '7103', 'pins[0]': '7102' });
    expect(r.body.code).toBe(0);
    expect(r.body.data.total).toBe(2);
    expect(pinsOf(r)).toEqual(['7102', '7103']);
  });

  it('in a form body select those pins, and deleteByPins deletes them', async () => {
    const r = await form('POST', '/api/person/getPersonList', 'pins%5B0%5D=7101&pins%5B1%5D=7104&pageNo=1&pageSize=10');
    expect(pinsOf(r)).toEqual(['7101', '7104']);
    await t.post('/api/person/add', { pin: '7211', name: 'E1' });
    await t.post('/api/person/add', { pin: '7212', name: 'E2' });
    const del = await form('POST', '/api/v2/person/deleteByPins', 'pins%5B0%5D=7211&pins%5B1%5D=7212');
    expect(del.body.code).toBe(0);
    expect(await exists('7211')).toBe(false);
    expect(await exists('7212')).toBe(false);
  });
});

describe('form text without a form content type', () => {
  /** A POST through node:http, so that no Content-Type is added (fetch adds text/plain to a string body). */
  function postWithoutType(path: string, body: string): Promise<{ status: number; body: any }> {
    const url = new URL(`${t.baseUrl}${path}?access_token=${TEST_TOKEN}`);
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('with no Content-Type (Python requests.post(url, data="pin=…&name=…")) is read as a form, not answered -20', async () => {
    const r = await postWithoutType('/api/person/add', 'pin=7401&name=No+Type&deptCode=1');
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/person/get/7401')).body.data).toMatchObject({ pin: '7401', name: 'No Type' });
  });

  it('as text/plain (fetch with a string body) is read as a form too', async () => {
    const r = await t.request('POST', '/api/person/add', { query: { access_token: TEST_TOKEN }, body: 'pin=7402&name=Plain%20Text' });
    expect(r.body.code).toBe(0);
    expect((await t.get('/api/person/get/7402')).body.data.name).toBe('Plain Text');
    const list = await t.request('POST', '/api/person/getPersonList', { query: { access_token: TEST_TOKEN }, body: 'pins=7401&pins=7402&pageNo=1&pageSize=10', headers: { 'content-type': 'text/plain' } });
    expect(pinsOf(list)).toEqual(['7401', '7402']);
  });

  it('other text under text/plain is still no input: pin empty (-20), nothing stored', async () => {
    const r = await t.request('POST', '/api/person/add', { query: { access_token: TEST_TOKEN }, body: 'pin 7403 name x', headers: { 'content-type': 'text/plain' } });
    expect(r.body.code).toBe(-20);
  });
});
