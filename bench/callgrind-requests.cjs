/**
 * The gateway's instructions per device request, counted by callgrind for a fixed workload (instruction counts do
 * not move with the other work on a shared machine, as CPU time and rates do).
 *
 *   node bench/callgrind-requests.cjs <dist dir> <polls|rtlog> <requests> [connections]
 *
 * Starts `<dist>/src/main.js` under `valgrind --tool=callgrind --instr-atstart=no` on a PostgreSQL database kept
 * between runs (registered once: 1,000 POLL or 200 RT panels), warms up (uninstrumented), then switches instrumentation on, sends exactly
 * <requests> idle `getrequest` polls or one-event rtlog uploads over <connections> keep-alive connections (default
 * 50), dumps, and prints the gateway's instructions (Ir, every thread) per request. The requests are bench/lib/load-client.ts's (lean client,
 * `requests` set); needs a build (npm run build). docs/performance-log.md, stop 69 helper 1, tells the pitfalls.
 *
 * CG_COUNTS=2000,4000 measures several runs in the one gateway (each dumped apart; the differences are printed), and
 * CG_IDLE=<seconds> an instrumented stretch without requests, whose Ir per second is taken off each run over its
 * duration (docs/performance-log.md, stop 70 helper 6: on a shared machine neither makes the figure per request yet).
 */
