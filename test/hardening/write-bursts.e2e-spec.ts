/**
 * An HR sync job's burst: 370 REST writes fired at once over one level pair, one department and overlapping pins
 * (person/add, the same pin added twice, accLevel/addLevelPerson repeated and card/set on the same pins,
 * person/delete), as integrators send them. On the embedded database every statement waits for its one session, so the later
 * writes of a burst wait long: waiting is no outage, and none may be answered -503 (or anything but its own
 * answer) for it. Then the database holds exactly what the answers said, and a panel in both levels ends holding
 * exactly that (db-oracle.ts reads the expectation through REST).
 */
import { expect, it } from 'vitest';
import { POOL_WAIT_TIMEOUT, QueueingPool } from '../../src/database/queueing-pool';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import type { TestApp } from '../support/test-app';
import { accessFromDatabase, accessRowsOf, type LevelOnPanel } from '../sync/db-oracle';
import { claimsSynced, convergenceOf, ok, settleConverged, tableSnapshot, useFaultApp } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const pinOf = (i: number) => String(40000 + i);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

interface Answer {
  what: string;
  status: number;
  code: number;
  message: string;
}

it('370 concurrent writes on shared levels, one department and overlapping pins all answer for themselves (never -503); the database and the panel end holding what they said', { timeout: 600_000 }, async () => {
  await ok(t.post('/api/department/add', { code: 'HRB', name: 'HR burst' }));
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'HRBURST01', doors: 2, ipAddress: '10.86.0.1' });
  await sim.connect();
  await sim.pollUntilIdle();
  const levels: LevelOnPanel[] = [];
  for (const [n, door] of [1, 2].entries()) {
    const name = `HR burst ${n}`;
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: name, doorName: `10.86.0.1-${door}` }] }));
    levels.push({ id: (await t.get(`/api/accLevel/getByName/${encodeURIComponent(name)}`)).body.data.id, tz: 1, doors: new Set([door]) });
  }
  const [a, b] = levels.map((l) => l.id);
  // Persons there before the burst (pins 120-189), in level a: the burst grants them level b, sets cards, deletes some.
  for (const i of range(120, 190)) await ok(t.post('/api/person/add', { pin: pinOf(i), name: `Old${i}`, deptCode: 'HRB', accLevelIds: a }));

  const post = (what: string, path: string, body: unknown, query?: Record<string, unknown>) => async (): Promise<Answer> => {
    const r = await t.post(path, body, query);
    return { what, status: r.status, code: r.body?.code, message: r.body?.message };
  };
  const writes: Array<() => Promise<Answer>> = [
    // New persons 0-119, all in department HRB and level a, every third also in b; 0-19 added twice (another name).
    ...range(0, 120).map((i) => post(`add ${i}`, '/api/person/add', { pin: pinOf(i), name: `New${i}`, deptCode: 'HRB', cardNo: String(5_400_000 + i), accLevelIds: i % 3 ? a : `${a},${b}` })),
    ...range(0, 20).map((i) => post(`add again ${i}`, '/api/person/add', { pin: pinOf(i), name: `Again${i}`, deptCode: 'HRB', cardNo: String(5_400_000 + i), accLevelIds: i % 3 ? a : `${a},${b}` })),
    // Existing 120-149 granted level b six times over (a sync job resending its batch: unlike person/add, which
    // shares transactions, each grant runs its own); 120-129 and 150-169 given a card meanwhile; 170-189 deleted.
    ...range(0, 6).flatMap((n) => range(120, 150).map((i) => post(`grant ${n} ${i}`, '/api/accLevel/addLevelPerson', undefined, { pin: pinOf(i), levelIds: b }))),
    ...[...range(120, 130), ...range(150, 170)].map((i) => post(`card ${i}`, '/api/card/set', { pin: pinOf(i), cardNo: String(5_500_000 + i), cardType: 0 })),
    ...range(170, 190).map((i) => post(`delete ${i}`, `/api/person/delete/${pinOf(i)}`, undefined)),
  ];
  const started = Date.now();
  const answers = await Promise.all(writes.map((w) => w()));
  const took = Date.now() - started;
  expect(answers).toHaveLength(370);
  expect(answers.filter((r) => r.status !== 200 || r.code !== 0), `burst of 370 took ${took} ms`).toEqual([]);

  // The database holds what the answers said.
  const rows: Array<{ pin: string; name: string; dept: string; card_no: string | null; levels: string | null }> = await t.ds.query(
    `SELECT p.pin, p.name, d.code AS dept, p.card_no,
            (SELECT string_agg(lp.level_id::text, ',' ORDER BY lp.level_id) FROM acc_level_person lp WHERE lp.person_id = p.id) AS levels
       FROM person p JOIN department d ON d.id = p.dept_id WHERE p.pin BETWEEN $1 AND $2 ORDER BY p.pin`,
    [pinOf(0), pinOf(189)],
  );
  const sorted = (ids: string[]) => [...ids].sort().join(',');
  const want = [
    ...range(0, 120).map((i) => ({ pin: pinOf(i), dept: 'HRB', card_no: String(5_400_000 + i), levels: sorted(i % 3 ? [a] : [a, b]) })),
    ...range(120, 170).map((i) => ({ pin: pinOf(i), dept: 'HRB', card_no: i < 130 || i >= 150 ? String(5_500_000 + i) : null, levels: sorted(i < 150 ? [a, b] : [a]) })),
  ];
  expect(rows.map(({ pin, dept, card_no, levels: l }) => ({ pin, dept, card_no, levels: l }))).toEqual(want);
  for (const r of rows.filter((x) => Number(x.pin) - 40000 < 20)) expect([`New${Number(r.pin) - 40000}`, `Again${Number(r.pin) - 40000}`]).toContain(r.name);

  // The panel, polling after the burst, ends holding exactly that.
  await settleConverged(t, reconciler, sim, 40);
  const pins = range(0, 190).map(pinOf);
  expect(accessRowsOf(tableSnapshot(sim, ['user', 'userauthorize']), pins)).toEqual(await accessFromDatabase(t, pins, levels, false));
  expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(true);
  expect(sim.table('user').filter((u) => pins.includes(String(u.Pin)))).toHaveLength(170);
});

it('a wait for a busy connection lasts while the database answers on it, and ends when it has said nothing for the timeout', async () => {
  const pool = new QueueingPool({ connectionString: t.db.url, max: 1, connectionTimeoutMillis: 600 });
  pool.on('error', () => undefined);
  try {
    const held = await pool.connect();
    // Held without a word to the database: a waiter gives up after the timeout, as when the database hangs.
    const t0 = Date.now();
    await expect(pool.connect()).rejects.toThrow(POOL_WAIT_TIMEOUT);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
    // Held while it queries for four times the timeout: the waiter gets the connection once it is released.
    const waiter = pool.connect();
    // Awaited below; a wait that ends early fails the test there, not as an unhandled rejection meanwhile.
    waiter.catch(() => undefined);
    const t1 = Date.now();
    while (Date.now() - t1 < 2400) await held.query('SELECT 1');
    held.release();
    const next = await waiter;
    expect(Date.now() - t1).toBeGreaterThanOrEqual(2400);
    expect((await next.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    next.release();
  } finally {
    await pool.end();
  }
});
