import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootLogger } from '../../src/common/logger';
import { dataUpdateUser } from '../../src/push/protocol';
import { connectedSim, enqueue } from '../push/push-helpers';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

/**
 * Observability through HTTP: request ids on every answer and every log line of the request, tokens
 * redacted, and the Prometheus metrics at /metrics moving with the traffic.
 */
const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l));
    done();
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ logLevel: 'info' }, { logger: createRootLogger('info', sink) });
});
afterAll(async () => {
  await t?.close();
});

/** `name{labels} value` → value (0 when the series is absent). */
function sample(text: string, series: string): number {
  const escaped = series.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const scrape = async () => {
  const r = await t.request('GET', '/metrics');
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return r.text;
};

describe('request ids and logs', () => {
  it('answers every request with an x-request-id: the caller\'s own, or a new one', async () => {
    const given = await t.request('GET', '/api/department/get/1', { query: { access_token: TEST_TOKEN }, headers: { 'x-request-id': 'trace-42.a' } });
    expect(given.headers.get('x-request-id')).toBe('trace-42.a');
    const fresh = await t.request('GET', '/api/department/get/1', { query: { access_token: TEST_TOKEN }, headers: { 'x-request-id': 'no spaces allowed' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const device = await t.request('GET', '/iclock/ping', { query: { SN: 'OBS-NONE' } });
    expect(device.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const access = lines.find((l) => l.msg === 'request' && l.reqId === 'trace-42.a');
    expect(access).toMatchObject({ level: 30, method: 'GET', status: 200, url: '/api/department/get/1?access_token=[REDACTED]' });
    expect(JSON.stringify(lines)).not.toContain(TEST_TOKEN);
  });

  it('puts the request id on every line written while serving it, deep in the device side too', async () => {
    const sim = await connectedSim(t, { sn: 'OBS-LOG', doors: 1 });
    const r = await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, 'time=2026-05-01 10:00:00\tpin=1\tevent=0\tindex=1\nthis line is garbage', { 'x-request-id': 'upload-7' });
    expect(r.body).toBe('OK');
    const warning = lines.find((l) => l.context === 'RtlogIngest' && String(l.msg).includes('OBS-LOG') && String(l.msg).includes('rejected'));
    expect(warning).toMatchObject({ level: 40, reqId: 'upload-7', service: 'cvsecurity-gateway' });
  });
});

describe('/metrics', () => {
  it('serves every README-listed label of the device refusal and rejection counters from the start, at 0 until counted', async () => {
    // A scraper's rate() or alert on cvgw_device_requests_refused_total{reason="comm_key"} needs the series to
    // exist before the first refusal: prom-client serves a labelled counter's series only once it has one.
    const text = await scrape();
    for (const reason of ['comm_key', 'no_sn', 'sn_conflict', 'rate_limit', 'query_too_long', 'unavailable']) {
      expect(text).toMatch(new RegExp(`^cvgw_device_requests_refused_total\\{reason="${reason}"\\} \\d+$`, 'm'));
    }
    for (const kind of ['rtlog', 'rtstate', 'devicecmd', 'table', 'querydata', 'remoteauth']) {
      expect(text).toMatch(new RegExp(`^cvgw_device_lines_rejected_total\\{kind="${kind}"\\} \\d+$`, 'm'));
    }
  });

  it('serves the documented metric names, and they move with the traffic', async () => {
    const before = await scrape();
    for (const name of [
      'cvgw_http_requests_total',
      'cvgw_http_request_duration_seconds',
      'cvgw_device_commands',
      'cvgw_devices_registered',
      'cvgw_devices_online',
      'cvgw_events_ingested_total',
      'cvgw_device_lines_rejected_total',
      'cvgw_device_requests_refused_total',
      'cvgw_push_delivery_lag_seconds',
      'cvgw_push_outbox_pending',
    ]) {
      expect(before).toContain(`# TYPE ${name} `);
    }

    const sim = await connectedSim(t, { sn: 'OBS-METRICS', doors: 1 });
    await sim.uploadRtlog([
      { pin: 0, event: 0 },
      { pin: 0, event: 27 },
    ]);
    await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, 'not a record');
    await enqueue(t, 'OBS-METRICS', [dataUpdateUser({ pin: 1, name: 'A' }), dataUpdateUser({ pin: 2, name: 'B' })]);
    for (let i = 0; i < 3; i++) await t.get('/api/department/get/1');

    const after = await scrape();
    expect(sample(after, 'cvgw_events_ingested_total') - sample(before, 'cvgw_events_ingested_total')).toBe(2);
    expect(sample(after, 'cvgw_device_lines_rejected_total{kind="rtlog"}') - sample(before, 'cvgw_device_lines_rejected_total{kind="rtlog"}')).toBe(1);
    const route = 'method="GET",route="/api/department/get/:code",status="200"';
    expect(sample(after, `cvgw_http_requests_total{${route}}`) - sample(before, `cvgw_http_requests_total{${route}}`)).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'cvgw_http_request_duration_seconds_count{method="GET",route="/api/department/get/:code"}')).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'cvgw_device_commands{state="pending"}')).toBe(sample(before, 'cvgw_device_commands{state="pending"}') + 2);
    expect(sample(after, 'cvgw_devices_online')).toBeGreaterThanOrEqual(sample(before, 'cvgw_devices_online') + 1);
    expect(sample(after, 'cvgw_devices_registered{admission="admitted"}')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'cvgw_push_delivery_lag_seconds')).toBe(0);

    // The queue drains: pending goes back down.
    await sim.pollUntilIdle();
    expect(sample(await scrape(), 'cvgw_device_commands{state="pending"}')).toBe(sample(before, 'cvgw_device_commands{state="pending"}'));
  });
});
