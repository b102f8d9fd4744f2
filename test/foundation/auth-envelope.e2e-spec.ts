import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SwaggerModule } from '@nestjs/swagger';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { ApiClientService } from '../../src/apiClient/api-client.service';
import { openApiDocumentOf } from '../../src/bootstrap';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('API tokens', () => {
  const path = '/api/department/get/1';

  it.each([
    ['access_token query parameter', { query: { access_token: TEST_TOKEN } }],
    ['acc_token query parameter', { query: { acc_token: TEST_TOKEN } }],
    ['api-key header', { headers: { 'api-key': TEST_TOKEN } }],
    ['ACCESS_TOKEN query parameter (any case of the name)', { query: { ACCESS_TOKEN: TEST_TOKEN } }],
    ['Access_Token query parameter', { query: { Access_Token: TEST_TOKEN } }],
    // Published integration summaries describe a Bearer token in the Authorization header; clients follow them.
    ['Authorization: Bearer header', { headers: { authorization: `Bearer ${TEST_TOKEN}` } }],
    ['Authorization: bearer header (scheme in any case)', { headers: { authorization: `bearer ${TEST_TOKEN}` } }],
    ['access_token header', { headers: { access_token: TEST_TOKEN } }],
    // "…or API key in the Authorization header": the key as the whole header value.
    ['key alone as the Authorization header', { headers: { authorization: TEST_TOKEN } }],
    ['query token beside a Basic Authorization header', { query: { access_token: TEST_TOKEN }, headers: { authorization: 'Basic amFnaWxyZW46VGVtcG9yYWwwMS5hYg==' } }],
  ])('accepts the %s', async (_name, init) => {
    const r = await t.request('GET', path, init);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ code: 0, message: 'success', data: { name: 'Department Name', code: '1', parentCode: null } });
  });

  it.each([
    ['missing', {}],
    ['wrong', { query: { access_token: 'not-the-token' } }],
    ['empty', { query: { access_token: '' } }],
    ['wrong-case (the value is compared as given)', { query: { ACCESS_TOKEN: TEST_TOKEN.toUpperCase() } }],
    ['wrong Bearer', { headers: { authorization: 'Bearer not-the-token' } }],
    ['Basic Authorization header (not a token)', { headers: { authorization: `Basic ${TEST_TOKEN}` } }],
    ['bare Authorization header (no scheme) with a wrong key', { headers: { authorization: 'not-the-token' } }],
  ])('refuses a %s token without data', async (_name, init) => {
    const r = await t.request('GET', path, init);
    expect(r.status).toBe(401);
    expect(r.body.code).toBeLessThan(0);
    expect(r.body.data).toBeNull();
    expect(Object.keys(r.body).sort()).toEqual(['code', 'data', 'message']);
  });

  // Java's HttpURLConnection posts its parameters as a form, token included: Spring reads them all alike.
  const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
  it('accepts the token in an urlencoded form body, beside the inputs, and never as an input', async () => {
    const add = await t.request('POST', '/api/department/add', { body: `code=F1&name=Form&access_token=${TEST_TOKEN}`, headers: FORM });
    expect(add.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/department/get/F1')).body.data).toEqual({ name: 'Form', code: 'F1', parentCode: null });
    const upper = await t.request('POST', '/api/department/add', { body: `code=F2&name=Form2&ACCESS_TOKEN=${TEST_TOKEN}`, headers: FORM });
    expect(upper.body.code).toBe(0);
    // A multipart form (PHP's curl with an array body) the same way.
    const field = (name: string, value: string) => `--B0undary\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const multipart = field('code', 'F4') + field('name', 'Parts') + field('access_token', TEST_TOKEN) + '--B0undary--\r\n';
    const parts = await t.request('POST', '/api/department/add', { body: multipart, headers: { 'content-type': 'multipart/form-data; boundary=B0undary' } });
    expect(parts.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/department/get/F4')).body.data).toEqual({ name: 'Parts', code: 'F4', parentCode: null });
  });

  // Integrators who send every POST input as JSON put the token there too; it is checked as anywhere else.
  it('accepts the token in a JSON body (any case of its name, any label), and never as an input', async () => {
    const JSON_TYPE = { 'content-type': 'application/json' };
    const add = await t.request('POST', '/api/department/add', { body: JSON.stringify({ code: 'J1', name: 'Json', access_token: TEST_TOKEN }), headers: JSON_TYPE });
    expect(add.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/department/get/J1')).body.data).toEqual({ name: 'Json', code: 'J1', parentCode: null });
    const upper = await t.request('POST', '/api/department/add', { body: JSON.stringify({ code: 'J2', name: 'Json2', ACCESS_TOKEN: TEST_TOKEN }), headers: JSON_TYPE });
    expect(upper.body.code).toBe(0);
    const unlabelled = await t.request('POST', '/api/department/add', { body: JSON.stringify({ code: 'J3', name: 'Json3', acc_token: TEST_TOKEN }), headers: { 'content-type': 'text/plain' } });
    expect(unlabelled.body.code).toBe(0);
    // A person, whose DTO takes many fields, reads the token as no field of the person.
    const person = await t.request('POST', '/api/person/add', { body: JSON.stringify({ pin: 'json-token', name: 'Jay', access_token: TEST_TOKEN }), headers: JSON_TYPE });
    expect(person.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/person/get/json-token')).body.data).toMatchObject({ pin: 'json-token', name: 'Jay' });
  });

  it.each([
    ['a wrong token in a form body', `code=F3&name=X&access_token=not-the-token`, FORM],
    ['a wrong token in a JSON body', JSON.stringify({ code: 'F3', name: 'X', access_token: 'not-the-token' }), { 'content-type': 'application/json' }],
  ])('refuses %s', async (_name, body, headers) => {
    const r = await t.request('POST', '/api/department/add', { body, headers });
    expect([r.status, r.body.code, r.body.data]).toEqual([401, -401, null]);
    expect((await t.get('/api/department/get/F3')).body.code).toBe(-13);
  });

  it('refuses a revoked client at once for a new token and within seconds for a cached one', async () => {
    const clients = t.app.get(ApiClientService);
    const { token } = (await clients.create('revoke-me'))!;
    expect((await t.request('GET', path, { query: { access_token: token } })).body.code).toBe(0);
    await clients.revoke('revoke-me');
    expect((await t.request('GET', path, { query: { access_token: token } })).status).toBe(401);
  });

  it('seeds the API_TOKEN client when other processes seed it at the same moment (gateways starting together on one database)', async () => {
    const clients = t.app.get(ApiClientService);
    const token = 'seed-race-token-123';
    // Each round starts from no row and seeds it from several connections at once, as processes starting together do.
    for (let round = 0; round < 30; round++) {
      await t.ds.query(`DELETE FROM api_client WHERE name = 'API_TOKEN'`);
      await expect(Promise.all(Array.from({ length: 6 }, () => clients.seed(token)))).resolves.toHaveLength(6);
    }
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM api_client WHERE name = 'API_TOKEN'`)).toEqual([{ n: 1 }]);
    expect((await t.request('GET', path, { query: { access_token: token } })).body.code).toBe(0);
    await clients.seed(TEST_TOKEN); // the other tests' token, as the test app seeded it
  });
});

