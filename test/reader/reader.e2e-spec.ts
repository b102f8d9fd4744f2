import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { manualExample, shapeOf, uniformArrays } from '../door/cv-examples';

let t: TestApp;
const SN = 'READERTEST01';
const IP = '192.168.214.15';
const HEX32 = /^[0-9a-f]{32}$/;
let doors: Array<{ id: string; name: string }>;
let readers: Array<{ id: string; doorId: string; name: string; readerNo: number; readerState: number }>;

beforeAll(async () => {
  t = await startTestApp();
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: SN, doors: 2, ipAddress: IP });
  await sim.connect();
  doors = (await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data;
});
afterAll(async () => {
  await t?.close();
});

describe('reader (2.14)', () => {
  it('2.14.1 lists one in and one out reader per door, matching the example', async () => {
    const res = await t.get('/api/reader/accList', { pageNo: 1, pageSize: 20 });
    readers = res.body.data;
    expect(res.body).toEqual({
      code: 0,
      message: 'success',
      data: [
        { id: expect.stringMatching(HEX32), doorId: doors[0].id, name: `${IP}-1-In`, readerNo: 1, readerState: 0 },
        { id: expect.stringMatching(HEX32), doorId: doors[0].id, name: `${IP}-1-Out`, readerNo: 2, readerState: 1 },
        { id: expect.stringMatching(HEX32), doorId: doors[1].id, name: `${IP}-2-In`, readerNo: 3, readerState: 0 },
        { id: expect.stringMatching(HEX32), doorId: doors[1].id, name: `${IP}-2-Out`, readerNo: 4, readerState: 1 },
      ],
    });
    expect(shapeOf(res.body)).toEqual(shapeOf(manualExample('2.14.1')));
    expect(uniformArrays(res.body)).toBe(true);
    expect((await t.get('/api/reader/accList', { pageNo: 2, pageSize: 3 })).body.data).toEqual([readers[3]]);
    expect((await t.get('/api/reader/accList', { pageNo: 1 })).body.code).toBe(-92);
    expect((await t.get('/api/reader/accList', { pageNo: 1, pageSize: 0 })).body.code).toBe(-90);
  });

  it('2.14.2 gets a reader by id, matching the example; -263 without id, -264 unknown', async () => {
    const res = await t.get('/api/reader/getAcc', { id: readers[1].id });
    expect(res.body).toEqual({ code: 0, message: 'success', data: readers[1] });
    expect(shapeOf(res.body)).toEqual(shapeOf(manualExample('2.14.2')));
    expect((await t.get('/api/reader/getAcc')).body.code).toBe(-263);
    expect((await t.get('/api/reader/getAcc', { id: 'abc' })).body).toEqual({ code: -264, message: 'Did not exist this reader: abc', data: null });
  });
});

