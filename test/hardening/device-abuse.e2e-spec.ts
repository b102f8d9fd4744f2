import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataUpdateUser } from '../../src/push/protocol';
import { commandsOf, connectedSim, enqueue, settingsOf, sleep } from '../push/push-helpers';
import { DeviceSimulator } from '../simulator/device-simulator';
import type { FetchLike } from '../simulator/http';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';

/**
 * Abuse resistance on the device side: what a device that is not admitted gets, body and query
 * bounds, the per-device upload rate limit, a second device claiming an admitted SN from another address,
 * and the optional comm key. Other addresses are other loopback addresses (127.0.0.2, ...).
 */

/** The simulator's transport from a given local address, optionally adding headers to every request. */
function fetchFrom(localAddress: string, extra: Record<string, string> = {}): FetchLike {
  return (input, init = {}) =>
    new Promise((resolve, reject) => {
      const u = new URL(input);
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method ?? 'GET', headers: { ...init.headers, ...extra }, localAddress, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: { forEach: (cb) => Object.entries(res.headers).forEach(([k, v]) => v !== undefined && cb(Array.isArray(v) ? v.join(', ') : v, k)) },
              text: async () => text,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(init.body === undefined ? undefined : Buffer.from(init.body));
    });
}

const rtlogLine = (index: number) => `time=2026-05-01 10:00:00\tpin=0\tcardno=${index}\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=${index}`;
const storedEvents = async (t: TestApp, sn: string) => (await t.ds.query(`SELECT log_id FROM acc_transaction WHERE device_sn = $1 ORDER BY log_id`, [sn])).map((r: { log_id: number }) => r.log_id);

