import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/database/database';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { GatewayProcess } from '../support/gateway-process';
import { PrivatePostgres } from '../support/private-postgres';

/**
 * Infrastructure faults under running gateways (`node dist/src/main.js`, as production runs them): PostgreSQL
 * restarted under device and REST traffic, its connections cut (pg_terminate_backend), a statement it cancels, the
 * server hanging, a process whose LISTEN connection went silent, and two processes whose clocks disagree. The
 * server is a throwaway one of this file's own (test/support/private-postgres.ts), so it can be stopped, frozen
 * and started again without touching the shared one; without the server binaries the file skips.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DB = 'outage';

let pg: PrivatePostgres | undefined;
let g: GatewayProcess;

/** Migrated once in beforeAll: each database of this file is a copy of it. */
const TEMPLATE = 'outage_template';

/**
 * A migrated database of its own on the private server. Each gateway process pair here would otherwise migrate an
 * empty one at its start, most of a start's time (the first start's migration has tests of its own:
 * test/foundation/database-create, test/hardening/crash-first-start).
 */
async function migratedDatabase(name: string): Promise<string> {
  await pg!.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
  return pg!.url(name);
}

beforeAll(async () => {
  pg = await PrivatePostgres.create();
  if (!pg) return;
  await pg.query(`CREATE DATABASE ${TEMPLATE}`);
  await migrateDatabase(pg.url(TEMPLATE));
  g = await GatewayProcess.create(await migratedDatabase(DB));
  await g.start();
}, 60_000);

afterAll(async () => {
  await g?.kill();
  await pg?.destroy();
});

/** An /api call, timed; a failure to answer at all is status 0. */
async function rest(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: any; ms: number }> {
  const t0 = Date.now();
  try {
    return { ...(await g.api(method, pathAndQuery, body)), ms: Date.now() - t0 };
  } catch (err) {
    return { status: 0, body: String(err), ms: Date.now() - t0 };
  }
}

async function health(): Promise<number> {
  try {
    return (await fetch(`${g.baseUrl}/health`, { signal: AbortSignal.timeout(10_000) })).status;
  } catch {
    return 0;
  }
}

