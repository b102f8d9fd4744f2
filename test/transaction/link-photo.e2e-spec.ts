import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSim } from '../push/push-helpers';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A panel's IPC linkage photo (Security PUSH 7.15, `table=linkphotoinfo`, `LogIndex=<the rtlog index>\tPhotoInfo=..
 * \tLinkVideo=..\tPhotoData=<base64>`) is the capturePhotoBase64 of the access event with that SN and index, on every
 * transaction read that carries the field, whether the photo came before or after the event.
 */
let t: TestApp;
let panel: DeviceSimulator;
let other: DeviceSimulator;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const CH0 = b64('camera 1 at the door');
const CH1 = b64('camera 2 at the door');
const EARLY = b64('photo posted before its event');
const ATT = b64("the reader's own snapshot");

beforeAll(async () => {
  t = await startTestApp({ timeZone: 'UTC' });
  panel = await connectedSim(t, { sn: 'LINKPHOTO01', doors: 1 });
  other = await connectedSim(t, { sn: 'LINKPHOTO02', doors: 1 });
  await panel.pollUntilIdle();
  await other.pollUntilIdle();
});
afterAll(async () => {
  await t?.close();
});

type Item = { id: string; logId: number; devSn: string; capturePhotoBase64: string };

async function eventsOf(sn: string): Promise<Map<number, Item>> {
  const r = await t.get(`/api/v2/transaction/device/${sn}`, { pageNo: 1, pageSize: 100 });
  expect(r.body.code).toBe(0);
  return new Map((r.body.data.data as Item[]).map((e) => [e.logId, e]));
}

const linkRows = (sn: string, table = 'linkphotoinfo') =>
  t.ds.query(`SELECT pin, record FROM device_upload WHERE device_sn = $1 AND table_name = $2 ORDER BY id`, [sn, table]) as Promise<Array<{ pin: string | null; record: Record<string, string> }>>;

describe('linkage photo (linkphotoinfo) as capturePhotoBase64', () => {
  it("is the photo of the event its LogIndex names, posted after the event, on every read; the first camera's when there are two", async () => {
    const { upload } = await panel.access({ door: 1, cardno: 9_999_001, time: new Date('2024-04-01T08:00:00Z'), linkPhotos: [CH0, CH1] });
    expect(upload.status).toBe(200);
    const last = panel.uploads[panel.uploads.length - 1];
    expect(last.query).toContain('table=linkphotoinfo');
    expect(last.body).toMatch(/^LogIndex=1\tPhotoInfo=\d{14}-link-ch0\.jpg\tLinkVideo=1-30-30\tPhotoData=/);
    expect([last.status, last.response]).toEqual([200, 'OK']);
    expect((await panel.uploadRtlog([{ time: '2024-04-01 08:01:00', pin: 0, cardno: 9_999_002, eventaddr: 1, event: 27, index: 2 }])).status).toBe(200);

    const events = await eventsOf('LINKPHOTO01');
    expect(events.get(1)?.capturePhotoBase64).toBe(CH0);
    expect(events.get(2)?.capturePhotoBase64).toBe('');
    const id = events.get(1)!.id;
    expect((await t.get(`/api/v2/transaction/getById/${id}`)).body.data.capturePhotoBase64).toBe(CH0);
    expect((await t.get(`/api/transaction/getById/${id}`)).body.data.capturePhotoBase64).toBe(CH0);
    const list = await t.get('/api/v2/transaction/list', { pageNo: 1, pageSize: 10, startDate: '2024-04-01 08:00:00', endDate: '2024-04-01 08:00:00' });
    expect(list.body.data.data.map((e: Item) => [e.devSn, e.logId, e.capturePhotoBase64])).toEqual([['LINKPHOTO01', 1, CH0]]);
  });

  it('is kept when it comes before its event and served once the event comes; another panel\'s index is not its', async () => {
    expect((await panel.uploadLinkPhotos(7, [{ jpegBase64: EARLY, photoInfo: '20240402090000-link-ch0.jpg' }])).body).toBe('OK');
    expect(await linkRows('LINKPHOTO01')).toContainEqual({ pin: '7', record: { LogIndex: '7', PhotoInfo: '20240402090000-link-ch0.jpg', LinkVideo: '1-30-30', PhotoData: EARLY } });
    expect((await panel.uploadRtlog([{ time: '2024-04-02 09:00:00', pin: 0, cardno: 9_999_003, eventaddr: 1, event: 27, index: 7 }])).status).toBe(200);
    expect((await other.uploadRtlog([{ time: '2024-04-02 09:00:00', pin: 0, cardno: 9_999_003, eventaddr: 1, event: 27, index: 7 }])).status).toBe(200);
    expect((await eventsOf('LINKPHOTO01')).get(7)?.capturePhotoBase64).toBe(EARLY);
    expect((await eventsOf('LINKPHOTO02')).get(7)?.capturePhotoBase64).toBe('');
  });

  it('stores a re-sent upload once, and a bad line costs none of the good ones around it (it is kept raw)', async () => {
    const before = (await linkRows('LINKPHOTO02')).length;
    const good = (n: number, photo: string) => `LogIndex=${n}\tPhotoInfo=20240403100000-link-ch0.jpg\tLinkVideo=1-30-30\tPhotoData=${photo}`;
    const body = [good(21, CH0), 'LogIndex=abc\tPhotoInfo=x.jpg\tLinkVideo=1-30-30\tPhotoData=AAAA', 'LogIndex=23\tPhotoInfo=y.jpg\tLinkVideo=1-30-30', good(24, CH1)].join('\r\n') + '\r\n';
    for (let i = 0; i < 2; i++) {
      const r = await other.uploadRaw('/iclock/cdata', { table: 'linkphotoinfo' }, body, { 'Content-Type': 'application/push;charset=UTF-8' });
      expect([r.status, r.body]).toEqual([200, 'OK']);
    }
    expect((await linkRows('LINKPHOTO02')).length - before).toBe(2);
    const kept = await linkRows('LINKPHOTO02', 'linkphotoinfo.rejected');
    expect(kept.map((k) => k.record.line)).toEqual(['LogIndex=abc\tPhotoInfo=x.jpg\tLinkVideo=1-30-30\tPhotoData=AAAA', 'LogIndex=23\tPhotoInfo=y.jpg\tLinkVideo=1-30-30']);
    expect(
      (
        await other.uploadRtlog([21, 23, 24].map((index) => ({ time: `2024-04-03 10:00:${index}`, pin: 0, cardno: 9_999_004, eventaddr: 1, event: 27, index })))
      ).status,
    ).toBe(200);
    const events = await eventsOf('LINKPHOTO02');
    expect([21, 23, 24].map((i) => events.get(i)?.capturePhotoBase64)).toEqual([CH0, '', CH1]);
  });

  it("leaves the reader's own snapshot (ATTPHOTO) first, and takes no photo of an index used again long after", async () => {
    expect((await panel.uploadRtlog([{ time: '2024-04-04 11:00:00', pin: 0, cardno: 9_999_005, eventaddr: 1, event: 27, index: 30 }])).status).toBe(200);
    expect((await panel.uploadSnapshot('2024-04-04 11:00:00', undefined, ATT)).status).toBe(200);
    expect((await panel.uploadLinkPhotos(30, [{ jpegBase64: CH1 }])).body).toBe('OK');
    expect((await eventsOf('LINKPHOTO01')).get(30)?.capturePhotoBase64).toBe(ATT);
    // A panel numbers its records from 1 again once its log is cleared: index 31's photo a week after the event is
    // another record's.
    expect((await panel.uploadRtlog([{ time: '2024-04-04 11:00:05', pin: 0, cardno: 9_999_006, eventaddr: 1, event: 27, index: 31 }])).status).toBe(200);
    await t.ds.query(`UPDATE acc_transaction SET created_at = created_at - interval '7 days' WHERE device_sn = 'LINKPHOTO01' AND log_id = 31`);
    expect((await panel.uploadLinkPhotos(31, [{ jpegBase64: CH0 }])).body).toBe('OK');
    expect((await eventsOf('LINKPHOTO01')).get(31)?.capturePhotoBase64).toBe('');
  });
});
