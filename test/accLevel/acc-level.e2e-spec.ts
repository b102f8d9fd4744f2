import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALWAYS_OPEN_FIELDS, Device, expectSameShape, levelId, manualExample } from '../sync/access-helpers';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';

let t: TestApp;
let a: Device;
let b: Device;
let c: Device;
let gate: string;

const TZ1 = `DATA UPDATE timezone TimezoneId=1\t${ALWAYS_OPEN_FIELDS}`;
const NIGHTS = 2000 * 65536 + 2359;
const TZ2 = `DATA UPDATE timezone TimezoneId=2\t${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Hol1', 'Hol2', 'Hol3'].map((d) => `${d}Time1=${d === 'Sat' ? NIGHTS : 0}\t${d}Time2=0\t${d}Time3=0`).join('\t')}`;
const USER7 = 'DATA UPDATE user CardNo=\tPin=7\tPassword=\tStartTime=0\tEndTime=0\tName=Gus\tPrivilege=0\tDisable=0';
const rights = (tz: number, mask: number) => `DATA UPDATE userauthorize Pin=7\tAuthorizeTimezoneId=${tz}\tAuthorizeDoorId=${mask}`;
/** Rights, then the user: the device holds no template or photo of Gus. */
const removal7 = ['DATA DELETE userauthorize Pin=7', 'DATA DELETE user Pin=7'];

beforeAll(async () => {
  t = await startTestApp();
  a = await Device.connect(t, 'LVLA0001', 2, '10.2.0.1');
  b = await Device.connect(t, 'LVLB0001', 2, '10.2.0.2');
  c = await Device.connect(t, 'LVLC0001', 1, '10.2.0.3');
});
afterAll(async () => {
  await t?.close();
});

describe('level master data (2.1.2-2.1.4, 2.1.7 and the extra endpoints)', () => {
  it('addLevel creates levels; an unknown area or time segment is refused', async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Gate' }, { name: 'Other', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body).toEqual({ code: 0, message: 'success', data: null });
    const before = (await t.get('/api/accLevel/list', { pageNo: 1, pageSize: 10 })).body.data;
    // An existing name is CVSecurity's add-or-edit (a client ensuring its levels on every start): the same level, no second one.
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Gate' }] })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/accLevel/list', { pageNo: 1, pageSize: 10 })).body.data).toEqual(before);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'X', areaName: 'nowhere' }] })).body.code).toBe(-80);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'X', timeSegName: 'never' }] })).body.code).toBe(-400);
    gate = await levelId(t, 'Gate');
  });

  it('getById and getByName (v1 and v2) answer {id, name} as the manual shows', async () => {
    const byId = await t.get(`/api/accLevel/getById/${gate}`);
    expect(byId.body).toEqual({ code: 0, message: 'success', data: { id: gate, name: 'Gate' } });
    expectSameShape(byId.body, manualExample('2.1.2'));
    expectSameShape((await t.get('/api/accLevel/getByName/Gate')).body, manualExample('2.1.3'));
    expect((await t.get(`/api/v2/accLevel/getById/${gate}`)).body).toEqual(byId.body);
    expect((await t.get('/api/v2/accLevel/getByName/Gate')).body).toEqual(byId.body);
    // -24 names what was asked for, as -22 names the pin.
    expect((await t.get('/api/accLevel/getById/0123456789abcdef0123456789abcdef')).body).toEqual({
      code: -24,
      message: 'The level group does not exist: 0123456789abcdef0123456789abcdef',
      data: null,
    });
    expect((await t.get('/api/accLevel/getByName/nope')).body).toEqual({ code: -24, message: 'The level group does not exist: nope', data: null });
    expect((await t.get('/api/v2/accLevel/getByName/nope')).body).toEqual({ code: -24, message: 'The level group does not exist: nope', data: null });
  });

  it('list (v1 array, v2 page object) with the manual paging errors', async () => {
    const v1 = await t.get('/api/accLevel/list', { pageNo: 1, pageSize: 10 });
    expect(v1.body.data.map((l: { name: string }) => l.name)).toEqual(['Gate', 'Other']);
    expectSameShape(v1.body, manualExample('2.1.4'));
    const v2 = await t.get('/api/v2/accLevel/list', { pageNo: 2, pageSize: 1 });
    expect(v2.body).toEqual({ code: 0, message: 'success', data: { page: 1, size: 1, total: 2, data: [{ id: expect.any(String), name: 'Other' }], offset: 1, lastPage: true } });
    expectSameShape(v2.body, manualExample('2.1.7'));
    expect((await t.get('/api/accLevel/list', { pageNo: 1 })).body.code).toBe(-92);
    expect((await t.get('/api/v2/accLevel/list', { pageNo: -1, pageSize: 5 })).body.code).toBe(-90);
  });
});

