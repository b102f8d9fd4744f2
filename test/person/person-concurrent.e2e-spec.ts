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

it('concurrent person/add mixing new persons with cards, a card already held, one pin twice, an edit and an unknown level: each answers for itself', async () => {
  const level = await levelId(t, 'Together');
  expect((await t.post('/api/person/add', { pin: '950', name: 'Holder', cardNo: '77950', accLevelIds: level })).body.code).toBe(0);
  const writes: Array<Record<string, unknown>> = [
    ...Array.from({ length: 12 }, (_, i) => ({ pin: String(960 + i), name: `N${i}`, cardNo: String(77960 + i), accLevelIds: level })),
    { pin: '980', name: 'Taken', cardNo: '77950', accLevelIds: level },
    { pin: '981', name: 'Twice-a', accLevelIds: level },
    { pin: '981', name: 'Twice-b', accLevelIds: level },
    { pin: '950', name: 'Holder-edited', cardNo: '77950' },
    { pin: '982', name: 'NoLevel', accLevelIds: 'f'.repeat(32) },
  ];
  const codes = (await Promise.all(writes.map((w) => t.post('/api/person/add', w)))).map((a) => a.body.code);
  expect(codes).toEqual([...Array(12).fill(0), -23, 0, 0, 0, -24]);
  const stored: Array<{ pin: string; name: string; card_no: string | null }> = await t.ds.query(`SELECT pin, name, card_no FROM person WHERE pin LIKE '9__' AND pin >= '950' ORDER BY pin`);
  expect(stored.map((p) => p.pin)).toEqual(['950', ...Array.from({ length: 12 }, (_, i) => String(960 + i)), '981']);
  expect(stored.find((p) => p.pin === '950')).toMatchObject({ name: 'Holder-edited', card_no: '77950' });
  expect(['Twice-a', 'Twice-b']).toContain(stored.find((p) => p.pin === '981')?.name);
  const cards: Array<{ card_no: string; pin: string }> = await t.ds.query(`SELECT c.card_no, p.pin FROM card c JOIN person p ON p.id = c.person_id WHERE p.pin >= '950' AND p.pin LIKE '9__' ORDER BY c.card_no`);
  expect(cards).toEqual([{ card_no: '77950', pin: '950' }, ...Array.from({ length: 12 }, (_, i) => ({ card_no: String(77960 + i), pin: String(960 + i) }))]);
  await panel.since();
  panel.expectAllAcknowledged();
  const users = new Map(panel.sim.table('user').map((u) => [String(u.Pin), u]));
  for (const p of stored) {
    expect(users.get(p.pin)?.Name).toBe(p.name);
    expect(String(users.get(p.pin)?.CardNo ?? '')).toBe(p.card_no ?? '');
  }
});
