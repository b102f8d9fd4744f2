/**
 * An access panel's readers are those its registration declares (LockCount doors, ReaderCount readers), as
 * CVSecurity creates one reader per physical reader: a single-door SpeedFace with one reader lists one in reader;
 * an inBio460 wired with four readers lists four in readers, with eight an in and an out reader per door.
 * reader/accList (2.14.1) and the v2 list answer exactly those, and the panel's rtlog events (2.18) name the
 * reader of the direction passed, none where the door has no reader for it. Registered again with another
 * ReaderCount, the readers follow: the ones kept keep their id and the name an operator gave them, the ones the
 * panel no longer declares go, and events already stored keep the name of the reader they were made at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const page = { pageNo: 1, pageSize: 50 };
type ReaderItem = { id: string; doorId: string; name: string; readerNo: number; readerState: number };

beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
});
afterAll(async () => {
  await t?.close();
});

/** The readers of one panel's doors, as reader/accList lists them: [name, readerNo, readerState]. */
async function readersOf(sn: string): Promise<Array<[string, number, number]>> {
  const doors: Array<{ id: string }> = await t.ds.query(`SELECT o.id FROM door o JOIN device d ON d.id = o.device_id WHERE d.sn = $1`, [sn]);
  const ids = new Set(doors.map((d) => d.id));
  const r = await t.get('/api/reader/accList', page);
  expect(r.body.code).toBe(0);
  return (r.body.data as ReaderItem[]).filter((x) => ids.has(x.doorId)).map((x) => [x.name, x.readerNo, x.readerState]);
}

async function readerNames(sn: string): Promise<Record<number, string | null>> {
  const list = (await t.get(`/api/transaction/device/${sn}`, page)).body.data as Array<{ logId: number; readerName: string | null }>;
  return Object.fromEntries(list.map((e) => [e.logId, e.readerName]));
}

