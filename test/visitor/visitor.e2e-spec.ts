import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCvDateTime } from '../../src/common/time';
import { encodeZkSeconds, instantToWallClock } from '../../src/push/protocol';
import { Device, expectSameShape, levelId, manualExample } from '../sync/access-helpers';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';
import { clearOfMidnight } from '../support/wall-clock';

/**
 * 2.15-2.17 visitors end to end. V1 and V2 hold the doors of the visitor level "Visitors"; V2 announces
 * AccSupportFunList position 62 (userauthorize StartTime/EndTime), V1 does not. The sweeper runs every
 * 300 ms here (VISITOR_SWEEP_INTERVAL_MS).
 */
process.env.VISITOR_SWEEP_INTERVAL_MS = '300';

let t: TestApp;
let v1: Device;
let v2: Device;
let visitors: string;
let other: string;

const fmt = (d: Date) => formatCvDateTime(d, 'UTC')!;
const secs = (d: Date) => encodeZkSeconds(instantToWallClock(d, 'UTC'));
const whole = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
const FUN_62 = `${'0'.repeat(62)}1`;
const ok = { code: 0, message: 'success', data: null };

const userLine = (pin: string, name: string, card: string, start: Date, end: Date) =>
  `DATA UPDATE user CardNo=${card}\tPin=${pin}\tPassword=\tStartTime=${secs(start)}\tEndTime=${secs(end)}\tName=${name}\tPrivilege=0\tDisable=0`;
const removal = (pin: string) => [`DATA DELETE userauthorize Pin=${pin}`, `DATA DELETE user Pin=${pin}`];

