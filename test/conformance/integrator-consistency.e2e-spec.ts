/**
 * One value, one answer, whichever way an integrator sends it: a paging value too long to be a page, a path
 * parameter with blanks around it, a plate written with dashes. Each case here once answered differently from
 * the same value in another form or field (see the comments).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const success = { code: 0, message: 'success', data: null };

beforeAll(async () => {
  t = await startTestApp();
  expect((await t.post('/api/department/add', { code: 'N3', name: 'North 3' })).body).toEqual(success);
});
afterAll(async () => {
  await t?.close();
});

describe('a paging value of 17 digits is -90 naming the field, as one of 16 digits beyond 2^53 is', () => {
  // Before, the length bound (16 characters) answered first: -400 "pageSize must be shorter than or equal to 16 characters".
  const big = '12345678901234567';
  const detail = (field: string, sent = big) => `${field} must be a whole number from 1 (got "${sent}")`;
  it.each([
    ['GET transaction/list pageSize', () => t.get('/api/transaction/list', { pageNo: 1, pageSize: big }), detail('pageSize')],
    ['GET transaction/list pageNo', () => t.get('/api/transaction/list', { pageNo: big, pageSize: 10 }), detail('pageNo')],
    ['POST v2/person/getPersonList pageSize', () => t.post('/api/v2/person/getPersonList', { pageNo: 1, pageSize: big }), detail('pageSize')],
    // A JSON number of 17 digits reaches the gateway as the double nearest it.
    ['POST person/getPersonList pageNo as a JSON number', () => t.post('/api/person/getPersonList', { pageNo: Number(big), pageSize: 10 }), detail('pageNo', String(Number(big)))],
    ['GET area/list pageNo', () => t.get('/api/area/list', { pageNo: big, pageSize: 10 }), detail('pageNo')],
  ])('%s', async (_name, call, expected) => {
    const res = await call();
    expect(res.body).toMatchObject({ code: -90, data: null });
    expect(res.body.message).toMatch(/^PageNo or pageSize cannot be set less than or equal to 0: /);
    expect(res.body.message).toContain(expected);
  });

  it('2.18.10 `page` (the parameter table\'s name) fails in its ret/msg envelope with the same text', async () => {
    const res = await t.post('/api/transaction/getDoorTransactions', { page: big, pageSize: 10 });
    expect(res.body).toEqual({ ret: 'fail', msg: expect.stringContaining(detail('page')), data: null, i18nArgs: null });
    expect(res.body.msg).toMatch(/^PageNo or pageSize cannot be set less than or equal to 0: /);
  });
});

describe('a path parameter is trimmed, as the same value in a query or a body is', () => {
  it('department/get/%20N3%20 finds N3 (it answered -13 "does not exist:  N3 ")', async () => {
    const expected = { code: 0, message: 'success', data: { code: 'N3', name: 'North 3', parentCode: null } };
    expect((await t.get('/api/department/get/%20N3%20')).body).toEqual(expected);
    expect((await t.get('/api/v2/department/get', { code: ' N3 ' })).body).toEqual(expected);
    expect((await t.get('/api/department/get/N3')).body).toEqual(expected);
  });

  it('a blank path parameter is no department code: -10, as the same blank in the query form', async () => {
    expect((await t.get('/api/department/get/%20%20')).body).toMatchObject({ code: -10, data: null });
    expect((await t.get('/api/v2/department/get', { code: '  ' })).body).toMatchObject({ code: -10, data: null });
  });
});

describe('-223 says what a plate may be, and the rule takes what it says', () => {
  it('a plate with dashes, spaces or a middle dot is stored; "AB#12" is refused with a message that allows those separators', async () => {
    for (const carNumber of ['AB-123-CD', 'ab 123 cd', '粤B·12345']) {
      expect((await t.post('/api/parkAuthorize/addBlackWhite', { type: 1, carNumber })).body, carNumber).toEqual(success);
    }
    const res = await t.post('/api/parkAuthorize/addBlackWhite', { type: 1, carNumber: 'AB#12' });
    // Before: "carNumber must be 2 to 15 letters or digits", which the accepted AB-123-CD is not.
    expect(res.body).toEqual({
      code: -223,
      message: 'Car license plate is incorrect: carNumber must be 2 to 15 letters or digits (spaces, dashes, dots and underscores between them are allowed), at most 20 characters in all',
      data: null,
    });
    // The dashed plate was stored under its own spelling and is found again by another one.
    expect((await t.post('/api/parkAuthorize/delBlackWhite', { carNumber: 'ab123cd' })).body).toEqual(success);
  });
});

describe('syncLevel takes its level id under `levelIds` too, the name the manual gives it in every other level call', () => {
  // Before, `levelIds` was dropped as an unknown field and the call answered -43 "Access level id can't be null".
  it('accLevel/syncLevel?levelIds= syncs the level it names, and names an unknown one', async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Sync gate' }] })).body).toEqual(success);
    const level = (await t.get('/api/v2/accLevel/getByName/Sync%20gate')).body.data as { id: string };
    expect(level.id).toMatch(/^[0-9a-f]{32}$/);
    // Nobody holds it: the manual's -25, naming the level read from `levelIds`; with a member, success.
    const nobody = { code: -25, message: `No person under the access level: ${level.id}`, data: null };
    expect((await t.post('/api/accLevel/syncLevel', null, { levelIds: level.id })).body).toEqual(nobody);
    expect((await t.post('/api/person/add', { pin: '8801', name: 'Sync', accLevelIds: level.id })).body).toEqual(success);
    expect((await t.post('/api/accLevel/syncLevel', null, { levelIds: level.id })).body).toEqual(success);
    expect((await t.post('/api/accLevel/syncLevel', { levelIds: level.id })).body).toEqual(success);
    expect((await t.post('/api/accLevel/syncLevel', null, { levelIds: 'nope' })).body).toMatchObject({ code: -24, message: expect.stringContaining('nope') });
  });

  it.each(['eleLevel', 'psgLevel'])('%s/syncLevel?levelIds= reads the id', async (module) => {
    expect((await t.post(`/api/${module}/syncLevel`, null, { levelIds: 'nope' })).body).toMatchObject({ code: -24, message: expect.stringContaining('nope') });
  });

  it('levelId wins when both come', async () => {
    expect((await t.post('/api/accLevel/syncLevel', null, { levelId: 'first', levelIds: 'second' })).body).toMatchObject({ code: -24, message: expect.stringContaining('first') });
  });
});
