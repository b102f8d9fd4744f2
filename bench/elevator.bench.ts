/**
 * Elevator rights at scale: N persons in one elevator level (all floors of one controller), planned as the full
 * sync of the controller and then re-planned for every member (eleLevel/syncLevel), through the real gateway
 * on real PostgreSQL with a simulated elevator controller.
 *
 *   npm run build && node dist/bench/elevator.bench.js [adminUrl] [persons] [floors]
 *
 * It prints the planning times, the commands queued (records are batched many per command) and the time
 * until the controller acknowledged everything. Figures, not assertions.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createGateway } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { migrateDatabase } from '../src/database/database';
import { ElevatorPlannerService } from '../src/sync/elevator-planner.service';
import { SyncPlannerService } from '../src/sync/sync-planner.service';
import { ElevatorControllerSimulator } from '../test/simulator/elevator';

const ADMIN_URL = process.argv[2] ?? process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PERSONS = Number(process.argv[3] ?? 5_000);
const FLOORS = Number(process.argv[4] ?? 32);
const TOKEN = 'bench-token-0123456789';

async function main(): Promise<void> {
  const name = `cvgw_test_bench_elevator_${process.pid}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  try {
    await migrateDatabase(url);
    const config = { ...loadConfig({}), databaseUrl: url, apiToken: TOKEN, deviceAdmission: 'auto' as const, timeZone: 'UTC', logLevel: 'silent' as const, port: 0, host: '127.0.0.1' };
    const gateway = await createGateway(config);
    await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const address = gateway.app.getHttpServer().address();
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const ec = new ElevatorControllerSimulator({ baseUrl, sn: 'BENCHEC0001', floors: FLOORS, ipAddress: '10.9.9.1', maxExchanges: 50 });
      await ec.connect();
      await ec.pollUntilIdle();
      const ds = gateway.app.get(DataSource);
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM floor`);
        if (n >= FLOORS) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const levelId = 'e'.repeat(32);
      await ds.query(`INSERT INTO ele_level (id, name, time_segment_id) SELECT $1, 'Bench', id FROM time_segment WHERE tz_id = 1`, [levelId]);
      await ds.query(`INSERT INTO ele_level_floor (level_id, floor_id) SELECT $1, id FROM floor`, [levelId]);
      await ds.query(
        `INSERT INTO person (id, pin, name, card_no, dept_id)
         SELECT md5('ebench' || g), (2000000 + g)::text, 'Person' || g, (6000000 + g)::text, (SELECT id FROM department WHERE code = '1')
           FROM generate_series(1, $1) g`,
        [PERSONS],
      );
      await ds.query(`INSERT INTO ele_level_person (level_id, person_id) SELECT $1, md5('ebench' || g) FROM generate_series(1, $2) g`, [levelId, PERSONS]);
      const planner = gateway.app.get(ElevatorPlannerService);
      const [{ id: deviceId }] = await ds.query(`SELECT id FROM device WHERE sn = 'BENCHEC0001'`);

      const t0 = Date.now();
      // The full sync a newly admitted controller is owed, page by page (what the reconciler runs).
      const full = gateway.app.get(SyncPlannerService);
      for (let after: string | null = null, first = true; first || after !== null; first = false) {
        after = await ds.transaction((m) => full.syncDeviceFull(m, deviceId, after));
      }
      const planned = Date.now() - t0;
      let polls = 0;
      while ((await ec.poll()).length > 0) polls++;
      const total = Date.now() - t0;
      const fullCommands = ec.received.length;

      const t1 = Date.now();
      await ds.transaction((m) => planner.syncLevel(m, 'ele', levelId, { force: true }));
      const replanned = Date.now() - t1;
      while ((await ec.poll()).length > 0) polls++;
      const total2 = Date.now() - t1;

      console.log(`elevator rights: ${PERSONS} persons, one level of ${FLOORS} floors, one controller`);
      console.log(`  full sync planning: ${(planned / 1000).toFixed(2)} s; until acknowledged: ${(total / 1000).toFixed(2)} s; commands: ${fullCommands}`);
      console.log(`  syncLevel (force) planning: ${(replanned / 1000).toFixed(2)} s; until acknowledged: ${(total2 / 1000).toFixed(2)} s; commands: ${ec.received.length - fullCommands}`);
      console.log(`  usereleauthorize records held: ${ec.table('usereleauthorize').length}; users: ${ec.table('user').length}; getrequest polls with work: ${polls}`);
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
