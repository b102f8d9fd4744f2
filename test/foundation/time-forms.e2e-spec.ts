import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

// Every date-time form a client sends (common/time.ts), through the REST inputs that take them, with the
// gateway in a zone that is not UTC so that naive times (local) and offset times (converted) differ.
let t: TestApp;
let dev: DeviceSimulator;
const page = { pageNo: 1, pageSize: 100 };
const TZ = 'Asia/Shanghai';

beforeAll(async () => {
  t = await startTestApp({ timeZone: TZ });
  dev = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TFORM00001', doors: 1, timeZone: TZ });
  await dev.connect();
  await expect(
    dev.uploadRtlog([
      { time: '2024-03-01 08:00:00', pin: 57, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 1 },
      { time: '2024-03-01 12:00:00', pin: 57, eventaddr: 1, event: 0, inoutstatus: 1, verifytype: 15, index: 2 },
      { time: '2024-03-02 09:00:00', pin: 57, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 3 },
    ]),
  ).resolves.toMatchObject({ status: 200 });
});

afterAll(async () => {
  await t?.close();
});

const times = async (path: string, q: Record<string, string>) => {
  const r = await t.get(path, { ...page, ...q });
  expect(r.body.code).toBe(0);
  const items: Array<{ eventTime: string }> = Array.isArray(r.body.data) ? r.body.data : r.body.data.data;
  return items.map((e) => e.eventTime).sort();
};

describe('transaction lists take every client date-time form (startDate/endDate)', () => {
  it.each([
    ['the manual form', '2024-03-01 08:00:00', '2024-03-01 12:00:00'],
    ['slashes', '2024/03/01 08:00:00', '2024/03/01 12:00:00'],
    ['ISO with T', '2024-03-01T08:00:00', '2024-03-01T12:00:00'],
    ['ISO with fraction', '2024-03-01T08:00:00.000', '2024-03-01T12:00:00.999'],
    ['ISO UTC (Z), converted into the gateway zone', '2024-03-01T00:00:00Z', '2024-03-01T04:00:00.000Z'],
    ['ISO with an offset, converted', '2024-02-29T19:00:00-05:00', '2024-03-01T12:00:00+08:00'],
  ])('%s', async (_what, startDate, endDate) => {
    expect(await times('/api/transaction/list', { startDate, endDate })).toEqual(['2024-03-01 08:00:00', '2024-03-01 12:00:00']);
    expect(await times('/api/v2/transaction/list', { startDate, endDate })).toEqual(['2024-03-01 08:00:00', '2024-03-01 12:00:00']);
  });

  it('an end time covers its whole second; one instant before the 12:00 event leaves it out', async () => {
    expect(await times('/api/transaction/list', { startDate: '2024-03-01T00:00:00Z', endDate: '2024-03-01T11:59:59.999+08:00' })).toEqual(['2024-03-01 08:00:00']);
  });

  it('a bare end date covers its whole local day, with - or /', async () => {
    expect(await times('/api/transaction/list', { startDate: '2024/03/02', endDate: '2024/03/02' })).toEqual(['2024-03-02 09:00:00']);
    expect(await times('/api/transaction/list', { startDate: '2024/3/1', endDate: '2024-03-01' })).toEqual(['2024-03-01 08:00:00', '2024-03-01 12:00:00']);
  });

  it('the same forms in a POSTed filter (getDoorTransactions startTime/endTime)', async () => {
    const r = await t.post('/api/transaction/getDoorTransactions', { startTime: '2024-03-02T00:00:00+08:00', endTime: '2024-03-02T15:59:59Z', pageNo: 1, pageSize: 10 });
    expect(r.body).toMatchObject({ ret: 'ok', total: 1, data: [{ eventTime: '2024-03-02 09:00:00' }] });
    const bad = await t.post('/api/transaction/getDoorTransactions', { startTime: '03/02/2024', pageNo: 1, pageSize: 10 });
    expect(bad.body).toMatchObject({ ret: 'fail', data: null });
  });

  it('epoch milliseconds (as the monitor\'s timestamps) and epoch seconds name their instant', async () => {
    // 1709251200000 = 2024-03-01T00:00:00Z = 08:00 in Shanghai; 1709265600000 = 12:00 there.
    for (const path of ['/api/transaction/list', '/api/v2/transaction/list', '/api/transaction/person/57', '/api/v2/transaction/device/TFORM00001']) {
      expect([path, await times(path, { startDate: '1709251200000', endDate: '1709265600000' })]).toEqual([path, ['2024-03-01 08:00:00', '2024-03-01 12:00:00']]);
      expect([path, await times(path, { startDate: '1709251200', endDate: '1709265599' })]).toEqual([path, ['2024-03-01 08:00:00']]);
    }
    const r = await t.post('/api/transaction/getDoorTransactions', { startTime: 1709323200000, endTime: '1709366400000', pageNo: 1, pageSize: 10 });
    expect(r.body).toMatchObject({ ret: 'ok', total: 1, data: [{ eventTime: '2024-03-02 09:00:00' }] });
    expect((await t.get('/api/transaction/list', { ...page, startDate: '1709265600001', endDate: '1709251200000' })).body.code).toBe(-101);
  });

  it.each(['01/01/2024', '2024-13-01', '2024-03-01 25:00:00', '2024-03-01T08:00:00+25:00', '17092512000', '170925120000000', '-1709251200000', '1709251200000.5'])('%s is -100 (ambiguous or invalid)', async (bad) => {
    const r = await t.get('/api/transaction/list', { ...page, startDate: bad });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ code: -100, message: expect.stringContaining('startDate'), data: null });
  });

  it('a start after the end is -101 across forms', async () => {
    expect((await t.get('/api/transaction/list', { ...page, startDate: '2024-03-01T05:00:00Z', endDate: '2024/03/01 12:00:00' })).body.code).toBe(-101);
  });
});

