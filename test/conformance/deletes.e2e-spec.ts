import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { buildFixture, type Fixture } from './conformance-support';
import { buildElevatorPassageFixture, type ElevatorPassageFixture } from './elevator-passage-fixture';

/**
 * A delete naming something that does not exist (an unknown pin, level, department, media, plate, reservation,
 * reader) answers the manual's code and changes nothing; the state is read again afterwards, so a delete that failed
 * yet removed something fails here too. Taking from an existing person what they do not hold (a level, their
 * templates, an area membership) is no failure: the person is as asked, and an integrator that sends the revoke
 * again after a lost answer (the common retry) must read success, not -41/-34/-22 (the manual gives these codes no such meaning).
 */
let t: TestApp;
let f: Fixture;
let ep: ElevatorPassageFixture;
let otherLevel: string;
const none = 'f'.repeat(32);
const success = { code: 0, message: 'success', data: null };

beforeAll(async () => {
  t = await startTestApp();
  f = await buildFixture(t);
  ep = await buildElevatorPassageFixture(t, f.pin);
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Not held', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
  otherLevel = (await t.get('/api/accLevel/getByName/Not held')).body.data.id;
  // A person with no level, no template and in no area.
  expect((await t.post('/api/person/add', { pin: '300', name: 'Bare', deptCode: '1' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

const q = (query: Record<string, unknown> = {}) => ({ access_token: t.config.apiToken, ...query });
const del = (path: string, query: Record<string, unknown> = {}) => t.request('DELETE', path, { query: q(query) });
const accLevels = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body.data.accLevelIds as string;
const memberships = async (table: string, pin: string): Promise<string[]> =>
  (await t.ds.query(`SELECT x.level_id FROM ${table} x JOIN person p ON p.id = x.person_id WHERE p.pin = $1 ORDER BY 1`, [pin])).map((r: { level_id: string }) => r.level_id);
const areaMembers = async (module: string): Promise<string[]> =>
  (await t.ds.query(`SELECT p.pin FROM att_area_person a JOIN person p ON p.id = a.person_id WHERE a.module = $1 ORDER BY 1`, [module])).map((r: { pin: string }) => r.pin);

function expectFailure(res: HttpResult, code: number, lead: string): void {
  expect(res.body, res.text.slice(0, 300)).toMatchObject({ code, data: null });
  expect(res.body.message.startsWith(lead), res.body.message).toBe(true);
}

describe('accLevel/deleteLevel (2.1.1) and its elevator and entrance-control twins (2.2.1, 2.32.1)', () => {
  it('a level the person does not hold: success (nothing to take), the levels held stay', async () => {
    const before = await accLevels(f.pin);
    expect(before).toContain(f.levelId);
    expect((await t.post('/api/accLevel/deleteLevel', undefined, { pin: f.pin, levelIds: otherLevel })).body).toEqual(success);
    expect(await accLevels(f.pin)).toBe(before);
    // The same from the body, as some clients send it.
    expect((await t.post('/api/accLevel/deleteLevel', { pin: f.pin, levelIds: otherLevel })).body).toEqual(success);
    // A person with no level at all.
    expect((await t.post('/api/accLevel/deleteLevel', undefined, { pin: '300', levelIds: f.levelId })).body).toEqual(success);
    expect(await accLevels('300')).toBe('');
  });

  it('only levelIds (no pin): -42, and nothing is removed from anyone; the level itself stays', async () => {
    expectFailure(await t.post('/api/accLevel/deleteLevel', undefined, { levelIds: f.levelId }), -42, 'Personnel ID or access level id is null');
    expectFailure(await t.post('/api/accLevel/deleteLevel', { levelIds: [f.levelId] }), -42, 'Personnel ID or access level id is null');
    expect(await accLevels(f.pin)).toContain(f.levelId);
    expect((await t.get(`/api/accLevel/getById/${f.levelId}`)).body.code).toBe(0);
  });

  it('an unknown level among held ones: -24, and the held one stays (the list is refused whole)', async () => {
    expectFailure(await t.post('/api/accLevel/deleteLevel', undefined, { pin: f.pin, levelIds: `${f.levelId},${none}` }), -24, 'The level group does not exist');
    expect(await accLevels(f.pin)).toContain(f.levelId);
  });

  it('a held level with one not held: the held one goes; the same call again (a retry after a lost answer) is success too', async () => {
    expect((await t.post('/api/accLevel/addLevelPerson', undefined, { pin: '300', levelIds: f.levelId })).body.code).toBe(0);
    expect(await accLevels('300')).toBe(f.levelId);
    expect((await t.post('/api/accLevel/deleteLevel', undefined, { pin: '300', levelIds: `${f.levelId},${otherLevel}` })).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await accLevels('300')).toBe('');
    expect((await t.post('/api/accLevel/deleteLevel', undefined, { pin: '300', levelIds: `${f.levelId},${otherLevel}` })).body).toEqual(success);
    expect(await accLevels('300')).toBe('');
  });

  it.each([
    ['eleLevel', 'ele_level_person', () => ep.eleLevelId],
    ['psgLevel', 'psg_level_person', () => ep.psgLevelId],
  ])('%s/deleteLevel: success for a person who does not hold it, -22 for an unknown pin, -24 for an unknown level; a removal, then the retry is success', async (module, table, levelId) => {
    expect((await t.post(`/api/${module}/deleteLevel`, undefined, { pin: '300', levelIds: levelId() })).body).toEqual(success);
    expect(await memberships(table, '300')).toEqual([]);
    expectFailure(await t.post(`/api/${module}/deleteLevel`, undefined, { pin: 'nobody', levelIds: levelId() }), -22, 'The person does not exist');
    expectFailure(await t.post(`/api/${module}/deleteLevel`, undefined, { pin: f.pin, levelIds: none }), -24, 'The level group does not exist');
    expect(await memberships(table, f.pin)).toEqual([levelId()]);
    expect((await t.post(`/api/${module}/deleteLevel`, undefined, { pin: f.pin, levelIds: levelId() })).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await memberships(table, f.pin)).toEqual([]);
    expect((await t.post(`/api/${module}/deleteLevel`, undefined, { pin: f.pin, levelIds: levelId() })).body).toEqual(success);
    expect(await memberships(table, f.pin)).toEqual([]);
  });
});

describe('the other deletes', () => {
  it('person/delete (2.13.2) and v2/person/delete: an unknown pin is -22; deleted once, the second delete is -22', async () => {
    expect((await t.post('/api/person/add', { pin: '301', name: 'Gone' })).body.code).toBe(0);
    expectFailure(await del('/api/person/delete/nobody'), -22, 'The person does not exist');
    expectFailure(await t.post('/api/v2/person/deleteByPins', undefined, { pins: '301,nobody' }), -22, 'The person does not exist');
    expect((await t.get('/api/person/get/301')).body.code).toBe(0);
    expect((await del('/api/person/delete/301')).body.code).toBe(0);
    expectFailure(await del('/api/person/delete/301'), -22, 'The person does not exist');
    expectFailure(await t.post('/api/v2/person/delete', { pin: '301' }), -22, 'The person does not exist');
  });

  it('bioTemplate deleteByPin (2.25.3) and its v2 form: a person without templates is success (as the manual answers), an unknown pin -22', async () => {
    expect((await del('/api/bioTemplate/deleteByPin/300')).body).toEqual(success);
    expect((await del('/api/bioTemplate/deleteById/*', { pin: '300' })).body).toEqual(success);
    expect((await t.post('/api/v2/bioTemplate/deleteByPin', { pin: '300' })).body).toEqual(success);
    expectFailure(await del('/api/bioTemplate/deleteByPin/nobody'), -22, 'The person does not exist');
    expectFailure(await del(`/api/bioTemplate/delete/${f.pin}/9`), -34, 'templateNo not existed!');
    expect((await t.get(`/api/bioTemplate/getFgListByPin/${f.pin}`)).body.data).toHaveLength(1);
    expect((await t.post('/api/bioTemplate/add', { personId: '300', validType: '1', template: Buffer.from('t').toString('base64'), templateNo: '2' })).body.code).toBe(0);
    expect((await del('/api/bioTemplate/deleteByPin/300')).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/bioTemplate/getFgListByPin/300')).body.data).toEqual([]);
    expect((await del('/api/bioTemplate/deleteByPin/300')).body).toEqual(success);
  });

  it.each([
    ['attAreaPerson/delete (2.8.1)', 'att', (body: Record<string, unknown>) => t.request('DELETE', '/api/attAreaPerson/delete', { query: q(), body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })],
    ['insAreaPerson/delAreaPerson (2.28.1)', 'ins', (body: Record<string, unknown>) => t.post('/api/insAreaPerson/delAreaPerson', body)],
  ])('%s: a person not in the area is success (already out), an unknown pin -22, an unknown area -80; a removal, then the retry is success', async (_name, module, call) => {
    const set = module === 'att' ? '/api/attAreaPerson/set' : '/api/insAreaPerson/setAreaPerson';
    expect((await t.post(set, { code: '1', pins: [f.pin] })).body.code).toBe(0);
    expect(await areaMembers(module)).toEqual([f.pin]);
    expect((await call({ code: '1', pins: '300' })).body).toEqual(success);
    expectFailure(await call({ code: '1', pins: 'nobody' }), -22, 'The person does not exist');
    expectFailure(await call({ code: 'nope', pins: f.pin }), -80, "Area didn't exist");
    expect(await areaMembers(module)).toEqual([f.pin]);
    expect((await call({ code: '1', pins: `${f.pin},300` })).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await areaMembers(module)).toEqual([]);
    expect((await call({ code: '1', pins: f.pin })).body).toEqual(success);
    expect(await areaMembers(module)).toEqual([]);
  });

  it('department/delete (2.5.2): an unknown code is -13; deleted once, again -13', async () => {
    expect((await t.post('/api/department/add', { code: '55', name: 'Short lived', parentCode: '1' })).body.code).toBe(0);
    expectFailure(await del('/api/department/delete/nope'), -13, 'The department number does not exist');
    expect((await del('/api/department/delete/55')).body.code).toBe(0);
    expectFailure(await del('/api/department/delete/55'), -13, 'The department number does not exist');
    expectFailure(await t.post('/api/v2/department/delete', { code: '55' }), -13, 'The department number does not exist');
  });

  it('adMedia/delete (2.6.2): an unknown name is -70', async () => {
    expectFailure(await del('/api/adMedia/delete/nothing.jpg'), -70, "Advertisement doesn't exist");
  });

  it('parkAuthorize/delBlackWhite (2.3.2): a plate on no list is -223; removed once, again -223', async () => {
    expectFailure(await t.post('/api/parkAuthorize/delBlackWhite', { carNumber: 'ZZ999' }), -223, 'Car license plate is incorrect');
    const add = await t.post('/api/parkAuthorize/addBlackWhite', { carNumber: '粤B12345', type: '1', startTime: '2024-01-01 00:00:00', endTime: '2030-01-01 00:00:00' });
    expect(add.body.code, add.text).toBe(0);
    expect((await t.post('/api/parkAuthorize/delBlackWhite', { carNumber: '粤B12345' })).body.code).toBe(0);
    expectFailure(await t.post('/api/parkAuthorize/delBlackWhite', { carNumber: '粤B12345' }), -223, 'Car license plate is incorrect');
  });

  it('visReservation/del (2.15.2): no such reservation is -248; deleted once, again -248', async () => {
    const r = { certType: '3', certNum: '4512', visitDate: '2030-08-31 14:40:00' };
    expectFailure(await t.post('/api/visReservation/del', undefined, { ...r, certNum: '9999' }), -248, 'No eligible visitor reservation information');
    expect((await t.post('/api/visReservation/del', undefined, r)).body.code).toBe(0);
    expectFailure(await t.post('/api/visReservation/del', undefined, r), -248, 'No eligible visitor reservation information');
  });

  it('v2/reader/delete: an unknown reader is -264', async () => {
    expectFailure(await t.post('/api/v2/reader/delete', undefined, { id: none }), -264, 'Did not exist this reader');
  });

  it('gateway visLevel/delete: an unknown level is -24 and the visitor levels stay', async () => {
    const before = (await t.get('/api/visLevel/list', { pageNo: 1, pageSize: 50 })).body.data;
    expect(before.map((l: { id: string }) => l.id)).toEqual([f.levelId]);
    expectFailure(await t.post('/api/gateway/visLevel/delete', undefined, { levelIds: none }), -24, 'The level group does not exist');
    expectFailure(await t.post('/api/gateway/visLevel/delete', undefined, { levelIds: `${f.levelId},${none}` }), -24, 'The level group does not exist');
    expect((await t.get('/api/visLevel/list', { pageNo: 1, pageSize: 50 })).body.data).toEqual(before);
  });
});

describe('visReservation/add (2.15.1) with a visit in the past', () => {
  const base = { persPersonPin: '100', certType: '3', visitEmpName: 'Late', visitReason: 'visit' };
  const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

  it('a visit that has already ended is -252 "Please fill in the correct date", and nothing is stored', async () => {
    const r = await t.post('/api/visReservation/add', { ...base, certNum: 'P1', visitDate: '2020-01-01 10:00:00', visitEndDate: '2020-01-01 12:00:00' });
    expectFailure(r, -252, 'Please fill in the correct date');
    expectFailure(await t.post('/api/visReservation/del', undefined, { certType: '3', certNum: 'P1', visitDate: '2020-01-01 10:00:00' }), -248, 'No eligible visitor reservation information');
    // The manual's own example (2018) is such a visit.
    expectFailure(await t.post('/api/visReservation/add', { ...base, certNum: 'P2', visitDate: '2018-08-31 14:40:00', visitEndDate: '2018-08-31 23:59:59' }), -252, 'Please fill in the correct date');
  });

  it('a visit that began and has not ended is taken (a visitor expected later today), and can be deleted', async () => {
    const visitDate = fmt(Date.now() - 3600_000);
    expect((await t.post('/api/visReservation/add', { ...base, certNum: 'P3', visitDate, visitEndDate: fmt(Date.now() + 3600_000) })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/visReservation/del', undefined, { certType: '3', certNum: 'P3', visitDate })).body.code).toBe(0);
  });
});