describe.skipIf(!PrivatePostgres.available())('PostgreSQL restarted under traffic', () => {
  it('answers REST with the -503 envelope and devices 503 meanwhile, loses nothing acknowledged, stores nothing twice, and recovers by itself', { timeout: 120_000 }, async () => {
    const panels = await Promise.all(
      ['OUT-ACC-1', 'OUT-ACC-2'].map(async (sn) => {
        const sim = new DeviceSimulator({ baseUrl: g.baseUrl, sn, doors: 2 });
        expect((await sim.connect()).registered).toBe(true);
        return sim;
      }),
    );
    const term = new AttendanceTerminal({ baseUrl: g.baseUrl, sn: 'OUT-ATT-1' });
    expect(await term.init()).toBe(true);

    const ackedEvents: string[] = [];
    const unackedEvents: Array<{ sim: DeviceSimulator; index: number }> = [];
    const ackedPunches: string[] = [];
    const unackedPunches: string[] = [];
    const deviceStatuses = new Set<number>();
    const retryAfter = new Set<string | undefined>();
    const persons: Array<{ pin: string; status: number; code: unknown; message: unknown; ms: number }> = [];
    let stop = false;
    const punchTime = (n: number) => `2026-03-01 ${String(8 + Math.floor(n / 3600)).padStart(2, '0')}:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
    const loops: Promise<void>[] = panels.map(async (sim) => {
      for (let index = 1; !stop; index++) {
        const r = await sim.uploadRtlog([{ time: '2026-03-01 10:00:00', pin: 0, cardno: index, event: 0, index }]);
        deviceStatuses.add(r.status);
        if (r.status === 200 && r.body === 'OK') ackedEvents.push(`${sim.sn}/${index}`);
        else {
          unackedEvents.push({ sim, index });
          retryAfter.add(r.headers['retry-after']);
        }
        await sleep(15);
      }
    });
    loops.push(
      (async () => {
        for (let n = 1; !stop; n++) {
          const r = await term.uploadAttlog([{ pin: '5001', time: punchTime(n), status: 0, verify: 1 }]);
          deviceStatuses.add(r.status);
          if (r.status === 200 && /^OK/.test(r.body)) ackedPunches.push(punchTime(n));
          else unackedPunches.push(punchTime(n));
          await sleep(15);
        }
      })(),
      (async () => {
        for (let n = 1; !stop; n++) {
          const pin = String(7000 + n);
          const r = await rest('POST', '/api/person/add', { pin, name: `P${n}`, deptCode: '1' });
          persons.push({ pin, status: r.status, code: r.body?.code, message: r.body?.message, ms: r.ms });
          await sleep(15);
        }
      })(),
    );

    // Traffic flows before the outage: on a loaded machine the first person add can take longer than any fixed
    // pause, and with none answered yet there would be nothing "before" to check (slice(0, -1) checked them all).
    const flowing = Date.now();
    await sleep(600);
    while ((persons.length < 3 || ackedEvents.length < 3 || ackedPunches.length < 1) && Date.now() - flowing < 30_000) await sleep(50);
    expect(persons.length).toBeGreaterThanOrEqual(3);
    const away = persons.length;
    await pg!.stop('fast');
    await sleep(300);
    const healthAway = [await health()];
    await sleep(1200);
    healthAway.push(await health());
    await pg!.start();
    const back = Date.now();
    let healthyAfterMs = -1;
    while (Date.now() - back < 15_000) {
      if ((await health()) === 200) {
        healthyAfterMs = Date.now() - back;
        break;
      }
      await sleep(50);
    }
    const answered = persons.length;
    await sleep(1500);
    stop = true;
    await Promise.all(loops);

    // A connection the server ended while checked out used to end the process (an 'error' event nobody heard).
    expect(g.running, g.output.slice(-3000)).toBe(true);
    // Honest health: unhealthy while the database is away, healthy again soon after it is back.
    expect(healthAway).toEqual([503, 503]);
    expect(healthyAfterMs).toBeGreaterThanOrEqual(0);
    expect(healthyAfterMs).toBeLessThan(5000);
    // REST meanwhile: the envelope with a negative code, at once, never a 5xx or a hang; success before and after.
    const failed = persons.filter((p) => p.code !== 0);
    expect(failed.length).toBeGreaterThan(0);
    for (const p of failed) expect({ status: p.status, code: p.code, message: p.message }).toEqual({ status: 200, code: -503, message: expect.stringMatching(/database/) });
    expect(Math.max(...persons.map((p) => p.ms))).toBeLessThan(5000);
    expect(persons.slice(0, away - 1).filter((p) => p.code !== 0)).toEqual([]);
    expect(persons.slice(answered + 1).length).toBeGreaterThan(0);
    expect(persons.slice(answered + 1).every((p) => p.code === 0)).toBe(true);
    // Devices: 503 with Retry-After (they send again), not a program error.
    expect([...deviceStatuses].sort()).toEqual([200, 503]);
    expect([...retryAfter]).not.toContain(undefined);
    expect(unackedEvents.length).toBeGreaterThan(0);
    expect(unackedPunches.length).toBeGreaterThan(0);

    // Every acknowledged event and punch is stored; the resends are stored, once.
    for (const u of unackedEvents) expect((await u.sim.uploadRtlog([{ time: '2026-03-01 10:00:00', pin: 0, cardno: u.index, event: 0, index: u.index }])).body).toBe('OK');
    for (const t of unackedPunches) expect((await term.uploadAttlog([{ pin: '5001', time: t, status: 0, verify: 1 }])).body).toMatch(/^OK/);
    const events = await pg!.query<{ key: string }>(`SELECT device_sn || '/' || log_id AS key FROM acc_transaction WHERE device_sn LIKE 'OUT-ACC-%'`, [], DB);
    const keys = events.map((e) => e.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(ackedEvents.length + unackedEvents.length);
    expect(new Set(keys)).toEqual(new Set([...ackedEvents, ...unackedEvents.map((u) => `${u.sim.sn}/${u.index}`)]));
    const punches = await pg!.query<{ n: number }>(`SELECT count(*)::int AS n FROM att_transaction WHERE device_sn = 'OUT-ATT-1'`, [], DB);
    expect(punches[0].n).toBe(ackedPunches.length + unackedPunches.length);
    // Every person answered 0 is stored; one answered -503 is stored by sending it again.
    for (const p of failed) expect((await rest('POST', '/api/person/add', { pin: p.pin, name: 'again', deptCode: '1' })).body.code).toBe(0);
    const stored = await pg!.query<{ n: number }>(`SELECT count(DISTINCT pin)::int AS n FROM person WHERE pin::text LIKE '7%'`, [], DB);
    expect(stored[0].n).toBe(persons.length);
  });

  it('survives its connections being cut (pg_terminate_backend) again and again under traffic', { timeout: 60_000 }, async () => {
    const sim = new DeviceSimulator({ baseUrl: g.baseUrl, sn: 'CUT-ACC-1', doors: 2 });
    expect((await sim.connect()).registered).toBe(true);
    const acked: number[] = [];
    const unacked: number[] = [];
    const answers = new Map<string, number>();
    const storedPins: string[] = [];
    let stop = false;
    const loops = [
      (async () => {
        for (let index = 1; !stop; index++) {
          const r = await sim.uploadRtlog([{ time: '2026-03-02 10:00:00', pin: 0, cardno: index, event: 0, index }]);
          (r.status === 200 && r.body === 'OK' ? acked : unacked).push(index);
          expect([200, 503]).toContain(r.status);
        }
      })(),
      ...[0, 1].map(async (w) => {
        for (let n = w; !stop; n += 2) {
          const r = await rest('POST', '/api/person/add', { pin: String(30_000 + n), name: `C${n}`, deptCode: '1' });
          const key = `${r.status}/${r.body?.code}`;
          if (r.body?.code === 0) storedPins.push(String(30_000 + n));
          answers.set(key, (answers.get(key) ?? 0) + 1);
        }
      }),
    ];
    let cut = 0;
    for (let i = 0; i < 8; i++) {
      await sleep(150);
      cut += await pg!.terminate(DB);
    }
    await sleep(300);
    stop = true;
    await Promise.all(loops);
    expect(cut).toBeGreaterThan(8);
    expect(g.running, g.output.slice(-3000)).toBe(true);
    expect([...answers.keys()].filter((k) => k !== '200/0' && k !== '200/-503'), g.output.split('\n').filter((l) => l.includes('"level":50')).join('\n').slice(0, 3000)).toEqual([]);
    expect(answers.get('200/0')).toBeGreaterThan(0);
    for (const index of unacked) expect((await sim.uploadRtlog([{ time: '2026-03-02 10:00:00', pin: 0, cardno: index, event: 0, index }])).body).toBe('OK');
    const [{ rows, keys }] = await pg!.query<{ rows: number; keys: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT log_id)::int AS keys FROM acc_transaction WHERE device_sn = 'CUT-ACC-1'`,
      [],
      DB,
    );
    expect({ rows, keys }).toEqual({ rows: acked.length + unacked.length, keys: acked.length + unacked.length });
    // Every person answered 0 is stored.
    const persons = await pg!.query<{ pin: string }>(`SELECT pin FROM person WHERE pin = ANY($1::text[])`, [storedPins], DB);
    expect(persons.length).toBe(storedPins.length);
    expect((await health())).toBe(200);
  });

  it('answers /health 503 within seconds while the server hangs (connections open, nothing answers), 200 once it answers again', { timeout: 30_000 }, async () => {
    expect(await health()).toBe(200);
    await pg!.freeze();
    let status: number;
    const t0 = Date.now();
    try {
      status = await health();
    } finally {
      await pg!.thaw();
    }
    const ms = Date.now() - t0;
    expect({ status, fast: ms < 5000 }).toEqual({ status: 503, fast: true });
    expect(await health()).toBe(200);
  });

  it('answers a statement the server cancels (statement_timeout, a table locked by someone else) with the -503 envelope', async () => {
    expect((await rest('POST', '/api/person/add', { pin: '40001', name: 'Locked', deptCode: '1' })).body.code).toBe(0);
    await pg!.query(`ALTER DATABASE ${DB} SET statement_timeout = '400ms'`);
    await pg!.terminate(DB); // the pool's new connections take the setting
    const { Client } = await import('pg');
    const locker = new Client({ connectionString: pg!.url(DB) });
    await locker.connect();
    try {
      await locker.query(`SET statement_timeout = 0`);
      await locker.query(`BEGIN`);
      await locker.query(`LOCK TABLE person IN ACCESS EXCLUSIVE MODE`);
      const read = await rest('GET', '/api/person/get/40001');
      expect({ status: read.status, code: read.body.code }).toEqual({ status: 200, code: -503 });
      const write = await rest('POST', '/api/person/add', { pin: '40002', name: 'Locked', deptCode: '1' });
      expect({ status: write.status, code: write.body.code }).toEqual({ status: 200, code: -503 });
      await locker.query(`ROLLBACK`);
    } finally {
      await locker.end();
      await pg!.query(`ALTER DATABASE ${DB} RESET statement_timeout`);
    }
    expect((await rest('POST', '/api/person/add', { pin: '40002', name: 'Locked', deptCode: '1' })).body.code).toBe(0);
    expect((await rest('GET', '/api/person/get/40001')).body.code).toBe(0);
  });
});

