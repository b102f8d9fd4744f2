/**
 * Real-time scale: the traffic real panels make, side by side with what this machine can do.
 * Prints figures and ratios, never asserts.
 *
 *   npm run bench:realtime        (= npm run build && node dist/bench/realtime.bench.js)
 *
 * In one run, on real PostgreSQL (a scratch database `cvgw_test_bench_<pid>` on BENCH_ADMIN_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres, dropped at the end; or DATABASE_URL naming a `_test_` database):
 * - the CEILING: a bare node:http server answering `OK`, started by the bench in its own process;
 * - the gateway as production runs it (`node dist/src/main.js`, LOG_LEVEL=info, output discarded);
 * - the load generator in a third process: each phase runs once per generator in BENCH_LOADGEN (default
 *   `autocannon,lean`), every pass against its own ceiling: autocannon, as issue 11's outside measurement ran
 *   it, and bench/lib/load-client.ts (keep-alive connections, one request at a time each, per-request
 *   latencies), which spends far less CPU per request, so that its ceiling is the bare server's own limit and
 *   the gateway's share of the 2 cores smaller. autocannon stops with requests in flight: their events may be
 *   stored unanswered, which the exactly-once check allows (acknowledged ≤ stored ≤ sent, no key twice).
 *
 * Phases (BENCH_SECONDS each, default 8; 1 to 4 once per generator, 5 once with the last generator):
 *   1. ceiling: GET on the bare server, 50 connections;
 *   2. idle getrequest polls from 1,000 registered devices, 50 connections;
 *   3. single-event rtlog uploads from 200 devices, 50 connections, then a check that every acknowledged
 *      event is stored exactly once (and published once to the monitor feed);
 *   4. batched catch-up uploads: 100 events per request from 100 devices, 16 connections;
 *   5. transaction/list page 1 (100 rows) under 100 concurrent integrator connections, after seeding
 *      BENCH_LIST_EVENTS events (default 1,000,000; the issue asks for 5,000,000, which takes several
 *      minutes to seed on a shared machine: set BENCH_LIST_EVENTS=5000000 for it, 0 to skip the phase), then
 *      v2/transaction/list page 1 and 2.18.5 monitor polls (100 cursors: one timestamp per connection), alike.
 *      BENCH_LIST_SEED=0 with DATABASE_URL naming a database that already holds the events (seeded by an earlier
 *      run or by bench/lib/seed-events.ts) skips the seeding: the phase then reads what is there.
 * The device upload rate limit is raised and the REST rate limits are off for the run (one simulated device
 * sends far more than a panel, and 100 integrator connections come from one address).
 * BENCH_PHASES=polls,rtlog,catchup,list picks phases (the ceiling always runs).
 * BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the gateway process.
 * BENCH_PG_WAITS=1 samples pg_stat_activity during the one-event rtlog phase and prints, under its row, how many
 * batch statements ran at once, what they waited on (CPU, the commit's WAL flush, locks) and how long each took on
 * the server (bench/lib/pg-waits.ts); the sampling costs some CPU ("other"), so leave it off for the rates.
 * Each row also gives the serving process's own CPU time per request (user + system, from /proc) and its
 * multiple of the ceiling's: on a shared machine that figure moves far less than the request rates do.
 * The database phases add the CPU time of the PostgreSQL backends serving the bench's database (`pg … µs/req`).
 * Under each row, where the machine's cores went during the phase (/proc/stat and each process's own CPU): the
 * server, its backends, the load generator, interrupts, other processes, idle. Idle cores in a closed-loop phase
 * mean it waits on itself (latency-bound); none idle and little "other" mean it is short of CPU.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { startCeilingServer, type CeilingServer } from './lib/ceiling-server';
import { registerDevices } from './lib/device-load';
import { startGateway, type GatewayChild } from './lib/gateway';
import { agent } from './lib/http';
import { snFor, type LoadFigures, type LoadPlan } from './lib/load-client';
import { countEvents, scratchDatabase } from './lib/scratch-db';
import { seedEvents } from './lib/seed-events';
import { processCpuSeconds } from './lib/process-cpu';
import { coresLine, machineCpu } from './lib/machine-cpu';
import { pgBackendCpu, pgCpuBetween } from './lib/pg-backend-cpu';
import { samplePgWaits } from './lib/pg-waits';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const POLL_DEVICES = 1000;
const RT_DEVICES = 200;
const RT_CONNECTIONS = 50;
const LIST_EVENTS = Number(process.env.BENCH_LIST_EVENTS ?? 1_000_000);
/** BENCH_LIST_SEED=0: the list phase reads the events already in DATABASE_URL instead of seeding LIST_EVENTS more. */
const LIST_SEED = process.env.BENCH_LIST_SEED !== '0';
const TOKEN = 'bench-token-0123456789';
const PHASES = new Set((process.env.BENCH_PHASES ?? 'polls,rtlog,catchup,list').split(','));
const LOAD_CLIENT = path.resolve(__dirname, 'lib/load-client.js');
/** BENCH_PG_WAITS=1: under the one-event rtlog row, what its statements waited on in PostgreSQL (bench/lib/pg-waits.ts). */
const PG_WAITS = process.env.BENCH_PG_WAITS === '1';
/** The rtlog batch statement (rtlog-ingest.service.ts realtimeSql) as pg_stat_activity shows it. */
const INGEST_STATEMENT = /^\s*WITH ins AS \(INSERT INTO "?acc_transaction"? /;
/**
 * The load generators, one pass each (ceiling, polls, rtlog, catch-up) with its own ceiling: `autocannon` (the
 * generator issue 11's outside measurement used) and `lean` (bench/lib/load-client.ts, which spends far less
 * CPU per request, so its ceiling is the server's and the gateway's share of the machine smaller).
 */
const GENERATORS = (process.env.BENCH_LOADGEN ?? 'autocannon,lean')
  .split(',')
  .map((g) => g.trim())
  .filter((g): g is 'autocannon' | 'lean' => g === 'autocannon' || g === 'lean');
if (GENERATORS.length === 0) throw new Error(`BENCH_LOADGEN must name autocannon and/or lean, not ${process.env.BENCH_LOADGEN}`);

/** A phase's figures, the CPU seconds the server process (`pid`) used during it and those of its database backends. */
type Measured = LoadFigures & { cpu: number; pgCpu: number; cores: string };

async function measured(pid: number | undefined, plan: LoadPlan, dbUrl?: string): Promise<Measured> {
  const p0 = dbUrl ? await pgBackendCpu(dbUrl) : undefined;
  const c0 = processCpuSeconds(pid);
  const m0 = machineCpu();
  const f = await load(plan);
  const m1 = machineCpu();
  const cpu = processCpuSeconds(pid) - c0;
  const pgCpu = p0 && dbUrl ? pgCpuBetween(p0, await pgBackendCpu(dbUrl)) : NaN;
  return { ...f, cpu, pgCpu, cores: coresLine(m0, m1, { server: cpu, pg: pgCpu, load: f.loadCpu ?? NaN }) };
}

/** Runs one plan in a fresh load-generator process. */
function load(plan: LoadPlan): Promise<LoadFigures> {
  return new Promise((resolve, reject) => {
    const child = fork(LOAD_CLIENT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let done = false;
    child.once('message', (f) => {
      done = true;
      resolve(f as LoadFigures);
    });
    child.once('exit', (code) => {
      if (!done) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(plan);
  });
}

const fmt = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d });

type Counts = { rows: number; keys: number; feed: number };

async function dbCounts(url: string, prefix: string): Promise<Counts> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(
      `SELECT count(*)::int AS rows, count(DISTINCT a.unique_key)::int AS keys, count(*) FILTER (WHERE a.xid > 0)::int AS feed
       FROM acc_transaction a WHERE a.device_sn LIKE $1`,
      [`${prefix}%`],
    );
    return rows[0];
  } finally {
    await c.end();
  }
}

