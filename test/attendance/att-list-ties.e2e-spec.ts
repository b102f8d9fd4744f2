/**
 * listAttTransaction (2.21.1) merges a terminal's punches (att_transaction) and the punches at attendance points
 * (acc_transaction): two tables, each numbering its rows from 1. A punch and a point event of the same second with
 * the same row number are a tie in time and number: the order must still be one and the same on every page, or a
 * client paging through them gets one twice and misses the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const N = 24;
beforeAll(async () => {
  t = await startTestApp();
  const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'H5TIE0001', doors: 1 });
  await panel.connect();
  expect((await t.post('/api/person/add', { pin: '59101', name: 'Tia', lastName: 'Ties' })).body.code).toBe(0);
  const [door] = await t.ds.query(`SELECT d.id FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = 'H5TIE0001' AND d.door_no = 1`);
  expect((await t.post('/api/gateway/attendance/points', { doorId: door.id })).body.code).toBe(0);
  const events = Array.from({ length: N }, (_, i) => ({ time: '2025-06-02 09:00:00', pin: 59101, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: i + 1 }));
  expect((await panel.uploadRtlog(events)).status).toBe(200);
  // A terminal's punches of the same second whose row numbers are the point events' (both tables count from 1).
  await t.ds.query(
    `INSERT INTO att_transaction (id, unique_key, device_sn, event_time, pin, status)
     OVERRIDING SYSTEM VALUE SELECT id, 'H5TIE0002_' || id, 'H5TIE0002', event_time, '59101', 0 FROM acc_transaction WHERE device_sn = 'H5TIE0001'`,
  );
});
afterAll(async () => {
  await t?.close();
});

describe('listAttTransaction paging through punches tied in time and number', () => {
  it.each([1, 2, 3, 5, 7])('pageSize %i: every punch once, pages agreeing with the whole list', async (pageSize) => {
    const all = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 1000, personPin: '59101' })).body.data.map((p: { id: string }) => p.id);
    expect(all).toHaveLength(2 * N);
    expect(new Set(all).size).toBe(2 * N);
    for (const path of ['/api/transaction/listAttTransaction', '/api/v2/transaction/listAttTransaction']) {
      const paged: string[] = [];
      for (let pageNo = 1; paged.length < 2 * N + pageSize; pageNo++) {
        const r = (await t.get(path, { pageNo, pageSize, personPin: '59101' })).body.data;
        const items = path.includes('/v2/') ? r.data : r;
        paged.push(...items.map((p: { id: string }) => p.id));
        if (items.length < pageSize) break;
      }
      expect(new Set(paged).size, `${path}: distinct punches paged`).toBe(2 * N);
      expect(paged, path).toEqual(all);
    }
  });
});
