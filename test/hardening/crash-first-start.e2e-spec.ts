import { Client } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS } from '../../src/database/migrations';
import { DeviceSimulator } from '../simulator/device-simulator';
import { GatewayProcess } from '../support/gateway-process';
import { createEmptyDatabase, type TestDatabase } from '../support/test-db';

/**
 * `kill -9` of a gateway's first start on a database that does not exist yet (DATABASE_URL names it: the gateway
 * creates it, then migrates it under an advisory lock, every migration in one transaction), at random points of
 * the migrations, again and again: each kill leaves no migration half applied, and the next start migrates and
 * serves. Real PostgreSQL only (the embedded first start: crash-embedded.e2e-spec.ts).
 */
const onPglite = inject('testDb').mode === 'embedded';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MIGRATION_LOCK = 7_330_001; // src/database/database.ts

let db: TestDatabase | undefined;
let g: GatewayProcess | undefined;

afterAll(async () => {
  await g?.kill();
  await db?.drop();
});

describe.skipIf(onPglite)('kill -9 during the first start’s migrations', () => {
  it('starts cleanly after being killed inside the migrations, whatever they had done', { timeout: 300_000 }, async () => {
    db = await createEmptyDatabase();
    const url = new URL(db.url);
    const name = url.pathname.slice(1);
    await db.drop(); // the gateway creates it
    url.pathname = '/postgres';
    const admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      const migrating = async () =>
        (
          await admin.query(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted AND d.datname = $2`,
            [MIGRATION_LOCK, name],
          )
        ).rows[0].n > 0;
      const applied = async () => {
        const c = new Client({ connectionString: db!.url });
        await c.connect();
        try {
          const exists = (await c.query(`SELECT to_regclass('typeorm_migrations') IS NOT NULL AS t`)).rows[0].t;
          const migrations = exists ? (await c.query(`SELECT count(*)::int AS n FROM typeorm_migrations`)).rows[0].n : 0;
          const tables = (await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'typeorm_migrations'`)).rows[0].n;
          return { migrations, tables };
        } finally {
          await c.end();
        }
      };

      g = await GatewayProcess.create(db.url);
      const kills: Array<{ afterMs: number; migrations: number; tables: number }> = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const starting = g.start(180_000).then(
          () => 'started',
          (e: Error) => e.message,
        );
        let seen = false;
        for (const end = Date.now() + 60_000; !seen && Date.now() < end; await sleep(10)) seen = await migrating();
        expect(seen, 'the first start never took the migration lock').toBe(true);
        const afterMs = Math.floor(Math.random() * 400 * (attempt + 1));
        await sleep(afterMs);
        await g.kill();
        // A quick machine can finish the migrations and start within the random wait: that kill came after they
        // committed (checked below like any other), and ends the attempts.
        const outcome = await starting;
        // Its server session ends (the lock goes) once the server notices the client is gone, after the statement it
        // runs: read what it left only then, or a COMMIT already sent could land after the read.
        for (const end = Date.now() + 30_000; (await migrating()) && Date.now() < end; ) await sleep(50);
        expect(await migrating(), 'the killed start still holds the migration lock').toBe(false);
        const after = await applied();
        kills.push({ afterMs, ...after });
        if (outcome === 'started') expect(after.migrations, 'started before its migrations were all applied').toBe(MIGRATIONS.length);
        if (after.migrations > 0) break; // the kill came after they committed: nothing left to interrupt
      }
      // A kill inside the migrations' transaction left none of them behind; one after it, all of them.
      const half = kills.filter((k) => !(k.migrations === 0 && k.tables === 0) && k.migrations !== MIGRATIONS.length);
      expect(half, JSON.stringify(kills)).toEqual([]);
      expect(kills.filter((k) => k.migrations === 0).length, JSON.stringify(kills)).toBeGreaterThan(0);

      await g.start(180_000);
      expect((await applied()).migrations).toBe(MIGRATIONS.length);
      expect((await g.api('POST', '/api/person/add', { pin: '1', name: 'First', deptCode: '1' })).body.code).toBe(0);
      const sim = new DeviceSimulator({ baseUrl: g.baseUrl, sn: 'FIRST-START-1', doors: 1 });
      expect((await sim.connect()).registered).toBe(true);

      // A kill right after the migrations committed, and a start again: nothing to migrate, it serves.
      await g.kill();
      await g.start(60_000);
      expect((await g.api('GET', '/api/person/get/1')).body.code).toBe(0);
    } finally {
      await admin.end();
    }
  });
});
