/**
 * An elevator controller's readers, as CVSecurity's API shows them: the manual lists access panels' readers (2.14
 * reader/accList, getAcc: "Access Control Reader") and channel controllers' gate readers (2.33 psgReader), and has
 * no elevator reader endpoint, so no list and no lookup answers an elevator controller's reader, whatever LockCount
 * and ReaderCount it registers with (an EC10 reports a lock output and its readers). Its readers are seen only as
 * its events' `readerName` (2.19): `<controller name>-<n>` for the reader a person used (inoutstatus 0 the first),
 * following the ReaderCount of its latest registration, and "others" for a reader it no longer declares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let ec: ElevatorControllerSimulator;
const page = { pageNo: 1, pageSize: 50 };

beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10READER1', floors: 4, doors: 1, readerCount: 2, ipAddress: '10.9.6.1' });
  expect((await ec.connect()).registered).toBe(true);
  await ec.pollUntilIdle();
  expect((await t.post('/api/person/add', { pin: '6301', name: 'Rita' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

async function readerNames(): Promise<Record<number, string>> {
  const list = (await t.get('/api/eleTransaction/list', page)).body.data as Array<{ logId: number; devSn: string; readerName: string }>;
  return Object.fromEntries(list.filter((e) => e.devSn === 'EC10READER1').map((e) => [e.logId, e.readerName]));
}

describe("an elevator controller's readers", () => {
  it('are in no reader list and no door list, whatever LockCount and ReaderCount it registers with', async () => {
    expect((await t.get('/api/eleDevice/getEle/EC10READER1')).body.data).toMatchObject({ sn: 'EC10READER1', module: 'ele' });
    expect((await t.get('/api/reader/accList', page)).body).toEqual({ code: 0, message: 'success', data: [] });
    expect((await t.get('/api/v2/reader/list', page)).body.data).toMatchObject({ total: 0, data: [] });
    expect((await t.get('/api/psgReader/list', page)).body).toEqual({ code: 0, message: 'success', data: [] });
    expect((await t.get('/api/v2/psgReader/list', page)).body.data).toMatchObject({ total: 0, data: [] });
    expect((await t.get('/api/door/list', page)).body.data).toEqual([]);
    expect((await t.get('/api/psgGate/list', page)).body.data).toEqual([]);
    // Its floors are no doors a reader could be added to.
    const floor = (await t.get('/api/floor/list', page)).body.data[0].id as string;
    expect((await t.post('/api/v2/reader/add', { doorId: floor, readerState: 0 })).body.code).toBeLessThan(0);
    expect((await t.get('/api/reader/accList', page)).body.data).toEqual([]);
  });

  it("its events name the reader a person used by its latest ReaderCount; a reader it no longer declares is 'others'", async () => {
    const at = new Date(Date.now() - 60_000);
    expect((await ec.uploadRtlog([
      { time: at, pin: '6301', eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 4, index: 1 },
      { time: at, pin: '6301', eventaddr: 2, event: 0, inoutstatus: 1, verifytype: 4, index: 2 },
    ])).status).toBe(200);
    expect(await readerNames()).toEqual({ 1: '10.9.6.1-1', 2: '10.9.6.1-2' });

    expect((await ec.reconfigure({ readerCount: 1 })).registered).toBe(true);
    await ec.uploadRtlog([{ time: new Date(Date.now() - 30_000), pin: '6301', eventaddr: 2, event: 0, inoutstatus: 1, verifytype: 4, index: 3 }]);
    // Stored events keep the name they were stored with.
    expect(await readerNames()).toEqual({ 1: '10.9.6.1-1', 2: '10.9.6.1-2', 3: 'others' });
    expect((await t.get('/api/reader/accList', page)).body.data).toEqual([]);

    expect((await ec.reconfigure({ readerCount: 2 })).registered).toBe(true);
    await ec.uploadRtlog([{ time: new Date(Date.now() - 10_000), pin: '6301', eventaddr: 2, event: 0, inoutstatus: 1, verifytype: 4, index: 4 }]);
    expect((await readerNames())[4]).toBe('10.9.6.1-2');
    expect((await t.get('/api/v2/reader/list', page)).body.data.total).toBe(0);
  });
});
