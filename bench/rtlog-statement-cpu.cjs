// PostgreSQL CPU per event of rtlog batch statement variants, from /proc/<backend>/schedstat (docs/performance-log.md, stop 58).
// Calls the build's own flushRealtime on one connection per variant, alternating rounds, on a scratch database
// (200 panels registered through a gateway started once). Variant A is the shipped statement (no Push Center target
// enabled: the guarded statement without the outbox part, stop 60); the others are rewrites of its text: P the
// statement every batch ran before stop 60 (with the outbox part), F the shipped statement with the outbox part (what a
// batch runs while a target is enabled), B anti-join instead of ON CONFLICT, T without the tally (for scale).
// Schema variants (stop 62): a variant named in SCHEMA below runs the shipped statement on its own copy of the
// scratch database with that DDL applied (then every variant of the run gets its own copy, A included, so the tables
// are alike); PRELOAD=n first fills acc_transaction with n events by SQL (200 panels, 90 days, keys and pins of the
// ingest's form) so that the indexes are of a realistic depth. Each round also reads the WAL written
// (pg_current_wal_lsn before and after: the whole cluster's, so only meaningful on a private cluster where nothing
// else writes; BENCH_ADMIN_URL points the tool there) and prints the last round's LSN range per variant for pg_waldump.
// Usage (after npm run build): node bench/rtlog-statement-cpu.cjs [batch=20] [rounds=6] [batchesPerRound=150] [variants=A,B]
require('reflect-metadata');
const fs = require('node:fs');
const path = require('node:path');
const DIST = process.env.DIST ?? path.resolve(__dirname, '../dist');
const { Client } = require('pg');
const { scratchDatabase } = require(path.join(DIST, 'bench/lib/scratch-db'));
const { startGateway } = require(path.join(DIST, 'bench/lib/gateway'));
const { registerDevices } = require(path.join(DIST, 'bench/lib/device-load'));
const rt = require(path.join(DIST, 'src/push/rtlog-ingest.service'));
const { EventNamesCache } = require(path.join(DIST, 'src/push/event-names'));

const BATCH = Number(process.argv[2] ?? 20);
const ROUNDS = Number(process.argv[3] ?? 6);
const PER_ROUND = Number(process.argv[4] ?? 150);
const VARIANTS = (process.argv[5] ?? 'A,B').split(',');

const cpuNs = (pid) => Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
const ticks = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000; // µs
};

/** Statement variants: the text flushRealtime sends, rewritten. */
const REWRITES = {
  A: (t) => t,
  // Plain insert with an anti-join on the key instead of ON CONFLICT's speculative insertion.
  B: (t) =>
    t
      .replace('WHERE (SELECT v FROM event_names_version WHERE id = 1) = $2::bigint\n  ORDER BY', 'WHERE (SELECT v FROM event_names_version WHERE id = 1) = $2::bigint\n  AND NOT EXISTS (SELECT FROM acc_transaction x WHERE x.unique_key = e.unique_key)\n  ORDER BY')
      .replace('ON CONFLICT (unique_key) DO NOTHING ', ''),
  // No tally (for scale only).
  T: (t) => t.replace(/ins_tally AS \(INSERT INTO acc_transaction_tally \(device_sn, day, n\)\n\s+SELECT i.device_sn, \(i.event_time AT TIME ZONE 'UTC'\)::date, count\(\*\) FROM ins i GROUP BY 1, 2\),/, ''),
  // With the outbox part, as while a target is enabled.
  F: (t) => (t === rt.REALTIME_EVENTS_SQL ? rt.REALTIME_EVENTS_OUTBOX_SQL : t),
  // The statement before stop 60: with the outbox part, and no row saying whether a target is enabled.
  P: (t) => {
    if (t !== rt.REALTIME_EVENTS_SQL) return t;
    const before = rt.REALTIME_EVENTS_OUTBOX_SQL.replace(/\n  UNION ALL\n  SELECT NULL, NULL, -3 WHERE NOT EXISTS \(SELECT FROM push_target WHERE enabled\)$/, '');
    if (before === rt.REALTIME_EVENTS_OUTBOX_SQL) throw new Error('variant P: the outbox statement has no target row to take off');
    return before;
  },
};

