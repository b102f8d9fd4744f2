import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Entrance control end to end: a channel controller registers (its gates are its doors), entrance-control
 * levels reach it as `userauthorize`, gates open for entry and for exit, gate states and irstate counters are
 * served, and its pass and cancel-alarm events are listed by device, person, list and monitor.
 */
let t: TestApp;
let cc: ChannelControllerSimulator;
let panel: DeviceSimulator;
let gateIds: string[];

const received = (sim: DeviceSimulator, from: number) => sim.received.slice(from).map((r) => [r.command, ...r.continuation].join('\n'));

beforeAll(async () => {
  t = await startTestApp();
  cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'CKN4213360081', gates: 2, ipAddress: '10.8.14.234' });
  await cc.connect();
  await cc.pollUntilIdle();
  panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACCPANEL02', doors: 1, ipAddress: '10.8.14.10' });
  await panel.connect();
  await panel.pollUntilIdle();
  gateIds = ((await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 10 })).body.data as Array<{ id: string }>).map((g) => g.id);
  await t.post('/api/person/add', { pin: '801', name: 'Cleo' });
});
afterAll(async () => {
  await t?.close();
});

describe('channel controllers, gates and readers', () => {
  it('detects the channel controller and lists it under psgDevice (and the psgdDvice typo) only', async () => {
    const expected = { id: expect.stringMatching(/^[0-9a-f]{32}$/), sn: 'CKN4213360081', name: '10.8.14.234', type: 'PGIC10', state: '1', module: 'psg', gateType: '2' };
    expect((await t.get('/api/psgDevice/list', { pageNo: 1, pageSize: 10 })).body).toEqual({ code: 0, message: 'success', data: [expected] });
    expect((await t.get('/api/psgdDvice/list', { pageNo: 1, pageSize: 10 })).body.data).toEqual([expected]);
    expect((await t.get('/api/v2/psgDevice/list', { pageNo: 1, pageSize: 10 })).body.data).toMatchObject({ page: 0, total: 1, lastPage: true, data: [{ sn: 'CKN4213360081', status: '1', gateType: '2' }] });
    expect((await t.get('/api/psgDevice/getBySn', { sn: 'CKN4213360081' })).body.data).toMatchObject({ sn: 'CKN4213360081', status: '1', module: 'psg' });
    expect((await t.get('/api/psgDevice/getBySn', { sn: 'ACCPANEL02' })).body.code).toBe(-404);
    expect((await t.get('/api/psgDevice/getBySn', {})).body.code).toBe(-48);
    expect(((await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data as Array<{ name: string }>).map((d) => d.name)).toEqual(['10.8.14.10-1']);
  });

  it('serves the gates and their in/out readers', async () => {
    expect(gateIds).toHaveLength(2);
    const v2 = await t.get('/api/v2/psgGate/list', { pageNo: 1, pageSize: 1 });
    expect(v2.body.data).toMatchObject({ page: 0, size: 1, total: 2, offset: 0, lastPage: false });
    expect((await t.get('/api/psgGate/getById', { id: gateIds[0] })).body.data).toEqual({ id: gateIds[0], name: '10.8.14.234-1', deviceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const readers = (await t.get('/api/psgReader/list', { pageNo: 1, pageSize: 10 })).body.data;
    expect(readers.slice(0, 2)).toEqual([
      { id: expect.any(String), gateId: gateIds[0], name: '10.8.14.234-1-In', readerNo: 1, readerState: 0 },
      { id: expect.any(String), gateId: gateIds[0], name: '10.8.14.234-1-Out', readerNo: 2, readerState: 1 },
    ]);
    expect((await t.get('/api/v2/psgReader/list', { pageNo: 1, pageSize: 10 })).body.data.total).toBe(4);
    expect((await t.get('/api/psgReader/getById', { id: readers[1].id })).body.data).toEqual(readers[1]);
    expect((await t.get('/api/psgReader/getById', {})).body.code).toBe(-263);
    expect((await t.get('/api/psgReader/getById', { id: 'nope' })).body.code).toBe(-264);
  });
});

describe('gates opened remotely, states and counters', () => {
  it('opens a gate for entry (lock output) and for exit (auxiliary output)', async () => {
    const from = cc.received.length;
    expect((await t.post('/api/psgGate/remoteOpenById', undefined, { gateId: gateIds[0], openType: 1 })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/psgGate/remoteOpenByName', undefined, { gateName: '10.8.14.234-2', openType: 2 })).body.code).toBe(0);
    await cc.pollUntilIdle();
    expect(received(cc, from)).toEqual(['CONTROL DEVICE 01010105', 'CONTROL DEVICE 01020205']);
    expect(cc.openings.map((o) => [o.gate, o.direction])).toEqual([
      [1, 'entry'],
      [2, 'exit'],
    ]);
    expect((await t.post('/api/psgGate/remoteOpenById', undefined, { gateId: gateIds[0] })).body.code).toBe(-265);
    expect((await t.post('/api/psgGate/remoteOpenById', undefined, { gateId: gateIds[0], openType: 3 })).body.code).toBe(-266);
    expect((await t.post('/api/psgGate/remoteOpenByName', undefined, { gateName: 'nope', openType: 1 })).body.code).toBe(-404);
  });

  it('reads openType "1.0" and "2.0" (a float serialiser\'s 1 and 2) as 1 and 2, as pageNo=1.0 is page 1; 1.5 stays refused', async () => {
    const from = cc.received.length;
    expect((await t.post('/api/psgGate/remoteOpenById', undefined, { gateId: gateIds[0], openType: '1.0' })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/psgGate/remoteOpenByName', { gateName: '10.8.14.234-2', openType: 2.0 })).body.code).toBe(0);
    expect((await t.post('/api/psgGate/remoteOpenByName', undefined, { gateName: '10.8.14.234-2', openType: '2.00' })).body.code).toBe(0);
    await cc.pollUntilIdle();
    expect(received(cc, from)).toEqual(['CONTROL DEVICE 01010105', 'CONTROL DEVICE 01020205', 'CONTROL DEVICE 01020205']);
    expect((await t.post('/api/psgGate/remoteOpenById', undefined, { gateId: gateIds[0], openType: '1.5' })).body.code).toBe(-266);
  });

  it('takes the gate as a trailing path segment, as the door and floor calls do (remoteOpenById/{doorId})', async () => {
    const from = cc.received.length;
    expect((await t.post(`/api/psgGate/remoteOpenById/${gateIds[1]}`, undefined, { openType: 1 })).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.post('/api/psgGate/remoteOpenByName/10.8.14.234-1', undefined, { openType: 2 })).body).toEqual({ code: 0, message: 'success', data: null });
    await cc.pollUntilIdle();
    expect(received(cc, from)).toEqual(['CONTROL DEVICE 01020105', 'CONTROL DEVICE 01010205']);
    const byPath = await t.get(`/api/psgGate/gateStateById/${gateIds[1]}`);
    expect(byPath.body).toEqual((await t.get('/api/psgGate/gateStateById', { gateId: gateIds[1] })).body);
    expect(byPath.body.data).toMatchObject([{ id: gateIds[1], name: '10.8.14.234-2' }]);
    // `id`, as psgGate/getById names the gate, is taken here too (clients reuse one parameter for both calls).
    expect((await t.get('/api/psgGate/gateStateById', { id: gateIds[1] })).body).toEqual(byPath.body);
    expect((await t.post('/api/psgGate/remoteOpenById/nope', undefined, { openType: 1 })).body.code).toBe(-404);
    expect((await t.get(`/api/psgGate/getById/${gateIds[1]}`)).body.data).toMatchObject({ id: gateIds[1], name: '10.8.14.234-2' });
  });

  it('serves gate states from what the controller reported', async () => {
    cc.raiseAlarm(2, 0x02);
    await cc.uploadRtstate();
    const all = (await t.get('/api/psgGate/allGateState')).body;
    expect(all.code).toBe(0);
    expect(all.data).toHaveLength(2);
    expect(all.data[1]).toEqual({ id: gateIds[1], name: '10.8.14.234-2', deviceId: expect.any(String), connect: '1', gateState: '1', alarm: '2', relay: expect.stringMatching(/^[02]$/) });
    // Paged when asked, as integrations read every list (door/allDoorState alike).
    const pages = [1, 2, 3].map((pageNo) => t.get('/api/psgGate/allGateState', { pageNo, pageSize: 1 }).then((r) => r.body.data));
    expect(await Promise.all(pages)).toEqual([[all.data[0]], [all.data[1]], []]);
    expect((await t.get('/api/psgGate/gateStateById', { gateId: gateIds[1] })).body.data).toEqual([all.data[1]]);
    expect((await t.get('/api/psgGate/gateStateBySn', { deviceSn: 'CKN4213360081' })).body.data).toHaveLength(2);
    expect((await t.get('/api/psgGate/gateStateBySn', {})).body.code).toBe(-48);
  });

  it('keeps the irstate counters for operators and resets them on the controller', async () => {
    // The controller pushed its counters when it started (7.14).
    expect((await t.get('/api/gateway/psgDevice/CKN4213360081/counters')).body).toMatchObject({ code: 0, data: { irstate: 0, irsenseCount: 2, inCount: 0 } });
    cc.counters.incount = 5;
    cc.counters.outcount = 3;
    cc.counters.alarmcount = 1;
    await cc.uploadIrstate();
    const c = await t.get('/api/gateway/psgDevice/CKN4213360081/counters');
    expect(c.body.data).toMatchObject({ irstate: 0, irsenseCount: 2, inCount: 5, outCount: 3, alarmCount: 1, runCount: 0 });
    expect((await t.post('/api/gateway/psgDevice/CKN4213360081/resetCounters', { counter: 'in' })).body.code).toBe(0);
    await cc.pollUntilIdle();
    expect(cc.counters.incount).toBe(0);
    expect(cc.counterResets).toEqual([0x02]);
    // The reset changed the counters: the controller pushed them itself, right after the reply (7.14).
    expect((await t.get('/api/gateway/psgDevice/CKN4213360081/counters')).body.data).toMatchObject({ inCount: 0, outCount: 3 });
  });

  it('an irstate line with a counter outside 0..2^31-1 or not a number is a logged rejection, kept raw (irstate.rejected); the good line beside it is kept', async () => {
    const rejectedSoFar = async () => {
      const m = /^cvgw_device_lines_rejected_total\{kind="table"\} (\S+)$/m.exec(await (await t.request('GET', '/metrics')).text);
      return m ? Number(m[1]) : 0;
    };
    const before = await rejectedSoFar();
    const good = 'irstate=1\tirsensecount=4\tincount=11\toutcount=12\talarmcount=0\truncount=23';
    const bad = [
      'irstate=0\tirsensecount=4\tincount=-1\toutcount=12\talarmcount=0\truncount=23',
      'irstate=0\tirsensecount=4\tincount=11\toutcount=2147483648\talarmcount=0\truncount=23',
      'irstate=0\tirsensecount=4\tincount=11\toutcount=12\talarmcount=many\truncount=23',
      'irstate=-5\tirsensecount=4\tincount=11\toutcount=12\talarmcount=0\truncount=23',
    ];
    const r = await cc.uploadRaw('/iclock/cdata', { table: 'irstate' }, `${good}\r\n${bad.join('\r\n')}\r\n`, { 'Content-Type': 'application/push;charset=UTF-8' });
    expect([r.status, r.body]).toEqual([200, 'OK']);
    const c = await t.get('/api/gateway/psgDevice/CKN4213360081/counters');
    expect(c.body.data).toMatchObject({ irstate: 1, irsenseCount: 4, inCount: 11, outCount: 12, alarmCount: 0, runCount: 23 });
    expect((await rejectedSoFar()) - before).toBe(4);
    const onlyBad = await cc.uploadRaw('/iclock/cdata', { table: 'irstate' }, 'irstate=99999999999\tincount=1\r\n', { 'Content-Type': 'application/push;charset=UTF-8' });
    expect([onlyBad.status, onlyBad.body]).toEqual([200, 'OK']);
    expect((await t.get('/api/gateway/psgDevice/CKN4213360081/counters')).body.data).toMatchObject({ irstate: 1, inCount: 11 });
    expect((await rejectedSoFar()) - before).toBe(5);
    // Refused lines are kept raw beside the counters, as rtlog's are: nothing acknowledged is lost.
    const kept = (await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = $1 AND table_name = 'irstate.rejected' ORDER BY id`, ['CKN4213360081'])) as Array<{ record: { line: string; reason: string } }>;
    expect(kept.map((r) => r.record.line)).toEqual([...bad, 'irstate=99999999999\tincount=1']);
    for (const r of kept) expect(r.record.reason).toEqual(expect.any(String));
    await cc.uploadIrstate();
  });
});

describe('passing rules', () => {
  it('sends a gatepassrule for a time segment with the passing mode', async () => {
    const from = cc.received.length;
    expect((await t.post('/api/gateway/psgDevice/CKN4213360081/passRule', { timeSegName: '24-Hour Accessible', passMode: 1 })).body.code).toBe(0);
    await cc.pollUntilIdle();
    const [cmd] = received(cc, from);
    expect(cmd).toMatch(/^DATA UPDATE gatepassrule PasswayTimeZoneId=1\tSunTime1=2359\tSunPassMode1=1\tSunTime2=0\tSunPassMode2=0/);
    expect(cc.table('gatepassrule')).toHaveLength(1);
    expect(cc.received.at(-1)?.result).toBe(0);
    expect((await t.post('/api/gateway/psgDevice/CKN4213360081/passRule', { timeSegName: 'nope', passMode: 1 })).body.code).toBeLessThan(0);
    expect((await t.post('/api/gateway/psgDevice/ACCPANEL02/passRule', { timeSegName: '24-Hour Accessible', passMode: 1 })).body.code).toBe(-404);
  });
});

describe('entrance-control levels and events', () => {
  let levelId: string;

  it('grants a gate level: the controller gets the user and userauthorize with the gate as door bit', async () => {
    const saved = await t.post('/api/gateway/psgLevel/save', { name: 'Gate 2', pointIds: [gateIds[1]] });
    expect(saved.body.code).toBe(0);
    levelId = saved.body.data.id;
    // A door of an access panel is no gate.
    const door = (await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data[0].id;
    expect((await t.post('/api/gateway/psgLevel/save', { name: 'Not a gate', pointIds: [door] })).body.code).toBe(-404);
    expect((await t.get('/api/psgLevel/list', { pageNo: 1, pageSize: 10 })).body.data).toEqual([{ id: levelId, name: 'Gate 2' }]);
    expect((await t.get('/api/v2/psgLevel/list', { pageNo: 1, pageSize: 10 })).body.data).toMatchObject({ total: 1, data: [{ id: levelId, name: 'Gate 2' }] });
    expect((await t.get(`/api/psgLevel/getById/${levelId}`)).body.data).toEqual({ id: levelId, name: 'Gate 2' });
    expect((await t.get('/api/psgLevel/getByName/Gate%202')).body.data).toEqual({ id: levelId, name: 'Gate 2' });
    // The v2 twins a later manual's catalogue lists (/api/v2/psgLevel/getById/{id}, getByName/{name}), as accLevel has them.
    expect((await t.get(`/api/v2/psgLevel/getById/${levelId}`)).body).toEqual({ code: 0, message: 'success', data: { id: levelId, name: 'Gate 2' } });
    expect((await t.get('/api/v2/psgLevel/getByName/Gate%202')).body.data).toEqual({ id: levelId, name: 'Gate 2' });
    expect((await t.get('/api/v2/psgLevel/getById', { id: levelId })).body.data).toEqual({ id: levelId, name: 'Gate 2' });
    const from = cc.received.length;
    const panelFrom = panel.received.length;
    expect((await t.post('/api/psgLevel/syncPerson', undefined, { pin: '801', levelIds: levelId })).body.code).toBe(0);
    await cc.pollUntilIdle();
    await panel.pollUntilIdle();
    const cmds = received(cc, from);
    expect(cmds).toContain('DATA UPDATE userauthorize Pin=801\tAuthorizeTimezoneId=1\tAuthorizeDoorId=2');
    expect(cc.rightsOf('801').map((r) => r.doors)).toEqual([[2]]);
    expect(received(panel, panelFrom)).toEqual([]);
    expect((await t.post('/api/psgLevel/syncLevel', undefined, { levelId })).body.code).toBe(0);
    expect((await t.post('/api/psgLevel/syncPerson', undefined, { pin: '801', levelIds: 'nope' })).body.code).toBe(-24);
  });

  it('lists passes and the cancel-alarm record by device, person, list and monitor', async () => {
    const ts = Date.now() - 1000;
    const first = await t.get('/api/psgTransaction/monitor', { timestamp: ts });
    expect(first.body.code).toBe(0);
    const ok = await cc.pass({ pin: '801', gate: 2, direction: 'in' });
    expect(ok.granted).toBe(true);
    const denied = await cc.pass({ pin: '801', gate: 1, direction: 'out' });
    expect(denied.granted).toBe(false);
    await cc.cancelAlarmRecord(2);
    const byDevice = (await t.get('/api/psgTransaction/device/CKN4213360081', { pageNo: 1, pageSize: 10 })).body;
    expect(byDevice.code).toBe(0);
    expect(byDevice.data).toHaveLength(3);
    const pass = byDevice.data.find((e: { pin: string; eventNo: number }) => e.pin === '801' && e.eventNo === 0);
    // Cleo has no last name: "" as in the manual's examples, never null.
    expect(pass).toMatchObject({ name: 'Cleo', lastName: '', devSn: 'CKN4213360081', devName: '10.8.14.234', eventPointName: '10.8.14.234-2', readerName: '10.8.14.234-2-In', gateType: 2 });
    expect(pass).not.toHaveProperty('accZone');
    expect(byDevice.data.some((e: { eventNo: number; eventPointName: string }) => e.eventNo === 7 && e.eventPointName === '10.8.14.234-2')).toBe(true);
    expect((await t.get('/api/psgTransaction/person/801', { pageNo: 1, pageSize: 10 })).body.data).toHaveLength(2);
    // 2.34.5-2.34.7's examples count page from 1 (the access lists from 0).
    const byPerson = (await t.get('/api/v2/psgTransaction/person/801', { pageNo: 1, pageSize: 1 })).body.data;
    expect(byPerson).toMatchObject({ page: 1, size: 1, total: 2, offset: 0, lastPage: false });
    expect(byPerson.data).toEqual([expect.objectContaining({ pin: '801', name: 'Cleo', lastName: '' })]);
    expect((await t.get('/api/v2/psgTransaction/person/801', { pageNo: 2, pageSize: 1 })).body.data).toMatchObject({ page: 2, size: 1, total: 2, offset: 1, lastPage: true });
    expect((await t.get('/api/v2/psgTransaction/device/CKN4213360081', { pageNo: 1, pageSize: 10 })).body.data).toMatchObject({ page: 1, size: 10, total: 3, offset: 0, lastPage: true });
    // The v3 forms answer as the v2 ones, by path or by query.
    for (const [v3, v2] of [
      [['/api/v3/psgTransaction/device/CKN4213360081', {}], '/api/v2/psgTransaction/device/CKN4213360081'],
      [['/api/v3/psgTransaction/device', { deviceSn: 'CKN4213360081' }], '/api/v2/psgTransaction/device/CKN4213360081'],
      [['/api/v3/psgTransaction/person/801', {}], '/api/v2/psgTransaction/person/801'],
      [['/api/v3/psgTransaction/person', { pin: '801' }], '/api/v2/psgTransaction/person/801'],
    ] as const) {
      const got = (await t.get(v3[0], { ...v3[1], pageNo: 1, pageSize: 10 })).body;
      expect(got.code, v3[0]).toBe(0);
      expect(got).toEqual((await t.get(v2, { pageNo: 1, pageSize: 10 })).body);
    }
    expect((await t.get('/api/psgTransaction/list', { pageNo: 1, pageSize: 10, personPin: '801' })).body.data).toHaveLength(2);
    expect((await t.get('/api/v2/psgTransaction/list', { pageNo: 1, pageSize: 10 })).body.data).toMatchObject({ page: 1, size: 10, total: 3, offset: 0, lastPage: true });
    expect((await t.get('/api/v2/psgTransaction/list', { pageNo: 3, pageSize: 1 })).body.data).toMatchObject({ page: 3, size: 1, total: 3, offset: 2, lastPage: true });
    // The other v2 lists of entrance control keep their examples' 0 for the first page.
    expect((await t.get('/api/v2/psgGate/list', { pageNo: 1, pageSize: 10 })).body.data).toMatchObject({ page: 0, offset: 0 });
    // Events wait while any older transaction on the (shared) server runs: poll until the three have come.
    const seen: Array<Record<string, unknown>> = [];
    for (const end = Date.now() + 20_000; seen.length < 3 && Date.now() < end; ) {
      seen.push(...(await t.get('/api/psgTransaction/monitor', { timestamp: ts })).body.data);
      if (seen.length < 3) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatchObject({ id: null, devSn: 'CKN4213360081', eventNo: 0, pin: '801' });
    expect((await t.get('/api/psgTransaction/monitor', { timestamp: ts })).body.data).toEqual([]);
    expect((await t.get('/api/psgTransaction/monitor', {})).body.code).toBeLessThan(0);
    expect((await t.get('/api/psgTransaction/list', { pageNo: 1, pageSize: 10, startDate: 'x' })).body.code).toBe(-100);
    // Not access events.
    const access = (await t.get('/api/transaction/list', { pageNo: 1, pageSize: 10 })).body.data as Array<{ devSn: string }>;
    expect(access.filter((e) => e.devSn === 'CKN4213360081')).toEqual([]);
  });


  it('monitor: a client whose clock runs ahead of the server still gets the events stored after its first poll', async () => {
    // The integrator's clock is two minutes fast: its first poll names a moment the server has not reached yet.
    const ahead = Date.now() + 120_000;
    expect((await t.get('/api/psgTransaction/monitor', { timestamp: ahead })).body).toMatchObject({ code: 0, data: [] });
    expect((await cc.uploadRtlog([{ pin: 0, cardno: 4711, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 200, index: 9200 }])).status).toBe(200);
    const seen: Array<Record<string, unknown>> = [];
    for (const end = Date.now() + 20_000; seen.length < 1 && Date.now() < end; ) {
      seen.push(...(await t.get('/api/psgTransaction/monitor', { timestamp: ahead })).body.data);
      if (seen.length < 1) await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen.map((e) => [e.devSn, e.cardNo, e.logId])).toEqual([['CKN4213360081', '4711', 9200]]);
    expect((await t.get('/api/psgTransaction/monitor', { timestamp: ahead })).body.data).toEqual([]);
    // As the access monitor does with the same timestamp.
    expect((await t.get('/api/transaction/monitor', { timestamp: ahead })).body.code).toBe(0);
  });

  it('monitor: a new cursor hands out at most MONITOR_LOOKBACK_SECONDS (600) of the past, whatever its timestamp', async () => {
    expect((await cc.uploadRtlog([{ pin: 0, cardno: 4801, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 200, index: 9801 }])).status).toBe(200);
    await t.ds.query(`UPDATE module_transaction SET created_at = now() - interval '11 minutes' WHERE device_sn = 'CKN4213360081' AND log_id = 9801`);
    expect((await cc.uploadRtlog([{ pin: 0, cardno: 4802, eventaddr: 1, event: 27, inoutstatus: 0, verifytype: 200, index: 9802 }])).status).toBe(200);
    // The manual's own example value (May 2017), which some clients send on every call.
    const seen: Array<Record<string, unknown>> = [];
    for (const end = Date.now() + 20_000; !seen.some((e) => e.cardNo === '4802') && Date.now() < end; ) {
      seen.push(...(await t.get('/api/psgTransaction/monitor', { timestamp: 1494467276539 })).body.data);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let more = (await t.get('/api/psgTransaction/monitor', { timestamp: 1494467276539 })).body.data; more.length > 0; ) {
      seen.push(...more);
      more = (await t.get('/api/psgTransaction/monitor', { timestamp: 1494467276539 })).body.data;
    }
    expect(seen.map((e) => e.cardNo)).toContain('4802');
    expect(seen.map((e) => e.cardNo)).not.toContain('4801');
  });

  it('names event 110 of a channel controller as its gate, not a read head (2.34\'s examples)', async () => {
    expect((await cc.uploadRtlog([{ pin: 0, cardno: 0, eventaddr: 1, event: 110, inoutstatus: 2, verifytype: 200, index: 9110 }])).status).toBe(200);
    const gone = (await t.get('/api/psgTransaction/device/CKN4213360081', { pageNo: 1, pageSize: 50 })).body.data.find((e: { eventNo: number }) => e.eventNo === 110);
    expect(gone).toMatchObject({ eventNo: 110, eventName: 'The Gate is not connected' });
    // Module events are numbered apart from access events; their ids carry the module (2 entrance control) so the
    // feeds never share an id.
    expect(gone.id).toMatch(/^2[0-9a-f]{31}$/);
  });
  it('2.32.1 deleteLevel takes the gate away from the controller', async () => {
    expect((await t.post('/api/psgLevel/deleteLevel', undefined, { pin: '801', levelIds: levelId })).body.code).toBe(0);
    await cc.pollUntilIdle();
    expect(cc.rightsOf('801')).toEqual([]);
    expect(cc.user('801')).toBeUndefined();
  });

  it('takes the gates as gateIds too (the README\'s word): the level holds them and the controller gets them', async () => {
    const saved = await t.post('/api/gateway/psgLevel/save', { name: 'Both gates', gateIds: gateIds.join(',') });
    expect(saved.body).toMatchObject({ code: 0, data: { name: 'Both gates' } });
    expect((await t.post('/api/gateway/psgLevel/save', { name: 'No such gate', gateIds: ['0123456789abcdef0123456789abcdef'] })).body.code).toBe(-404);
    expect((await t.post('/api/psgLevel/syncPerson', undefined, { pin: '801', levelIds: saved.body.data.id })).body.code).toBe(0);
    await cc.pollUntilIdle();
    expect(cc.rightsOf('801').map((r) => r.doors)).toEqual([[1, 2]]);
    await expect(t.post('/api/psgLevel/deleteLevel', undefined, { pin: '801', levelIds: saved.body.data.id }).then((r) => r.body.code)).resolves.toBe(0);
    await cc.pollUntilIdle();
    expect(cc.rightsOf('801')).toEqual([]);
  });
});

describe('gate state follows the controller (2.31.1-2.31.3)', () => {
  it('an online controller\'s gate is "1" before any rtstate, a turned-off gate "2", every gate of a disabled controller "2"', async () => {
    const second = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'CKN4213360099', gates: 1, ipAddress: '10.8.14.99' });
    await second.connect();
    await second.pollUntilIdle();
    const [gate] = (await t.get('/api/psgGate/gateStateBySn', { deviceSn: 'CKN4213360099' })).body.data;
    // No rtstate yet: alarm and relay are unknown, but the gate answers through its online controller.
    const [{ door_state_at }] = await t.ds.query(`SELECT door_state_at FROM door WHERE id = $1`, [gate.id]);
    expect(door_state_at).toBeNull();
    expect(gate).toEqual({ id: expect.any(String), name: '10.8.14.99-1', deviceId: expect.any(String), connect: '1', gateState: '1', alarm: 'None', relay: 'None' });
    expect((await t.get('/api/psgGate/gateStateById', { gateId: gate.id })).body).toEqual({ code: 0, message: 'success', data: [gate] });
    expect((await t.get('/api/psgGate/allGateState')).body.data).toContainEqual(gate);

    await t.ds.query(`UPDATE door SET enabled = false WHERE id = $1`, [gate.id]);
    expect((await t.get('/api/psgGate/gateStateById', { gateId: gate.id })).body.data).toEqual([{ ...gate, connect: '1', gateState: '2' }]);

    expect((await t.post('/api/gateway/devices/CKN4213360099/disable')).body.code).toBe(0);
    expect((await t.get('/api/psgGate/gateStateBySn', { deviceSn: 'CKN4213360099' })).body.data).toEqual([{ ...gate, connect: '2', gateState: '2' }]);
  });
});
