import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * 2.3 and 2.20 through HTTP, fed by the plate-camera extension: the lists decide the camera's answer, and the
 * records (with their pictures) are what parkTransaction serves.
 */
let t: TestApp;
const PICTURE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x42]);
const page = { pageNo: 1, pageSize: 20 };

beforeAll(async () => {
  t = await startTestApp({ parkingAllowUnlisted: false });
});
afterAll(async () => {
  await t?.close();
});

const camera = (body: Record<string, unknown>) => t.post('/api/gateway/parking/cameraEvent', body);
/** The manual puts every input of 2.3 in the query string of a POST without a body. */
const park = (op: string, query: Record<string, unknown>) => t.post(`/api/parkAuthorize/${op}`, undefined, query);

describe('plate lists (2.3)', () => {
  it('add, edit and delete with the manual inputs in the query string', async () => {
    expect((await park('addBlackWhite', { type: 1, carNumber: 'A32212' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await park('addBlackWhite', { type: 0, carNumber: 'B-777 77', fromTime: '2026-01-01', toTime: '2026-12-31' })).body.code).toBe(0);
    expect((await park('editBlackWhite', { type: 0, carNumber: 'C12345', oldCarNumber: 'b77777', fromTime: '2026-01-01', toTime: '2026-06-30' })).body.code).toBe(0);
    expect((await park('addBlackWhite', { type: 1, carNumber: 'D5' })).body.code).toBe(0);
    expect((await park('delBlackWhite', { carNumber: 'd5' })).body).toEqual({ code: 0, message: 'success', data: null });
    const rows = await t.ds.query(`SELECT car_number, type, from_date::text AS f, to_date::text AS t FROM park_authorize ORDER BY car_number`);
    expect(rows).toEqual([
      { car_number: 'A32212', type: 1, f: null, t: null },
      { car_number: 'C12345', type: 0, f: '2026-01-01', t: '2026-06-30' },
    ]);
    // JSON bodies work too.
    expect((await t.post('/api/parkAuthorize/addBlackWhite', { type: '1', carNumber: 'E999' })).body.code).toBe(0);
    // type 1.0 (a float serialiser's 1) is the black list, as 1 is.
    expect((await t.post('/api/parkAuthorize/addBlackWhite', { type: '1.0', carNumber: 'E998' })).body.code).toBe(0);
  });

  it.each([
    ['addBlackWhite', { type: 2, carNumber: 'A1234' }, -221],
    ['addBlackWhite', { carNumber: 'A1234' }, -221],
    ['addBlackWhite', { type: 0, carNumber: 'A1234' }, -222],
    ['addBlackWhite', { type: 0, carNumber: 'A1234', fromTime: '2026-02-30', toTime: '2026-03-01' }, -222],
    ['addBlackWhite', { type: 1, carNumber: 'A1234', fromTime: '2026-03-02', toTime: '2026-03-01' }, -222],
    ['addBlackWhite', { type: 1, carNumber: '' }, -223],
    ['addBlackWhite', { type: 1, carNumber: 'A#1' }, -223],
    ['editBlackWhite', { type: 1, carNumber: 'A1234', oldCarNumber: 'NOTLISTED' }, -223],
    ['editBlackWhite', { type: 1, carNumber: 'A32212', oldCarNumber: 'C12345' }, -220],
    ['editBlackWhite', { type: 1, carNumber: 'A1234' }, -223],
    ['delBlackWhite', { carNumber: 'NOTLISTED' }, -223],
    ['delBlackWhite', {}, -223],
  ])('%s %j → %s', async (op, query, code) => {
    const r = await park(op, query);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ code, data: null });
    expect(r.body.message).toEqual(expect.any(String));
  });
});

