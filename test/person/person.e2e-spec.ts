import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALWAYS_OPEN_FIELDS, Device, expectSameShape, levelId, manualExample, PHOTO } from '../sync/access-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let a: Device;
let b: Device;
let front: string;
let lab: string;

// 2026-01-01 08:00:00 and 2026-12-31 18:00:00 as Appendix-5 seconds (the simulator has DateFmtFunOn=1, zone UTC).
const START = ((26 * 372) * 86400 + 8 * 3600);
const END = ((26 * 372 + 11 * 31 + 30) * 86400 + 18 * 3600);
const MORNINGS = 800 * 65536 + 1200;
const MORNINGS_FIELDS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Hol1', 'Hol2', 'Hol3']
  .map((d) => `${d}Time1=${['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].includes(d) ? MORNINGS : 0}\t${d}Time2=0\t${d}Time3=0`)
  .join('\t');
const user = (name: string, extra = '') => `DATA UPDATE user CardNo=123456\tPin=1001\tPassword=${extra}\tStartTime=${START}\tEndTime=${END}\tName=${name}\tPrivilege=0\tDisable=0`;
/** Rights, user, then what the device holds of the person (here: a photo, no templates). */
const removal = ['DATA DELETE userauthorize Pin=1001', 'DATA DELETE user Pin=1001', 'DATA DELETE biophoto PIN=1001\tType=9'];

beforeAll(async () => {
  t = await startTestApp();
  a = await Device.connect(t, 'PERSONA0001', 4, '10.1.0.1');
  b = await Device.connect(t, 'PERSONB0001', 2, '10.1.0.2');
  const seg = await t.post('/api/gateway/timeSegments', { name: 'Mornings', schedule: { mon: [['08:00', '12:00']], tue: [['08:00', '12:00']], wed: [['08:00', '12:00']], thu: [['08:00', '12:00']], fri: [['08:00', '12:00']] } });
  expect(seg.body).toMatchObject({ code: 0, data: { tzId: 2 } });
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Front', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }, { name: 'Lab', timeSegName: 'Mornings' }] })).body).toEqual({ code: 0, message: 'success', data: null });
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Front', doorName: '10.1.0.1-1' }, { levelName: 'Front', doorName: '10.1.0.1-3' }, { levelName: 'Lab', doorName: '10.1.0.1-2' }] })).body.code).toBe(0);
  front = await levelId(t, 'Front');
  lab = await levelId(t, 'Lab');
  // Levels without persons: their devices get the time zones at once (one multi-record command).
  expect(await a.since()).toEqual([`DATA UPDATE timezone TimezoneId=1\t${ALWAYS_OPEN_FIELDS}\nTimezoneId=2\t${MORNINGS_FIELDS}`]);
  expect(await b.since()).toEqual([]);
});
afterAll(async () => {
  await t?.close();
});

