/**
 * Firmware that doubles the device prefix (`/iclock/iclock/cdata`, reported for a SenseFace 3) is served as on
 * `/iclock/cdata`: its events are stored and listed, and its polls get its commands. The catch-all answered
 * such an upload `OK` and stored nothing, so the device dropped the events for good.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

const SN = 'VGU6251500098';
let t: TestApp;
let sim: DeviceSimulator;

beforeAll(async () => {
  t = await startTestApp();
  sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: SN, doors: 1 });
  await sim.connect();
  await sim.pollUntilIdle();
});
afterAll(async () => {
  await t?.close();
});

describe('a doubled /iclock prefix', () => {
  it('stores the rtlog and rtstate it posts', async () => {
    const body = 'time=2026-02-23 14:13:48\tpin=2\tcardno=0\teventaddr=1\tevent=3\tinoutstatus=0\tverifytype=15\tindex=140\tsitecode=0\tlinkid=0\tmaskflag=0\ttemperature=0\tconvtemperature=0';
    await expect(sim.uploadRaw('/iclock/iclock/cdata', { table: 'rtlog' }, body)).resolves.toMatchObject({ status: 200, body: 'OK' });
    const list = (await t.get(`/api/transaction/device/${SN}`, { pageNo: 1, pageSize: 10 })).body.data;
    expect(list).toMatchObject([{ eventTime: '2026-02-23 14:13:48', pin: '2', devSn: SN, logId: 140 }]);
    // Sent again the same way: still one.
    await sim.uploadRaw('/iclock/iclock/cdata', { table: 'rtlog' }, body);
    expect((await t.get(`/api/transaction/device/${SN}`, { pageNo: 1, pageSize: 10 })).body.data).toHaveLength(1);

    await expect(sim.uploadRaw('/iclock/iclock/cdata', { table: 'rtstate' }, 'time=2026-02-23 14:13:49\tsensor=02\trelay=01\talarm=0000000000000000\tdoor=01')).resolves.toMatchObject({ status: 200, body: 'OK' });
    const [door] = (await t.get('/api/door/allDoorState', { timestamp: 1 })).body.data;
    expect(door).toMatchObject({ sensor: 'open', relay: 'open' });
  });

  it('hands out commands on getrequest', async () => {
    const [door] = (await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data;
    await sim.poll();
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId: door.id, interval: 5 })).body.code).toBe(0);
    const res = await sim.uploadRaw('/iclock/iclock/getrequest', {});
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^C:\w+:CONTROL DEVICE 01010105$/m);
  });
});
