/**
 * Scale-out figures: the getrequest and rtlog-ingest phases of push.bench with ONE gateway process
 * and with TWO processes on the same real PostgreSQL, side by side. Prints, never asserts.
 *
 *   npm run build && node dist/bench/scale.bench.js
 *
 * Each configuration gets a scratch database of its own (`cvgw_test_bench_<pid>_<n>` on BENCH_ADMIN_URL,
 * default postgres://postgres@127.0.0.1:5432/postgres), dropped at the end. The gateways are real
 * `node dist/src/main.js` processes; the load generator (this process) sends each request to the next
 * process in turn, as a round-robin load balancer would. About 2 minutes with the defaults
 * (BENCH_SECONDS=12 per phase, BENCH_DEVICES=500).
 *
 * Read the ratios with the machine in mind: the gateways, PostgreSQL and the load generator share its cores,
 * so a second process can only help as far as a core is idle.
 */
import * as os from 'node:os';
import { startGateway, type GatewayChild } from './lib/gateway';
import { agent } from './lib/http';
import { idlePolls, registerDevices, rtlogIngest, snOf, type IngestFigures, type PollFigures } from './lib/device-load';
import { scratchDatabase } from './lib/scratch-db';

const DEVICES = Number(process.env.BENCH_DEVICES ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const POLL_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const INGEST_CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 16);
const INGEST_DEVICES = 100;
const EVENTS_PER_UPLOAD = 100;

interface Figures {
  processes: number;
  polls: PollFigures;
  ingest: IngestFigures;
}

async function run(processes: number): Promise<Figures> {
  const db = await scratchDatabase(String(processes));
  const gateways: GatewayChild[] = [];
  try {
    // The first process migrates the database; the others start on the migrated schema.
    gateways.push(await startGateway(db.url));
    for (let i = 1; i < processes; i++) gateways.push(await startGateway(db.url));
    const ports = gateways.map((g) => g.port);
    const sns = Array.from({ length: DEVICES }, (_, i) => snOf(i));
    const reg = await registerDevices(ports, sns);
    console.log(`[${processes} process${processes > 1 ? 'es' : ''}] ports ${ports.join(', ')}: ${DEVICES} devices registered in ${reg.toFixed(1)} s`);
    const polls = await idlePolls(ports, sns, SECONDS, POLL_CONCURRENCY);
    console.log(`[${processes}] idle getrequest: ${Math.round(polls.perSecond)} polls/s, p50 ${polls.p50.toFixed(2)} ms, p99 ${polls.p99.toFixed(2)} ms, non-OK ${polls.nonOk}`);
    const ingest = await rtlogIngest(ports, db.url, { seconds: SECONDS, concurrency: INGEST_CONCURRENCY, devices: INGEST_DEVICES, perUpload: EVENTS_PER_UPLOAD });
    console.log(`[${processes}] rtlog ingest: ${Math.round(ingest.eventsPerSecond)} events stored/s (${ingest.uploads} uploads, ${ingest.stored} rows)`);
    return { processes, polls, ingest };
  } finally {
    for (const g of gateways) await g.stop();
    await db.drop();
  }
}

async function main(): Promise<void> {
  console.log(`scale bench: ${os.cpus().length} cores, ${DEVICES} devices, ${SECONDS} s per phase, poll concurrency ${POLL_CONCURRENCY}, ingest concurrency ${INGEST_CONCURRENCY}`);
  try {
    const one = await run(1);
    const two = await run(2);
    const row = (name: string, a: number, b: number, digits = 0) => `${name.padEnd(34)}${a.toFixed(digits).padStart(12)}${b.toFixed(digits).padStart(12)}${`${(b / a).toFixed(2)}×`.padStart(10)}`;
    console.log('');
    console.log(`${''.padEnd(34)}${'1 process'.padStart(12)}${'2 processes'.padStart(12)}${'ratio'.padStart(10)}`);
    console.log(row('idle getrequest polls/s', one.polls.perSecond, two.polls.perSecond));
    console.log(row('idle getrequest p50 (ms)', one.polls.p50, two.polls.p50, 2));
    console.log(row('idle getrequest p99 (ms)', one.polls.p99, two.polls.p99, 2));
    console.log(row('rtlog events stored/s', one.ingest.eventsPerSecond, two.ingest.eventsPerSecond));
  } finally {
    agent.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
