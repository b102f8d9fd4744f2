/**
 * A person added without deptCode goes to department 1, the default one, which cannot be deleted (-15, as the
 * root department in CVSecurity), nor can a department with persons or sub-departments. A database without it
 * (gateways before that rule let an HR sync that mirrors its own tree delete it) puts them in the first
 * department; with none at all there is none to put them in: the answer says so, rather than "The department
 * number does not exist" about a deptCode the client never sent.
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

it('department 1, the default, cannot be deleted by any delete form: -15, and persons without deptCode still go to it', async () => {
  const refused = { code: -15, message: 'Cannot delete department: 1 is the default department, where persons added without deptCode go', data: null };
  expect((await t.delete('/api/department/delete/1')).body).toEqual(refused);
  expect((await t.post('/api/department/delete/1')).body).toEqual(refused);
  expect((await t.post('/api/v2/department/delete', undefined, { code: '1' })).body).toEqual(refused);
  expect((await t.get('/api/v2/department/get', { code: '1' })).body.data).toMatchObject({ code: '1', name: 'Department Name' });
  // A department with a sub-department, then one with a person: -15 each; empty, it goes.
  expect((await t.post('/api/department/add', { code: 'ND1', name: 'Parent' })).body.code).toBe(0);
  expect((await t.post('/api/department/add', { code: 'ND2', name: 'Child', parentCode: 'ND1' })).body.code).toBe(0);
  expect((await t.delete('/api/department/delete/ND1')).body).toEqual({ code: -15, message: 'Cannot delete department: it has sub-departments', data: null });
  expect((await t.post('/api/person/add', { pin: '7000', name: 'In Child', deptCode: 'ND2' })).body.code).toBe(0);
  expect((await t.delete('/api/department/delete/ND2')).body).toEqual({ code: -15, message: 'Cannot delete department: it has persons', data: null });
  expect((await t.post('/api/person/delete/7000')).body.code).toBe(0);
  expect((await t.delete('/api/department/delete/ND2')).body.code).toBe(0);
  expect((await t.delete('/api/department/delete/ND1')).body.code).toBe(0);
  // Persons who left do not hold a department (CVSecurity moves them out of the personnel list): it goes, they
  // wait in the default one, and reinstatement names their department again.
  expect((await t.post('/api/department/add', { code: 'ND3', name: 'Offboarded' })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '7003', name: 'Gone', deptCode: 'ND3' })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '7004', name: 'Staying', deptCode: 'ND3' })).body.code).toBe(0);
  expect((await t.post('/api/person/leave', { pin: '7003', leaveDate: '2026-06-10', leaveType: '1' })).body.code).toBe(0);
  expect((await t.delete('/api/department/delete/ND3')).body).toEqual({ code: -15, message: 'Cannot delete department: it has persons', data: null });
  expect((await t.post('/api/person/leave', { pin: '7004', leaveDate: '2026-06-10', leaveType: '1' })).body.code).toBe(0);
  expect((await t.delete('/api/department/delete/ND3')).body.code).toBe(0);
  expect((await t.get('/api/v2/department/get', { code: 'ND3' })).body.code).toBe(-13);
  expect((await t.post('/api/department/add', { code: 'ND4', name: 'New Team' })).body.code).toBe(0);
  expect((await t.post('/api/person/reinstated', { pin: '7003', name: 'Gone', deptCode: 'ND4' })).body.code).toBe(0);
  expect((await t.get('/api/person/get/7003')).body.data).toMatchObject({ pin: '7003', deptCode: 'ND4', deptName: 'New Team' });
  expect((await t.post('/api/person/delete/7003')).body.code).toBe(0);
  expect((await t.post('/api/person/delete/7004')).body.code).toBe(0);
  expect((await t.delete('/api/department/delete/ND4')).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '7002', name: 'Default' })).body.code).toBe(0);
  expect((await t.get('/api/person/get/7002')).body.data).toMatchObject({ deptCode: '1' });
  expect((await t.post('/api/person/delete/7002')).body.code).toBe(0);
});

it('person/add, addPersonnelBasicInfo and v2 addPersons without deptCode, no department left: -13 saying why, nothing stored', async () => {
  // Only a database an older gateway let lose department 1 gets here.
  await t.ds.query(`DELETE FROM department WHERE code = '1'`);
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
