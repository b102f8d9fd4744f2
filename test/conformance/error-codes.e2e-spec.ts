import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualEndpoint } from '../door/cv-examples';
import { readSpecJson } from '../fixtures/spec-files';
import { startTestApp, type HttpResult, type TestApp } from '../support/test-app';
import { buildFixture, PHOTO, type Fixture } from './conformance-support';

/**
 * 4. The obvious failure of each endpoint (a required input missing, an unknown pin/id/code, bad paging, a
 * bad time) answers the manual's appendix code where one fits. The codes are checked against the
 * catalogue's likelyErrorCodes of the section (an inference, as the manual maps no code to an endpoint);
 * where no appendix code fits (an unknown device SN, an unknown event id), the gateway's -404 is expected
 * and marked so.
 */
let t: TestApp;
let f: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  f = await buildFixture(t);
  // A second person, whose card and password the first may not take; a department that holds a person.
  expect((await t.post('/api/person/add', { pin: '200', name: 'Other', deptCode: '10', cardNo: '5550200', personPwd: '8080' })).body.code).toBe(0);
  // A resigned person, the one 2.13.10 can reinstate.
  expect((await t.post('/api/person/add', { pin: '201', name: 'Gone' })).body.code).toBe(0);
  expect((await t.post('/api/person/leave', { pin: '201', leaveDate: '2019-06-10' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

const none = 'f'.repeat(32);
const page = { pageNo: 1, pageSize: 10 };
const q = (query: Record<string, unknown>) => ({ access_token: t.config.apiToken, ...query });
const del = (path: string, query: Record<string, unknown> = {}) => t.request('DELETE', path, { query: q(query) });

/** [section, what fails, call, the code; `gateway` marks a code outside the appendix (no appendix code fits)] */
/**
 * 'gateway': a code of the gateway's own, which the manual does not list for the endpoint. 'appendix': a code of the
 * manual's appendix (3.1) where it applies, which the digest's guess of the endpoint's codes leaves out (-25 on 2.1.5).
 */
type Case = [string, string, () => Promise<HttpResult>, number, ('gateway' | 'appendix')?];

const paging = (section: string, call: (p: Record<string, unknown>) => Promise<HttpResult>, cap = false): Case[] => [
  [section, 'no pageNo/pageSize', () => call({}), -92],
  [section, 'pageNo 0', () => call({ pageNo: 0, pageSize: 10 }), -90],
  [section, 'pageSize -1', () => call({ pageNo: 1, pageSize: -1 }), -90],
  // Forms a Java server refuses as an Integer, which Number() would read as pages 10 and 16.
  [section, 'pageNo 1e1', () => call({ pageNo: '1e1', pageSize: 10 }), -90],
  [section, 'pageSize 0x10', () => call({ pageNo: 1, pageSize: '0x10' }), -90],
  ...(cap ? [[section, 'pageSize 1001', () => call({ pageNo: 1, pageSize: 1001 }), -91] as Case] : []),
];
const dates = (section: string, call: (p: Record<string, unknown>) => Promise<HttpResult>): Case[] => [
  [section, 'a startDate that is no time', () => call({ ...page, startDate: 'yesterday' }), -100],
  [section, 'startDate after endDate', () => call({ ...page, startDate: '2024-03-02 00:00:00', endDate: '2024-03-01 00:00:00' }), -101],
];

const CASES = (): Case[] => [
  ['2.1.1', 'no pin', () => t.post('/api/accLevel/deleteLevel', undefined, { levelIds: f.levelId }), -42],
  ['2.1.1', 'no levelIds', () => t.post('/api/accLevel/deleteLevel', undefined, { pin: f.pin }), -42],
  ['2.1.1', 'an unknown pin', () => t.post('/api/accLevel/deleteLevel', undefined, { pin: 'nobody', levelIds: f.levelId }), -22],
  ['2.1.1', 'an unknown level', () => t.post('/api/accLevel/deleteLevel', undefined, { pin: f.pin, levelIds: none }), -24],
  ['2.1.2', 'an unknown id', () => t.get(`/api/accLevel/getById/${none}`), -24],
  ['2.1.3', 'an unknown name', () => t.get('/api/accLevel/getByName/nothing'), -24],
  ...paging('2.1.4', (p) => t.get('/api/accLevel/list', p)),
  ['2.1.5', 'no levelId', () => t.post('/api/accLevel/syncLevel'), -43],
  ['2.1.5', 'an unknown level', () => t.post('/api/accLevel/syncLevel', undefined, { levelId: none }), -24],
  ['2.1.5', 'a level nobody holds', async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Nobody here' }] })).body.code).toBe(0);
    const id = (await t.get('/api/accLevel/getByName/Nobody here')).body.data.id;
    return t.post('/api/accLevel/syncLevel', undefined, { levelId: id });
  }, -25, 'appendix'],
  ['2.1.6', 'no pin', () => t.post('/api/accLevel/syncPerson', undefined, { levelIds: f.levelId }), -42],
  ['2.1.6', 'no levelIds', () => t.post('/api/accLevel/syncPerson', undefined, { pin: f.pin }), -42],
  ['2.1.6', 'an unknown pin', () => t.post('/api/accLevel/syncPerson', undefined, { pin: 'nobody', levelIds: f.levelId }), -22],
  ['2.1.6', 'an unknown level', () => t.post('/api/accLevel/syncPerson', undefined, { pin: f.pin, levelIds: none }), -24],
  ...paging('2.1.7', (p) => t.get('/api/v2/accLevel/list', p)),
  ['2.4.1', 'an unknown pin', () => t.get('/api/card/getCards/nobody'), -22],
  ['2.4.2', 'no pin', () => t.post('/api/card/set', { cardNo: '1' }), -20],
  ['2.4.2', 'an unknown pin', () => t.post('/api/card/set', { pin: 'nobody', cardNo: '1' }), -22],
  ['2.4.2', "another person's card", () => t.post('/api/card/set', { pin: f.pin, cardNo: '5550200', cardType: '0' }), -23],
  ['2.5.1', 'no code', () => t.post('/api/department/add', { name: 'No code' }), -10],
  ['2.5.1', 'no name', () => t.post('/api/department/add', { code: '77' }), -10],
  ['2.5.1', 'an unknown parent', () => t.post('/api/department/add', { code: '77', name: 'Orphan', parentCode: 'nope' }), -13],
  ['2.5.1', 'itself as parent', () => t.post('/api/department/add', { code: f.deptCode, name: 'Engineering', parentCode: f.deptCode }), -14],
  ['2.5.2', 'an unknown code', () => del('/api/department/delete/nope'), -13],
  ['2.5.2', 'a department with persons', () => del(`/api/department/delete/${f.deptCode}`), -15],
  ['2.5.3', 'an unknown code', () => t.get('/api/department/get/nope'), -13],
  ['2.7.1', 'an unknown area', () => t.get('/api/attAreaPerson/area/get/nope'), -80],
  ...paging('2.7.2', (p) => t.get('/api/attAreaPerson/area/list', p)),
  ...paging('2.9.1', (p) => t.get('/api/device/accList', p)),
  ['2.9.2', 'no sn', () => t.get('/api/device/getAcc'), -48],
  ['2.9.2', 'an unknown sn', () => t.get('/api/device/getAcc', { sn: 'NOPE' }), -404, 'gateway'],
  ...paging('2.9.3', (p) => t.get('/api/v2/device/list', p)),
  ['2.11.2', 'no doorId', () => t.get('/api/door/doorStateById', { timestamp: 1 }), -44],
  ['2.11.2', 'an unknown door', () => t.get('/api/door/doorStateById', { doorId: none, timestamp: 1 }), -47],
  ['2.11.3', 'no deviceSn', () => t.get('/api/door/doorStateBySn', { timestamp: 1 }), -48],
  ['2.11.3', 'an unknown sn', () => t.get('/api/door/doorStateBySn', { deviceSn: 'NOPE', timestamp: 1 }), -404, 'gateway'],
  ['2.11.4', 'no id', () => t.get('/api/door/get'), -44],
  ['2.11.4', 'an unknown door', () => t.get('/api/door/get', { id: none }), -47],
  ...paging('2.11.5', (p) => t.get('/api/door/list', p)),
  ['2.11.6', 'no doorId', () => t.post('/api/door/remoteoffById'), -44],
  ['2.11.6', 'an unknown door', () => t.post('/api/door/remoteCloseById', undefined, { doorId: none }), -47],
  ['2.11.7', 'no doorName', () => t.post('/api/door/remoteoffByName'), -46],
  ['2.11.7', 'an unknown door', () => t.post('/api/door/remoteCloseByName', undefined, { doorName: 'nope' }), -47],
  ['2.11.8', 'no doorId', () => t.post('/api/door/remoteOpenById', undefined, { interval: 5 }), -44],
  ['2.11.8', 'no interval', () => t.post('/api/door/remoteOpenById', undefined, { doorId: f.doors[0].id }), -202],
  ['2.11.8', 'interval 0', () => t.post('/api/door/remoteOpenById', undefined, { doorId: f.doors[0].id, interval: 0 }), -203],
  ['2.11.8', 'interval 255', () => t.post('/api/door/remoteOpenById', undefined, { doorId: f.doors[0].id, interval: 255 }), -45],
  // Forms Java refuses as an Integer, which Number() read as 10 and 16 seconds.
  ['2.11.8', 'interval 1e1', () => t.post('/api/door/remoteOpenById', undefined, { doorId: f.doors[0].id, interval: '1e1' }), -45],
  ['2.11.8', 'interval 0x10', () => t.post('/api/door/remoteOpenById', undefined, { doorId: f.doors[0].id, interval: '0x10' }), -45],
  ['2.11.8', 'an unknown door', () => t.post('/api/door/remoteOpenById', undefined, { doorId: none, interval: 5 }), -47],
  ['2.11.9', 'no doorName', () => t.post('/api/door/remoteOpenByName', undefined, { interval: 5 }), -46],
  ['2.11.9', 'an unknown door', () => t.post('/api/door/remoteOpenByName', undefined, { doorName: 'nope', interval: 5 }), -47],
  ...paging('2.11.10', (p) => t.get('/api/v2/door/list', p)),
  ['2.13.1', 'no pin', () => t.post('/api/person/add', { name: 'No pin' }), -20],
  ['2.13.1', 'a pin with a space', () => t.post('/api/person/add', { pin: 'a b' }), -29],
  ['2.13.1', 'an unknown department', () => t.post('/api/person/add', { pin: '300', deptCode: 'nope' }), -13],
  ['2.13.1', 'an unknown level', () => t.post('/api/person/add', { pin: '300', accLevelIds: none }), -24],
  ['2.13.1', 'a bad accStartTime', () => t.post('/api/person/add', { pin: '300', accStartTime: '01/01/2024' }), -100],
  ['2.13.1', 'accStartTime after accEndTime', () => t.post('/api/person/add', { pin: '300', accStartTime: '2024-02-01 00:00:00', accEndTime: '2024-01-01 00:00:00' }), -101],
  ['2.13.1', 'a photo that is no picture', () => t.post('/api/person/add', { pin: '300', personPhoto: 'picture-base64' }), -27],
  ['2.13.1', "another person's card", () => t.post('/api/person/add', { pin: '300', cardNo: '5550200' }), -23],
  ['2.13.1', "another person's password", () => t.post('/api/person/add', { pin: '300', personPwd: '8080' }), -26],
  ['2.13.2', 'an unknown pin', () => del('/api/person/delete/nobody'), -22],
  ['2.13.3', 'an unknown pin', () => t.get('/api/person/get/nobody'), -22],
  ...paging('2.13.4', (p) => t.post('/api/person/getPersonList', p)),
  ['2.13.5', 'an unknown pin', () => t.post('/api/person/getQrCode/nobody', { pin: 'nobody' }), -22],
  ['2.13.6', 'no pin', () => t.post('/api/person/leave', { leaveDate: '2019-06-10', leaveType: '1' }), -20],
  ['2.13.6', 'an unknown pin', () => t.post('/api/person/leave', { pin: 'nobody', leaveDate: '2019-06-10', leaveType: '1' }), -22],
  ['2.13.6', 'a bad leaveDate', () => t.post('/api/person/leave', { pin: '200', leaveDate: '10.06.2019', leaveType: '1' }), -100],
  ['2.13.7', 'no pin', () => t.post('/api/person/addPersonnelBasicInfo', { name: 'x' }), -20],
  ['2.13.7', 'a bad birthday', () => t.post('/api/person/addPersonnelBasicInfo', { pin: '301', birthday: '15/07/2016' }), -100],
  ['2.13.8', 'no pin', () => t.post('/api/person/updatePersonnelPhoto', { personPhoto: PHOTO }), -20],
  ['2.13.8', 'an unknown pin', () => t.post('/api/person/updatePersonnelPhoto', { pin: 'nobody', personPhoto: PHOTO }), -22],
  ['2.13.8', 'a photo that is no picture', () => t.post('/api/person/updatePersonnelPhoto', { pin: f.pin, personPhoto: 'string' }), -27],
  ...paging('2.13.9', (p) => t.post('/api/v2/person/getPersonList', p)),
  ['2.13.10', 'no pin', () => t.post('/api/person/reinstated', { name: 'x' }), -20],
  ['2.13.10', 'an unknown department', () => t.post('/api/person/reinstated', { pin: '201', deptCode: 'nope' }), -13],
  ...paging('2.14.1', (p) => t.get('/api/reader/accList', p)),
  ['2.14.2', 'no id', () => t.get('/api/reader/getAcc'), -263],
  ['2.14.2', 'an unknown reader', () => t.get('/api/reader/getAcc', { id: none }), -264],
  ['2.15.1', 'no host pin', () => t.post('/api/visReservation/add', { certType: '3', certNum: '1', visitEmpName: 'M', visitReason: 'v', visitDate: '2030-01-01 10:00:00', visitEndDate: '2030-01-01 12:00:00' }), -240],
  ['2.15.1', 'no certType', () => t.post('/api/visReservation/add', { persPersonPin: f.pin, certNum: '1', visitEmpName: 'M', visitReason: 'v', visitDate: '2030-01-01 10:00:00', visitEndDate: '2030-01-01 12:00:00' }), -241],
  ['2.15.1', 'no certNum', () => t.post('/api/visReservation/add', { persPersonPin: f.pin, certType: '3', visitEmpName: 'M', visitReason: 'v', visitDate: '2030-01-01 10:00:00', visitEndDate: '2030-01-01 12:00:00' }), -242],
  ['2.15.1', 'no visitor name', () => t.post('/api/visReservation/add', { persPersonPin: f.pin, certType: '3', certNum: '1', visitReason: 'v', visitDate: '2030-01-01 10:00:00', visitEndDate: '2030-01-01 12:00:00' }), -243],
  ['2.15.1', 'no visitReason', () => t.post('/api/visReservation/add', { persPersonPin: f.pin, certType: '3', certNum: '1', visitEmpName: 'M', visitDate: '2030-01-01 10:00:00', visitEndDate: '2030-01-01 12:00:00' }), -246],
  ['2.15.1', 'no visitDate', () => t.post('/api/visReservation/add', { persPersonPin: f.pin, certType: '3', certNum: '1', visitEmpName: 'M', visitReason: 'v', visitEndDate: '2030-01-01 12:00:00' }), -247],
  ['2.15.1', 'a bad visitDate', () => t.post('/api/visReservation/add', { persPersonPin: f.pin, certType: '3', certNum: '1', visitEmpName: 'M', visitReason: 'v', visitDate: '01.01.2030', visitEndDate: '2030-01-01 12:00:00' }), -249],
  ['2.15.1', 'an invalid certType', () => t.post('/api/visReservation/add', { persPersonPin: f.pin, certType: '99', certNum: '1', visitEmpName: 'M', visitReason: 'v', visitDate: '2030-01-01 10:00:00', visitEndDate: '2030-01-01 12:00:00' }), -250],
  ['2.15.1', 'an unknown host', () => t.post('/api/visReservation/add', { persPersonPin: 'nobody', certType: '3', certNum: '1', visitEmpName: 'M', visitReason: 'v', visitDate: '2030-01-01 10:00:00', visitEndDate: '2030-01-01 12:00:00' }), -253],
  ['2.15.1', 'the same reservation again', () => t.post('/api/visReservation/add', { persPersonPin: f.pin, certType: '3', certNum: '4512', visitEmpName: 'Mary', visitReason: 'visit', visitDate: '2030-08-31 14:40:00', visitEndDate: '2030-08-31 23:59:59' }), -244],
  ['2.15.2', 'no certType', () => t.post('/api/visReservation/del', undefined, { certNum: '4512', visitDate: '2030-08-31 14:40:00' }), -241],
  ['2.15.2', 'no certNum', () => t.post('/api/visReservation/del', undefined, { certType: '3', visitDate: '2030-08-31 14:40:00' }), -242],
  ['2.15.2', 'no visitDate', () => t.post('/api/visReservation/del', undefined, { certType: '3', certNum: '4512' }), -247],
  ['2.15.2', 'a bad visitDate', () => t.post('/api/visReservation/del', undefined, { certType: '3', certNum: '4512', visitDate: 'someday' }), -249],
  ['2.15.2', 'no such reservation', () => t.post('/api/visReservation/del', undefined, { certType: '3', certNum: '4512', visitDate: '2031-01-01 00:00:00' }), -248],
  ...paging('2.16.1', (p) => t.get('/api/visLevel/list', p)),
  ['2.17.1', 'no host pin', () => t.post('/api/visRegistration/add', { certType: '8', certNum: '9', visEmpName: 'M', visitReason: 'v', startTime: '2030-01-01 10:00:00', endTime: '2030-01-01 12:00:00' }), -240],
  ['2.17.1', 'an unknown host', () => t.post('/api/visRegistration/add', { persPersonPin: 'nobody', certType: '8', certNum: '9', visEmpName: 'M', visitReason: 'v', visitorCount: '1', startTime: '2030-01-01 10:00:00', endTime: '2030-01-01 12:00:00' }), -253],
  ['2.17.1', 'no visitor name', () => t.post('/api/visRegistration/add', { persPersonPin: f.pin, certType: '8', certNum: '9', visitReason: 'v', startTime: '2030-01-01 10:00:00', endTime: '2030-01-01 12:00:00' }), -243],
  ['2.17.1', 'no visitorCount (required, "must be bigger than 0")', () => t.post('/api/visRegistration/add', { persPersonPin: f.pin, certType: '8', certNum: '9', visEmpName: 'M', visitReason: 'v', startTime: '2030-01-01 10:00:00', endTime: '2030-01-01 12:00:00' }), -258],
  ['2.17.1', 'a bad startTime', () => t.post('/api/visRegistration/add', { persPersonPin: f.pin, certType: '8', certNum: '9', visEmpName: 'M', visitReason: 'v', visitorCount: '1', startTime: 'now', endTime: '2030-01-01 12:00:00' }), -249],
  ['2.17.1', 'visitorCount 0', () => t.post('/api/visRegistration/add', { persPersonPin: f.pin, certType: '8', certNum: '9', visEmpName: 'M', visitReason: 'v', visitorCount: '0', startTime: '2030-01-01 10:00:00', endTime: '2030-01-01 12:00:00' }), -258],
  ['2.17.1', 'a visitor already checked in', () => t.post('/api/visRegistration/add', { persPersonPin: f.pin, certType: '8', certNum: '456888', visEmpName: 'Max', visitReason: 'visit', visitorCount: '1', startTime: '2030-01-01 10:00:00', endTime: '2030-01-01 12:00:00' }), -255],
  ['2.17.2', 'no certType', () => t.post('/api/visRegistration/exit', undefined, { certNum: '456888' }), -241],
  ['2.17.2', 'no certNum', () => t.post('/api/visRegistration/exit', undefined, { certType: '8' }), -242],
  ['2.17.2', 'a visitor never registered', () => t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: '000000' }), -257],
  ['2.17.2', 'a visitor already checked out', async () => {
    const visit = { persPersonPin: f.pin, certType: '8', certNum: '121212', visEmpName: 'Once', visitReason: 'visit', visitorCount: '1', startTime: '2024-01-01 00:00:00', endTime: '2030-01-01 00:00:00' };
    expect((await t.post('/api/visRegistration/add', visit)).body.code).toBe(0);
    expect((await t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: '121212' })).body.code).toBe(0);
    return t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: '121212' });
  }, -256],
  ['2.17.3', 'an unknown visitor', () => t.post('/api/visRegistration/getQrCode/89999999', { pin: '89999999' }), -257],
  ...paging('2.18.1', (p) => t.get(`/api/transaction/device/${f.sn}`, p), true),
  ...paging('2.18.2', (p) => t.get(`/api/v2/transaction/device/${f.sn}`, p), true),
  ...dates('2.18.2', (p) => t.get(`/api/v2/transaction/device/${f.sn}`, p)),
  ...paging('2.18.3', (p) => t.get('/api/transaction/list', p), true),
  ...dates('2.18.3', (p) => t.get('/api/transaction/list', p)),
  ...paging('2.18.4', (p) => t.get('/api/v2/transaction/list', p), true),
  ...dates('2.18.4', (p) => t.get('/api/v2/transaction/list', p)),
  ['2.18.5', 'a timestamp that is no number', () => t.get('/api/transaction/monitor', { timestamp: 'yesterday' }), -100],
  ...paging('2.18.6', (p) => t.get(`/api/transaction/person/${f.pin}`, p), true),
  ...paging('2.18.7', (p) => t.get(`/api/v2/transaction/person/${f.pin}`, p), true),
  ...dates('2.18.7', (p) => t.get(`/api/v2/transaction/person/${f.pin}`, p)),
  ...paging('2.18.8', (p) => t.get(`/api/transaction/firstInAndLastOut/${f.pin}`, p), true),
  ...dates('2.18.8', (p) => t.get(`/api/transaction/firstInAndLastOut/${f.pin}`, p)),
  ...paging('2.18.9', (p) => t.get(`/api/v2/transaction/firstInAndLastOut/${f.pin}`, p), true),
  ...dates('2.18.9', (p) => t.get(`/api/v2/transaction/firstInAndLastOut/${f.pin}`, p)),
  ['2.18.13', 'an unknown event', () => t.get(`/api/transaction/getById/${none}`), -404, 'gateway'],
  ['2.25.1', 'no personId', () => t.post('/api/bioTemplate/add', { validType: '1', template: 'eA==', templateNo: '4' }), -20],
  ['2.25.1', 'an unknown person', () => t.post('/api/bioTemplate/add', { personId: 'nobody', validType: '1', template: 'eA==', templateNo: '4' }), -22],
  ['2.25.1', 'an unknown person (v2 path)', () => t.post('/api/v2/bioTemplate/add', { personId: 'nobody', validType: '1', template: 'eA==', templateNo: '4' }), -22],
  ['2.25.1', 'a finger that has a template', () => t.post('/api/bioTemplate/add', { personId: f.pin, validType: '1', template: 'eA==', templateNo: '3' }), -31],
  ['2.25.1', 'validType 2', () => t.post('/api/bioTemplate/add', { personId: f.pin, validType: '2', template: 'eA==', templateNo: '4' }), -32],
  ['2.25.1', 'templateNo 10', () => t.post('/api/bioTemplate/add', { personId: f.pin, validType: '1', template: 'eA==', templateNo: '10' }), -33],
  ['2.25.2', 'an unknown person', () => del('/api/bioTemplate/getFgListByPin/nobody', { templateNo: 3 }), -22],
  ['2.25.2', 'templateNo 12', () => del(`/api/bioTemplate/delete/${f.pin}/12`), -33],
  ['2.25.2', 'a finger without a template', () => del(`/api/bioTemplate/delete/${f.pin}/9`), -34],
  ['2.25.3', 'no pin', () => del('/api/bioTemplate/deleteById/*'), -20],
  ['2.25.3', 'an unknown person', () => del('/api/bioTemplate/deleteByPin/nobody'), -22],
  ['2.25.4', 'an unknown person', () => t.get('/api/bioTemplate/getFgListByPin/nobody'), -22],
  ['2.23.1', 'no personPin', () => t.post('/api/attApply/applySign', { remark: 'api', signDatetime: '2021-11-19 18:00:00' }), -20],
  ['2.23.1', 'an unknown person', () => t.post('/api/attApply/applySign', { personPin: 'nobody', remark: 'api', signDatetime: '2021-11-19 18:00:00' }), -22],
  ['2.23.1', 'a bad signDatetime', () => t.post('/api/attApply/applySign', { personPin: f.pin, remark: 'api', signDatetime: 'yesterday' }), -100],
  ['2.23.2', 'startDatetime after endDatetime', () => t.post('/api/attApply/applyOvertime', { personPin: f.pin, remark: 'api', startDatetime: '2021-11-19 18:00:00', endDatetime: '2021-11-19 13:00:00' }), -101],
  ['2.23.3', 'an unknown person', () => t.post('/api/attApply/applyLeave', { personPin: 'nobody', leaveTypeNo: 'L1', startDatetime: '2021-11-19 13:00:00', endDatetime: '2021-11-19 18:00:00' }), -22],
  ['2.23.6', 'an unknown person', () => t.post('/api/attApply/getApplyTimeLong', { personPin: 'nobody', startDatetime: '2021-11-19 13:00:00', endDatetime: '2021-11-19 18:00:00', leaveTypeNo: 'L1' }), -22],
  ['2.23.3', 'startDatetime equal to endDatetime', () => t.post('/api/attApply/applyLeave', { personPin: f.pin, leaveTypeNo: 'L1', startDatetime: '2021-11-19 13:00:00', endDatetime: '2021-11-19 13:00:00' }), -101],
];

