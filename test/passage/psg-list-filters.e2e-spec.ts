/**
 * 2.31.5 / 2.31.6 and 2.33.1 / 2.33.2 print only the paging, but clients narrow the gate and gate-reader lists by
 * name or by channel controller, as the door and floor lists: such a call got every gate or reader with success.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const page = { pageNo: 1, pageSize: 100 };
type Named = { name: string };
const names = (rows: Named[]) => rows.map((r) => r.name).sort();

beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
  for (const [sn, gates, ip] of [['PLFA000001', 2, '10.33.0.1'], ['PLFB000002', 1, '10.33.0.2']] as const) {
    const cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn, gates, readerCount: gates * 2, ipAddress: ip });
    await cc.connect();
    await cc.pollUntilIdle();
  }
});
afterAll(async () => {
  await t?.close();
});

it('psgGate/list and v2/psgGate/list narrow to a controller (deviceSn, devSn or sn) and to a gate name; no match lists none', async () => {
  const all = (await t.get('/api/psgGate/list', page)).body.data as Named[];
  expect(all).toHaveLength(3);
  for (const key of ['deviceSn', 'devSn', 'sn']) {
    expect((await t.get('/api/psgGate/list', { ...page, [key]: 'PLFA000001' })).body.data, key).toHaveLength(2);
    const v2 = (await t.get('/api/v2/psgGate/list', { ...page, [key]: 'PLFB000002' })).body.data;
    expect({ total: v2.total, names: names(v2.data) }, key).toEqual({ total: 1, names: [all[2].name] });
  }
  expect(names((await t.get('/api/psgGate/list', { ...page, name: all[1].name })).body.data)).toEqual([all[1].name]);
  expect((await t.get('/api/v2/psgGate/list', { ...page, name: all[1].name, deviceSn: 'PLFB000002' })).body.data.total).toBe(0);
  expect((await t.get('/api/psgGate/list', { ...page, deviceSn: 'NOSUCH' })).body).toEqual({ code: 0, message: 'success', data: [] });
});

it('psgReader/list and v2/psgReader/list narrow to a controller (deviceSn, devSn or sn) and to a reader name; no match lists none', async () => {
  const all = (await t.get('/api/psgReader/list', page)).body.data as Named[];
  expect(all).toHaveLength(6);
  for (const key of ['deviceSn', 'devSn', 'sn']) {
    expect((await t.get('/api/psgReader/list', { ...page, [key]: 'PLFA000001' })).body.data, key).toHaveLength(4);
    const v2 = (await t.get('/api/v2/psgReader/list', { ...page, [key]: 'PLFB000002' })).body.data;
    expect({ total: v2.total, names: names(v2.data) }, key).toEqual({ total: 2, names: names(all.slice(4)) });
  }
  expect(names((await t.get('/api/psgReader/list', { ...page, name: all[3].name })).body.data)).toEqual([all[3].name]);
  expect((await t.get('/api/v2/psgReader/list', { ...page, name: all[3].name, sn: 'PLFB000002' })).body.data.total).toBe(0);
  expect((await t.get('/api/psgReader/list', { ...page, devSn: 'NOSUCH' })).body).toEqual({ code: 0, message: 'success', data: [] });
});
