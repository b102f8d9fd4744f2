/**
 * Elevator and channel-controller events reach the live paths like access events: the SSE live stream
 * (`moduleTransaction` events, resumable with Last-Event-ID), the Push Center (module "ele" / "psg") and the
 * psgTransaction monitor, each event once.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { Receiver } from '../support/http-receiver';
import { abandonedGet, holdXmin } from '../support/held-back';
import { SseClient } from '../support/sse-client';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';
import { until } from '../support/until';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
let ec: ElevatorControllerSimulator;
let psg: ChannelControllerSimulator;
let receiver: Receiver;
const clients: SseClient[] = [];

const stream = async (headers: Record<string, string> = {}, types = 'moduleTransaction'): Promise<SseClient> => {
  const c = new SseClient();
  clients.push(c);
  await c.open(`${t.baseUrl}/api/gateway/stream?access_token=${TEST_TOKEN}&types=${types}`, headers);
  return c;
};

beforeAll(async () => {
  process.env.PUSH_CENTER_POLL_MS = '50';
  receiver = await Receiver.answering(200);
  t = await startTestApp({ logLevel: 'error' } as never);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10LIVE01', floors: 4, ipAddress: '10.9.3.1' });
  await ec.connect();
  psg = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PGLIVE0001', gates: 2, ipAddress: '10.9.3.2' });
  await psg.connect();
  expect((await t.post('/api/person/add', { pin: '951', name: 'Liv' })).body.code).toBe(0);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
  await receiver?.stop();
  delete process.env.PUSH_CENTER_POLL_MS;
});

describe('elevator and channel-controller events on the live paths', () => {
  it('the live stream sends each event once as moduleTransaction, and resumes after Last-Event-ID', async () => {
    const sse = await stream();
    const access = await stream({}, 'transaction');
    await sleep(100);
    // 951 holds no floor there: the controller logs the attempt (event 27, not registered) under the pin typed in.
    await ec.uploadRtlog([{ pin: 951, eventaddr: 2, event: 27, inoutstatus: 0, verifytype: 1 }]);
    await psg.pass({ pin: '951', gate: 1, direction: 'in' });
    await until('both events', () => sse.of('moduleTransaction').length >= 2);
    await sleep(700);
    const events = sse.of('moduleTransaction');
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.data.module).sort()).toEqual(['ele', 'psg']);
    const floor = events.find((e) => e.data.module === 'ele')!;
    expect(floor.data).toMatchObject({ pin: '951', devSn: 'EC10LIVE01', eventPointName: expect.stringMatching(/-2$/) });
    const gate = events.find((e) => e.data.module === 'psg')!;
    expect(gate.data).toMatchObject({ devSn: 'PGLIVE0001', gateType: 2, eventPointName: expect.stringMatching(/-1$/) });
    for (const e of events) expect(e.id).toMatch(/^m:\d+:\d+$/);
    // Not among the access events.
    expect(access.of('transaction')).toEqual([]);

    // A client that reconnects with the last id it saw gets only what came after it.
    sse.close();
    const last = events[events.length - 1].id!;
    await psg.pass({ pin: '951', gate: 2, direction: 'out' });
    const resumed = await stream({ 'last-event-id': last });
    await until('the missed event', () => resumed.of('moduleTransaction').length >= 1);
    await sleep(700);
    expect(resumed.of('moduleTransaction').map((e) => e.data)).toEqual([expect.objectContaining({ module: 'psg', devSn: 'PGLIVE0001' })]);
  });

  it('the Push Center delivers each elevator and gate event once, with its module', async () => {
    expect((await t.post('/api/gateway/pushTargets', { name: 'lifts', url: receiver.url })).body.code).toBe(0);
    const floorEvent = { time: '2026-05-04 10:00:00', pin: '951', eventaddr: 3, event: 23, inoutstatus: 0, verifytype: 4, index: 900 };
    await ec.uploadRtlog([floorEvent]);
    await psg.pass({ pin: '951', gate: 1, direction: 'in' });
    // The same record uploaded again (the device did not see the OK) is stored, and pushed, once.
    await ec.uploadRtlog([floorEvent]);
    await until('two deliveries', () => receiver.delivered().length >= 2);
    await sleep(500);
    const bodies = receiver.delivered().map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => [b.module, b.moduleName]).sort()).toEqual([
      ['ele', 'Elevator Control'],
      ['psg', 'Entrance Control'],
    ]);
    const floor = JSON.parse(bodies.find((b) => b.module === 'ele').content);
    expect(floor).toMatchObject({ pin: '951', devSn: 'EC10LIVE01', eventNo: 23, eventPointName: expect.stringMatching(/-3$/) });
    expect(JSON.parse(bodies.find((b) => b.module === 'psg').content)).toMatchObject({ devSn: 'PGLIVE0001', readerState: 0, eventPointName: expect.stringMatching(/-1$/) });
    // The target's deliveries name each event by the id its own list shows (module digit included), not the
    // access form, which names another event (module events are numbered apart from access events).
    const target = (await t.get('/api/gateway/pushTargets')).body.data.find((x: { name: string }) => x.name === 'lifts');
    const deliveries = (await t.get(`/api/gateway/pushTargets/${target.id}/deliveries`)).body.data.data as Array<{ transactionId: string; devSn: string }>;
    const ele = (await t.get('/api/eleTransaction/list', { pageNo: 1, pageSize: 100 })).body.data as Array<{ id: string; eventTime: string }>;
    const gate = (await t.get('/api/psgTransaction/list', { pageNo: 1, pageSize: 100 })).body.data as Array<{ id: string; eventTime: string }>;
    const floorId = ele.find((e) => e.eventTime === '2026-05-04 10:00:00')!.id;
    expect(floorId).toMatch(/^1/);
    expect(deliveries.find((d) => d.devSn === 'EC10LIVE01')!.transactionId).toBe(floorId);
    const gateIds = gate.map((e) => e.id);
    expect(gateIds).toContain(deliveries.find((d) => d.devSn === 'PGLIVE0001')!.transactionId);
  });

  it('the psgTransaction monitor hands out each gate event once, and no elevator event', async () => {
    const ts = Date.now() - 60_000;
    const first = (await t.get('/api/psgTransaction/monitor', { timestamp: ts })).body.data;
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((e: { devSn: string }) => e.devSn === 'PGLIVE0001')).toBe(true);
    await psg.pass({ pin: '951', gate: 2, direction: 'in' });
    await ec.selectFloor({ pin: '951', floor: 4 });
    // A poll may come back empty while another transaction on the server holds the event back: poll again.
    const next: unknown[] = [];
    await until('the gate event', async () => {
      next.push(...(await t.get('/api/psgTransaction/monitor', { timestamp: ts })).body.data);
      return next.length > 0;
    });
    expect(next).toEqual([expect.objectContaining({ devSn: 'PGLIVE0001', eventPointName: expect.stringMatching(/-2$/) })]);
    expect((await t.get('/api/psgTransaction/monitor', { timestamp: ts })).body.data).toEqual([]);
  });
  it('keeps a psgTransaction monitor client\'s place while it is away for hours: the gate events stored meanwhile come once', async () => {
    const ts = Date.now();
    const drain = async (timestamp: number) => {
      const got: Array<{ eventPointName: string }> = [];
      for (let more = (await t.get('/api/psgTransaction/monitor', { timestamp })).body.data; more.length > 0; more = (await t.get('/api/psgTransaction/monitor', { timestamp })).body.data) got.push(...more);
      return got;
    };
    await drain(ts);
    await psg.pass({ pin: '951', gate: 1, direction: 'in' });
    await psg.pass({ pin: '951', gate: 2, direction: 'out' });
    await sleep(100);
    // The client's server is down for three hours: the events were stored at its start, the cursor last polled before.
    await t.ds.query(`UPDATE module_transaction SET created_at = now() - interval '3 hours' WHERE module = 'psg' AND created_at > now() - interval '1 minute'`);
    await t.ds.query(`UPDATE module_monitor_cursor SET polled_at = now() - interval '3 hours' WHERE timestamp = $1`, [ts]);
    // Meanwhile another client (here another timestamp) starts polling: a new cursor, when idle ones are dropped.
    await drain(Date.now());
    const back: Array<{ eventPointName: string }> = [];
    await until('the events of the outage', async () => {
      back.push(...(await drain(ts)));
      return back.length >= 2;
    });
    expect(back.map((e) => e.eventPointName.slice(-2))).toEqual(['-1', '-2']);
    expect(await drain(ts)).toEqual([]);
  });
  it.skipIf(inject('testDb').mode === 'embedded')('keeps a gate event for the next psgTransaction/monitor poll when the client gave up waiting for the answer', async () => {
    const ts = Date.now();
    const drain = async () => {
      const got: Array<{ eventPointName: string }> = [];
      for (let more = (await t.get('/api/psgTransaction/monitor', { timestamp: ts })).body.data; more.length > 0; more = (await t.get('/api/psgTransaction/monitor', { timestamp: ts })).body.data) got.push(...more);
      return got;
    };
    await drain();
    const holder = await holdXmin(t.db.url); // the gate event's transaction is newer: held back
    try {
      await psg.pass({ pin: '951', gate: 2, direction: 'in' });
      const lost = abandonedGet(`${t.baseUrl}/api/psgTransaction/monitor?access_token=${TEST_TOKEN}&timestamp=${ts}`, 150);
      await sleep(300);
      await holder.commit();
      expect(await lost).toBe('aborted');
      await sleep(700);
      const back: Array<{ eventPointName: string }> = [];
      await until('the gate event', async () => {
        back.push(...(await drain()));
        return back.length >= 1;
      });
      expect(back.map((e) => e.eventPointName.slice(-2))).toEqual(['-2']);
    } finally {
      await holder.end();
    }
  });
});
