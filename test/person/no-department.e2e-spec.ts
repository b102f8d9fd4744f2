/**
 * A person added without deptCode goes to department 1, else the first department. With every department deleted
 * (an HR sync that mirrors its own tree and removed the seeded one) there is none to put them in: the answer says
 * so, rather than "The department number does not exist" about a deptCode the client never sent.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('person/add, addPersonnelBasicInfo and v2 addPersons without deptCode, no department left: -13 saying why, nothing stored', async () => {
  expect((await t.delete('/api/department/delete/1')).body).toEqual({ code: 0, message: 'success', data: null });
  const why = {
    code: -13,
    message: 'The department number does not exist: no deptCode was given and there is no department to put the person in (add one with department/add)',
    data: null,
  };
  expect((await t.post('/api/person/add', { pin: '7001', name: 'No Dept' })).body).toEqual(why);
  expect((await t.post('/api/person/addPersonnelBasicInfo', { pin: '7001', name: 'No Dept' })).body).toEqual(why);
  expect((await t.post('/api/v2/person/addPersons', [{ pin: '7001', name: 'No Dept' }])).body).toEqual(why);
  expect((await t.get('/api/person/get/7001')).body.code).toBe(-22);
  // A department added again takes them.
  expect((await t.post('/api/department/add', { code: 'HR1', name: 'Staff' })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '7001', name: 'No Dept' })).body.code).toBe(0);
  expect((await t.get('/api/person/get/7001')).body.data).toMatchObject({ pin: '7001', deptCode: 'HR1', deptName: 'Staff' });
});
