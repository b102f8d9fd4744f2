/**
 * Event 255 (Security PUSH Appendix 2, "Door status") inside an rtlog event row: a door and alarm status report, as
 * the C3 panels' RTLog marks its status records, not an access event. CVSecurity lists no such transaction, so it is
 * not served by the transaction lists (nor the monitor, nor the Push Center): with the state fields it is read as the
 * door-state row it is, without them it is kept raw (`rtlog.rejected`) and acknowledged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { connectedSim } from './push-helpers';

let t: TestApp;
let sim: DeviceSimulator;
beforeAll(async () => {
  t = await startTestApp();
  sim = await connectedSim(t, { sn: 'DS255-1', doors: 2, ipAddress: '10.25.5.1' });
});
afterAll(async () => {
  await t?.close();
});

describe('event 255 in rtlog', () => {
  it('is no access event: a door-state row when it carries the states, kept raw otherwise; the events beside it are stored', async () => {
    const body = [
      'time=2026-05-06 10:00:00\tpin=0\tcardno=0\teventaddr=1\tevent=200\tinoutstatus=0\tverifytype=200\tindex=71',
      'time=2026-05-06 10:00:01\tpin=0\tcardno=0\teventaddr=1\tevent=255\tinoutstatus=0\tverifytype=200\tindex=72',
      'time=2026-05-06 10:00:02\tsensor=06\trelay=01\talarm=0000000000000000\tevent=255',
    ].join('\r\n');
    const r = await sim.uploadRaw('/iclock/cdata', 'SN=DS255-1&table=rtlog', `${body}\r\n`);
    expect([r.status, r.body]).toEqual([200, 'OK']);
    const stored = await t.ds.query(`SELECT log_id, event_no FROM acc_transaction WHERE device_sn = 'DS255-1' ORDER BY log_id`);
    expect(stored).toEqual([{ log_id: 71, event_no: 200 }]);
    const list = await t.get('/api/transaction/device/DS255-1', { pageNo: 1, pageSize: 10 });
    expect(list.body.data.map((e: { eventName: string }) => e.eventName)).toEqual(['Door Opened Correctly']);
    const raw = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = 'DS255-1' AND table_name = 'rtlog.rejected'`);
    expect(raw.map((x: { record: { line: string } }) => x.record.line)).toEqual([expect.stringContaining('event=255\tinoutstatus=0\tverifytype=200\tindex=72')]);
    const doors = await t.ds.query(`SELECT d.door_no, d.sensor_state, d.relay_state FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = 'DS255-1' ORDER BY d.door_no`);
    expect(doors).toEqual([
      { door_no: 1, sensor_state: 2, relay_state: 1 },
      { door_no: 2, sensor_state: 1, relay_state: 0 },
    ]);
  });
});
