import { afterAll, beforeAll, inject } from 'vitest';
import { GatewayProcess } from './gateway-process';
import { createTestDatabase, type TestDatabase } from './test-db';

/** Two real gateway processes (`node dist/src/main.js`, needs `npm run build`) on one fresh database of the file's own. */
export interface TwoGateways {
  db: TestDatabase;
  a: GatewayProcess;
  b: GatewayProcess;
}

/**
 * Starts two gateway processes on one database before the file's tests and stops them after (scale-out: a device
 * behind a load balancer talks to either), both with `env` on top of GatewayProcess's. Nothing starts on the
 * embedded database (one process only): the file's tests skip themselves there (`onEmbedded`).
 */
export function useTwoGateways(env: Record<string, string> = {}): TwoGateways {
  const g = {} as TwoGateways;
  beforeAll(async () => {
    if (onEmbedded()) return;
    g.db = await createTestDatabase();
    g.a = await GatewayProcess.create(g.db.url, env);
    g.b = await GatewayProcess.create(g.db.url, env);
    await Promise.all([g.a.start(), g.b.start()]);
  });
  afterAll(async () => {
    await Promise.all([g.a?.kill(), g.b?.kill()]);
    await g.db?.release();
  });
  return g;
}

/** This run's database is the embedded one (PGlite): one process only. */
export const onEmbedded = (): boolean => inject('testDb').mode === 'embedded';
