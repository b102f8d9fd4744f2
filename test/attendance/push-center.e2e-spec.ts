import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, insertPerson } from './attendance-helpers';

let t: TestApp;
let server: Server;
let url = '';
const bodies: string[] = [];

beforeAll(async () => {
  process.env.PUSH_CENTER_POLL_MS = '50';
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  t = await startTestApp();
  await insertPerson(t, '77', 'Kim');
});
afterAll(async () => {
  delete process.env.PUSH_CENTER_POLL_MS;
  await t?.close();
  await new Promise((r) => server.close(() => r(undefined)));
});

describe('Push Center', () => {
  it('pushes each stored punch once, with module att', async () => {
    expect((await t.post('/api/gateway/pushTargets', { name: 'payroll', url })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn: 'ATT-PUSH' });
    const punch = { pin: '77', time: '2026-06-01 09:00:00', status: 0, verify: 15 };
    await term.punch(punch);
    await term.uploadAttlog([punch]);
    for (const end = Date.now() + 20_000; bodies.length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    expect(bodies).toHaveLength(1);
    const body = JSON.parse(bodies[0]);
    expect(body).toMatchObject({ module: 'att', moduleName: 'Attendance', dataType: 'text' });
    expect(JSON.parse(body.content)).toMatchObject({ pin: '77', name: 'Kim', devSn: 'ATT-PUSH', eventName: 'Check-In' });
    // The outbox row carries the punch exactly as stored (its whole row's JSON, which the ATTLOG statement returns only
    // while a target is enabled), tagged with its module; the rtlog punch the ATTLOG line completed is not queued again.
    const [same] = await t.ds.query(
      `SELECT count(*)::int AS n, bool_and(o.event = to_jsonb(a) || '{"module": "att"}'::jsonb) AS equal FROM push_outbox o
        JOIN att_transaction a ON a.id = o.transaction_id WHERE a.device_sn = 'ATT-PUSH'`,
    );
    expect(same).toEqual({ n: 1, equal: true });
    // The delivery names the punch by the id the attendance list (2.21) shows it under.
    const target = (await t.get('/api/gateway/pushTargets')).body.data[0];
    const [delivery] = (await t.get(`/api/gateway/pushTargets/${target.id}/deliveries`)).body.data.data;
    const [listed] = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 10 })).body.data;
    expect(listed).toMatchObject({ pin: '77', eventTime: '2026-06-01 09:00:00' });
    expect(delivery).toMatchObject({ devSn: 'ATT-PUSH', transactionId: listed.id });
  });
});
