/**
 * 2.3.1 / 2.3.3 with a time of day: the manual's examples are days (`2018-08-17`), but a client that sends
 * `toTime=2026-03-02 18:00:00` means 18:00. The time was dropped (the entry answered success and stood until
 * midnight); it is now kept, and the plate camera decides by it. A bare date, or a time on the day's edge, is the
 * whole day, as before.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ parkingAllowUnlisted: false });
});
afterAll(async () => {
  await t?.close();
});

const park = (op: string, query: Record<string, unknown>) => t.post(`/api/parkAuthorize/${op}`, undefined, query);
const entry = async (plate: string, eventTime: string) =>
  (await t.post('/api/gateway/parking/cameraEvent', { carNumber: plate, direction: 'in', eventTime })).body.data as { allowed: boolean; listType: string | null };
const stored = async (plate: string) =>
  (await t.ds.query(`SELECT from_date::text AS fd, from_time::text AS ft, to_date::text AS td, to_time::text AS tt FROM park_authorize WHERE car_number = $1`, [plate]))[0];

it('a white list entry for an afternoon lets the car in only then', async () => {
  expect((await park('addBlackWhite', { type: 0, carNumber: 'V1234', fromTime: '2026-03-02 13:00:00', toTime: '2026-03-02 18:00:00' })).body).toEqual({ code: 0, message: 'success', data: null });
  expect(await stored('V1234')).toEqual({ fd: '2026-03-02', ft: '13:00:00', td: '2026-03-02', tt: '18:00:00' });
  expect(await entry('V1234', '2026-03-02 12:59:59')).toMatchObject({ allowed: false, listType: null });
  expect(await entry('V1234', '2026-03-02 13:00:00')).toMatchObject({ allowed: true, listType: 'white' });
  expect(await entry('V1234', '2026-03-02 18:00:00')).toMatchObject({ allowed: true, listType: 'white' });
  expect(await entry('V1234', '2026-03-02 18:00:01')).toMatchObject({ allowed: false, listType: null });
});

it('edit keeps the times it is given; a bare date or a time on the edge is the whole day', async () => {
  expect((await park('editBlackWhite', { type: 1, carNumber: 'V1234', oldCarNumber: 'V1234', fromTime: '2026-03-03 08:30:00', toTime: '2026-03-03' })).body.code).toBe(0);
  expect(await stored('V1234')).toEqual({ fd: '2026-03-03', ft: '08:30:00', td: '2026-03-03', tt: null });
  expect(await entry('V1234', '2026-03-03 08:00:00')).toMatchObject({ allowed: false, listType: null });
  expect(await entry('V1234', '2026-03-03 23:59:59')).toMatchObject({ allowed: false, listType: 'black' });
  expect((await park('addBlackWhite', { type: 0, carNumber: 'W1', fromTime: '2026-03-02 00:00:00', toTime: '2026-03-02 23:59:59' })).body.code).toBe(0);
  expect(await stored('W1')).toEqual({ fd: '2026-03-02', ft: null, td: '2026-03-02', tt: null });
});

it('the start after the end on the same day is the manual -222', async () => {
  const r = await park('addBlackWhite', { type: 0, carNumber: 'X1', fromTime: '2026-03-02 18:00:00', toTime: '2026-03-02 08:00:00' });
  expect(r.body).toMatchObject({ code: -222, data: null });
  expect(await stored('X1')).toBeUndefined();
});
