import * as fs from 'node:fs';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { inject } from 'vitest';
import { migrateDatabase } from '../../src/database/database';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { adminUrlFor, isTestDatabaseName, THROWAWAY_SETTINGS, type TestDbPlan } from './test-db-plan';

export interface TestDatabase {
  url: string;
  mode: 'pg' | 'embedded';
  /** The pool size the gateway must use on it (embedded PGlite serves one connection correctly). */
  poolSize: number;
  drop(): Promise<void>;
  /**
   * Drops it once nothing needs it any more, without making the caller wait where waiting buys nothing: on
   * PostgreSQL, DROP DATABASE forces an immediate checkpoint of the whole server (up to seconds on a loaded CI
   * machine, about one second on average there), which the next test file need not wait for. The drops of a worker
   * run one at a time behind its test files; global-setup's teardown drops whatever is left. `drop()` is for a test
   * that needs the database gone before it goes on.
   */
  release(): Promise<void>;
}

/** This worker's drops still running in the background (one at a time). */
let releasing: Promise<void> = Promise.resolve();

let counter = 0;

/** A fresh, migrated database of this test file's own. */
export function createTestDatabase(): Promise<TestDatabase> {
  return createDatabase(true);
}

/** An empty (unmigrated) database, for the migration tests. */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return createDatabase(false);
}

/**
 * On PostgreSQL, the next migrated database of this worker, cloned while the current test file runs. A clone takes
 * PostgreSQL 0.3-2 s (it copies the template through the WAL), all of it waiting in the file that asks for one; most
 * test files ask for one at their start, and the two workers spend most of a run waiting anyway. A spare is a clone
 * nobody has used yet, as fresh as one made on demand; the one left when the worker ends is dropped by
 * global-setup's teardown with the run's other databases (after any clone still in progress has finished).
 */
let spare: Promise<TestDatabase> | undefined;

/** On PostgreSQL a migrated database is a clone of the template global-setup migrated once (fast); an empty one is created bare. */
async function createDatabase(migrated: boolean): Promise<TestDatabase> {
  const plan = inject('testDb');
  if (plan.mode === 'embedded') {
    // A migrated database starts from the template global-setup migrated once (as on PostgreSQL); an empty one
    // from the same cluster dumped before its migrations (what `npm start` creates on a new machine), loaded in
    // about 0.5 s instead of the 3 s of creating a cluster.
    const file = migrated ? plan.templateFile : plan.emptyFile;
    const template = file ? templateBlob(file) : undefined;
    const db = await startEmbeddedDatabase(undefined, template);
    if (migrated && !template) await migrateDatabase(db.url);
    // An in-process database holds this worker's memory: stopped before the next file starts.
    return { url: db.url, mode: 'embedded', poolSize: db.poolSize, drop: () => db.stop(), release: () => db.stop() };
  }
  if (!migrated) return createPgDatabase(plan, false);
  // A spare that could not be made (the server busy past a timeout, say) is made again now, where its error counts.
  const ready = spare ? spare.catch(() => createPgDatabase(plan, true)) : createPgDatabase(plan, true);
  const next = createPgDatabase(plan, true);
  next.catch(() => undefined);
  spare = next;
  return ready;
}

async function createPgDatabase(plan: Extract<TestDbPlan, { mode: 'pg' }>, migrated: boolean): Promise<TestDatabase> {
  const name = migrated
    ? `${plan.prefix}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`
    : `${plan.prefix}_empty_${process.pid}_${++counter}`;
  if (!isTestDatabaseName(name)) throw new Error(`refusing database name ${name}`);
  await withAdmin(plan.adminUrl, async (a) => {
    await a.query(migrated ? `CREATE DATABASE ${name} TEMPLATE ${plan.template}` : `CREATE DATABASE ${name}`);
    await a.query(`ALTER DATABASE ${name} ${THROWAWAY_SETTINGS}`);
  });
  const drop = () =>
    withAdmin(plan.adminUrl, async (a) => {
      await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await a.query(`DROP DATABASE IF EXISTS ${name}`);
    });
  return {
    url: adminUrlFor(plan.adminUrl, name),
    mode: 'pg',
    poolSize: 10,
    drop,
    release: async () => {
      releasing = releasing.then(drop).catch(() => undefined);
    },
  };
}

/** The dumped templates, read once per worker (tens of MB each; a Blob is read, never changed, by PGlite). */
const templates = new Map<string, Blob>();
function templateBlob(file: string): Blob {
  let blob = templates.get(file);
  if (!blob) templates.set(file, (blob = new Blob([fs.readFileSync(file)])));
  return blob;
}

async function withAdmin(adminUrl: string, work: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * Fills `dataDir` (the gateway's DATA_DIR) with an embedded cluster already migrated, as a gateway that ran there
 * before leaves it: a copy of the template global-setup migrated once, on the embedded database (on PostgreSQL there
 * is none: false, and the gateway creates the cluster itself). Creating one on disk and migrating it takes most of
 * a minute on a loaded 2-core machine; the creation from nothing has its own tests (start-stop.e2e-spec.ts).
 */
export async function seedMigratedDataDir(dataDir: string): Promise<boolean> {
  const plan = inject('testDb');
  if (plan.mode !== 'embedded' || !plan.templateFile) return false;
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new PGlite(path.join(dataDir, 'pgdata'), { loadDataDir: templateBlob(plan.templateFile) });
  await db.waitReady;
  await db.close();
  return true;
}
