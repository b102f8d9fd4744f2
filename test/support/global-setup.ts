import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../../src/database/database';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { sweepStaleDatabases, sweepStaleEmbeddedFiles } from './stale-test-databases';
import { adminUrlFor, describeTestDb, isTestDatabaseName, TEST_DB_MARK, THROWAWAY_SETTINGS, type TestDbPlan } from './test-db-plan';

/** shared_buffers of the embedded template every test file's cluster is loaded from (below). */
export const TEMPLATE_SHARED_BUFFERS = '16MB';

async function postgresAnswers(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * One throwaway template database per run, migrated once; each test file clones it (fast), so files never
 * share state. With no PostgreSQL answering (or TEST_DB=embedded), each file gets an in-memory PGlite, started
 * from a template migrated once here in the same way.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  // `pg` (also spelled `postgres` or `postgresql`), `embedded`, or unset for whichever answers. Anything else is a
  // typo that used to run the embedded database quietly while the caller believed it ran PostgreSQL.
  const given = (process.env.TEST_DB ?? 'auto').toLowerCase();
  const wanted = given === 'postgres' || given === 'postgresql' ? 'pg' : given;
  if (!['pg', 'embedded', 'auto'].includes(wanted)) throw new Error(`TEST_DB=${process.env.TEST_DB}: use pg (PostgreSQL) or embedded`);
  const usePg = wanted === 'pg' || (wanted === 'auto' && (await postgresAnswers(adminUrl)));
  if (wanted === 'pg' && !(await postgresAnswers(adminUrl))) throw new Error(`TEST_DB=pg but PostgreSQL does not answer at ${adminUrl}`);
  let plan: TestDbPlan;
  if (usePg) {
    const prefix = `cvgw${TEST_DB_MARK}${Date.now().toString(36)}_${process.pid}`;
    const template = `${prefix}_tpl`;
    if (!isTestDatabaseName(template)) throw new Error(`refusing database name ${template}`);
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    const swept = await sweepStaleDatabases(admin, adminUrl);
    if (swept.length) process.stdout.write(`[tests] dropped ${swept.length} database(s) an interrupted earlier run left\n`);
    await admin.query(`CREATE DATABASE ${template}`);
    await admin.query(`ALTER DATABASE ${template} ${THROWAWAY_SETTINGS}`);
    await admin.end();
    await migrateDatabase(adminUrlFor(adminUrl, template));
    plan = { mode: 'pg', adminUrl, template, prefix };
  } else {
    // Creating a PGlite cluster takes about 3 s, loading a dumped one about 0.5: every test file starts from
    // this migrated template instead of creating and migrating its own, and the migration tests from the same
    // cluster dumped before its migrations (the cluster initdb gives, as `npm start` creates on a new machine).
    const swept = sweepStaleEmbeddedFiles();
    if (swept.length) process.stdout.write(`[tests] removed ${swept.length} embedded template(s) an interrupted earlier run left\n`);
    const db = await startEmbeddedDatabase(undefined);
    try {
      const dump = async (what: string) => {
        const file = path.join(os.tmpdir(), `cvgw${TEST_DB_MARK}embedded_${what}_${process.pid}_${Date.now().toString(36)}.tar`);
        fs.writeFileSync(file, Buffer.from(await (await db.dumpDataDir()).arrayBuffer()));
        return file;
      };
      const emptyFile = await dump('empty');
      await migrateDatabase(db.url);
      // Every test file loads the migrated template into a cluster of its own: without template0 and template1
      // (7 MB each, never connected to: the gateway uses `postgres` alone) it is a third smaller, and each load
      // about 0.15 s of CPU cheaper.
      const c = new Client({ connectionString: db.url });
      await c.connect();
      try {
        for (const t of ['template0', 'template1']) {
          await c.query(`ALTER DATABASE ${t} IS_TEMPLATE false`);
          await c.query(`DROP DATABASE ${t}`);
        }
        // PGlite zeroes its shared buffers at every start, in WASM: at initdb's 128 MB that was most of a load's
        // CPU (about 1 s of 2, once per test file). The migrated database is about 12 MB, so 16 MB still holds
        // all of it (postgresql.auto.conf, in the dump: the files' clusters and seedMigratedDataDir's get it).
        await c.query(`ALTER SYSTEM SET shared_buffers = '${TEMPLATE_SHARED_BUFFERS}'`);
      } finally {
        await c.end();
      }
      plan = { mode: 'embedded', templateFile: await dump('migrated'), emptyFile };
    } finally {
      await db.stop();
    }
  }
  project.provide('testDb', plan);
  process.stdout.write(`[tests] database: ${describeTestDb(plan)}\n`);
  return async () => {
    if (plan.mode === 'embedded') {
      for (const file of [plan.templateFile, plan.emptyFile]) if (file) fs.rmSync(file, { force: true });
      return;
    }
    const admin = new Client({ connectionString: plan.adminUrl });
    await admin.connect();
    try {
      // A worker clones its next file's database ahead (test-db.ts): a clone its worker did not live to see end is
      // finished by PostgreSQL all the same, so it is waited for (at most a minute) before the run's databases are listed.
      for (let i = 0; i < 600; i++) {
        const { rows: cloning } = await admin.query(
          `SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE $1`,
          [`CREATE DATABASE ${plan.prefix}%`],
        );
        if (!cloning.length) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${plan.prefix}%`]);
      for (const { datname } of rows) {
        if (!isTestDatabaseName(datname)) continue;
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [datname]);
        await admin.query(`DROP DATABASE IF EXISTS ${datname}`);
      }
    } finally {
      await admin.end();
    }
  };
}
