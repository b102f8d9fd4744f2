/**
 * gender takes the manual's values; a gender that is not known (blank, null, "U", "Unknown", "N/A", ISO 5218 "0"/"9")
 * is stored as none, as CVSecurity keeps it, so an HR system is not locked out. Before:
 * gender takes the manual's values, "M" male and "F" female (in any case, or worded male/female, as one section of
 * the manual and CVSecurity's import templates write them); "" clears it. Anything else was stored as its first
 * letter ("X", "1", "Unknown" as "U") and given back by person/get as if taken: it is refused -400, nothing stored.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

let t: TestApp;
const gender = async (pin: string) => (await t.get(`/api/person/get/${pin}`)).body.data?.gender;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('M, F, male, Female, m and f are stored as M or F; "" and the unknown words clear; null leaves it as stored (a JSON null is no value)', async () => {
  for (const [value, stored] of [['M', 'M'], ['f', 'F'], ['male', 'M'], ['Female', 'F'], ['', ''], ['m', 'M'], [null, 'M'], ['F', 'F'], ['U', ''], ['M', 'M'], ['unknown', ''], ['F', 'F'], ['0', ''], ['M', 'M'], ['N/A', ''], ['F', 'F'], ['9', '']] as const) {
    expect((await t.post('/api/person/add', { pin: '6401', name: 'G', gender: value })).body.code, String(value)).toBe(0);
    expect(await gender('6401'), String(value)).toBe(stored);
  }
});

it('any other value is -400 naming the values, on person/add, addPersonnelBasicInfo and v2 addPersons, and nothing is stored', async () => {
  expect((await t.post('/api/person/add', { pin: '6402', name: 'G', gender: 'F' })).body.code).toBe(0);
  for (const value of ['X', '1', '2', 'O']) {
    expect((await t.post('/api/person/add', { pin: '6402', gender: value })).body, value).toEqual({ code: -400, message: `gender must be "M" (male), "F" (female) or "" (not known: "U" too), got "${value}"`, data: null });
    expect((await t.post('/api/person/addPersonnelBasicInfo', { pin: '6402', gender: value })).body.code, value).toBe(-400);
    expect((await t.post('/api/v2/person/addPersons', [{ pin: '6403', name: 'New', gender: value }])).body.code, value).toBe(-400);
  }
  expect(await gender('6402')).toBe('F');
  expect((await t.get('/api/person/get/6403')).body.code).toBe(-22);
});

it('a value an earlier gateway stored, sent back unchanged (the console form, a client echoing person/get), is kept', async () => {
  expect((await t.post('/api/person/add', { pin: '6404', name: 'Legacy', gender: 'M' })).body.code).toBe(0);
  await t.ds.query(`UPDATE person SET gender = 'X' WHERE pin = '6404'`);
  expect((await t.post('/api/person/add', { pin: '6404', name: 'Legacy edited', gender: 'X' })).body.code).toBe(0);
  expect((await t.get('/api/person/get/6404')).body.data).toMatchObject({ name: 'Legacy edited', gender: 'X' });
  expect((await t.post('/api/person/add', { pin: '6404', gender: 'O' })).body.code).toBe(-400);
});

it('an HR system with unknown genders is taken: a form body, v2 addPersons and addPersonnelBasicInfo store no gender', async () => {
  const form = await t.request('POST', '/api/person/add', { query: { access_token: TEST_TOKEN }, body: 'pin=6405&name=Form&gender=U', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(form.body).toEqual({ code: 0, message: 'success', data: null });
  expect((await t.post('/api/v2/person/addPersons', [{ pin: '6406', name: 'Batch', gender: 'Unknown' }, { pin: '6407', name: 'Batch', gender: null }])).body.code).toBe(0);
  expect((await t.post('/api/person/addPersonnelBasicInfo', { pin: '6408', name: 'Basic', gender: '0' })).body.code).toBe(0);
  for (const pin of ['6405', '6406', '6407', '6408']) expect(await gender(pin), pin).toBe('');
});
