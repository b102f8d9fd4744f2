import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/bootstrap';
import { PushOutboxRepository } from '../../src/pushCenter/push-outbox.repository';
import { INSERTED_EVENT_RETURNING, PUBLISH_INSERTED_EVENTS } from '../../src/transaction/acc-transaction-publish';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Receiver } from '../support/http-receiver';
import { setPushCenterTimings } from '../support/push-center-env';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let t: TestApp;
let receiver: Receiver;
let gateway2: Gateway | undefined;

beforeAll(async () => {
  setPushCenterTimings({ retryBaseMs: 50, retryMaxMs: 400, pollMs: 50 });
  receiver = new Receiver();
  await receiver.start();
  t = await startTestApp();
});

afterAll(async () => {
  await gateway2?.close();
  await t?.close();
  await receiver?.stop();
});

const SECRET = 'push-secret-123';

describe('Push Center (gateway extension)', () => {
  let targetId: string;

  it('manages targets through /api/gateway/pushTargets, never showing the secret', async () => {
    const created = await t.post('/api/gateway/pushTargets', { name: 'payroll', url: receiver.url, secret: SECRET });
    expect(created.body).toEqual({
      code: 0,
      message: 'success',
      data: {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        name: 'payroll',
        url: receiver.url,
        hasSecret: true,
        enabled: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        delivery: { pending: 0, delivered: 0, retrying: 0, oldestPendingAt: null, lastDeliveredAt: null, nextAttemptAt: null, lastError: null, lastStatus: null },
      },
    });
    targetId = created.body.data.id;
    expect((await t.post('/api/gateway/pushTargets', { name: 'payroll', url: receiver.url })).body.code).toBe(-409);
    expect((await t.post('/api/gateway/pushTargets', { name: 'bad', url: 'ftp://x' })).body.code).toBe(-400);
    // A URL with user:password@ cannot be delivered to (fetch refuses to build the request): refused, not saved.
    const withCredentials = 'url: url must not carry a user name or password (user:password@): deliveries cannot send them; sign with secret instead';
    for (const url of ['http://user:pw@127.0.0.1:8/hook', 'http://user@127.0.0.1:8/hook']) {
      expect((await t.post('/api/gateway/pushTargets', { name: 'creds', url })).body).toEqual({ code: -400, message: withCredentials, data: null });
    }
    expect((await t.put(`/api/gateway/pushTargets/${targetId}`, { url: 'http://user:pw@127.0.0.1:8/hook' })).body).toEqual({ code: -400, message: withCredentials, data: null });
    expect((await t.get(`/api/gateway/pushTargets/${targetId}`)).body.data.url).toBe(receiver.url);
    // A port fetch blocks (the Fetch standard's list: 6000, 6667, 10080, ...) cannot be delivered to either: refused.
    for (const port of [6000, 6667, 10080]) {
      const url = `http://127.0.0.1:${port}/hook`;
      const blocked = `url: url's port ${port} is one deliveries cannot send to (a port the Fetch standard blocks): use another port`;
      expect((await t.post('/api/gateway/pushTargets', { name: 'blocked', url })).body).toEqual({ code: -400, message: blocked, data: null });
      expect((await t.put(`/api/gateway/pushTargets/${targetId}`, { url })).body).toEqual({ code: -400, message: blocked, data: null });
    }
    expect((await t.get(`/api/gateway/pushTargets/${targetId}`)).body.data.url).toBe(receiver.url);
    // A host name with an underscore (a compose service's) is a receiver the delivery can reach: taken.
    const underscored = await t.post('/api/gateway/pushTargets', { name: 'compose', url: 'http://payroll_hook:8080/events', enabled: false });
    expect(underscored.body.data).toMatchObject({ url: 'http://payroll_hook:8080/events', enabled: false });
    expect((await t.delete(`/api/gateway/pushTargets/${underscored.body.data.id}`)).body.code).toBe(0);
    expect((await t.get('/api/gateway/pushTargets')).body.data.map((x: { id: string }) => x.id)).toEqual([targetId]);
    const spare = await t.post('/api/gateway/pushTargets', { name: 'spare', url: receiver.url, enabled: 'false' });
    expect(spare.body.data).toMatchObject({ enabled: false, hasSecret: false });
    expect((await t.put(`/api/gateway/pushTargets/${spare.body.data.id}`, { name: 'spare2' })).body.data.name).toBe('spare2');
    expect((await t.delete(`/api/gateway/pushTargets/${spare.body.data.id}`)).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get(`/api/gateway/pushTargets/${spare.body.data.id}`)).body.code).toBe(-404);
  });

  it('retries a failing receiver with backoff, shows the state, then delivers every event in order per device, signed', async () => {
    receiver.status = 500;
    const a = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PUSHA00001', doors: 2 });
    const b = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PUSHB00002', doors: 1 });
    await a.connect();
    await b.connect();
    for (let i = 0; i < 4; i++) {
      await a.uploadRtlog([
        { time: `2024-04-01 08:00:0${i}`, pin: 7, cardno: 5000 + i, event: 0, eventaddr: 1, inoutstatus: 0, verifytype: 15 },
        { time: `2024-04-01 08:01:0${i}`, pin: 0, event: 8, eventaddr: 2 },
      ]);
      await b.uploadRtlog([{ time: `2024-04-01 09:00:0${i}`, pin: 8, event: 0 }]);
    }

    // While the receiver fails: retried, visible as retrying with the last status and error.
    const failing = await until('a retried failure', async () => {
      const r = (await t.get(`/api/gateway/pushTargets/${targetId}`)).body.data;
      return r.delivery.retrying >= 2 && receiver.requests.length >= 4 ? r : undefined;
    });
    expect(failing.delivery).toMatchObject({ pending: 12, delivered: 0, lastStatus: 500, lastError: 'HTTP 500', nextAttemptAt: expect.any(String) });
    const pendingRows = (await t.get(`/api/gateway/pushTargets/${targetId}/deliveries`, { state: 'pending', pageNo: 1, pageSize: 50 })).body.data;
    expect(pendingRows.total).toBe(12);
    expect(pendingRows.data.some((d: { attempts: number; lastStatus: number }) => d.attempts >= 1 && d.lastStatus === 500)).toBe(true);
    // Head of line: while a device's first event fails, its later events are not tried.
    const tried = new Set(receiver.requests.map((r) => JSON.parse(JSON.parse(r.body).content).uniqueKey));
    expect(tried.size).toBeLessThanOrEqual(2);
    // Backoff: gaps between attempts grow (50, 100, 200, 400 ms ...), so few attempts in this time.
    const attemptsOfA = receiver.requests.filter((r) => JSON.parse(JSON.parse(r.body).content).devSn === 'PUSHA00001').length;
    expect(attemptsOfA).toBeLessThan(10);

    receiver.status = 200;
    await until('all delivered', async () => (await t.get(`/api/gateway/pushTargets/${targetId}`)).body.data.delivery.pending === 0);

    const ok = receiver.delivered();
    expect(ok).toHaveLength(12);
    // Each outbox row carries the event exactly as stored: the whole row's JSON (the ingest returns it only while a target is enabled).
    const [same] = await t.ds.query(
      `SELECT count(*)::int AS n, bool_and(o.event = to_jsonb(a)) AS equal FROM push_outbox o JOIN acc_transaction a ON a.id = o.transaction_id
        WHERE a.device_sn IN ('PUSHA00001', 'PUSHB00002')`,
    );
    expect(same).toEqual({ n: 12, equal: true });
    const contents = ok.map((r) => JSON.parse(JSON.parse(r.body).content));
    // In order per device, every event exactly once among the successful deliveries.
    expect(contents.filter((c) => c.devSn === 'PUSHA00001').map((c) => c.eventTime)).toEqual(
      [0, 1, 2, 3].flatMap((i) => [Date.UTC(2024, 3, 1, 8, 0, i), Date.UTC(2024, 3, 1, 8, 1, i)]),
    );
    expect(contents.filter((c) => c.devSn === 'PUSHB00002').map((c) => c.eventTime)).toEqual([0, 1, 2, 3].map((i) => Date.UTC(2024, 3, 1, 9, 0, i)));
    // Every request (failed ones too) of a device goes through its events in upload order (log index): the same head again, then the next.
    for (const sn of ['PUSHA00001', 'PUSHB00002']) {
      const seq = receiver.requests.map((r) => JSON.parse(JSON.parse(r.body).content)).filter((c) => c.devSn === sn).map((c) => c.logId as number);
      expect(seq).toEqual([...seq].sort((x, y) => x - y));
    }

    // A target deduplicates on x-gateway-delivery (README, Crash safety): every attempt of one event carries the same
    // id, with its attempt number; different events different ids.
    const idsByEvent = new Map<string, Set<string>>();
    for (const r of receiver.requests) {
      const key = JSON.parse(JSON.parse(r.body).content).uniqueKey as string;
      idsByEvent.set(key, (idsByEvent.get(key) ?? new Set()).add(r.headers['x-gateway-delivery'] as string));
    }
    expect([...idsByEvent.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(new Set([...idsByEvent.values()].map((ids) => [...ids][0])).size).toBe(12);
    const retried = receiver.requests.filter((r) => r.headers['x-gateway-delivery'] === receiver.requests[0].headers['x-gateway-delivery']);
    expect(retried.map((r) => Number(r.headers['x-gateway-attempt']))).toEqual(retried.map((_, i) => i + 1));

    // The payload, exactly as CVSecurity's Push Center sends it, and the HMAC over the raw body.
    const first = ok.find((r) => JSON.parse(JSON.parse(r.body).content).cardNo === '5000')!;
    expect(first.headers['x-gateway-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(first.body).digest('hex')}`);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    const payload = JSON.parse(first.body);
    expect(Object.keys(payload)).toEqual(['module', 'dataType', 'moduleName', 'content', 'pushType', 'pushTypeName']);
    expect(payload).toMatchObject({ module: 'acc', dataType: 'text', moduleName: 'Access', pushType: '7', pushTypeName: 'Event Log' });
    const [door] = await t.ds.query(`SELECT d.id, d.name FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = 'PUSHA00001' AND d.door_no = 1`);
    const [dev] = await t.ds.query(`SELECT alias FROM device WHERE sn = 'PUSHA00001'`);
    expect(JSON.parse(payload.content)).toEqual({
      eventTime: Date.UTC(2024, 3, 1, 8, 0, 0),
      pin: '7',
      name: null,
      lastName: null,
      cardNo: '5000',
      deptCode: null,
      deptName: null,
      devSn: 'PUSHA00001',
      devAlias: dev.alias,
      doorId: door.id,
      doorName: door.name,
      eventNo: 0,
      eventName: expect.any(String),
      eventLevel: 0,
      eventPointName: door.name,
      readerName: `${door.name}-In`,
      readerState: 0,
      verifyModeNo: 15,
      verifyModeName: 'Face',
      areaName: 'Area Name',
      logId: expect.any(Number),
      temperature: null,
      uniqueKey: `PUSHA00001_${JSON.parse(payload.content).logId}_2024-04-01 08:00:00`,
    });
    const state = (await t.get(`/api/gateway/pushTargets/${targetId}`)).body.data.delivery;
    expect(state).toMatchObject({ pending: 0, delivered: 12, retrying: 0, lastError: null, lastDeliveredAt: expect.any(String) });
  });

  it('queues in the same transaction as the event: a rolled-back insert leaves no delivery', async () => {
    const c = new Client({ connectionString: t.db.url });
    await c.connect();
    try {
      const count = async () => Number((await c.query(`SELECT count(*) AS n FROM push_outbox`)).rows[0].n);
      const before = await count();
      await c.query('BEGIN');
      await c.query(`WITH ins AS (INSERT INTO acc_transaction (unique_key, device_sn, event_time, event_no) VALUES ('RB_1', 'RB', now(), 0) ${INSERTED_EVENT_RETURNING}), ${PUBLISH_INSERTED_EVENTS} SELECT 1`);
      expect(Number((await c.query(`SELECT count(*) AS n FROM push_outbox`)).rows[0].n)).toBe(before + 1);
      await c.query('ROLLBACK');
      expect(await count()).toBe(before);
    } finally {
      await c.end();
    }
  });

  it('never leases a delivery another worker delivered while this claim waited for the row (two processes)', async () => {
    const repo = t.app.get(PushOutboxRepository);
    const c = new Client({ connectionString: t.db.url });
    await c.connect();
    try {
      // One delivery of its group, leased by "another process" that is now marking it delivered, uncommitted.
      const [row] = (await c.query(`SELECT id::text AS id, target_id, device_sn FROM push_outbox WHERE state = 'delivered' ORDER BY id DESC LIMIT 1`)).rows;
      await c.query(`UPDATE push_outbox SET state = 'delivered' WHERE target_id = $1 AND device_sn = $2`, [row.target_id, row.device_sn]);
      await c.query(`UPDATE push_outbox SET state = 'pending', lease_until = now() - interval '1 second', next_attempt_at = now() - interval '1 second' WHERE id = $1`, [row.id]);
      await c.query('BEGIN');
      await c.query(`UPDATE push_outbox SET state = 'delivered', delivered_at = now(), lease_until = NULL WHERE id = $1`, [row.id]);
      // This claim read the row as pending and waits for the lock; the delivery commits meanwhile.
      const claim = repo.claimRun({ target_id: row.target_id, device_sn: row.device_sn }, 30_000, 100);
      await sleep(300);
      await c.query('COMMIT');
      expect(await claim).toEqual([]);
      expect((await c.query(`SELECT state, lease_until FROM push_outbox WHERE id = $1`, [row.id])).rows[0]).toEqual({ state: 'delivered', lease_until: null });
    } finally {
      await c.end();
    }
  });

  it('keeps undelivered events across a restart and delivers them after it', async () => {
    receiver.status = 503;
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PUSHR00003', doors: 1 });
    await sim.connect();
    await sim.uploadRtlog([
      { time: '2024-04-02 10:00:00', pin: 9, event: 0 },
      { time: '2024-04-02 10:00:01', pin: 9, event: 0 },
    ]);
    await until('a failed attempt', async () => receiver.requests.some((r) => r.answered === 503));
    await t.gateway.close();
    const before = receiver.delivered().length;

    receiver.status = 200;
    gateway2 = await createGateway(t.config, { poolSize: t.db.poolSize });
    await gateway2.app.listen({ port: 0, host: '127.0.0.1' });
    await until('delivery after restart', async () => receiver.delivered().length === before + 2);
    const times = receiver
      .delivered()
      .slice(before)
      .map((r) => JSON.parse(JSON.parse(r.body).content).eventTime);
    expect(times).toEqual([Date.UTC(2024, 3, 2, 10, 0, 0), Date.UTC(2024, 3, 2, 10, 0, 1)]);
    const port = (gateway2.app.getHttpServer().address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/api/gateway/pushTargets/${targetId}?access_token=${TEST_TOKEN}`);
    expect(((await res.json()) as { data: { delivery: { pending: number } } }).data.delivery.pending).toBe(0);
  });
});