describe('the envelope', () => {
  it('has code, message and data on success', async () => {
    const r = await t.post('/api/department/add', { code: 'env-1', name: 'Envelope' });
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
  });

  it('names each bad field in a validation error', async () => {
    const r = await t.post('/api/department/add', { code: 'x-1' });
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(-10);
    expect(r.body.message).toMatch(/name/);
    expect(r.body.data).toBeNull();
  });

  it('refuses an unknown route with an envelope and no token in the message', async () => {
    const r = await t.get('/api/noSuchModule/list');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ code: -404, message: 'No such endpoint: GET /api/noSuchModule/list', data: null });
    expect(r.text).not.toContain(TEST_TOKEN);
  });

  it('answers a served path asked with another method -405, naming the methods to use', async () => {
    const add = await t.get('/api/person/add', { pin: 1 });
    expect([add.status, add.body]).toEqual([405, { code: -405, message: 'GET is not served at /api/person/add: use POST', data: null }]);
    expect(add.headers.get('allow')).toBe('POST');
    // In the forms the routes take: the pin as a path segment or in the query. A read is served as GET and
    // POST (read-forms.ts), so a PUT names both.
    for (const path of ['/api/person/get/1', '/api/person/get?pin=1']) {
      const r = await t.request('PUT', path, { query: { access_token: TEST_TOKEN } });
      expect([r.status, r.body.code, r.body.message]).toEqual([405, -405, 'PUT is not served at /api/person/get: use GET or POST'.replace('/api/person/get', path.split('?')[0])]);
    }
    expect((await t.get('/api/person/delete/1')).body.message).toBe('GET is not served at /api/person/delete/1: use DELETE or POST');
    expect(add.text).not.toContain(TEST_TOKEN);
  });

  it('answers malformed JSON with an envelope', async () => {
    const r = await t.request('POST', '/api/department/add', {
      query: { access_token: TEST_TOKEN },
      body: '{"code": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: -400, message: 'Request body is not valid JSON', data: null });
  });

  it('answers an oversize body with an envelope', async () => {
    const r = await t.request('POST', '/api/department/add', {
      query: { access_token: TEST_TOKEN },
      body: JSON.stringify({ code: 'big', name: 'x'.repeat(11 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(413);
    expect(r.body.code).toBe(-413);
    expect(r.body.data).toBeNull();
  });

  it('accepts POST inputs from the query string with an empty or null JSON body', async () => {
    const a = await t.request('POST', '/api/department/add', {
      query: { access_token: TEST_TOKEN, code: 'q-1', name: 'From query' },
      body: 'null',
      headers: { 'content-type': 'application/json' },
    });
    expect(a.body.code).toBe(0);
    const b = await t.request('POST', '/api/department/add', {
      query: { access_token: TEST_TOKEN, code: 'q-2', name: 'Empty body' },
      body: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(b.body.code).toBe(0);
    expect((await t.get('/api/department/get/q-2')).body.data.name).toBe('Empty body');
  });

  it('maps a database conflict to an envelope, not a 500', async () => {
    const ds = t.app.get(DataSource);
    await expect(ds.query(`INSERT INTO department (id, code, name) VALUES (md5('a'), '1', 'dup')`)).rejects.toThrow();
  });
});

describe('health', () => {
  it('answers 200 when the database answers', async () => {
    const r = await t.request('GET', '/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok', database: 'up' });
  });
});

describe('swagger', () => {
  it('serves the UI and the JSON document', async () => {
    expect((await t.request('GET', '/api-docs')).status).toBe(200);
    const doc = await t.request('GET', '/api-docs-json');
    expect(doc.body.paths['/api/department/add'].post).toBeDefined();
  });

  it('builds the document at the first request for it, once, not at every start', async () => {
    // Building it walks every route and DTO (a quarter of a second): a start that nobody asks /api-docs of skips it.
    const setup = SwaggerModule.setup.bind(SwaggerModule);
    let kind = '';
    let builds = 0;
    const spy = vi.spyOn(SwaggerModule, 'setup').mockImplementation((p, app, doc, options) => {
      kind = typeof doc;
      setup(p, app, typeof doc === 'function' ? () => (builds++, doc()) : doc, options);
    });
    let app: TestApp | undefined;
    try {
      app = await startTestApp();
      expect(kind).toBe('function');
      expect(builds).toBe(0);
      const json = await app.request('GET', '/api-docs-json');
      expect(json.body.paths['/api/department/add'].post).toBeDefined();
      expect((await app.request('GET', '/api-docs-yaml')).status).toBe(200);
      expect((await app.request('GET', '/api-docs')).status).toBe(200);
      expect(builds).toBe(1);
      // The same document the openapi command writes (openapi/openapi.json is checked against that one).
      expect(json.body).toEqual(JSON.parse(JSON.stringify(openApiDocumentOf(app.app))));
    } finally {
      spy.mockRestore();
      await app?.close();
    }
  });
});

describe('the access log', () => {
  it('writes one line per request with the token redacted', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const logged = await startTestApp({}, { logger });
    try {
      await logged.get('/api/department/get/1');
      await logged.request('GET', '/api/department/get/1', { query: { acc_token: TEST_TOKEN } });
      const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
      expect(access).toHaveLength(2);
      expect(access[0]).toMatchObject({ method: 'GET', status: 200, url: '/api/department/get/1?access_token=[REDACTED]' });
      expect(access[1].url).toBe('/api/department/get/1?acc_token=[REDACTED]');
      expect(typeof access[0].reqId).toBe('string');
      expect(lines.join('\n')).not.toContain(TEST_TOKEN);
    } finally {
      await logged.close();
    }
  });
});
