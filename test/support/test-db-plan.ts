/** Every database the tests create carries this mark; the helpers refuse to touch any other. */
export const TEST_DB_MARK = '_test_';

export type TestDbPlan =
  | { mode: 'pg'; adminUrl: string; template: string; prefix: string }
  /**
   * `templateFile`: a migrated PGlite data directory (a dumpDataDir tarball) each test file starts from; `emptyFile`:
   * the same cluster before its migrations, what the migration tests start from.
   */
  | { mode: 'embedded'; templateFile?: string; emptyFile?: string };

export function isTestDatabaseName(name: string): boolean {
  return name.includes(TEST_DB_MARK) && /^[a-z0-9_]+$/.test(name);
}

export function adminUrlFor(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export function describeTestDb(plan: TestDbPlan): string {
  if (plan.mode === 'pg') return `PostgreSQL ${new URL(plan.adminUrl).host}, template ${plan.template}`;
  return `embedded PGlite, one per test file${plan.templateFile ? ', started from a migrated template' : ''}`;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: TestDbPlan;
  }
}

/**
 * A throwaway database need not wait for its commits to reach the disk: synchronous_commit=off makes each commit
 * return before its WAL is flushed (10-30 ms a commit on a loaded CI machine's fsync, about 1 ms without). What a
 * commit wrote is visible to every other connection at once either way; only a crash of the PostgreSQL server itself
 * could lose the last commits, and no test crashes the shared server (the crash tests kill the gateway process;
 * the outage tests stop a private server of their own, which runs with fsync off anyway). Not inherited by a
 * TEMPLATE clone (the setting belongs to the database), so each database is given it.
 */
export const THROWAWAY_SETTINGS = 'SET synchronous_commit = off';
