import { Client } from 'pg';
import { inject } from 'vitest';
import { migrateDatabase } from '../../src/database/database';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { adminUrlFor, isTestDatabaseName } from './test-db-plan';

export interface TestDatabase {
  url: string;
  mode: 'pg' | 'embedded';
  /** The pool size the gateway must use on it (embedded PGlite serves one connection correctly). */
  poolSize: number;
  drop(): Promise<void>;
}

let counter = 0;

/** A fresh, migrated database of this test file's own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const plan = inject('testDb');
  if (plan.mode === 'embedded') {
    const db = await startEmbeddedDatabase(undefined);
    await migrateDatabase(db.url);
    return { url: db.url, mode: 'embedded', poolSize: db.poolSize, drop: () => db.stop() };
  }
  const name = `${plan.prefix}_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  if (!isTestDatabaseName(name)) throw new Error(`refusing database name ${name}`);
  const admin = new Client({ connectionString: plan.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${plan.template}`);
  } finally {
    await admin.end();
  }
  return {
    url: adminUrlFor(plan.adminUrl, name),
    mode: 'pg',
    poolSize: 10,
    async drop() {
      const a = new Client({ connectionString: plan.adminUrl });
      await a.connect();
      try {
        await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await a.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await a.end();
      }
    },
  };
}

/** An empty (unmigrated) database, for the migration tests. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const plan = inject('testDb');
  if (plan.mode === 'embedded') {
    const db = await startEmbeddedDatabase(undefined);
    return { url: db.url, mode: 'embedded', poolSize: db.poolSize, drop: () => db.stop() };
  }
  const name = `${plan.prefix}_empty_${process.pid}_${++counter}`;
  if (!isTestDatabaseName(name)) throw new Error(`refusing database name ${name}`);
  const admin = new Client({ connectionString: plan.adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: adminUrlFor(plan.adminUrl, name),
    mode: 'pg',
    poolSize: 10,
    async drop() {
      const a = new Client({ connectionString: plan.adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