describe('v2 reader endpoints (field notes REST item 6)', () => {
  it('lists with the total', async () => {
    const res = await t.get('/api/v2/reader/list', { pageNo: 1, pageSize: 3 });
    expect(res.body).toEqual({ code: 0, message: 'success', data: { page: 0, size: 3, total: 4, data: readers.slice(0, 3), offset: 0, lastPage: false } });
    expect(shapeOf(res.body.data.data[0])).toEqual(shapeOf(manualExample('2.14.1').data[0]));
    expect((await t.get('/api/v2/reader/list')).body.code).toBe(-92);
  });

  it('gets by id in the query or the path', async () => {
    expect((await t.get('/api/v2/reader/get', { id: readers[2].id })).body.data).toEqual(readers[2]);
    expect((await t.get(`/api/v2/reader/get/${readers[2].id}`)).body.data).toEqual(readers[2]);
    expect((await t.get('/api/v2/reader/get')).body.code).toBe(-263);
    expect((await t.get('/api/v2/reader/get/nope')).body.code).toBe(-264);
  });

  it('updates name, number and direction (POST and PUT)', async () => {
    const res = await t.post('/api/v2/reader/update', { id: readers[0].id, name: 'Lobby-In', readerNo: '7' });
    expect(res.body).toEqual({ code: 0, message: 'success', data: { ...readers[0], name: 'Lobby-In', readerNo: 7 } });
    expect((await t.put('/api/v2/reader/update', { id: readers[0].id, readerNo: 1 })).body.data.readerNo).toBe(1);
    expect((await t.post('/api/v2/reader/update', { id: readers[0].id, readerState: 1 })).body.code).toBe(-409);
    expect((await t.post('/api/v2/reader/update', { name: 'x' })).body.code).toBe(-263);
    expect((await t.post('/api/v2/reader/update', { id: 'nope', name: 'x' })).body.code).toBe(-264);
  });

  it('an update giving only the id is -400 naming the fields, not a success that changed nothing', async () => {
    const before = (await t.get('/api/reader/getAcc', { id: readers[2].id })).body.data;
    const refused = { code: -400, message: 'The reader update gives nothing to change: send name, readerNo or readerState', data: null };
    expect((await t.post('/api/v2/reader/update', { id: readers[2].id })).body).toEqual(refused);
    expect((await t.put('/api/v2/reader/update', undefined, { id: readers[2].id })).body).toEqual(refused);
    expect((await t.get('/api/reader/getAcc', { id: readers[2].id })).body.data).toEqual(before);
  });

  it('refuses a readerNo another reader of the door has (update and add), naming that reader', async () => {
    const inReader = (await t.get('/api/reader/getAcc', { id: readers[0].id })).body.data;
    const outReader = readers[1];
    const shared = await t.post('/api/v2/reader/update', { id: inReader.id, readerNo: outReader.readerNo });
    expect(shared.body).toEqual({ code: -409, message: `readerNo ${outReader.readerNo} is already the number of reader ${outReader.name} (${outReader.id}) of this door`, data: null });
    expect((await t.put('/api/v2/reader/update', { id: inReader.id, readerNo: String(outReader.readerNo) })).body.code).toBe(-409);
    expect((await t.get('/api/reader/getAcc', { id: inReader.id })).body.data).toEqual(inReader);
    // Its own number, and another door's reader's number, are no clash.
    expect((await t.post('/api/v2/reader/update', { id: inReader.id, readerNo: inReader.readerNo })).body.code).toBe(0);
    expect((await t.post('/api/v2/reader/update', { id: inReader.id, readerNo: readers[2].readerNo })).body.data.readerNo).toBe(readers[2].readerNo);
    expect((await t.post('/api/v2/reader/update', { id: inReader.id, readerNo: inReader.readerNo })).body.code).toBe(0);
    await t.post('/api/v2/reader/delete', undefined, { id: outReader.id });
    const added = await t.post('/api/v2/reader/add', { doorId: outReader.doorId, readerState: 1, readerNo: inReader.readerNo });
    expect(added.body).toEqual({ code: -409, message: `readerNo ${inReader.readerNo} is already the number of reader ${inReader.name} (${inReader.id}) of this door`, data: null });
    expect((await t.get('/api/v2/reader/list', { pageNo: 1, pageSize: 10 })).body.data.total).toBe(3);
    const back = await t.post('/api/v2/reader/add', { doorId: outReader.doorId, readerState: 1 });
    expect(back.body.data).toEqual({ ...outReader, id: expect.stringMatching(HEX32) });
    readers[1] = back.body.data;
  });

  it('deletes a reader and adds it back (one reader per direction and door)', async () => {
    expect((await t.post('/api/v2/reader/delete', undefined, { id: readers[3].id })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/reader/getAcc', { id: readers[3].id })).body.code).toBe(-264);
    const added = await t.post('/api/v2/reader/add', { doorId: doors[1].id, readerState: '1' });
    expect(added.body).toEqual({
      code: 0,
      message: 'success',
      data: { id: expect.stringMatching(HEX32), doorId: doors[1].id, name: `${IP}-2-Out`, readerNo: 4, readerState: 1 },
    });
    expect((await t.post('/api/v2/reader/add', { doorId: doors[1].id, readerState: 1 })).body.code).toBe(-409);
    expect((await t.post('/api/v2/reader/add', { doorId: 'nope', readerState: 1 })).body.code).toBe(-47);
    expect((await t.post('/api/v2/reader/add', { readerState: 1 })).body.code).toBe(-44);
    expect((await t.post('/api/v2/reader/add', { doorId: doors[1].id, readerState: 3 })).body.code).toBe(-400);
    expect((await t.delete('/api/v2/reader/delete', { id: added.body.data.id })).body.code).toBe(0);
    expect((await t.delete('/api/v2/reader/delete', { id: added.body.data.id })).body.code).toBe(-264);
    expect((await t.post('/api/v2/reader/delete')).body.code).toBe(-263);
  });
});
