// The server's side of the one-event rtlog phase (docs/performance-log.md, stop 71, helper 1): one gateway on a PRIVATE
// PostgreSQL (BENCH_ADMIN_URL; it resets that server's pg_stat_wal and pg_stat_statements), 200 `RT` panels, a warm-up,
// then one-event uploads from the lean load client (50 connections) for <seconds>. Prints the WAL flushes and their
// mean time (track_wal_io_timing on), WAL bytes, records and full-page images per event, the statements' mean execution
// time (pg_stat_statements: without the commit, whose flush pg_stat_wal counts), and the LSN range for
// `pg_waldump --stats=record -s <from> -e <to>`.
// The server: initdb under /tmp, then in postgresql.conf `shared_preload_libraries = 'pg_stat_statements'`,
// `track_wal_io_timing = on`, a port of your own; `CREATE EXTENSION pg_stat_statements` in its postgres database.
// Usage (after npm run build): BENCH_ADMIN_URL=postgres://postgres@127.0.0.1:<port>/postgres node bench/rtlog-wal.cjs [seconds=6]
const path = require('node:path');
const { fork } = require('node:child_process');
const { Client } = require('pg');
const DIST = path.resolve(process.env.DIST ?? path.resolve(__dirname, '../dist'));
const LIB = path.join(DIST, 'bench/lib');
const { scratchDatabase } = require(path.join(LIB, 'scratch-db'));
const { registerDevices } = require(path.join(LIB, 'device-load'));
const { processCpuSeconds } = require(path.join(LIB, 'process-cpu'));
const { snFor } = require(path.join(LIB, 'load-client'));
const SECONDS = Number(process.argv[2] ?? 6);
process.env.BENCH_GATEWAY_MAIN = path.join(DIST, 'src/main.js');
const { startGateway } = require(path.join(LIB, 'gateway'));
function load(plan) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(LIB, 'load-client.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', resolve);
    child.once('exit', (c) => reject(new Error('exit ' + c)));
    child.send(plan);
  });
}
(async () => {
  const admin = process.env.BENCH_ADMIN_URL;
  if (!admin || new URL(admin).port === '' || new URL(admin).port === '5432') throw new Error('BENCH_ADMIN_URL must name a private server (its statistics are reset)');
  const db = await scratchDatabase('dec');
  let gw;
  try {
    gw = await startGateway(db.url, { LOG_LEVEL: 'info', API_TOKEN: 'bench-token-0123456789', DEVICE_UPLOAD_RATE_LIMIT: '10000000', API_RATE_LIMIT: '0', API_IP_RATE_LIMIT: '0' }, { quietStdout: true });
    const sns = Array.from({ length: 200 }, (_, i) => snFor('RT', i));
    await registerDevices([gw.port], sns);
    await load({ port: gw.port, connections: 10, seconds: 2, kind: 'rtlog', snPrefix: 'RT', devices: 200, perUpload: 1, indexBase: 900_000_000 });
    const a = new Client({ connectionString: admin });
    await a.connect();
    await a.query(`SELECT pg_stat_statements_reset(), pg_stat_reset_shared('wal')`);
    const l0 = (await a.query(`SELECT pg_current_wal_lsn() l`)).rows[0].l;
    const dbn = new URL(db.url).pathname.slice(1);
    const c0 = (await a.query(`SELECT xact_commit::bigint n FROM pg_stat_database WHERE datname = $1`, [dbn])).rows[0].n;
    const cpu0 = processCpuSeconds(gw.child.pid);
    const f = await load({ port: gw.port, connections: 50, seconds: SECONDS, kind: 'rtlog', snPrefix: 'RT', devices: 200, perUpload: 1, indexBase: Number(process.env.IDX ?? 0) });
    const cpu = processCpuSeconds(gw.child.pid) - cpu0;
    const c1 = (await a.query(`SELECT xact_commit::bigint n FROM pg_stat_database WHERE datname = $1`, [dbn])).rows[0].n;
    const wal = (await a.query(`SELECT * FROM pg_stat_wal`)).rows[0];
    const l1 = (await a.query(`SELECT pg_current_wal_lsn() l`)).rows[0].l;
    console.log(`lsn ${l0} ${l1}`);
    const st = (await a.query(`SELECT calls, round(mean_exec_time::numeric,3) mean_ms, round(stddev_exec_time::numeric,3) sd, rows, shared_blks_hit, shared_blks_read, shared_blks_dirtied, wal_records, wal_fpi, wal_bytes, left(regexp_replace(query,'\\s+',' ','g'),70) q FROM pg_stat_statements WHERE calls > 5 ORDER BY total_exec_time DESC LIMIT 8`)).rows;
    const text = await (await fetch(`http://127.0.0.1:${gw.port}/metrics`)).text();
    const gc = text.split('\n').filter((l) => l.startsWith('cvgw_group_commit') && l.includes('rtlog') && !l.includes('_bucket'));
    console.log(JSON.stringify({ eps: f.eventsAcked / f.seconds, req: f.requests, p50: f.p50, p99: f.p99, gwUsPerReq: (cpu / f.requests) * 1e6, commits: Number(c1) - Number(c0) }));
    const s = f.seconds;
    console.log('wal', JSON.stringify(wal));
    console.log(`per second: wal_sync ${(wal.wal_sync / s).toFixed(0)}, mean sync ${(wal.wal_sync_time / wal.wal_sync).toFixed(3)} ms, mean write ${(wal.wal_write_time / wal.wal_write).toFixed(3)} ms, bytes/event ${(wal.wal_bytes / f.eventsAcked).toFixed(0)}, records/event ${(wal.wal_records / f.eventsAcked).toFixed(1)}, fpi/event ${(wal.wal_fpi / f.eventsAcked).toFixed(2)}, sync time share of wall ${(wal.wal_sync_time / 1000 / s).toFixed(2)}`);
    console.table(st);
    console.log(gc.join('\n'));
    await a.end();
  } finally {
    await gw?.stop();
    await db.drop();
  }
})().catch((e) => { console.error(e); process.exit(1); });
