/**
 * gender takes the manual's values, "M" male and "F" female (in any case, or worded male/female, as one section of
 * the manual and CVSecurity's import templates write them); "" clears it. Anything else was stored as its first
 * letter ("X", "1", "Unknown" as "U") and given back by person/get as if taken: it is refused -400, nothing stored.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const gender = async (pin: string) => (await t.get(`/api/person/get/${pin}`)).body.data?.gender;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('M, F, male, Female and f are stored as M or F; "" clears', async () => {
  for (const [value, stored] of [['M', 'M'], ['f', 'F'], ['male', 'M'], ['Female', 'F'], ['', '']]) {
    expect((await t.post('/api/person/add', { pin: '6401', name: 'G', gender: value })).body.code, value).toBe(0);
    expect(await gender('6401'), value).toBe(stored);
  }
});

it('any other value is -400 naming the values, on person/add, addPersonnelBasicInfo and v2 addPersons, and nothing is stored', async () => {
  expect((await t.post('/api/person/add', { pin: '6402', name: 'G', gender: 'F' })).body.code).toBe(0);
  for (const value of ['X', 'U', '1', 'Unknown', 'O']) {
    expect((await t.post('/api/person/add', { pin: '6402', gender: value })).body, value).toEqual({ code: -400, message: `gender must be "M" (male) or "F" (female), got "${value}"`, data: null });
    expect((await t.post('/api/person/addPersonnelBasicInfo', { pin: '6402', gender: value })).body.code, value).toBe(-400);
    expect((await t.post('/api/v2/person/addPersons', [{ pin: '6403', name: 'New', gender: value }])).body.code, value).toBe(-400);
  }
  expect(await gender('6402')).toBe('F');
  expect((await t.get('/api/person/get/6403')).body.code).toBe(-22);
});

it('a value an earlier gateway stored, sent back unchanged (the console form, a client echoing person/get), is kept', async () => {
  expect((await t.post('/api/person/add', { pin: '6404', name: 'Legacy', gender: 'M' })).body.code).toBe(0);
  await t.ds.query(`UPDATE person SET gender = 'U' WHERE pin = '6404'`);
  expect((await t.post('/api/person/add', { pin: '6404', name: 'Legacy edited', gender: 'U' })).body.code).toBe(0);
  expect((await t.get('/api/person/get/6404')).body.data).toMatchObject({ name: 'Legacy edited', gender: 'U' });
  expect((await t.post('/api/person/add', { pin: '6404', gender: 'X' })).body.code).toBe(-400);
});