describe('an access panel’s readers from its ReaderCount', () => {
  it('a single-door SpeedFace declaring one reader lists only its in reader; an exit-side event names none', async () => {
    const sf = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'SFREADER01', doors: 1, readerCount: 1, ipAddress: '10.9.1.1', deviceName: 'SpeedFace-V5L' });
    expect((await sf.connect()).registered).toBe(true);
    await sf.pollUntilIdle();
    expect(await readersOf('SFREADER01')).toEqual([['10.9.1.1-1-In', 1, 0]]);
    const at = new Date(Date.now() - 60_000);
    expect((await sf.uploadRtlog([
      { time: at, pin: '0', cardno: '8880001', eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 4, index: 21 },
      { time: at, pin: '0', cardno: '8880002', eventaddr: 1, event: 27, inoutstatus: 1, verifytype: 4, index: 22 },
    ])).status).toBe(200);
    const names = await readerNames('SFREADER01');
    expect(names[21]).toBe('10.9.1.1-1-In');
    expect(names[22]).toBe('others');
  });

  it('an inBio460 with four readers has an in reader per door; with eight, an in and an out; back to four, renamed readers keep their names', async () => {
    const sn = 'IB460READ01';
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 4, readerCount: 4, ipAddress: '10.9.4.6', deviceName: 'inBio460' });
    expect((await panel.connect()).registered).toBe(true);
    await panel.pollUntilIdle();
    expect(await readersOf(sn)).toEqual([1, 2, 3, 4].map((n) => [`10.9.4.6-${n}-In`, n, 0]));
    const v2 = (await t.get('/api/v2/reader/list', page)).body.data as { total: number; data: ReaderItem[] };
    expect(v2.data.filter((x) => x.name.startsWith('10.9.4.6-'))).toHaveLength(4);
    // An operator names door 2's reader.
    const door2In = v2.data.find((x) => x.name === '10.9.4.6-2-In')!;
    expect((await t.post('/api/v2/reader/update', { id: door2In.id, name: 'Stores entry' })).body.code).toBe(0);

    expect((await panel.reconfigure({ readerCount: 8 })).registered).toBe(true);
    expect(await readersOf(sn)).toEqual([
      ['10.9.4.6-1-In', 1, 0], ['10.9.4.6-1-Out', 2, 1],
      ['Stores entry', 3, 0], ['10.9.4.6-2-Out', 4, 1],
      ['10.9.4.6-3-In', 5, 0], ['10.9.4.6-3-Out', 6, 1],
      ['10.9.4.6-4-In', 7, 0], ['10.9.4.6-4-Out', 8, 1],
    ]);
    expect((await t.get('/api/reader/getAcc', { id: door2In.id })).body.data).toEqual({ ...door2In, name: 'Stores entry', readerNo: 3 });
    const at = new Date(Date.now() - 30_000);
    await panel.uploadRtlog([
      { time: at, pin: '0', cardno: '8880003', eventaddr: 2, event: 27, inoutstatus: 0, verifytype: 4, index: 31 },
      { time: at, pin: '0', cardno: '8880004', eventaddr: 2, event: 27, inoutstatus: 1, verifytype: 4, index: 32 },
    ]);
    expect(await readerNames(sn)).toMatchObject({ 31: 'Stores entry', 32: '10.9.4.6-2-Out' });

    expect((await panel.reconfigure({ readerCount: 4 })).registered).toBe(true);
    expect(await readersOf(sn)).toEqual([['10.9.4.6-1-In', 1, 0], ['Stores entry', 2, 0], ['10.9.4.6-3-In', 3, 0], ['10.9.4.6-4-In', 4, 0]]);
    expect((await t.get('/api/reader/getAcc', { id: door2In.id })).body.data).toEqual({ ...door2In, name: 'Stores entry', readerNo: 2 });
    // The events keep the names of the readers they were made at.
    expect(await readerNames(sn)).toMatchObject({ 31: 'Stores entry', 32: '10.9.4.6-2-Out' });
  });

  it('a registration without ReaderCount leaves the readers, and the counts the device stated, as they are', async () => {
    const sn = 'IB460READ01';
    const r = await fetch(`${t.baseUrl}/iclock/registry?SN=${sn}`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'DeviceType=acc,~DeviceName=inBio460,FirmVer=AC Ver 5.8.0' });
    expect(r.status).toBe(200);
    expect((await readersOf(sn)).map(([name]) => name)).toEqual(['10.9.4.6-1-In', 'Stores entry', '10.9.4.6-3-In', '10.9.4.6-4-In']);
    // Nor are the counts it stated before forgotten: the device still reads 4 doors and 4 readers.
    expect((await t.get(`/api/gateway/devices/${sn}`)).body.data).toMatchObject({ lockCount: 4, readerCount: 4 });
  });

  it('a renamed reader the panel stops declaring comes back with its id and name when declared again, also with its door', async () => {
    const sn = 'IB460READ01';
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 4, readerCount: 8, ipAddress: '10.9.4.6', deviceName: 'inBio460' });
    expect((await panel.connect()).registered).toBe(true);
    const list = (await t.get('/api/reader/accList', page)).body.data as ReaderItem[];
    const dockExit = list.find((x) => x.name === '10.9.4.6-3-Out')!;
    expect((await t.post('/api/v2/reader/update', { id: dockExit.id, name: 'Dock exit' })).body.code).toBe(0);
    const at = new Date(Date.now() - 20_000);
    await panel.uploadRtlog([{ time: at, pin: '0', cardno: '8880005', eventaddr: 3, event: 27, inoutstatus: 1, verifytype: 4, index: 41 }]);

    expect((await panel.reconfigure({ readerCount: 4 })).registered).toBe(true);
    expect((await t.get('/api/reader/getAcc', { id: dockExit.id })).body.code).toBe(-264);
    expect((await readerNames(sn))[41]).toBe('Dock exit');

    expect((await panel.reconfigure({ readerCount: 8 })).registered).toBe(true);
    expect(await readersOf(sn)).toEqual([
      ['10.9.4.6-1-In', 1, 0], ['10.9.4.6-1-Out', 2, 1],
      ['Stores entry', 3, 0], ['10.9.4.6-2-Out', 4, 1],
      ['10.9.4.6-3-In', 5, 0], ['Dock exit', 6, 1],
      ['10.9.4.6-4-In', 7, 0], ['10.9.4.6-4-Out', 8, 1],
    ]);
    expect((await t.get('/api/reader/getAcc', { id: dockExit.id })).body.data).toEqual({ ...dockExit, name: 'Dock exit' });
    await panel.uploadRtlog([{ time: new Date(Date.now() - 10_000), pin: '0', cardno: '8880006', eventaddr: 3, event: 27, inoutstatus: 1, verifytype: 4, index: 42 }]);
    expect(await readerNames(sn)).toMatchObject({ 41: 'Dock exit', 42: 'Dock exit' });

    // Two two-way doors, then four again: door 3 returns as it was, with its renamed reader.
    expect((await panel.reconfigure({ doors: 2, readerCount: 4 })).registered).toBe(true);
    expect((await readersOf(sn)).map(([name]) => name)).toEqual(['10.9.4.6-1-In', '10.9.4.6-1-Out', 'Stores entry', '10.9.4.6-2-Out']);
    expect((await panel.reconfigure({ doors: 4, readerCount: 8 })).registered).toBe(true);
    expect((await readersOf(sn)).map(([name]) => name)).toEqual([
      '10.9.4.6-1-In', '10.9.4.6-1-Out', 'Stores entry', '10.9.4.6-2-Out', '10.9.4.6-3-In', 'Dock exit', '10.9.4.6-4-In', '10.9.4.6-4-Out',
    ]);
    expect((await t.get('/api/reader/getAcc', { id: dockExit.id })).body.data).toEqual({ ...dockExit, name: 'Dock exit' });
  });
});
