import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClientService } from '../../src/apiClient/api-client.service';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ apiRateLimit: 5, apiIpRateLimit: 1000, authFailureLimit: 3 });
});
afterAll(async () => {
  await t?.close();
});

describe('REST abuse limits', () => {
  it('throttles wrong-token guesses per address with a CVSecurity-style error', async () => {
    expect((await t.get('/api/department/get/1')).status).toBe(200);
    const guess = (token: string) => t.request('GET', '/api/department/get/1', { query: { access_token: token } });
    for (let i = 0; i < 3; i++) expect((await guess(`wrong-${i}`)).status).toBe(401);
    const throttled = await guess('wrong-again');
    expect(throttled.status).toBe(429);
    expect(throttled.body).toEqual({ code: -429, message: 'Too many failed authentication attempts from this address; retry later', data: null });
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // A token verified before the guessing started keeps working from that address.
    expect((await t.get('/api/department/get/1')).status).toBe(200);
  });

  it('limits requests per API client', async () => {
    const { token } = (await t.app.get(ApiClientService).create('bursty'))!;
    await t.app.get(ApiClientService).verify(token);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.request('GET', '/api/department/get/1', { query: { access_token: token } })).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Another client is not affected.
    expect((await t.request('GET', '/api/department/get/1', { headers: { 'api-key': TEST_TOKEN } })).status).not.toBe(429);
  });
});
