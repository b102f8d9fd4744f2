// PostgreSQL CPU per event of rtlog batch statement variants, from /proc/<backend>/schedstat (docs/performance-log.md, stop 58).
// Calls the build's own flushRealtime on one connection per variant, alternating rounds, on a scratch database
// (200 panels registered through a gateway started once). Variant A is the shipped statement (no Push Center target
// enabled: the guarded statement without the outbox part, stop 60); the others are rewrites of its text: P the
// statement every batch ran before stop 60 (with the outbox part), F the shipped statement with the outbox part (what a
// batch runs while a target is enabled), B anti-join instead of ON CONFLICT, T without the tally (for scale).
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

async function main() {
  const db = await scratchDatabase('stmt');
  let gw;
  try {
    gw = await startGateway(db.url, { DEVICE_UPLOAD_RATE_LIMIT: '10000000' }, { quietStdout: true });
    const sns = Array.from({ length: 200 }, (_, i) => `RT${String(i).padStart(6, '0')}`);
    await registerDevices([gw.port], sns);
    await gw.stop();
    gw = undefined;
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    const devices = (await admin.query(`SELECT id, sn FROM device WHERE sn LIKE 'RT%' ORDER BY sn`)).rows;
    const clients = {};
    for (const v of VARIANTS) {
      const c = new Client({ connectionString: db.url });
      await c.connect();
      const pid = (await c.query('SELECT pg_backend_pid() AS p')).rows[0].p;
      const rewrite = REWRITES[v];
      const texts = new Map();
      const client = {
        async query(name, text, values) {
          let t = texts.get(text);
          if (t === undefined) texts.set(text, (t = rewrite(text)));
          if (v !== 'A' && t === text && name.startsWith('cvgw_realtime')) throw new Error(`variant ${v} rewrote nothing in ${name}`);
          return (await c.query({ name: `${name}_${v}`, text: t, values })).rows;
        },
      };
      clients[v] = { c, pid, client, names: new EventNamesCache(), cpu: 0, wall: 0, ev: 0, js: 0, ticks: 0 };
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
    await admin.query('VACUUM ANALYZE');
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
        const w0 = performance.now();
        for (const b of batches) {
          const stored = await rt.flushRealtime(s.client, b, s.names);
          if (stored.some((x) => x.events !== 1)) throw new Error(`variant ${v}: not stored once`);
        }
        s.wall += performance.now() - w0;
        const j = process.cpuUsage(j0);
        s.js += j.user + j.system;
        s.cpu += cpuNs(s.pid) - c0;
        s.ticks += ticks(s.pid) - t0;
        s.ev += PER_ROUND * BATCH;
      }
    }
    for (const v of VARIANTS) {
      const s = clients[v];
      console.log(`${v}: batch ${BATCH}, ${s.ev} events: backend ${(s.cpu / 1000 / s.ev).toFixed(2)} µs/event (stat ${(s.ticks / s.ev).toFixed(1)}), client js ${(s.js / s.ev).toFixed(2)} µs/event, wall ${((s.wall * 1000) / s.ev).toFixed(1)} µs/event`);
      await s.c.end();
    }
    const dup = (await admin.query('SELECT count(*) - count(DISTINCT unique_key) AS d FROM acc_transaction')).rows[0].d;
    console.log(`duplicate keys: ${dup}`);
    await admin.end();
  } finally {
    await gw?.stop();
    await db.drop();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
