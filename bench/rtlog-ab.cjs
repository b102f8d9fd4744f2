// Two gateway builds side by side under the same moments of load (docs/performance-log.md, 2026-11-29 helper 2):
// each build its own gateway process and scratch database, 200 `RT` panels registered on each, then one-event rtlog
// slices from the lean load client (50 connections; 16 for catch-up sizes) alternated A/B, B/A round by round.
// Per slice: events acknowledged per second, the gateway's and its PostgreSQL backends' CPU per request (/proc),
// p50/p99 and the mean group-commit batch; at the end the medians and the per-round B/A ratios, which is what to
// read on a shared machine (a single run's rate moves with everyone else's work).
// Usage (after npm run build): node bench/rtlog-ab.cjs <A dist/src/main.js> <B dist/src/main.js> [rounds=8] [seconds=3] [eventsPerUpload=1]
// A build to compare against: `git worktree add /tmp/base <commit> && cd /tmp/base && ln -s <repo>/node_modules && npm run build`.
// A server setting or a schema difference instead of a build (both sides the same main.js): AB_SQL_A and AB_SQL_B are
// run in that side's scratch database before each of its slices (e.g. `ALTER SYSTEM SET wal_sync_method =
// open_datasync; SELECT pg_reload_conf()`, ALTER SYSTEM only on a private server given as BENCH_ADMIN_URL; or a
// `DROP INDEX IF EXISTS …` as a diagnostic). Each slice also reads pg_stat_wal: WAL flushes
// per batch and the WAL I/O time per batch (write and sync, ms; with open_datasync the sync is inside the write, which
// pg_stat_wal then counts as no sync), read when the server has track_wal_io_timing on (stop 71, helper 1). Both are
// the whole server's: on a server shared with other work they count its flushes too.
// A session setting or a start-up variable for one side only: AB_ENV_A and AB_ENV_B, as `NAME=value` pairs separated by
// newlines, are added to that side's gateway environment (e.g. AB_ENV_B='PGOPTIONS=-c synchronous_commit=off', a
// diagnostic of how much of a cycle the commit's WAL flush is: its pool's sessions then skip the flush; stop 74, helper 2).
const os = require('node:os');
const path = require('node:path');
const { fork } = require('node:child_process');
const LIB = path.resolve(process.env.DIST ?? path.resolve(__dirname, '../dist'), 'bench/lib');
const { scratchDatabase } = require(path.join(LIB, 'scratch-db'));
const { registerDevices } = require(path.join(LIB, 'device-load'));
const { processCpuSeconds } = require(path.join(LIB, 'process-cpu'));
const { pgBackendCpu, pgCpuBetween } = require(path.join(LIB, 'pg-backend-cpu'));
const { snFor } = require(path.join(LIB, 'load-client'));

const [MAIN_A, MAIN_B] = process.argv.slice(2, 4);
if (!MAIN_A || !MAIN_B) throw new Error('usage: node bench/rtlog-ab.cjs <A main.js> <B main.js> [rounds] [seconds] [eventsPerUpload]');
const ROUNDS = Number(process.argv[4] ?? 8);
const SECONDS = Number(process.argv[5] ?? 3);
const PER_UPLOAD = Number(process.argv[6] ?? 1);

