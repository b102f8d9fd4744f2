/**
 * The Push Center's `content.uniqueKey` names one stored event, and integrators deduplicate on it. With an rtlog
 * `index` it is CVSecurity's `<SN>_<logId>_<time>`, built from what transaction/list shows for the same event
 * (devSn, logId, eventTime). Without an index (logId null in the list: CVSecurity's own examples show -1), the
 * field notes' form would be the same `<SN>__<time>` for every such event of a panel in one second: two cards
 * refused at one door in one second would share it and an integrator deduplicating on it would drop one. Those
 * events keep the gateway's key (SN, time, pin, event, door, card, in/out), one per event; a line the panel sends
 * again has the same key and is neither stored nor pushed twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from '../support/until';

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  setPushCenterTimings({ retryBaseMs: 50, retryMaxMs: 300, pollMs: 50 });
  receiver = await Receiver.answering(200);
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
  await receiver?.stop().catch(() => undefined);
});

const SN = 'PCUKEY0001';
const line = (fields: Record<string, string | number>) => Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\t');

describe('Push Center uniqueKey', () => {
  it('is one key per event, the same for a re-sent line, and matches transaction/list for indexed events', async () => {
    expect((await t.post('/api/gateway/pushTargets', { name: 'ukey', url: receiver.url })).body.code).toBe(0);
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: SN, doors: 1 });
    await sim.connect();
    // Firmware without an event index: two unregistered cards at door 1 in one second, then one numbered event.
    const noIndexA = line({ time: '2024-05-06 07:08:09', pin: 0, cardno: 111, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 1 });
    const noIndexB = line({ time: '2024-05-06 07:08:09', pin: 0, cardno: 222, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 1 });
    const indexed = line({ time: '2024-05-06 07:08:10', pin: 0, cardno: 333, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 1, index: 42 });
    const q = { table: 'rtlog', Stamp: '9999' };
    expect((await sim.uploadRaw('/iclock/cdata', q, `${noIndexA}\n${noIndexB}\n`)).body.trim()).toBe('OK');
    // The panel sends the same lines again (it took the first answer for lost).
    expect((await sim.uploadRaw('/iclock/cdata', q, `${noIndexA}\n${noIndexB}\n${indexed}\n`)).body.trim()).toBe('OK');

    await until('three pushed events', () => receiver.delivered().length >= 3);
    const list = (await t.get(`/api/transaction/device/${SN}`, { pageNo: 1, pageSize: 20 })).body.data as Array<{ cardNo: string; logId: number | null; eventTime: string; devSn: string }>;
    expect(list.map((e) => [e.cardNo, e.logId]).sort()).toEqual([['111', null], ['222', null], ['333', 42]]);
    // Nothing more arrives (a duplicate would have been queued with the first three).
    await until('outbox settled', async () => (await t.ds.query(`SELECT count(*)::int AS n FROM push_outbox WHERE state <> 'delivered'`))[0].n === 0);
    const pushed = receiver.delivered().map((r) => JSON.parse(JSON.parse(r.body).content) as { cardNo: string; logId: number | null; uniqueKey: string; devSn: string });
    expect(pushed.map((c) => c.cardNo)).toEqual(['111', '222', '333']);
    expect(new Set(pushed.map((c) => c.uniqueKey)).size).toBe(3);

    const byCard = new Map(list.map((e) => [e.cardNo, e]));
    for (const c of pushed) {
      const e = byCard.get(c.cardNo)!;
      expect(c.logId).toBe(e.logId);
      if (e.logId !== null) expect(c.uniqueKey).toBe(`${e.devSn}_${e.logId}_${e.eventTime}`);
      else expect(c.uniqueKey).toBe(`${SN}_${e.eventTime}_0_27_1_${c.cardNo}_0`);
    }
  });
});
