/**
 * Full sync of 10,000 persons to 10 simulated devices, through the real gateway on real PostgreSQL.
 *
 *   npm run build && node dist/bench/sync.bench.js [adminUrl] [persons] [devices]
 *
 * It creates a scratch database (its name contains `_test_`), migrates it, starts the gateway, connects the
 * simulated panels (4 doors each), puts every door in one level, inserts the persons with SQL into that
 * level, then asks for "sync all data to this device" on every panel (SyncPlannerService.syncDeviceFull)
 * and lets all panels poll getrequest concurrently until every command is acknowledged. It prints the time
 * from the first sync request to the last acknowledgement, the commands queued and the getrequest round
 * trips per device, then the cost of the periodic verification's diff plan of each converged device. Figures, not
 * assertions.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createGateway } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { migrateDatabase } from '../src/database/database';
import { SyncPlannerService } from '../src/sync/sync-planner.service';
import { DeviceSimulator } from '../test/simulator/device-simulator';

const ADMIN_URL = process.argv[2] ?? process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PERSONS = Number(process.argv[3] ?? 10_000);
const DEVICES = Number(process.argv[4] ?? 10);
const TOKEN = 'bench-token-0123456789';

function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function main(): Promise<void> {
  const name = `cvgw_test_bench_sync_${process.pid}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = dbUrl(name);
  try {
    await migrateDatabase(url);
    const config = { ...loadConfig({}), databaseUrl: url, apiToken: TOKEN, deviceAdmission: 'auto' as const, timeZone: 'UTC', logLevel: 'silent' as const, port: 0, host: '127.0.0.1' };
    const gateway = await createGateway(config);
    await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const address = gateway.app.getHttpServer().address();
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const sims = Array.from({ length: DEVICES }, (_, i) => new DeviceSimulator({ baseUrl, sn: `BENCH${String(i).padStart(5, '0')}`, doors: 4, ipAddress: `10.9.0.${i + 1}`, maxExchanges: 50 }));
      for (const s of sims) {
        await s.connect();
        await s.pollUntilIdle();
      }
      const ds = gateway.app.get(DataSource);
      const levelId = 'b'.repeat(32);
      await ds.query(`INSERT INTO acc_level (id, name, time_segment_id) SELECT $1, 'Bench', id FROM time_segment WHERE tz_id = 1`, [levelId]);
      await ds.query(`INSERT INTO acc_level_door (level_id, door_id) SELECT $1, id FROM door`, [levelId]);
      await ds.query(
        `INSERT INTO person (id, pin, name, last_name, card_no, dept_id)
         SELECT md5('bench' || g), (1000000 + g)::text, 'Person' || g, 'Bench', (5000000 + g)::text, (SELECT id FROM department WHERE code = '1')
           FROM generate_series(1, $1) g`,
        [PERSONS],
      );
      await ds.query(`INSERT INTO acc_level_person (level_id, person_id) SELECT $1, md5('bench' || g) FROM generate_series(1, $2) g`, [levelId, PERSONS]);
      const before = sims.map((s) => s.received.length);
      const planner = gateway.app.get(SyncPlannerService);
      const deviceIds: Array<{ id: string; sn: string }> = await ds.query(`SELECT id, sn FROM device ORDER BY sn`);

      const t0 = Date.now();
      // One transaction per page of persons, as the reconciler runs an owed full sync.
      for (const d of deviceIds) {
        let cursor: string | null = null;
        do cursor = await ds.transaction((m) => planner.syncDeviceFull(m, d.id, cursor));
        while (cursor !== null);
      }
      const planned = Date.now() - t0;
      const polls = sims.map(() => 0);
      await Promise.all(
        sims.map(async (s, i) => {
          for (;;) {
            polls[i]++;
            const got = await s.poll();
            if (got.length === 0) break;
          }
        }),
      );
      const total = Date.now() - t0;
      const [{ pending, failed, commands }] = await ds.query(
        `SELECT count(*) FILTER (WHERE state IN ('pending', 'sent'))::int AS pending, count(*) FILTER (WHERE state = 'failed')::int AS failed, count(*)::int AS commands FROM device_command WHERE device_sn LIKE 'BENCH%'`,
      );
      const users = sims.map((s) => s.table('user').length);
      console.log(`full sync: ${PERSONS} persons × ${DEVICES} devices (4 doors each)`);
      console.log(`  planning (syncDeviceFull × ${DEVICES}, one transaction per page): ${(planned / 1000).toFixed(2)} s`);
      console.log(`  until every device acknowledged everything:       ${(total / 1000).toFixed(2)} s`);
      console.log(`  commands queued in all: ${commands} (per device: ${sims.map((s, i) => s.received.length - before[i]).join(', ')})`);
      console.log(`  getrequest round trips per device (last one empty): ${polls.join(', ')}`);
      console.log(`  users held per device: ${users.join(', ')}; commands still pending: ${pending}, failed: ${failed}`);
      // The periodic verification's diff plan of a converged device (SyncVerifier.askDue), once per device per
      // SYNC_VERIFY_INTERVAL_MS: its cost is the whole device's desired state read and compared, nothing sent.
      const checks: number[] = [];
      for (const d of deviceIds) {
        const c0 = process.hrtime.bigint();
        await ds.transaction((m) => planner.reconcileDevice(m, d.id, null));
        checks.push(Number(process.hrtime.bigint() - c0) / 1e6);
      }
      const [{ after }] = await ds.query(`SELECT count(*) FILTER (WHERE state IN ('pending', 'sent'))::int AS after FROM device_command WHERE device_sn LIKE 'BENCH%'`);
      console.log(`  periodic check's diff plan per converged device: ${checks.map((ms) => ms.toFixed(0)).join(', ')} ms; commands it queued: ${after}`);
    } finally {
      await gateway.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
