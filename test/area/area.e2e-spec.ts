import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { initialisedTerminal, settleUntil } from '../attendance/attendance-helpers';
import { manualEndpoint, manualExample, shapeOf, uniformArrays } from '../door/cv-examples';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const HEX32 = /^[0-9a-f]{32}$/;

describe('area (2.7)', () => {
  it('2.7.1 gets the seeded area by code, at the printed path and the title alias', async () => {
    const printed = await t.get('/api/attAreaPerson/area/get/1', { code: '1' });
    expect(printed.status).toBe(200);
    expect(printed.body).toEqual({ code: 0, message: 'success', data: { id: expect.stringMatching(HEX32), code: '1', name: 'Area Name' } });
    const alias = await t.get('/api/area/get/1');
    expect(alias.body).toEqual(printed.body);
    expect(manualEndpoint('2.7.1').routeAliases).toContain('/api/area/get/{code}');
  });

  it('2.7.1 matches the manual example field for field (the example id is the number 1; ids are 32-hex strings here)', async () => {
    const example = manualExample('2.7.1');
    const res = await t.get('/api/area/get/1');
    expect(shapeOf(res.body)).toEqual(shapeOf({ ...example, data: { ...example.data, id: 'string' } }));
  });

  it('2.7.1 answers -80 for an unknown area', async () => {
    expect((await t.get('/api/attAreaPerson/area/get/nope')).body).toEqual({ code: -80, message: "Area didn't exist: nope", data: null });
  });

  it('2.7.2 lists areas page by page, with the manual paging errors', async () => {
    await expect(t.post('/api/gateway/areas', { code: '2', name: 'Second' }).then((r) => r.body.code)).resolves.toBe(0);
    const all = await t.get('/api/attAreaPerson/area/list', { pageNo: 1, pageSize: 5 });
    expect(all.body).toEqual({
      code: 0,
      message: 'success',
      data: [
        { id: expect.stringMatching(HEX32), code: '1', name: 'Area Name' },
        { id: expect.stringMatching(HEX32), code: '2', name: 'Second' },
      ],
    });
    expect(shapeOf(all.body)).toEqual(shapeOf(manualExample('2.7.2')));
    expect(uniformArrays(all.body)).toBe(true);
    expect((await t.get('/api/area/list', { pageNo: 2, pageSize: 1 })).body.data).toEqual([{ id: expect.stringMatching(HEX32), code: '2', name: 'Second' }]);
    expect((await t.get('/api/area/list', { pageNo: 3, pageSize: 1 })).body.data).toEqual([]);
    expect((await t.get('/api/area/list')).body.code).toBe(-92);
    expect((await t.get('/api/area/list', { pageNo: 0, pageSize: 5 })).body.code).toBe(-90);
    expect((await t.get('/api/area/list', { pageNo: 1, pageSize: 2147483648 })).body.code).toBe(-91);
  });

  it('needs the token', async () => {
    const res = await t.request('GET', '/api/area/list', { query: { pageNo: 1, pageSize: 5 } });
    expect(res.body.code).toBeLessThan(0);
  });
});

