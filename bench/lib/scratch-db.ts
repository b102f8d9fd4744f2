import { Client } from 'pg';

export interface ScratchDatabase {
  url: string;
  /** Drops the database when the bench created it; a given DATABASE_URL is left alone. */
  drop(): Promise<void>;
}

/**
 * The database a bench writes into: DATABASE_URL when set (its name must contain `_test_`), else a scratch
 * database `cvgw_test_bench_<pid>_<tag>` created on BENCH_ADMIN_URL (default the local server) and dropped
 * by drop().
 */
export async function scratchDatabase(tag = ''): Promise<ScratchDatabase> {
  const given = process.env.DATABASE_URL;
  if (given) {
    if (!new URL(given).pathname.includes('_test_')) throw new Error('DATABASE_URL must name a database containing _test_ (the bench writes into it)');
    return { url: given, drop: async () => undefined };
  }
  const adminUrl = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `cvgw_test_bench_${process.pid}${tag ? `_${tag}` : ''}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad scratch database name ${name}`);
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = new Client({ connectionString: adminUrl });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Rows in acc_transaction, read straight from the database. */
export async function countEvents(url: string): Promise<number> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return Number((await db.query(`SELECT count(*) AS n FROM acc_transaction`)).rows[0].n);
  } finally {
    await db.end();
  }
}
