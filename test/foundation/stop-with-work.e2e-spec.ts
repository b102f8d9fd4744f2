/**
 * A stop (SIGTERM) while the gateway still serves: Nest's close stops the background workers
 * (beforeApplicationShutdown, here held open by a Push Center delivery the subscriber answers only once the test's
 * write and event during the stop were answered) before it
 * closes the HTTP server, so devices keep polling and uploading and integrators keep writing meanwhile.
 * - A REST write answered then and an event a device was answered `OK` for then are in the database: the next start
 *   sends the write's commands to the panel and the event to the subscriber, though the reconciler and the Push
 *   Center had stopped when they committed.
 * - The contacts of those last polls are written: the device's last contact after the restart is its real one.
 *   The last-seen flush ran in onModuleDestroy, before the workers stopped, and the contacts after it were lost: the
 *   device read as last seen (and online) until seconds before it really was.
 * The real built gateway (`node dist/src/main.js`, needs `npm run build`): on the embedded database in a data
 * directory of its own on the embedded run, with DATABASE_URL on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { freePort, GatewayProcess } from '../support/gateway-process';
import { Receiver } from '../support/http-receiver';
import { createTestDatabase, seedMigratedDataDir, type TestDatabase } from '../support/test-db';
import { until } from '../support/until';

const onPglite = inject('testDb').mode === 'embedded';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The REST answer's time, as lastSeen prints it in TIME_ZONE=UTC (whole seconds). */
const cvTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');

describe('a stop while devices and integrators still use the gateway', () => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let g: GatewayProcess | undefined;
  let target: Receiver | undefined;
  let release: () => void = () => undefined;

  afterAll(async () => {
    release();
    await g?.kill();
    await target?.stop().catch(() => undefined);
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps what it acknowledged during the stop, delivers it at the next start, and writes the last contacts', async () => {
    const env = { LOG_LEVEL: 'info', PUSH_CENTER_TIMEOUT_MS: '30000' };
    if (onPglite) {
      dataDir = mkdtempSync(path.join(tmpdir(), 'stop-with-work-'));
      // A cluster a gateway made and migrated before (the run's template): a first start's creation, most of a minute
      // on a loaded machine, has tests of its own (start-stop.e2e-spec.ts).
      await seedMigratedDataDir(dataDir);
      g = new GatewayProcess(await freePort(), { DATA_DIR: dataDir, ...env });
    } else {
      db = await createTestDatabase();
      g = await GatewayProcess.create(db.url, env);
    }
    await g.start(240_000);
    target = await Receiver.answering(200);
    const cards = () => target!.delivered().map((x) => (JSON.parse(JSON.parse(x.body).content) as { cardNo: string }).cardNo);
    expect((await g.api('POST', '/api/gateway/pushTargets', { name: 'stop', url: target.url })).body.code).toBe(0);

    // Panel A gets a person during the stop and does not poll again before the restart; panel B polls throughout.
    const a = new DeviceSimulator({ baseUrl: g.baseUrl, sn: 'STOPWORK01', doors: 1 });
    const b = new DeviceSimulator({ baseUrl: g.baseUrl, sn: 'STOPWORK02', doors: 1 });
    expect((await a.connect()).registered).toBe(true);
    expect((await b.connect()).registered).toBe(true);
    await a.pollUntilIdle();
    const doors = (await g.api('GET', '/api/door/list?pageNo=1&pageSize=50')).body.data as Array<{ name: string }>;
    const doorOfA = (await g.api('GET', '/api/gateway/devices/STOPWORK01')).body.data.doors[0].name as string;
    expect(doors.map((d) => d.name)).toContain(doorOfA);
    expect((await g.api('POST', '/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'StopWork', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    expect((await g.api('POST', '/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'StopWork', doorName: doorOfA }] })).body.code).toBe(0);
    const levelId = (await g.api('GET', '/api/accLevel/getByName/StopWork')).body.data.id as string;
    await a.pollUntilIdle();

    // The subscriber holds the first event's delivery: the stop's Push Center waits for it.
    let taken = false;
    const released = new Promise<void>((r) => (release = r));
    target.hold = () => {
      taken = true;
      return released;
    };
    expect((await a.uploadRtlog([{ pin: 0, cardno: 9101, event: 27 }])).body.trim()).toBe('OK');
    await until('the subscriber holds the first delivery', () => taken, 30_000);

    const child = g.child!;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    // Panel B polls every 100 ms until the gateway stops answering; the last answered poll's time is kept.
    let lastAnswered = 0;
    const polling = (async () => {
      for (;;) {
        const sentAt = Date.now();
        try {
          const res = await fetch(`${g!.baseUrl}/iclock/getrequest?SN=STOPWORK02`, { signal: AbortSignal.timeout(5000) });
          await res.text();
          if (res.status !== 200) return;
          lastAnswered = sentAt;
        } catch {
          return;
        }
        await sleep(100);
      }
    })();
    await sleep(300);
    // An integrator's write and a panel's event, both acknowledged while the workers stop.
    const written = await g.api('POST', '/api/person/add', { pin: '9101', name: 'Late', cardNo: '91019101', accLevelIds: levelId });
    expect(written.body.code).toBe(0);
    expect((await a.uploadRtlog([{ pin: 0, cardno: 9102, event: 27 }])).body.trim()).toBe('OK');
    // The stop is held until then, whatever the machine's speed (a fixed 3 s hold could end before the write and
    // the event on a loaded machine), and until panel B was answered during it.
    await until('panel B answered during the stop', () => lastAnswered > 0, 30_000);
    release();
    expect(await exited).toBe(0);
    await polling;
    // The polls went on into the stop (the held delivery kept the workers stopping).
    expect(lastAnswered).toBeGreaterThan(0);

    // And quietly: no warning or error from the stop (pino: 40 warn, 50 error, 60 fatal).
    const lines = g.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });
    const stop = lines.findIndex((l) => l.msg === 'shutting down');
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(lines.slice(stop).filter((l) => l.level >= 40)).toEqual([]);

    target.hold = undefined;
    await g.start(240_000);
    // Read before panel B polls again: what the stop wrote.
    const seen = (await g.api('GET', '/api/gateway/devices/STOPWORK02')).body.data.lastSeen as string;
    expect(seen >= cvTime(lastAnswered), `lastSeen ${seen}, the last answered poll at ${cvTime(lastAnswered)}`).toBe(true);
    // The write's commands reach panel A at its first poll after the restart.
    await a.pollUntil((sim) => sim.received.some((c) => /^DATA UPDATE user .*Pin=9101\b/.test(c.command)), { maxPolls: 40, intervalMs: 250 });
    expect(a.received.some((c) => /^DATA UPDATE userauthorize Pin=9101\b/.test(c.command))).toBe(true);
    // The event stored during the stop reaches the subscriber; the one delivered during the stop comes once.
    await until('the subscriber gets the event stored during the stop', () => cards().includes('9102'), 30_000);
    expect(cards().filter((c) => c === '9101')).toEqual(['9101']);
  }, 600_000);
});