describe('area CRUD (gateway extensions)', () => {
  it('creates, reads, updates and deletes an area by code', async () => {
    const created = await t.post('/api/gateway/areas', { code: 'B', name: 'Building B', parentCode: '1', remark: 'east wing' });
    expect(created.body).toEqual({
      code: 0,
      message: 'success',
      data: { id: expect.stringMatching(HEX32), code: 'B', name: 'Building B', parentCode: '1', remark: 'east wing', deviceCount: 0 },
    });
    expect((await t.get('/api/gateway/areas/B')).body.data).toEqual(created.body.data);
    const updated = await t.put('/api/gateway/areas/B', { name: 'Building B2', parentCode: '', remark: '' });
    expect(updated.body.data).toEqual({ ...created.body.data, name: 'Building B2', parentCode: null, remark: null });
    expect((await t.get('/api/area/get/B')).body.data).toEqual({ id: created.body.data.id, code: 'B', name: 'Building B2' });
    const list = await t.get('/api/gateway/areas');
    expect(list.body.data.map((a: { code: string }) => a.code)).toEqual(expect.arrayContaining(['1', 'B']));
    expect((await t.delete('/api/gateway/areas/B')).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/gateway/areas/B')).body.code).toBe(-80);
    expect((await t.delete('/api/gateway/areas/B')).body.code).toBe(-80);
  });

  it('accepts inputs from the query string as well as the body', async () => {
    const res = await t.post('/api/gateway/areas', null, { code: 'Q', name: 'From query' });
    expect(res.body.data).toMatchObject({ code: 'Q', name: 'From query' });
  });

  it('refuses a duplicate code, a missing code, an unknown parent, a cycle, and deleting a parent', async () => {
    await t.post('/api/gateway/areas', { code: 'P', name: 'Parent' });
    await t.post('/api/gateway/areas', { code: 'C', name: 'Child', parentCode: 'P' });
    expect((await t.post('/api/gateway/areas', { code: 'P', name: 'Again' })).body.code).toBe(-409);
    expect((await t.post('/api/gateway/areas', { name: 'No code' })).body.code).toBe(-83);
    expect((await t.post('/api/gateway/areas', { code: 'X', name: 'Orphan', parentCode: 'none' })).body.code).toBe(-80);
    expect((await t.put('/api/gateway/areas/P', { parentCode: 'C' })).body.code).toBe(-400);
    expect((await t.put('/api/gateway/areas/P', { parentCode: 'P' })).body.code).toBe(-400);
    expect((await t.delete('/api/gateway/areas/P')).body.code).toBe(-409);
    expect((await t.put('/api/gateway/areas/missing', { name: 'x' })).body.code).toBe(-80);
  });

  it('refuses a name another area has (addLevel names a level\'s area by areaName: two of one name were either one)', async () => {
    expect((await t.post('/api/gateway/areas', { code: 'PL1', name: 'Plant' })).body.code).toBe(0);
    expect((await t.post('/api/gateway/areas', { code: 'PL2', name: 'Plant' })).body).toMatchObject({ code: -409, message: 'The area name already exists: Plant (area PL1)' });
    expect((await t.post('/api/gateway/areas', { code: 'PL3', name: 'Plant three' })).body.code).toBe(0);
    expect((await t.put('/api/gateway/areas/PL3', { name: 'Plant' })).body.code).toBe(-409);
    expect((await t.put('/api/gateway/areas/PL1', { name: 'Plant', remark: 'kept' })).body.code).toBe(0);
    expect((await t.get('/api/gateway/areas')).body.data.filter((a: { name: string }) => a.name.startsWith('Plant')).map((a: { code: string; name: string }) => [a.code, a.name])).toEqual([
      ['PL1', 'Plant'],
      ['PL3', 'Plant three'],
    ]);
  });
});

describe('an area that still has attendance or FaceKiosk persons (2.8, 2.28)', () => {
  it('is not deleted: its persons stay members, reach a terminal put in it later, and once removed the area goes', async () => {
    expect((await t.post('/api/person/add', { pin: '2101', name: 'Area Member' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '2102', name: 'Kiosk Member' })).body.code).toBe(0);
    expect((await t.post('/api/gateway/areas', { code: 'ATTAREA1', name: 'Plant gate' })).body.code).toBe(0);
    // No terminal in the area yet: the memberships are all that says who it will hold.
    expect((await t.post('/api/attAreaPerson/set', { code: 'ATTAREA1', pins: ['2101'] })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/insAreaPerson/setAreaPerson', { code: 'ATTAREA1', pins: ['2102'] })).body.code).toBe(0);
    // A member deleted since (person/delete) is no longer one: nothing could remove them, and they hold nothing back.
    expect((await t.post('/api/person/add', { pin: '2103', name: 'Gone' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: 'ATTAREA1', pins: ['2103'] })).body.code).toBe(0);
    expect((await t.delete('/api/person/delete/2103')).body.code).toBe(0);
    await expect(t.ds.query(`SELECT count(*)::int AS n FROM att_area_person WHERE person_id NOT IN (SELECT id FROM person)`)).resolves.toEqual([{ n: 0 }]);
    // A row an earlier version left behind for a deleted person counts for nothing either.
    const [{ id: areaId }] = await t.ds.query(`SELECT id FROM area WHERE code = 'ATTAREA1'`);
    await t.ds.query(`INSERT INTO att_area_person (module, area_id, person_id) VALUES ('att', $1, $2)`, [areaId, 'f'.repeat(32)]);

    const refused = await t.delete('/api/gateway/areas/ATTAREA1');
    expect(refused.status).toBe(200);
    expect(refused.body).toEqual({ code: -409, message: 'The area still has persons (attendance: 1, FaceKiosk: 1); remove them (attAreaPerson/delete, insAreaPerson/delAreaPerson) first', data: null });
    expect((await t.get('/api/area/get/ATTAREA1')).body.data).toMatchObject({ code: 'ATTAREA1', name: 'Plant gate' });

    // The terminal placed in the area afterwards is given the member.
    const reconciler = t.app.get(SyncReconciler);
    const term = await initialisedTerminal(t, { sn: 'ATTAREA0001' });
    expect((await t.put('/api/gateway/devices/ATTAREA0001/area', { areaCode: 'ATTAREA1' })).body.code).toBe(0);
    await settleUntil(reconciler, term, () => term.users.has('2101'));
    expect(term.users.get('2101')).toMatchObject({ name: 'Area Member' });
    expect(term.users.has('2102')).toBe(false);

    // Terminal moved out and persons removed: the area can go.
    expect((await t.put('/api/gateway/devices/ATTAREA0001/area', { areaCode: '1' })).body.code).toBe(0);
    expect((await t.request('DELETE', '/api/attAreaPerson/delete', { query: { access_token: TEST_TOKEN }, body: JSON.stringify({ code: 'ATTAREA1', pins: '2101' }), headers: { 'content-type': 'application/json' } })).body.code).toBe(0);
    expect((await t.delete('/api/gateway/areas/ATTAREA1')).body).toMatchObject({ code: -409, message: expect.stringContaining('attendance: 0, FaceKiosk: 1') });
    expect((await t.post('/api/insAreaPerson/delAreaPerson', { code: 'ATTAREA1', pins: ['2102'] })).body.code).toBe(0);
    expect((await t.delete('/api/gateway/areas/ATTAREA1')).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/area/get/ATTAREA1')).body.code).toBe(-80);
    // A membership written for the area after it is gone is refused, not kept for an area nobody can name.
    expect((await t.post('/api/attAreaPerson/set', { code: 'ATTAREA1', pins: ['2101'] })).body.code).toBe(-80);
    await expect(t.ds.query(`SELECT count(*)::int AS n FROM att_area_person ap WHERE NOT EXISTS (SELECT 1 FROM area a WHERE a.id = ap.area_id) AND ap.person_id <> $1`, ['f'.repeat(32)])).resolves.toEqual([{ n: 0 }]);
  });
});
