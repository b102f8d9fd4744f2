/**
 * Several subscribers, one of them hung: it takes the request and does not answer (a stuck integrator, a
 * firewall dropping packets), so the gateway waits out PUSH_CENTER_TIMEOUT_MS. The other subscribers' events
 * must not wait with it: a request in flight to one queue holds that queue only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';

let t: TestApp;
let healthy: Receiver;
let hung: Receiver;
let release!: () => void;
const released = new Promise<void>((r) => (release = r));
const cardsOf = (r: Receiver) => r.delivered().map((x) => (JSON.parse(JSON.parse(x.body).content) as { cardNo: string }).cardNo);

beforeAll(async () => {
  setPushCenterTimings({ retryBaseMs: 50, retryMaxMs: 300, pollMs: 50 });
  // Far longer than the wait below: without the fix the healthy target's next event waits for this timeout.
  process.env.PUSH_CENTER_TIMEOUT_MS = '90000';
  healthy = await Receiver.answering(200);
  hung = await Receiver.answering(200);
  hung.hold = () => released;
  t = await startTestApp();
});

afterAll(async () => {
  release();
  await t?.close();
  await healthy?.stop().catch(() => undefined);
  await hung?.stop().catch(() => undefined);
  delete process.env.PUSH_CENTER_TIMEOUT_MS;
});

describe('Push Center with one hung subscriber', () => {
  it('keeps delivering to the others while a request to it hangs, and delivers to it once it answers', async () => {
    let taken = 0;
    hung.hold = () => {
      taken++;
      return released;
    };
    expect((await t.post('/api/gateway/pushTargets', { name: 'healthy', url: healthy.url })).body.code).toBe(0);
    expect((await t.post('/api/gateway/pushTargets', { name: 'hung', url: hung.url })).body.code).toBe(0);
    const a = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PCHUNG0001', doors: 1 });
    const b = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PCHUNG0002', doors: 1 });
    await a.connect();
    await b.connect();
    expect((await a.uploadRtlog([{ pin: 3, cardno: 801, event: 0 }])).body.trim()).toBe('OK');
    await until('the hung subscriber holds the first request, the healthy one has the event', () => taken >= 1 && cardsOf(healthy).includes('801'), 20_000);

    // Later events, from the same panel and another one, reach the healthy subscriber while the request hangs.
    expect((await a.uploadRtlog([{ pin: 3, cardno: 802, event: 0 }])).body.trim()).toBe('OK');
    expect((await b.uploadRtlog([{ pin: 4, cardno: 803, event: 0 }])).body.trim()).toBe('OK');
    await until('the healthy subscriber gets the later events', () => cardsOf(healthy).length >= 3, 20_000);
    expect(cardsOf(healthy).sort()).toEqual(['801', '802', '803']);
    // The hung subscriber's queue of panel A waits behind its head: nothing of A is sent to it meanwhile.
    expect(cardsOf(hung)).not.toContain('802');

    release();
    await until('the hung subscriber gets everything once it answers', () => cardsOf(hung).length >= 3, 30_000);
    const got = cardsOf(hung);
    expect(got.filter((c) => c !== '803')).toEqual(['801', '802']);
    expect([...got].sort()).toEqual(['801', '802', '803']);
  });
});