beforeAll(async () => {
  t = await startTestApp();
  v1 = await Device.connect(t, 'VIS10001', 2, '10.7.0.1');
  v2 = await Device.connect(t, 'VIS20001', 1, '10.7.0.2', { accSupportFunList: FUN_62 });
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Visitors', timeSegName: '24-Hour Accessible' }, { name: 'Staff only', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
  expect(
    (await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Visitors', doorName: '10.7.0.1-1' }, { levelName: 'Visitors', doorName: '10.7.0.2-1' }, { levelName: 'Staff only', doorName: '10.7.0.1-2' }] })).body.code,
  ).toBe(0);
  visitors = await levelId(t, 'Visitors');
  other = await levelId(t, 'Staff only');
  expect((await t.post('/api/person/add', { pin: '5', deptCode: '1', name: 'Host', cardNo: '424242' })).body.code).toBe(0);
  await v1.since();
  await v2.since();
});
afterAll(async () => {
  await t?.close();
});

describe('visLevel (2.16.1) and the gateway extension that offers levels to visitors', () => {
  it('offers every access level until an operator narrows the set, then only those, with the manual example\'s keys', async () => {
    // A fresh install: every access level is a visitor level (the manual's API has no call to make one).
    await expect(t.get('/api/visLevel/list', { pageNo: 1, pageSize: 10 }).then((r) => r.body)).resolves.toEqual({
      code: 0,
      message: 'success',
      data: [
        { id: other, name: 'Staff only' },
        { id: visitors, name: 'Visitors' },
      ],
    });
    await expect(t.post('/api/gateway/visLevel/add', undefined, { levelIds: visitors }).then((r) => r.body)).resolves.toEqual(ok);
    await expect(t.post('/api/gateway/visLevel/add', { levelIds: '0123456789abcdef0123456789abcdef' }).then((r) => r.body.code)).resolves.toBe(-24);
    // No level ids at all (an object, objects in an array): refused, not withdrawn-nothing with success.
    for (const levelIds of [{ id: visitors }, [{ id: visitors }]]) {
      for (const op of ['add', 'delete']) {
        await expect(t.post(`/api/gateway/visLevel/${op}`, { levelIds }).then((r) => r.body)).resolves.toEqual({
          code: -400,
          message: 'levelIds: levelIds must be level ids: one comma-separated string or an array of strings',
          data: null,
        });
      }
    }
    const res = await t.get('/api/visLevel/list', { pageNo: 1, pageSize: 10 });
    expect(res.body).toEqual({ code: 0, message: 'success', data: [{ id: visitors, name: 'Visitors' }] });
    expectSameShape(res.body.data, manualExample('2.16.1').data);
    await expect(t.get('/api/visLevel/list', { pageNo: 2, pageSize: 10 }).then((r) => r.body.data)).resolves.toEqual([]);
    await expect(t.get('/api/visLevel/list').then((r) => r.body.code)).resolves.toBe(-92);
    await expect(t.get('/api/visLevel/list', { pageNo: 0, pageSize: 10 }).then((r) => r.body.code)).resolves.toBe(-90);
    await expect(t.get('/api/visLevel/list', { pageNo: 1, pageSize: 2147483648 }).then((r) => r.body.code)).resolves.toBe(-91);
    await expect(t.post('/api/gateway/visLevel/add', { levelIds: other }).then((r) => r.body)).resolves.toEqual(ok);
    await expect(t.post('/api/gateway/visLevel/delete', { levelIds: other }).then((r) => r.body)).resolves.toEqual(ok);
    await expect(t.get('/api/visLevel/list', { pageNo: 1, pageSize: 10 }).then((r) => r.body.data)).resolves.toEqual([{ id: visitors, name: 'Visitors' }]);
  });
});

describe('visReservation (2.15): stored only', () => {
  const example = { persPersonPin: '5', certType: '3', certNum: '4512', visitEmpName: 'Mary', visitEmpPhone: '13015648651', company: 'ZKTeco', visitReason: 'visit', visitDate: '2030-08-31 14:40:00', visitEndDate: '2030-08-31 23:59:59' };

  it('adds the manual example (nothing reaches a device), refuses a second one for the same window (-244), deletes by certType+certNum+visitDate', async () => {
    await expect(t.post('/api/visReservation/add', example).then((r) => r.body)).resolves.toEqual(ok);
    await expect(t.post('/api/visReservation/add', { ...example, visitDate: '2030-08-31 15:00:00' }).then((r) => r.body)).resolves.toEqual({ code: -244, message: 'You have made a reservation', data: null });
    // certType "3.0" (a float serialiser's 3) is the same visitor's passport, as 3 is.
    await expect(t.post('/api/visReservation/add', { ...example, certType: '3.0', visitDate: '2030-08-31 15:00:00' }).then((r) => r.body.code)).resolves.toBe(-244);
    expect(await v1.since()).toEqual([]);
    expect(await v2.since()).toEqual([]);
    await expect(t.post('/api/visReservation/del', undefined, { certType: '3', certNum: '4512', visitDate: '2030-08-31 14:40:00' }).then((r) => r.body)).resolves.toEqual(ok);
    await expect(t.post('/api/visReservation/del', undefined, { certType: '3', certNum: '4512', visitDate: '2030-08-31 14:40:00' }).then((r) => r.body)).resolves.toEqual({ code: -248, message: 'No eligible visitor reservation information', data: null });
  });

  it('reads 2.15.1\'s example body as printed (no comma after visitDate, “visitEndDate” in typographic quotes)', async () => {
    const printed = [
      '{', '', '"persPersonPin": "5",', '', '"certType": "3",', '', '"certNum": "2151",', '', '"visitEmpName": "Mary",', '',
      '"visitEmpPhone": "13015648651",', '', '"company": "ZKTeco",', '', '"visitReason": "visit",', '',
      '"visitDate": "2031-08-31 14:40:00"', '', '\u201cvisitEndDate\u201d: "2031-08-31 23:59:59"', '', '}',
    ].join('\n');
    const add = await t.request('POST', '/api/visReservation/add', { query: { access_token: TEST_TOKEN }, body: printed, headers: { 'content-type': 'application/json' } });
    expect(add.body).toEqual(ok);
    // Stored with both dates: a second reservation inside that window is the same reservation (-244).
    await expect(t.post('/api/visReservation/add', { ...example, certNum: '2151', visitDate: '2031-08-31 23:00:00', visitEndDate: '2031-08-31 23:30:00' }).then((r) => r.body.code)).resolves.toBe(-244);
    await expect(t.post('/api/visReservation/del', undefined, { certType: '3', certNum: '2151', visitDate: '2031-08-31 14:40:00' }).then((r) => r.body)).resolves.toEqual(ok);
  });

  it('answers the visitor error codes of the appendix', async () => {
    const code = (body: Record<string, unknown>) => t.post('/api/visReservation/add', { ...example, ...body }).then((r) => r.body.code);
    await expect(code({ persPersonPin: '' })).resolves.toBe(-240);
    await expect(code({ persPersonPin: undefined })).resolves.toBe(-240);
    await expect(code({ certType: undefined, certNum: undefined })).resolves.toBe(-241);
    await expect(code({ certNum: undefined })).resolves.toBe(-242);
    await expect(code({ visitEmpName: undefined })).resolves.toBe(-243);
    await expect(code({ visitEmpName: undefined, visEmpName: 'Mary' })).resolves.toBe(0);
    await expect(t.post('/api/visReservation/del', { certType: 3, certNum: '4512', visitDate: '2030-08-31 14:40:00' }).then((r) => r.body)).resolves.toEqual(ok);
    await expect(code({ certType: '' })).resolves.toBe(-241);
    await expect(code({ certNum: '' })).resolves.toBe(-242);
    await expect(code({ visitEmpName: '' })).resolves.toBe(-243);
    await expect(code({ visitReason: '' })).resolves.toBe(-246);
    await expect(code({ visitDate: '' })).resolves.toBe(-247);
    await expect(code({ visitEndDate: '31/08/2030' })).resolves.toBe(-249);
    // A date that is no text at all (a client's serializer sending an object or an array) is -249 too, never a 500.
    for (const notText of [{ date: '2030-08-31' }, ['2030-08-31', '14:40:00']]) {
      await expect(code({ visitDate: notText })).resolves.toBe(-249);
      await expect(code({ visitEndDate: notText })).resolves.toBe(-249);
      await expect(t.post('/api/visReservation/del', { certType: '3', certNum: '4512', visitDate: notText }).then((r) => [r.status, r.body.code])).resolves.toEqual([200, -249]);
      const visit = { persPersonPin: '5', certType: '8', certNum: 'NOTTEXT1', visEmpName: 'W', visitReason: 'v', visitorCount: '1', startTime: '2030-01-01 09:00:00', endTime: '2030-01-01 18:00:00' };
      await expect(t.post('/api/visRegistration/add', { ...visit, startTime: notText }).then((r) => [r.status, r.body.code])).resolves.toEqual([200, -249]);
      await expect(t.post('/api/visRegistration/add', { ...visit, endTime: notText }).then((r) => [r.status, r.body.code])).resolves.toEqual([200, -249]);
    }
    await expect(code({ certType: '9' })).resolves.toBe(-250);
    // 1 is the person table's "second generation ID card" (2.13), not a visitor code (2.15/2.17 list 2-8): the
    // refusal names the visitor codes, on a reservation and a registration alike, and nothing is stored.
    const one = await t.post('/api/visReservation/add', { ...example, certType: '1', certNum: 'CT1' });
    expect(one.body).toEqual({ code: -250, message: expect.stringMatching(/^Invalid certificate type: 1 \(a visitor's certType is 2 national ID card, 3 passport.* 8 others\)$/), data: null });
    const reg = { persPersonPin: '5', certType: 1, certNum: 'CT1', visEmpName: 'W', visitReason: 'v', visitorCount: '1', startTime: '2030-01-01 09:00:00', endTime: '2030-01-01 18:00:00' };
    await expect(t.post('/api/visRegistration/add', reg).then((r) => [r.body.code, r.body.message])).resolves.toEqual([-250, one.body.message]);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM vis_reservation WHERE cert_num = 'CT1'`);
    expect(n).toBe(0);
    await expect(code({ certType: '2', certNum: '12345' })).resolves.toBe(-251);
    await expect(code({ visitEndDate: '2030-08-31 10:00:00' })).resolves.toBe(-252);
    await expect(code({ persPersonPin: 'nobody' })).resolves.toBe(-253);
    // The host is checked first, as the manual lists persPersonPin first: a reservation for an unknown host with no
    // visit date (or an ended one) is -253, not -247/-252 that the client would mend only to meet -253 next.
    await expect(code({ persPersonPin: 'nobody', visitDate: '' })).resolves.toBe(-253);
    await expect(code({ persPersonPin: 'nobody', visitDate: undefined, visitEndDate: undefined })).resolves.toBe(-253);
    await expect(code({ persPersonPin: 'nobody', visitEndDate: '2030-08-31 10:00:00' })).resolves.toBe(-253);
    await expect(code({ persPersonPin: '', visitDate: '' })).resolves.toBe(-240);
    const visit = { persPersonPin: 'nobody', certType: '8', certNum: 'HOST1', visEmpName: 'W', visitReason: 'v', visitorCount: '1', startTime: '', endTime: '2030-01-01 18:00:00' };
    await expect(t.post('/api/visRegistration/add', visit).then((r) => r.body)).resolves.toEqual({ code: -253, message: 'The employee does not exist', data: null });
    await expect(code({ visitEmpName: 'Mary<script>' })).resolves.toBe(-261);
    await expect(code({ visitEmpName: 'Ann "Mary"' })).resolves.toBe(-261);
    await expect(t.post('/api/visReservation/del', undefined, { certType: '3', certNum: '4512' }).then((r) => r.body.code)).resolves.toBe(-247);
    await expect(t.post('/api/visReservation/del', undefined, { certNum: '4512', visitDate: '2030-08-31 14:40:00' }).then((r) => r.body.code)).resolves.toBe(-241);
  });
});

describe('visitor names as people write them', () => {
  it("takes apostrophes, hyphens, periods and any script (O'Brien, Anne-Marie, José, Nguyễn Văn A, Jr.)", async () => {
    const names = ["Seán O'Brien", 'Anne-Marie Dupont', 'José Álvarez Jr.', 'Nguyễn Văn A', "d'Artagnan", '王小明'];
    for (const [i, name] of names.entries()) {
      const body = { persPersonPin: '5', certType: '3', certNum: `NM${i}`, visitEmpName: name, company: "McDonald's", visitReason: 'visit', visitDate: '2030-10-01 10:00:00', visitEndDate: '2030-10-01 11:00:00' };
      expect((await t.post('/api/visReservation/add', body)).body).toEqual(ok);
    }
    const stored = (await t.ds.query(`SELECT visitor_name FROM vis_reservation WHERE cert_num LIKE 'NM%' ORDER BY cert_num`)) as Array<{ visitor_name: string }>;
    expect(stored.map((r) => r.visitor_name)).toEqual(names);
  });
});

describe('visReservation/del (2.15.2) with a bare visitDate', () => {
  const reservation = { persPersonPin: '5', certType: '3', certNum: 'D7001', visitEmpName: 'Dora', visitReason: 'visit' };
  const add = (visitDate: string, visitEndDate: string) => t.post('/api/visReservation/add', { ...reservation, visitDate, visitEndDate }).then((r) => r.body);
  const del = (visitDate: string) => t.post('/api/visReservation/del', undefined, { certType: '3', certNum: 'D7001', visitDate }).then((r) => r.body);
  const left = async () =>
    ((await t.ds.query(`SELECT visit_date FROM vis_reservation WHERE cert_num = 'D7001' ORDER BY visit_date`)) as Array<{ visit_date: Date }>).map((r) => fmt(r.visit_date));

  it('deletes the reservations starting that day, not those of the next day; a date-time still names one reservation exactly', async () => {
    await expect(add('2030-09-01 10:00:00', '2030-09-01 11:00:00')).resolves.toEqual(ok);
    await expect(add('2030-09-01 23:30:00', '2030-09-02 00:30:00')).resolves.toEqual(ok);
    await expect(add('2030-09-02 00:30:00', '2030-09-02 01:00:00')).resolves.toEqual(ok);
    await expect(add('2030-09-03 10:00:00', '2030-09-03 11:00:00')).resolves.toEqual(ok);

    await expect(del('2030-09-03 10:00:01')).resolves.toEqual({ code: -248, message: 'No eligible visitor reservation information', data: null });
    await expect(del('2030-09-01')).resolves.toEqual(ok);
    expect(await left()).toEqual(['2030-09-02 00:30:00', '2030-09-03 10:00:00']);
    await expect(del('2030-9-1')).resolves.toMatchObject({ code: -248 });
    await expect(del('2030-09-03 10:00:00')).resolves.toEqual(ok);
    await expect(del('2030-09-02')).resolves.toEqual(ok);
    expect(await left()).toEqual([]);
    await expect(del('2030-02-30')).resolves.toMatchObject({ code: -249 });
  });

  it('takes the day in the gateway\'s TIME_ZONE', async () => {
    const kolkata = await startTestApp({ timeZone: 'Asia/Kolkata' });
    try {
      expect((await kolkata.post('/api/person/add', { pin: '5', deptCode: '1', name: 'Host' })).body.code).toBe(0);
      const body = { ...reservation, visitDate: '2030-09-01 02:00:00', visitEndDate: '2030-09-01 03:00:00' };
      await expect(kolkata.post('/api/visReservation/add', body).then((r) => r.body)).resolves.toEqual(ok);
      // 2030-09-01 02:00 in Kolkata is 2030-08-31 20:30 UTC: the Kolkata day 2030-09-01 holds it, 2030-08-31 does not.
      const delOn = (visitDate: string) => kolkata.post('/api/visReservation/del', undefined, { certType: '3', certNum: 'D7001', visitDate }).then((r) => r.body);
      await expect(delOn('2030-08-31')).resolves.toMatchObject({ code: -248 });
      await expect(delOn('2030-09-01')).resolves.toEqual(ok);
    } finally {
      await kolkata.close();
    }
  });
});

describe('visRegistration (2.17): check-in reaches the doors, check-out and the window\'s end remove the visitor', () => {
  const start = whole(Date.now() - 3600_000);
  const end = whole(Date.now() + 2 * 3600_000);
  let body: Record<string, unknown>;
  beforeAll(() => {
    body = { persPersonPin: '5', certType: '8', certNum: '456888', visEmpName: 'max', visitEmpPhone: '', company: '', visitReason: 'visit', visitorCount: '1', startTime: fmt(start), endTime: fmt(end), cardNo: '5550001', visLevels: visitors };
  });

  it('check-in makes the visitor a temporary user 80000001 valid for the window, with rights on the visitor level doors only; a matching reservation is consumed', async () => {
    await expect(t.post('/api/visReservation/add', { persPersonPin: '5', certType: '8', certNum: '456888', visitEmpName: 'max', visitReason: 'visit', visitDate: fmt(start), visitEndDate: fmt(end) }).then((r) => r.body)).resolves.toEqual(ok);
    await expect(t.post('/api/visRegistration/add', body).then((r) => r.body)).resolves.toEqual(ok);
    expect(await v1.since()).toEqual([userLine('80000001', 'max', '5550001', start, end), 'DATA UPDATE userauthorize Pin=80000001\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1']);
    expect(await v2.since()).toEqual([
      userLine('80000001', 'max', '5550001', start, end),
      `DATA UPDATE userauthorize Pin=80000001\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1\tStartTime=${secs(start)}\tEndTime=${secs(end)}`,
    ]);
    v1.expectAllAcknowledged();
    v2.expectAllAcknowledged();
    expect(v1.sim.evaluateAccess({ pin: '80000001', door: 1 }).granted).toBe(true);
    expect(v1.sim.evaluateAccess({ pin: '80000001', door: 2 }).granted).toBe(false);
    const [res] = await t.ds.query(`SELECT state, registration_id IS NOT NULL AS linked FROM vis_reservation WHERE cert_num = '456888'`);
    expect(res).toEqual({ state: 'registered', linked: true });
    await expect(t.get('/api/gateway/visRegistration/get', { certType: '8', certNum: '456888' }).then((r) => r.body)).resolves.toEqual({
      code: 0,
      message: 'success',
      data: { pin: '80000001', visEmpName: 'max', certType: '8', certNum: '456888', persPersonPin: '5', startTime: fmt(start), endTime: fmt(end), state: 'in', cardNo: '5550001', endedAt: null, visLevels: [visitors] },
    });
  });

  it("a visitor's access events carry the visitor's name (a visitor is no person); a person's keep the person's", async () => {
    const { decision } = await v1.sim.access({ pin: '80000001', door: 1 });
    expect(decision.granted).toBe(true);
    const events = async () => (await t.get('/api/v2/transaction/list', { pageNo: 1, pageSize: 10, personPin: '80000001' })).body.data;
    const [e] = (await events()).data;
    expect(e).toMatchObject({ pin: '80000001', name: 'max' });
    // A person's event keeps the person's name (the visitor's name is looked up only where no person has the pin).
    await v1.sim.uploadRtlog([{ time: new Date(), pin: '5', cardno: '424242', eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 4 }]);
    const [host] = (await t.get('/api/v2/transaction/list', { pageNo: 1, pageSize: 10, personPin: '5' })).body.data.data;
    expect(host).toMatchObject({ pin: '5', name: 'Host' });
  });

  it('refuses a second check-in (-255), a used card (-23), an unknown level (-24), no visitors (-258), an unknown host (-253), an ended window (-252); a reservation during the visit is -245', async () => {
    const code = (b: Record<string, unknown>) => t.post('/api/visRegistration/add', { ...body, ...b }).then((r) => r.body.code);
    await expect(code({})).resolves.toBe(-255);
    await expect(code({ certNum: '1', cardNo: '424242' })).resolves.toBe(-23);
    await expect(code({ certNum: '1', cardNo: '5550001' })).resolves.toBe(-23);
    await expect(code({ certNum: '1', cardNo: '', visLevels: `${visitors},${other}` })).resolves.toBe(-24);
    await expect(code({ certNum: '1', cardNo: '', visitorCount: '0' })).resolves.toBe(-258);
    // Wrong JSON types are refused, not read through String(): [2] is no visitor count, an object no level id.
    await expect(code({ certNum: '1', cardNo: '', visitorCount: [2] })).resolves.toBe(-258);
    // A count that is no whole number says which value was refused: "Must bigger than 0" alone was wrong for 2.7.
    for (const visitorCount of [2.7, 'abc', '1e1']) {
      await expect(t.post('/api/visRegistration/add', { ...body, certNum: '1', cardNo: '', visitorCount }).then((r) => r.body), String(visitorCount)).resolves.toEqual({
        code: -258,
        message: `Visitor Number Count Must bigger than 0: visitorCount must be a whole number of visitors, got ${visitorCount}`,
        data: null,
      });
    }
    // A count past the 32-bit column was the database's bare "A value has the wrong format".
    await expect(t.post('/api/visRegistration/add', { ...body, certNum: '1', cardNo: '', visitorCount: '99999999999' }).then((r) => r.body)).resolves.toEqual({
      code: -400,
      message: 'visitorCount must be at most 2147483647, got 99999999999',
      data: null,
    });
    await expect(t.post('/api/visRegistration/add', { ...body, certNum: '1', cardNo: '', visLevels: { id: visitors } }).then((r) => r.body)).resolves.toEqual({
      code: -400,
      message: 'visLevels: visLevels must be level ids: one comma-separated string or an array of strings',
      data: null,
    });
    await expect(code({ certNum: '1', cardNo: '', persPersonPin: 'nobody' })).resolves.toBe(-253);
    await expect(code({ certNum: '1', cardNo: '', visEmpName: undefined, visitEmpName: undefined })).resolves.toBe(-243);
    await expect(code({ certNum: '1', cardNo: '', startTime: '2020-01-01 08:00:00', endTime: '2020-01-01 18:00:00' })).resolves.toBe(-252);
    await expect(
      t.post('/api/visReservation/add', { persPersonPin: '5', certType: '8', certNum: '456888', visitEmpName: 'max', visitReason: 'again', visitDate: '2031-01-01 09:00:00', visitEndDate: '2031-01-01 10:00:00' }).then((r) => r.body.code),
    ).resolves.toBe(-245);
    // The other way round: the checked-in visitor's card is not free for a person either (one card, two users on the panels).
    await expect(t.post('/api/person/add', { pin: '7101', name: 'Card', cardNo: '5550001' }).then((r) => r.body.code)).resolves.toBe(-23);
    await expect(t.post('/api/person/add', { pin: '7102', name: 'Card', supplyCards: '5550001' }).then((r) => r.body.code)).resolves.toBe(-23);
    await expect(t.post('/api/card/set', { pin: '5', cardNo: '5550001', cardType: '0' }).then((r) => r.body.code)).resolves.toBe(-23);
    // By the number the card stands for: a reader and a panel read "05550001" as card 5550001.
    await expect(t.post('/api/person/add', { pin: '7103', name: 'Card', cardNo: '05550001' }).then((r) => r.body.code)).resolves.toBe(-23);
    await expect(code({ certNum: '1', cardNo: '0424242' })).resolves.toBe(-23);
    await expect(t.post('/api/person/add', { pin: '7104', name: 'Card', cardNo: '00424242' }).then((r) => r.body.code)).resolves.toBe(-23);
    await expect(t.get('/api/person/get/7101').then((r) => r.body.code)).resolves.not.toBe(0);
    expect(await v1.since()).toEqual([]);
  });

  it('the QR code of a checked-in visitor (2.17.3) answers -501 (not a credential any reader accepts); unknown visitors are -257', async () => {
    const res = await t.post('/api/visRegistration/getQrCode/80000001', { pin: '80000001' });
    expect(res.body).toEqual({ code: -501, message: expect.stringMatching(/^Not implemented by this gateway: dynamic QR codes/), data: null });
    await expect(t.post('/api/visRegistration/getQrCode/80000099').then((r) => r.body)).resolves.toEqual({ code: -257, message: "Visitor information doesn't exist", data: null });
  });

  it('a device full sync re-sends the checked-in visitor after clearing its rights table', async () => {
    await expect(t.post('/api/gateway/devices/VIS20001/sync').then((r) => r.body.code)).resolves.toBe(0);
    const visitorLines = [userLine('80000001', 'max', '5550001', start, end), `DATA UPDATE userauthorize Pin=80000001\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1\tStartTime=${secs(start)}\tEndTime=${secs(end)}`];
    // What the gateway queued for the device, in queue order: the wipe, then the visitor.
    const queued: string[] = (await t.ds.query(`SELECT command FROM device_command WHERE device_sn = 'VIS20001' ORDER BY id`)).map((r: { command: string }) => r.command);
    const wipe = queued.lastIndexOf('DATA DELETE userauthorize *');
    expect(wipe).toBeGreaterThan(-1);
    expect(queued[wipe + 1]).toBe('DATA DELETE user *');
    expect(queued.slice(-2)).toEqual(visitorLines);
    const sent = await v2.since();
    expect([...sent].sort()).toEqual([...queued.slice(queued.length - sent.length)].sort());
    // The device must execute them in queue order; otherwise the wipe lands after the visitor's rights.
    expect(sent.slice(-2), 'getrequest must deliver commands in queue order').toEqual(visitorLines);
    expect(sent.indexOf('DATA DELETE userauthorize *')).toBeLessThan(sent.length - 2);
    expect(v2.sim.evaluateAccess({ pin: '80000001', door: 1 }).granted).toBe(true);
  });

  it('check-out (2.17.2) removes the visitor from every device; a second check-out is -256, an unknown document -257', async () => {
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: '456888' }).then((r) => r.body)).resolves.toEqual(ok);
    expect(await v1.since()).toEqual(removal('80000001'));
    expect(await v2.since()).toEqual(removal('80000001'));
    expect(v1.sim.user('80000001')).toBeUndefined();
    expect(v1.sim.rightsOf('80000001')).toEqual([]);
    expect(v1.sim.evaluateAccess({ pin: '80000001', door: 1 }).granted).toBe(false);
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: '456888' }).then((r) => r.body)).resolves.toEqual({ code: -256, message: 'Visitor unregistered, cannot be sign-out', data: null });
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: 'never' }).then((r) => r.body.code)).resolves.toBe(-257);
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '', certNum: '456888' }).then((r) => r.body.code)).resolves.toBe(-241);
    await expect(t.post('/api/visRegistration/getQrCode/80000001').then((r) => r.body.code)).resolves.toBe(-257);
    await expect(t.get('/api/gateway/visRegistration/get', { certType: '8', certNum: '456888' }).then((r) => r.body.data.state)).resolves.toBe('out');
  });

  it('the same document checks in again under the same visitor number', async () => {
    await expect(t.post('/api/visRegistration/add', { ...body, cardNo: '' }).then((r) => r.body)).resolves.toEqual(ok);
    expect(await v1.since()).toEqual([userLine('80000001', 'max', '', start, end), 'DATA UPDATE userauthorize Pin=80000001\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1']);
    await v2.since();
    await expect(t.post('/api/visRegistration/exit', { certType: 8, certNum: 456888 }).then((r) => r.body)).resolves.toEqual(ok);
    expect(await v1.since()).toEqual(removal('80000001'));
    await v2.since();
  });

  it('a visitor who never checks out is removed from every device when the window ends (sweeper)', async () => {
    const s = whole(Date.now() - 60_000);
    const e = whole(Date.now() + 2000);
    await expect(t.post('/api/visRegistration/add', { ...body, certType: '3', certNum: 'P123', visEmpName: 'Short Stay', cardNo: '', startTime: fmt(s), endTime: fmt(e) }).then((r) => r.body)).resolves.toEqual(ok);
    // The window is 2 s: on a loaded machine the sweeper can take the visitor off again before a panel is next
    // polled, so each panel's commands are gathered over both polls and read in order.
    const seen1 = await v1.since();
    const seen2 = await v2.since();
    const added = [userLine('80000002', 'Short Stay', '', s, e), 'DATA UPDATE userauthorize Pin=80000002\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1'];
    expect(seen1.slice(0, 2)).toEqual(added);
    const deadline = Date.now() + 15_000;
    let state = 'in';
    while (state === 'in' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      state = (await t.get('/api/gateway/visRegistration/get', { certType: '3', certNum: 'P123' })).body.data.state;
    }
    expect(state).toBe('expired');
    seen1.push(...(await v1.since()));
    seen2.push(...(await v2.since()));
    expect(seen1).toEqual([...added, ...removal('80000002')]);
    expect(seen2.slice(-2)).toEqual(removal('80000002'));
    expect(seen2.filter((c) => c.startsWith('DATA DELETE'))).toEqual(removal('80000002'));
    expect(v1.sim.user('80000002')).toBeUndefined();
    expect(v2.sim.user('80000002')).toBeUndefined();
    await expect(t.post('/api/gateway/visRegistration/sweep').then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: { expired: 0 } });
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '3', certNum: 'P123' }).then((r) => r.body.code)).resolves.toBe(-256);
  });

  it('a checked-in visitor gets a door added to their level; persons and visitors share one pin namespace', async () => {
    await expect(t.post('/api/visRegistration/add', { ...body, certType: '3', certNum: 'NS1', visEmpName: 'Stay', cardNo: '' }).then((r) => r.body)).resolves.toEqual(ok);
    const pin = (await t.get('/api/gateway/visRegistration/get', { certType: '3', certNum: 'NS1' })).body.data.pin;
    await v1.since();
    await v2.since();
    // person/add cannot take the pin of a checked-in visitor.
    const clash = await t.post('/api/person/add', { pin, name: 'Clash' });
    expect(clash.body.code).toBe(-29);
    expect(clash.body.message).toMatch(/visitor/);
    // A door joins the visitor level: the visitor already checked in gets it.
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Visitors', doorName: '10.7.0.1-2' }] })).body.code).toBe(0);
    expect(await v1.since()).toEqual([`DATA UPDATE userauthorize Pin=${pin}\tAuthorizeTimezoneId=1\tAuthorizeDoorId=3`]);
    expect(v1.sim.evaluateAccess({ pin, door: 2 }).granted).toBe(true);
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '3', certNum: 'NS1' }).then((r) => r.body)).resolves.toEqual(ok);
    expect(await v1.since()).toEqual(removal(pin));
  });
});

describe('a bare date (yyyy-MM-dd) as the end of a visit window ends with that day', () => {
  it('visReservation/add (2.15.1): visitEndDate "2032-03-04" is 2032-03-04 23:59:59, so a one-day reservation is taken', async () => {
    await expect(
      t.post('/api/visReservation/add', { persPersonPin: '5', certType: '8', certNum: 'DAY1', visitEmpName: 'Day', visitReason: 'visit', visitDate: '2032-03-04', visitEndDate: '2032-03-04' }).then((r) => r.body),
    ).resolves.toEqual(ok);
    const [row] = await t.ds.query(`SELECT visit_date AS "from", visit_end_date AS "to" FROM vis_reservation WHERE cert_num = 'DAY1'`);
    expect([fmt(row.from), fmt(row.to)]).toEqual(['2032-03-04 00:00:00', '2032-03-04 23:59:59']);
    // A date-time end is taken as written.
    await expect(
      t.post('/api/visReservation/add', { persPersonPin: '5', certType: '8', certNum: 'DAY2', visitEmpName: 'Day', visitReason: 'visit', visitDate: '2032-03-04 09:00:00', visitEndDate: '2032-03-04 10:00:00' }).then((r) => r.body),
    ).resolves.toEqual(ok);
    const [exact] = await t.ds.query(`SELECT visit_end_date AS "to" FROM vis_reservation WHERE cert_num = 'DAY2'`);
    expect(fmt(exact.to)).toBe('2032-03-04 10:00:00');
  });

  it('visRegistration/add (2.17.1): startTime and endTime today, as bare dates, give a visit through the end of today on the panels', async () => {
    // Not in the day's last minute: a day ended before the gateway reads it is a visit already over (-252), and
    // one ending while the test runs is expired by the sweeper before its check-out.
    await clearOfMidnight('UTC', 60_000);
    const today = fmt(new Date()).slice(0, 10);
    await expect(
      t.post('/api/visRegistration/add', { persPersonPin: '5', certType: '8', certNum: 'DAY3', visEmpName: 'Today', visitReason: 'visit', visitorCount: '1', startTime: today, endTime: today, visLevels: visitors }).then((r) => r.body),
    ).resolves.toEqual(ok);
    const data = (await t.get('/api/gateway/visRegistration/get', { certType: '8', certNum: 'DAY3' })).body.data;
    expect([data.startTime, data.endTime, data.state]).toEqual([`${today} 00:00:00`, `${today} 23:59:59`, 'in']);
    const end = new Date(`${today}T23:59:59Z`);
    expect((await v1.since())[0]).toBe(userLine(data.pin, 'Today', '', new Date(`${today}T00:00:00Z`), end));
    await v2.since();
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: 'DAY3' }).then((r) => r.body)).resolves.toEqual(ok);
    await v1.since();
    await v2.since();
  }, 120_000);
});

describe('the same visitor call sent twice at once, or a reservation time already used', () => {
  it('concurrent check-ins of one document: one succeeds, the others answer -255 as a later one does (not the index conflict)', async () => {
    const body = { persPersonPin: '5', certType: '8', certNum: 'RACE1', visEmpName: 'Race', visitReason: 'visit', visitorCount: '1', startTime: fmt(whole(Date.now() - 60_000)), endTime: fmt(whole(Date.now() + 3600_000)), visLevels: visitors };
    const answers = await Promise.all(Array.from({ length: 6 }, () => t.post('/api/visRegistration/add', body).then((r) => r.body)));
    expect(answers.filter((a) => a.code === 0)).toHaveLength(1);
    expect(answers.filter((a) => a.code !== 0)).toEqual(Array(5).fill({ code: -255, message: 'Registration has been completed. Please do not register again', data: null }));
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: 'RACE1' }).then((r) => r.body)).resolves.toEqual(ok);
    await v1.since();
    await v2.since();
  });

  it('concurrent identical reservations: one succeeds, the others answer -244', async () => {
    const body = { persPersonPin: '5', certType: '8', certNum: 'RACE2', visitEmpName: 'Race', visitReason: 'visit', visitDate: '2033-05-06 09:00:00', visitEndDate: '2033-05-06 10:00:00' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => t.post('/api/visReservation/add', body).then((r) => r.body)));
    expect(answers.filter((a) => a.code === 0)).toHaveLength(1);
    expect(answers.filter((a) => a.code !== 0).map((a) => a.code)).toEqual(Array(5).fill(-244));
  });

  it('a reservation at the start time of one a check-in used answers -244, not a bare conflict', async () => {
    const start = whole(Date.now() - 60_000);
    const end = whole(Date.now() + 3600_000);
    const res = { persPersonPin: '5', certType: '8', certNum: 'USED1', visitEmpName: 'Used', visitReason: 'visit', visitDate: fmt(start), visitEndDate: fmt(end) };
    await expect(t.post('/api/visReservation/add', res).then((r) => r.body)).resolves.toEqual(ok);
    const reg = { persPersonPin: '5', certType: '8', certNum: 'USED1', visEmpName: 'Used', visitReason: 'visit', visitorCount: '1', startTime: fmt(start), endTime: fmt(end) };
    await expect(t.post('/api/visRegistration/add', reg).then((r) => r.body)).resolves.toEqual(ok);
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: 'USED1' }).then((r) => r.body)).resolves.toEqual(ok);
    const again = await t.post('/api/visReservation/add', res);
    expect(again.body).toMatchObject({ code: -244, data: null });
    expect(again.body.message).toMatch(/^You have made a reservation/);
    await v1.since();
    await v2.since();
  });
});

describe('the sync status of a visitor (GET /api/gateway/persons/{pin}/sync)', () => {
  it('a checked-in visitor whose levels open no door is known (no device: []); checked out and removed, the pin is unknown again (-22)', async () => {
    const start = whole(Date.now() - 60_000);
    const end = whole(Date.now() + 3600_000);
    const reg = { persPersonPin: '5', certType: '8', certNum: 'NODOOR1', visEmpName: 'Lobby', visitReason: 'visit', visitorCount: '1', startTime: fmt(start), endTime: fmt(end), visLevels: '' };
    await expect(t.post('/api/visRegistration/add', reg).then((r) => r.body)).resolves.toEqual(ok);
    const pin = (await t.get('/api/gateway/visRegistration/get', { certType: '8', certNum: 'NODOOR1' })).body.data.pin;
    await expect(t.get(`/api/gateway/persons/${pin}/sync`).then((r) => r.body)).resolves.toEqual({ code: 0, message: 'success', data: [] });
    expect(await v1.since()).toEqual([]);
    await expect(t.post('/api/visRegistration/exit', undefined, { certType: '8', certNum: 'NODOOR1' }).then((r) => r.body)).resolves.toEqual(ok);
    await expect(t.get(`/api/gateway/persons/${pin}/sync`).then((r) => r.body.code)).resolves.toBe(-22);
  });
});
