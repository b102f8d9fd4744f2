/**
 * "0412" and "412" are one user on a device that keeps numeric PINs (StringPinFunOn off): given to two persons,
 * the panel held one user for both, the second write replacing the first one's name and rights and a delete of
 * either removing both. A new digit pin that stands for the number of another person's pin is refused (-29); a
 * pin with letters is kept as written, as string-PIN devices keep it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
});
afterAll(async () => {
  await t?.close();
});

const pins = async (like: string): Promise<string[]> =>
  ((await t.ds.query(`SELECT pin FROM person WHERE pin LIKE $1 ORDER BY pin`, [like])) as Array<{ pin: string }>).map((r) => r.pin);

it('a digit pin with or without leading zeros is one person: person/add and addPersonnelBasicInfo refuse the twin, the stored one is edited as before', async () => {
  expect((await t.post('/api/person/add', { pin: '412', name: 'First' })).body).toEqual({ code: 0, message: 'success', data: null });
  for (const [path, pin] of [['/api/person/add', '0412'], ['/api/person/addPersonnelBasicInfo', '00412']] as const) {
    const r = await t.post(path, { pin, name: 'Second' });
    expect(r.body).toMatchObject({ code: -29, data: null });
    expect(r.body.message).toContain('412');
  }
  expect((await t.get('/api/person/get/0412')).body).toMatchObject({ code: -22 });
  expect((await t.get('/api/person/get/412')).body).toMatchObject({ code: 0, data: { pin: '412', name: 'First' } });
  // The stored person is still edited by its own pin.
  expect((await t.post('/api/person/add', { pin: '412', name: 'Renamed' })).body.code).toBe(0);
  // The other way round: "0413" stored first, "413" refused.
  expect((await t.post('/api/person/add', { pin: '0413', name: 'Zero' })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '413' })).body).toMatchObject({ code: -29 });
  expect(await pins('%41_')).toEqual(['0413', '412']);
  // Pins with letters are strings on the devices that take them: A01 and A1 are two persons.
  expect((await t.post('/api/person/add', { pin: 'A01' })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: 'A1' })).body.code).toBe(0);
});

it('a resigned person keeps the number: a twin of their pin is refused too', async () => {
  expect((await t.post('/api/person/add', { pin: '520' })).body.code).toBe(0);
  expect((await t.post('/api/person/leave', { pin: '520', leaveDate: '2026-01-01', leaveType: '1' })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '0520' })).body).toMatchObject({ code: -29 });
});

it('twins in one v2 addPersons batch: all or nothing, nothing stored', async () => {
  const r = await t.post('/api/v2/person/addPersons', [{ pin: '0600', name: 'A' }, { pin: '600', name: 'B' }]);
  expect(r.body).toMatchObject({ code: -29 });
  expect(await pins('%600')).toEqual([]);
});

it('twins added at once by concurrent writers: one is stored, the other refused', async () => {
  for (let round = 0; round < 3; round++) {
    const n = String(700 + round);
    const answers = await Promise.all([t.post('/api/person/add', { pin: n }), t.post('/api/person/add', { pin: `0${n}` }), t.post('/api/person/add', { pin: `00${n}` })]);
    expect(answers.map((a) => a.body.code).sort()).toEqual([-29, -29, 0]);
    expect(await pins(`%${n}`)).toHaveLength(1);
  }
});