const { spawn, execFileSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');
const { Client } = require('pg');

const LIB = path.resolve(__dirname, '../dist/bench/lib');
const { runLoad, snFor } = require(path.join(LIB, 'load-client'));
const { registerDevices } = require(path.join(LIB, 'device-load'));

const [dist, mode, nArg, connArg] = process.argv.slice(2);
const N = Number(nArg ?? 20000);
const CONNS = Number(connArg ?? 50);
const devices = mode === 'rtlog' ? 200 : 1000;
const prefix = mode === 'rtlog' ? 'RT' : 'POLL';
const admin = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const outDir = process.env.CG_OUT ?? '/tmp/callgrind-requests';
/** Events never sent before (a resent event is stored once and takes the re-check path, ingestIfGone): numbered from the pid. */
let index = 1_000_000 + (process.pid % 2000) * 500_000;

/** The plan of `requests` requests: the lean load client's idle polls or one-event uploads, as bench/realtime.bench.ts sends them. */
function plan(port, requests, indexBase) {
  const common = { generator: 'lean', port, connections: CONNS, seconds: 1e6, requests, snPrefix: prefix, devices };
  return mode === 'rtlog' ? { ...common, kind: 'rtlog', perUpload: 1, indexBase } : { ...common, kind: 'get', path: '/iclock/getrequest?SN={sn}' };
}

async function run(port, n) {
  const f = await runLoad(plan(port, n, index));
  index += n;
  return f.bad;
}

async function http(port, method, p, b) {
  const res = await fetch(`http://127.0.0.1:${port}${p}`, { method, body: b });
  return { status: res.status, body: await res.text() };
}

async function main() {
  // A database kept between runs (CG_DB, default cvgw_test_cg_<mode>): its panels are registered once, by the
  // gateway run without valgrind (registration through Fastify under valgrind takes many minutes).
  const name = process.env.CG_DB ?? `cvgw_test_cg_${mode}`;
  if (!/^[a-z0-9_]+$/.test(name) || !name.includes('_test_')) throw new Error(`bad database name ${name}`);
  const a = new Client({ connectionString: admin });
  await a.connect();
  const fresh = (await a.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0;
  if (fresh) await a.query(`CREATE DATABASE ${name}`);
  await a.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  fs.mkdirSync(outDir, { recursive: true });
  const port = 19000 + (process.pid % 900);
  const out = path.join(outDir, `cg.${mode}.${process.pid}`);
  const env = { ...process.env, DATABASE_URL: u.toString(), PORT: String(port), HOST: '127.0.0.1', DEVICE_ADMISSION: 'auto', DEVICE_CLEAR_ON_ADD: 'false', TIME_ZONE: 'UTC', LOG_LEVEL: process.env.CG_LOG_LEVEL ?? 'info', API_TOKEN: 'bench-token-0123456789', DEVICE_UPLOAD_RATE_LIMIT: '10000000', API_RATE_LIMIT: '0', API_IP_RATE_LIMIT: '0' };
  const start = async (cmd, args) => {
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr.on('data', (d) => { if (process.env.CG_VERBOSE) process.stderr.write(d); });
    const t0 = Date.now();
    for (;;) {
      if (c.exitCode !== null) throw new Error('gateway exited');
      try { if ((await http(port, 'GET', '/health')).status === 200) break; } catch { /* not yet */ }
      if (Date.now() - t0 > 20 * 60_000) throw new Error('no /health in 20 min');
      await new Promise((r) => setTimeout(r, 500));
    }
    console.error(`started in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return c;
  };
  const stop = (c) => new Promise((r) => {
    if (c.exitCode !== null) return r();
    c.kill('SIGTERM');
    const t = setTimeout(() => { c.kill('SIGKILL'); r(); }, 20000);
    c.once('exit', () => { clearTimeout(t); r(); });
  });
  if (fresh) {
    const plain = await start(process.execPath, [path.resolve(dist, 'src/main.js')]);
    try {
      await registerDevices([port], Array.from({ length: devices }, (_, i) => snFor(prefix, i)));
    } finally {
      await stop(plain);
    }
  }
  const child = await start('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, process.execPath, path.resolve(dist, 'src/main.js')]);
  // vgdb names its pipes after $HOST, which the gateway's environment sets.
  const ctl = (...args) => console.error(execFileSync('callgrind_control', [...args, String(child.pid)], { env }).toString().trim());
  try {
    const t0 = Date.now();
    const warm = Number(process.env.CG_WARM ?? N);
    const badWarm = await run(port, warm);
    console.error(`warmed up (${warm}, ${badWarm} not OK) at ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    // CG_COUNTS (e.g. "2000,4000"): several instrumented runs in one process, each dumped apart, so that the
    // difference of two counts divided by the difference of their requests is per request (the work that does not
    // grow with the requests, such as code compiled again when instrumentation starts, drops out).
    const counts = (process.env.CG_COUNTS ?? String(N)).split(',').map(Number);
    const figures = [];
    ctl('-i', 'on');
    for (const [k, n] of counts.entries()) {
      ctl('-z');
      const t1 = Date.now();
      const bad = await run(port, n);
      const secs = (Date.now() - t1) / 1000;
      ctl(`--dump=run${k}`);
      // callgrind_control -d writes `<out>.<k+1>` (the program's end writes `<out>` itself).
      const f = `${out}.${k + 1}`;
      const txt = fs.readFileSync(f, 'utf8');
      const m = /^totals:\s+(\d+)/m.exec(txt) ?? /^summary:\s+(\d+)/m.exec(txt);
      const ir = m ? Number(m[1]) : NaN;
      figures.push({ n, ir, secs });
      console.log(`${dist} ${mode}: ${n} requests (${bad} not OK) in ${secs.toFixed(0)} s, ${ir.toLocaleString('en')} Ir, ${Math.round(ir / n).toLocaleString('en')} Ir per request  [${f}]`);
    }
    // CG_IDLE (seconds): an instrumented stretch without requests, whose count per second is the time-driven work
    // (timers, the status flush, pollers, the engine's helper threads) the runs above also hold for their duration.
    const idle = Number(process.env.CG_IDLE ?? 0);
    if (idle > 0) {
      ctl('-z');
      await new Promise((r) => setTimeout(r, idle * 1000));
      ctl(`--dump=idle`);
      const f = `${out}.${counts.length + 1}`;
      const m = /^totals:\s+(\d+)/m.exec(fs.readFileSync(f, 'utf8')) ?? /^summary:\s+(\d+)/m.exec(fs.readFileSync(f, 'utf8'));
      const perSecond = m ? Number(m[1]) / idle : NaN;
      console.log(`${dist} ${mode}: idle ${idle} s, ${Math.round(perSecond).toLocaleString('en')} Ir per second  [${f}]`);
      for (const x of figures) console.log(`${dist} ${mode}: ${x.n} requests less the idle rate over their ${x.secs.toFixed(0)} s: ${Math.round((x.ir - perSecond * x.secs) / x.n).toLocaleString('en')} Ir per request`);
    }
    ctl('-i', 'off');
    for (let k = 1; k < figures.length; k++) {
      const [a, b] = [figures[k - 1], figures[k]];
      console.log(`${dist} ${mode}: difference ${b.n} - ${a.n}: ${Math.round((b.ir - a.ir) / (b.n - a.n)).toLocaleString('en')} Ir per request`);
    }
  } finally {
    await stop(child);
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
