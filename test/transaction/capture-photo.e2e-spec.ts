import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistryService } from '../../src/push/device-registry.service';
import { connectedSim } from '../push/push-helpers';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * 5. capturePhotoBase64 carries the snapshot a device uploaded for the event (ATTPHOTO, push 7.9, named
 * `<yyyyMMddHHmmss>-<pin>.jpg` in the device's wall-clock time), whether it came before or after the rtlog
 * line, on the device's zone; "" for an event without one.
 */
let t: TestApp;
let sim: DeviceSimulator;
const PHOTO_A = Buffer.from('snapshot of pin 100').toString('base64');
const PHOTO_B = Buffer.from('snapshot of a stranger').toString('base64');

beforeAll(async () => {
  t = await startTestApp({ timeZone: 'UTC' });
  sim = await connectedSim(t, { sn: 'CAPTURE0001', doors: 1 });
  await sim.pollUntilIdle();
});
afterAll(async () => {
  await t?.close();
});

async function eventsOfDevice(): Promise<Array<{ id: string; eventTime: string; pin: string; capturePhotoBase64: string }>> {
  const r = await t.get('/api/v2/transaction/device/CAPTURE0001', { pageNo: 1, pageSize: 10 });
  expect(r.body.code).toBe(0);
  return r.body.data.data;
}

describe('capturePhotoBase64', () => {
  it('carries the ATTPHOTO upload of the event, uploaded before or after it', async () => {
    expect((await sim.uploadTable('ATTPHOTO', [{ pin: '20240301080000-100.jpg', sn: 'CAPTURE0001', size: 19, photo: PHOTO_A }])).status).toBe(200);
    const up = await sim.uploadRtlog([
      { time: '2024-03-01 08:00:00', pin: 100, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: 1 },
      { time: '2024-03-01 08:05:00', pin: 0, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 200, index: 2 },
      { time: '2024-03-01 08:10:00', pin: 101, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: 3 },
    ]);
    expect(up.status).toBe(200);
    // The stranger's snapshot comes after its event.
    expect((await sim.uploadTable('ATTPHOTO', [{ pin: '20240301080500.jpg', sn: 'CAPTURE0001', size: 22, photo: PHOTO_B }])).status).toBe(200);
    const events = await eventsOfDevice();
    const byTime = Object.fromEntries(events.map((e) => [e.eventTime, e]));
    expect(byTime['2024-03-01 08:00:00'].capturePhotoBase64).toBe(PHOTO_A);
    expect(byTime['2024-03-01 08:05:00'].capturePhotoBase64).toBe(PHOTO_B);
    expect(byTime['2024-03-01 08:10:00'].capturePhotoBase64).toBe('');
    const one = await t.get(`/api/v2/transaction/getById/${byTime['2024-03-01 08:00:00'].id}`);
    expect(one.body.data.capturePhotoBase64).toBe(PHOTO_A);
    expect((await t.get(`/api/transaction/getById/${byTime['2024-03-01 08:10:00'].id}`)).body.data.capturePhotoBase64).toBe('');
  });

  it("gives a person's event its own snapshot when a stranger's event of the same second has one too, whichever came last", async () => {
    // A two-door panel: pin 100 at door 1 and an unregistered card at door 2 in the same second. The panel names the
    // person's snapshot <stamp>-100.jpg and the stranger's <stamp>.jpg; here the stranger's is uploaded last.
    const up = await sim.uploadRtlog([
      { time: '2024-03-05 09:00:00', pin: 100, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: 11 },
      { time: '2024-03-05 09:00:00', pin: 0, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 200, index: 12 },
    ]);
    expect(up.status).toBe(200);
    expect((await sim.uploadTable('ATTPHOTO', [{ pin: '20240305090000-100.jpg', sn: 'CAPTURE0001', size: 19, photo: PHOTO_A }])).status).toBe(200);
    expect((await sim.uploadTable('ATTPHOTO', [{ pin: '20240305090000.jpg', sn: 'CAPTURE0001', size: 22, photo: PHOTO_B }])).status).toBe(200);
    const r = await t.get('/api/v2/transaction/list', { pageNo: 1, pageSize: 10, startDate: '2024-03-05 09:00:00', endDate: '2024-03-05 09:00:00' });
    expect(r.body.code).toBe(0);
    const photoOf = Object.fromEntries(r.body.data.data.map((e: { pin: string; capturePhotoBase64: string }) => [e.pin, e.capturePhotoBase64]));
    expect(photoOf).toEqual({ '100': PHOTO_A, '': PHOTO_B });
  });

  it("matches the name in the device's own time zone", async () => {
    const tokyo = await connectedSim(t, { sn: 'CAPTURE0002', doors: 1 });
    await tokyo.pollUntilIdle();
    await t.ds.query(`UPDATE device SET time_zone = 'Asia/Tokyo' WHERE sn = 'CAPTURE0002'`);
    t.app.get(DeviceRegistryService).forget('CAPTURE0002');
    expect((await tokyo.uploadRtlog([{ time: '2024-03-01 09:00:00', pin: 7, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: 1 }])).status).toBe(200);
    expect((await tokyo.uploadTable('ATTPHOTO', [{ pin: '20240301090000-7.jpg', sn: 'CAPTURE0002', size: 19, photo: PHOTO_A }])).status).toBe(200);
    const r = await t.get('/api/v2/transaction/device/CAPTURE0002', { pageNo: 1, pageSize: 10 });
    expect(r.body.data.data.map((e: { eventTime: string; capturePhotoBase64: string }) => [e.eventTime, e.capturePhotoBase64])).toEqual([['2024-03-01 00:00:00', PHOTO_A]]);
  });
});
