/**
 * ATTLOG ingest figures next to rtlog ones, on real PostgreSQL. Prints, never asserts.
 *
 *   npm run build && node dist/bench/attendance.bench.js
 *
 * Database as in push.bench.ts (DATABASE_URL naming a `_test_` database, or a scratch one). The gateway runs in
 * a child process. BENCH_SECONDS (default 5) bounds each phase; BENCH_TERMINALS (default 200) devices of each kind.
 *
 *   1. 200 attendance terminals initialise (GET /iclock/cdata?options=all with language/pushcommkey).
 *   2. ATTLOG: every upload carries ONE punch (Realtime=1, as terminals send them), `concurrency` at a time,
 *      answered `OK: 1` after commit: punches stored per second, p50/p99 latency.
 *   3. rtlog: the same pattern (one event per upload) from 200 registered access panels, for comparison.
 * Each phase is printed next to the CEILING measured in the same run with the same client and pattern: a bare
 * node:http server (bench/lib/ceiling-server.ts, its own process) answering every upload `OK`.
 */
import { Client } from 'pg';
import { startGateway, type GatewayChild } from './lib/gateway';
import { agent, percentile, pool, request } from './lib/http';
import { registerDevices, snOf } from './lib/device-load';
import { scratchDatabase } from './lib/scratch-db';
import { startCeilingServer, type CeilingServer } from './lib/ceiling-server';

const TERMINALS = Number(process.env.BENCH_TERMINALS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const attSn = (i: number) => `BATT${String(i).padStart(6, '0')}`;

async function count(url: string, sql: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(sql);
    return Number(r.rows[0].n);
  } finally {
    await c.end();
  }
}

const wall = (s: number) => `2026-07-01 ${String(Math.floor(s / 3600) % 24).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;

/** One record per upload from `devices` SNs, `concurrency` at a time, for `seconds`. */
async function singleRecordLoad(port: number, sns: string[], seconds: number, body: (n: number) => string, path: (sn: string) => string, okBody: (b: string) => boolean) {
  const counters = new Array(sns.length).fill(0);
  const latencies: number[] = [];
  let slot = 0;
  let bad = 0;
  const t0 = Date.now();
  const stop = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < stop) {
        const d = slot++ % sns.length;
        const n = ++counters[d];
        const s0 = performance.now();
        const r = await request(port, 'POST', path(sns[d]), body(n));
        latencies.push(performance.now() - s0);
        if (!okBody(r.body)) bad++;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { uploads: latencies.length, seconds: (Date.now() - t0) / 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), bad };
}

async function main(): Promise<void> {
  const db = await scratchDatabase();
  let gateway: GatewayChild | undefined;
  let ceiling: CeilingServer | undefined;
  try {
    ceiling = await startCeilingServer();
    gateway = await startGateway(db.url);
    const port = gateway.port;
    console.log(`gateway on port ${port}, ${TERMINALS} terminals and ${TERMINALS} panels, ${SECONDS} s per phase, concurrency ${CONCURRENCY}`);

    const terms = Array.from({ length: TERMINALS }, (_, i) => attSn(i));
    const t0 = Date.now();
    await pool(terms, 32, async (sn) => {
      const r = await request(port, 'GET', `/iclock/cdata?SN=${sn}&options=all&pushver=2.4.1&language=69&pushcommkey=4a9594af164f2b9779b59e8554b5df26`);
      if (!r.body.startsWith('GET OPTION FROM:')) throw new Error(`initialisation of ${sn} failed: ${r.body}`);
    });
    console.log(`initialisation: ${TERMINALS} terminals in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // The ceiling: the same client, pattern and bodies against a bare node:http server.
    const ceil = await singleRecordLoad(
      ceiling.port,
      terms,
      SECONDS,
      (n) => `${1000 + (n % 500)}\t${wall(n)}\t0\t1\t\t0\t0\n`,
      (sn) => `/iclock/cdata?SN=${sn}&table=ATTLOG&Stamp=1`,
      (b) => b === 'OK',
    );
    const ceilRate = ceil.uploads / ceil.seconds;
    console.log(`ceiling (bare node:http "OK", same client): ${Math.round(ceilRate)} uploads/s, p50 ${ceil.p50.toFixed(2)} ms, p99 ${ceil.p99.toFixed(2)} ms`);

    const att = await singleRecordLoad(
      port,
      terms,
      SECONDS,
      (n) => `${1000 + (n % 500)}\t${wall(n)}\t0\t1\t\t0\t0\n`,
      (sn) => `/iclock/cdata?SN=${sn}&table=ATTLOG&Stamp=1`,
      (b) => b === 'OK: 1',
    );
    const punches = await count(db.url, `SELECT count(*) AS n FROM att_transaction`);
    console.log(
      `ATTLOG single-punch: ${att.uploads} uploads in ${att.seconds.toFixed(1)} s = ${Math.round(att.uploads / att.seconds)} uploads/s, ` +
        `${Math.round(punches / att.seconds)} punches stored/s (${punches} rows, ${(punches / att.seconds / ceilRate).toFixed(2)} of the ceiling), p50 ${att.p50.toFixed(2)} ms, p99 ${att.p99.toFixed(2)} ms, not OK: ${att.bad}`,
    );

    const panels = Array.from({ length: TERMINALS }, (_, i) => snOf(i));
    await registerDevices([port], panels);
    const acc = await singleRecordLoad(
      port,
      panels,
      SECONDS,
      (n) => `time=${wall(n)}\tpin=${1000 + (n % 500)}\tcardno=0\tsitecode=0\tlinkid=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=1\tindex=${n}\n`,
      (sn) => `/iclock/cdata?SN=${sn}&table=rtlog&Stamp=9999`,
      (b) => b === 'OK',
    );
    const events = await count(db.url, `SELECT count(*) AS n FROM acc_transaction`);
    console.log(
      `rtlog single-event:  ${acc.uploads} uploads in ${acc.seconds.toFixed(1)} s = ${Math.round(acc.uploads / acc.seconds)} uploads/s, ` +
        `${Math.round(events / acc.seconds)} events stored/s (${events} rows, ${(events / acc.seconds / ceilRate).toFixed(2)} of the ceiling), p50 ${acc.p50.toFixed(2)} ms, p99 ${acc.p99.toFixed(2)} ms, not OK: ${acc.bad}`,
    );
    console.log(`ratio ATTLOG/rtlog uploads per second: ${(att.uploads / att.seconds / (acc.uploads / acc.seconds)).toFixed(2)}`);
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
