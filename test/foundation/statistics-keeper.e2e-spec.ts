/**
 * StatisticsKeeper: a table that grew by a fifth or more since its last ANALYZE (and by STATS_MIN_CHANGES rows)
 * gets fresh planner statistics without waiting for autovacuum; a table barely changed is left alone.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { StatisticsKeeper } from '../../src/database/statistics-keeper.service';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let keeper: StatisticsKeeper;

beforeAll(async () => {
  // The period is off: the test runs the passes itself.
  t = await startTestApp({ statsRefreshMs: 0, statsMinChanges: 500 });
  keeper = t.app.get(StatisticsKeeper);
  // Autovacuum could analyse the table first (once a minute at most); this is about the keeper.
  await t.ds.query(`ALTER TABLE person SET (autovacuum_enabled = false)`);
});

afterAll(async () => {
  await t?.close();
});

/**
 * Runs passes until one analyses `table`, or gives up. A backend publishes its change counts at the end of a
 * transaction at most once a second, else when it has been idle for 10 s (PostgreSQL 15's cumulative statistics),
 * so the counts of an insert can take up to about 11 s to show: 10 s was the edge, missed on a busy machine.
 */
async function refreshUntil(table: string, ms = 20_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ((await keeper.refresh()).includes(table)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

/** `n` persons with pins from `firstPin`, in one statement. */
async function addPersons(n: number, firstPin: number): Promise<void> {
  const [dept] = await t.ds.query(`SELECT id FROM department WHERE code = '1'`);
  await t.ds.query(
    `INSERT INTO person (id, pin, name, dept_id) SELECT md5('stats' || g), g::text, 'P' || g, $1 FROM generate_series($2::int, $3::int) g`,
    [dept.id, firstPin, firstPin + n - 1],
  );
}

const plannerRows = async (table: string) => Number((await t.ds.query(`SELECT reltuples FROM pg_class WHERE relname = $1`, [table]))[0].reltuples);

describe('planner statistics of fast-growing tables', () => {
  it('analyses a table that grew by thousands of rows, so the planner sees its size', async () => {
    await addPersons(3000, 900001);
    expect(await refreshUntil('person')).toBe(true);
    expect(await plannerRows('person')).toBeGreaterThanOrEqual(2900);
  });

  it('leaves a table alone once its statistics are fresh, and after fewer changes than the least', async () => {
    await addPersons(20, 990001);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await keeper.refresh()).not.toContain('person');
  });
});

describe('a table analysed over and over (an event table filling up)', () => {
  it('rests for a hundred times as long as its last ANALYZE took before the next one', { timeout: 60_000 }, async () => {
    // A clock that moves 50 ms at each reading: every ANALYZE "takes" 50 ms, so the table rests 5,000 ms.
    let clock = 1_000_000;
    keeper.now = () => (clock += 50);
    try {
      await addPersons(3000, 700001);
      expect(await refreshUntil('person')).toBe(true);
      await addPersons(3000, 710001);
      // Stale again (a fifth and more), but resting: 50-ms steps of the clock stay within the 5,000 ms.
      await new Promise((r) => setTimeout(r, 1500));
      expect(await keeper.refresh()).not.toContain('person');
      clock += 5000;
      expect(await refreshUntil('person')).toBe(true);
    } finally {
      keeper.now = () => performance.now();
    }
  });
});

describe.skipIf(inject('testDb').mode === 'embedded')('a table another session holds (autovacuum at work)', () => {
  it('is skipped without waiting, so autovacuum is never cancelled, and analysed on a later pass', { timeout: 60_000 }, async () => {
    const before = await plannerRows('person');
    await addPersons(3000, 800001);
    // SHARE UPDATE EXCLUSIVE is what VACUUM holds; ANALYZE needs the same lock.
    const vacuum = new Client({ connectionString: t.db.url });
    await vacuum.connect();
    try {
      await vacuum.query(`BEGIN; LOCK TABLE person IN SHARE UPDATE EXCLUSIVE MODE`);
      const t0 = Date.now();
      expect(await refreshUntil('person')).toBe(true);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(await plannerRows('person')).toBe(before);
      await vacuum.query(`COMMIT`);
    } finally {
      await vacuum.end();
    }
    expect(await refreshUntil('person')).toBe(true);
    expect(await plannerRows('person')).toBeGreaterThanOrEqual(before + 2900);
  });
});
