/**
 * person/add requests arriving together share one transaction and one plan (WriteCoalescer); each still
 * answers for itself: a refused one fails alone, the others are stored and sent.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId } from '../sync/access-helpers';

let t: TestApp;
let panel: Device;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  panel = await Device.connect(t, 'COALESCE01', 2, '10.9.5.1');
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Together' }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Together', doorName: '10.9.5.1-1' }] })).body.code).toBe(0);
  await panel.since();
});
afterAll(async () => {
  await t?.close();
});

it('twenty concurrent person/add with one unknown department: nineteen stored and confirmed, the bad one answers its own error', async () => {
  const level = await levelId(t, 'Together');
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) => t.post('/api/person/add', { pin: String(900 + i), name: `C${i}`, accLevelIds: level, ...(i === 7 ? { deptCode: 'nope' } : {}) })),
  );
  const codes = answers.map((a) => a.body.code);
  expect(codes.filter((c) => c === 0)).toHaveLength(19);
  expect(codes[7]).toBeLessThan(0);
  const stored: Array<{ pin: string }> = await t.ds.query(`SELECT pin FROM person WHERE pin LIKE '9__' ORDER BY pin`);
  expect(stored.map((p) => p.pin)).toEqual(Array.from({ length: 20 }, (_, i) => String(900 + i)).filter((p) => p !== '907'));
  await panel.since();
  panel.expectAllAcknowledged();
  expect(panel.sim.table('user').map((u) => String(u.Pin)).sort()).toEqual(stored.map((p) => p.pin));
  const confirmed: Array<{ n: number }> = await t.ds.query(`SELECT count(*)::int AS n FROM sync_item WHERE kind = 'auth' AND key LIKE '9__' AND hash IS NOT NULL`);
  expect(confirmed[0].n).toBe(19);
});
