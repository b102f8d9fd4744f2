/**
 * Reads that share a round trip (src/database/read-together.ts) and the generic plans of the planner's
 * transactions (preferGenericPlans), on the database the suite runs on.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { read, readAll, readTogether, runRead } from '../../src/database/read-together';
import { preferGenericPlans } from '../../src/database/prepared-query.service';
import { startTestApp, type TestApp } from '../support/test-app';

const onPglite = inject('testDb').mode === 'embedded';
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

const numbers = (from: number, to: number) =>
  read(`SELECT g AS n FROM generate_series($1::int, $2::int) g ORDER BY g DESC`, [from, to], (rows: Array<{ n: number }>) => rows.map((r) => Number(r.n)));
const word = (w: string) => read(`SELECT upper($1::text) AS w`, [w], (rows: Array<{ w: string }>) => rows[0]?.w ?? null);

describe('readTogether', () => {
  it('answers each read with its own parameters, in its own order, from one statement', async () => {
    let statements = 0;
    const out = await t.ds.transaction(async (m) => {
      // Statements sent on the transaction's connection while the reads run.
      const client = (await m.queryRunner!.connect()) as { query: (...args: unknown[]) => unknown };
      const sent = client.query;
      client.query = function (this: unknown, ...args: unknown[]) {
        statements++;
        return sent.apply(this, args);
      };
      try {
        return await readTogether(m, { low: numbers(1, 3), high: numbers(10, 12), empty: numbers(5, 4), w: word('abc') });
      } finally {
        client.query = sent;
      }
    });
    expect(out).toEqual({ low: [3, 2, 1], high: [12, 11, 10], empty: [], w: 'ABC' });
    expect(statements).toBe(1);
  });

  it('nests: a read of reads is a read, with every parameter renumbered once', async () => {
    const inner = readAll({ a: numbers(1, 2), b: word('x') });
    const out = await t.ds.transaction((m) => readTogether(m, { inner, c: numbers(7, 7), d: word('y') }));
    expect(out).toEqual({ inner: { a: [2, 1], b: 'X' }, c: [7], d: 'Y' });
    // Run alone, the same read gives the same answer.
    expect(await t.ds.transaction((m) => runRead(m, inner))).toEqual({ a: [2, 1], b: 'X' });
  });

  it('hands a timestamp read together to its parser as text, which must make it a date again', async () => {
    const at = read(`SELECT $1::timestamptz AS at`, ['2026-03-04T05:06:07Z'], (rows: Array<{ at: Date | string }>) => new Date(rows[0].at).toISOString());
    const out = await t.ds.transaction((m) => readTogether(m, { at, w: word('z') }));
    expect(out.at).toBe('2026-03-04T05:06:07.000Z');
  });
});

describe('preferGenericPlans', () => {
  const mode = async (m: { query: (q: string) => Promise<Array<{ v: string }>> }) => (await m.query(`SELECT current_setting('plan_cache_mode') AS v`))[0].v;

  it.skipIf(onPglite)('switches the rest of the transaction to generic plans, and ends with it', async () => {
    await t.ds.transaction(async (m) => {
      expect(await mode(m)).toBe('auto');
      await preferGenericPlans(m);
      expect(await mode(m)).toBe('force_generic_plan');
    });
    await t.ds.transaction(async (m) => expect(await mode(m)).toBe('auto'));
  });

  it('leaves the embedded database (no prepared statements) and work outside a transaction as they were', async () => {
    await preferGenericPlans(t.ds.manager);
    expect(await mode(t.ds.manager)).toBe('auto');
    if (!onPglite) return;
    await t.ds.transaction(async (m) => {
      await preferGenericPlans(m);
      expect(await mode(m)).toBe('auto');
    });
  });
});
