/**
 * 2.11.5 / 2.11.10 print only the paging, but clients narrow the door list by door name or by device, as CVSecurity's
 * own door list is narrowed: such a call got every door of the site with success, as if filtered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const page = { pageNo: 1, pageSize: 100 };
const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name).sort();

beforeAll(async () => {
  t = await startTestApp();
  await new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DLFA000001', doors: 2, ipAddress: '10.31.0.1' }).connect();
  await new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DLFB000002', doors: 1, ipAddress: '10.31.0.2' }).connect();
});
afterAll(async () => {
  await t?.close();
});

it('door/list and v2/door/list narrow to a device (deviceSn, devSn or sn) and to a door name; no match lists none', async () => {
  expect(names((await t.get('/api/door/list', page)).body.data)).toEqual(['10.31.0.1-1', '10.31.0.1-2', '10.31.0.2-1']);
  for (const key of ['deviceSn', 'devSn', 'sn']) {
    expect(names((await t.get('/api/door/list', { ...page, [key]: 'DLFA000001' })).body.data), key).toEqual(['10.31.0.1-1', '10.31.0.1-2']);
    const v2 = (await t.get('/api/v2/door/list', { ...page, [key]: 'DLFB000002' })).body.data;
    expect({ total: v2.total, names: names(v2.data) }, key).toEqual({ total: 1, names: ['10.31.0.2-1'] });
  }
  expect(names((await t.get('/api/door/list', { ...page, name: '10.31.0.1-2' })).body.data)).toEqual(['10.31.0.1-2']);
  expect((await t.get('/api/v2/door/list', { ...page, name: '10.31.0.1-2', deviceSn: 'DLFB000002' })).body.data.total).toBe(0);
  expect((await t.get('/api/door/list', { ...page, deviceSn: 'NOSUCH' })).body).toEqual({ code: 0, message: 'success', data: [] });
});