/** The appendix's message of each code (3.1). */
const APPENDIX = new Map(readSpecJson<{ errorCodes: Array<{ code: number; message: string }> }>('cvsecurity-api.json').errorCodes.map((e) => [e.code, e.message]));

describe('the manual\'s error codes', () => {
  it.each(CASES().map(([section, what, call, code, kind]) => [`${section} ${what} → ${code}`, section, call, code, kind] as const))('%s', async (_name, section, call, code, kind) => {
    const res = await call();
    expect(res.body, res.text.slice(0, 300)).toMatchObject({ code, data: null });
    expect(typeof res.body.message).toBe('string');
    // The appendix's text leads the message (clients show or match it); a detail may follow.
    if (kind !== 'gateway') expect(res.body.message.startsWith(APPENDIX.get(code)!), `"${res.body.message}" does not start with the appendix's text`).toBe(true);
    // An unknown person is named (every case asks for pin 'nobody'): a client writing many persons can tell which one.
    if (code === -22) expect(res.body.message).toBe('The person does not exist: nobody');
    if (kind === 'gateway') expect(manualEndpoint(section).likelyErrorCodes).not.toContain(code);
    else if (kind !== 'appendix') expect(manualEndpoint(section).likelyErrorCodes.length === 0 || manualEndpoint(section).likelyErrorCodes.includes(code), `${code} is not among ${section}'s likely codes`).toBe(true);
  });
});

