import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { initialisedTerminal } from '../attendance/attendance-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Open ranges as clients write them: .NET's DateTime.MinValue and MaxValue (`0001-01-01 00:00:00`,
 * `9999-12-31 23:59:59`), a bare `9999-12-31`. The exclusive end of `9999-12-31 23:59:59` is a Date past year 9999,
 * which PostgreSQL refuses as written: listAttTransaction, v2/transaction/list and getDoorTransactions answered
 * HTTP 500 "Program error", every other list -400 "A value has the wrong format" for the bare date.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'OPENRANGE1', doors: 1, ipAddress: '10.9.2.1' });
  await panel.connect();
  await panel.pollUntilIdle();
  await panel.access({ cardno: '4242', door: 1, time: new Date('2026-03-01T08:00:00Z') });
  const term = await initialisedTerminal(t, { sn: 'OPENRANGE2' });
  await term.punch({ pin: '77', time: '2026-03-01 09:00:00', status: 0, verify: 1 });
});
afterAll(() => t?.close());

const RANGES: Array<[string, string]> = [
  ['0001-01-01 00:00:00', '9999-12-31 23:59:59'],
  ['0001-01-01', '9999-12-31'],
  ['1900-01-01T00:00:00Z', '9999-12-31T23:59:59.9999999'],
];

describe('lists over an open range (0001-01-01 .. 9999-12-31)', () => {
  it.each(RANGES)('from %s to %s: every list answers its rows', async (from, to) => {
    const q = { pageNo: 1, pageSize: 10, startDate: from, endDate: to };
    const att = await t.get('/api/transaction/listAttTransaction', q);
    expect(att.status).toBe(200);
    expect(att.body).toMatchObject({ code: 0, data: [{ pin: '77', eventTime: '2026-03-01 09:00:00' }] });
    expect((await t.get('/api/v2/transaction/listAttTransaction', q)).body).toMatchObject({ code: 0, data: { total: 1 } });
    expect((await t.get('/api/v2/transaction/list', { ...q, startTime: from, endTime: to })).body).toMatchObject({ code: 0, data: { total: 1 } });
    expect((await t.get('/api/transaction/list', { ...q, startTime: from, endTime: to })).body).toMatchObject({ code: 0, data: [{ devSn: 'OPENRANGE1' }] });
    expect((await t.get('/api/transaction/device/OPENRANGE1', q)).body).toMatchObject({ code: 0, data: [{ devSn: 'OPENRANGE1' }] });
    const door = await t.post('/api/transaction/getDoorTransactions', { pageNo: 1, pageSize: 10, startTime: from, endTime: to });
    expect(door.status).toBe(200);
    expect(door.body).toMatchObject({ ret: 'ok', data: [{ eventNo: 27 }] });
    for (const path of ['/api/hep/transaction/list', '/api/v2/parkTransaction/listParkRecordin', '/api/psgTransaction/list', '/api/eleTransaction/list']) {
      expect({ path, ...(await t.get(path, q)).body }).toMatchObject({ path, code: 0 });
    }
  });
});