/** Uploads and group-commit transactions of rtlog so far, from the gateway's own metrics. */
async function groupCommitTotals(port: number): Promise<{ items: number; batches: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(name) && l.includes('kind="rtlog"'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  return { items: sum('cvgw_group_commit_items_total'), batches: sum('cvgw_group_commit_batches_total') };
}

/**
 * The counts once the uploads still in flight when the generator stopped (autocannon's) have been stored:
 * at least `atLeast` rows, then no change for a quarter of a second (at most 5 s in all).
 */
async function settledCounts(url: string, prefix: string, atLeast: number): Promise<Counts> {
  const deadline = Date.now() + 5000;
  let last = await dbCounts(url, prefix);
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await dbCounts(url, prefix);
    if ((now.rows === last.rows && now.rows >= atLeast) || Date.now() > deadline) return now;
    last = now;
  }
}

/** Every acknowledged event stored, each once, each with its feed position; none stored that was not sent. */
function exactlyOnce(f: LoadFigures, stored: number, after: Counts): string {
  const ok = stored >= f.eventsAcked && stored <= f.eventsSent && after.keys === after.rows && after.feed === after.rows;
  const inFlight = f.eventsSent > f.eventsAcked ? `, ${fmt(f.eventsSent - f.eventsAcked)} in flight at the stop` : '';
  return `exactly once: ${ok ? 'yes' : 'NO'} (${fmt(f.eventsAcked)} acknowledged, ${fmt(stored)} stored${inFlight}; feed ${fmt(after.feed)}/${fmt(after.rows)})`;
}

type Row = (label: string, f: Measured, perSecond: number, unit: string, extra?: string) => void;

