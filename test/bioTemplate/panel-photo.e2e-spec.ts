/**
 * A photo enrolled at an access panel (7.10 `tabledata userpic`, 7.8 `tabledata biophoto` of a visible-light face,
 * type 9) is the person's photo, as a terminal's USERPIC is: served by person/get (personPhoto, vislightPhotoPath)
 * and at that path. It was kept raw only. A fingerprint photo (biophoto type 1) is not a face photo; a pin the
 * gateway does not know stores nothing; a re-sent upload changes nothing.
 */
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Device, levelId } from '../sync/access-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let panel: DeviceSimulator;

const jpeg = (fill: number) => Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(300, fill), Buffer.from('ffd9', 'hex')]).toString('base64');
const photoOf = async (pin: string) => (await t.get(`/api/person/get/${pin}`)).body.data;

beforeAll(async () => {
  t = await startTestApp();
  panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'PHOTOPNL01', doors: 1 });
  await panel.connect();
  await panel.pollUntilIdle();
  expect((await t.post('/api/person/add', { pin: '3101', name: 'Pia', deptCode: '1' })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '3102', name: 'Quinn', deptCode: '1' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

describe('photos enrolled at an access panel', () => {
  it('userpic (7.10) becomes the person photo, served at vislightPhotoPath', async () => {
    const content = jpeg(1);
    const up = await panel.uploadTable('userpic', [{ pin: '3101', filename: '3101.jpg', size: content.length, content }]);
    expect(up.body).toBe('userpic=1');
    const p = await photoOf('3101');
    expect(p.personPhoto).toBe(content);
    expect(p.vislightPhotoPath).toBe('/upload/pers/user/cropface/3101/3101.jpg');
    const res = await fetch(`${t.baseUrl}${p.vislightPhotoPath}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString('base64')).toBe(content);
  });

  it('a visible-light biophoto (7.8, type 9) too; a fingerprint photo and an unknown pin store nothing', async () => {
    const face = jpeg(2);
    const finger = jpeg(3);
    const up = await panel.uploadTable('biophoto', [
      { pin: '3102', filename: '3102.jpg', type: 9, size: face.length, content: face },
      { pin: '3101', filename: '3101-fp.jpg', type: 1, size: finger.length, content: finger },
      { pin: '3999', filename: '3999.jpg', type: 9, size: face.length, content: face },
    ]);
    expect(up.body).toBe('biophoto=3');
    expect((await photoOf('3102')).personPhoto).toBe(face);
    expect((await photoOf('3101')).personPhoto).toBe(jpeg(1));
    expect((await t.get('/api/person/get/3999')).body.code).toBe(-22);
  });

  it('a re-sent upload changes nothing', async () => {
    const [before] = await t.ds.query(`SELECT updated_at FROM person WHERE pin = '3102'`);
    const face = jpeg(2);
    await panel.uploadTable('biophoto', [{ pin: '3102', filename: '3102.jpg', type: 9, size: face.length, content: face }]);
    const [after] = await t.ds.query(`SELECT updated_at FROM person WHERE pin = '3102'`);
    expect(after.updated_at).toEqual(before.updated_at);
  });

  it('a line whose content is no base64 is refused as a bad line (logged, kept raw with the reason); the good lines are stored, even with a size that does not match its content (devices upload such sizes)', async () => {
    const warn = vi.spyOn(Logger.prototype, 'warn');
    try {
      const good = jpeg(5);
      const up = await panel.uploadTable('userpic', [
        { pin: '3101', filename: '3101.jpg', size: 12, content: 'not*base64!!' },
        { pin: '3102', filename: '3102.jpg', size: good.length + 17, content: good },
      ]);
      expect(up.status).toBe(200);
      expect((await photoOf('3102')).personPhoto).toBe(good);
      expect((await photoOf('3101')).personPhoto).toBe(jpeg(1));
      const kept: Array<{ pin: string; reason: string }> = await t.ds.query(
        `SELECT record->>'line' AS line, record->>'reason' AS reason FROM device_upload WHERE device_sn = $1 AND table_name = 'userpic.rejected' ORDER BY id`,
        [panel.sn],
      );
      expect(kept.map((k) => k.reason)).toEqual(['content is no base64']);
      const logged = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('userpic upload line'));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain('PHOTOPNL01');
      expect(logged[0]).toContain('content is no base64');
      expect(logged.join()).not.toContain(good.slice(20, 60)); // photo payloads never reach a log
    } finally {
      warn.mockRestore();
    }
  });
});

describe('a face photo enrolled at one panel goes to the person\'s other panels', () => {
  it('not back to the panel that uploaded it (it holds it), to the others as biophoto Type 9', async () => {
    const a = await Device.connect(t, 'PHOTOPNLA', 1, '10.7.0.1');
    const b = await Device.connect(t, 'PHOTOPNLB', 1, '10.7.0.2');
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Photo doors', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Photo doors', doorName: '10.7.0.1-1' }, { levelName: 'Photo doors', doorName: '10.7.0.2-1' }] })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '3103', name: 'Rae', deptCode: '1', accLevelIds: await levelId(t, 'Photo doors') })).body.code).toBe(0);
    await a.since();
    await b.since();
    const face = jpeg(4);
    expect((await a.sim.uploadTable('biophoto', [{ pin: '3103', filename: '3103.jpg', type: 9, size: face.length, content: face }])).body).toBe('biophoto=1');
    expect(await b.since()).toEqual([`DATA UPDATE biophoto PIN=3103\tType=9\tNo=0\tIndex=0\tSize=${face.length}\tContent=${face}\tFormat=0`]);
    expect(await a.since()).toEqual([]);
    b.expectAllAcknowledged();
    // The enrolling panel is recorded as holding the photo.
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = 'PHOTOPNLA' AND s.kind = 'photo' AND s.key = '3103'`);
    expect(n).toBe(1);
  });
});