describe.skipIf(!PrivatePostgres.available())('two processes, one of them cut off from its notifications', () => {
  it('a process whose LISTEN connection went silent (a failover, a NAT dropping the idle flow) notices and hears commands again', { timeout: 90_000 }, async () => {
    const DB2 = 'outage_listen';
    const url = await migratedDatabase(DB2);
    const a = await GatewayProcess.create(url);
    const b = await GatewayProcess.create(url, { PGAPPNAME: 'gateway-b' });
    let frozen: number | undefined;
    try {
      await Promise.all([a.start(), b.start()]);
      const ofB = await pg!.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'gateway-b %' AND query LIKE 'LISTEN%'`, [DB2]);
      expect(ofB.length).toBe(1);
      const sim = new DeviceSimulator({ baseUrl: b.baseUrl, sn: 'SILENT-1', doors: 2 });
      expect((await sim.connect()).registered).toBe(true);
      await sim.pollUntilIdle({ maxPolls: 50 });
      const doorId: string = (await a.api('GET', '/api/gateway/devices/SILENT-1')).body.data.doors[0].id;

      // B's notification connection stops answering without being closed: the server side is gone, nothing says so.
      frozen = ofB[0].pid;
      process.kill(frozen, 'SIGSTOP');
      await sleep(500);
      let opened = 0;
      const t0 = Date.now();
      let deliveredAfterMs = -1;
      while (Date.now() - t0 < 20_000) {
        if (opened === 0 || Date.now() - t0 > opened * 3000) {
          expect((await a.api('POST', `/api/door/remoteOpenById?doorId=${doorId}&interval=5`)).body.code).toBe(0);
          opened++;
        }
        if ((await sim.poll()).some((c) => c.command.startsWith('CONTROL DEVICE'))) {
          deliveredAfterMs = Date.now() - t0;
          break;
        }
        await sleep(200);
      }
      expect(deliveredAfterMs, b.output.slice(-2000)).toBeGreaterThanOrEqual(0);
      expect(deliveredAfterMs).toBeLessThan(12_000);
    } finally {
      if (frozen) process.kill(frozen, 'SIGCONT');
      await Promise.all([a.kill(), b.kill()]);
    }
  });
});

describe.skipIf(!PrivatePostgres.available())('two processes whose clocks disagree', () => {
  it('a panel polling the process whose clock is 2 minutes behind is online for the other: its remote open is queued and delivered', { timeout: 60_000 }, async () => {
    const DB3 = 'outage_skew';
    const url = await migratedDatabase(DB3);
    const a = await GatewayProcess.create(url);
    const b = await GatewayProcess.create(url, { NODE_OPTIONS: `--require ${path.resolve('test/support/clock-skew.cjs')}`, CLOCK_SKEW_MS: '-120000' });
    try {
      await Promise.all([a.start(), b.start()]);
      const sim = new DeviceSimulator({ baseUrl: b.baseUrl, sn: 'SKEW-1', doors: 2, syncClock: false });
      expect((await sim.connect()).registered).toBe(true);
      await sim.pollUntilIdle({ maxPolls: 50 });
      // Registered long ago; since then it has polled B, which writes its contacts every 5 s (DEVICE_LAST_SEEN_FLUSH_MS):
      // it polls on until B wrote one (its clock's time, 2 minutes behind), not for a fixed 6 s past the flush.
      await pg!.query(`UPDATE device SET registered_at = now() - interval '1 hour', last_seen_at = NULL WHERE sn = 'SKEW-1'`, [], DB3);
      const written = async () => (await pg!.query<{ n: number }>(`SELECT count(*)::int AS n FROM device WHERE sn = 'SKEW-1' AND last_seen_at IS NOT NULL`, [], DB3))[0].n === 1;
      for (const end = Date.now() + 30_000; !(await written()) && Date.now() < end; ) {
        await sim.poll();
        await sleep(200);
      }
      expect(await written(), 'B never wrote the panel\'s contact').toBe(true);
      const doorId: string = (await a.api('GET', '/api/gateway/devices/SKEW-1')).body.data.doors[0].id;
      const open = await a.api('POST', `/api/door/remoteOpenById?doorId=${doorId}&interval=5`);
      expect(open.body).toMatchObject({ code: 0 });
      const got = await sim.pollUntil((s) => s.received.some((c) => c.command.startsWith('CONTROL DEVICE')), { maxPolls: 50, intervalMs: 100 });
      expect(got.map((c) => c.command)).toContain('CONTROL DEVICE 01010105');
    } finally {
      await Promise.all([a.kill(), b.kill()]);
    }
  });
});
