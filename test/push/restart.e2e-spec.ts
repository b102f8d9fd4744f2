import { afterAll, expect, inject, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/bootstrap';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { CommandQueueService } from '../../src/push/command-queue.service';
import { dataUpdateUser } from '../../src/push/protocol';
import { PUSH_SETTINGS, type PushSettings } from '../../src/push/push-settings';
import { DeviceSimulator } from '../simulator/device-simulator';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { sleep } from './push-helpers';

let db: TestDatabase | undefined;
const open: Gateway[] = [];

afterAll(async () => {
  for (const g of open) await g.close().catch(() => undefined);
  await db?.release();
});

async function start(config: AppConfig): Promise<{ gateway: Gateway; baseUrl: string }> {
  const gateway = await createGateway(config, { poolSize: db?.poolSize });
  open.push(gateway);
  await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const address = gateway.app.getHttpServer().address();
  return { gateway, baseUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

it('resumes the queue after a restart: pending commands are delivered, unacknowledged ones re-offered', async () => {
  db = await createTestDatabase();
  const config: AppConfig = { ...loadConfig({}), databaseUrl: db.url, deviceAdmission: 'auto', deviceClearOnAdd: false, timeZone: 'UTC', logLevel: 'silent', port: 0, host: '127.0.0.1' };
  const cmds = [1, 2, 3].map((pin) => dataUpdateUser({ pin, name: `Restart ${pin}` }));

  // First life: the device registers, takes the first command and never answers; two more are queued.
  const first = await start(config);
  first.gateway.app.get<PushSettings>(PUSH_SETTINGS).maxCommandsPerReply = 1;
  const sim = new DeviceSimulator({ baseUrl: first.baseUrl, sn: 'RESTART-1', doors: 1, autoAck: false });
  expect((await sim.connect()).registered).toBe(true);
  const queue = first.gateway.app.get(CommandQueueService);
  const ds = first.gateway.app.get(CommandQueueService)['ds'];
  await ds.transaction((m) => queue.enqueue(m, sim.sn, cmds));
  const [lost] = await sim.poll();
  expect(lost.command).toBe(cmds[0]);
  await first.gateway.close();

  // Second life on the same database: nothing is lost and order holds; the unanswered command (its result
  // timeout passed while the gateway was down) comes back first, under a new CmdID.
  const second = await start(config);
  second.gateway.app.get<PushSettings>(PUSH_SETTINGS).ackTimeoutMs = 300;
  await sleep(300);
  const sim2 = new DeviceSimulator({ baseUrl: second.baseUrl, sn: 'RESTART-1', doors: 1 });
  expect((await sim2.connect()).registered).toBe(true);
  const a = await sim2.pollUntilIdle();
  expect(a.map((c) => c.command)).toEqual(cmds);
  expect(a[0].id).not.toBe(lost.id);
  const rows = await second.gateway.app.get(CommandQueueService)['ds'].query(
    `SELECT state, attempts FROM device_command WHERE device_sn = 'RESTART-1' ORDER BY id`,
  );
  expect(rows).toEqual([
    { state: 'done', attempts: 2 },
    { state: 'done', attempts: 1 },
    { state: 'done', attempts: 1 },
  ]);
  expect(sim2.table('user').map((u) => u.Pin).sort()).toEqual(['1', '2', '3']);
});

// Several processes on one database is the PostgreSQL deployment; the embedded database admits one process.
it.skipIf(inject('testDb').mode === 'embedded')('wakes a device polling another gateway process on the same database (LISTEN/NOTIFY)', async () => {
  const db2 = await createTestDatabase();
  try {
    const config: AppConfig = { ...loadConfig({}), databaseUrl: db2.url, deviceAdmission: 'auto', deviceClearOnAdd: false, timeZone: 'UTC', logLevel: 'silent', port: 0, host: '127.0.0.1' };
    const a = await start(config);
    const b = await start(config);
    const sim = new DeviceSimulator({ baseUrl: b.baseUrl, sn: 'MULTI-1', doors: 1 });
    expect((await sim.connect()).registered).toBe(true);
    expect(await sim.poll()).toEqual([]);
    const queue = a.gateway.app.get(CommandQueueService);
    const cmd = dataUpdateUser({ pin: 9, name: 'Notified' });
    await queue['ds'].transaction((m) => queue.enqueue(m, 'MULTI-1', [cmd]));
    const got = await sim.pollUntil((s) => s.received.length > 0, { maxPolls: 20, intervalMs: 50 });
    expect(got.map((c) => c.command)).toEqual([cmd]);
    await a.gateway.close();
    await b.gateway.close();
  } finally {
    await db2.drop();
  }
});
