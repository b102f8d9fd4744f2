import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { buildFixture, type Fixture } from './conformance-support';

/**
 * Field by field: each write of the manual sent with its own example's values (cvsecurity-api.txt; keys the
 * fixture must own, the level ids, swapped in), then read back by the read the manual pairs with it, comparing
 * every field that read documents, in the manual's spelling and format (dates yyyy-MM-dd, times
 * yyyy-MM-dd HH:mm:ss, numbers as strings where the manual prints strings, booleans as booleans). A field the
 * write drops, or stores mangled, fails here even when the write answered success.
 */
let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp({ apiRateLimit: 0, apiIpRateLimit: 0 });
  f = await buildFixture(t);
});
afterAll(async () => {
  await t?.close();
});

const ok = async (p: Promise<HttpResult>, label: string) => {
  const r = await p;
  expect(r.body, `${label}: ${r.text.slice(0, 300)}`).toMatchObject({ code: 0 });
  return r.body.data;
};

/** The person fields 2.13.9's example prints, as a person written with 2.13.10's example reads them back. */
const reinstatedPerson = (pin: string) => ({
  pin, deptCode: '10', name: 'max', lastName: 'lastName', gender: 'F', birthday: '2016-07-15', cardNo: `12345${pin}`, supplyCards: `98${pin}`,
  isSendMail: true, mobilePhone: '15123456789', carPlate: `98${pin}`, email: '123@zkteco.com', ssn: '111111', accLevelIds: f.levelId,
  accStartTime: '2017-08-04 15:45:00', accEndTime: '2017-08-04 23:59:59', certType: '2', certNumber: `1234${pin}`, hireDate: '2019-06-10', isDisabled: false,
});