describe('the plate-camera extension and parking records (2.20)', () => {
  it('refuses a black-listed plate and lists the record with its picture', async () => {
    const r = await camera({ carNumber: 'a 32212', direction: 'in', eventTime: '2026-03-02 08:00:00', channelName: 'Gate 1', parkAreaName: 'P1', picture: PICTURE.toString('base64') });
    expect(r.body).toEqual({
      code: 0,
      message: 'success',
      data: { recordId: expect.stringMatching(/^[0-9a-f]{32}$/), allowed: false, listType: 'black', eventType: 'Black list car refused', carNumber: 'a 32212' },
    });
    const list = await t.get('/api/v2/parkTransaction/listParkRecordin', page);
    expect(list.body).toEqual({
      code: 0,
      message: 'success',
      data: [
        {
          id: r.body.data.recordId,
          parkAreaName: 'P1',
          name: null,
          carNumber: 'a 32212',
          carTypeName: 'Black list car',
          channelName: 'Gate 1',
          channelState: 'Entry',
          eventType: 'Black list car refused',
          checkInTime: '2026-03-02 08:00:00',
        },
      ],
    });
    const pic = await t.get('/api/parkTransaction/getParkRecordPicture', { recordId: r.body.data.recordId, recordType: 1 });
    expect(pic.body).toEqual({ code: 0, message: 'success', data: PICTURE.toString('base64') });
    // recordType "1.0" (a float serialiser's 1) is the entry record, as 1 is.
    expect((await t.get('/api/parkTransaction/getParkRecordPicture', { recordId: r.body.data.recordId, recordType: '1.0' })).body).toEqual(pic.body);
    // The exit list and the wrong record type do not hold it.
    expect((await t.get('/api/parkTransaction/getParkRecordPicture', { recordId: r.body.data.recordId, recordType: 2 })).body).toMatchObject({ code: -404, data: null });
  });

  it('lets a white-listed plate in within its dates, an unlisted one out but not in (PARKING_UNLISTED=refuse)', async () => {
    const white = await camera({ plate: 'C-12345', direction: 1, eventTime: '2026-03-02 09:00:00', picture: `data:image/jpeg;base64,${PICTURE.toString('base64')}` });
    expect(white.body.data).toMatchObject({ allowed: true, listType: 'white', eventType: 'White list car passed' });
    const expired = await camera({ plate: 'C12345', direction: 'entry', eventTime: '2026-07-01 09:00:00' });
    expect(expired.body.data).toMatchObject({ allowed: false, listType: null });
    expect((await camera({ licensePlate: 'Z999', direction: 'in', eventTime: '2026-03-02 10:00:00' })).body.data).toMatchObject({ allowed: false, eventType: 'Unlisted car refused' });
    expect((await camera({ licensePlate: 'Z999', direction: 'out', eventTime: '2026-03-02 11:00:00' })).body.data).toMatchObject({ allowed: true, eventType: 'Temporary car passed' });

    const ins = (await t.get('/api/parkTransaction/listParkRecordin', page)).body.data;
    expect(ins.map((i: any) => [i.carNumber, i.checkInTime])).toEqual([
      ['C12345', '2026-07-01 09:00:00'],
      ['Z999', '2026-03-02 10:00:00'],
      ['C-12345', '2026-03-02 09:00:00'],
      ['a 32212', '2026-03-02 08:00:00'],
    ]);
    const outs = (await t.get('/api/v2/parkTransaction/listParkRecordout', page)).body.data;
    expect(outs).toEqual([expect.objectContaining({ carNumber: 'Z999', channelState: 'Exit', checkOutTime: '2026-03-02 11:00:00', carTypeName: 'Temporary car' })]);
    // Filters: plate (spacing and case ignored) and dates.
    expect((await t.get('/api/v2/parkTransaction/listParkRecordin', { ...page, carNumber: 'c12345' })).body.data).toHaveLength(2);
    expect((await t.get('/api/v2/parkTransaction/listParkRecordin', { ...page, startDate: '2026-03-02 08:30:00', endDate: '2026-03-02 23:59:59' })).body.data).toHaveLength(2);
    expect((await t.get('/api/v2/parkTransaction/listParkRecordin', { pageNo: 0, pageSize: 20 })).body).toMatchObject({ code: -90, data: null });
    expect((await t.get('/api/v2/parkTransaction/listParkRecordin', { pageNo: 1, pageSize: 1001 })).body).toMatchObject({ code: -91, data: null });
    expect((await t.get('/api/v2/parkTransaction/listParkRecordin', { pageNo: 1 })).body).toMatchObject({ code: -92, data: null });
    // A record without a picture.
    expect((await t.get('/api/parkTransaction/getParkRecordPicture', { recordId: expired.body.data.recordId, recordType: 1 })).body).toMatchObject({ code: -404, data: null });
  });

  it('the lists change the answer at once', async () => {
    expect((await camera({ carNumber: 'Z999', direction: 'in' })).body.data.allowed).toBe(false);
    await park('addBlackWhite', { type: 0, carNumber: 'Z999', fromTime: '2000-01-01', toTime: '2099-12-31' });
    expect((await camera({ carNumber: 'Z999', direction: 'in' })).body.data).toMatchObject({ allowed: true, listType: 'white' });
    await park('editBlackWhite', { type: 1, carNumber: 'Z999', oldCarNumber: 'Z999' });
    expect((await camera({ carNumber: 'Z999', direction: 'out' })).body.data).toMatchObject({ allowed: false, listType: 'black' });
  });

  it('refuses bad camera posts with an envelope', async () => {
    expect((await camera({ direction: 'in' })).body).toMatchObject({ code: -223, data: null });
    expect((await camera({ carNumber: 'A1234', direction: 'up' })).body).toMatchObject({ code: -400, data: null });
    expect((await camera({ carNumber: 'A1234', direction: 'in', picture: Buffer.from('GIF89a').toString('base64') })).body).toMatchObject({ code: -400, data: null });
    expect((await camera({ carNumber: 'A1234', direction: 'in', eventTime: 'yesterday' })).body).toMatchObject({ code: -100, data: null });
    expect((await t.request('POST', '/api/gateway/parking/cameraEvent', { body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
  });
});

describe('a camera post sent again (the adapter retrying after a lost answer)', () => {
  const read = { carNumber: 'R 5501', direction: 'in', eventTime: '2026-04-01 07:30:00', cameraId: 'CAM-7', channelName: 'Gate 2' };
  const records = async () => (await t.get('/api/v2/parkTransaction/listParkRecordin', { ...page, carNumber: 'R5501' })).body.data as Array<{ id: string }>;

  it('is one record: the retry, and copies sent at once, answer the first answer', async () => {
    const first = await camera(read);
    expect(first.body).toMatchObject({ code: 0, data: { allowed: false, listType: null, eventType: 'Unlisted car refused' } });
    // The lists changed before the retry came: the barrier already had its answer, the retry gets the same one.
    await park('addBlackWhite', { type: 0, carNumber: 'R5501', fromTime: '2000-01-01', toTime: '2099-12-31' });
    const again = await camera(read);
    expect(again.body).toEqual(first.body);
    const atOnce = await Promise.all([1, 2, 3].map(() => camera({ ...read, eventTime: '2026-04-01 17:45:00', direction: 'in' })));
    expect(new Set(atOnce.map((r) => r.body.data.recordId)).size).toBe(1);
    expect(atOnce.every((r) => r.body.code === 0 && r.body.data.allowed === true)).toBe(true);
    expect((await records()).map((r) => r.id).sort()).toEqual([first.body.data.recordId, atOnce[0].body.data.recordId].sort());
  });

  it('another time, another camera or another direction is another record', async () => {
    const before = (await records()).length;
    await camera({ ...read, eventTime: '2026-04-02 07:30:00' });
    await camera({ ...read, cameraId: 'CAM-8' });
    await camera({ ...read, direction: 'out' });
    expect((await records()).length).toBe(before + 2);
    const out = (await t.get('/api/v2/parkTransaction/listParkRecordout', { ...page, carNumber: 'R5501' })).body.data;
    expect(out).toHaveLength(1);
  });
});
