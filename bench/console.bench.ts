/**
 * Operator console figures: the Persons page's server-side search and paging with 100,000
 * persons, and the transactions CSV export. Prints, never asserts.
 *
 *   npm run build && node dist/bench/console.bench.js
 *
 * Scratch database as the other benches (DATABASE_URL naming a `_test_` database, or
 * `cvgw_test_bench_<pid>` on BENCH_ADMIN_URL, dropped afterwards); the gateway is a real
 * `node dist/src/main.js` child with CONSOLE_ADMIN_PASSWORD set. BENCH_PERSONS (default 100000) persons and
 * BENCH_EVENTS (default 20000) events are written with SQL, then each console call is timed a few times.
 */
import { Client } from 'pg';
import { startGateway, type GatewayChild } from './lib/gateway';
import { scratchDatabase } from './lib/scratch-db';

const PERSONS = Number(process.env.BENCH_PERSONS ?? 100_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RUNS = 5;

async function timed(label: string, fn: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  let last: unknown;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    last = await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(`${label.padEnd(48)} median ${ms[Math.floor(RUNS / 2)].toFixed(1)} ms, worst ${ms[RUNS - 1].toFixed(1)} ms  ${last ?? ''}`);
}

async function main(): Promise<void> {
  const db = await scratchDatabase('console');
  let gateway: GatewayChild | undefined;
  try {
    gateway = await startGateway(db.url, { CONSOLE_ADMIN_PASSWORD: 'bench-password-1' });
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      await pg.query(
        `INSERT INTO person (id, pin, name, last_name, dept_id, card_no)
         SELECT md5('p' || i), i::text, 'Person ' || i, 'Family ' || (i % 977), (SELECT id FROM department WHERE code = '1'), (1000000 + i)::text
           FROM generate_series(1, $1) i`,
        [PERSONS],
      );
      await pg.query(
        `INSERT INTO acc_transaction (unique_key, device_sn, event_time, pin, name, event_no, event_name)
         SELECT 'bench-' || i, 'BENCH01', now() - (i || ' seconds')::interval, (1 + i % $2)::text, 'Person ' || (1 + i % $2), 0, 'Normal Verify Open'
           FROM generate_series(1, $1) i`,
        [EVENTS, PERSONS],
      );
      await pg.query('ANALYZE');
    } finally {
      await pg.end();
    }
    const base = `http://127.0.0.1:${gateway.port}/console/api`;
    const login = await fetch(`${base}/session/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: 'bench-password-1' }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const get = async (path: string) => {
      const body = (await (await fetch(`${base}/${path}`, { headers: { cookie } })).json()) as { code: number; message: string; data: { total: number } };
      if (body.code !== 0) throw new Error(`${path}: ${body.message}`);
      return `(${body.data.total} matching)`;
    };
    console.log(`${PERSONS.toLocaleString()} persons, ${EVENTS.toLocaleString()} events`);
    await timed('persons: first page (50)', () => get('persons?page=1&size=50'));
    await timed('persons: middle page', () => get(`persons?page=${Math.floor(PERSONS / 100)}&size=50`));
    await timed('persons: last page', () => get(`persons?page=${Math.ceil(PERSONS / 50)}&size=50`));
    await timed('persons: search by pin prefix "4242"', () => get('persons?q=4242'));
    await timed('persons: search by name "Family 13"', () => get('persons?q=Family%2013'));
    await timed('transactions: first page', () => get('transactions?page=1&size=50'));
    await timed(`transactions: CSV export of all ${EVENTS.toLocaleString()}`, async () => {
      const res = await fetch(`${base}/transactions/csv`, { headers: { cookie } });
      const text = await res.text();
      return `(${(text.length / 1024).toFixed(0)} KiB)`;
    });
  } finally {
    await gateway?.stop();
    await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
