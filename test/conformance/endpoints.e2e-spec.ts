import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualEndpoints, type ManualEndpoint } from '../door/cv-examples';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  buildFixture,
  callManual,
  expectEnvelope,
  expectRetMsg,
  expectRouted,
  fillPath,
  pathVariants,
  printedRequestPath,
  servedEndpoints,
  SERVED_MODULES,
  unsupportedEndpoints,
} from './conformance-support';

/**
 * Every endpoint of cvsecurity-api.json, called the manual's way (method, printed path, likelyPath and every
 * routeAlias, with the example's parameters and body): the served ones are routed and answer the envelope,
 * never a 5xx; the modules the gateway does not serve answer a clear -501 failure.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  // Real data makes the calls below reach their services' success paths, not only their "not found" ones.
  await buildFixture(t);
});
afterAll(async () => {
  await t?.close();
});

const label = (e: ManualEndpoint, path: string) => `${e.section} ${e.method} ${path}`;
const served = servedEndpoints().flatMap((e) => pathVariants(e).map((p) => [label(e, p), e, p] as const));

describe('the catalogue', () => {
  it('has the 133 endpoints, and every module is served', () => {
    expect(manualEndpoints()).toHaveLength(133);
    const modules = [...new Set(manualEndpoints().map((e) => e.module))];
    expect(modules.filter((m) => SERVED_MODULES.has(m)).sort()).toEqual([...SERVED_MODULES].sort());
    expect(servedEndpoints().length + unsupportedEndpoints().length).toBe(133);
    // Every variant of every endpoint is called below.
    expect(served.length).toBeGreaterThanOrEqual(servedEndpoints().length);
  });
});

describe('served endpoints: routed, enveloped, never a 5xx', () => {
  it.each(served)('%s', async (name, e, path) => {
    const res = await callManual(t, e, fillPath(e, path));
    expectRouted(res, name);
    if (e.response.envelope.startsWith('ret/msg')) expectRetMsg(res, name);
    else expectEnvelope(res, name);
  });

  it.each(servedEndpoints().map((e) => [`${e.section} ${e.method} ${e.printedUrl}`, e] as const))('%s, the printed URL as is', async (name, e) => {
    const body = e.body?.example;
    const res = await fetch(new URL(printedRequestPath(e, t.config.apiToken!), t.baseUrl), {
      method: e.method,
      ...(body === undefined || body === null || e.method === 'GET' ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    const parsed = { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
    expectRouted(parsed, name);
    if (e.response.envelope.startsWith('ret/msg')) expectRetMsg(parsed, name);
    else expectEnvelope(parsed, name);
    // The token was read wherever the manual prints it (acc_token in 2.18.1/2.18.2).
    expect(parsed.status, name).not.toBe(401);
  });

  it.each(served.filter(([, e]) => e.method === 'POST'))('%s also with the inputs in the query and no body', async (name, e, path) => {
    const body = e.body?.example;
    const query = body && typeof body === 'object' && !Array.isArray(body) ? Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v !== 'object')) : {};
    const res = await t.request('POST', fillPath(e, path), { query: { access_token: t.config.apiToken, ...query } });
    expectRouted(res, name);
    if (e.response.envelope.startsWith('ret/msg')) expectRetMsg(res, name);
    else expectEnvelope(res, name);
  });
});

describe('every module of the manual is served', () => {
  it('no endpoint of the manual answers -501; an unknown path under a served module is "no such endpoint"', async () => {
    expect(unsupportedEndpoints()).toEqual([]);
    for (const [method, path] of [
      ['PUT', '/api/floor/anything/below'],
      ['POST', '/api/psgTransaction/anything'],
      ['PUT', '/api/attApply/anything/below'],
    ] as const) {
      const res = await t.request(method, path, { query: { access_token: t.config.apiToken } });
      expect(res.body, `${method} ${path}`).toMatchObject({ code: -404, data: null });
    }
    // The manual's typo of 2.30.1 is served like the intended path.
    expect((await t.get('/api/psgdDvice/list', { pageNo: 1, pageSize: 10 })).body.code).toBe(0);
  });

  it('still checks the token first', async () => {
    const res = await t.request('GET', '/api/eleLevel/list', { query: { pageNo: 1, pageSize: 10 } });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: -401, data: null });
    expect((await t.get('/api/nothingHere/list')).body).toMatchObject({ code: -404, message: 'No such endpoint: GET /api/nothingHere/list', data: null });
  });
});

describe('authentication', () => {
  const sample = ['2.1.4', '2.13.1', '2.13.2', '2.11.8', '2.18.3', '2.18.10', '2.25.4', '2.31.1'];
  it.each(sample)('%s without a token: a negative code and no data, never a success', async (section) => {
    const e = manualEndpoints().find((x) => x.section === section)!;
    // 2.18.10-2.18.12 fail in their own envelope: {"ret":"fail","msg":...,"data":null,"i18nArgs":null}.
    const failed = (body: any) => (e.response.envelope.startsWith('ret/msg') ? body.ret === 'fail' && body.success !== true : body.code < 0);
    const res = await callManual(t, e, fillPath(e, e.likelyPath), { token: false });
    expect(res.status).toBe(401);
    expect(failed(res.body), res.text).toBe(true);
    expect(res.body.data).toBeNull();
    const wrong = await callManual(t, e, fillPath(e, e.likelyPath), { token: false, query: { access_token: 'not-a-token' } });
    expect(failed(wrong.body), wrong.text).toBe(true);
    expect(wrong.body.data).toBeNull();
  });

  it('takes the token as access_token, acc_token (2.18.1 prints it) or an api-key header', async () => {
    const token = t.config.apiToken!;
    const q = { pageNo: 1, pageSize: 1 };
    await expect(t.request('GET', '/api/transaction/device/CONF00000001', { query: { ...q, acc_token: token } }).then((r) => r.body.code)).resolves.toBe(0);
    await expect(t.request('GET', '/api/accLevel/list', { query: q, headers: { 'api-key': token } }).then((r) => r.body.code)).resolves.toBe(0);
  });
});
