/**
 * Firmware registers at every connection (4.1). A controller whose kind only its uploads showed (an irstate
 * upload, 7.14; voice-module options of an elevator controller, 4.6) stays that kind when it registers again
 * with a plain Security PUSH body: it was turned back into an access panel each time, its events going to the
 * access transactions and its gates to the door lists until its next upload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const page = { pageNo: 1, pageSize: 50 };
const kindOf = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}`)).body.data.kind;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('a kind shown by uploads', () => {
  it('channel controller (irstate) stays one across registrations, its events entrance-control events', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'KINDPSG001', doors: 1, deviceName: 'Controller', ipAddress: '10.1.1.21' });
    await sim.connect();
    expect(await kindOf('KINDPSG001')).toBe('acc');
    await sim.uploadRaw('/iclock/cdata', { table: 'irstate' }, 'irstate=1\tirsensecount=2\tincount=2\toutcount=2\talarmcount=1\truncount=1\r\n');
    expect(await kindOf('KINDPSG001')).toBe('psg');

    await sim.register();
    expect(await kindOf('KINDPSG001')).toBe('psg');
    await sim.uploadRtlog([{ time: '2024-07-01 09:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 9 }]);
    expect(((await t.get('/api/psgTransaction/list', page)).body.data as Array<{ devSn: string }>).filter((e) => e.devSn === 'KINDPSG001')).toHaveLength(1);
    expect(((await t.get('/api/transaction/list', page)).body.data as Array<{ devSn: string }>).filter((e) => e.devSn === 'KINDPSG001')).toHaveLength(0);
    expect(((await t.get('/api/door/list', page)).body.data as Array<{ name: string }>).map((d) => d.name)).not.toContain('10.1.1.21-1');
  });

  it('elevator controller (voice-module options) stays one and gets its floors at its next registration', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'KINDELE001', doors: 1, auxOut: 4, deviceName: 'Controller', ipAddress: '10.1.1.22' });
    await sim.connect();
    sim.options.set('VoiceModuleType', '0');
    await sim.uploadOptions(['VoiceModuleType']);
    expect(await kindOf('KINDELE001')).toBe('ele');

    await sim.register();
    expect(await kindOf('KINDELE001')).toBe('ele');
    const floors = ((await t.get('/api/floor/list', page)).body.data as Array<{ name: string }>).map((f) => f.name).filter((n) => n.startsWith('10.1.1.22-'));
    expect(floors).toEqual(['10.1.1.22-1', '10.1.1.22-2', '10.1.1.22-3', '10.1.1.22-4']);
  });

  it('an access panel stays an access panel', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'KINDACC001', doors: 2 });
    await sim.connect();
    await sim.register();
    expect(await kindOf('KINDACC001')).toBe('acc');
  });
});
