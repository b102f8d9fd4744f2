/**
 * Transaction list latency at 5,000,000 events, through HTTP, on real PostgreSQL.
 *
 *   npm run build && node dist/bench/transaction.bench.js [adminUrl] [events]
 *
 * adminUrl defaults to BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres; events to 5000000.
 * It creates a scratch database (its name contains `_test_`), migrates it, fills acc_transaction with
 * `INSERT … SELECT generate_series` (with the ingest's own publish step, so tally and outbox are as in
 * production), starts the gateway on it, times `transaction/list` and `v2/transaction/list` (and the device
 * and person lists) for a first page, deep pages and pages filtered by pin, device and date range, prints
 * p50/p99, and drops the database. Nothing is asserted: these are figures, not tests. About 5-8 minutes here.
 * BENCH_LINK_PHOTOS=<n>: every n-th event also gets a panel's IPC linkage photo (device_upload `linkphotoinfo` under
 * its index, a 4-byte PhotoData so the figures are the lookup's, not the payload's), as v2 items read them.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { createGateway } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { migrateDatabase } from '../src/database/database';
import { seedEvents } from './lib/seed-events';

const ADMIN_URL = process.argv[2] ?? process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.argv[3] ?? 5_000_000);
const DEVICES = 50;
const PINS = 20_000;
const DAYS = 365;
const CHUNK = 500_000;
const RUNS = 60;
const WARMUP = 5;
const TOKEN = 'bench-token-0123456789';
const START = Date.UTC(2024, 0, 1);
const LINK_PHOTO_EVERY = Number(process.env.BENCH_LINK_PHOTOS ?? 0);

function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

const secs = (t0: number) => ((Date.now() - t0) / 1000).toFixed(1);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function time(base: string, path: string, query: Record<string, string | number>): Promise<{ p50: number; p99: number; max: number; n: number; total?: number }> {
  const u = new URL(path, base);
  u.searchParams.set('access_token', TOKEN);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
  const samples: number[] = [];
  let n = 0;
  let total: number | undefined;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const t0 = performance.now();
    const res = await fetch(u);
    const body = (await res.json()) as { code: number; data: unknown };
    const ms = performance.now() - t0;
    if (body.code !== 0) throw new Error(`${path} answered ${JSON.stringify(body).slice(0, 200)}`);
    if (i >= WARMUP) samples.push(ms);
    const d = body.data as { data?: unknown[]; total?: number } | unknown[];
    n = Array.isArray(d) ? d.length : (d.data?.length ?? 0);
    if (!Array.isArray(d)) total = d.total;
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[samples.length - 1], n, total };
}

async function seedLinkPhotos(url: string, every: number): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(
      `INSERT INTO device_upload (upload_key, device_sn, table_name, pin, record, received_at)
       SELECT md5(t.device_sn || '/' || t.log_id), t.device_sn, 'linkphotoinfo', t.log_id::text,
              jsonb_build_object('LogIndex', t.log_id::text, 'PhotoInfo', 'link-ch0.jpg', 'LinkVideo', '1-30-30', 'PhotoData', 'AAAA'), t.created_at
         FROM acc_transaction t WHERE t.log_id IS NOT NULL AND t.id % $1 = 0
       ON CONFLICT DO NOTHING`,
      [every],
    );
    await c.query('VACUUM ANALYZE device_upload');
    process.stdout.write(`  ${r.rowCount?.toLocaleString('en')} linkage photos (every ${every}th event)\n`);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const name = `cvgw_bench_test_${process.pid}`;
  if (!name.includes('_test_')) throw new Error('scratch database name must contain _test_');
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = dbUrl(name);
  const t0 = Date.now();
  try {
    await migrateDatabase(url);
    process.stdout.write(`Loading ${EVENTS.toLocaleString('en')} events into ${name} ...\n`);
    await seedEvents(url, { events: EVENTS, devices: DEVICES, pins: PINS, days: DAYS, start: START, chunk: CHUNK });
    if (LINK_PHOTO_EVERY > 0) await seedLinkPhotos(url, LINK_PHOTO_EVERY);
    process.stdout.write(`Loaded in ${secs(t0)} s\n`);

    const gw = await createGateway({ ...loadConfig({}), databaseUrl: url, apiToken: TOKEN, timeZone: 'UTC', logLevel: 'silent', port: 0, host: '127.0.0.1' });
    try {
      await gw.app.listen({ port: 0, host: '127.0.0.1' });
      const addr = gw.app.getHttpServer().address();
      const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      const deepNo = Math.floor(100_000 / 100);
      const veryDeepNo = Math.floor(EVENTS / 2 / 100);
      const pin = '4242';
      const sn = 'BENCH000007';
      const scenarios: Array<[string, string, Record<string, string | number>]> = [];
      for (const v of ['', 'v2/']) {
        scenarios.push(
          [`${v}transaction/list  first page (100)`, `/api/${v}transaction/list`, { pageNo: 1, pageSize: 100 }],
          [`${v}transaction/list  first page (1000)`, `/api/${v}transaction/list`, { pageNo: 1, pageSize: 1000 }],
          [`${v}transaction/list  deep page (offset 100k)`, `/api/${v}transaction/list`, { pageNo: deepNo, pageSize: 100 }],
          [`${v}transaction/list  very deep (offset ${((veryDeepNo - 1) * 100).toLocaleString('en')})`, `/api/${v}transaction/list`, { pageNo: veryDeepNo, pageSize: 100 }],
          [`${v}transaction/list  by pin`, `/api/${v}transaction/list`, { pageNo: 1, pageSize: 100, personPin: pin }],
          [`${v}transaction/list  by pin, last page`, `/api/${v}transaction/list`, { pageNo: 3, pageSize: 100, personPin: pin }],
          [`${v}transaction/list  by date (1 day)`, `/api/${v}transaction/list`, { pageNo: 1, pageSize: 100, startDate: '2024-06-01 00:00:00', endDate: '2024-06-01 23:59:59' }],
          [`${v}transaction/list  by date (1 month), p.50`, `/api/${v}transaction/list`, { pageNo: 50, pageSize: 100, startDate: '2024-06-01 08:30:00', endDate: '2024-06-30 17:00:00' }],
          [`${v}transaction/device  first page`, `/api/${v}transaction/device/${sn}`, { pageNo: 1, pageSize: 100 }],
          [`${v}transaction/device  deep page (offset 10k)`, `/api/${v}transaction/device/${sn}`, { pageNo: 101, pageSize: 100 }],
          [`${v}transaction/device  + date (1 week)`, `/api/${v}transaction/device/${sn}`, { pageNo: 1, pageSize: 100, startDate: '2024-06-01', endDate: '2024-06-07' }],
          [`${v}transaction/person  first page`, `/api/${v}transaction/person/${pin}`, { pageNo: 1, pageSize: 100 }],
        );
      }
      process.stdout.write(`\n${'scenario'.padEnd(58)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'rows'.padStart(6)} ${'total'.padStart(9)}\n`);
      for (const [label, path, q] of scenarios) {
        const r = await time(base, path, q);
        process.stdout.write(
          `${label.padEnd(58)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${r.max.toFixed(1).padStart(8)} ${String(r.n).padStart(6)} ${(r.total ?? '').toString().padStart(9)}\n`,
        );
      }
      process.stdout.write(`\n(${RUNS} sequential requests per scenario after ${WARMUP} warm-up requests; ${EVENTS.toLocaleString('en')} events, ${DEVICES} devices, ${PINS} pins, ${DAYS} days)\n`);
    } finally {
      await gw.close();
    }
  } finally {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
    process.stdout.write(`Dropped ${name}; total ${secs(t0)} s\n`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
