/**
 * The transaction lists' filters as integrators send them. 2.18.3/2.18.4 document personPin, startDate and
 * endDate; the manual's own sibling 2.18.10 (getDoorTransactions) names the window startTime/endTime and the device
 * devSn, and clients reuse those names on the GET lists. Each was ignored: a window or a device asked for got
 * every transaction back, with success. And a person list without its pin (`/api/transaction/person/`) was -404
 * "not found" rather than the -20 "Pin number cannot be empty" every other pin endpoint answers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const page = { pageNo: 1, pageSize: 100 };
const times = (rows: Array<{ eventTime: string }>) => rows.map((r) => r.eventTime).sort();

beforeAll(async () => {
  t = await startTestApp();
  const a = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LFA0000001', doors: 1 });
  const b = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LFB0000002', doors: 1 });
  await a.connect();
  await b.connect();
  await a.uploadRtlog([
    { time: '2024-03-01 08:00:00', pin: 57, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 1 },
    { time: '2024-03-02 09:00:00', pin: 57, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 2 },
  ]);
  await b.uploadRtlog([{ time: '2024-03-01 10:00:00', pin: 58, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 15, index: 1 }]);
});
afterAll(async () => {
  await t?.close();
});

it('2.18.3 and 2.18.4 take the window as startTime/endTime too, in the forms clients write dates', async () => {
  for (const [start, end] of [
    ['2024-03-01 00:00:00', '2024-03-01 23:59:59'],
    ['2024-03-01', '2024-03-01'],
    ['2024/03/01 00:00:00', '2024/03/01 23:59:59'],
    ['2024-03-01T00:00:00', '2024-03-01T23:59:59'],
  ]) {
    const v1 = await t.get('/api/transaction/list', { ...page, startTime: start, endTime: end });
    expect(v1.body.code, start).toBe(0);
    expect(times(v1.body.data), start).toEqual(['2024-03-01 08:00:00', '2024-03-01 10:00:00']);
    const v2 = await t.get('/api/v2/transaction/list', { ...page, startTime: start, endTime: end });
    expect(times(v2.body.data.data), start).toEqual(['2024-03-01 08:00:00', '2024-03-01 10:00:00']);
  }
  // The documented names win over the 2.18.10 ones when both come.
  const both = await t.get('/api/transaction/list', { ...page, startDate: '2024-03-02', startTime: '2024-03-01' });
  expect(times(both.body.data)).toEqual(['2024-03-02 09:00:00']);
  expect((await t.get('/api/transaction/list', { ...page, startTime: 'yesterday' })).body.code).toBe(-100);
  // Every list that takes startDate takes startTime: by person, by device.
  expect(times((await t.get('/api/transaction/person/57', { ...page, startTime: '2024-03-02' })).body.data)).toEqual(['2024-03-02 09:00:00']);
  expect(times((await t.get('/api/v2/transaction/device/LFA0000001', { ...page, endTime: '2024-03-01' })).body.data.data)).toEqual(['2024-03-01 08:00:00']);
});

it('2.18.3 and 2.18.4 filter by device (deviceSn, devSn or sn); an unknown one lists nothing', async () => {
  for (const key of ['deviceSn', 'devSn', 'sn']) {
    expect(times((await t.get('/api/transaction/list', { ...page, [key]: 'LFB0000002' })).body.data), key).toEqual(['2024-03-01 10:00:00']);
    expect((await t.get('/api/v2/transaction/list', { ...page, [key]: 'LFA0000001' })).body.data.total, key).toBe(2);
  }
  expect((await t.get('/api/transaction/list', { ...page, deviceSn: 'NOSUCH' })).body).toEqual({ code: 0, message: 'success', data: [] });
  expect(times((await t.get('/api/transaction/list', { ...page, deviceSn: 'LFA0000001', personPin: '57', startDate: '2024-03-02' })).body.data)).toEqual(['2024-03-02 09:00:00']);
});

it('a person list without a pin answers -20 "Pin number cannot be empty", v1, v2 and firstInAndLastOut alike', async () => {
  for (const path of ['/api/transaction/person/', '/api/v2/transaction/person/', '/api/transaction/firstInAndLastOut/', '/api/v2/transaction/firstInAndLastOut/', '/api/v3/transaction/person']) {
    const r = await t.get(path, page);
    expect(r.status, path).toBeLessThan(500);
    expect(r.body, path).toEqual({ code: -20, message: 'Pin number cannot be empty', data: null });
  }
});