/** Schema variants: DDL applied to the variant's own copy of the database; the statement is the shipped one. */
const SCHEMA = {
  // Without the BRIN index on created_at (where a new monitor cursor starts).
  C: ['DROP INDEX ix_acc_transaction_created'],
  // The feed position index on xid alone (the id order within one transaction by an incremental sort).
  X: ['DROP INDEX ix_acc_transaction_position', 'CREATE INDEX ix_acc_transaction_position ON acc_transaction (xid)'],
  // The device and pin indexes compare their text bytewise (the column keeps the database's collation).
  Sc: ['DROP INDEX ix_acc_transaction_sn_time', 'CREATE INDEX ix_acc_transaction_sn_time ON acc_transaction (device_sn COLLATE "C", event_time)'],
  Pc: ['DROP INDEX ix_acc_transaction_pin_time', 'CREATE INDEX ix_acc_transaction_pin_time ON acc_transaction (pin COLLATE "C", event_time) WHERE pin IS NOT NULL'],
  SPc: [
    'DROP INDEX ix_acc_transaction_sn_time',
    'CREATE INDEX ix_acc_transaction_sn_time ON acc_transaction (device_sn COLLATE "C", event_time)',
    'DROP INDEX ix_acc_transaction_pin_time',
    'CREATE INDEX ix_acc_transaction_pin_time ON acc_transaction (pin COLLATE "C", event_time) WHERE pin IS NOT NULL',
  ],
  // Control: A's schema on a copy of its own (an A/A comparison: the spread between two copies of one schema).
  Ac: [],
  // The tally's index as it was before migration 1764800006000, keyed (day, device_sn): today's rows inserted at 200
  // panels' places within today instead of at the index's right end (docs/performance-log.md, stop 72, helper 6).
  Ts: ['DROP INDEX ix_acc_transaction_tally_day', 'CREATE INDEX ix_acc_transaction_tally_day_sn ON acc_transaction_tally (day, device_sn) INCLUDE (n)'],
  // For scale only: the tally without an index.
  Tn: ['DROP INDEX ix_acc_transaction_tally_day'],
  // For scale only: each secondary btree dropped.
  Dp: ['DROP INDEX ix_acc_transaction_position'],
  Ds: ['DROP INDEX ix_acc_transaction_sn_time'],
  Dt: ['DROP INDEX ix_acc_transaction_time'],
  Di: ['DROP INDEX ix_acc_transaction_pin_time'],
};

/** n events in the ingest's shape, 200 panels over the 90 days before the measured ones, in insertion order. */
async function preload(c, n) {
  await c.query(`INSERT INTO acc_transaction (unique_key, device_id, device_sn, log_id, event_time, pin, name, dept_code, dept_name,
      door_no, door_name, reader_name, reader_state, event_no, event_name, event_level, event_point_name, verify_mode_no, verify_mode_name, area_name)
    SELECT d.sn || '_' || (-g) || '_' || to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), d.id, d.sn, -g, t, (1000 + g % 500)::text, NULL, NULL, NULL,
      1 + g % 2, d.sn || '-1', d.sn || '-1-In', g % 2, 0, 'Normal Verify Open', 0, d.sn || '-1', 1, 'Only Fingerprint', 'Area Name'
    FROM generate_series(1, $1::int) g
    CROSS JOIN LATERAL (SELECT timestamptz '2026-11-29 00:00:00+00' - interval '90 days' + (g::float8 / $1 * interval '90 days') AS t) tt
    JOIN (SELECT id, sn, row_number() OVER (ORDER BY sn) - 1 AS k FROM device WHERE sn LIKE 'RT%') d ON d.k = g % 200`, [n]);
  await c.query(`INSERT INTO acc_transaction_tally (device_sn, day, n)
    SELECT device_sn, (event_time AT TIME ZONE 'UTC')::date, count(*) FROM acc_transaction GROUP BY 1, 2`);
}

const walLsn = async (c) => (await c.query('SELECT pg_current_wal_lsn()::text AS l')).rows[0].l;
const lsnBytes = (a, b) => {
  const n = (l) => { const [hi, lo] = l.split('/'); return BigInt(`0x${hi}`) * 2n ** 32n + BigInt(`0x${lo}`); };
  return Number(n(b) - n(a));
};