/** Prints one phase: its rate and ratio to `ceil`, latencies, and CPU per request beside the ceiling's. */
function rowPrinter(ceil: Measured, out: (s: string) => void): Row {
  // Server CPU per request: what one request costs the serving process (gateway or ceiling) itself.
  const ceilCpuUs = (ceil.cpu / Math.max(1, ceil.requests)) * 1e6;
  return (label, f, perSecond, unit, extra = '') => {
    const cpuUs = (f.cpu / Math.max(1, f.requests)) * 1e6;
    const pgUs = (f.pgCpu / Math.max(1, f.requests)) * 1e6;
    out(
      `${label.padEnd(44)} ${fmt(perSecond).padStart(8)} ${unit.padEnd(9)} ${(perSecond / ceil.perSecond).toFixed(2).padStart(6)}   ` +
        `p50 ${f.p50.toFixed(2).padStart(6)} ms  p99 ${f.p99.toFixed(2).padStart(6)} ms  ` +
        `cpu ${Number.isFinite(cpuUs) ? fmt(cpuUs).padStart(6) : '     -'} µs/req (${Number.isFinite(cpuUs) ? (cpuUs / ceilCpuUs).toFixed(1) : '-'}× ceil)  ${Number.isFinite(pgUs) ? `pg ${fmt(pgUs)} µs/req  ` : ''}${f.bad ? `NON-OK ${f.bad} (${f.firstBad}) ` : ''}${extra}`,
    );
    if (f.cores) out(`${''.padEnd(44)} ${f.cores}`);
  };
}

