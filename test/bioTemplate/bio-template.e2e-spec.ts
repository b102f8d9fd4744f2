import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, expectSameShape, levelId, manualExample, PHOTO } from '../sync/access-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { PUSH_SETTINGS, type PushSettings } from '../../src/push/push-settings';

/**
 * 2.25 biometric templates, end to end: REST → bio_template → the devices that hold the person, each in its
 * dialect (A and C speak biodata: PushVersion 3.1.2 with MultiBioDataSupport; B is an older fingerprint
 * device, PushVersion 2.2.0 → templatev10). D holds no door of the level and must never hear of the person.
 */
let t: TestApp;
let a: Device;
let b: Device;
let c: Device;
let d: Device;
let main: string;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const T3 = b64('finger three template v10 ....');
const T5 = b64('finger five duress template');
const bio = (pin: string, no: number, tmp: string, extra: { duress?: number; type?: number; index?: number; major?: number } = {}) =>
  `Pin=${pin}\tNo=${no}\tIndex=${extra.index ?? 0}\tValid=1\tDuress=${extra.duress ?? 0}\tType=${extra.type ?? 1}\tMajorVer=${extra.major ?? 10}\tMinorVer=0\tFormat=0\tTmp=${tmp}`;
const v10 = (pin: string, finger: number, tmp: string, valid = 1) => `Pin=${pin}\tFingerID=${finger}\tValid=${valid}\tTemplate=${tmp}`;

beforeAll(async () => {
  t = await startTestApp();
  a = await Device.connect(t, 'BIOA0001', 2, '10.6.0.1');
  b = await Device.connect(t, 'BIOB0001', 2, '10.6.0.2', { pushVersion: '2.2.0' });
  c = await Device.connect(t, 'BIOC0001', 1, '10.6.0.3', { multiBioDataSupport: '0:1:0:0:0:0:0:0:0:1' });
  d = await Device.connect(t, 'BIOD0001', 1, '10.6.0.4');
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Main', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
  expect(
    (await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Main', doorName: '10.6.0.1-1' }, { levelName: 'Main', doorName: '10.6.0.2-1' }, { levelName: 'Main', doorName: '10.6.0.3-1' }] })).body.code,
  ).toBe(0);
  main = await levelId(t, 'Main');
  expect((await t.post('/api/person/add', { pin: '2001', deptCode: '1', name: 'Bea', accLevelIds: main })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '2002', deptCode: '1', name: 'Cy' })).body.code).toBe(0);
  for (const dev of [a, b, c, d]) await dev.since();
  expect(a.sim.user('2001')).toBeDefined();
  expect(b.sim.user('2001')).toBeDefined();
  expect(d.sim.user('2001')).toBeUndefined();
});
afterAll(async () => {
  await t?.close();
});