describe('refuse (defaults), with a low upload limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ deviceUploadRateLimit: 60 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives a device that is not admitted nothing: no registration, no commands, nothing stored', async () => {
    // (A pending device under DEVICE_ADMISSION=manual: test/push/registration.e2e-spec.ts.)
    const sim = await connectedSim(t, { sn: 'ABUSE-OFF', doors: 1 });
    expect((await t.post('/api/gateway/devices/ABUSE-OFF/disable')).body.code).toBe(0);
    await enqueue(t, 'ABUSE-OFF', [dataUpdateUser({ pin: 1, name: 'Nobody' })]);
    expect((await sim.handshake()).body).toBe('OK');
    expect((await sim.register()).body).toBe('406');
    const poll = await sim.uploadRaw('/iclock/getrequest', {});
    expect([poll.status, poll.body]).toEqual([200, 'OK']);
    // Its events are not acknowledged, so the panel keeps them for when it is enabled again.
    expect((await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, rtlogLine(1))).body).toBe('ERROR: device ABUSE-OFF is not admitted');
    expect(await storedEvents(t, 'ABUSE-OFF')).toEqual([]);
    expect((await commandsOf(t, 'ABUSE-OFF')).map((c) => c.state)).toEqual(['pending']);
  });

  it('bounds bodies (10 MB) and query strings (2 KB) on every device route, in plain text', async () => {
    const sim = await connectedSim(t, { sn: 'ABUSE-BIG', doors: 1 });
    const big = 'x'.repeat(10 * 1024 * 1024 + 10);
    for (const path of ['/iclock/devicecmd', '/iclock/getrequest', '/iclock/registry']) {
      const r = await sim.uploadRaw(path, {}, big);
      expect(r.status).toBe(413);
      expect(r.body).toMatch(/^ERROR: /);
    }
    const long = await sim.uploadRaw('/iclock/getrequest', `SN=ABUSE-BIG&junk=${'y'.repeat(3000)}`);
    expect([long.status, long.body]).toEqual([414, 'ERROR: query string too long']);
    expect(long.headers['content-type']).toBe('text/plain;charset=UTF-8');
    // An SN over 64 characters is no SN: answered, never recorded.
    const sn = 'Z'.repeat(65);
    expect((await new DeviceSimulator({ baseUrl: t.baseUrl, sn }).handshake()).body).toBe('OK');
    expect(await t.ds.query(`SELECT 1 FROM device WHERE sn = $1`, [sn])).toEqual([]);
  });

  it('refuses an upload or command result without a usable SN (400, plain text, counted), so the firmware keeps it; a poll without one is answered', async () => {
    const before = Number(/^cvgw_device_requests_refused_total\{reason="no_sn"\} (\d+)/m.exec((await t.request('GET', '/metrics')).text)?.[1] ?? 0);
    const punch = '1\t2026-05-01 08:00:00\t0\t1\t0\t0\t0\n';
    for (const [path, body] of [
      ['/iclock/cdata?table=ATTLOG&Stamp=1', punch],
      ['/iclock/cdata?table=rtlog', rtlogLine(1)],
      ['/iclock/fdata?table=ATTPHOTO', 'PIN=20260501080000-1.jpg\nSN=X\0AAAA'],
      ['/iclock/cdata.aspx?SN=&table=ATTLOG', punch],
      [`/iclock/cdata?SN=${'Z'.repeat(65)}&table=ATTLOG`, punch],
      ['/iclock/querydata?type=options&tablename=options', 'Delay=10'],
      ['/iclock/devicecmd', 'ID=1&Return=0&CMD=DATA'],
    ] as const) {
      const r = await fetch(new URL(path, t.baseUrl), { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } });
      expect([path, r.status, await r.text()]).toEqual([path, 400, 'ERROR: SN missing or not a serial number']);
      expect(r.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    }
    const after = Number(/^cvgw_device_requests_refused_total\{reason="no_sn"\} (\d+)/m.exec((await t.request('GET', '/metrics')).text)?.[1] ?? 0);
    expect(after - before).toBe(7);
    expect((await fetch(new URL('/iclock/getrequest', t.baseUrl))).status).toBe(200);
    expect((await fetch(new URL('/iclock/cdata?options=all', t.baseUrl))).status).toBe(200);
  });

  it('limits uploads per device: 503 with Retry-After in plain text, the resend is stored, polls and other devices unaffected', async () => {
    // From before the device's first upload-limited request (its registry and push, in connectedSim): every second
    // since then may have given its bucket a token back, on a loaded machine a few before the first upload below.
    const t0 = Date.now();
    const sim = await connectedSim(t, { sn: 'ABUSE-RATE', doors: 1 });
    const other = await connectedSim(t, { sn: 'ABUSE-CALM', doors: 1 });
    const answers: number[] = [];
    let index = 0;
    let refused: { status: number; body: string; headers: Record<string, string> } | undefined;
    while (!refused && index < 100) {
      const r = await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, rtlogLine(++index));
      answers.push(r.status);
      if (r.status !== 200) refused = r;
    }
    // 60 per minute, burst 60: registry and push took two; the bucket regains one a second meanwhile.
    const regained = Math.ceil((Date.now() - t0) / 1000);
    expect(answers.length - 1).toBeGreaterThanOrEqual(58);
    expect(answers.length - 1).toBeLessThanOrEqual(58 + regained);
    expect(refused).toMatchObject({ status: 503, body: 'ERROR: too many uploads from this device; retry later' });
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await storedEvents(t, 'ABUSE-RATE')).not.toContain(index);
    expect((await sim.uploadRaw('/iclock/getrequest', {})).status).toBe(200);
    expect((await other.uploadRaw('/iclock/cdata', { table: 'rtlog' }, rtlogLine(1))).body).toBe('OK');
    // Firmware sends the refused upload again later; then it is stored.
    await sleep(Number(refused!.headers['retry-after']) * 1000 + 100);
    expect((await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, rtlogLine(index))).body).toBe('OK');
    expect(await storedEvents(t, 'ABUSE-RATE')).toContain(index);
    const metrics = (await t.request('GET', '/metrics')).text;
    expect(metrics).toMatch(/^cvgw_device_requests_refused_total\{reason="rate_limit"\} [1-9]/m);
  });

  it('refuses and flags a second device claiming an admitted SN from another address; approval moves the SN', async () => {
    const first = await connectedSim(t, { sn: 'ABUSE-TWIN', doors: 1 });
    const twin = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ABUSE-TWIN', doors: 1, fetch: fetchFrom('127.0.0.2') });
    const hs = await twin.handshake();
    expect([hs.status, hs.body]).toEqual([403, 'ERROR: serial number ABUSE-TWIN is in use by a device at another address']);
    expect((await twin.register()).status).toBe(403);
    expect((await twin.uploadRaw('/iclock/getrequest', {})).status).toBe(403);
    expect((await twin.uploadRaw('/iclock/cdata', { table: 'rtlog' }, rtlogLine(66))).status).toBe(403);
    expect(await storedEvents(t, 'ABUSE-TWIN')).toEqual([]);
    // The device itself carries on.
    expect((await first.uploadRaw('/iclock/cdata', { table: 'rtlog' }, rtlogLine(1))).body).toBe('OK');
    expect(await first.poll()).toEqual([]);
    // The flag is written in the background.
    await until('the SN conflict flagged', async () => (await t.get('/api/gateway/devices/ABUSE-TWIN')).body.data.snConflict != null, 20_000);
    const flagged = (await t.get('/api/gateway/devices/ABUSE-TWIN')).body.data;
    expect(flagged).toMatchObject({ lastAddress: '127.0.0.1', snConflict: { address: '127.0.0.2', at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) } });
    expect((await t.request('GET', '/metrics')).text).toMatch(/^cvgw_device_requests_refused_total\{reason="sn_conflict"\} [1-9]/m);

    // The operator approves the device again: the flagged address becomes its own, the old one is refused.
    const approved = (await t.post('/api/gateway/devices/ABUSE-TWIN/approve')).body.data;
    expect(approved).toMatchObject({ admission: 'admitted', lastAddress: '127.0.0.2', snConflict: null });
    expect((await twin.connect()).registered).toBe(true);
    expect((await twin.uploadRaw('/iclock/cdata', { table: 'rtlog' }, rtlogLine(2))).body).toBe('OK');
    expect((await first.uploadRaw('/iclock/getrequest', {})).status).toBe(403);
  });

  it('accepts a new address once the old one has been silent for longer than the online window (DHCP)', async () => {
    const s = settingsOf(t);
    const saved = { requestDelay: s.requestDelay, onlineFloorMs: s.onlineFloorMs };
    // A 2 s floor: the refusal below comes one request after the old address's poll, well inside it.
    Object.assign(s, { requestDelay: 0, onlineFloorMs: 2000 });
    try {
      const before = await connectedSim(t, { sn: 'ABUSE-MOVE', doors: 1 });
      expect((await before.uploadRaw('/iclock/getrequest', {})).status).toBe(200);
      const after = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ABUSE-MOVE', doors: 1, fetch: fetchFrom('127.0.0.3') });
      expect((await after.handshake()).status).toBe(403); // the old address is still online
      // Offline once silent for longer than the window (2 s) and a tenth: 2.2 s (online-window.ts).
      await sleep(2400);
      expect((await after.connect()).registered).toBe(true);
      expect((await t.get('/api/gateway/devices/ABUSE-MOVE')).body.data.lastAddress).toBe('127.0.0.3');
      expect((await before.uploadRaw('/iclock/getrequest', {})).status).toBe(403);
    } finally {
      Object.assign(s, saved);
    }
  });
});

