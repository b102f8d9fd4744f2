/**
 * Device-side load figures on real PostgreSQL. Prints, never asserts.
 *
 *   npm run build && node dist/bench/push.bench.js
 *
 * Uses DATABASE_URL when set (it must name a database whose name contains `_test_`, since the bench writes
 * 1,000 devices into it); otherwise creates a scratch database `cvgw_test_bench_<pid>` on
 * BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) and drops it afterwards.
 * The gateway runs in a child process (`node dist/src/main.js`), the load generator in this one.
 *
 * Phases (each time-bounded, BENCH_SECONDS, default 15 s):
 *   1. 1,000 devices register (handshake + registry + push).
 *   2. idle getrequest polls over those devices, bounded concurrency: requests/s, p50, p99.
 *   3. rtlog ingest: 100 devices posting uploads of 100 events: events stored per second.
 * (bench/scale.bench.ts runs phases 2 and 3 with one gateway process and with two.)
 */
import { startGateway, type GatewayChild } from './lib/gateway';
import { agent } from './lib/http';
import { idlePolls, registerDevices, rtlogIngest, snOf } from './lib/device-load';
import { scratchDatabase } from './lib/scratch-db';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const POLL_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const INGEST_DEVICES = 100;
const EVENTS_PER_UPLOAD = 100;
const INGEST_CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 16);

async function main(): Promise<void> {
  const db = await scratchDatabase();
  let gateway: GatewayChild | undefined;
  try {
    gateway = await startGateway(db.url);
    const ports = [gateway.port];
    console.log(`gateway on port ${gateway.port}, database ${new URL(db.url).pathname.slice(1)}, ${SECONDS} s per phase`);

    const sns = Array.from({ length: DEVICES }, (_, i) => snOf(i));
    const regSecs = await registerDevices(ports, sns);
    console.log(`registration: ${DEVICES} devices in ${regSecs.toFixed(1)} s`);

    const p = await idlePolls(ports, sns, SECONDS, POLL_CONCURRENCY);
    console.log(
      `idle getrequest: ${p.polls} polls over ${DEVICES} devices in ${p.seconds.toFixed(1)} s = ${Math.round(p.perSecond)} req/s, ` +
        `p50 ${p.p50.toFixed(2)} ms, p99 ${p.p99.toFixed(2)} ms, concurrency ${POLL_CONCURRENCY}, non-OK ${p.nonOk}`,
    );

    const i = await rtlogIngest(ports, db.url, { seconds: SECONDS, concurrency: INGEST_CONCURRENCY, devices: INGEST_DEVICES, perUpload: EVENTS_PER_UPLOAD });
    console.log(
      `rtlog ingest: ${i.uploads} uploads × ${EVENTS_PER_UPLOAD} events from ${INGEST_DEVICES} devices in ${i.seconds.toFixed(1)} s = ` +
        `${Math.round(i.eventsPerSecond)} events stored/s (${i.stored} rows), concurrency ${INGEST_CONCURRENCY}`,
    );
  } finally {
    await gateway?.stop();
    agent.destroy();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
