import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, TEST_TOKEN, type TestApp } from '../support/test-app';
import { expectSameShape, manualExample, manualFailureExample, verifyNameOf } from './transaction-fixtures';

let t: TestApp;
let a: DeviceSimulator;
let b: DeviceSimulator;
let aDoors: string[];
let aAlias: string;

const page = { pageNo: 1, pageSize: 100 };

beforeAll(async () => {
  t = await startTestApp();
  a = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TXA0000001', doors: 2 });
  b = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TXB0000002', doors: 1 });
  await a.connect();
  await b.connect();
  await expect(
    a.uploadRtlog([
      { time: '2024-03-01 08:00:00', pin: 57, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 1 },
      { time: '2024-03-01 12:00:00', pin: 57, eventaddr: 1, event: 0, inoutstatus: 1, verifytype: 1, index: 2 },
      { time: '2024-03-01 13:00:00', pin: 0, eventaddr: 2, event: 8, inoutstatus: 0, verifytype: 200, index: 3 },
      { time: '2024-03-02 09:00:00', pin: 57, eventaddr: 2, event: 0, inoutstatus: 0, verifytype: 4, cardno: 9606650, index: 4 },
      { time: '2024-03-02 09:30:00', pin: 99, eventaddr: 1, event: 23, inoutstatus: 0, verifytype: 4, cardno: 123456, index: 5 },
    ]),
  ).resolves.toMatchObject({ status: 200 });
  await expect(b.uploadRtlog([{ time: '2024-03-01 10:00:00', pin: 58, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 1 }])).resolves.toMatchObject({
    status: 200,
  });
  const doors: Array<{ name: string }> = await t.ds.query(`SELECT d.name FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = $1 ORDER BY d.door_no`, ['TXA0000001']);
  aDoors = doors.map((d) => d.name);
  [{ alias: aAlias }] = await t.ds.query(`SELECT alias FROM device WHERE sn = $1`, ['TXA0000001']);
});

afterAll(async () => {
  await t?.close();
});

