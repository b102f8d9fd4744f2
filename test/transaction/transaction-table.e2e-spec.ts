/**
 * The `transaction` table (9.1.4): the access records a panel keeps, uploaded as the answer to
 * `DATA QUERY tablename=transaction` on /iclock/querydata, or as a `table=tabledata` upload. Each record is the
 * access event it records (time from `time_second`, Appendix 5): served by the transaction lists like an rtlog
 * event, stored once whichever way (and however often) it arrives. A channel controller's records are
 * entrance-control events, as its rtlog is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let panel: DeviceSimulator;
let gate: ChannelControllerSimulator;

const page = { pageNo: 1, pageSize: 100 };
const ofDevice = async (path: string, sn: string) =>
  ((await t.get(path, page)).body.data as Array<Record<string, unknown>>).filter((e) => e.devSn === sn);

beforeAll(async () => {
  t = await startTestApp();
  panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'TXTBL00001', doors: 2 });
  gate = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'TXTBLPSG01', gates: 1 });
  await panel.connect();
  await gate.connect();
});

afterAll(async () => {
  await t?.close();
});

describe('transaction records uploaded by a panel (9.1.4)', () => {
  it('become access events, once, alongside the rtlog events they repeat', async () => {
    await expect(panel.uploadRtlog([{ time: '2024-05-02 08:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 1 }])).resolves.toMatchObject({
      status: 200,
      body: 'OK',
    });
    // Two events while the server could not be reached: on the panel only.
    panel.logOffline([
      { time: '2024-05-02 08:05:00', pin: 0, cardno: 0, eventaddr: 2, event: 100, inoutstatus: 2, verifytype: 200, index: 2 },
      { time: '2024-05-02 08:06:07', pin: 0, cardno: 9606650, eventaddr: 2, event: 27, inoutstatus: 1, verifytype: 4, index: 3 },
    ]);
    expect(await ofDevice('/api/transaction/list', 'TXTBL00001')).toHaveLength(1);

    const q = await panel.uploadTransactionTable('querydata', '77');
    expect(q.status).toBe(200);
    expect(q.body).toBe('transaction=3');
    expect(q.sent).toContain('time_second=');

    const events = await ofDevice('/api/transaction/list', 'TXTBL00001');
    expect(events.map((e) => [e.eventTime, e.logId, e.eventName])).toEqual([
      ['2024-05-02 08:06:07', 3, 'card is not registered'],
      ['2024-05-02 08:05:00', 2, 'Tamper alarm'],
      ['2024-05-02 08:00:00', 1, 'remote opening'],
    ]);
    const [doors]: Array<{ names: string[] }> = await t.ds.query(
      `SELECT array_agg(d.name ORDER BY d.door_no) AS names FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = $1`,
      ['TXTBL00001'],
    );
    expect(events[0]).toMatchObject({ pin: '', cardNo: '9606650', devSn: 'TXTBL00001', eventPointName: doors.names[1], readerName: `${doors.names[1]}-Out` });

    // The same records again, on querydata and as a tabledata upload: nothing new.
    await panel.uploadTransactionTable('querydata', '78');
    const again = await panel.uploadTransactionTable('tabledata');
    expect(again.body).toBe('transaction=3');
    expect(await ofDevice('/api/transaction/list', 'TXTBL00001')).toHaveLength(3);
  });

  it('of a channel controller are entrance-control events', async () => {
    gate.logOffline([{ time: '2024-05-03 09:00:00', pin: 0, eventaddr: 1, event: 8, inoutstatus: 2, verifytype: 200, index: 40 }]);
    await expect(gate.uploadTransactionTable('tabledata')).resolves.toMatchObject({ status: 200, body: 'transaction=1' });
    expect((await ofDevice('/api/psgTransaction/list', 'TXTBLPSG01')).map((e) => [e.eventTime, e.logId])).toEqual([['2024-05-03 09:00:00', 40]]);
    expect(await ofDevice('/api/transaction/list', 'TXTBLPSG01')).toHaveLength(0);
  });
});