describe('person validity and dates take every client form (person/add)', () => {
  const person = async (pin: string) => (await t.get(`/api/v2/person/get`, { pin })).body.data;

  it('ISO validity with Z or an offset is stored as its instant and shown in the gateway zone; day fields take their local day', async () => {
    const r = await t.post('/api/person/add', {
      pin: '7001', name: 'Iso', accStartTime: '2026-01-01T00:00:00Z', accEndTime: '2026-12-31T18:00:00.0000000+08:00',
      birthday: '1990-05-01T00:00:00+08:00', hireDate: '2019/6/10',
    });
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect(await person('7001')).toMatchObject({ accStartTime: '2026-01-01 08:00:00', accEndTime: '2026-12-31 18:00:00', birthday: '1990-05-01', hireDate: '2019-06-10' });
  });

  it('slashes, T without offset and fractions are local time', async () => {
    expect((await t.post('/api/person/add', { pin: '7002', name: 'Slash', accStartTime: '2026/01/01 08:00:00', accEndTime: '2026-12-31T18:00:00.500' })).body.code).toBe(0);
    expect(await person('7002')).toMatchObject({ accStartTime: '2026-01-01 08:00:00', accEndTime: '2026-12-31 18:00:00' });
  });

  it('a bare accEndTime ends with its whole local day; a bare accStartTime starts at its midnight; a one-day validity is not reversed', async () => {
    expect((await t.post('/api/person/add', { pin: '7004', name: 'Day', accStartTime: '2026/06/01', accEndTime: '2026-06-01' })).body.code).toBe(0);
    expect(await person('7004')).toMatchObject({ accStartTime: '2026-06-01 00:00:00', accEndTime: '2026-06-01 23:59:59' });
    const [row] = await t.ds.query(`SELECT acc_end_time FROM person WHERE pin = '7004'`);
    expect(new Date(row.acc_end_time).toISOString()).toBe('2026-06-01T15:59:59.000Z');
  });

  it('epoch milliseconds, as a JSON number or text, are the instant they name', async () => {
    expect((await t.post('/api/person/add', { pin: '7005', name: 'Epoch', accStartTime: 1767225600000, accEndTime: '1798761599000' })).body.code).toBe(0);
    expect(await person('7005')).toMatchObject({ accStartTime: '2026-01-01 08:00:00', accEndTime: '2027-01-01 07:59:59' });
  });

  it('bad or ambiguous dates are -100, a reversed validity across forms -101; nothing is stored', async () => {
    for (const body of [
      { accStartTime: '01/01/2024' },
      { accStartTime: '2024-13-01' },
      { accEndTime: '2026-02-30T00:00:00Z' },
      { birthday: '05/01/1990' },
      { hireDate: '2019-06-10T08:00:00+99:00' },
    ]) expect([body, (await t.post('/api/person/add', { pin: '7003', name: 'Bad', ...body })).body.code]).toEqual([body, -100]);
    expect((await t.post('/api/person/add', { pin: '7003', accStartTime: '2026-06-01T00:00:00Z', accEndTime: '2026/06/01 07:59:59' })).body.code).toBe(-101);
    expect((await t.get('/api/person/get/7003')).body.code).not.toBe(0);
  });
});
