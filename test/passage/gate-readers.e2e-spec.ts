/**
 * A channel controller's readers follow its registration's ReaderCount: two per lane (entry and exit) when it
 * reports twice its gates, one (entry) per lane when it reports as many as its gates. psgReader (2.33) lists
 * exactly those, and its events (2.34) name the reader of the direction walked, "Others" where the lane has none.
 * Registered again with another ReaderCount (a lane made two-way or one-way), the readers follow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { startTestApp, type TestApp } from '../support/test-app';

const SN = 'PGREADER01';
let t: TestApp;
let cc: ChannelControllerSimulator;
const page = { pageNo: 1, pageSize: 50 };
/** Gate 1's exit reader while the lanes were two-way. */
let exitId: string;

type ReaderItem = { id: string; gateId: string; name: string; readerNo: number; readerState: number };

beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
  // Two one-way lanes: two gates, two readers.
  cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: SN, gates: 2, readerCount: 2, ipAddress: '10.7.2.1' });
  await cc.connect();
  await cc.pollUntilIdle();
});
afterAll(async () => {
  await t?.close();
});

async function readers(): Promise<Array<Omit<ReaderItem, 'id' | 'gateId'> & { gate: string }>> {
  const r = await t.get('/api/psgReader/list', page);
  expect(r.body.code).toBe(0);
  const gates = (await t.get('/api/psgGate/list', page)).body.data as Array<{ id: string; name: string }>;
  return (r.body.data as ReaderItem[]).map(({ gateId, name, readerNo, readerState }) => ({ gate: gates.find((g) => g.id === gateId)!.name, name, readerNo, readerState }));
}

async function readerNames(): Promise<Record<number, string>> {
  const list = (await t.get('/api/psgTransaction/device/' + SN, page)).body.data as Array<{ logId: number; readerName: string }>;
  return Object.fromEntries(list.map((e) => [e.logId, e.readerName]));
}

describe('a channel controller’s readers from its ReaderCount', () => {
  it('one-way lanes have an entry reader only; events on the exit side name none', async () => {
    expect(await readers()).toEqual([
      { gate: '10.7.2.1-1', name: '10.7.2.1-1-In', readerNo: 1, readerState: 0 },
      { gate: '10.7.2.1-2', name: '10.7.2.1-2-In', readerNo: 2, readerState: 0 },
    ]);
    const v2 = (await t.get('/api/v2/psgReader/list', page)).body.data;
    expect(v2.total).toBe(2);
    const at = new Date(Date.now() - 60_000);
    expect((await cc.uploadRtlog([
      { time: at, pin: '0', cardno: '7770001', eventaddr: 2, event: 27, inoutstatus: 0, verifytype: 4, index: 11 },
      { time: at, pin: '0', cardno: '7770002', eventaddr: 1, event: 27, inoutstatus: 1, verifytype: 4, index: 12 },
    ])).status).toBe(200);
    expect(await readerNames()).toEqual({ 11: '10.7.2.1-2-In', 12: 'Others' });
  });

  it('registered again with twice its gates, each lane has both; back to one per lane, the exit readers go', async () => {
    expect((await cc.reconfigure({ readerCount: 4 })).registered).toBe(true);
    const entry = (await t.get('/api/psgReader/list', page)).body.data as ReaderItem[];
    expect(await readers()).toEqual([
      { gate: '10.7.2.1-1', name: '10.7.2.1-1-In', readerNo: 1, readerState: 0 },
      { gate: '10.7.2.1-1', name: '10.7.2.1-1-Out', readerNo: 2, readerState: 1 },
      { gate: '10.7.2.1-2', name: '10.7.2.1-2-In', readerNo: 3, readerState: 0 },
      { gate: '10.7.2.1-2', name: '10.7.2.1-2-Out', readerNo: 4, readerState: 1 },
    ]);
    const out = entry.find((r) => r.name === '10.7.2.1-1-Out')!;
    exitId = out.id;
    expect((await t.get('/api/psgReader/getById', { id: out.id })).body.data).toMatchObject({ name: '10.7.2.1-1-Out', readerState: 1 });
    const at = new Date(Date.now() - 30_000);
    await cc.uploadRtlog([{ time: at, pin: '0', cardno: '7770003', eventaddr: 1, event: 27, inoutstatus: 1, verifytype: 4, index: 13 }]);
    expect((await readerNames())[13]).toBe('10.7.2.1-1-Out');

    expect((await cc.reconfigure({ readerCount: 2 })).registered).toBe(true);
    expect((await readers()).map((r) => [r.name, r.readerNo])).toEqual([['10.7.2.1-1-In', 1], ['10.7.2.1-2-In', 2]]);
    expect((await t.get('/api/psgReader/getById', { id: out.id })).body.code).toBe(-264);
    // The event keeps the name of the reader it was made at.
    expect((await readerNames())[13]).toBe('10.7.2.1-1-Out');
  });

  it('made two-way again, a lane takes back its exit reader: the same id, and the name it was given', async () => {
    expect((await cc.reconfigure({ readerCount: 4 })).registered).toBe(true);
    expect((await t.get('/api/psgReader/getById', { id: exitId })).body.data).toMatchObject({ name: '10.7.2.1-1-Out', readerNo: 2, readerState: 1 });
    // No REST route renames a gate reader (2.33 only reads them): the name is given where the gateway keeps it.
    await t.ds.query(`UPDATE reader SET name = 'Lane 1 exit' WHERE id = $1`, [exitId]);
    expect((await cc.reconfigure({ readerCount: 2 })).registered).toBe(true);
    expect((await t.get('/api/psgReader/getById', { id: exitId })).body.code).toBe(-264);
    expect((await cc.reconfigure({ readerCount: 4 })).registered).toBe(true);
    expect((await readers()).map((r) => [r.name, r.readerNo])).toEqual([['10.7.2.1-1-In', 1], ['Lane 1 exit', 2], ['10.7.2.1-2-In', 3], ['10.7.2.1-2-Out', 4]]);
    expect((await t.get('/api/psgReader/getById', { id: exitId })).body.data).toMatchObject({ name: 'Lane 1 exit', readerNo: 2, readerState: 1 });
    await cc.uploadRtlog([{ time: new Date(Date.now() - 10_000), pin: '0', cardno: '7770004', eventaddr: 1, event: 27, inoutstatus: 1, verifytype: 4, index: 14 }]);
    expect(await readerNames()).toMatchObject({ 13: '10.7.2.1-1-Out', 14: 'Lane 1 exit' });
  });
});