describe('transaction lists (2.18.1-2.18.4, 2.18.6, 2.18.7)', () => {
  it('2.18.3 lists every event newest first, v1 items with every field of the manual', async () => {
    const r = await t.get('/api/transaction/list', page);
    expect(r.status).toBe(200);
    expect(r.body.code).toBe(0);
    expect(r.body.message).toBe('success');
    expect(r.body.data.map((e: { eventTime: string }) => e.eventTime)).toEqual([
      '2024-03-02 09:30:00',
      '2024-03-02 09:00:00',
      '2024-03-01 13:00:00',
      '2024-03-01 12:00:00',
      '2024-03-01 10:00:00',
      '2024-03-01 08:00:00',
    ]);
    expect(r.body.data[1]).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventTime: '2024-03-02 09:00:00',
      pin: '57',
      name: '',
      lastName: '',
      // Pin 57 is no person the server knows: "" as 2.34.7's example shows for such an event, never null.
      deptName: '',
      areaName: 'Area Name',
      cardNo: '9606650',
      devSn: 'TXA0000001',
      verifyModeName: verifyNameOf(4),
      eventName: 'Normal Verify Open',
      eventPointName: aDoors[1],
      readerName: `${aDoors[1]}-In`,
      accZone: null,
      devName: aAlias,
      logId: 4,
    });
    // A device event: person fields "" as the manual's examples show, never absent.
    expect(r.body.data[2]).toMatchObject({ pin: '', name: '', lastName: '', deptName: '', cardNo: '', eventName: 'remote opening', verifyModeName: 'others', logId: 3 });
    expectSameShape(r.body.data[0], manualExample('2.18.3').data[0], '2.18.3 item');
  });

  it('2.18.4 pages with the total, and filters by pin and by date', async () => {
    const r = await t.get('/api/v2/transaction/list', { pageNo: 2, pageSize: 2 });
    expect(r.body).toEqual({
      code: 0,
      message: 'success',
      data: { page: 1, size: 2, total: 6, data: [expect.any(Object), expect.any(Object)], offset: 2, lastPage: false },
    });
    expect(r.body.data.data.map((e: { eventTime: string }) => e.eventTime)).toEqual(['2024-03-01 13:00:00', '2024-03-01 12:00:00']);
    expect(r.body.data.data[1]).toMatchObject({ eventNo: 0, eventLevel: 0, doorName: aDoors[0], capturePhotoBase64: '', readerName: `${aDoors[0]}-Out`, verifyModeName: verifyNameOf(1) });
    expectSameShape(r.body.data.data[0], manualExample('2.18.4').data.data[0], '2.18.4 item');
    expectSameShape(r.body.data, manualExample('2.18.4').data, '2.18.4 page');

    const pin = await t.get('/api/v2/transaction/list', { ...page, personPin: '57' });
    expect(pin.body.data.total).toBe(3);
    expect(pin.body.data.data.every((e: { pin: string }) => e.pin === '57')).toBe(true);

    const day = await t.get('/api/v2/transaction/list', { ...page, startDate: '2024-03-01 09:00:00', endDate: '2024-03-01 12:00:00' });
    expect(day.body.data.data.map((e: { eventTime: string }) => e.eventTime)).toEqual(['2024-03-01 12:00:00', '2024-03-01 10:00:00']);
    expect(day.body.data).toMatchObject({ total: 2, lastPage: true });

    const bareDates = await t.get('/api/v2/transaction/list', { ...page, startDate: '2024-3-2', endDate: '2024-03-02' });
    expect(bareDates.body.data.total).toBe(2);
    const open = await t.get('/api/v2/transaction/list', { ...page, startDate: '2024-03-01 12:00:00' });
    expect(open.body.data.total).toBe(4);

    const alarm = await t.get('/api/v2/transaction/list', { ...page, personPin: '99' });
    expect(alarm.body.data.data[0]).toMatchObject({ eventNo: 23, eventLevel: 1, eventName: 'Access Denied', cardNo: '123456' });
  });

  it('keeps events without a person out of the pin index, which a pin filter still reads, prepared or not', async () => {
    // A door, button or alarm event (pin 0 or empty, stored as NULL) costs no insertion into the pin index
    // (migration 1763700008110); `pin = $1` implies `pin IS NOT NULL`, so the generic plan of a prepared pin
    // filter can still use it.
    const [{ def }] = await t.ds.query(`SELECT pg_get_indexdef('ix_acc_transaction_pin_time'::regclass) AS def`);
    expect(def).toMatch(/\(pin, event_time\) WHERE \(pin IS NOT NULL\)$/);
    const plans = await t.ds.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      await m.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await m.query(`PREPARE pin_filter(varchar) AS SELECT count(*) FROM acc_transaction k WHERE k.pin = $1`);
      const generic = await m.query(`EXPLAIN EXECUTE pin_filter('57')`);
      await m.query('DEALLOCATE pin_filter');
      const literal = await m.query(`EXPLAIN SELECT count(*) FROM acc_transaction k WHERE k.pin = '57'`);
      return [generic, literal].map((rows: Array<Record<string, string>>) => rows.map((r) => r['QUERY PLAN']).join('\n'));
    });
    for (const plan of plans) expect(plan).toContain('ix_acc_transaction_pin_time');
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM acc_transaction WHERE pin IS NULL`);
    expect(n).toBeGreaterThan(0);
  });

  it('2.18.1 / 2.18.2 / v3: events of one device', async () => {
    const v1 = await t.get('/api/transaction/device/TXB0000002', page);
    expect(v1.body.data).toHaveLength(1);
    expect(v1.body.data[0]).toMatchObject({ devSn: 'TXB0000002', pin: '58', logId: 1 });
    expectSameShape(v1.body.data[0], manualExample('2.18.1').data[0], '2.18.1 item');
    const tokenAlias = await t.request('GET', '/api/transaction/device/TXB0000002', { query: { acc_token: 'test-token-0123456789', ...page } });
    expect(tokenAlias.body.data).toHaveLength(1);

    const v2 = await t.get('/api/v2/transaction/device/TXA0000001', { pageNo: 1, pageSize: 2, startDate: '2024-03-01 00:00:00', endDate: '2024-03-01 23:59:59' });
    expect(v2.body.data).toMatchObject({ page: 0, size: 2, total: 3, offset: 0, lastPage: false });
    expect(v2.body.data.data.map((e: { logId: number }) => e.logId)).toEqual([3, 2]);
    expectSameShape(v2.body.data.data[0], manualExample('2.18.2').data.data[0], '2.18.2 item');

    const v3 = await t.get('/api/v3/transaction/device', { ...page, deviceSn: 'TXA0000001' });
    expect(v3.body.data.total).toBe(5);
    expect((await t.get('/api/v3/transaction/device', page)).body).toEqual({ code: -48, message: "Device serial number can't be null", data: null });
  });

  it('2.18.1 / 2.18.2: an SN left out of the path, or blank, is -48 as the v3 form answers (not -400, not an empty list)', async () => {
    const snNull = { code: -48, message: "Device serial number can't be null", data: null };
    for (const path of ['/api/transaction/device/', '/api/v2/transaction/device/', '/api/transaction/device/%20', '/api/v2/transaction/device/%20%20']) {
      const r = await t.get(path, page);
      expect(r.status, path).toBe(200);
      expect(r.body, path).toEqual(snNull);
    }
  });

  it('2.18.6 / 2.18.7 / v3: events of one person', async () => {
    const v1 = await t.get('/api/transaction/person/57', page);
    expect(v1.body.data.map((e: { logId: number }) => e.logId)).toEqual([4, 2, 1]);
    const ex = manualExample('2.18.6').data[0];
    expectSameShape(v1.body.data[0], { ...ex, accZone: null }, '2.18.6 item (accZone is in the field list)');

    const v2 = await t.get('/api/v2/transaction/person/57', { pageNo: 1, pageSize: 1, startDate: '2024-03-01' });
    expect(v2.body.data).toMatchObject({ page: 0, size: 1, total: 3, lastPage: false });
    expectSameShape(v2.body.data.data[0], manualExample('2.18.7').data.data[0], '2.18.7 item');
    const v3 = await t.get('/api/v3/transaction/person', { ...page, pin: '57', endDate: '2024-03-01 23:59:59' });
    expect(v3.body.data.total).toBe(2);
    expect((await t.get('/api/transaction/person/nobody', page)).body).toEqual({ code: 0, message: 'success', data: [] });
    expect((await t.get('/api/v3/transaction/person', page)).body.code).toBe(-20);
  });

  it('answers the paging and time errors of the manual', async () => {
    const err = async (path: string, q: Record<string, unknown>) => (await t.get(path, q)).body;
    expect(await err('/api/transaction/list', {})).toEqual({ code: -92, message: 'PageSize and pageNo cannot be empty', data: null });
    expect((await err('/api/v2/transaction/list', { pageNo: 0, pageSize: 10 })).code).toBe(-90);
    expect((await err('/api/transaction/device/TXA0000001', { pageNo: 1, pageSize: 1001 })).code).toBe(-91);
    expect((await err('/api/transaction/list', { ...page, startDate: '01/03/2024' })).code).toBe(-100);
    expect((await err('/api/v2/transaction/person/57', { ...page, startDate: '2024-03-02', endDate: '2024-03-01' })).code).toBe(-101);
  });
});

describe('first in / last out (2.18.8, 2.18.9, v3)', () => {
  it('gives one record per day: first event in, last event out (none when the day has one event)', async () => {
    const v1 = await t.get('/api/transaction/firstInAndLastOut/57', page);
    expect(v1.body.code).toBe(0);
    expect(v1.body.data).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        pin: '57',
        name: '',
        lastName: '',
        readerNameIn: `${aDoors[1]}-In`,
        firstInTime: '2024-03-02 09:00:00',
        readerNameOut: null,
        lastOutTime: null,
        deptCode: '',
        deptName: '',
      },
      expect.objectContaining({ firstInTime: '2024-03-01 08:00:00', readerNameIn: `${aDoors[0]}-In`, lastOutTime: '2024-03-01 12:00:00', readerNameOut: `${aDoors[0]}-Out` }),
    ]);
    expectSameShape(v1.body.data[0], manualExample('2.18.8').data[0], '2.18.8 item');

    const v2 = await t.get('/api/v2/transaction/firstInAndLastOut/57', { pageNo: 2, pageSize: 1 });
    expect(v2.body.data).toMatchObject({ page: 1, size: 1, total: 2, offset: 1, lastPage: true });
    expect(v2.body.data.data[0].firstInTime).toBe('2024-03-01 08:00:00');
    expectSameShape(v2.body.data, manualExample('2.18.9').data, '2.18.9 page');

    const v3 = await t.get('/api/v3/transaction/firstInAndLastOut', { ...page, pin: '57', startDate: '2024-03-02 00:00:00' });
    expect(v3.body.data.total).toBe(1);
  });
});

describe('getById (2.18.13) and the door transactions (2.18.10-2.18.12, ret/msg envelope)', () => {
  it('reads one event by the id the lists show, and its v2 twin', async () => {
    const listed = (await t.get('/api/v2/transaction/list', { ...page, personPin: '99' })).body.data.data[0];
    const r = await t.get(`/api/transaction/getById/${listed.id}`);
    expect(r.body).toEqual({ code: 0, message: 'success', data: listed });
    expectSameShape(r.body.data, manualExample('2.18.13').data, '2.18.13');
    expect((await t.get(`/api/v2/transaction/getById/${listed.id}`)).body.data).toEqual(listed);
    expect((await t.get('/api/transaction/getById/ffffffffffffffffffffffffffffffff')).body).toEqual({
      code: -404,
      message: 'The transaction does not exist: ffffffffffffffffffffffffffffffff',
      data: null,
    });
  });

  it('2.18.10 filters flat bodies and answers the short items with page, pageSize and total on top', async () => {
    const r = await t.post('/api/transaction/getDoorTransactions', { devSn: 'TXA0000001', type: 'normal', pageNo: '1', pageSize: '2' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      ret: 'ok',
      msg: 'operation succeed',
      data: [
        {
          id: expect.stringMatching(/^[0-9a-f]{32}$/),
          eventNo: 0,
          eventName: 'Normal Verify Open',
          eventTime: '2024-03-02 09:00:00',
          doorName: aDoors[1],
          personPin: '57',
          personName: '',
          areaName: 'Area Name',
          personLastName: '',
          eventLevel: '0',
        },
        expect.objectContaining({ eventNo: 8, personPin: '', personName: '', eventLevel: '0' }),
      ],
      i18nArgs: null,
      page: 1,
      pageSize: 2,
      total: 4,
      success: true,
    });
    expectSameShape(r.body, manualExample('2.18.10'), '2.18.10 envelope');
    expectSameShape(r.body.data[0], manualExample('2.18.10').data[0], '2.18.10 item');

    const fuzzy = await t.post('/api/transaction/getDoorTransactions', { filter: '9', eventNo: '23', startTime: '2024-3-2 00:00:00', endTime: '2024-03-02 23:59:59', pageNo: 1, pageSize: 10 });
    expect(fuzzy.body).toMatchObject({ ret: 'ok', total: 1, data: [{ personPin: '99', eventLevel: '1' }] });
    const warning = await t.post('/api/transaction/getDoorTransactions', { type: 'warning', personPin: '99', pageNo: 1, pageSize: 10 });
    expect(warning.body.total).toBe(1);
  });

  it('2.18.11 takes the filters inside "content" and answers full v2 items in a page object', async () => {
    const r = await t.post('/api/v2/transaction/getDoorTransactions', {
      content: { devSn: 'TXA0000001', startTime: '2024-3-1 00:00:00', endTime: '2024-3-1 23:59:59', type: 'normal', eventNo: '0', personPin: '57', pageNo: '1', pageSize: '2' },
    });
    expect(r.body).toMatchObject({ ret: 'ok', msg: 'Operation Succeed', i18nArgs: null, success: true, data: { page: 0, size: 2, total: 2, offset: 0, lastPage: true } });
    expect(r.body.data.data.map((e: { logId: number }) => e.logId)).toEqual([2, 1]);
    expectSameShape(r.body, manualExample('2.18.11'), '2.18.11 envelope');
    expectSameShape(r.body.data.data[0], manualExample('2.18.11').data.data[0], '2.18.11 item');
  });

  it('2.18.12 reads one event by {id} or {content: {id}}', async () => {
    const listed = (await t.get('/api/v2/transaction/list', { ...page, personPin: '99' })).body.data.data[0];
    const r = await t.post('/api/transaction/getDoorTransactionDetail', { id: listed.id });
    expect(r.body).toEqual({
      ret: 'ok',
      msg: 'operation succeed',
      data: {
        id: listed.id,
        eventNo: 23,
        eventName: 'Access Denied',
        eventTime: '2024-03-02 09:30:00',
        doorName: aDoors[0],
        personPin: '99',
        personName: null,
        areaName: 'Area Name',
        personLastName: null,
        devName: aAlias,
        cardNo: '123456',
        readerName: `${aDoors[0]}-In`,
        verifyModeName: verifyNameOf(4),
      },
      i18nArgs: null,
      success: true,
    });
    expectSameShape(r.body.data, manualExample('2.18.12').data, '2.18.12 item');
    expect((await t.post('/api/transaction/getDoorTransactionDetail', { content: { id: listed.id } })).body.data.id).toBe(listed.id);
  });

  it('answers failures as {"ret":"fail",...}, never as the code envelope', async () => {
    expect((await t.post('/api/transaction/getDoorTransactions', { devSn: 'TXA0000001', pageSize: '1001' })).body).toEqual({
      ret: 'fail',
      msg: 'PageSize is greater than 1000',
      data: null,
      i18nArgs: null,
    });
    expect((await t.post('/api/v2/transaction/getDoorTransactions', { content: { pageNo: '1', pageSize: '10', startTime: 'yesterday' } })).body).toMatchObject({ ret: 'fail', data: null });
    expect((await t.post('/api/transaction/getDoorTransactionDetail', { id: 'nope' })).body).toEqual({
      ret: 'fail',
      msg: 'The transaction does not exist: nope',
      data: null,
      i18nArgs: null,
    });
    expectSameShape(
      (await t.post('/api/transaction/getDoorTransactions', { pageNo: '0' })).body,
      manualFailureExample('2.18.10'),
      '2.18.10 failure',
    );
    const unauth = await t.request('POST', '/api/transaction/getDoorTransactions', { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(unauth.status).toBe(401);
    expect(unauth.body).toMatchObject({ ret: 'fail', data: null });
    // A body that is not JSON (the manual's own quirks aside: a stray quote, a trailing comma, which are read, see
    // manual-examples-verbatim) is refused before any handler runs, still as a result message.
    for (const path of ['/api/transaction/getDoorTransactions', '/api/v2/transaction/getDoorTransactions', '/api/transaction/getDoorTransactionDetail']) {
      const bad = await t.request('POST', path, {
        query: { access_token: TEST_TOKEN },
        body: '{"devSn": "5662012052868","startTime": ',
        headers: { 'content-type': 'application/json' },
      });
      expect([bad.status, bad.body]).toEqual([400, { ret: 'fail', msg: 'Request body is not valid JSON', data: null, i18nArgs: null }]);
    }
    // Other endpoints keep the envelope for the same body.
    const other = await t.request('POST', '/api/person/add', { query: { access_token: TEST_TOKEN }, body: '{"pin": ', headers: { 'content-type': 'application/json' } });
    expect(other.body).toMatchObject({ code: -400 });
  });
});

describe('ingest idempotency as the API sees it', () => {
  it('a re-sent upload adds no transaction', async () => {
    await expect(a.uploadRtlog([{ time: '2024-03-01 08:00:00', pin: 57, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 1 }])).resolves.toMatchObject({ status: 200 });
    expect((await t.get('/api/v2/transaction/list', page)).body.data.total).toBe(6);
  });
});

describe('person names in the lists: "" for a missing last name, never null (the examples of 2.18.1-2.18.11)', () => {
  it('a person with a name and no last name shows lastName "" in every access list item; 2.18.12 keeps its nulls', async () => {
    expect((await t.post('/api/person/add', { pin: '61', name: 'Leo' })).body.code).toBe(0);
    await expect(b.uploadRtlog([{ time: '2024-03-03 09:00:00', pin: 61, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 2 }])).resolves.toMatchObject({ status: 200 });
    const names = { name: 'Leo', lastName: '' };

    const [v1] = (await t.get('/api/transaction/list', { ...page, personPin: '61' })).body.data;
    expect(v1).toMatchObject({ pin: '61', ...names });
    expect((await t.get('/api/transaction/device/TXB0000002', page)).body.data.find((e: { pin: string }) => e.pin === '61')).toMatchObject(names);
    expect((await t.get('/api/transaction/person/61', page)).body.data).toEqual([expect.objectContaining(names)]);
    const [v2] = (await t.get('/api/v2/transaction/list', { ...page, personPin: '61' })).body.data.data;
    expect(v2).toMatchObject({ pin: '61', ...names });
    expect((await t.get('/api/v2/transaction/device/TXB0000002', page)).body.data.data.find((e: { pin: string }) => e.pin === '61')).toMatchObject(names);
    expect((await t.get('/api/v2/transaction/person/61', page)).body.data.data).toEqual([expect.objectContaining(names)]);
    expect((await t.get(`/api/transaction/getById/${v2.id}`)).body.data).toMatchObject(names);
    expect((await t.get('/api/transaction/firstInAndLastOut/61', page)).body.data).toEqual([expect.objectContaining({ pin: '61', ...names })]);

    const door = await t.post('/api/transaction/getDoorTransactions', { personPin: '61', pageNo: '1', pageSize: '10' });
    expect(door.body.data).toEqual([expect.objectContaining({ personPin: '61', personName: 'Leo', personLastName: '' })]);
    const doorV2 = await t.post('/api/v2/transaction/getDoorTransactions', { content: { personPin: '61', pageNo: '1', pageSize: '10' } });
    expect(doorV2.body.data.data).toEqual([expect.objectContaining({ pin: '61', ...names })]);
    // 2.18.12's example shows null for what is unknown, personLastName included.
    expect((await t.post('/api/transaction/getDoorTransactionDetail', { id: v2.id })).body.data).toMatchObject({ personName: 'Leo', personLastName: null });
  });
});

describe('events no reader took part in', () => {
  it('name their reader "others", as 2.18\'s examples do (device started, connected to the server, remote opening)', async () => {
    await expect(b.uploadRtlog([{ time: '2024-03-04 09:00:00', pin: 0, eventaddr: 0, event: 206, inoutstatus: 2, verifytype: 200, index: 90 }])).resolves.toMatchObject({ status: 200 });
    const [v1] = (await t.get('/api/transaction/device/TXB0000002', { ...page, startDate: '2024-03-04 00:00:00', endDate: '2024-03-04 23:59:59' })).body.data;
    expect(v1).toMatchObject({ eventName: 'Device Started', readerName: 'others', verifyModeName: 'others' });
    const [v2] = (await t.get('/api/v2/transaction/device/TXB0000002', { ...page, startDate: '2024-03-04 00:00:00', endDate: '2024-03-04 23:59:59' })).body.data.data;
    expect(v2).toMatchObject({ eventNo: 206, readerName: 'others' });
  });
});