/** A side's AB_ENV_<A|B>: `NAME=value` lines (a value may hold spaces and `=`). */
function sideEnv(tag) {
  const env = {};
  for (const line of (process.env[`AB_ENV_${tag.toUpperCase()}`] ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return env;
}

/** bench/lib/gateway.ts reads BENCH_GATEWAY_MAIN when loaded: loaded once per build. */
function startBuild(main, url, extraEnv) {
  process.env.BENCH_GATEWAY_MAIN = path.resolve(main);
  delete require.cache[require.resolve(path.join(LIB, 'gateway'))];
  const { startGateway } = require(path.join(LIB, 'gateway'));
  // The realtime bench's settings: info logs, the device upload limit raised.
  return startGateway(url, { LOG_LEVEL: 'info', API_TOKEN: 'bench-token-0123456789', DEVICE_UPLOAD_RATE_LIMIT: '10000000', API_RATE_LIMIT: '0', API_IP_RATE_LIMIT: '0', ...extraEnv }, { quietStdout: true });
}

function load(plan) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(LIB, 'load-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let done = false;
    child.once('message', (f) => {
      done = true;
      resolve(f);
    });
    child.once('exit', (code) => {
      if (!done) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(plan);
  });
}

/** Runs a side's AB_SQL_<A|B> in its database (a connection of its own; a reloaded setting reaches the backends after the pause). */
async function sideSql(tag, url) {
  const sql = process.env[`AB_SQL_${tag.toUpperCase()}`];
  if (!sql) return;
  const { Client } = require('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    for (const part of sql.split(';').map((x) => x.trim()).filter(Boolean)) await c.query(part);
  } finally {
    await c.end();
  }
  await new Promise((r) => setTimeout(r, 200)); // the reload reaches the backends on their next command
}

/** pg_stat_wal's flush count and its write plus sync time (ms; 0 unless track_wal_io_timing), cluster-wide. */
async function walSync(url) {
  const { Client } = require('pg');
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = (await c.query('SELECT wal_sync::float8 AS n, (wal_write_time + wal_sync_time)::float8 AS ms FROM pg_stat_wal')).rows[0];
    return { n: Number(r.n), ms: Number(r.ms) };
  } finally {
    await c.end();
  }
}

async function groupCommit(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const sum = (name) => text.split('\n').filter((l) => l.startsWith(name) && l.includes('kind="rtlog"')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  return { items: sum('cvgw_group_commit_items_total'), batches: sum('cvgw_group_commit_batches_total') };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

(async () => {
  const sides = [];
  try {
    for (const [tag, main] of [['a', MAIN_A], ['b', MAIN_B]]) {
      const side = { tag, main, db: await scratchDatabase(tag), gw: undefined, rows: [] };
      sides.push(side); // dropped at the end even when its gateway does not start
      side.gw = await startBuild(main, side.db.url, sideEnv(tag));
    }
    const sns = Array.from({ length: 200 }, (_, i) => snFor('RT', i));
    for (const s of sides) await registerDevices([s.gw.port], sns);
    // Warm-up: JIT, pool connections, prepared statements.
    for (const s of sides) await load({ port: s.gw.port, connections: 10, seconds: 2, kind: 'rtlog', snPrefix: 'RT', devices: 200, perUpload: PER_UPLOAD, indexBase: 900_000_000 });
    let indexBase = 0;
    // Round -1 is not counted: the first slice after the warm-ups ran slow for whichever side came first (an A/A
    // control of one build against itself gave 0.47 for its first round's gateway CPU ratio).
    for (let round = -1; round < ROUNDS; round++) {
      for (const s of round % 2 === 0 ? sides : [...sides].reverse()) {
        indexBase += 10_000_000; // each slice's events are new
        await sideSql(s.tag, s.db.url);
        const w0 = await walSync(s.db.url);
        const g0 = await groupCommit(s.gw.port);
        const p0 = await pgBackendCpu(s.db.url);
        const c0 = processCpuSeconds(s.gw.child.pid);
        const f = await load({ port: s.gw.port, connections: PER_UPLOAD > 1 ? 16 : 50, seconds: SECONDS, kind: 'rtlog', snPrefix: 'RT', devices: 200, perUpload: PER_UPLOAD, indexBase });
        const cpu = processCpuSeconds(s.gw.child.pid) - c0;
        const pg = pgCpuBetween(p0, await pgBackendCpu(s.db.url));
        const g1 = await groupCommit(s.gw.port);
        const w1 = await walSync(s.db.url);
        const r = {
          eps: f.eventsAcked / f.seconds,
          gw: (cpu / f.requests) * 1e6,
          pg: (pg / f.requests) * 1e6,
          p50: f.p50,
          p99: f.p99,
          batch: (g1.items - g0.items) / Math.max(1, g1.batches - g0.batches),
          flushes: (w1.n - w0.n) / Math.max(1, g1.batches - g0.batches),
          walMs: (w1.ms - w0.ms) / Math.max(1, g1.batches - g0.batches),
        };
        if (round >= 0) s.rows.push(r);
        console.log(
          `round ${round} ${s.tag}: ${r.eps.toFixed(0)} events/s, gateway ${r.gw.toFixed(1)} µs/req, PostgreSQL ${r.pg.toFixed(1)} µs/req, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, batch ${r.batch.toFixed(1)}, WAL flushes ${r.flushes.toFixed(2)} and WAL I/O ${r.walMs.toFixed(2)} ms per batch${f.bad ? `, NON-OK ${f.bad}` : ''}, load ${os.loadavg()[0].toFixed(1)}`,
        );
      }
    }
    for (const s of sides) {
      const m = (k) => median(s.rows.map((r) => r[k]));
      console.log(`${s.tag} (${s.main}): medians ${m('eps').toFixed(0)} events/s, gateway ${m('gw').toFixed(1)} µs/req, PostgreSQL ${m('pg').toFixed(1)} µs/req, p50 ${m('p50').toFixed(2)} ms, p99 ${m('p99').toFixed(2)} ms, batch ${m('batch').toFixed(1)}, WAL flushes ${m('flushes').toFixed(2)} and WAL I/O ${m('walMs').toFixed(2)} ms per batch`);
    }
    for (const [k, label] of [['eps', 'events/s'], ['gw', 'gateway µs/req'], ['pg', 'PostgreSQL µs/req'], ['p99', 'p99'], ['walMs', 'WAL I/O ms per batch']]) {
      const ratios = sides[0].rows.map((a, i) => sides[1].rows[i][k] / a[k]);
      console.log(`B/A ${label} per round: ${ratios.map((x) => x.toFixed(2)).join(' ')}; median ${median(ratios).toFixed(3)}, B higher in ${ratios.filter((x) => x > 1).length} of ${ratios.length}`);
    }
  } finally {
    for (const s of sides) {
      await s.gw?.stop();
      await s.db.drop();
    }
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