describe('the ret/msg endpoints fail in their own envelope (2.18.10-2.18.12)', () => {
  it.each([
    ['2.18.10 pageNo 0', () => t.post('/api/transaction/getDoorTransactions', { pageNo: '0' })],
    ['2.18.10 pageSize 1001', () => t.post('/api/transaction/getDoorTransactions', { pageNo: 1, pageSize: 1001 })],
    ['2.18.10 a bad startTime', () => t.post('/api/transaction/getDoorTransactions', { pageNo: 1, pageSize: 10, startTime: 'yesterday' })],
    ['2.18.11 pageSize -1', () => t.post('/api/v2/transaction/getDoorTransactions', { content: { pageSize: '-1' } })],
    ['2.18.11 startTime after endTime', () => t.post('/api/v2/transaction/getDoorTransactions', { content: { pageNo: 1, pageSize: 10, startTime: '2024-03-02 00:00:00', endTime: '2024-03-01 00:00:00' } })],
    ['2.18.12 no id', () => t.post('/api/transaction/getDoorTransactionDetail', {})],
    ['2.18.12 an unknown id', () => t.post('/api/transaction/getDoorTransactionDetail', { id: none })],
  ])('%s', async (_name, call) => {
    const res = await call();
    expect(res.body).toEqual({ ret: 'fail', msg: expect.any(String), data: null, i18nArgs: null });
  });
});

describe('-90 names a paging value that is no whole number', () => {
  it.each([
    ['pageNo 1.5', { pageNo: '1.5', pageSize: 10 }, 'pageNo must be a whole number from 1 (got "1.5")'],
    ['pageSize abc', { pageNo: 1, pageSize: 'abc' }, 'pageSize must be a whole number from 1 (got "abc")'],
    ['pageNo beyond 2^53', { pageNo: '9007199254740993', pageSize: 10 }, 'pageNo must be a whole number from 1 (got "9007199254740993")'],
  ])('%s', async (_name, paging, detail) => {
    for (const res of [await t.get('/api/transaction/list', paging), await t.post('/api/v2/person/getPersonList', paging)]) {
      // The appendix's text first (clients match it), then what is wrong: "less than or equal to 0" alone misled.
      expect(res.body).toEqual({ code: -90, message: `PageNo or pageSize cannot be set less than or equal to 0: ${detail}`, data: null });
    }
  });

  it('a value of 0 or less keeps the appendix text alone', async () => {
    expect((await t.get('/api/transaction/list', { pageNo: 0, pageSize: 10 })).body).toEqual({ code: -90, message: 'PageNo or pageSize cannot be set less than or equal to 0', data: null });
  });
});
