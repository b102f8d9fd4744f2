import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { heldLevels, LEVEL_MODULES, levelsAndPersons, SUCCESS, type LevelModule } from '../accLevel/level-person-fixture';

/**
 * A list sent as one string (levelIds, pins, accLevelIds, supplyCards, deptCodes) is split at ";" as at "," (ASCII
 * or full-width): `levelIds=a;b` was taken as one id that does not exist (-24), `pins=1;2` as one pin. One parser
 * (list-separator.ts) serves every list input.
 */
let t: TestApp;
let levels: Record<LevelModule, string[]>;
const success = SUCCESS;
const MODULES = LEVEL_MODULES;

beforeAll(async () => {
  t = await startTestApp();
  levels = await levelsAndPersons(t, ['Semi A', 'Semi B'], ['400', '401']);
});
afterAll(async () => {
  await t?.close();
});

const held = (module: LevelModule, pin: string) => heldLevels(t, module, pin);
const sorted = (ids: string[]) => [...ids].sort();

describe('lists separated by ";" as by ","', () => {
  it.each(MODULES)('%s: syncPerson and deleteLevel take levelIds and pins joined by ";" (ASCII or full-width)', async (m, path) => {
    const [a, b] = levels[m];
    expect((await t.post(`/api/${path}/syncPerson`, undefined, { pin: '400;401', levelIds: `${a};${b}` })).body).toEqual(success);
    expect(sorted(await held(m, '400'))).toEqual(sorted([a, b]));
    expect(sorted(await held(m, '401'))).toEqual(sorted([a, b]));
    expect((await t.post(`/api/${path}/deleteLevel`, { pin: '400\uFF1B401', levelIds: `${a}\uFF1B${b}` })).body).toEqual(success);
    expect(await held(m, '400')).toEqual([]);
    expect(await held(m, '401')).toEqual([]);
  });

  it('person/add accLevelIds, v2/person/getPersonList pins and department getDepartmentList deptCodes', async () => {
    const [a, b] = levels.acc;
    expect((await t.post('/api/person/add', { pin: '403', name: 'Semi', accLevelIds: `${a};${b}`, supplyCards: '7770001;7770002' })).body).toEqual(success);
    const person = (await t.get('/api/v2/person/get', { pin: '403' })).body.data;
    expect(person.accLevelIds).toBe(`${a},${b}`);
    expect(person.supplyCards.split(',').sort()).toEqual(['7770001', '7770002']);
    const list = (await t.post('/api/v2/person/getPersonList', { pins: '400;403', pageNo: 1, pageSize: 10 })).body.data;
    expect(list.data.map((p: { pin: string }) => p.pin).sort()).toEqual(['400', '403']);
    expect((await t.post('/api/department/add', { code: 'S2', name: 'Semi two', parentCode: '1' })).body).toEqual(success);
    const depts = (await t.post('/api/department/getDepartmentList', undefined, { deptCodes: '1;S2', pageNo: 1, pageSize: 10 })).body.data;
    expect(depts.data.map((d: { code: string }) => d.code).sort()).toEqual(['1', 'S2']);
  });
});