describe('bioTemplate/add (2.25.1)', () => {
  it('stores the template and sends it in each device dialect: biodata to A and C, templatev10 to B, nothing to D', async () => {
    const res = await t.post('/api/bioTemplate/add', { personId: '2001', validType: '1', template: T3, templateNo: '3', unknown: 'ignored' });
    expect(res.body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 3, T3)}`]);
    expect(await b.since()).toEqual([`DATA UPDATE templatev10 ${v10('2001', 3, T3)}`]);
    expect(await c.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 3, T3)}`]);
    expect(await d.since()).toEqual([]);
    for (const dev of [a, b, c]) dev.expectAllAcknowledged();
    expect(a.sim.table('biodata')).toEqual([expect.objectContaining({ Pin: '2001', No: '3', Type: '1', Tmp: T3 })]);
    expect(b.sim.table('templatev10')).toEqual([expect.objectContaining({ Pin: '2001', FingerID: '3', Valid: '1', Template: T3 })]);
  });

  it('accepts the {apiBioTemplate:{...}} wrapper and numbers for strings; duress is Duress=1 in biodata and Valid=3 in templatev10', async () => {
    const res = await t.post('/api/bioTemplate/add', { apiBioTemplate: { personId: 2001, validType: 3, template: T5, templateNo: 5 } });
    expect(res.body).toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 5, T5, { duress: 1 })}`]);
    expect(await b.since()).toEqual([`DATA UPDATE templatev10 ${v10('2001', 5, T5, 3)}`]);
    expect(await c.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 5, T5, { duress: 1 })}`]);
  });

  it('answers the manual codes: -20 empty pin, -22 unknown person, -31 finger taken, -32 validType, -33 finger range; bad base64 and oversize are refused', async () => {
    const ok = { personId: '2001', validType: '1', template: T3, templateNo: '7' };
    await expect(t.post('/api/bioTemplate/add', { ...ok, personId: '' }).then((r) => r.body)).resolves.toEqual({ code: -20, message: expect.any(String), data: null });
    await expect(t.post('/api/bioTemplate/add', { ...ok, personId: 'nobody' }).then((r) => r.body)).resolves.toEqual({ code: -22, message: 'The person does not exist: nobody', data: null });
    await expect(t.post('/api/bioTemplate/add', { ...ok, templateNo: '3' }).then((r) => r.body)).resolves.toEqual({ code: -31, message: 'The personnel fingerprint already existed!', data: null });
    await expect(t.post('/api/bioTemplate/add', { ...ok, validType: '2' }).then((r) => r.body.code)).resolves.toBe(-32);
    await expect(t.post('/api/bioTemplate/add', { ...ok, validType: undefined }).then((r) => r.body.code)).resolves.toBe(-32);
    await expect(t.post('/api/bioTemplate/add', { ...ok, validType: '1.5' }).then((r) => r.body.code)).resolves.toBe(-32);
    await expect(t.post('/api/bioTemplate/add', { ...ok, templateNo: '10' }).then((r) => r.body)).resolves.toEqual({ code: -33, message: 'Fingerprint template index range is from 0-9!', data: null });
    await expect(t.post('/api/bioTemplate/add', { ...ok, templateNo: '-1' }).then((r) => r.body.code)).resolves.toBe(-33);
    await expect(t.post('/api/bioTemplate/add', { ...ok, template: 'not base64!' }).then((r) => r.body)).resolves.toEqual({ code: -400, message: 'template is not valid base64', data: null });
    await expect(t.post('/api/bioTemplate/add', { ...ok, template: '' }).then((r) => r.body)).resolves.toEqual({ code: -400, message: 'template cannot be empty', data: null });
    await expect(t.post('/api/bioTemplate/add', { ...ok, template: 'A'.repeat(64 * 1024 + 4) }).then((r) => r.body.code)).resolves.toBe(-400);
    await expect(t.post('/api/bioTemplate/add', { ...ok, bioType: '11' }).then((r) => r.body.code)).resolves.toBe(-400);
    for (const dev of [a, b, c, d]) expect(await dev.since()).toEqual([]);
  });

  it('the manual example body (no base64 padding) is accepted; a person on no device gets stored templates only', async () => {
    await expect(t.post('/api/bioTemplate/add', { personId: '2002', validType: '1', template: 'fsfsfsfsfsfsfsfsfsfsfsfsfsfsfs', templateNo: '3' }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    // validType "3.0" (a float serialiser's 3) is 3, duress, as templateNo "3.0" is finger 3.
    await expect(t.post('/api/bioTemplate/add', { personId: '2002', validType: '3.0', template: T5, templateNo: '6' }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/bioTemplate/getFgListByPin/2002')).body.data).toContainEqual(expect.objectContaining({ templateNo: '6', validType: 3 }));
    for (const dev of [a, b, c, d]) expect(await dev.since()).toEqual([]);
  });
});

describe('bioTemplate/getFgListByPin (2.25.4)', () => {
  it('lists the fingerprints with the manual example\'s keys and types, v1 and v2 paths', async () => {
    const res = await t.get('/api/bioTemplate/getFgListByPin/2001');
    expect(res.body).toEqual({
      code: 0,
      message: 'success',
      data: [
        { id: expect.any(Number), personId: '2001', validType: 1, bioType: 1, version: '10', template: T3, templateNo: '3', templateNoIndex: 0 },
        { id: expect.any(Number), personId: '2001', validType: 3, bioType: 1, version: '10', template: T5, templateNo: '5', templateNoIndex: 0 },
      ],
    });
    expectSameShape(res.body.data, manualExample('2.25.4').data);
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(manualExample('2.25.4')).sort());
    await expect(t.get('/api/v2/bioTemplate/getFgListByPin/2001').then((r) => r.body)).resolves.toEqual(res.body);
    await expect(t.get('/api/bioTemplate/getFgListByPin/nobody').then((r) => r.body)).resolves.toEqual({ code: -22, message: 'The person does not exist: nobody', data: null });
  });
});

describe('bioTemplate delete (2.25.2, 2.25.3) removes the template everywhere', () => {
  it('one finger by delete/{pin}/{templateNo}: Type+Pin+No on biodata devices, Pin+FingerID on templatev10; -34 the second time', async () => {
    await expect(t.delete('/api/bioTemplate/delete/2001/3').then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual(['DATA DELETE biodata Type=1\tPin=2001\tNo=3']);
    expect(await b.since()).toEqual(['DATA DELETE templatev10 Pin=2001\tFingerID=3']);
    expect(await c.since()).toEqual(['DATA DELETE biodata Type=1\tPin=2001\tNo=3']);
    expect(await d.since()).toEqual([]);
    expect(a.sim.table('biodata').map((r) => r.No)).toEqual(['5']);
    expect(b.sim.table('templatev10').map((r) => r.FingerID)).toEqual(['5']);
    // CVSecurity's own Swagger gives these deletes as POST: served under both methods, same answers.
    await expect(t.post('/api/bioTemplate/delete/2001/3').then((r) => r.body)).resolves.toEqual({ code: -34, message: 'templateNo not existed!', data: null });
    await expect(t.delete('/api/bioTemplate/delete/2001/3').then((r) => r.body)).resolves.toEqual({ code: -34, message: 'templateNo not existed!', data: null });
    await expect(t.delete('/api/bioTemplate/delete/2001/12').then((r) => r.body.code)).resolves.toBe(-33);
    await expect(t.delete('/api/bioTemplate/delete/nobody/1').then((r) => r.body.code)).resolves.toBe(-22);
  });

  it('the printed form DELETE getFgListByPin/{pin}?templateNo=, the query form (here as POST) and the v2 POST form', async () => {
    const add = (no: string) => t.post('/api/bioTemplate/add', { personId: '2001', validType: '1', template: T3, templateNo: no });
    for (const no of ['1', '2']) expect((await add(no)).body.code).toBe(0);
    await a.since();
    await b.since();
    await c.since();
    await expect(t.delete('/api/bioTemplate/getFgListByPin/2001', { templateNo: 5 }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    await expect(t.post('/api/bioTemplate/delete', undefined, { pin: '2001', templateNo: '1' }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    await expect(t.post('/api/v2/bioTemplate/delete', { pin: '2001', templateNo: 2 }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    expect(await b.since()).toEqual(['DATA DELETE templatev10 Pin=2001\tFingerID=5', 'DATA DELETE templatev10 Pin=2001\tFingerID=1', 'DATA DELETE templatev10 Pin=2001\tFingerID=2']);
    expect(await a.since()).toEqual(['DATA DELETE biodata Type=1\tPin=2001\tNo=5', 'DATA DELETE biodata Type=1\tPin=2001\tNo=1', 'DATA DELETE biodata Type=1\tPin=2001\tNo=2']);
    await c.since();
    expect(a.sim.table('biodata')).toEqual([]);
    expect(b.sim.table('templatev10')).toEqual([]);
    await expect(t.get('/api/bioTemplate/getFgListByPin/2001').then((r) => r.body.data)).resolves.toEqual([]);
    await expect(t.delete('/api/bioTemplate/delete', { pin: '', templateNo: '1' }).then((r) => r.body.code)).resolves.toBe(-20);
  });

  it('all templates of a person: deleteById/*?pin= (printed; here as POST), deleteByPin/{pin} and v2 deleteByPin', async () => {
    const add = (no: string) => t.post('/api/bioTemplate/add', { personId: '2001', validType: '1', template: T3, templateNo: no });
    expect((await add('0')).body.code).toBe(0);
    expect((await add('9')).body.code).toBe(0);
    for (const dev of [a, b, c]) await dev.since();
    await expect(t.post('/api/bioTemplate/deleteById/*', undefined, { pin: '2001' }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual(['DATA DELETE biodata Type=1\tPin=2001\tNo=0', 'DATA DELETE biodata Type=1\tPin=2001\tNo=9']);
    expect(await b.since()).toEqual(['DATA DELETE templatev10 Pin=2001']);
    expect(await d.since()).toEqual([]);
    await c.since();
    expect(b.sim.table('templatev10')).toEqual([]);
    expect((await add('4')).body.code).toBe(0);
    await expect(t.delete('/api/bioTemplate/deleteByPin/2001').then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    // The second delete (v2 deleteByPin, a retry) finds nothing left to remove: success, and the planner sends nothing for it.
    await expect(t.post('/api/v2/bioTemplate/deleteByPin', undefined, { pin: '2001' }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 4, T3)}`, 'DATA DELETE biodata Type=1\tPin=2001\tNo=4']);
    expect(await b.since()).toEqual([`DATA UPDATE templatev10 ${v10('2001', 4, T3)}`, 'DATA DELETE templatev10 Pin=2001\tFingerID=4']);
    await c.since();
    await expect(t.delete('/api/bioTemplate/deleteByPin/nobody').then((r) => r.body.code)).resolves.toBe(-22);
    await expect(t.post('/api/bioTemplate/deleteByPin/nobody').then((r) => r.body.code)).resolves.toBe(-22);
    await expect(t.post('/api/v2/bioTemplate/deleteByPin', {}).then((r) => r.body.code)).resolves.toBe(-20);
  });

  it('deleteById without its printed "*" segment (deleteById?pin=, deleteById/?pin=, POST with a body) deletes as the printed form does', async () => {
    const add = (no: string) => t.post('/api/bioTemplate/add', { personId: '2001', validType: '1', template: T3, templateNo: no });
    expect((await add('1')).body.code).toBe(0);
    for (const dev of [a, b, c]) await dev.since();
    await expect(t.delete('/api/bioTemplate/deleteById', { pin: '2001' }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    expect(await a.since()).toEqual(['DATA DELETE biodata Type=1\tPin=2001\tNo=1']);
    expect(await b.since()).toEqual(['DATA DELETE templatev10 Pin=2001\tFingerID=1']);
    await c.since();
    await expect(t.get('/api/bioTemplate/getFgListByPin/2001').then((r) => r.body.data)).resolves.toEqual([]);
    expect((await add('2')).body.code).toBe(0);
    await expect(t.delete('/api/bioTemplate/deleteById/', { pin: '2001' }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    await expect(t.get('/api/bioTemplate/getFgListByPin/2001').then((r) => r.body.data)).resolves.toEqual([]);
    expect((await add('3')).body.code).toBe(0);
    await expect(t.post('/api/bioTemplate/deleteById', { pin: '2001' }).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: null });
    await expect(t.get('/api/bioTemplate/getFgListByPin/2001').then((r) => r.body.data)).resolves.toEqual([]);
    for (const dev of [a, b, c]) await dev.since();
    expect(b.sim.table('templatev10')).toEqual([]);
    // The manual's answers, never "any is required" (a placeholder of the printed route, no input).
    await expect(t.delete('/api/bioTemplate/deleteById').then((r) => r.body)).resolves.toEqual({ code: -20, message: 'Pin number cannot be empty: pin: pin should not be empty, pin must be a string', data: null });
    await expect(t.delete('/api/bioTemplate/deleteById', { pin: 'nobody' }).then((r) => r.body.code)).resolves.toBe(-22);
  });
});

describe('enrolment at a device (tabledata upload) reaches the person\'s other devices', () => {
  it('a fingerprint enrolled at A (biodata) is stored and sent to B as templatev10 and to C as biodata, not back to A; a re-sent upload sends nothing', async () => {
    const T6 = b64('enrolled at A finger 6');
    const record = { pin: '2001', no: 6, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp: T6 };
    const up = await a.sim.uploadTable('biodata', [record]);
    expect(up.status).toBe(200);
    expect(await b.since()).toEqual([`DATA UPDATE templatev10 ${v10('2001', 6, T6)}`]);
    expect(await c.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 6, T6)}`]);
    expect(await a.since()).toEqual([]);
    expect(await d.since()).toEqual([]);
    await expect(t.get('/api/bioTemplate/getFgListByPin/2001').then((r) => r.body.data)).resolves.toEqual([
      { id: expect.any(Number), personId: '2001', validType: 1, bioType: 1, version: '10', template: T6, templateNo: '6', templateNoIndex: 0 },
    ]);
    await a.sim.uploadTable('biodata', [record]);
    for (const dev of [a, b, c]) expect(await dev.since()).toEqual([]);
  });

  it('a duress finger enrolled at the templatev10 device B (fingerid+16) reaches A and C as biodata Duress=1', async () => {
    const T8 = b64('enrolled at B finger 8 duress');
    await b.sim.uploadTable('templatev10', [{ size: T8.length, uid: 3, pin: '2001', fingerid: 24, valid: 1, template: T8, resverd: '', endtag: '' }]);
    expect(await a.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 8, T8, { duress: 1 })}`]);
    expect(await c.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 8, T8, { duress: 1 })}`]);
    expect(await b.since()).toEqual([]);
  });

  it('a NIR face (15 biodata records, Index 0-14) is stored and re-sent as one set to the biodata devices that take Type 2 only', async () => {
    const parts = Array.from({ length: 15 }, (_, i) => b64(`face part ${i}`));
    await a.sim.uploadTable('biodata', parts.map((tmp, i) => ({ pin: '2001', no: 0, index: i, valid: 1, duress: 0, type: 2, majorver: 5, minorver: 8, format: 0, tmp })));
    // C announced MultiBioDataSupport 0:1:0:0:0:0:0:0:0:1 (no NIR face); B speaks templatev10 (fingerprints only).
    expect(await c.since()).toEqual([]);
    expect(await b.since()).toEqual([]);
    const e = await Device.connect(t, 'BIOE0001', 1, '10.6.0.5');
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Main', doorName: '10.6.0.5-1' }] })).body.code).toBe(0);
    const sent = await e.since();
    for (const dev of [a, b, c]) await dev.since();
    const face = parts.map((tmp, i) => `Pin=2001\tNo=0\tIndex=${i}\tValid=1\tDuress=0\tType=2\tMajorVer=5\tMinorVer=8\tFormat=0\tTmp=${tmp}`).join('\n');
    expect(sent).toContain(`DATA UPDATE biodata ${face}`);
    expect(sent).toContain(`DATA UPDATE biodata ${bio('2001', 6, b64('enrolled at A finger 6'))}\n${bio('2001', 8, b64('enrolled at B finger 8 duress'), { duress: 1 })}`);
    e.expectAllAcknowledged();
    expect(e.sim.table('biodata').filter((r) => r.Type === '2')).toHaveLength(15);
  });

  it('a record whose template is no base64 (firmware garbage) is refused alone, logged; the good one beside it is stored and sent on', async () => {
    const T7 = b64('enrolled at A finger 7');
    const up = await a.sim.uploadTable('biodata', [
      { pin: '2001', no: 9, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp: '!!not base64 @@' },
      { pin: '2001', no: 7, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp: T7 },
    ]);
    expect(up.status).toBe(200);
    expect(await c.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 7, T7)}`]);
    expect(await b.since()).toEqual([`DATA UPDATE templatev10 ${v10('2001', 7, T7)}`]);
    const fingers = (await t.get('/api/bioTemplate/getFgListByPin/2001')).body.data as Array<{ templateNo: string; template: string }>;
    expect(fingers.find((f) => f.templateNo === '9')).toBeUndefined();
    expect(fingers.find((f) => f.templateNo === '7')?.template).toBe(T7);
    // Finger 7 off again, so the later tests see the set they expect.
    expect((await t.post('/api/bioTemplate/delete/2001/7')).body.code).toBe(0);
    for (const dev of [a, b, c, d]) await dev.since();
  });

  it('an upload for a pin the gateway does not know is not stored and goes nowhere', async () => {
    await a.sim.uploadTable('biodata', [{ pin: '9999', no: 1, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp: T3 }]);
    for (const dev of [b, c, d]) expect(await dev.since()).toEqual([]);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM bio_template t JOIN person p ON p.id = t.person_id WHERE p.pin = '9999'`);
    expect(n).toBe(0);
  });
});

describe('templates follow the person onto devices', () => {
  it('a device registered later gets the stored templates with the full sync (templatev10 form for an old device)', async () => {
    const f = await Device.connect(t, 'BIOF0001', 1, '10.6.0.6', { pushVersion: '2.1.0' });
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Main', doorName: '10.6.0.6-1' }] })).body.code).toBe(0);
    const sent = await f.since();
    for (const dev of [a, b, c]) await dev.since();
    expect(sent).toContain(`DATA UPDATE templatev10 ${v10('2001', 6, b64('enrolled at A finger 6'))}\n${v10('2001', 8, b64('enrolled at B finger 8 duress'), 3)}`);
    expect(sent.some((s) => s.startsWith('DATA UPDATE biodata'))).toBe(false);
    f.expectAllAcknowledged();
  });
});

describe('a template the panel enrolled on ENROLL_BIO (9.6.2: type=BioData, upper-case keys, MAJOR_VER/MINOR_VER)', () => {
  it('keeps its algorithm version: stored, served and sent on with MajorVer/MinorVer as uploaded', async () => {
    for (const dev of [a, b, c, d]) await dev.since();
    const T4 = b64('enroll_bio finger 4, algorithm 12');
    const F0 = b64('enroll_bio visible face, algorithm 40.1');
    const up = await c.sim.uploadRaw('/iclock/cdata', { type: 'BioData' }, `TYPE=1\tPIN=2002\tNO=4\tINDEX=0\tMAJOR_VER=12\tMINOR_VER=0\tTMP=${T4}\tBIOPHOTO=\r\nTYPE=9\tPIN=2002\tNO=0\tINDEX=0\tMAJOR_VER=40\tMINOR_VER=1\tTMP=${F0}\tBIOPHOTO=`);
    expect(up.status).toBe(200);
    const [{ rows }] = await t.ds.query(
      `SELECT json_agg(json_build_object('type', b.bio_type, 'major', b.major_ver, 'minor', b.minor_ver) ORDER BY b.bio_type) AS rows FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = '2002' AND (b.bio_type = 9 OR b.template_no = 4)`,
    );
    expect(rows).toEqual([{ type: 1, major: 12, minor: 0 }, { type: 9, major: 40, minor: 1 }]);
    expect((await t.get('/api/bioTemplate/getFgListByPin/2002')).body.data).toContainEqual(expect.objectContaining({ bioType: 1, templateNo: '4', template: T4, version: '12' }));
    // 2002 is given the level: A (biodata, finger and face) gets both templates with their versions.
    expect((await t.post('/api/accLevel/addLevelPerson', {}, { levelIds: main, pin: '2002' })).body.code).toBe(0);
    const sent = (await a.since()).join('\n');
    expect(sent).toContain(`Pin=2002\tNo=4\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=12\tMinorVer=0\tFormat=0\tTmp=${T4}`);
    expect(sent).toContain(`Pin=2002\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=40\tMinorVer=1\tFormat=0\tTmp=${F0}`);
    for (const dev of [b, c, d]) await dev.since();
  });
});

describe('remote enrolment at a panel (ENROLL_BIO, 9.6.2; gateway extension)', () => {
  it('an operator has a finger enrolled at C: C keeps it, its upload is stored and reaches the person\'s other devices', async () => {
    for (const dev of [a, b, c, d]) await dev.since();
    const r = await t.post('/api/gateway/devices/BIOC0001/control', { action: 'enroll', pin: '2001', bioType: '1', templateNo: 1 });
    expect(r.body).toMatchObject({ code: 0, data: { deviceSn: 'BIOC0001', command: 'ENROLL_BIO TYPE=1\tNO=1\tPIN=2001\tRETRY=3\tOVERWRITE=1\tMODE=1', validSeconds: 60 } });
    expect(await c.since()).toEqual([r.body.data.command]);
    c.expectAllAcknowledged();
    const tmp = b64('enrolled at BIOC0001: type 1 pin 2001 no 1');
    expect(c.sim.table('biodata')).toContainEqual(expect.objectContaining({ Pin: '2001', No: '1', Type: '1', Tmp: tmp }));
    expect(await a.since()).toEqual([`DATA UPDATE biodata ${bio('2001', 1, tmp, { major: 12 })}`]);
    // A finger of algorithm 12 is no template for B's ZKFinger 10 (templatev10): it goes to the biodata devices only.
    expect(await b.since()).toEqual([]);
    expect(await c.since()).toEqual([]);
    expect(await d.since()).toEqual([]);
    expect((await t.get('/api/bioTemplate/getFgListByPin/2001')).body.data).toContainEqual(expect.objectContaining({ templateNo: '1', template: tmp, version: '12' }));
    expect((await t.post('/api/gateway/devices/BIOC0001/control', { action: 'enroll', pin: 'nobody' })).body.code).toBe(-22);
    expect((await t.post('/api/gateway/devices/BIOC0001/control', { action: 'enroll' })).body.code).toBe(-20);
    expect((await t.post('/api/gateway/devices/BIOC0001/control', { action: 'enroll', pin: '2001', bioType: 3 })).body.code).toBe(-400);
    expect((await t.post('/api/gateway/devices/BIOC0001/control', { action: 'enroll', pin: '2001', templateNo: 10 })).body.code).toBe(-400);
    expect(await c.since()).toEqual([]);
  });
});

describe('an enrolment takes the person\'s time', () => {
  it('the panel polls on while the person enrols: ENROLL_BIO is not sent again (it would restart the enrolment); the late result completes it', async () => {
    for (const dev of [a, b, c, d]) await dev.since();
    const settings = t.app.get<PushSettings>(PUSH_SETTINGS);
    const lostReplyMs = settings.lostReplyMs;
    settings.lostReplyMs = 150;
    try {
      c.sim.holdResults((cmd) => cmd.verb === 'ENROLL_BIO');
      const r = await t.post('/api/gateway/devices/BIOC0001/control', { action: 'enroll', pin: '2001', bioType: 1, templateNo: 2 });
      expect((await c.sim.poll()).map((x) => x.command)).toEqual([r.body.data.command]);
      await new Promise((res) => setTimeout(res, 300));
      expect(await c.sim.poll()).toEqual([]);
      await new Promise((res) => setTimeout(res, 300));
      expect(await c.sim.poll()).toEqual([]);
      c.sim.stopHoldingResults();
      await c.sim.releaseResults();
      const [cmd] = (await t.get('/api/gateway/devices/BIOC0001/commands', { state: 'done' })).body.data.data;
      expect(cmd).toMatchObject({ id: r.body.data.commandId, command: r.body.data.command, attempts: 1, returnCode: 0 });
    } finally {
      settings.lostReplyMs = lostReplyMs;
    }
    for (const dev of [a, b, c, d]) await dev.since();
  });
});

describe('person photos take the same path (person/add and updatePersonnelPhoto)', () => {
  it('a new photo reaches the face devices as biophoto (Type 9), never the old fingerprint device, for both endpoints', async () => {
    for (const dev of [a, b, c, d]) await dev.since();
    expect((await t.post('/api/person/updatePersonnelPhoto', { pin: '2001', personPhoto: PHOTO })).body).toEqual({ code: 0, message: 'success', data: null });
    const photoLine = (p: string) => `DATA UPDATE biophoto PIN=2001\tType=9\tNo=0\tIndex=0\tSize=${p.length}\tContent=${p}\tFormat=0`;
    expect((await a.since()).at(-1)).toBe(photoLine(PHOTO));
    expect((await c.since()).at(-1)).toBe(photoLine(PHOTO));
    expect((await b.since()).filter((l) => /biophoto|userpic/.test(l))).toEqual([]);
    const photo2 = Buffer.from([0xff, 0xd8, 0xff, 0xe1, 9, 8, 7, 6, 5]).toString('base64');
    expect((await t.post('/api/person/add', { pin: '2001', deptCode: '1', name: 'Bea', personPhoto: photo2, accLevelIds: main })).body.code).toBe(0);
    expect((await a.since()).at(-1)).toBe(photoLine(photo2));
    expect((await b.since()).filter((l) => /biophoto|userpic/.test(l))).toEqual([]);
    await c.since();
    expect(a.sim.table('biophoto')).toEqual([expect.objectContaining({ PIN: '2001', Type: '9', Content: photo2 })]);
    expect((await t.post('/api/person/updatePersonnelPhoto', { pin: '2001', personPhoto: 'bm90IGEgcGhvdG8=' })).body.code).toBe(-27);
  });
});

describe('bioTemplate/add at once', () => {
  it('one finger added by several calls at once: one success, the others -31 as in turn (not a bare -409)', async () => {
    expect((await t.post('/api/person/add', { pin: '2099', name: 'Race' })).body.code).toBe(0);
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.post('/api/bioTemplate/add', { personId: '2099', validType: '1', template: T3, templateNo: '8' })));
    const codes = answers.map((r) => r.body.code).sort();
    expect(codes).toEqual([-31, -31, -31, -31, -31, -31, -31, 0]);
    expect(await t.ds.query(`SELECT count(*)::int AS n FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = '2099' AND b.template_no = 8`)).toEqual([{ n: 1 }]);
  });
});
