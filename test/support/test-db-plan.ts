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
