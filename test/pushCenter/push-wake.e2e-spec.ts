import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialisedTerminal, insertPerson } from '../attendance/attendance-helpers';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Events stored by this process wake the Push Center at once: with the poll interval at its longest (60 s), a
 * panel's event and a terminal's punch still reach the receiver within a few seconds.
 */
let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  setPushCenterTimings({ retryBaseMs: 50, retryMaxMs: 400, pollMs: 60_000 });
  receiver = await Receiver.answering(200);
  t = await startTestApp();
  await insertPerson(t, '77', 'Kim');
});

afterAll(async () => {
  await t?.close();
  await receiver?.stop();
});

async function deliveredWithin(n: number, ms: number): Promise<number> {
  const started = Date.now();
  while (receiver.delivered().length < n && Date.now() - started < ms) await new Promise((r) => setTimeout(r, 20));
  return Date.now() - started;
}

describe('Push Center wake-up', () => {
  it('delivers a one-event rtlog and an ATTLOG punch without waiting for the poll interval', async () => {
    // Events before any target exists queue nothing and wake nothing.
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'WAKE000001', doors: 1 });
    await panel.connect();
    await panel.uploadRtlog([{ time: '2024-04-01 08:00:00', pin: 77, event: 0, eventaddr: 1 }]);

    expect((await t.post('/api/gateway/pushTargets', { name: 'hr', url: receiver.url })).body.code).toBe(0);
    await panel.uploadRtlog([{ time: '2024-04-01 08:00:01', pin: 77, event: 0, eventaddr: 1 }]);
    expect(await deliveredWithin(1, 5_000)).toBeLessThan(5_000);
    expect(receiver.delivered()).toHaveLength(1);
    expect(JSON.parse(JSON.parse(receiver.delivered()[0].body).content)).toMatchObject({ devSn: 'WAKE000001', eventTime: Date.UTC(2024, 3, 1, 8, 0, 1) });

    const term = await initialisedTerminal(t, { sn: 'WAKE-ATT' });
    const punch = { pin: '77', time: '2026-06-01 09:00:00', status: 0, verify: 15 };
    await term.punch(punch);
    await term.uploadAttlog([punch]);
    expect(await deliveredWithin(2, 5_000)).toBeLessThan(5_000);
    const body = JSON.parse(receiver.delivered()[1].body);
    expect(body).toMatchObject({ module: 'att' });
    expect(JSON.parse(body.content)).toMatchObject({ pin: '77', devSn: 'WAKE-ATT' });

    // Disabled: nothing more is queued for it, and no wake-up sends anything.
    const [{ id }] = await t.ds.query(`SELECT id FROM push_target WHERE name = 'hr'`);
    expect((await t.put(`/api/gateway/pushTargets/${id}`, { enabled: false })).body.code).toBe(0);
    await panel.uploadRtlog([{ time: '2024-04-01 08:00:02', pin: 77, event: 0, eventaddr: 1 }]);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.delivered()).toHaveLength(2);
  });

  it('retries a failed delivery when its backoff ends, not at the next poll', async () => {
    expect((await t.post('/api/gateway/pushTargets', { name: 'retry', url: receiver.url })).body.code).toBe(0);
    // The receiver refuses the first two attempts of this event: retried after 50 and 100 ms.
    let refusals = 2;
    receiver.answer = (body) => (body.includes('WAKE000002') && refusals-- > 0 ? 503 : undefined);
    const before = receiver.delivered().length;
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'WAKE000002', doors: 1 });
    await panel.connect();
    await panel.uploadRtlog([{ time: '2024-04-01 10:00:00', pin: 77, event: 0, eventaddr: 1 }]);
    expect(await deliveredWithin(before + 1, 5_000)).toBeLessThan(5_000);
    const attempts = receiver.requests.filter((r) => r.body.includes('WAKE000002')).map((r) => r.answered);
    expect(attempts).toEqual([503, 503, 200]);
  });
});
