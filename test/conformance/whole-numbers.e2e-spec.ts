/**
 * One rule for every integer input, whatever field or form carries it: a whole number is read as such when written
 * "14", 14, "14.0" or 14.0 (Python's str() and .NET's formatting of a float write "14.0"); a string with a
 * fraction, "29.9", is refused with the field's code, as CVSecurity (Jackson, Spring) refuses it; a JSON number with
 * a fraction, 29.9, is truncated to 29 as CVSecurity's JSON reader does (ACCEPT_FLOAT_AS_INT). Before, perDevAuth
 * "14.0" was refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

let t: TestApp;
const success = { code: 0, message: 'success', data: null };
const attPerson = async () => (await t.get('/api/gateway/attendance/persons/6301')).body.data as { perDevAuth: number; verifyMode: number | null };

beforeAll(async () => {
  t = await startTestApp();
  expect((await t.post('/api/person/add', { pin: '6301', name: 'Numbers' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

it('editAttPerson: perDevAuth and verifyMode "14.0", 14.0 and "15.0" are those numbers; "29.9" is refused and changes nothing; a JSON 29.9 is 29, as CVSecurity reads it', async () => {
  expect((await t.post('/api/attPerson/editAttPerson', { personPin: '6301', perDevAuth: '14.0', verifyMode: '15.0' })).body).toEqual(success);
  expect(await attPerson()).toMatchObject({ perDevAuth: 14, verifyMode: 15 });
  expect((await t.post('/api/attPerson/editAttPerson', { personPin: '6301', perDevAuth: 6.0, verifyMode: 1.0 })).body).toEqual(success);
  expect(await attPerson()).toMatchObject({ perDevAuth: 6, verifyMode: 1 });
  const res = await t.post('/api/attPerson/editAttPerson', { personPin: '6301', verifyMode: '29.9' });
  expect(res.body).toMatchObject({ code: -400, message: expect.stringContaining('verifyMode'), data: null });
  expect((await t.post('/api/attPerson/editAttPerson', { personPin: '6301', perDevAuth: '14.5' })).body.code).toBe(-400);
  expect(await attPerson()).toMatchObject({ perDevAuth: 6, verifyMode: 1 });
  expect((await t.post('/api/attPerson/editAttPerson', { personPin: '6301', perDevAuth: 6.7, verifyMode: 1.2 })).body).toEqual(success);
  expect(await attPerson()).toMatchObject({ perDevAuth: 6, verifyMode: 1 });
  expect((await t.post('/api/attPerson/editAttPerson', { personPin: '6301', verifyMode: 29.9 })).body).toEqual(success);
  expect(await attPerson()).toMatchObject({ perDevAuth: 6, verifyMode: 29 });
  expect((await t.post('/api/attPerson/editAttPerson', { personPin: '6301', verifyMode: 1 })).body).toEqual(success);
  // A form reads the same way.
  const form = await t.request('POST', '/api/attPerson/editAttPerson', {
    query: { access_token: TEST_TOKEN },
    body: 'personPin=6301&perDevAuth=14.0&verifyMode=29.9',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(form.body.code).toBe(-400);
  expect(await attPerson()).toMatchObject({ perDevAuth: 6, verifyMode: 1 });
});

it('finger numbers and paging follow the same rule', async () => {
  const T = Buffer.from('template').toString('base64');
  expect((await t.post('/api/bioTemplate/add', { personId: '6301', validType: '1', template: T, templateNo: '3.0' })).body).toEqual(success);
  expect((await t.get('/api/bioTemplate/getFgListByPin/6301')).body.data.map((r: { templateNo: string }) => r.templateNo)).toEqual(['3']);
  expect((await t.post('/api/bioTemplate/add', { personId: '6301', validType: '1', template: T, templateNo: 4.5 })).body.code).toBe(-33);
  expect((await t.get('/api/v2/person/getPersonList', { pageNo: '1.0', pageSize: '10.0' })).body.data).toMatchObject({ page: 0, size: 10 });
  expect((await t.get('/api/v2/person/getPersonList', { pageNo: '1.5', pageSize: '10' })).body.code).toBe(-90);
});
