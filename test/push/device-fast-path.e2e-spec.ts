import * as http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dataUpdateUser } from '../../src/push/protocol';
import { DeviceFastPath, FAST_UPLOAD_MAX_BYTES, type FastExchange } from '../../src/push/device-fast-path';
import { connectedSim, enqueue } from './push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The idle poll and the one-event rtlog upload are served from node:http (device-fast-path.ts), before
 * Fastify and Nest: the same answers, the same guard, the same metrics; whatever is unusual goes to Fastify.
 * `serve` is watched to tell which way a request went.
 */

const KEY = 'fast-path-key';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on a fresh connection, with full control of the headers (chunked when `chunked`). */
function raw(t: TestApp, method: string, path: string, body?: string, headers: Record<string, string> = {}, chunked = false): Promise<Raw> {
  const u = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined && chunked) {
      req.write(body.slice(0, 10));
      req.end(body.slice(10));
    } else req.end(body);
  });
}

const line = (index: number, time = '2026-05-01 10:00:00') => `time=${time}\tpin=0\tcardno=${index}\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=${index}`;
const stored = async (t: TestApp, sn: string) =>
  (await t.ds.query(`SELECT a.log_id, count(*) FILTER (WHERE a.xid > 0)::int AS feed FROM acc_transaction a WHERE a.device_sn = $1 GROUP BY a.log_id ORDER BY a.log_id`, [sn])) as Array<{ log_id: number; feed: number }>;
const metric = (text: string, prefix: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);