async function main(): Promise<void> {
  const db = await scratchDatabase();
  let gateway: GatewayChild | undefined;
  let ceiling: CeilingServer | undefined;
  const lines: string[] = [];
  const out = (s: string) => {
    lines.push(s);
    console.log(s);
  };
  try {
    ceiling = await startCeilingServer();
    gateway = await startGateway(
      db.url,
      {
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
        API_TOKEN: TOKEN,
        DEVICE_UPLOAD_RATE_LIMIT: '10000000',
        // 100 integrator connections from one address, as fast as they can: the per-address and per-client limits would refuse most.
        API_RATE_LIMIT: '0',
        API_IP_RATE_LIMIT: '0',
      },
      { quietStdout: true, nodeArgs: process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) },
    );
    const port = gateway.port;
    console.log(`gateway on port ${port}, ceiling on port ${ceiling.port}, database ${new URL(db.url).pathname.slice(1)}, ${SECONDS} s per phase, load generators: ${GENERATORS.join(', ')}`);

    const pollSns = Array.from({ length: POLL_DEVICES }, (_, i) => snFor('POLL', i));
    const rtSns = Array.from({ length: RT_DEVICES }, (_, i) => snFor('RT', i));
    const catchSns = Array.from({ length: 100 }, (_, i) => snFor('CATCH', i));
    const toRegister = [...(PHASES.has('polls') ? pollSns : []), ...(PHASES.has('rtlog') ? rtSns : []), ...(PHASES.has('catchup') ? catchSns : [])];
    const regSecs = await registerDevices([port], toRegister);
    console.log(`registered ${toRegister.length} devices in ${regSecs.toFixed(1)} s`);

    // Warm-up: JIT, pool connections, prepared statements.
    if (PHASES.has('polls')) await load({ port, connections: 10, seconds: 1, kind: 'get', path: '/iclock/getrequest?SN={sn}', snPrefix: 'POLL', devices: POLL_DEVICES });
    if (PHASES.has('rtlog')) await load({ port, connections: 10, seconds: 1, kind: 'rtlog', snPrefix: 'RT', devices: RT_DEVICES, perUpload: 1, indexBase: 900_000_000 });
    await load({ port: ceiling.port, connections: 10, seconds: 1, kind: 'get', path: '/x?SN={sn}', devices: 10 });

    const gpid = gateway.child.pid;
    let lastRow: Row | undefined;
    for (const [pass, generator] of GENERATORS.entries()) {
      // Each pass sends events of its own (index ranges apart), so the exactly-once check counts only its own.
      const indexBase = pass * 100_000_000;
      const ceil = await measured(ceiling.pid, { generator, port: ceiling.port, connections: RT_CONNECTIONS, seconds: SECONDS, kind: 'get', path: '/iclock/getrequest?SN={sn}', snPrefix: 'POLL', devices: POLL_DEVICES });
      const row = rowPrinter(ceil, out);
      lastRow = row;
      out('');
      out(`${`load generator: ${generator}`.padEnd(44)} ${'rate'.padStart(8)} ${''.padEnd(9)} ${'÷ceil'.padStart(6)}`);
      row('ceiling: bare node:http "OK", 50 conns', ceil, ceil.perSecond, 'req/s');
      if (PHASES.has('polls')) {
        const polls = await measured(gpid, { generator, port, connections: RT_CONNECTIONS, seconds: SECONDS, kind: 'get', path: '/iclock/getrequest?SN={sn}', snPrefix: 'POLL', devices: POLL_DEVICES });
        row(`idle getrequest, ${POLL_DEVICES} devices, 50 conns`, polls, polls.perSecond, 'req/s');
      }
      if (PHASES.has('rtlog')) {
        const batches0 = await groupCommitTotals(port);
        const before = await dbCounts(db.url, 'RT');
        const waits = PG_WAITS ? await samplePgWaits(db.url, INGEST_STATEMENT) : undefined;
        const rt = await measured(gpid, { generator, port, connections: RT_CONNECTIONS, seconds: SECONDS, kind: 'rtlog', snPrefix: 'RT', devices: RT_DEVICES, perUpload: 1, indexBase }, db.url);
        const waitLines = (await waits?.stop()) ?? [];
        const after = await settledCounts(db.url, 'RT', before.rows + rt.eventsAcked);
        const batches1 = await groupCommitTotals(port);
        const batchSize = (batches1.items - batches0.items) / Math.max(1, batches1.batches - batches0.batches);
        const storedRt = after.rows - before.rows;
        row(`rtlog 1 event/request, ${RT_DEVICES} devices, 50 conns`, rt, storedRt / rt.seconds, 'events/s', `mean batch ${batchSize.toFixed(1)} uploads; ${exactlyOnce(rt, storedRt, after)}`);
        for (const l of waitLines) out(`${''.padEnd(44)} ${l}`);
      }
      if (PHASES.has('catchup')) {
        const cb = await dbCounts(db.url, 'CATCH');
        const catchUp = await measured(gpid, { generator, port, connections: 16, seconds: SECONDS, kind: 'rtlog', snPrefix: 'CATCH', devices: 100, perUpload: 100, indexBase }, db.url);
        const ca = await settledCounts(db.url, 'CATCH', cb.rows + catchUp.eventsAcked);
        const storedCatch = ca.rows - cb.rows;
        row('rtlog 100 events/request, 100 devices, 16 conns', catchUp, storedCatch / catchUp.seconds, 'events/s', exactlyOnce(catchUp, storedCatch, ca));
      }
    }

    if (LIST_EVENTS > 0 && PHASES.has('list')) {
      let events = LIST_EVENTS;
      if (LIST_SEED) {
        console.log(`\nseeding ${fmt(LIST_EVENTS)} events for transaction/list ...`);
        const t0 = Date.now();
        await seedEvents(db.url, { events: LIST_EVENTS, devices: 50, pins: 20_000, days: 365, start: Date.UTC(2024, 0, 1), chunk: 250_000 });
        console.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      } else {
        events = await countEvents(db.url);
        console.log(`\nlisting the ${fmt(events)} events already in the database`);
      }
      const listPath = `/api/transaction/list?pageNo=1&pageSize=100&access_token=${TOKEN}`;
      await load({ port, connections: 10, seconds: 1, kind: 'get', path: listPath, devices: 1 });
      const generator = GENERATORS[GENERATORS.length - 1];
      const list = await measured(gpid, { generator, port, connections: 100, seconds: SECONDS, kind: 'get', path: listPath, devices: 1 }, db.url);
      const v2 = await measured(gpid, { generator, port, connections: 100, seconds: SECONDS, kind: 'get', path: listPath.replace('/api/transaction/', '/api/v2/transaction/'), devices: 1 }, db.url);
      // With the last pass's generator (lean by default), against that pass's ceiling.
      const row = lastRow!;
      // 100 integrators' monitors: a timestamp per connection (each its own cursor), none of them new.
      const monitorPath = `/api/transaction/monitor?timestamp={sn}&access_token=${TOKEN}`;
      await load({ port, connections: 100, seconds: 1, kind: 'get', path: monitorPath, snPrefix: '1764', devices: 100 });
      const monitor = await measured(gpid, { generator, port, connections: 100, seconds: SECONDS, kind: 'get', path: monitorPath, snPrefix: '1764', devices: 100 }, db.url);
      row(`transaction/list p.1 (100), ${fmt(events / 1e6, 1)} M events, 100 conns`, list, list.perSecond, 'req/s');
      row(`v2/transaction/list p.1 (100), ${fmt(events / 1e6, 1)} M events, 100 conns`, v2, v2.perSecond, 'req/s');
      row(`transaction/monitor, 100 cursors, 100 conns`, monitor, monitor.perSecond, 'req/s');
    }
    console.log(`\n(${SECONDS} s per phase; ratios are to the ceiling measured in this run; load generator, gateway, PostgreSQL and ceiling share this machine's ${require('node:os').cpus().length} cores)`);
  } finally {
    await gateway?.stop();
    await ceiling?.stop();
    agent.destroy();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
