/**
 * A channel controller that registers without its Appendix 20 parameters reports them among its uploaded
 * parameters (`table=options`, 4.6): its gate type (`PassWayType`) is then the `gateType` of the controller
 * (2.30) and of its events (2.34), and stays so when it registers again without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { startTestApp, type TestApp } from '../support/test-app';

const SN = 'PGOPT00001';
let t: TestApp;
let cc: ChannelControllerSimulator;

const page = { pageNo: 1, pageSize: 10 };

beforeAll(async () => {
  t = await startTestApp();
  cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: SN, gates: 1, gateType: 3, gateTypeIn: 'options' });
  await cc.connect();
});
afterAll(async () => {
  await t?.close();
});

describe('gate type from the uploaded parameters', () => {
  it('is unknown until the controller uploads PassWayType, then served on the controller and its events', async () => {
    expect(cc.registrationBody()).not.toContain('PassWayType');
    expect((await t.get('/api/psgDevice/list', page)).body.data).toMatchObject([{ sn: SN, module: 'psg', gateType: '0' }]);

    await expect(cc.uploadOptions()).resolves.toMatchObject({ status: 200, body: 'OK' });
    expect((await t.get('/api/psgDevice/list', page)).body.data).toMatchObject([{ sn: SN, gateType: '3' }]);
    expect((await t.get('/api/v2/psgDevice/list', page)).body.data.data).toMatchObject([{ sn: SN, gateType: '3' }]);

    await cc.uploadRtlog([{ time: '2024-06-01 07:30:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 5 }]);
    expect((await t.get('/api/psgTransaction/list', page)).body.data).toMatchObject([{ devSn: SN, logId: 5, eventNo: 8, gateType: 3 }]);
  });

  it('stays when the controller registers again without it', async () => {
    await cc.register();
    expect((await t.get('/api/psgDevice/list', page)).body.data).toMatchObject([{ sn: SN, gateType: '3' }]);
  });
});
