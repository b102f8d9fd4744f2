/**
 * Convergence figures, through the real gateway on real PostgreSQL with simulated panels. Printed,
 * never asserted.
 *
 *   npm run build && node dist/bench/convergence.bench.js [adminUrl] [persons] [devices] [concurrentAdds]
 *
 *   1. Full sync of `persons` (default 10,000; the issue's target is 100,000) to `devices` (default 10) panels,
 *      owed and carried out by the reconciler (panels at the same point planned together, page by page), until
 *      every panel CONFIRMED everything (sync_item): seconds, records per getrequest round trip, peak RSS of the
 *      gateway (this process; the simulated panels run in a child process, bench/sim-fleet.ts, whose peak RSS is
 *      printed apart).
 *   2. `v2/person/addPersons` of 1,000 persons into a level spanning every panel: commands per panel.
 *   3. `person/add` from 16 concurrent clients (`concurrentAdds` persons in all, default 800; the clients run in a
 *      process of their own, bench/lib/rest-writers.ts, as an integrator's do), one level
 *      spanning every panel: persons per second until every panel confirmed them. A panel polls every
 *      BENCH_POLL_MS (default 1000; a real panel's RequestDelay is a few seconds), so the last persons wait up
 *      to one such interval before their panel fetches them; BENCH_BUSY_REPOLL=1 makes a panel poll again at
 *      once after a reply that held commands.
 *
 * BENCH_PHASES (e.g. `3` or `1,3`; default all) picks the phases to run; phase 1 and 2 fill the panels first.
 * BENCH_TRACE=1 prints the database statements of phases 1 and 3 by count, time, characters sent (text and
 * parameters) and received (rows, as JSON). BENCH_ROUNDS=n runs phase 3 n times in the same gateway process,
 * each time with new persons: the first round is a cold process (the JIT compiles the write path as it goes,
 * and the tables grow from nothing), the later ones a warm one. BENCH_KEEP_DB=1 leaves the bench's database
 * behind, for EXPLAIN and pg_stat_user_tables.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createGateway } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { migrateDatabase } from '../src/database/database';
import { pgBackendCpu, pgCpuBetween } from './lib/pg-backend-cpu';
import { processCpuSeconds } from './lib/process-cpu';
import { SyncReconciler } from '../src/sync/sync-reconciler.service';
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ADMIN_URL = process.argv[2] ?? process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PERSONS = Number(process.argv[3] ?? 10_000);
const DEVICES = Number(process.argv[4] ?? 10);
const ADDS = Number(process.argv[5] ?? 800);
const CLIENTS = 16;
const PHASES = new Set((process.env.BENCH_PHASES ?? '1,2,3').split(',').map((p) => Number(p.trim())));
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
const BUSY_REPOLL = process.env.BENCH_BUSY_REPOLL === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const TOKEN = 'bench-token-0123456789';

function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Queries sent by every pg client of this process (the gateway's pool), for round trips per write. */
let queries = 0;
/** BENCH_TRACE=1: the statements of phases 1 and 3, counted and timed by their first characters. */
interface TraceEntry {
  n: number;
  ms: number;
  /** Characters of text and parameters sent, of rows (as JSON) received, and rows received. */
  sent: number;
  got: number;
  rows: number;
}
let trace: Map<string, TraceEntry> | null = null;
const pgQuery = Client.prototype.query;
Client.prototype.query = function (this: Client, ...args: unknown[]) {
  queries++;
  const out = (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
  if (trace && out instanceof Promise) {
    const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text ?? '?');
    const k = text.replace(/\s+/g, ' ').slice(0, 100);
    const t0 = performance.now();
    const vals = (Array.isArray(args[1]) ? args[1] : (args[0] as { values?: unknown[] })?.values) ?? [];
    const sent = text.length + vals.reduce<number>((n, v) => n + (v == null ? 0 : typeof v === 'string' ? v.length : Array.isArray(v) ? JSON.stringify(v).length : String(v).length), 0);
    const add = (r?: unknown) => {
      const e = trace?.get(k) ?? { n: 0, ms: 0, sent: 0, got: 0, rows: 0 };
      e.n++;
      e.ms += performance.now() - t0;
      e.sent += sent;
      const rows = (r as { rows?: unknown[] })?.rows ?? [];
      e.rows += rows.length;
      e.got += rows.length ? JSON.stringify(rows).length : 0;
      trace?.set(k, e);
    };
    out.then(add, () => add());
  }
  return out;
} as typeof Client.prototype.query;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();

