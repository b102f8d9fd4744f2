import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

/**
 * Clients that send a read's inputs as a GET body (.NET HttpClient, Postman): Fastify reads no GET body, so the
 * inputs were dropped and GET v2/person/getPersonList with {"pins": "G1"} answered code 0 with every person.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  for (const pin of ['G1', 'G2', 'G3']) expect((await t.post('/api/person/add', { pin, name: `Name ${pin}` })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

function get(path: string, body: string | undefined, contentType: string | undefined, query: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const u = new URL(path, t.baseUrl);
  for (const [k, v] of Object.entries({ access_token: TEST_TOKEN, ...query })) u.searchParams.set(k, v);
  const headers: Record<string, string | number> = {};
  if (contentType) headers['content-type'] = contentType;
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = http.request(u, { method: 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pins = (r: { body: any }) => (Array.isArray(r.body.data) ? r.body.data : r.body.data.data).map((p: { pin: string }) => p.pin);

describe('a GET body carries the inputs as a POST body does', () => {
  it('getPersonList (v1 and v2) under GET with a JSON body answers the persons asked for, not every person', async () => {
    const v2 = await get('/api/v2/person/getPersonList', JSON.stringify({ pins: 'G1', pageNo: 1, pageSize: 10 }), 'application/json');
    expect(v2.body).toMatchObject({ code: 0, data: { total: 1 } });
    expect(pins(v2)).toEqual(['G1']);
    expect(pins(await get('/api/person/getPersonList', JSON.stringify({ pins: 'G2,G3', pageNo: 1, pageSize: 10 }), 'application/json'))).toEqual(['G2', 'G3']);
  });

  it('a GET read whose manual input is a query parameter takes it from the body too; query and body merge', async () => {
    expect((await get('/api/v2/person/get', JSON.stringify({ pin: 'G2' }), 'application/json')).body).toMatchObject({ code: 0, data: { pin: 'G2', name: 'Name G2' } });
    expect(pins(await get('/api/v2/person/getPersonList', JSON.stringify({ pins: 'G3' }), 'application/json', { pageNo: '1', pageSize: '5' }))).toEqual(['G3']);
    // A form body, and JSON under text/plain, as for a POST.
    expect(pins(await get('/api/v2/person/getPersonList', 'pins=G1&pageNo=1&pageSize=5', 'application/x-www-form-urlencoded'))).toEqual(['G1']);
    expect(pins(await get('/api/v2/person/getPersonList', JSON.stringify({ pins: 'G2', pageNo: 1, pageSize: 5 }), 'text/plain'))).toEqual(['G2']);
  });

  it('a GET without a body, or with a JSON type and no body, reads the query as before', async () => {
    expect((await get('/api/v2/person/get', undefined, 'application/json', { pin: 'G1' })).body).toMatchObject({ code: 0, data: { pin: 'G1' } });
    expect((await get('/api/v2/person/get', '', 'application/json', { pin: 'G1' })).body).toMatchObject({ code: 0, data: { pin: 'G1' } });
    expect((await get('/api/v2/person/get', undefined, undefined, { pin: 'G3' })).body).toMatchObject({ code: 0, data: { pin: 'G3' } });
  });

  it('a GET body that is not JSON, or of a refused shape, is -400 as a POST body would be, never a 5xx', async () => {
    expect(await get('/api/v2/person/get', '{"pin": ', 'application/json')).toEqual({ status: 400, body: { code: -400, message: 'Request body is not valid JSON', data: null } });
    const deep = `{"pin":"G1","x":${'['.repeat(3000)}${']'.repeat(3000)}}`;
    expect(await get('/api/v2/person/get', deep, 'application/json')).toEqual({ status: 400, body: { code: -400, message: 'Request body nests arrays or objects more than 64 levels deep', data: null } });
    expect((await get('/api/v2/person/get', undefined, undefined, { pin: 'G1' })).body.code).toBe(0);
  });
});