async function main() {
  const db = await scratchDatabase('stmt');
  const copies = [];
  let gw;
  try {
    gw = await startGateway(db.url, { DEVICE_UPLOAD_RATE_LIMIT: '10000000' }, { quietStdout: true });
    const sns = Array.from({ length: 200 }, (_, i) => `RT${String(i).padStart(6, '0')}`);
    await registerDevices([gw.port], sns);
    await gw.stop();
    gw = undefined;
    const urls = Object.fromEntries(VARIANTS.map((v) => [v, db.url]));
    if (process.env.PRELOAD || VARIANTS.some((v) => SCHEMA[v])) {
      const base = new Client({ connectionString: db.url });
      await base.connect();
      if (process.env.PRELOAD) await preload(base, Number(process.env.PRELOAD));
      await base.query('VACUUM ANALYZE');
      const baseName = (await base.query('SELECT current_database() AS d')).rows[0].d;
      await base.end();
      for (const v of VARIANTS) {
        const name = `${baseName}_${v.toLowerCase()}`;
        const u = new URL(db.url);
        u.pathname = '/postgres';
        const postgresUrl = u.toString();
        const a = new Client({ connectionString: postgresUrl });
        await a.connect();
        await a.query(`CREATE DATABASE ${name} TEMPLATE ${baseName} STRATEGY FILE_COPY`);
        copies.push(async () => {
          const b = new Client({ connectionString: postgresUrl });
          await b.connect();
          await b.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await b.end();
        });
        await a.end();
        u.pathname = `/${name}`;
        urls[v] = u.toString();
        const c = new Client({ connectionString: urls[v] });
        await c.connect();
        for (const ddl of SCHEMA[v] ?? []) await c.query(ddl);
        await c.end();
      }
    }
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    const devices = (await admin.query(`SELECT id, sn FROM device WHERE sn LIKE 'RT%' ORDER BY sn`)).rows;
    const clients = {};
    for (const v of VARIANTS) {
      const c = new Client({ connectionString: urls[v] });
      await c.connect();
      const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p;
      const rewrite = SCHEMA[v] ? REWRITES.A : REWRITES[v];
      const texts = new Map();
      const client = {
        async query(name, text, values) {
          let t = texts.get(text);
          if (t === undefined) texts.set(text, (t = rewrite(text)));
          if (v !== 'A' && !SCHEMA[v] && t === text && name.startsWith('cvgw_realtime')) throw new Error(`variant ${v} rewrote nothing in ${name}`);
          return (await c.query({ name: `${name}_${v}`, text: t, values })).rows;
        },
      };
      clients[v] = { c, pid, client, names: new EventNamesCache(), perRound: [], cpu: 0, wall: 0, ev: 0, js: 0, ticks: 0, wal: 0, lastLsn: '' };
    }
    let index = 1;
    let d = 0;
    const batchOf = () => {
      const items = [];
      for (let k = 0; k < BATCH; k++) {
        const dev = devices[d++ % devices.length];
        const i = index++;
        const at = new Date(Date.UTC(2026, 10, 29, 0, 0, 0) + i * 1000).toISOString();
        items.push({
          deviceId: dev.id,
          doors: [],
          events: [{ key: `${dev.sn}_${i}_${at}`, logId: i, at, pin: String(1000 + (i % 500)), card: null, doorNo: 1 + (i % 2), inOut: i % 2, event: 0, eventName: 'Normal Verify Open', level: 0, verifyNo: 1, verifyName: 'Only Fingerprint', temperature: null, maskFlag: null, convTemperature: null }],
        });
      }
      return items;
    };
    // Warm-up: plans generic, caches filled, some table to grow into.
    for (let w = 0; w < 300; w++) for (const v of VARIANTS) await rt.flushRealtime(clients[v].client, batchOf(), clients[v].names);
    for (const v of VARIANTS) await clients[v].c.query('VACUUM ANALYZE');
    await admin.query('CHECKPOINT');
    if (process.env.PIDS_FILE) {
      fs.writeFileSync(process.env.PIDS_FILE, VARIANTS.map((v) => clients[v].pid).join(','));
      await new Promise((r) => setTimeout(r, 1500));
    }
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
      for (const v of order) {
        const s = clients[v];
        const batches = Array.from({ length: PER_ROUND }, batchOf);
        const c0 = cpuNs(s.pid);
        const t0 = ticks(s.pid);
        const j0 = process.cpuUsage();
        const l0 = await walLsn(admin);
        const w0 = performance.now();
        for (const b of batches) {
          const stored = await rt.flushRealtime(s.client, b, s.names);
          if (stored.some((x) => x.events !== 1)) throw new Error(`variant ${v}: not stored once`);
        }
        s.wall += performance.now() - w0;
        const l1 = await walLsn(admin);
        s.wal += lsnBytes(l0, l1);
        s.lastLsn = `${l0} ${l1}`;
        const j = process.cpuUsage(j0);
        s.js += j.user + j.system;
        s.perRound.push((cpuNs(s.pid) - c0) / 1000 / (PER_ROUND * BATCH));
        s.cpu += cpuNs(s.pid) - c0;
        s.ticks += ticks(s.pid) - t0;
        s.ev += PER_ROUND * BATCH;
      }
    }
    // Per round, each variant's backend µs per event against the first variant's of the same round: the spread.
    const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    for (const v of VARIANTS.slice(1)) {
      const r = clients[v].perRound.map((x, i) => x / clients[VARIANTS[0]].perRound[i]);
      console.log(`${v}/${VARIANTS[0]} backend µs per event, per round: median ${median(r).toFixed(3)}, range ${Math.min(...r).toFixed(3)}-${Math.max(...r).toFixed(3)}, lower in ${r.filter((x) => x < 1).length} of ${r.length}`);
    }
    for (const v of VARIANTS) {
      const s = clients[v];
      console.log(`${v}: batch ${BATCH}, ${s.ev} events: backend ${(s.cpu / 1000 / s.ev).toFixed(2)} µs/event (stat ${(s.ticks / s.ev).toFixed(1)}), client js ${(s.js / s.ev).toFixed(2)} µs/event, wall ${((s.wall * 1000) / s.ev).toFixed(1)} µs/event, WAL ${(s.wal / s.ev).toFixed(0)} B/event (last round ${s.lastLsn})`);
      await s.c.end();
    }
    for (const v of VARIANTS) {
      const c = new Client({ connectionString: urls[v] });
      await c.connect();
      const dup = (await c.query('SELECT count(*) - count(DISTINCT unique_key) AS d FROM acc_transaction')).rows[0].d;
      console.log(`${v} duplicate keys: ${dup}`);
      await c.end();
    }
    await admin.end();
  } finally {
    await gw?.stop();
    if (!process.env.KEEP) for (const drop of copies) await drop();
    if (!process.env.KEEP) await db.drop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
