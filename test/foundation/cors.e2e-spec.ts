import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, workerChromium } from '../console/browser';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

/**
 * A browser page of another origin (a visitor kiosk) calling /api with its token: the preflight is answered
 * before the token check, every /api answer may be read by any origin, and no credentials are invited.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const preflight = (path: string, headers: Record<string, string> = {}) =>
  t.request('OPTIONS', path, { headers: { origin: 'http://kiosk.example', 'access-control-request-method': 'POST', ...headers } });

describe('CORS on /api', () => {
  it('a preflight is 204 with the methods and the requested headers, without a token, on any /api path', async () => {
    for (const path of ['/api/visRegistration/add', '/api/person/delete/12', '/api/v2/person/getPersonList']) {
      const r = await preflight(path, { 'access-control-request-headers': 'content-type, api-key, authorization' });
      expect([path, r.status]).toEqual([path, 204]);
      expect(r.text).toBe('');
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(r.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, DELETE, OPTIONS');
      expect(r.headers.get('access-control-allow-headers')).toBe('content-type, api-key, authorization');
      expect(r.headers.get('access-control-max-age')).toBe('600');
      expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('a requested header list that is not header names is not echoed', async () => {
    const r = await preflight('/api/person/add', { 'access-control-request-headers': 'content-type, (x y)' });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('answers, successes and failures alike, carry Allow-Origin * and expose x-request-id when an Origin is sent', async () => {
    const origin = { origin: 'http://kiosk.example' };
    const ok = await t.request('GET', '/api/department/get/1', { query: { access_token: TEST_TOKEN }, headers: origin });
    expect(ok.body.code).toBe(0);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const refused = await t.request('GET', '/api/department/get/1', { headers: origin });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('*');
    const unknown = await t.request('GET', '/api/nothingHere/list', { query: { access_token: TEST_TOKEN }, headers: origin });
    expect(unknown.body.code).toBe(-404);
    expect(unknown.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('an OPTIONS that is no preflight, a call without Origin, the console and the device side get no CORS headers', async () => {
    const plain = await t.request('OPTIONS', '/api/person/add', { query: { access_token: TEST_TOKEN } });
    expect(plain.body).toMatchObject({ code: -405 });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
    const noOrigin = await t.get('/api/department/get/1');
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
    const consolePreflight = await t.request('OPTIONS', '/console/api/session', { headers: { origin: 'http://kiosk.example', 'access-control-request-method': 'POST' } });
    expect(consolePreflight.status).not.toBe(204);
    expect(consolePreflight.headers.get('access-control-allow-origin')).toBeNull();
    const device = await t.request('GET', '/iclock/cdata', { query: { SN: 'CORS000001', options: 'all' }, headers: { origin: 'http://kiosk.example' } });
    expect(device.headers.get('access-control-allow-origin')).toBeNull();
  });
});

const executable = chromiumPath();

describe.skipIf(!executable)('a kiosk page of another origin, in Chromium', () => {
  it('registers a visitor host with a JSON POST (preflighted) and reads the person back', { timeout: 60_000 }, async () => {
    // The page's own origin: another port is another origin.
    const page = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>kiosk</title>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    const ctx = await (await workerChromium(executable!)).newContext();
    try {
      const tab = await ctx.newPage();
      await tab.goto(pageUrl);
      const result = await tab.evaluate(
        async ({ base, token }) => {
          const add = await fetch(`${base}/api/person/add?access_token=${token}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ pin: '7700', name: 'Kiosk host' }),
          });
          const got = await fetch(`${base}/api/person/get/7700`, { headers: { 'api-key': token } });
          return { add: await add.json(), got: await got.json(), requestId: got.headers.get('x-request-id') };
        },
        { base: t.baseUrl, token: TEST_TOKEN },
      );
      expect(result.add).toEqual({ code: 0, message: 'success', data: null });
      expect(result.got).toMatchObject({ code: 0, data: { pin: '7700', name: 'Kiosk host' } });
      expect(result.requestId).toBeTruthy();
    } finally {
      await ctx.close();
      page.close();
    }
  });
});
