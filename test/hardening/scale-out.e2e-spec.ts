import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { GatewayProcess } from '../support/gateway-process';
import { TEST_TOKEN } from '../support/test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

/**
 * Scale out: two real gateway processes (`node dist/src/main.js`) on one PostgreSQL database serve
 * any device and any client. LISTEN/NOTIFY needs a real PostgreSQL server (the embedded database is one
 * process only), so the file is skipped on PGlite.
 */
const onPglite = inject('testDb').mode === 'embedded';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: TestDatabase;
let pg: Client;
let a: GatewayProcess;
let b: GatewayProcess;
let receiver: Server;
const received: string[] = [];

async function until<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function device(sn: string, via: GatewayProcess): Promise<DeviceSimulator> {
  const sim = new DeviceSimulator({ baseUrl: via.baseUrl, sn, doors: 2 });
  expect((await sim.connect()).registered).toBe(true);
  await sim.pollUntilIdle({ maxPolls: 50 }); // the registration's full sync
  return sim;
}

async function getrequest(via: GatewayProcess, sn: string): Promise<string[]> {
  const res = await fetch(`${via.baseUrl}/iclock/getrequest?SN=${sn}`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  return [...(await res.text()).matchAll(/^C:(\d+):/gm)].map((m) => m[1]);
}

beforeAll(async () => {
  if (onPglite) return;
  db = await createTestDatabase();
  pg = new Client({ connectionString: db.url });
  await pg.connect();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const env = { PUSH_CENTER_POLL_MS: '100', PUSH_CENTER_RETRY_BASE_MS: '100', PUSH_CENTER_RETRY_MAX_MS: '500' };
  a = await GatewayProcess.create(db.url, env);
  b = await GatewayProcess.create(db.url, env);
  await Promise.all([a.start(), b.start()]);
});

afterAll(async () => {
  await Promise.all([a?.kill(), b?.kill()]);
  if (receiver) await new Promise((r) => receiver.close(r));
  await pg?.end();
  await db?.release();
});

describe.skipIf(onPglite)('two gateway processes on one database', () => {
  it('delivers a command queued through process A to a device polling process B at once (LISTEN/NOTIFY)', async () => {
    const sim = await device('SCALE-A2B', b);
    const detail = await a.api('GET', '/api/gateway/devices/SCALE-A2B');
    const doorId: string = detail.body.data.doors[0].id;
    expect(await sim.poll()).toEqual([]);

    const t0 = Date.now();
    const open = await a.api('POST', `/api/door/remoteOpenById?doorId=${doorId}&interval=5`);
    expect(open.body.code).toBe(0);
    const got = await sim.pollUntil((s) => s.received.some((c) => c.command.startsWith('CONTROL DEVICE')), { maxPolls: 500, intervalMs: 20 });
    const elapsed = Date.now() - t0;
    expect(got.map((c) => c.command)).toEqual(['CONTROL DEVICE 01010105']);
    // The command timeout is 60 s and real devices poll every 5 s; B learnt of A's command in well under a second
    // (without the NOTIFY it would not learn it: its flags are read from the database only at its start and after a
    // lost LISTEN connection). The bound leaves room for a loaded machine, where the REST call to A alone can take seconds.
    expect(elapsed).toBeLessThan(15_000);
    const [row] = (await pg.query(`SELECT state, attempts FROM device_command WHERE device_sn = 'SCALE-A2B' AND command LIKE 'CONTROL DEVICE%'`)).rows;
    expect(row).toEqual({ state: 'done', attempts: 1 });
  });

  it('has exactly one process deliver each attempt, in queue order, while polls of one SN race on both', { timeout: 120_000 }, async () => {
    await device('SCALE-RACE', a);
    const doorId: string = (await b.api('GET', '/api/gateway/devices/SCALE-RACE')).body.data.doors[0].id;
    const N = 200;
    const [{ max }] = (await pg.query(`SELECT coalesce(max(id), 0)::text AS max FROM device_command`)).rows;

    // A reply is a unit: the next one waits for its results, so each poller reports what it got,
    // through either process, as the device would.
    const delivered: Array<{ via: 'a' | 'b'; cmdId: string }> = [];
    const replies: string[][] = [];
    let queued = 0;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; i < N; i += 4) {
        const r = await (i % 2 ? a : b).api('POST', `/api/door/remoteOpenById?doorId=${doorId}&interval=${1 + (i % 200)}`);
        expect(r.body.code).toBe(0);
        queued++;
      }
    });
    const pollers = Array.from({ length: 6 }, async (_, p) => {
      const via = p % 2 ? a : b;
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (queued < N || delivered.length < N)) {
        const ids = await getrequest(via, 'SCALE-RACE');
        for (const cmdId of ids) delivered.push({ via: p % 2 ? 'a' : 'b', cmdId });
        if (ids.length === 0) continue;
        replies.push(ids);
        const res = await fetch(`${(p % 3 ? a : b).baseUrl}/iclock/devicecmd?SN=SCALE-RACE`, {
          method: 'POST',
          body: ids.map((id) => `ID=${id}&Return=0&CMD=CONTROL`).join('\n'),
        });
        expect(await res.text()).toBe('OK');
      }
    });
    await Promise.all([...writers, ...pollers]);

    const ids = delivered.map((d) => d.cmdId);
    expect(new Set(ids).size).toBe(ids.length); // no CmdID handed out twice
    expect(ids.length).toBe(N); // every command handed out, once
    expect(delivered.some((d) => d.via === 'a') && delivered.some((d) => d.via === 'b')).toBe(true);
    const rows = (await pg.query(`SELECT id::text, state, attempts, attempt_id::text FROM device_command WHERE device_sn = 'SCALE-RACE' AND id > $1 ORDER BY id`, [max])).rows;
    expect(rows.length).toBe(N);
    expect(rows.every((r) => r.state === 'done' && r.attempts === 1)).toBe(true);
    // Each reply is in queue order. (Across replies, queue order is the order of ids among committed rows; the
    // four writers commit concurrently, so a command may commit after a newer one was already handed out.)
    const commandOf = new Map(rows.map((r) => [r.attempt_id, BigInt(r.id)]));
    for (const reply of replies) {
      const order = reply.map((id) => commandOf.get(id)!);
      expect(order).toEqual([...order].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    }
  });

  it('hands each event out once through the monitor cursor, polled on both processes', async () => {
    const ts = Date.now();
    const poll = async (via: GatewayProcess) => {
      const r = await fetch(`${via.baseUrl}/api/transaction/monitor?access_token=${TEST_TOKEN}&timestamp=${ts}`);
      const body = (await r.json()) as { code: number; data: Array<{ cardNo: string; devSn: string }> };
      expect(body.code).toBe(0);
      return body.data;
    };
    expect(await poll(a)).toEqual([]); // the cursor starts here
    const simA = await device('SCALE-MON-A', a);
    const simB = await device('SCALE-MON-B', b);
    const PER_DEVICE = 100;
    const seen: string[] = [];
    let uploading = true;
    const uploads = Promise.all(
      [simA, simB].map(async (sim, d) => {
        for (let i = 0; i < PER_DEVICE; i += 10) {
          const r = await sim.uploadRtlog(Array.from({ length: 10 }, (_, k) => ({ pin: 0, cardno: 100_000 * (d + 1) + i + k, event: 0 })));
          expect(r.body).toBe('OK');
        }
      }),
    ).finally(() => (uploading = false));
    const pollers = [a, b, a, b].map(async (via) => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (uploading || seen.length < 2 * PER_DEVICE)) {
        seen.push(...(await poll(via)).map((e) => `${e.devSn}/${e.cardNo}`));
        await sleep(10);
      }
    });
    await Promise.all([uploads, ...pollers]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(2 * PER_DEVICE);
  });

  it('pushes each event to a Push Center target once, with the workers of both processes running', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`;
    const created = await a.api('POST', '/api/gateway/pushTargets', { name: 'scale-out', url });
    expect(created.body.code).toBe(0);
    const simA = await device('SCALE-PUSH-A', a);
    const simB = await device('SCALE-PUSH-B', b);
    const PER_DEVICE = 60;
    await Promise.all(
      [simA, simB].map(async (sim) => {
        for (let i = 0; i < PER_DEVICE; i += 10) {
          expect((await sim.uploadRtlog(Array.from({ length: 10 }, (_, k) => ({ pin: 0, cardno: 7000 + i + k, event: 0 })))).body).toBe('OK');
        }
      }),
    );
    const keys = () =>
      received.map((body) => (JSON.parse((JSON.parse(body) as { content: string }).content) as { uniqueKey: string }).uniqueKey).filter((k) => k.startsWith('SCALE-PUSH-'));
    await until('every event pushed', () => keys().length >= 2 * PER_DEVICE, 30_000);
    await sleep(500); // a duplicate would arrive within a few worker ticks
    const got = keys();
    expect(new Set(got).size).toBe(got.length);
    expect(got.length).toBe(2 * PER_DEVICE);
    const [{ pending }] = (await pg.query(`SELECT count(*)::int AS pending FROM push_outbox WHERE state = 'pending'`)).rows;
    expect(pending).toBe(0);
  });
});
