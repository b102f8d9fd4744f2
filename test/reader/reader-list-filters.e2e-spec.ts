/**
 * 2.14.1 (reader/accList) and v2/reader/list print only the paging, but clients narrow the reader list by reader name
 * or by device, as the door and floor lists: such a call got every reader of the site with success, as if filtered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const page = { pageNo: 1, pageSize: 100 };
const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name).sort();

beforeAll(async () => {
  t = await startTestApp();
  await new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'RLFA000001', doors: 2, ipAddress: '10.34.0.1' }).connect();
  await new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'RLFB000002', doors: 1, ipAddress: '10.34.0.2' }).connect();
});
afterAll(async () => {
  await t?.close();
});

it('reader/accList and v2/reader/list narrow to a device (deviceSn, devSn or sn) and to a reader name; no match lists none', async () => {
  expect((await t.get('/api/reader/accList', page)).body.data).toHaveLength(6);
  for (const key of ['deviceSn', 'devSn', 'sn']) {
    expect(names((await t.get('/api/reader/accList', { ...page, [key]: 'RLFA000001' })).body.data), key).toEqual(['10.34.0.1-1-In', '10.34.0.1-1-Out', '10.34.0.1-2-In', '10.34.0.1-2-Out']);
    const v2 = (await t.get('/api/v2/reader/list', { ...page, [key]: 'RLFB000002' })).body.data;
    expect({ total: v2.total, names: names(v2.data) }, key).toEqual({ total: 2, names: ['10.34.0.2-1-In', '10.34.0.2-1-Out'] });
  }
  expect(names((await t.get('/api/reader/accList', { ...page, name: '10.34.0.1-2-Out' })).body.data)).toEqual(['10.34.0.1-2-Out']);
  expect((await t.get('/api/v2/reader/list', { ...page, name: '10.34.0.1-2-Out', deviceSn: 'RLFB000002' })).body.data.total).toBe(0);
  expect((await t.get('/api/reader/accList', { ...page, deviceSn: 'NOSUCH' })).body).toEqual({ code: 0, message: 'success', data: [] });
});