describe('DEVICE_COMM_KEY and DEVICE_SN_CONFLICT=allow', () => {
  let t: TestApp;
  const KEY = 'site-key-42';
  beforeAll(async () => {
    t = await startTestApp({ deviceCommKey: KEY, deviceSnConflict: 'allow' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a request without the comm key, or with a wrong one, 401 in plain text and records nothing', async () => {
    const bare = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'KEY-NONE', doors: 1 });
    const hs = await bare.handshake();
    expect([hs.status, hs.body]).toEqual([401, 'ERROR: comm key missing or wrong']);
    expect((await bare.uploadRaw('/iclock/cdata', { table: 'rtlog' }, rtlogLine(1))).status).toBe(401);
    const wrong = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'KEY-NONE', doors: 1, fetch: fetchFrom('127.0.0.1', { 'X-Comm-Key': 'guess' }) });
    expect((await wrong.register()).status).toBe(401);
    expect((await wrong.uploadRaw('/iclock/getrequest', { CommKey: 'guess' })).status).toBe(401);
    expect(await t.ds.query(`SELECT 1 FROM device WHERE sn = 'KEY-NONE'`)).toEqual([]);
  });

  it('serves a device that presents the key as the X-Comm-Key header or the CommKey query parameter', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'KEY-OK', doors: 1, fetch: fetchFrom('127.0.0.1', { 'X-Comm-Key': KEY }) });
    expect((await sim.connect()).registered).toBe(true);
    expect((await sim.uploadRtlog([{ pin: 0, event: 0 }])).body).toBe('OK');
    const viaQuery = await fetch(`${t.baseUrl}/iclock/cdata?SN=KEY-OK&table=rtlog&commkey=${KEY}`, { method: 'POST', body: rtlogLine(99) });
    expect([viaQuery.status, await viaQuery.text()]).toEqual([200, 'OK']);
    expect((await storedEvents(t, 'KEY-OK')).length).toBe(2);
  });

  it('under DEVICE_SN_CONFLICT=allow serves the second device but flags the SN', async () => {
    const first = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ALLOW-TWIN', doors: 1, fetch: fetchFrom('127.0.0.1', { 'X-Comm-Key': KEY }) });
    expect((await first.connect()).registered).toBe(true);
    const twin = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ALLOW-TWIN', doors: 1, fetch: fetchFrom('127.0.0.2', { 'X-Comm-Key': KEY }) });
    expect((await twin.connect()).registered).toBe(true);
    await until('the SN conflict flagged', async () => (await t.get('/api/gateway/devices/ALLOW-TWIN')).body.data.snConflict != null, 20_000);
    expect((await t.get('/api/gateway/devices/ALLOW-TWIN')).body.data).toMatchObject({ lastAddress: '127.0.0.1', snConflict: { address: '127.0.0.2' } });
  });
});
