/**
 * 2.12.1 / 2.12.4 print only the paging, but clients narrow the floor list by floor name or by controller, as
 * CVSecurity's own floor list is narrowed: such a call got every floor of the site with success, as if filtered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const page = { pageNo: 1, pageSize: 100 };
type Floor = { name: string };

beforeAll(async () => {
  t = await startTestApp();
  await new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'FLFA000001', floors: 3, ipAddress: '10.32.0.1' }).connect();
  await new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'FLFB000002', floors: 2, ipAddress: '10.32.0.2' }).connect();
  for (let i = 0; i < 50 && (await t.get('/api/v2/floor/list', page)).body.data.total < 5; i++) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => {
  await t?.close();
});

it('floor/list and v2/floor/list narrow to a controller (deviceSn, devSn or sn) and to a floor name; no match lists none', async () => {
  const all = (await t.get('/api/floor/list', page)).body.data as Floor[];
  expect(all).toHaveLength(5);
  for (const key of ['deviceSn', 'devSn', 'sn']) {
    expect((await t.get('/api/floor/list', { ...page, [key]: 'FLFA000001' })).body.data, key).toHaveLength(3);
    expect((await t.get('/api/v2/floor/list', { ...page, [key]: 'FLFB000002' })).body.data.total, key).toBe(2);
  }
  const one = all[4].name;
  expect((await t.get('/api/floor/list', { ...page, name: one })).body.data.map((f: Floor) => f.name)).toEqual([one]);
  expect((await t.get('/api/v2/floor/list', { ...page, deviceSn: 'NOSUCH' })).body.data.total).toBe(0);
});
