/**
 * Elevator and channel-controller events as integrators read them back (2.19 eleTransaction, 2.34
 * psgTransaction): an upload the controller sends again (its answer lost) and the same events in its
 * `transaction` table (offline records read back) are stored once, and each event carries the same fields an
 * access event would: the floor or gate as event point, the event name, and the verification by its name
 * whether the firmware wrote an Appendix 3 number or a new-style 16-character bit string (7.2 verifytype).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let ec: ElevatorControllerSimulator;
let cc: ChannelControllerSimulator;
let panel: DeviceSimulator;

beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10FIELD1', floors: 4, ipAddress: '10.7.1.1' });
  cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PGFIELD001', gates: 2, ipAddress: '10.7.1.2' });
  panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACCFIELD01', doors: 2, ipAddress: '10.7.1.3' });
  for (const sim of [ec, cc, panel]) {
    await sim.connect();
    await sim.pollUntilIdle();
  }
  expect((await t.post('/api/person/add', { pin: '7101', name: 'Vera' })).body.code).toBe(0);
});
afterAll(async () => {
  await t?.close();
});

type Item = { logId: number; pin: string; eventName: string; eventPointName: string; verifyModeName: string | null; readerName: string };
const brief = (e: Item) => ({ logId: e.logId, pin: e.pin, eventName: e.eventName, eventPointName: e.eventPointName, verifyModeName: e.verifyModeName, readerName: e.readerName });

describe('elevator and channel-controller events read back', () => {
  // Fingerprint alone and card alone, as new-style bits (bit 4 fingerprint, bit 11 card).
  const FP_BITS = '0000000000010000';
  const CARD_BITS = '0000100000000000';
  const at = new Date(Date.now() - 60_000);

  it('are stored once whatever the controller sends again, with the verification named from bits as from numbers', async () => {
    const floor = [
      { time: at, pin: '7101', eventaddr: 3, event: 0, inoutstatus: 0, verifytype: FP_BITS as never, index: 31 },
      { time: at, pin: '7101', eventaddr: 2, event: 0, inoutstatus: 0, verifytype: 1, index: 32 },
    ];
    const gate = [
      { time: at, pin: '7101', eventaddr: 2, event: 0, inoutstatus: 1, verifytype: CARD_BITS as never, index: 41 },
      { time: at, pin: '7101', eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 4, index: 42 },
    ];
    // Sent, its answer lost: sent again. Then the same records as the controller's transaction table.
    for (let i = 0; i < 2; i++) {
      expect((await ec.uploadRtlog(floor)).status).toBe(200);
      expect((await cc.uploadRtlog(gate)).status).toBe(200);
      expect((await panel.uploadRtlog([{ ...gate[0], index: 51 }])).status).toBe(200);
    }
    expect((await ec.uploadTransactionTable('querydata')).status).toBe(200);
    expect((await cc.uploadTransactionTable('tabledata')).status).toBe(200);

    const ele = (await t.get('/api/v2/eleTransaction/list', { pageNo: 1, pageSize: 10 })).body.data;
    expect(ele.total).toBe(2);
    expect(ele.data.map(brief)).toEqual([
      { logId: 32, pin: '7101', eventName: 'Normal Verify Open', eventPointName: '10.7.1.1-2', verifyModeName: 'Fingerprint only', readerName: '10.7.1.1-1' },
      { logId: 31, pin: '7101', eventName: 'Normal Verify Open', eventPointName: '10.7.1.1-3', verifyModeName: 'Fingerprint', readerName: '10.7.1.1-1' },
    ]);
    const psg = (await t.get('/api/v2/psgTransaction/device/PGFIELD001', { pageNo: 1, pageSize: 10 })).body.data;
    expect(psg.total).toBe(2);
    expect(psg.data.map(brief)).toEqual([
      { logId: 42, pin: '7101', eventName: 'Normal Verify Open', eventPointName: '10.7.1.2-1', verifyModeName: 'Card only', readerName: '10.7.1.2-1-In' },
      { logId: 41, pin: '7101', eventName: 'Normal Verify Open', eventPointName: '10.7.1.2-2', verifyModeName: 'Card', readerName: '10.7.1.2-2-Out' },
    ]);
    // An access panel's event with the same bits is named alike, and neither controller's event is among them.
    const acc = (await t.get('/api/transaction/list', { pageNo: 1, pageSize: 10 })).body.data as Array<{ devSn: string; verifyModeName: string }>;
    expect(acc.map((e) => [e.devSn, e.verifyModeName])).toEqual([['ACCFIELD01', 'Card']]);
  });

  it("an elevator event names the controller's reader a person used, and 'others' for the controller's own events", async () => {
    const ec2 = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10FIELD2', floors: 4, ipAddress: '10.7.1.4', readerCount: 2 });
    await ec2.connect();
    await ec2.pollUntilIdle();
    const at = new Date(Date.now() - 30_000);
    expect((await ec2.uploadRtlog([
      // A card at the second reader, a card at a third the controller does not have, the controller started (no person).
      { time: at, pin: '7101', cardno: '5550001', eventaddr: 2, event: 0, inoutstatus: 1, verifytype: 4, index: 61 },
      { time: at, pin: '0', cardno: '5550002', eventaddr: 2, event: 27, inoutstatus: 2, verifytype: 4, index: 62 },
      { time: at, pin: '0', eventaddr: 0, event: 206, inoutstatus: 0, verifytype: 200, index: 63 },
    ])).status).toBe(200);
    // A finger at the controller's first reader, its person not on this controller (no pin in the event).
    expect((await ec2.selectFloor({ pin: '7101', floor: 3, index: 64 })).status).toBe(200);
    const all = (await t.get('/api/eleTransaction/list', { pageNo: 1, pageSize: 50 })).body.data as Array<Item & { devSn: string }>;
    const mine = Object.fromEntries(all.filter((e) => e.devSn === 'EC10FIELD2').map((e) => [e.logId, e.readerName]));
    expect(mine).toEqual({ 61: '10.7.1.4-2', 62: 'others', 63: 'others', 64: '10.7.1.4-1' });
  });

  it('an event code no table names (a newer firmware\'s) is served under CVSecurity\'s key of a new event type, never null', async () => {
    const at = new Date(Date.now() - 20_000);
    const odd = (index: number) => ({ time: at, pin: '0', eventaddr: 1, event: 4095, inoutstatus: 2, verifytype: 200, index });
    expect((await ec.uploadRtlog([odd(71)])).status).toBe(200);
    expect((await cc.uploadRtlog([odd(72)])).status).toBe(200);
    expect((await panel.uploadRtlog([odd(73)])).status).toBe(200);
    const named = (items: Array<{ logId: number; eventName: string | null }>, logId: number) => items.find((e) => e.logId === logId)?.eventName;
    const page = { pageNo: 1, pageSize: 50 };
    expect(named((await t.get('/api/eleTransaction/list', page)).body.data, 71)).toBe('acc_newEventNo_4095');
    expect(named((await t.get('/api/psgTransaction/device/PGFIELD001', page)).body.data, 72)).toBe('acc_newEventNo_4095');
    expect(named((await t.get('/api/v2/transaction/device/ACCFIELD01', page)).body.data.data, 73)).toBe('acc_newEventNo_4095');
    const doors = (await t.post('/api/transaction/getDoorTransactions', { devSn: 'ACCFIELD01', eventNo: '4095' })).body.data as Array<{ eventName: string }>;
    expect(doors.map((e) => e.eventName)).toEqual(['acc_newEventNo_4095']);
  });
});
