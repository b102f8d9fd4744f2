/**
 * The Push Center against a receiver that fails the ways real ones do, then recovers: it answers too slowly (the
 * gateway's timeout), refuses connections (not listening), answers 503 and 404. Every event a panel had
 * acknowledged reaches it once among the 2xx-answered deliveries, in each device's order, and nothing is left pending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  setPushCenterTimings({ retryBaseMs: 50, retryMaxMs: 300, pollMs: 50 });
  process.env.PUSH_CENTER_TIMEOUT_MS = '300';
  receiver = await Receiver.answering(200);
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
  await receiver?.stop().catch(() => undefined);
  delete process.env.PUSH_CENTER_TIMEOUT_MS;
});

describe('Push Center receiver faults', () => {
  it('a slow, refusing, then erring receiver gets every event once, in order per device, once it recovers', async () => {
    const port = Number(new URL(receiver.url).port);
    const created = await t.post('/api/gateway/pushTargets', { name: 'faulty', url: receiver.url });
    expect(created.body.code).toBe(0);
    const targetId = created.body.data.id as string;
    const pending = async () => (await t.get(`/api/gateway/pushTargets/${targetId}`)).body.data.delivery.pending as number;
    const a = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PCFAULT001', doors: 1 });
    const b = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PCFAULT002', doors: 1 });
    await a.connect();
    await b.connect();
    let n = 0;
    const upload = async () => {
      for (const sim of [a, b]) {
        const r = await sim.uploadRtlog([{ pin: 5, cardno: 70_000 + n++, event: 0 }, { pin: 5, cardno: 70_000 + n++, event: 0 }]);
        expect(r.body.trim()).toBe('OK');
      }
    };

    // Slow: every answer comes after the gateway's 300 ms timeout (the receiver may still have stored it).
    receiver.delayMs = 600;
    await upload();
    await until('timed-out attempts', async () => receiver.requests.length >= 2);
    // Refused: nothing listens on the port.
    await receiver.stop();
    receiver.delayMs = 0;
    await upload();
    await sleep(500);
    const whileDown = await pending();
    expect(whileDown).toBeGreaterThan(0);
    // Back, but erring: 503, then 404 (a misrouted proxy), then well.
    receiver.status = 503;
    await receiver.start(port);
    await upload();
    await until('503 answers', async () => receiver.requests.some((r) => r.answered === 503));
    receiver.status = 404;
    await until('404 answers', async () => receiver.requests.some((r) => r.answered === 404));
    receiver.status = 200;
    await until('all delivered', async () => (await pending()) === 0);
    await sleep(700); // a timed-out request's late answer, or any stray retry, would land by now

    const cards = (sn: string) =>
      receiver
        .delivered()
        .map((r) => JSON.parse(JSON.parse(r.body).content))
        .filter((c) => c.devSn === sn)
        .map((c) => Number(c.cardNo));
    // Every event at least once among the 2xx answers, each device's in order; only timed-out ones may repeat.
    for (const [sn, first] of [['PCFAULT001', 0], ['PCFAULT002', 2]] as const) {
      const got = cards(sn);
      const expected = [0, 4, 8].flatMap((base) => [70_000 + base + first, 70_000 + base + first + 1]);
      expect([...new Set(got)]).toEqual(expected);
      const repeated = got.filter((c, i) => got.indexOf(c) !== i);
      // Only the first upload's events met the timeout; later ones came once.
      expect(repeated.every((c) => c < 70_004)).toBe(true);
    }
    const state = (await t.get(`/api/gateway/pushTargets/${targetId}`)).body.data.delivery;
    expect(state).toMatchObject({ pending: 0, retrying: 0, lastError: null });
  });
});
