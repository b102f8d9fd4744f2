import { DeviceSimulator } from '../simulator/device-simulator';
import type { HttpResult, TestApp } from '../support/test-app';

/**
 * How to get an answer with data from the endpoints of 2.6, 2.20 and 2.26 (media, parking, temperature and
 * mask): each call makes the data it reads (an upload, a camera event, a screening panel's events).
 */
export const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x99]);

export async function uploadMedia(t: TestApp, name: string, file = { name: 'bayue.jpg', type: 'image/jpeg', bytes: JPEG }): Promise<HttpResult> {
  const form = new FormData();
  form.append('mediaName', name);
  form.append('file', new Blob([file.bytes], { type: file.type }), file.name);
  const res = await fetch(new URL(`/api/adMedia/add?access_token=${t.config.apiToken}`, t.baseUrl), { method: 'POST', body: form });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
}

export function cameraEvent(t: TestApp, carNumber: string, direction: 'in' | 'out'): Promise<HttpResult> {
  return t.post('/api/gateway/parking/cameraEvent', { carNumber, direction, channelName: 'Gate 1', parkAreaName: 'P1', driverName: 'Ann', picture: JPEG.toString('base64') });
}

let panel: Promise<void> | undefined;

/** One screening panel with a masked, measured person event and its snapshot (made once per app). */
export function screeningEvents(t: TestApp): Promise<void> {
  panel ??= (async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CKJF201260077', doors: 1, registryExtras: { MaskDetectionFunOn: 1, IRTempDetectionFunOn: 1 } });
    await sim.connect();
    const time = sim.deviceTime();
    await sim.uploadRtlog([{ time, pin: 0, cardno: 0, event: 68, ...sim.screeningFields({ maskflag: 1, celsius: 38.1 }) }]);
    await sim.uploadSnapshot(time, 0, JPEG.toString('base64'));
  })();
  return panel;
}

const page = { pageNo: 1, pageSize: 20 };

/** The reads of the shape test (shapes.e2e-spec.ts), by section. */
export function moduleShapeCalls(app: () => TestApp, startedAt: number): Record<string, () => Promise<HttpResult>> {
  return {
    '2.6.3': async () => {
      await uploadMedia(app(), '111');
      return app().get('/api/adMedia/get/111');
    },
    '2.20.1': async () => {
      const r = await cameraEvent(app(), 'A32212', 'in');
      return app().get('/api/parkTransaction/getParkRecordPicture', { recordId: r.body.data.recordId, recordType: 1 });
    },
    '2.20.2': async () => {
      await cameraEvent(app(), 'A32213', 'in');
      return app().get('/api/v2/parkTransaction/listParkRecordin', page);
    },
    '2.20.3': async () => {
      await cameraEvent(app(), 'A32213', 'out');
      return app().get('/api/v2/parkTransaction/listParkRecordout', page);
    },
    '2.26.1': async () => {
      await screeningEvents(app());
      return app().get('/api/hep/transaction/list', page);
    },
    '2.26.2': async () => {
      await screeningEvents(app());
      let r = await app().get('/api/hep/transaction/monitor', { timestamp: startedAt });
      for (let i = 0; i < 100 && Array.isArray(r.body?.data) && r.body.data.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        r = await app().get('/api/hep/transaction/monitor', { timestamp: startedAt });
      }
      return r;
    },
  };
}