describe('person/add (2.13.1) reaches exactly the devices of its levels', () => {
  it('sends user, the full rights (one record per time zone, door bitmask) and the face photo; never to a device outside the levels', async () => {
    const res = await t.post('/api/person/add', {
      pin: '1001', deptCode: '1', name: 'Ann', lastName: 'Lee', gender: 'F', cardNo: '123456', personPhoto: PHOTO,
      accLevelIds: `${front},${lab}`, accStartTime: '2026-01-01 08:00:00', accEndTime: '2026-12-31 18:00:00', unknownField: 'ignored',
    });
    expect(res.body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual([
      user('Ann Lee'),
      'DATA UPDATE userauthorize Pin=1001\tAuthorizeTimezoneId=1\tAuthorizeDoorId=5\nPin=1001\tAuthorizeTimezoneId=2\tAuthorizeDoorId=2',
      `DATA UPDATE biophoto PIN=1001\tType=9\tNo=0\tIndex=0\tSize=${PHOTO.length}\tContent=${PHOTO}\tFormat=0`,
    ]);
    expect(await b.since()).toEqual([]);
    a.expectAllAcknowledged();
    expect(a.sim.user('1001')).toBeDefined();
    expect(b.sim.user('1001')).toBeUndefined();
    expect((await t.get('/api/gateway/persons/1001/sync')).body).toMatchObject({
      code: 0,
      data: [{ deviceSn: 'PERSONA0001', deviceAlias: '10.1.0.1', state: 'synced', rights: [{ timezoneId: 1, authorizeDoorId: 5 }, { timezoneId: 2, authorizeDoorId: 2 }], pendingCommands: 0, holds: true, unconfirmed: [] }],
    });
  });

  it('a narrower level set clears the rights first, then re-sends the full remaining rights; the unchanged user and photo are not re-sent', async () => {
    expect((await t.post('/api/person/add', { pin: '1001', accLevelIds: front })).body.code).toBe(0);
    expect(await a.since()).toEqual(['DATA DELETE userauthorize Pin=1001', 'DATA UPDATE userauthorize Pin=1001\tAuthorizeTimezoneId=1\tAuthorizeDoorId=5']);
    expect(await b.since()).toEqual([]);
  });

  it('addPersonnelBasicInfo (2.13.7) re-sends the user record with the new name and password (the unchanged rights stay)', async () => {
    expect((await t.post('/api/person/addPersonnelBasicInfo', { pin: '1001', name: 'Anna', personPwd: '4321', hireDate: ' 2019-06-10', certType: 2, isDisabled: 'false' })).body.code).toBe(0);
    expect(await a.since()).toEqual([user('Anna Lee', '4321')]);
    expect(a.sim.user('1001')).toMatchObject({ Name: 'Anna Lee', Password: '4321' });
  });

  it('updatePersonnelPhoto (2.13.8) sends the new photo; an empty photo changes nothing', async () => {
    const photo2 = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 1, 2, 3, 4, 5]).toString('base64');
    expect((await t.post('/api/person/updatePersonnelPhoto', { pin: '1001', personPhoto: photo2 })).body.code).toBe(0);
    expect((await a.since()).at(-1)).toBe(`DATA UPDATE biophoto PIN=1001\tType=9\tNo=0\tIndex=0\tSize=${photo2.length}\tContent=${photo2}\tFormat=0`);
    expect((await t.post('/api/person/updatePersonnelPhoto', { pin: '1001', personPhoto: '' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual([]);
    expect((await t.post('/api/person/updatePersonnelPhoto', { pin: '1001', personPhoto: 'bm90IGEgcGhvdG8=' })).body.code).toBe(-27);
    expect((await t.post('/api/person/updatePersonnelPhoto', { pin: 'nobody', personPhoto: PHOTO })).body.code).toBe(-22);
  });

  it('serves the face photo at the vislightPhotoPath person/get and the lists answer (2.13.3, 2.13.4), without a token', async () => {
    const got = (await t.get('/api/person/get/1001')).body.data;
    expect(got.vislightPhotoPath).toBe('/upload/pers/user/cropface/1001/1001.jpg');
    const listed = (await t.post('/api/person/getPersonList', { pins: '1001', pageNo: 1, pageSize: 10 })).body.data;
    expect(JSON.stringify(listed)).toContain('/upload/pers/user/cropface/1001/1001.jpg');
    const res = await fetch(`${t.baseUrl}${got.vislightPhotoPath}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).toString('base64')).toBe(got.vislightPhoto);
    for (const path of ['/upload/pers/user/cropface/1001/1002.jpg', '/upload/pers/user/cropface/nobody/nobody.jpg']) {
      expect((await fetch(`${t.baseUrl}${path}`)).status).toBe(404);
    }
    expect((await t.post('/api/person/add', { pin: '1009', name: 'No Photo' })).body.code).toBe(0);
    expect((await t.get('/api/person/get/1009')).body.data.vislightPhotoPath).toBe('');
    // 2.13.9's photoPath, where personPhoto is served: the photo the person has (it answered "" beside a personPhoto).
    const v2 = (await t.post('/api/v2/person/getPersonList', { pins: '1001,1009', pageNo: 1, pageSize: 10 })).body.data.data;
    expect(v2.map((p: any) => [p.pin, p.photoPath, p.personPhoto === '']).sort()).toEqual([
      ['1001', '/upload/pers/user/cropface/1001/1001.jpg', false],
      ['1009', '', true],
    ]);
    expect((await t.get('/api/v2/person/get', { pin: '1001' })).body.data.photoPath).toBe(got.vislightPhotoPath);
  });

  it('leave (2.13.6) removes the person everywhere, rights first, then user, then templates and photo; reinstated (2.13.10) puts them back', async () => {
    expect((await t.post('/api/person/leave', { pin: '1001', leaveDate: '2026-03-01', leaveType: '1' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual(removal);
    expect(a.sim.user('1001')).toBeUndefined();
    expect((await t.get('/api/person/get/1001')).body.code).toBe(-22);
    // The pin stays the resigned person's: adding or editing it is refused (and changes nothing) until reinstated.
    for (const path of ['/api/person/add', '/api/person/addPersonnelBasicInfo']) {
      const r = await t.post(path, { pin: '1001', name: 'Someone Else' });
      expect(r.body).toMatchObject({ code: -29, data: null });
      expect(r.body.message).toMatch(/resigned/);
    }
    expect((await t.post('/api/v2/person/addPersons', [{ pin: '1001', name: 'Someone Else' }])).body.code).toBe(-29);
    expect(await a.since()).toEqual([]);
    expect((await t.post('/api/person/reinstated', { pin: '1001' })).body.code).toBe(0);
    const back = await a.since();
    expect(back.slice(0, 2)).toEqual([user('Anna Lee', '4321'), 'DATA UPDATE userauthorize Pin=1001\tAuthorizeTimezoneId=1\tAuthorizeDoorId=5']);
    expect(back[2]).toMatch(/^DATA UPDATE biophoto PIN=1001\tType=9\t/);
    expect(a.sim.user('1001')).toBeDefined();
    expect((await t.post('/api/person/reinstated', { pin: 'nobody' })).body.code).toBe(-22);
    // 1001 is active again: a second reinstatement is not one. -22 as leave answers for one already resigned,
    // the person unchanged (no edit under the name of a reinstatement) and no device command.
    const again = await t.post('/api/person/reinstated', { pin: '1001', name: 'Someone Else', cardNo: '77001' });
    expect(again.body).toEqual({
      code: -22,
      message: 'The person does not exist among the resigned persons: 1001 is active (person/add edits an active person)',
      data: null,
    });
    const kept = (await t.get('/api/person/get/1001')).body.data;
    expect(kept).toMatchObject({ name: 'Anna', lastName: 'Lee' });
    expect(kept.cardNo).not.toBe('77001');
    expect(await a.since()).toEqual([]);
    a.expectAllAcknowledged();
  });

  it('delete (2.13.2) removes the person from every device; DELETE and POST both work', async () => {
    expect((await t.post('/api/person/add', { pin: '1002', name: 'Bob', accLevelIds: front })).body.code).toBe(0);
    await a.since();
    expect((await t.delete('/api/person/delete/1002')).body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual(['DATA DELETE userauthorize Pin=1002', 'DATA DELETE user Pin=1002']);
    expect((await t.delete('/api/person/delete/1002')).body.code).toBe(-22);
    expect((await t.post('/api/person/add', { pin: '1003', name: 'Cy' })).body.code).toBe(0);
    expect(await a.since()).toEqual([]);
    expect((await t.post('/api/person/delete/1003')).body.code).toBe(0);
    expect(await a.since()).toEqual([]);
  });
});

describe('the sync status while commands about a person are on their way (isDisabled = the blocklist, Disable=1; delete)', () => {
  it('a panel that ran the disable, its result not in yet, with the enable queued: not synced, not holding, until both are answered', async () => {
    expect((await t.post('/api/person/add', { pin: '1005', name: 'Dee', accLevelIds: front })).body.code).toBe(0);
    await a.since();
    a.sim.holdResults();
    expect((await t.post('/api/person/add', { pin: '1005', isDisabled: 'true' })).body.code).toBe(0);
    await a.sim.poll();
    // The panel blocklisted the person (event 39); the gateway has no result yet.
    expect(a.sim.user('1005')).toMatchObject({ Disable: '1' });
    expect(a.sim.evaluateAccess({ pin: '1005', door: 1 })).toMatchObject({ granted: false, event: 39 });
    expect((await t.post('/api/person/add', { pin: '1005', isDisabled: false })).body.code).toBe(0);
    // The database wants what the panel last confirmed, but the panel holds the person disabled right now.
    const during = (await t.get('/api/gateway/persons/1005/sync')).body.data;
    expect(during).toMatchObject([{ deviceSn: 'PERSONA0001', state: 'pending', desired: true, holds: false, unconfirmed: [], pendingCommands: 2 }]);
    a.sim.stopHoldingResults();
    await a.sim.releaseResults();
    await a.since();
    expect(a.sim.user('1005')).toMatchObject({ Disable: '0' });
    expect(a.sim.evaluateAccess({ pin: '1005', door: 1 }).granted).toBe(true);
    expect((await t.get('/api/gateway/persons/1005/sync')).body.data).toMatchObject([{ state: 'synced', holds: true, pendingCommands: 0 }]);
    a.expectAllAcknowledged();
  });

  it('a person added and deleted before the panel polled: their commands are reported on their way, not "does not exist"', async () => {
    expect((await t.post('/api/person/add', { pin: '1006', name: 'Brief', accLevelIds: front, cardNo: '99006' })).body.code).toBe(0);
    expect((await t.post('/api/person/delete/1006')).body.code).toBe(0);
    expect((await t.get('/api/gateway/persons/1006/sync')).body).toMatchObject({
      code: 0,
      data: [{ deviceSn: 'PERSONA0001', state: 'pending', desired: false, holds: false, pendingCommands: 4 }],
    });
    expect(await a.since()).toEqual([
      'DATA UPDATE user CardNo=99006\tPin=1006\tPassword=\tStartTime=0\tEndTime=0\tName=Brief\tPrivilege=0\tDisable=0',
      'DATA UPDATE userauthorize Pin=1006\tAuthorizeTimezoneId=1\tAuthorizeDoorId=5',
      'DATA DELETE userauthorize Pin=1006',
      'DATA DELETE user Pin=1006',
    ]);
    expect(a.sim.user('1006')).toBeUndefined();
    // Nothing held, nothing on its way: the pin is unknown again.
    expect((await t.get('/api/gateway/persons/1006/sync')).body).toMatchObject({ code: -22, data: null });
  });
});

describe('person validation (manual error codes)', () => {
  it.each([
    [{ name: 'no pin' }, -20],
    [{ pin: 'a b' }, -29],
    [{ pin: '0' }, -29],
    [{ pin: '000' }, -29],
    [{ pin: '2001', cardNo: '1e+30' }, -400],
    [{ pin: '2001', cardNo: 1e30 }, -400],
    [{ pin: '2001', cardNo: 12345678901234567890 }, -400],
    [{ pin: '2001', cardNo: '-5' }, -400],
    [{ pin: '2001', supplyCards: '77,1.5' }, -400],
    [{ pin: '2001', deptCode: 'nope' }, -13],
    [{ pin: '2001', accLevelIds: '0123456789abcdef0123456789abcdef' }, -24],
    [{ pin: '2001', accStartTime: 'tomorrow' }, -100],
    [{ pin: '2001', accStartTime: '2026-02-01 00:00:00', accEndTime: '2026-01-01 00:00:00' }, -101],
    [{ pin: '2001', personPhoto: 'picture-base64' }, -27],
    [{ pin: '2001', cardNo: '123456' }, -23],
    [{ pin: '2001', personPwd: '4321' }, -26],
  ])('person/add %j → %i', async (body, code) => {
    const r = await t.post('/api/person/add', body);
    expect(r.body).toMatchObject({ code, data: null });
    expect((await t.get('/api/person/get/2001')).body.code).toBe(-22);
  });
});

describe('person reads match the manual', () => {
  it('get (2.13.3) has the seven fields of the example, and the same person\'s getPersonList item (photo fields, level ids)', async () => {
    const r = await t.get('/api/person/get/1001');
    expect(r.body).toMatchObject({ code: 0, message: 'success', data: { pin: '1001', deptCode: '1', deptName: 'Department Name', name: 'Anna', lastName: 'Lee', gender: 'F', cardNo: '123456' } });
    expect(r.body.data).toEqual((await t.post('/api/person/getPersonList', { pins: '1001', pageNo: 1, pageSize: 1 })).body.data[0]);
    const manual = manualExample('2.13.3');
    expectSameShape(r.body, { ...manual, data: { ...manual.data, ...manualExample('2.13.4').data[0], accLevelIds: '' } });
  });

  it('getPersonList (2.13.4) pages from the body or the query, filters by pins and deptCodes', async () => {
    const r = await t.post('/api/person/getPersonList', { pins: '1001,1003', deptCodes: '1', pageNo: 1, pageSize: 10 });
    expect(r.body.code).toBe(0);
    expect(r.body.data.map((p: { pin: string }) => p.pin)).toEqual(['1001']);
    const manual = manualExample('2.13.4');
    expectSameShape(r.body, { ...manual, data: manual.data.map((i: object) => ({ ...i, accLevelIds: '' })) });
    expect(r.body.data[0].personPhoto).toBe(r.body.data[0].vislightPhoto);
    const q = await t.post('/api/person/getPersonList', null, { pageNo: 1, pageSize: 10, pins: '1001' });
    expect(q.body.data.map((p: { pin: string }) => p.pin)).toEqual(['1001']);
    expect((await t.post('/api/person/getPersonList', { pageNo: 1 })).body.code).toBe(-92);
    expect((await t.post('/api/person/getPersonList', { pageNo: 0, pageSize: 10 })).body.code).toBe(-90);
    expect((await t.post('/api/person/getPersonList', { pageNo: 1, pageSize: 2147483648 })).body.code).toBe(-91);
  });

  it('v2 getPersonList (2.13.9) answers the page object with the full person, field for field', async () => {
    const r = await t.post('/api/v2/person/getPersonList', { pins: '1001', pageNo: 1, pageSize: 10 });
    expectSameShape(r.body, manualExample('2.13.9'));
    expect(r.body.data).toMatchObject({ page: 0, size: 10, total: 1, offset: 0, lastPage: true });
    expect(r.body.data.data[0]).toMatchObject({
      pin: '1001', name: 'Anna', lastName: 'Lee', gender: 'F', cardNo: '123456', personPwd: '4321', accLevelIds: front,
      accStartTime: '2026-01-01 08:00:00', accEndTime: '2026-12-31 18:00:00', hireDate: '2019-06-10', certType: '2', isDisabled: false, birthday: null,
    });
    expect(r.body.data.data[0].id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('v2 get; getQrCode answers -501 (no QR payload a reader accepts is documented), -22 for an unknown pin', async () => {
    const g = await t.get('/api/v2/person/get', { pin: '1001' });
    expect(g.body.data).toEqual((await t.post('/api/v2/person/getPersonList', { pins: '1001', pageNo: 1, pageSize: 1 })).body.data.data[0]);
    const qr = await t.post('/api/person/getQrCode/1001', { pin: '1001' });
    expect(qr.body).toEqual({ code: -501, message: expect.stringMatching(/^Not implemented by this gateway: dynamic QR codes/), data: null });
    expect((await t.post('/api/v2/person/getQrCode', null, { pin: '1001' })).body).toEqual(qr.body);
    expect((await t.post('/api/person/getQrCode/nobody', {})).body.code).toBe(-22);
  });

  it('v2 detectFace (a vendor Swagger endpoint real clients call before a face upload) answers -501, never a guessed success', async () => {
    const r = await t.post('/api/v2/person/detectFace', { personPhoto: PHOTO });
    expect([r.status, r.body]).toEqual([200, { code: -501, message: expect.stringMatching(/^Not implemented by this gateway: face detection/), data: null }]);
    expect((await t.request('POST', '/api/v2/person/detectFace', { query: {} })).body.code).toBeLessThan(0);
  });
});

describe('v2 person writes', () => {
  it('addPersons takes an array, all or nothing; deleteByPins and delete remove them from the devices', async () => {
    const bad = await t.post('/api/v2/person/addPersons', [{ pin: '3001', accLevelIds: front }, { pin: '3002', deptCode: 'nope' }]);
    expect(bad.body.code).toBe(-13);
    expect((await t.get('/api/person/get/3001')).body.code).toBe(-22);
    expect(await a.since()).toEqual([]);
    const ok = await t.post('/api/v2/person/addPersons', { persons: [{ pin: '3001', name: 'X', accLevelIds: front }, { pin: '3002', name: 'Y', accLevelIds: front }] });
    expect(ok.body).toEqual({ code: 0, message: 'success', data: null });
    const sent = await a.since();
    // One plan for the batch: both users in one multi-record command.
    expect(sent.filter((c) => c.startsWith('DATA UPDATE user '))).toEqual([expect.stringMatching(/Pin=3001\t[^\n]*\n[^\n]*Pin=3002\t/)]);
    expect((await t.post('/api/v2/person/deleteByPins', null, { pins: '3001,nobody' })).body.code).toBe(-22);
    expect((await t.post('/api/v2/person/deleteByPins', { pins: '3001' })).body.code).toBe(0);
    expect((await t.post('/api/v2/person/delete', null, { pin: '3002' })).body.code).toBe(0);
    expect((await a.since()).filter((c) => c.startsWith('DATA DELETE user '))).toEqual(['DATA DELETE user Pin=3001', 'DATA DELETE user Pin=3002']);
    expect((await t.post('/api/v2/person/deleteByPins', {})).body.code).toBe(-81);
  });

  it('addPersons takes one person on its own too (a bare object, or {"person": {...}}), as clients built around person/add send it', async () => {
    expect((await t.post('/api/v2/person/addPersons', { pin: '3021', name: 'Lone', accLevelIds: front })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/v2/person/addPersons', { person: { pin: '3022', name: 'Wrapped' } })).body.code).toBe(0);
    expect((await t.get('/api/person/get/3021')).body.data).toMatchObject({ pin: '3021', name: 'Lone' });
    expect((await t.get('/api/person/get/3022')).body.data).toMatchObject({ pin: '3022', name: 'Wrapped' });
    expect((await a.since()).filter((c) => c.startsWith('DATA UPDATE user '))).toEqual([expect.stringContaining('Pin=3021\t')]);
    // Still refused: a lone person without a pin, and bodies naming nobody.
    expect((await t.post('/api/v2/person/addPersons', { name: 'No pin' })).body.code).toBe(-20);
    for (const body of [{}, [], { persons: [] }]) expect((await t.post('/api/v2/person/addPersons', body)).body.code).toBe(-20);
  });

  it('addPersons with one bad person stores none and names the one refused (its place and pin), with its own code', async () => {
    const unknownLevel = '0123456789abcdef0123456789abcdef';
    const res = await t.post('/api/v2/person/addPersons', [{ pin: '3031', name: 'Good' }, { pin: '3032', name: 'Bad', accLevelIds: unknownLevel }]);
    expect(res.body).toEqual({ code: -24, message: `The level group does not exist: ${unknownLevel} (persons[1], pin 3032; no person of the batch was stored)`, data: null });
    expect((await t.get('/api/person/get/3031')).body.code).toBe(-22);
    const noPin = await t.post('/api/v2/person/addPersons', { persons: [{ pin: '3033', name: 'Good' }, { name: 'No pin' }] });
    expect(noPin.body.code).toBe(-20);
    expect(noPin.body.message).toMatch(/\(persons\[1\]; no person of the batch was stored\)$/);
    expect((await t.get('/api/person/get/3033')).body.code).toBe(-22);
    expect(await a.since()).toEqual([]);
  });

  it('deleteByPins takes the pins as a bare JSON array body (a List<String> request body, as addPersons takes its list), all or nothing', async () => {
    expect((await t.post('/api/v2/person/addPersons', [{ pin: '39101', name: 'H3 A', accLevelIds: front }, { pin: '39102', name: 'H3 B', accLevelIds: front }])).body.code).toBe(0);
    await a.since();
    // A pin nobody has refuses the whole list, as the comma form does.
    expect((await t.post('/api/v2/person/deleteByPins', ['39101', '39199'])).body).toEqual({ code: -22, message: 'The person does not exist: 39199', data: null });
    expect((await t.get('/api/person/get/39101')).body.code).toBe(0);
    expect((await t.post('/api/v2/person/deleteByPins', ['39101', 39102])).body).toEqual({ code: 0, message: 'success', data: null });
    for (const pin of ['39101', '39102']) expect((await t.get(`/api/person/get/${pin}`)).body.code).toBe(-22);
    expect((await a.since()).filter((c) => c.startsWith('DATA DELETE user '))).toEqual(['DATA DELETE user Pin=39101', 'DATA DELETE user Pin=39102']);
    // An empty array names nobody: -81, as an empty pins does.
    expect((await t.post('/api/v2/person/deleteByPins', [])).body.code).toBe(-81);
  });

  it('a person delete carrying templateNo (a later manual prints fingerprint deletion as v2/person/delete?pin=&templateNo=) is refused and the person kept', async () => {
    expect((await t.post('/api/person/add', { pin: '3010', name: 'Keep' })).body.code).toBe(0);
    const refusals = [
      await t.post('/api/v2/person/delete', null, { pin: '3010', templateNo: 3 }),
      await t.post('/api/v2/person/delete', { pin: '3010', TemplateNo: '3' }),
      await t.post('/api/person/delete/3010', null, { templateNo: 0 }),
      await t.post('/api/person/delete/3010', { templateNo: 3 }),
      await t.delete('/api/person/delete/3010', { templateNo: 3 }),
    ];
    for (const r of refusals) {
      expect(r.body).toMatchObject({ code: -405, data: null });
      expect(r.body.message).toContain('/api/bioTemplate/delete/3010/');
      expect(r.status).toBe(405);
    }
    expect((await t.get('/api/person/get/3010')).body.code).toBe(0);
    expect((await a.since()).filter((c) => c.startsWith('DATA DELETE user '))).toEqual([]);
    // Without templateNo (or with an empty one) the delete is the person's, as before.
    expect((await t.post('/api/v2/person/delete', null, { pin: '3010', templateNo: '' })).body.code).toBe(0);
    expect((await t.get('/api/person/get/3010')).body.code).toBe(-22);
  });
});

describe('the same person added at once by several calls (an integrator retrying, two sync jobs)', () => {
  it('every call answers success and one person is stored, as when the calls come one after the other', async () => {
    for (let round = 0; round < 3; round++) {
      const pin = `399${round}`;
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => t.post('/api/person/add', { pin, name: 'Par', ...(i % 2 ? { personPwd: `9${round}37` } : {}) })));
      expect(answers.map((r) => r.body.code)).toEqual(Array(12).fill(0));
      expect(await t.ds.query(`SELECT count(*)::int AS n FROM person WHERE pin = $1`, [pin])).toEqual([{ n: 1 }]);
    }
  });

  it('so do v2 addPersons batches naming the same new persons, and single adds among them', async () => {
    for (let round = 0; round < 3; round++) {
      const pins = [`398${round}0`, `398${round}1`, `398${round}2`];
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          i % 3 === 2 ? t.post('/api/person/add', { pin: pins[0], name: 'Single' }) : t.post('/api/v2/person/addPersons', [{ pin: pins[0], name: `Batch${i}` }, { pin: pins[1 + (i % 2)], name: 'Other' }]),
        ),
      );
      expect(answers.map((r) => r.body.code)).toEqual(Array(12).fill(0));
      expect(await t.ds.query(`SELECT pin, count(*)::int AS n FROM person WHERE pin = ANY($1) GROUP BY pin ORDER BY pin`, [pins])).toEqual(pins.map((pin) => ({ pin, n: 1 })));
    }
  });
});