/** The simulated panels, in a child process (bench/sim-fleet.ts): one request at a time, answered by id. */
class Fleet {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  get pid(): number | undefined {
    return this.child.pid;
  }
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new Error(m.error));
      else w?.resolve(m.result);
    });
  }
  static start(): Fleet {
    return new Fleet(fork(path.join(__dirname, 'sim-fleet.js'), [], { stdio: 'inherit' }));
  }
  ask<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, op, ...args });
    });
  }
  stop(): void {
    this.child.disconnect();
  }
}

/** Runs the integrator clients in a child process (bench/lib/rest-writers.ts) until every write was answered. */
function restWriters(plan: { baseUrl: string; token: string; clients: number; count: number; firstPin: number; levelId: string }): Promise<{ ms: number; cpuMs: number; failed: string[] }> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'lib/rest-writers.js'), [], { stdio: 'inherit' });
    let done = false;
    child.once('message', (m) => {
      done = true;
      resolve(m as { ms: number; cpuMs: number; failed: string[] });
    });
    child.once('exit', (code) => {
      if (!done) reject(new Error(`the REST writers exited with ${code}`));
    });
    child.send(plan);
  });
}

/** Peak RSS of this process (VmHWM), or the sampled peak where /proc is missing. */
function ownPeakRss(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Math.max(peakRss, Number(m[1]) * 1024);
  } catch {
    /* not Linux */
  }
  return peakRss;
}

/** What the machine gives right now: one-row INSERT transactions per second from CLIENTS connections, for 3 s. */
async function commitCeiling(url: string): Promise<number> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    return c;
  }));
  await clients[0].query(`CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY, v text)`);
  let done = 0;
  const until = Date.now() + 3000;
  await Promise.all(clients.map(async (c) => {
    while (Date.now() < until) {
      await c.query(`INSERT INTO bench_ceiling (v) VALUES ('x')`);
      done++;
    }
  }));
  await Promise.all(clients.map((c) => c.end()));
  return done / 3;
}

async function confirmedUsers(ds: DataSource, sns: string[]): Promise<number[]> {
  const rows: Array<{ sn: string; n: number }> = await ds.query(
    `SELECT d.sn, count(s.key)::int AS n FROM device d LEFT JOIN sync_item s ON s.device_id = d.id AND s.kind = 'user' AND s.hash IS NOT NULL
      WHERE d.sn = ANY($1) GROUP BY d.sn ORDER BY d.sn`,
    [sns],
  );
  return rows.map((r) => r.n);
}

