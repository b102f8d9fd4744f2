/**
 * Which template table a Security PUSH panel is written in is decided by the hybrid identification protocol it
 * announces at registration (Security PUSH 3.1: MultiBioDataSupport, MultiBioPhotoSupport, BioDataFun ...), not by
 * its `PushVersion`: the Security manual ties the protocol to no version, and firmware numbers its Push SDK apart
 * (the manual's ProBio parameters example is `Ver 2.0.34-20180822`; the field samples' iFace950 Plus, `Ver 2.0.33S`,
 * uploads a face as 15 BIODATA records). The gateway applied the Attendance PUSH manual's 2.2.14 (its protocol
 * version) to that string: a `Ver 2.0.33S` panel announcing fingerprints and visible-light faces was written in
 * `templatev10` and sent no face at all. It is now written in `biodata`, faces included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
});
afterAll(async () => {
  await t?.close();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('a Security PUSH panel of Push SDK Ver 2.0.33S announcing the hybrid protocol', () => {
  it('is written its people\'s fingerprints and faces in biodata, as the types it announced', async () => {
    const modern = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'HYB-MODERN1', doors: 1, ipAddress: '10.7.0.1' });
    const v5l = new DeviceSimulator({
      baseUrl: t.baseUrl,
      sn: 'HYB-V20033S',
      doors: 1,
      ipAddress: '10.7.0.2',
      deviceName: 'SpeedFace-V5L',
      registryPushVersion: 'Ver 2.0.33S-20220623',
      hybrid: true,
      multiBioDataSupport: '0:1:0:0:0:0:0:0:0:1',
      multiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:1',
    });
    for (const sim of [modern, v5l]) {
      expect((await sim.connect()).registered).toBe(true);
      await sim.pollUntilIdle();
    }
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Hybrid', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Hybrid', doorName: '10.7.0.1-1' }, { levelName: 'Hybrid', doorName: '10.7.0.2-1' }] })).body.code).toBe(0);
    const level = (await t.get('/api/v2/accLevel/getByName/Hybrid')).body.data.id as string;
    expect((await t.post('/api/person/add', { pin: '7301', name: 'Hana', accLevelIds: level })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '7301', validType: '1', template: b64('finger 3 of 7301'), templateNo: '3' })).body.code).toBe(0);
    // A visible-light face enrolled at the other panel (7.11), stored and sent to every device of the person.
    const face = b64('visible light face of 7301');
    const up = await modern.uploadTable('biodata', [{ pin: '7301', no: 0, index: 0, valid: 1, duress: 0, type: 9, majorver: 58, minorver: 1, format: 0, tmp: face }]);
    expect(up.status).toBe(200);
    for (let i = 0; i < 4; i++) {
      await modern.pollUntilIdle();
      await v5l.pollUntilIdle();
    }
    const sent = v5l.received.map((r) => [r.command, ...r.continuation].join('\n'));
    expect(sent.filter((c) => c.startsWith('DATA UPDATE templatev10'))).toEqual([]);
    expect(v5l.table('biodata').map((r) => [String(r.Type), String(r.Tmp)]).sort()).toEqual([
      ['1', b64('finger 3 of 7301')],
      ['9', face],
    ]);
  });
});
