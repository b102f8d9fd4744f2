/**
 * A bioTemplate delete that names the person and no finger. The manual's 2.25.2 needs templateNo; later releases
 * serve `bioTemplate/delete/{pin}` ("Delete Bio Template by Personnel ID"), which real clients call to clear a
 * person's templates, and the query forms were answered -33 for a call that only said whose templates. Without
 * templateNo every template of the person goes (of bioType when given), as 2.25.3; with one, that finger.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const T = Buffer.from('a finger template').toString('base64');
const success = { code: 0, message: 'success', data: null };

const stored = async (): Promise<string[]> =>
  (
    await t.ds.query(`SELECT b.bio_type, b.template_no FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = '6201' ORDER BY 1, 2`)
  ).map((r: { bio_type: number; template_no: number }) => `${r.bio_type}:${r.template_no}`);

beforeAll(async () => {
  t = await startTestApp();
  expect((await t.post('/api/person/add', { pin: '6201', name: 'Bio' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.delete('/api/bioTemplate/deleteByPin/6201');
  for (const no of ['1', '2']) expect((await t.post('/api/bioTemplate/add', { personId: '6201', validType: '1', template: T, templateNo: no })).body).toEqual(success);
  expect((await t.post('/api/bioTemplate/add', { personId: '6201', validType: '1', template: T, templateNo: '0', bioType: '9' })).body).toEqual(success);
  expect(await stored()).toEqual(['1:1', '1:2', '9:0']);
});

it('DELETE and POST bioTemplate/delete/{pin} (later releases, real clients): every template of the person', async () => {
  expect((await t.delete('/api/bioTemplate/delete/6201')).body).toEqual(success);
  expect(await stored()).toEqual([]);
  expect((await t.post('/api/bioTemplate/delete/6201')).body).toEqual(success);
  expect((await t.post('/api/bioTemplate/delete/nobody')).body.code).toBe(-22);
});

it('the query forms (v1 and v2) with only pin: every template; with bioType: only that type; a bad bioType is -400', async () => {
  expect((await t.post('/api/v2/bioTemplate/delete', undefined, { pin: '6201', bioType: '1' })).body).toEqual(success);
  expect(await stored()).toEqual(['9:0']);
  expect((await t.post('/api/bioTemplate/delete', { pin: '6201', bioType: '11' })).body.code).toBe(-400);
  expect(await stored()).toEqual(['9:0']);
  expect((await t.delete('/api/bioTemplate/delete', { pin: '6201' })).body).toEqual(success);
  expect(await stored()).toEqual([]);
});

it('with a templateNo it is still that finger only, and its codes: -33 out of range, -34 none there', async () => {
  expect((await t.delete('/api/bioTemplate/delete/6201', { templateNo: '2' })).body).toEqual(success);
  expect(await stored()).toEqual(['1:1', '9:0']);
  expect((await t.post('/api/bioTemplate/delete', undefined, { pin: '6201', templateNo: '2' })).body.code).toBe(-34);
  expect((await t.post('/api/v2/bioTemplate/delete', { pin: '6201', templateNo: 12 })).body.code).toBe(-33);
  expect(await stored()).toEqual(['1:1', '9:0']);
});