async function main(): Promise<void> {
  const name = `cvgw_test_bench_conv_${process.pid}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = dbUrl(name);
  try {
    await migrateDatabase(url);
    const config = {
      ...loadConfig({}),
      databaseUrl: url,
      apiToken: TOKEN,
      deviceAdmission: 'auto' as const,
      timeZone: 'UTC',
      logLevel: 'silent' as const,
      port: 0,
      host: '127.0.0.1',
      syncReconcileIntervalMs: 0,
      apiRateLimit: 0,
      apiIpRateLimit: 0,
    };
    const gateway = await createGateway(config);
    await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const address = gateway.app.getHttpServer().address();
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const api = (path: string, body: unknown) =>
      fetch(`${baseUrl}${path}?access_token=${TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ code: number }>);
    try {
      const fleet = Fleet.start();
      const { sns } = await fleet.ask<{ sns: string[] }>('connect', { baseUrl, count: DEVICES });
      const ds = gateway.app.get(DataSource);
      const reconciler = gateway.app.get(SyncReconciler);
      const levelId = 'c'.repeat(32);
      await ds.query(`INSERT INTO acc_level (id, name, time_segment_id) SELECT $1, 'Bench', id FROM time_segment WHERE tz_id = 1`, [levelId]);
      await ds.query(`INSERT INTO acc_level_door (level_id, door_id) SELECT $1, id FROM door`, [levelId]);

      // 1. Full sync.
      if (PHASES.has(1)) {
      await ds.query(
        `INSERT INTO person (id, pin, name, last_name, card_no, dept_id)
         SELECT md5('bench' || g), (1000000 + g)::text, 'Person' || g, 'Bench', (5000000 + g)::text, (SELECT id FROM department WHERE code = '1')
           FROM generate_series(1, $1) g`,
        [PERSONS],
      );
      await ds.query(`INSERT INTO acc_level_person (level_id, person_id) SELECT $1, md5('bench' || g) FROM generate_series(1, $2) g`, [levelId, PERSONS]);
      peakRss = process.memoryUsage().rss;
      if (process.env.BENCH_TRACE) trace = new Map();
      const t0 = Date.now();
      const cpu0 = process.cpuUsage();
      const pg0 = await pgBackendCpu(url);
      const fleet0 = processCpuSeconds(fleet.pid);
      // Owed as registration records it, carried out by the reconciler (its leader, one bounded transaction per
      // page; panels at the same point planned together), then the panels drain.
      await ds.query(`INSERT INTO sync_owed (device_id, kind) SELECT id, 'full' FROM device`);
      await reconciler.runOnce();
      const [{ owed }]: Array<{ owed: number }> = await ds.query(`SELECT count(*)::int AS owed FROM sync_owed`);
      if (owed > 0) throw new Error(`${owed} full syncs still owed after the reconciler's pass`);
      const planMs = Date.now() - t0;
      const { polls, records } = await fleet.ask<{ polls: number; records: number }>('drain');
      const fullMs = Date.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const pgCpu = pgCpuBetween(pg0, await pgBackendCpu(url));
      const fleetCpu = processCpuSeconds(fleet.pid) - fleet0;
      const confirmed = await confirmedUsers(ds, sns);
      console.log(`1. full sync: ${PERSONS} persons × ${DEVICES} panels (4 doors each), planned by the reconciler`);
      console.log(`   planning: ${(planMs / 1000).toFixed(2)} s; until every panel confirmed everything: ${(fullMs / 1000).toFixed(2)} s (target < 60 s for 100,000 × 10)`);
      console.log(`   records per getrequest round trip: ${(records / polls).toFixed(1)} (${records} records, ${polls} round trips; target >= 100)`);
      const fleetRss = (await fleet.ask<{ peakRss: number }>('rss')).peakRss;
      console.log(`   peak RSS of the gateway: ${(ownPeakRss() / 2 ** 20).toFixed(0)} MB (target < 500 MB); of the ${DEVICES} simulated panels (own process): ${(fleetRss / 2 ** 20).toFixed(0)} MB`);
      console.log(`   users confirmed per panel: ${confirmed.join(', ')}`);
      // On a shared machine the panels' own work competes with the gateway's: where the CPU went says how much.
      console.log(
        `   CPU until every panel confirmed: gateway ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, PostgreSQL ${pgCpu.toFixed(1)} s, ` +
          `the ${DEVICES} simulated panels ${fleetCpu.toFixed(1)} s (${require('node:os').cpus().length} cores × ${(fullMs / 1000).toFixed(1)} s)`,
      );
      if (trace) for (const [k, e] of [...trace].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`   ${String(e.n).padStart(5)} ${e.ms.toFixed(0).padStart(6)} ms sent ${Math.round(e.sent / 1024)}K got ${Math.round(e.got / 1024)}K rows ${e.rows} ${k.slice(0, 70)}`);
      trace = null;
      }

      // 2. addPersons of 1,000.
      if (PHASES.has(2)) {
      const mark: Array<{ n: string }> = await ds.query(`SELECT coalesce(max(id), 0)::text AS n FROM device_command`);
      const batch = Array.from({ length: 1000 }, (_, i) => ({ pin: String(2000000 + i), name: `Batch${i}`, accLevelIds: levelId }));
      const res = await api('/api/v2/person/addPersons', batch);
      const perDevice: Array<{ sn: string; n: number }> = await ds.query(
        `SELECT device_sn AS sn, count(*)::int AS n FROM device_command WHERE id > $1::bigint GROUP BY device_sn ORDER BY device_sn`,
        [mark[0].n],
      );
      console.log(`2. v2/person/addPersons of 1,000 persons (code ${res.code}): commands per panel ${perDevice.map((p) => p.n).join(', ')}`);
      await fleet.ask('drain');
      }

      // 3. person/add from 16 concurrent clients.
      if (PHASES.has(3)) {
      // Database round trips per write, panels idle: one write alone, then 16 at once (coalesced).
      const probe = async (n: number, clients: number, from: number) => {
        const q0 = queries;
        let k = 0;
        await Promise.all(Array.from({ length: clients }, async () => {
          for (let i = k++; i < n; i = k++) await api('/api/person/add', { pin: String(from + i), name: `Probe${i}`, accLevelIds: levelId });
        }));
        return (queries - q0) / n;
      };
      const alone = await probe(8, 1, 4000000);
      const together = await probe(64, CLIENTS, 4000100);
      console.log(`3. database round trips per person/add: ${alone.toFixed(1)} alone, ${together.toFixed(1)} with ${CLIENTS} clients at once`);
      for (let round = 0; round < ROUNDS; round++) {
      await fleet.ask('drain');
      const before = await confirmedUsers(ds, sns);
      if (process.env.BENCH_TRACE) trace = new Map();
      const cpu0 = process.cpuUsage();
      const pg0 = await pgBackendCpu(url);
      const q1 = queries;
      const t1 = Date.now();
      await fleet.ask('poll', { on: true, everyMs: POLL_MS, busy: BUSY_REPOLL });
      // The integrator's 16 clients run in a process of their own, as from outside (bench/lib/rest-writers.ts).
      const writers = await restWriters({ baseUrl, token: TOKEN, clients: CLIENTS, count: ADDS, firstPin: 3000000 + round * 100000, levelId });
      if (writers.failed.length) throw new Error(`person/add failed: ${writers.failed.slice(0, 5).join(', ')}`);
      const written = Date.now() - t1;
      const cpu = process.cpuUsage(cpu0);
      const pgCpu = pgCpuBetween(pg0, await pgBackendCpu(url));
      const writeQueries = queries - q1;
      if (trace) for (const [k, e] of [...trace].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.BENCH_TRACE_TOP ?? 25))) console.log(`   ${String(e.n).padStart(5)} ${e.ms.toFixed(0).padStart(6)} ms sent ${Math.round(e.sent / 1024)}K got ${Math.round(e.got / 1024)}K rows ${e.rows} ${k.slice(0, 70)}`);
      trace = null;
      // The moment every panel has confirmed, read before the panels are told to stop: stopping waits for each
      // panel's current poll interval to end (up to BENCH_POLL_MS), which is no part of converging.
      let acked: number;
      for (;;) {
        const now = await confirmedUsers(ds, sns);
        acked = Date.now() - t1;
        if (now.every((n, i) => n - before[i] >= ADDS) || acked > 120_000) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await fleet.ask('poll', { on: false });
      const ceiling = await commitCeiling(url);
      console.log(`3. person/add × ${ADDS} from ${CLIENTS} concurrent clients, one level over ${DEVICES} panels${ROUNDS > 1 ? ` (round ${round + 1} of ${ROUNDS}, ${round === 0 ? 'a cold process' : 'warm'})` : ''}:`);
      console.log(`   ceiling (same run): ${ceiling.toFixed(0)} one-row INSERT transactions/s from ${CLIENTS} connections (no gateway)`);
      console.log(`   REST writes done in ${(written / 1000).toFixed(2)} s; every panel confirmed after ${(acked / 1000).toFixed(2)} s: ${(ADDS / (acked / 1000)).toFixed(0)} persons/s (target >= 300), ${(ADDS / (acked / 1000) / ceiling).toFixed(2)} of the ceiling`);
      console.log(`   gateway process: ${((cpu.user + cpu.system) / 1000 / ADDS).toFixed(2)} ms CPU per person until the last write (the 16 clients, in their own process: ${(writers.cpuMs / ADDS).toFixed(2)} ms; PostgreSQL: ${((pgCpu * 1000) / ADDS).toFixed(2)} ms); ${(writeQueries / ADDS).toFixed(1)} queries per person (writes, polls and results)`);
      console.log(`   panels poll every ${POLL_MS} ms${BUSY_REPOLL ? ', and again at once after a reply with commands' : ''}`);
      }
      }
      fleet.stop();
    } finally {
      await gateway.close();
    }
  } finally {
    clearInterval(sampler);
    if (process.env.BENCH_KEEP_DB !== "1") await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
