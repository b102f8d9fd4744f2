/**
 * A stop (Ctrl-C, SIGTERM) while a background worker's run is in progress is clean: the process exits 0 and logs no
 * warning or error. Nest closes TypeORM's DataSource in its onApplicationShutdown, and among global modules that
 * came before the StatisticsKeeper's own hook: a pass in progress then failed on the closed pool (`StatisticsKeeper:
 * refreshing planner statistics failed: ...`, about one Ctrl-C in four on `npm start`). Workers now stop in
 * beforeApplicationShutdown (src/common/stop-worker.ts). STATS_TEST_HOLD_MS holds each statistics pass open, so
 * the stop always finds one in progress. The real built gateway (`node dist/src/main.js`, needs `npm run build`):
 * as a newcomer runs it (no DATABASE_URL: the embedded database in a data directory of its own) on the embedded run,
 * with DATABASE_URL on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort, GatewayProcess } from '../support/gateway-process';
import { createTestDatabase, seedMigratedDataDir, type TestDatabase } from '../support/test-db';

const onPglite = inject('testDb').mode === 'embedded';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a stop while a background run is in progress', () => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let g: GatewayProcess | undefined;

  afterAll(async () => {
    await g?.kill();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: exits 0 once the run ended, with no warning or error line`, async () => {
      // A pass every 100 ms (the least STATS_REFRESH_MS accepts), each held open 2 s: from 100 ms after the start on,
      // a pass is nearly always in progress.
      const env = { STATS_REFRESH_MS: '100', STATS_TEST_HOLD_MS: '2000', LOG_LEVEL: 'info' };
      if (onPglite) {
        if (!dataDir) {
          dataDir = mkdtempSync(path.join(tmpdir(), 'stop-quietly-'));
          // A cluster a gateway made and migrated before (the run's template), as a newcomer's every start after the
          // first finds it: the first start's creation has tests of its own (start-stop.e2e-spec.ts).
          await seedMigratedDataDir(dataDir);
        }
        g = new GatewayProcess(await freePort(), { DATA_DIR: dataDir, ...env });
      } else {
        db ??= await createTestDatabase();
        g = await GatewayProcess.create(db.url, env);
      }
      await g.start(240_000);
      // Work for the workers: a person written (a change the planner and the statistics keeper see).
      const created = await g.api('POST', '/api/person/add', { pin: '77001', name: 'Stop', lastName: 'Quietly' });
      expect(created.body.code).toBe(0);
      await sleep(300);
      const child = g.child!;
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill(signal);
      expect(await exited).toBe(0);
      const lines = g.output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(lines.some((l) => l.msg === 'shutting down')).toBe(true);
      // pino: 40 warn, 50 error, 60 fatal. The start guide's warnings (no operator yet) come before the stop.
      const stop = lines.findIndex((l) => l.msg === 'shutting down');
      expect(lines.slice(stop).filter((l) => l.level >= 40)).toEqual([]);
      expect(g.output.split('\n').filter((l) => l.trim() && !l.startsWith('{'))).toEqual([]);
    }, 300_000);
  }
});