describe('levels reach exactly the devices owning their doors', () => {
  it('an empty areaName or timeSegName is a field not given: a new level gets the defaults, an existing one keeps its own', async () => {
    const fieldsOf = async (name: string) =>
      ((await t.ds.query(`SELECT a.code AS area, s.name AS segment FROM acc_level l JOIN area a ON a.id = l.area_id JOIN time_segment s ON s.id = l.time_segment_id WHERE l.name = $1`, [name])) as Array<{ area: string; segment: string }>)[0];
    // A blank form field, or a client serializing "" for none: was -400 "The time segment does not exist: ".
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Blank', areaName: '', timeSegName: '' }] })).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await fieldsOf('Blank')).toEqual({ area: '1', segment: '24-Hour Accessible' });
    expect((await t.post('/api/gateway/areas', { code: 'BL2', name: 'Blank area' })).body.code).toBe(0);
    const id = await levelId(t, 'Blank');
    expect((await t.put(`/api/accLevel/update/${id}`, { areaName: 'BL2' })).body.code).toBe(0);
    // Editing with the fields blank keeps them (the area was moved back to 1, the segment refused).
    expect((await t.put(`/api/accLevel/update/${id}`, { name: 'Blank', areaName: '', timeSegName: '' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Blank', areaName: '', timeSegName: '' }] })).body.code).toBe(0);
    expect(await fieldsOf('Blank')).toEqual({ area: 'BL2', segment: '24-Hour Accessible' });
  });

  it('addLevelDoor sends the level time zone to the new devices; an unknown door is -47', async () => {
    const res = await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Gate', doorName: '10.2.0.1-1' }, { levelName: 'Gate', doorName: '10.2.0.2-2' }, { levelName: 'Other', doorName: '10.2.0.3-1' }] });
    expect(res.body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual([TZ1]);
    expect(await b.since()).toEqual([TZ1]);
    expect(await c.since()).toEqual([TZ1]);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Gate', doorName: 'no door' }] })).body.code).toBe(-47);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'nope', doorName: '10.2.0.1-1' }] })).body.code).toBe(-24);
  });

  it('addLevelPerson (query string, null body) grants the level: each device gets the user and its own door bitmask; the third device nothing', async () => {
    expect((await t.post('/api/person/add', { pin: '7', name: 'Gus' })).body.code).toBe(0);
    expect(await a.since()).toEqual([]);
    const res = await t.post('/api/accLevel/addLevelPerson', null, { levelIds: gate, pin: '7' });
    expect(res.body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual([USER7, rights(1, 1)]);
    expect(await b.since()).toEqual([USER7, rights(1, 2)]);
    expect(await c.since()).toEqual([]);
    expect(c.sim.user('7')).toBeUndefined();
    a.expectAllAcknowledged();
    b.expectAllAcknowledged();
  });

  it('addLevelPerson and deleteLevel with several pins (pin=200,201): -22 naming the unknown pin, nothing changed; all known: each granted, then each removed', async () => {
    expect((await t.post('/api/person/add', { pin: '200', name: 'Two' })).body.code).toBe(0);
    await a.since();
    const res = await t.post('/api/accLevel/addLevelPerson', null, { levelIds: gate, pin: '200,201' });
    expect(res.body).toEqual({ code: -22, message: 'The person does not exist: 201', data: null });
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: gate, pin: '201' })).body.message).toBe('The person does not exist: 201');
    expect((await t.get('/api/v2/person/get', { pin: '200' })).body.data.accLevelIds).toBe('');
    expect(await a.since()).toEqual([]);
    expect((await t.post('/api/person/add', { pin: '201', name: 'Three' })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: gate, pin: '200,201' })).body).toEqual({ code: 0, message: 'success', data: null });
    for (const pin of ['200', '201']) expect((await t.get('/api/v2/person/get', { pin })).body.data.accLevelIds).toBe(gate);
    // One command may carry several rows (one per line).
    const rows = (await a.since()).join('\n').split('\n').map((l) => l.replace(/^DATA UPDATE userauthorize /, ''));
    expect(rows.filter((r) => r.startsWith('Pin=') && r.includes('AuthorizeDoorId'))).toEqual(['Pin=200', 'Pin=201'].map((p) => `${p}\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1`));
    a.expectAllAcknowledged();
    // deleteLevel takes the same list: one unknown pin removes nothing; all known, each loses the level.
    expect((await t.post('/api/accLevel/deleteLevel', null, { levelIds: gate, pin: '200,nobody,201' })).body).toEqual({ code: -22, message: 'The person does not exist: nobody', data: null });
    for (const pin of ['200', '201']) expect((await t.get('/api/v2/person/get', { pin })).body.data.accLevelIds).toBe(gate);
    expect(await a.since()).toEqual([]);
    expect((await t.post('/api/accLevel/deleteLevel', null, { levelIds: gate, pin: '200,201' })).body).toEqual({ code: 0, message: 'success', data: null });
    for (const pin of ['200', '201']) expect((await t.get('/api/v2/person/get', { pin })).body.data.accLevelIds).toBe('');
    expect((await a.since()).join('\n')).toContain('DATA DELETE user Pin=201');
    expect(a.sim.user('200')).toBeUndefined();
    expect(a.sim.user('201')).toBeUndefined();
    // The key repeated (`pin=200&pin=201`) and a JSON array are the same list: both persons, never only the last.
    const repeated = await t.request('POST', `/api/accLevel/addLevelPerson?access_token=${TEST_TOKEN}&levelIds=${gate}&pin=200&pin=201`, { headers: { 'content-type': 'application/json' }, body: 'null' });
    expect(repeated.body).toEqual({ code: 0, message: 'success', data: null });
    for (const pin of ['200', '201']) expect((await t.get('/api/v2/person/get', { pin })).body.data.accLevelIds).toBe(gate);
    expect((await t.post('/api/accLevel/deleteLevel', { pin: ['200', 'nobody'], levelIds: gate })).body).toEqual({ code: -22, message: 'The person does not exist: nobody', data: null });
    expect((await t.post('/api/accLevel/deleteLevel', { pin: ['200', '201'], levelIds: gate })).body).toEqual({ code: 0, message: 'success', data: null });
    for (const pin of ['200', '201']) expect((await t.get('/api/v2/person/get', { pin })).body.data.accLevelIds).toBe('');
    await a.since();
    // Out again, so the rest of the file sees the devices as before.
    for (const pin of ['200', '201']) expect((await t.post(`/api/person/delete/${pin}`)).body.code).toBe(0);
    await a.since();
    await b.since();
  });

  it('syncPerson (2.1.6) re-sends everything for the person; syncLevel (2.1.5) for every member', async () => {
    expect((await t.post('/api/accLevel/syncPerson', null, { pin: '7', levelIds: gate })).body.code).toBe(0);
    expect(await a.since()).toEqual([TZ1, 'DATA DELETE userauthorize Pin=7', USER7, rights(1, 1)]);
    expect(await b.since()).toEqual([TZ1, 'DATA DELETE userauthorize Pin=7', USER7, rights(1, 2)]);
    expect((await t.post('/api/accLevel/syncLevel', null, { levelId: gate })).body.code).toBe(0);
    expect(await a.since()).toEqual([TZ1, 'DATA DELETE userauthorize Pin=7', USER7, rights(1, 1)]);
    expect(await b.since()).toEqual([TZ1, 'DATA DELETE userauthorize Pin=7', USER7, rights(1, 2)]);
    expect(await c.since()).toEqual([]);
    expect((await t.post('/api/accLevel/syncLevel', { levelId: '0123456789abcdef0123456789abcdef' })).body.code).toBe(-24);
    expect((await t.post('/api/accLevel/syncLevel', {})).body.code).toBe(-43);
  });

  it('syncLevel of a level nobody holds is -25 "No person under the access level", naming it, and syncs none', async () => {
    // Before: success, and only the level's time zone went to its panel, as if a level had been synced.
    const other = await levelId(t, 'Other');
    const empty = { code: -25, message: `No person under the access level: ${other}`, data: null };
    expect((await t.post('/api/accLevel/syncLevel', null, { levelId: other })).body).toEqual(empty);
    expect((await t.post('/api/accLevel/syncLevel', null, { levelIds: `${gate},${other}` })).body).toEqual(empty);
    for (const d of [a, b, c]) expect(await d.since()).toEqual([]);
  });

  it('syncLevel takes several levels in the forms levelIds takes elsewhere, and syncs each; one unknown is -24 and none synced', async () => {
    // Before, `levelIds=a,b` (2.1.1's form) was read as one id: -24 "The level group does not exist: a,b", nothing synced.
    const other = await levelId(t, 'Other');
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: other, pin: '7' })).body.code).toBe(0);
    expect(await c.since()).toEqual([USER7, rights(1, 1)]);
    const both = [TZ1, 'DATA DELETE userauthorize Pin=7', USER7];
    for (const send of [
      () => t.post('/api/accLevel/syncLevel', null, { levelIds: `${gate},${other}` }),
      () => t.post('/api/accLevel/syncLevel', { levelIds: [gate, other] }),
      () => t.post('/api/accLevel/syncLevel', null, { levelId: `${gate}, ${other}` }),
      () => t.request('POST', '/api/accLevel/syncLevel', { body: `levelIds=${gate}&levelIds=${other}&access_token=${TEST_TOKEN}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    ]) {
      expect((await send()).body).toEqual({ code: 0, message: 'success', data: null });
      expect(await a.since()).toEqual([...both, rights(1, 1)]);
      expect(await b.since()).toEqual([...both, rights(1, 2)]);
      expect(await c.since()).toEqual([...both, rights(1, 1)]);
    }
    const res = await t.post('/api/accLevel/syncLevel', null, { levelIds: `${gate},0123456789abcdef0123456789abcdef` });
    expect(res.body).toEqual({ code: -24, message: 'The level group does not exist: 0123456789abcdef0123456789abcdef', data: null });
    expect((await t.post('/api/accLevel/syncLevel', null, { levelIds: ' , ' })).body.code).toBe(-43);
    expect(await a.since()).toEqual([]);
    expect(await c.since()).toEqual([]);
    // Out of Other again, so the rest of the file sees panel C as before.
    expect((await t.post('/api/accLevel/deleteLevel', null, { pin: '7', levelIds: other })).body.code).toBe(0);
    expect(await c.since()).toEqual(removal7);
  });

  it('a level moved to another time segment (PUT update/{id}) moves the rights: new timezone, old rights cleared, new rights', async () => {
    const seg = await t.post('/api/gateway/timeSegments', { name: 'Nights', schedule: { sat: [['20:00', '23:59']] } });
    expect(seg.body.data.tzId).toBe(2);
    expect((await t.put(`/api/accLevel/update/${gate}`, { timeSegName: 'Nights' })).body).toEqual({ code: 0, message: 'success', data: null });
    // The user record is unchanged (confirmed): only the rights move. Time zone 1 stays, used by no level here any
    // more: it is the doors' active time zone (Door<n>ValidTZ).
    expect(await a.since()).toEqual([TZ2, 'DATA DELETE userauthorize Pin=7', rights(2, 1)]);
    expect(await b.since()).toEqual([TZ2, 'DATA DELETE userauthorize Pin=7', rights(2, 2)]);
    expect(a.sim.rightsOf('7').map((r) => [r.timezoneId ?? (r as any).AuthorizeTimezoneId])).toHaveLength(1);
    expect((await t.put('/api/accLevel/update/0123456789abcdef0123456789abcdef', { name: 'x' })).body.code).toBe(-24);
  });

  it('update/{id} answers a POST as the PUT (clients and proxies that send no PUT): the change is stored', async () => {
    const name = (await t.get(`/api/accLevel/getById/${gate}`)).body.data.name;
    expect((await t.post(`/api/accLevel/update/${gate}`, { name: `${name} (posted)` })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get(`/api/accLevel/getById/${gate}`)).body.data).toEqual({ id: gate, name: `${name} (posted)` });
    expect((await t.post(`/api/accLevel/update/${gate}`, null, { name })).body.code).toBe(0);
    expect((await t.get(`/api/accLevel/getById/${gate}`)).body.data.name).toBe(name);
    expect((await t.post('/api/accLevel/update/0123456789abcdef0123456789abcdef', { name: 'x' })).body.code).toBe(-24);
  });

  it('update/{id} that gives nothing to change ({}, no body, every field blank) is -400 naming the fields, not a success; nothing is stored or sent', async () => {
    const before = (await t.get(`/api/accLevel/getById/${gate}`)).body.data;
    await a.since();
    const refused = { code: -400, message: 'The level update gives nothing to change: send name, areaName or timeSegName', data: null };
    expect((await t.put(`/api/accLevel/update/${gate}`, {})).body).toEqual(refused);
    expect((await t.post(`/api/accLevel/update/${gate}`, {})).body).toEqual(refused);
    expect((await t.request('PUT', `/api/accLevel/update/${gate}`, { query: { access_token: t.config.apiToken } })).body).toEqual(refused);
    expect((await t.put(`/api/accLevel/update/${gate}`, { areaName: ' ', timeSegName: '' })).body).toEqual(refused);
    expect((await t.get(`/api/accLevel/getById/${gate}`)).body.data).toEqual(before);
    expect(await a.since()).toEqual([]);
  });

  it('a changed time segment reaches every device using it; one in use cannot be deleted', async () => {
    const segs = (await t.get('/api/gateway/timeSegments')).body.data;
    const nights = segs.find((s: { name: string }) => s.name === 'Nights');
    const upd = await t.put(`/api/gateway/timeSegments/${nights.id}`, { schedule: { sat: [['20:00', '23:59']], sun: [['00:00', '06:00']] } });
    expect(upd.body.code).toBe(0);
    const tz2b = TZ2.replace('SunTime1=0', `SunTime1=${0 * 65536 + 600}`);
    expect(await a.since()).toEqual([tz2b]);
    expect(await b.since()).toEqual([tz2b]);
    expect(await c.since()).toEqual([]);
    expect((await t.delete(`/api/gateway/timeSegments/${nights.id}`)).body.code).toBe(-409);
  });

  it('addLevel naming an existing level edits it: its time segment changes and the rights move on its devices', async () => {
    const name = (await t.get(`/api/accLevel/getById/${gate}`)).body.data.name;
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name, areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get(`/api/accLevel/getByName/${encodeURIComponent(name)}`)).body.data).toEqual({ id: gate, name });
    // Time zone 2 (Nights) is no longer used by any level there: it goes.
    expect(await a.since()).toEqual(['DATA DELETE userauthorize Pin=7', rights(1, 1), 'DATA DELETE timezone TimezoneId=2']);
    expect(await b.since()).toEqual(['DATA DELETE userauthorize Pin=7', rights(1, 2), 'DATA DELETE timezone TimezoneId=2']);
    expect(await c.since()).toEqual([]);
    // Still refused: an unknown time segment or area, and nothing changes.
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name, timeSegName: 'never' }] })).body.code).toBe(-400);
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name, areaName: 'nowhere' }] })).body.code).toBe(-80);
    expect(await a.since()).toEqual([]);
  });

  it('deleteLevel (2.1.1) takes the level away; devices no longer covered lose the person', async () => {
    expect((await t.post('/api/accLevel/deleteLevel', null, { pin: '7' })).body.code).toBe(-42);
    expect((await t.post('/api/accLevel/deleteLevel', null, { pin: 'nobody', levelIds: gate })).body.code).toBe(-22);
    expect((await t.post('/api/accLevel/deleteLevel', null, { pin: '7', levelIds: '0123456789abcdef0123456789abcdef' })).body.code).toBe(-24);
    expect((await t.post('/api/accLevel/deleteLevel', null, { pin: '7', levelIds: gate })).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual(removal7);
    expect(await b.since()).toEqual(removal7);
    expect(await c.since()).toEqual([]);
    expect(a.sim.user('7')).toBeUndefined();
    expect((await t.get('/api/gateway/persons/7/sync')).body).toEqual({ code: 0, message: 'success', data: [] });
  });
});

describe('addLevel and addLevelDoor take the bare list too (CVSecurity\'s List<...> request body)', () => {
  it('a level made and given a door from bare JSON arrays reaches the device of that door', async () => {
    expect((await t.post('/api/accLevel/addLevel', [{ name: 'Bare', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }])).body).toEqual({ code: 0, message: 'success', data: null });
    const bare = await levelId(t, 'Bare');
    expect((await t.post('/api/accLevel/addLevelDoor', [{ levelName: 'Bare', doorName: '10.2.0.3-1' }])).body).toEqual({ code: 0, message: 'success', data: null });
    await c.since();
    expect((await t.post('/api/person/add', { pin: '9', name: 'Ida' })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: bare, pin: '9' })).body.code).toBe(0);
    expect(await c.since()).toEqual([
      'DATA UPDATE user CardNo=\tPin=9\tPassword=\tStartTime=0\tEndTime=0\tName=Ida\tPrivilege=0\tDisable=0',
      'DATA UPDATE userauthorize Pin=9\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1',
    ]);
    // The empty list and a list of no items are refused as the wrapped forms are.
    expect((await t.post('/api/accLevel/addLevel', [])).body.code).toBe(-43);
    expect((await t.post('/api/accLevel/addLevelDoor', [])).body.code).toBe(-46);
  });
});

describe('level id lists written as a JSON array in a string (clients that send every value as a string)', () => {
  it('person/add accLevelIds and addLevelPerson levelIds take ["a","b"] as the list it is; a bad item is still -24', async () => {
    const bare = await levelId(t, 'Bare');
    const other = await levelId(t, 'Other');
    expect((await t.post('/api/person/add', { pin: '12', name: 'Jo', accLevelIds: JSON.stringify([bare]) })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/v2/person/get', { pin: '12' })).body.data.accLevelIds).toBe(bare);
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: JSON.stringify([other]), pin: '12' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/v2/person/get', { pin: '12' })).body.data.accLevelIds).toBe(`${bare},${other}`);
    const form = await t.request('POST', '/api/accLevel/deleteLevel', {
      query: { access_token: TEST_TOKEN },
      body: `pin=12&levelIds=${encodeURIComponent(JSON.stringify([bare, other]))}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/v2/person/get', { pin: '12' })).body.data.accLevelIds).toBe('');
    const bad = await t.post('/api/accLevel/addLevelPerson', null, { levelIds: JSON.stringify([bare, '0123456789abcdef0123456789abcdef']), pin: '12' });
    expect(bad.body).toEqual({ code: -24, message: 'The level group does not exist: 0123456789abcdef0123456789abcdef', data: null });
    expect((await t.get('/api/v2/person/get', { pin: '12' })).body.data.accLevelIds).toBe('');
    expect((await t.post('/api/person/delete/12')).body.code).toBe(0);
  });
});