describe('device fast path (no comm key)', () => {
  let t: TestApp;
  const served: boolean[] = [];
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    served.length = 0;
  });
  const watch = () => {
    const orig = DeviceFastPath.prototype.serve;
    vi.spyOn(DeviceFastPath.prototype, 'serve').mockImplementation(function (this: DeviceFastPath, x: FastExchange) {
      const r = orig.call(this, x);
      served.push(r);
      return r;
    });
  };

  it('answers an idle poll itself: plain text OK, Date, x-request-id, counted as an idle poll', async () => {
    const sim = await connectedSim(t, { sn: 'FAST-IDLE', doors: 1 });
    await sim.pollUntilIdle();
    const idlePolls = async () => metric((await t.request('GET', '/metrics')).text, 'cvgw_device_idle_polls_total');
    // A signal raised late by the registration's own work (its NOTIFY arrives when it arrives) sends one poll
    // to the queue, answered OK but not idle: the next one is idle.
    let counted = 0;
    for (let attempt = 0; attempt < 5 && counted !== 1; attempt++) {
      const before = await idlePolls();
      watch();
      const r = await raw(t, 'GET', '/iclock/getrequest?SN=FAST-IDLE', undefined, { 'x-request-id': 'poll-1' });
      expect(served).toEqual([true]);
      expect(r).toMatchObject({ status: 200, body: 'OK' });
      expect(r.headers['content-type']).toBe('text/plain;charset=UTF-8');
      expect(r.headers['x-request-id']).toBe('poll-1');
      expect(new Date(r.headers.date!).getTime()).toBeGreaterThan(Date.now() - 60_000);
      counted = (await idlePolls()) - before;
      vi.restoreAllMocks();
      served.length = 0;
    }
    expect(counted).toBe(1);
  });

  it('hands out queued commands on the fast path too', async () => {
    const sim = await connectedSim(t, { sn: 'FAST-CMD', doors: 1 });
    await enqueue(t, 'FAST-CMD', [dataUpdateUser({ pin: 7, name: 'Fast' })]);
    watch();
    const r = await raw(t, 'GET', '/iclock/getrequest?SN=FAST-CMD');
    expect(served).toEqual([true]);
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^C:\d+:DATA UPDATE user /);
    void sim;
  });

  it('stores a one-event rtlog upload exactly once with its feed row, answered OK after commit; a resend adds nothing', async () => {
    await connectedSim(t, { sn: 'FAST-RT', doors: 1 });
    const before = metric((await t.request('GET', '/metrics')).text, 'cvgw_http_requests_total{method="POST",route="/iclock/cdata",status="200"}');
    watch();
    const headers = { 'Content-Type': 'application/push;charset=UTF-8' };
    const r = await raw(t, 'POST', '/iclock/cdata?SN=FAST-RT&table=rtlog&Stamp=9999', line(1), headers);
    expect(r).toMatchObject({ status: 200, body: 'OK' });
    expect(await stored(t, 'FAST-RT')).toEqual([{ log_id: 1, feed: 1 }]);
    expect((await raw(t, 'POST', '/iclock/cdata?SN=FAST-RT&table=rtlog&Stamp=9999', line(1), headers)).body).toBe('OK');
    expect(await stored(t, 'FAST-RT')).toEqual([{ log_id: 1, feed: 1 }]);
    expect(served).toEqual([true, true]);
    expect(metric((await t.request('GET', '/metrics')).text, 'cvgw_http_requests_total{method="POST",route="/iclock/cdata",status="200"}')).toBe(before + 2);
  });

  it('leaves to Fastify what it does not take, answered the same: a POST poll, a chunked or large upload, no SN', async () => {
    await connectedSim(t, { sn: 'FAST-SLOW', doors: 1 });
    watch();
    expect((await raw(t, 'POST', '/iclock/getrequest?SN=FAST-SLOW', '')).body).toBe('OK');
    expect((await raw(t, 'POST', '/iclock/cdata?SN=FAST-SLOW&table=rtlog', line(2), { 'Content-Type': 'text/plain' }, true)).body).toBe('OK');
    const big = Array.from({ length: Math.ceil(FAST_UPLOAD_MAX_BYTES / 100) + 10 }, (_, i) => line(100 + i, `2026-05-01 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`)).join('\n');
    expect(Buffer.byteLength(big)).toBeGreaterThan(FAST_UPLOAD_MAX_BYTES);
    expect((await raw(t, 'POST', '/iclock/cdata?SN=FAST-SLOW&table=rtlog', big, { 'Content-Type': 'text/plain' })).body).toBe('OK');
    expect((await raw(t, 'GET', '/iclock/getrequest')).body).toBe('OK');
    // None is taken; the raw socket reader (raw-device-front.ts) asks first about the two it reads, then node:http's listener.
    expect(served.length).toBeGreaterThanOrEqual(4);
    expect(served).not.toContain(true);
    const logIds = (await stored(t, 'FAST-SLOW')).map((r) => r.log_id);
    expect(logIds.length).toBe(1 + big.split('\n').length);
    expect(logIds[0]).toBe(2);
  });

  it('refuses an over-long query string on the fast path (414, plain text)', async () => {
    watch();
    const r = await raw(t, 'GET', `/iclock/getrequest?SN=FAST-IDLE&x=${'a'.repeat(3000)}`);
    expect(served).toEqual([true]);
    expect(r.status).toBe(414);
    expect(r.body).toBe('ERROR: query string too long');
  });
});

describe('device fast path (comm key, upload limit)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ deviceCommKey: KEY, deviceUploadRateLimit: 3 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the comm key and the upload rate limit', async () => {
    const spy = vi.spyOn(DeviceFastPath.prototype, 'serve');
    const noKey = await raw(t, 'GET', '/iclock/getrequest?SN=FAST-KEY');
    expect(noKey.status).toBe(401);
    expect(noKey.body).toBe('ERROR: comm key missing or wrong');
    const upload = (i: number) => raw(t, 'POST', `/iclock/cdata?SN=FAST-KEY&table=rtlog&CommKey=${KEY}`, line(i), { 'Content-Type': 'text/plain' });
    expect((await raw(t, 'POST', '/iclock/cdata?SN=FAST-KEY&table=rtlog', line(1), { 'Content-Type': 'text/plain' })).status).toBe(401);
    const answers = [await upload(1), await upload(2), await upload(3), await upload(4)];
    expect(answers.slice(0, 3).map((a) => a.body)).toEqual(['OK', 'OK', 'OK']);
    expect(answers[3].status).toBe(503);
    expect(Number(answers[3].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(spy.mock.results.every((r) => r.value === true)).toBe(true);
    expect(spy).toHaveBeenCalledTimes(6);
    vi.restoreAllMocks();
  });
});