describe('each write of the manual, its example read back field by field', () => {
  it('2.13.10 person/reinstated: every field 2.13.9 v2/person/getPersonList and v2/person/get return', async () => {
    const pin = '8101';
    // Reinstating is for a person who left (2.13.6 first, with its example's fields).
    await ok(t.post('/api/person/add', { pin, name: 'Leaver' }), 'add');
    await ok(t.post('/api/person/leave', { leaveDate: '2019-06-10', leaveType: '1', pin }), 'leave');
    await ok(t.post('/api/person/reinstated', {
      pin, deptCode: '10', name: 'max', lastName: 'lastName', gender: 'F', cardNo: `12345${pin}`, birthday: '2016-07-15', carPlate: `98${pin}`,
      certNumber: `1234${pin}`, certType: '2', email: '123@zkteco.com', hireDate: ' 2019-06-10', isDisabled: false, isSendMail: true,
      mobilePhone: '15123456789', personPwd: '123456', ssn: '111111', supplyCards: `98${pin}`, accLevelIds: f.levelId,
      accStartTime: '2017-08-04 15:45:00', accEndTime: '2017-08-04 23:59:59',
    }), 'reinstated');
    const list = await ok(t.post('/api/v2/person/getPersonList', { pins: pin, pageNo: 1, pageSize: 10 }), 'v2 list');
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject(reinstatedPerson(pin));
    expect(await ok(t.get('/api/v2/person/get', { pin }), 'v2 get')).toMatchObject(reinstatedPerson(pin));
  });

  it('2.13.7 person/addPersonnelBasicInfo: every field it takes, read back by v2/person/getPersonList', async () => {
    const pin = '1234567';
    await ok(t.post('/api/person/addPersonnelBasicInfo', {
      pin, deptCode: '10', birthday: '2016-07-15', cardNo: '123456789', certNumber: '123456', certType: '2', email: '123@zkteco.com', gender: 'F',
      hireDate: ' 2019-06-10', isDisabled: false, isSendMail: true, lastName: 'lastName', mobilePhone: '15123456789', name: 'max', personPwd: '654321',
      ssn: '111111', supplyCards: '987643',
    }), 'basic info');
    const list = await ok(t.post('/api/v2/person/getPersonList', { pins: pin, pageNo: 1, pageSize: 10 }), 'v2 list');
    expect(list.data[0]).toMatchObject({
      pin, deptCode: '10', birthday: '2016-07-15', cardNo: '123456789', certNumber: '123456', certType: '2', email: '123@zkteco.com', gender: 'F',
      hireDate: '2019-06-10', isDisabled: false, isSendMail: true, lastName: 'lastName', mobilePhone: '15123456789', name: 'max', ssn: '111111', supplyCards: '987643',
    });
  });

  it('2.13.1 person/add: every field 2.13.3 person/get and 2.13.4 person/getPersonList return, with the levels and their times', async () => {
    const pin = '1234';
    await ok(t.post('/api/person/add', {
      pin, deptCode: '10', name: 'max', lastName: 'lastName', gender: 'F', cardNo: '223456789', accLevelIds: f.levelId,
      accStartTime: '2017-08-04 15:45:00', accEndTime: '2017-08-04 23:59:59',
    }), 'add');
    const want = { pin, deptCode: '10', deptName: expect.any(String), name: 'max', lastName: 'lastName', gender: 'F', cardNo: '223456789' };
    expect(await ok(t.get(`/api/person/get/${pin}`), 'get')).toMatchObject(want);
    expect(await ok(t.post('/api/person/getPersonList', { pins: pin, pageNo: 1, pageSize: 10 }), 'list')).toMatchObject([want]);
    expect(await ok(t.get('/api/v2/person/get', { pin }), 'v2 get')).toMatchObject({ ...want, accLevelIds: f.levelId, accStartTime: '2017-08-04 15:45:00', accEndTime: '2017-08-04 23:59:59' });
  });

  it('2.5.1 department/add: 2.5.3 department/get returns name, code and parentCode', async () => {
    await ok(t.post('/api/department/add', { name: 'department name', code: '456', parentCode: '10' }), 'add');
    expect(await ok(t.get('/api/department/get/456'), 'get')).toEqual({ name: 'department name', code: '456', parentCode: '10' });
    expect(await ok(t.get('/api/v2/department/get', { code: '456' }), 'v2 get')).toMatchObject({ name: 'department name', code: '456', parentCode: '10' });
  });

  it('2.4.2 card/set: 2.4.1 card/getCards returns pin, cardNo and cardType as strings', async () => {
    await ok(t.post('/api/person/add', { pin: '8401', name: 'Card' }), 'person');
    await ok(t.post('/api/card/set', { pin: '8401', cardNo: '212121', cardType: '0' }), 'set');
    expect(await ok(t.get('/api/card/getCards/8401'), 'get')).toEqual([{ pin: '8401', cardNo: '212121', cardType: '0' }]);
  });

  it('2.25.1 bioTemplate/add: 2.25.4 getFgListByPin returns every field of its example', async () => {
    await ok(t.post('/api/person/add', { pin: '666', name: 'Finger' }), 'person');
    const template = Buffer.from('fsfsfsfsfsfsfsfsfsfsfsfsfsfsfs').toString('base64');
    await ok(t.post('/api/bioTemplate/add', { personId: '666', validType: '1', template, templateNo: '3' }), 'add');
    const list = await ok(t.get('/api/bioTemplate/getFgListByPin/666'), 'get');
    expect(list).toHaveLength(1);
    expect(list[0]).toEqual({ id: expect.anything(), personId: '666', validType: 1, bioType: 1, version: '10', template, templateNo: '3', templateNoIndex: 0 });
  });

  it('2.15.1 visReservation/add: every field of its example is stored', async () => {
    await ok(t.post('/api/visReservation/add', {
      persPersonPin: f.pin, certType: '3', certNum: '84512', visitEmpName: 'Mary', visitEmpPhone: '13015648651', company: 'ZKTeco', visitReason: 'visit',
      visitDate: '2031-08-31 14:40:00', visitEndDate: '2031-08-31 23:59:59',
    }), 'add');
    const rows = await t.ds.query(
      `SELECT host_pin, cert_type, cert_num, visitor_name, phone, company, visit_reason,
              to_char(visit_date AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS') AS visit_date, to_char(visit_end_date AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS') AS visit_end_date
         FROM vis_reservation WHERE cert_num = $1`, ['84512', t.config.timeZone]);
    expect(rows).toEqual([{ host_pin: f.pin, cert_type: '3', cert_num: '84512', visitor_name: 'Mary', phone: '13015648651', company: 'ZKTeco', visit_reason: 'visit', visit_date: '2031-08-31 14:40:00', visit_end_date: '2031-08-31 23:59:59' }]);
  });

  it('2.17.1 visRegistration/add: every field of its example is stored, the gateway read returns its own', async () => {
    const now = Date.now();
    const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    // The window around now (a visit in the past is refused); the times are compared as the gateway returns them.
    const start = fmt(now - 3600_000), end = fmt(now + 3600_000);
    await ok(t.post('/api/visRegistration/add', {
      persPersonPin: f.pin, certType: '8', certNum: '8456888', visEmpName: 'max', visitEmpPhone: '13015648651', company: 'ZK', visitReason: 'visit',
      visitorCount: '2', startTime: start, endTime: end, cardNo: '8456', visLevels: f.levelId,
    }), 'add');
    const view = await ok(t.get('/api/gateway/visRegistration/get', { certType: '8', certNum: '8456888' }), 'get');
    expect(view).toMatchObject({ visEmpName: 'max', certType: '8', certNum: '8456888', persPersonPin: f.pin, cardNo: '8456', visLevels: [f.levelId], state: 'in' });
    const rows = await t.ds.query(`SELECT phone, company, visit_reason, visitor_count FROM vis_registration WHERE cert_num = $1`, ['8456888']);
    expect(rows).toEqual([{ phone: '13015648651', company: 'ZK', visit_reason: 'visit', visitor_count: 2 }]);
  });

  it('2.3.1/2.3.3 parkAuthorize add and edit: type, carNumber, fromTime and toTime are stored', async () => {
    await ok(t.post('/api/parkAuthorize/addBlackWhite', undefined, { type: '0', carNumber: 'A32212', fromTime: '2018-08-17', toTime: '2019-08-16' }), 'add');
    const read = () => t.ds.query(`SELECT car_number, type, to_char(from_date, 'YYYY-MM-DD') AS from_date, to_char(to_date, 'YYYY-MM-DD') AS to_date FROM park_authorize WHERE car_number LIKE 'A3221%' OR car_number LIKE 'B3221%'`);
    expect(await read()).toEqual([{ car_number: 'A32212', type: 0, from_date: '2018-08-17', to_date: '2019-08-16' }]);
    await ok(t.post('/api/parkAuthorize/editBlackWhite', undefined, { type: '1', carNumber: 'B32212', oldCarNumber: 'A32212', fromTime: '2018-09-17', toTime: '2019-09-16' }), 'edit');
    expect(await read()).toEqual([{ car_number: 'B32212', type: 1, from_date: '2018-09-17', to_date: '2019-09-16' }]);
  });

  it('2.23.1-2.23.3 attApply: every field of each example, read back by the gateway applications list', async () => {
    await ok(t.post('/api/attApply/applySign', { personPin: f.pin, remark: 'api', signDatetime: '2021-11-19 18:00:00' }), 'sign');
    await ok(t.post('/api/attApply/applyOvertime', { endDatetime: '2021-11-19 18:00:00', personPin: f.pin, remark: 'api', startDatetime: '2021-11-19 13:00:00' }), 'overtime');
    await ok(t.post('/api/attApply/applyLeave', { endDatetime: '2021-11-20 18:00:00', leaveImagePath: 'string', leaveTypeNo: 'L1', personPin: f.pin, remark: 'api', startDatetime: '2021-11-20 13:00:00' }), 'leave');
    const list: Array<Record<string, unknown>> = await ok(t.get('/api/gateway/attendance/applications', { personPin: f.pin }), 'list');
    const byKind = Object.fromEntries(list.map((a) => [a.kind, a]));
    expect(byKind.sign).toMatchObject({ personPin: f.pin, remark: 'api', signDatetime: '2021-11-19 18:00:00' });
    expect(byKind.overtime).toMatchObject({ personPin: f.pin, remark: 'api', startDatetime: '2021-11-19 13:00:00', endDatetime: '2021-11-19 18:00:00' });
    expect(byKind.leave).toMatchObject({ personPin: f.pin, remark: 'api', startDatetime: '2021-11-20 13:00:00', endDatetime: '2021-11-20 18:00:00', leaveTypeNo: 'L1', leaveImagePath: 'string' });
  });

  it('2.24.5 editAttPerson and 2.27.1 editInsPerson: every field is stored (the gateway read returns editAttPerson\'s)', async () => {
    await ok(t.post('/api/person/add', { pin: '8241', name: 'Att' }), 'person');
    await ok(t.post('/api/attPerson/editAttPerson', { isAttendance: false, perDevAuth: 2, personPin: 8241, verifyMode: 1 }), 'att');
    expect(await ok(t.get('/api/gateway/attendance/persons/8241'), 'get')).toMatchObject({ personPin: '8241', isAttendance: false, perDevAuth: 2, verifyMode: 1 });
    await ok(t.post('/api/attPerson/editInsPerson', { category: 1, perDevAuth: 14, personPin: 8241 }), 'ins');
    const rows = await t.ds.query(`SELECT ap.ins_category, ap.ins_per_dev_auth FROM att_person ap JOIN person p ON p.id = ap.person_id WHERE p.pin = '8241'`);
    expect(rows).toEqual([{ ins_category: 1, ins_per_dev_auth: 14 }]);
  });

  it('2.13.6 person/leave: leaveDate and leaveType are stored', async () => {
    await ok(t.post('/api/person/add', { pin: '8136', name: 'Leaves' }), 'person');
    await ok(t.post('/api/person/leave', { leaveDate: '2019-06-10', leaveType: '1', pin: '8136' }), 'leave');
    const rows = await t.ds.query(`SELECT to_char(leave_date, 'YYYY-MM-DD') AS leave_date, leave_type FROM person WHERE pin = '8136'`);
    expect(rows).toEqual([{ leave_date: '2019-06-10', leave_type: '1' }]);
  });

  it('v2/person/addPersons: every field of a person, read back by v2/person/get as 2.13.9 prints it', async () => {
    await ok(t.post('/api/v2/person/addPersons', [{
      pin: '8501', name: 'a', lastName: 'b', deptCode: '10', gender: 'M', cardNo: '8501', birthday: '2000-01-02', email: 'x@y.z', mobilePhone: '151', carPlate: 'C8501',
      ssn: '5', certType: '2', certNumber: '77', hireDate: '2020-02-03', isDisabled: true, isSendMail: false, supplyCards: '8502', personPwd: '8503',
      accLevelIds: f.levelId, accStartTime: '2020-01-01 00:00:00', accEndTime: '2030-01-01 00:00:00',
    }]), 'addPersons');
    expect(await ok(t.get('/api/v2/person/get', { pin: '8501' }), 'get')).toMatchObject({
      pin: '8501', name: 'a', lastName: 'b', deptCode: '10', gender: 'M', cardNo: '8501', birthday: '2000-01-02', email: 'x@y.z', mobilePhone: '151', carPlate: 'C8501',
      ssn: '5', certType: '2', certNumber: '77', hireDate: '2020-02-03', isDisabled: true, isSendMail: false, supplyCards: '8502', personPwd: '8503',
      accLevelIds: f.levelId, accStartTime: '2020-01-01 00:00:00', accEndTime: '2030-01-01 00:00:00',
    });
  });

  it('v2/bioTemplate/add wrapped with pin: a duress template of its own version and index reads back as sent', async () => {
    await ok(t.post('/api/person/add', { pin: '8601', name: 'Duress' }), 'person');
    const template = Buffer.from('duress finger').toString('base64');
    await ok(t.post('/api/v2/bioTemplate/add', { apiBioTemplate: { pin: '8601', validType: 3, template, templateNo: 7, bioType: 1, version: '12', templateNoIndex: 0 } }), 'add');
    expect(await ok(t.get('/api/v2/bioTemplate/getFgListByPin/8601'), 'get')).toEqual([{ id: expect.anything(), personId: '8601', validType: 3, bioType: 1, version: '12', template, templateNo: '7', templateNoIndex: 0 }]);
  });

  it('accLevel/addLevel, addLevelDoor and update/{id} (the field notes\' Swagger forms): name, area, time segment and doors are stored', async () => {
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Roundtrip', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] }), 'addLevel');
    const level = await ok(t.get('/api/accLevel/getByName/Roundtrip'), 'getByName');
    expect(level).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'Roundtrip' });
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Roundtrip', doorName: f.doors[0].name }] }), 'addLevelDoor');
    const stored = () => t.ds.query(
      `SELECT l.name, a.name AS area, ts.name AS segment, (SELECT array_agg(door_id) FROM acc_level_door d WHERE d.level_id = l.id) AS doors
         FROM acc_level l LEFT JOIN area a ON a.id = l.area_id JOIN time_segment ts ON ts.id = l.time_segment_id WHERE l.id = $1`, [level.id]);
    expect(await stored()).toEqual([{ name: 'Roundtrip', area: 'Area Name', segment: '24-Hour Accessible', doors: [f.doors[0].id] }]);
    await ok(t.request('PUT', `/api/accLevel/update/${level.id}`, { query: { access_token: t.config.apiToken }, body: JSON.stringify({ name: 'Roundtrip 2' }), headers: { 'content-type': 'application/json' } }), 'update');
    expect(await ok(t.get(`/api/accLevel/getById/${level.id}`), 'getById')).toEqual({ id: level.id, name: 'Roundtrip 2' });
    expect((await stored())[0]).toMatchObject({ area: 'Area Name', segment: '24-Hour Accessible', doors: [f.doors[0].id] });
  });

  it('2.8.2 attAreaPerson/set and 2.28.2 insAreaPerson/setAreaPerson: each pin joins the area of the code, in its own module', async () => {
    for (const pin of ['8281', '8282', '8283']) await ok(t.post('/api/person/add', { pin, name: `Area ${pin}` }), pin);
    await ok(t.post('/api/attAreaPerson/set', { code: f.areaCode, pins: ['8281'] }), 'att');
    await ok(t.post('/api/insAreaPerson/setAreaPerson', { code: Number(f.areaCode), pins: '8282,8283' }), 'ins');
    const rows = await t.ds.query(
      `SELECT ap.module, p.pin, a.code FROM att_area_person ap JOIN person p ON p.id = ap.person_id JOIN area a ON a.id = ap.area_id
        WHERE p.pin LIKE '828_' ORDER BY p.pin`);
    expect(rows).toEqual([{ module: 'att', pin: '8281', code: f.areaCode }, { module: 'ins', pin: '8282', code: f.areaCode }, { module: 'ins', pin: '8283', code: f.areaCode }]);
  });

  it('2.4.2 card/set of a secondary card (cardType 1): getCards and the person\'s supplyCards carry it beside the main card', async () => {
    await ok(t.post('/api/person/add', { pin: '8421', name: 'Cards', cardNo: '842100' }), 'person');
    await ok(t.post('/api/card/set', { pin: '8421', cardNo: '842101', cardType: '1' }), 'set');
    expect(await ok(t.get('/api/card/getCards/8421'), 'get')).toEqual([{ pin: '8421', cardNo: '842100', cardType: '0' }, { pin: '8421', cardNo: '842101', cardType: '1' }]);
    expect(await ok(t.get('/api/v2/person/get', { pin: '8421' }), 'person')).toMatchObject({ cardNo: '842100', supplyCards: '842101' });
  });
});
