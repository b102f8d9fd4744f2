import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/bootstrap';
import { PushDeliveryWorker } from '../../src/pushCenter/push-delivery.worker';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Content = { devSn: string; logId: number; uniqueKey: string };
const contentOf = (body: string): Content => JSON.parse(JSON.parse(body).content);

/** Uploads `n` events of one panel through its rtlog uploads, 100 a request, as a panel catching up does. */
async function burst(t: TestApp, sn: string, n: number): Promise<void> {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1 });
  await sim.connect();
  for (let i = 0; i < n; i += 100) {
    const events = Array.from({ length: Math.min(100, n - i) }, (_, k) => ({ time: new Date(Date.UTC(2024, 4, 1, 8, 0, 0) + (i + k) * 1000), pin: 1, event: 0 }));
    expect((await sim.uploadRtlog(events)).status).toBe(200);
  }
}

/** Every request the receiver saw for `sn`, in arrival order. */
const requestsOf = (receiver: Receiver, sn: string) =>
  receiver.requests.map((r) => ({ ...contentOf(r.body), answered: r.answered })).filter((c) => c.devSn === sn);

let t: TestApp;
let receiver: Receiver;
let gateway2: Gateway | undefined;

beforeAll(async () => {
  // No pass on its own during a test: each test starts them (tick), so that a backlog delivered in full shows
  // that passes follow each other without waiting for the poll interval.
  setPushCenterTimings({ retryBaseMs: 200, retryMaxMs: 400, pollMs: 60_000 });
  receiver = await Receiver.answering(200);
  t = await startTestApp();
  expect((await t.post('/api/gateway/pushTargets', { name: 'integrator', url: receiver.url })).body.code).toBe(0);
});

afterAll(async () => {
  await gateway2?.close();
  await t?.close();
  await receiver?.stop();
});

/** Starts a pass of each gateway's worker (a no-op while one runs). */
const tick = () => {
  void t.app.get(PushDeliveryWorker).tick();
  if (gateway2) void gateway2.app.get(PushDeliveryWorker).tick();
};

describe('Push Center delivery throughput', () => {
  it('delivers a burst of 1,200 events of one panel in order, each once, passes following each other', async () => {
    // More than one pass takes from a queue (1,000): the next pass follows at once, not after the poll interval.
    const n = Number(process.env.PUSH_BURST_EVENTS ?? 1200);
    const started = Date.now();
    await burst(t, 'PUSHBURST1', n);
    const stored = Date.now();
    tick();
    // Counted without parsing, so that watching does not take the CPU the delivery needs (the only panel so far).
    // Started again each second, as the poll would: an event is delivered only once every transaction older than it
    // has ended, and that horizon spans the whole server, where other test files' transactions can hold it back
    // for a while (the poll interval is 60 s here).
    let ticked = Date.now();
    await until(
      'the burst delivered',
      () => {
        if (Date.now() - ticked > 1000) {
          tick();
          ticked = Date.now();
        }
        return receiver.requests.length >= n;
      },
      120_000,
    );
    const done = Date.now();
    const at = receiver.requests.map((r) => r.at);
    // Figures for docs/performance-log.md, never asserted: timings depend on the machine.
    console.log(
      `Push Center: ${n} events stored in ${stored - started} ms, all delivered ${done - stored} ms after the worker started ` +
        `(${Math.round((n * 1000) / (done - stored))} events/s); first to last delivery ${at[at.length - 1] - at[0]} ms (${Math.round((n * 1000) / Math.max(1, at[at.length - 1] - at[0]))} events/s)`,
    );
    const seq = requestsOf(receiver, 'PUSHBURST1');
    expect(seq.every((c) => c.answered === 200)).toBe(true);
    expect(seq.map((c) => c.logId)).toEqual([...seq.map((c) => c.logId)].sort((a, b) => a - b));
    expect(new Set(seq.map((c) => c.uniqueKey)).size).toBe(n);
    await until('the outbox settled', async () => Number((await t.ds.query(`SELECT count(*) AS n FROM push_outbox WHERE state = 'pending'`))[0].n) === 0);
  }, 180_000);

  it('a failure in the middle of a run: that event is retried later, none after it is sent before it, nothing lost or sent twice', async () => {
    let failed = '';
    receiver.answer = (body) => {
      const c = contentOf(body);
      if (c.devSn !== 'PUSHFAIL01' || c.logId !== 40 || failed) return undefined;
      failed = c.uniqueKey;
      return 500;
    };
    await burst(t, 'PUSHFAIL01', 100);
    await until(
      'the run delivered after the retry',
      () => {
        tick();
        return requestsOf(receiver, 'PUSHFAIL01').filter((c) => c.answered === 200).length === 100;
      },
      120_000,
    );
    receiver.answer = undefined;
    const seq = requestsOf(receiver, 'PUSHFAIL01');
    // Events 1..39 once, event 40 refused then retried at once after it, then 41..100: never out of order.
    expect(seq.map((c) => c.logId)).toEqual([...Array.from({ length: 40 }, (_, i) => i + 1), ...Array.from({ length: 61 }, (_, i) => i + 40)]);
    expect(seq.filter((c) => c.uniqueKey === failed).map((c) => c.answered)).toEqual([500, 200]);
    // The run is settled in one statement after its last request was answered: under load, a moment later.
    await until('the run settled', async () => Number((await t.ds.query(`SELECT count(*) AS n FROM push_outbox WHERE device_sn = 'PUSHFAIL01' AND state = 'pending'`))[0].n) === 0, 60_000);
    const [row] = await t.ds.query(`SELECT o.state, o.attempts, o.last_status FROM push_outbox o JOIN acc_transaction a ON a.id = o.transaction_id WHERE a.unique_key = $1`, [failed]);
    expect(row).toEqual({ state: 'delivered', attempts: 2, last_status: 200 });
    const counts = await t.ds.query(`SELECT state, count(*)::int AS n, max(attempts) AS most FROM push_outbox WHERE device_sn = 'PUSHFAIL01' GROUP BY state`);
    expect(counts).toEqual([{ state: 'delivered', n: 100, most: 2 }]);
  }, 180_000);

  it('two gateway processes on one database never send an event twice and keep each panel in order', async () => {
    gateway2 = await createGateway(t.config, { poolSize: t.db.poolSize });
    const before = receiver.requests.length;
    const panels = ['PUSHTWO001', 'PUSHTWO002', 'PUSHTWO003'];
    await Promise.all(panels.map((sn) => burst(t, sn, 300)));
    const ours = () => receiver.requests.slice(before).map((r) => contentOf(r.body)).filter((c) => panels.includes(c.devSn));
    await until(
      'every panel delivered',
      () => {
        tick();
        return ours().length >= 900;
      },
      120_000,
    );
    await sleep(300);
    const seen = ours();
    expect(seen).toHaveLength(900);
    expect(new Set(seen.map((c) => c.uniqueKey)).size).toBe(900);
    for (const sn of panels) {
      const ids = seen.filter((c) => c.devSn === sn).map((c) => c.logId);
      expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    }
  }, 180_000);
});
