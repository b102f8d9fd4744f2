/** Every database the tests create carries this mark; the helpers refuse to touch any other. */
export const TEST_DB_MARK = '_test_';

export type TestDbPlan = { mode: 'pg'; adminUrl: string; template: string; prefix: string } | { mode: 'embedded' };

export function isTestDatabaseName(name: string): boolean {
  return name.includes(TEST_DB_MARK) && /^[a-z0-9_]+$/.test(name);
}

export function adminUrlFor(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export function describeTestDb(plan: TestDbPlan): string {
  return plan.mode === 'pg' ? `PostgreSQL ${new URL(plan.adminUrl).host}, template ${plan.template}` : 'embedded PGlite, one per test file';
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: TestDbPlan;
  }
}
