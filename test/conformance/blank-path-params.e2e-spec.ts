import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * An endpoint whose path parameter is left out (`department/get/`, a client building the URL from an empty
 * variable) or blank (`%20`) answers the appendix code its query or body form answers for the same missing value:
 * v2/department/get without a code is -10, attAreaPerson/set without an area code -83, a level id left out -43.
 * Before, the path forms answered the generic -400 ("code is required") when left out, and "does not exist"
 * (-13, -80, -24) when blank.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const DEPT = { code: -10, message: 'The department number or name cannot be empty' };
const AREA = { code: -83, message: "Area ID can't be null" };
const LEVEL = { code: -43, message: "Access level id can't be null" };

/** [method, path, the manual's answer] */
const CASES: Array<[string, string, { code: number; message: string }]> = [
  ['GET', '/api/department/get/', DEPT],
  ['GET', '/api/department/get/%20', DEPT],
  ['POST', '/api/department/delete/', DEPT],
  ['DELETE', '/api/department/delete/', DEPT],
  ['DELETE', '/api/department/delete/%20', DEPT],
  ['GET', '/api/attAreaPerson/area/get/', AREA],
  ['GET', '/api/area/get/%20', AREA],
  ['GET', '/api/accLevel/getById/', LEVEL],
  ['GET', '/api/v2/accLevel/getById/', LEVEL],
  ['GET', '/api/eleLevel/getById/', LEVEL],
  ['GET', '/api/v2/eleLevel/getById/', LEVEL],
  ['GET', '/api/psgLevel/getById/', LEVEL],
  ['PUT', '/api/accLevel/update/', LEVEL],
  ['POST', '/api/accLevel/update/%20', LEVEL],
];

describe('a path parameter left out or blank answers the manual code of the same value missing', () => {
  it.each(CASES)('%s %s', async (method, path, answer) => {
    const r = await t.request(method, path, { query: { access_token: t.config.apiToken } });
    expect(r.status, r.text).toBe(200);
    expect(r.body, r.text).toEqual({ ...answer, data: null });
  });

  it('the query and body forms of the same endpoints agree', async () => {
    const byQuery = await t.get('/api/department/get', { code: '' });
    expect(byQuery.body.code, byQuery.text).toBe(DEPT.code);
    const v2 = await t.get('/api/v2/department/get', { code: '' });
    expect(v2.body.code, v2.text).toBe(DEPT.code);
    const blankBody = await t.request('POST', '/api/department/delete/', { query: { access_token: t.config.apiToken }, body: JSON.stringify({ code: ' ' }), headers: { 'content-type': 'application/json' } });
    expect(blankBody.body.code, blankBody.text).toBe(DEPT.code);
    const areaSet = await t.post('/api/attAreaPerson/set', { pins: ['1'] });
    expect(areaSet.body.code, areaSet.text).toBe(AREA.code);
  });

  it('a value given still reads, or is unknown as before', async () => {
    const dept = await t.post('/api/department/add', { code: 'BP1', name: 'Blank path' });
    expect(dept.body.code, dept.text).toBe(0);
    expect((await t.get('/api/department/get/BP1')).body.data.code).toBe('BP1');
    expect((await t.get('/api/department/get/%20BP1%20')).body.data?.code).toBe('BP1');
    expect((await t.get('/api/department/get/nope')).body.code).toBe(-13);
    expect((await t.get('/api/attAreaPerson/area/get/nope')).body.code).toBe(-80);
    expect((await t.get('/api/eleLevel/getById/402856aa6c3bbde1016c3bc2329200ff')).body.code).toBe(-24);
    // A path parameter no appendix code names keeps the generic answer.
    expect((await t.get('/api/transaction/getById/')).body.code).toBe(-400);
    // The pin and SN keep theirs.
    expect((await t.get('/api/person/get/')).body.code).toBe(-20);
  });
});
