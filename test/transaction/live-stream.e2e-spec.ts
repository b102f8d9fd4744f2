import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { SseClient } from '../support/sse-client';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';
import { expectSameShape, manualExample } from './transaction-fixtures';
import { until } from '../support/until';
import { TransactionRepository } from '../../src/transaction/transaction.repository';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
let sim: DeviceSimulator;
const clients: SseClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LIVE000001', doors: 2 });
  await sim.connect();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await t?.close();
});

const streamUrl = (q = '') => `${t.baseUrl}/api/gateway/stream?access_token=${TEST_TOKEN}${q}`;

describe('live stream (SSE, gateway extension)', () => {
  it('refuses a missing token with the envelope', async () => {
    const r = await t.request('GET', '/api/gateway/stream');
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: -401, data: null });
    expect((await t.get('/api/gateway/stream', { types: 'nope' })).body).toMatchObject({ code: -400 });
  });

  it('streams new transactions (v2 items, resumable ids) and door state changes', async () => {
    const c = new SseClient();
    clients.push(c);
    await c.open(streamUrl());
    expect(c.status).toBe(200);
    expect(c.contentType).toMatch(/^text\/event-stream/);
    // The current state of every door first.
    await until('door snapshot', () => c.of('doorState').length === 2);
    expect(c.of('doorState')[0].data).toMatchObject({ devSn: 'LIVE000001', doorNo: 1, doorName: expect.any(String) });

    await sim.uploadRtlog([
      { time: '2024-05-01 10:00:00', pin: 5, event: 0, eventaddr: 1 },
      { time: '2024-05-01 10:00:01', pin: 6, event: 0, eventaddr: 2 },
    ]);
    await until('two transactions', () => c.of('transaction').length === 2);
    const [e1, e2] = c.of('transaction');
    expect(e1.data).toMatchObject({ pin: '5', devSn: 'LIVE000001', eventTime: '2024-05-01 10:00:00', eventNo: 0 });
    expect(e2.data.pin).toBe('6');
    expect(e1.id).toMatch(/^t:\d+:\d+,p:\d+:\d+,m:\d+:\d+$/); // its own feed first, then the others it receives
    // `module` tells access events from attendance punches; the rest is the manual's item.
    const { module, ...item } = e1.data;
    expect(module).toBe('acc');
    expectSameShape(item, manualExample('2.18.13').data, 'stream item');

    sim.setDoorSensor(1, 'open');
    await sim.uploadRtstate();
    await until('door 1 open', () => c.of('doorState').some((e) => e.data.doorNo === 1 && e.data.sensor === 'open'));

    // A client that reconnects with Last-Event-ID gets what came after it, once.
    const resumed = new SseClient();
    clients.push(resumed);
    await resumed.open(streamUrl('&types=transaction'), { 'last-event-id': e1.id! });
    await until('resumed event', () => resumed.of('transaction').length >= 1);
    await sim.uploadRtlog([{ time: '2024-05-01 10:00:02', pin: 7, event: 0 }]);
    await until('third transaction', () => resumed.of('transaction').length === 2 && c.of('transaction').length === 3);
    expect(resumed.of('transaction').map((e) => e.data.pin)).toEqual(['6', '7']);
    expect(resumed.of('doorState')).toEqual([]);
    expect(c.of('transaction').map((e) => e.data.pin)).toEqual(['5', '6', '7']);
  });

  it('sends every event stored after the client saw its stream open, however late the gateway reads its position', async () => {
    // The client's position in the feeds is read when it subscribes; an event stored between the stream's answer
    // (the client's open) and that read was behind it, never sent (a loaded machine, or a busy database). The read is
    // held here until the client's first event is stored, or 3 s if the client cannot store one before it is opened.
    const repo = t.app.get(TransactionRepository);
    const read = repo.feedPositionNow.bind(repo);
    let stored!: () => void;
    const uploaded = new Promise<void>((r) => (stored = r));
    const held = vi.spyOn(repo, 'feedPositionNow').mockImplementation(async (m) => {
      await Promise.race([uploaded, sleep(3_000)]);
      return read(m);
    });
    try {
      const c = new SseClient();
      clients.push(c);
      await c.open(streamUrl('&types=transaction'));
      await sim.uploadRtlog([{ time: '2024-05-03 08:00:00', pin: 31, event: 0 }]);
      stored();
      await until('the event stored after the stream opened', () => c.of('transaction').some((e) => e.data.pin === '31'), 15_000);
    } finally {
      held.mockRestore();
    }
  });

  it('streams attendance punches as punch events with module att, once, resumable', async () => {
    const c = new SseClient();
    clients.push(c);
    await c.open(streamUrl('&types=punch'));
    await sleep(100);
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'LIVEATT001' });
    await term.init();
    const p = { pin: '8', time: '2024-05-01 11:00:00', status: 1, verify: 15 };
    await term.punch(p);
    await term.uploadAttlog([p]);
    await until('one punch', () => c.of('punch').length === 1);
    await sleep(300);
    const [e] = c.of('punch');
    expect(c.of('punch')).toHaveLength(1);
    expect(e.id).toMatch(/^p:\d+:\d+$/); // only the punch feed was asked for
    expect(e.data).toMatchObject({ module: 'att', pin: '8', devSn: 'LIVEATT001', eventTime: '2024-05-01 11:00:00', eventName: 'Check-Out' });
    expect(c.of('transaction')).toEqual([]);
    const resumed = new SseClient();
    clients.push(resumed);
    await resumed.open(streamUrl('&types=punch'), { 'last-event-id': e.id! });
    await term.punch({ pin: '8', time: '2024-05-01 11:00:05', status: 0, verify: 15 });
    await until('next punch', () => resumed.of('punch').length === 1);
    expect(resumed.of('punch')[0].data.eventTime).toBe('2024-05-01 11:00:05');
  });
  it('resumes every feed from the last id a client of all types received: access events stored after its last punch are not lost', async () => {
    // A browser's EventSource sends back the last id it received, whatever the event's type.
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'LIVEATT002' });
    await term.init();
    const c = new SseClient();
    clients.push(c);
    await c.open(streamUrl());
    await sleep(100);
    await sim.uploadRtlog([{ time: '2024-05-02 08:00:00', pin: 21, event: 0 }]);
    await until('access event', () => c.of('transaction').some((e) => e.data.pin === '21'));
    await term.punch({ pin: '22', time: '2024-05-02 08:00:05', status: 0, verify: 15 });
    await until('punch', () => c.of('punch').some((e) => e.data.pin === '22'));
    await sleep(600); // a tick more: nothing else comes
    const last = c.events.filter((e) => e.id).at(-1)!;
    expect(last.event).toBe('punch');
    c.close();

    // While the client is away: an access event, a punch, another access event.
    await sim.uploadRtlog([{ time: '2024-05-02 08:01:00', pin: 23, event: 0 }]);
    await term.punch({ pin: '24', time: '2024-05-02 08:01:05', status: 1, verify: 15 });
    await sim.uploadRtlog([{ time: '2024-05-02 08:01:10', pin: 25, event: 0 }]);
    await sleep(100);

    const resumed = new SseClient();
    clients.push(resumed);
    await resumed.open(streamUrl(), { 'last-event-id': last.id! });
    await until('both feeds resumed', () => resumed.of('transaction').length >= 2 && resumed.of('punch').length >= 1);
    await sleep(600);
    expect(resumed.of('transaction').map((e) => e.data.pin)).toEqual(['23', '25']);
    expect(resumed.of('punch').map((e) => e.data.pin)).toEqual(['24']);

    // An id of the older single-feed form still resumes that feed (the others start now).
    const legacy = new SseClient();
    clients.push(legacy);
    const t23 = resumed.of('transaction')[0].id!.split(',')[0];
    expect(t23).toMatch(/^t:\d+:\d+$/);
    await legacy.open(streamUrl('&types=transaction'), { 'last-event-id': t23 });
    await until('legacy resume', () => legacy.of('transaction').length >= 1);
    await sleep(600);
    expect(legacy.of('transaction').map((e) => e.data.pin)).toEqual(['25']);
    expect(legacy.of('transaction')[0].id).toMatch(/^t:\d+:\d+$/);
  });
});
