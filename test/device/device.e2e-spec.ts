import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { PUSH_SETTINGS, type PushSettings } from '../../src/push/push-settings';
import { manualEndpoint, manualExample, shapeOf, uniformArrays } from '../door/cv-examples';

/** Manual admission, as a fresh install: devices wait as 'pending' until approved. */
let t: TestApp;
const A = 'DEVTEST0000A';
const B = 'DEVTEST0000B';
const HEX32 = /^[0-9a-f]{32}$/;
let simA: DeviceSimulator;
let simB: DeviceSimulator;

beforeAll(async () => {
  t = await startTestApp({ deviceAdmission: 'manual' });
  simA = new DeviceSimulator({ baseUrl: t.baseUrl, sn: A, doors: 2, ipAddress: '10.8.14.142', deviceName: 'SpeedFace-V5L' });
  simB = new DeviceSimulator({ baseUrl: t.baseUrl, sn: B, doors: 4, ipAddress: '192.168.218.11', deviceName: 'inBIO460' });
  await simA.connect();
  await simB.connect();
});
afterAll(async () => {
  await t?.close();
});

describe('pending devices and approval (gateway extensions)', () => {
  it('lists pending devices in the gateway list only', async () => {
    const pending = await t.get('/api/gateway/devices', { admission: 'pending' });
    expect(pending.body.code).toBe(0);
    expect(pending.body.data.map((d: { sn: string }) => d.sn).sort()).toEqual([A, B]);
    expect(pending.body.data[0]).toMatchObject({ admission: 'pending', online: false, doors: [] });
    expect((await t.get('/api/device/accList', { pageNo: 1, pageSize: 20 })).body).toEqual({ code: 0, message: 'success', data: [] });
    expect((await t.get('/api/device/getAcc', { sn: A })).body.code).toBe(-404);
  });

  it('approves a device: it gets its doors and readers, and becomes an access device', async () => {
    const res = await t.post(`/api/gateway/devices/${A}/approve`);
    expect(res.body).toMatchObject({ code: 0, message: 'success', data: { sn: A, admission: 'admitted', lockCount: 2, areaCode: '1', areaName: 'Area Name' } });
    expect(res.body.data.doors.map((d: { name: string }) => d.name)).toEqual(['10.8.14.142-1', '10.8.14.142-2']);
    expect((await t.post(`/api/gateway/devices/${B}/approve`)).body.code).toBe(0);
    await simA.connect();
    await simB.connect();
    await simA.pollUntilIdle();
    await simB.pollUntilIdle();
    const detail = (await t.get(`/api/gateway/devices/${A}`)).body.data;
    expect(detail).toMatchObject({ sn: A, alias: '10.8.14.142', online: true, type: 'SpeedFace-V5L', ipAddress: '10.8.14.142' });
    expect(detail.lastSeen).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect((await t.post('/api/gateway/devices/UNKNOWN/approve')).body.code).toBe(-404);
  });
});

describe('device reads (2.9)', () => {
  it('2.9.1 lists the access devices, matching the example field for field', async () => {
    const res = await t.get('/api/device/accList', { pageNo: 1, pageSize: 20 });
    expect(res.body).toEqual({
      code: 0,
      message: 'success',
      data: [
        { id: expect.stringMatching(HEX32), sn: A, name: '10.8.14.142', type: 'SpeedFace-V5L', state: '1', module: 'acc' },
        { id: expect.stringMatching(HEX32), sn: B, name: '192.168.218.11', type: 'inBIO460', state: '1', module: 'acc' },
      ],
    });
    expect(shapeOf(res.body)).toEqual(shapeOf(manualExample('2.9.1')));
    expect(uniformArrays(res.body)).toBe(true);
    expect((await t.get('/api/device/accList', { pageNo: 2, pageSize: 1 })).body.data.map((d: { sn: string }) => d.sn)).toEqual([B]);
    expect((await t.get('/api/device/accList')).body.code).toBe(-92);
    expect((await t.get('/api/device/accList', { pageNo: -1, pageSize: 1 })).body.code).toBe(-90);
  });

  it('2.9.2 gets a device by SN in the query and in the path', async () => {
    const res = await t.get('/api/device/getAcc', { sn: B });
    expect(res.body).toEqual({
      code: 0,
      message: 'success',
      data: { id: expect.stringMatching(HEX32), sn: B, name: '192.168.218.11', type: 'inBIO460', state: '1', module: 'acc' },
    });
    expect(shapeOf(res.body)).toEqual(shapeOf(manualExample('2.9.2')));
    expect(manualEndpoint('2.9.2').routeAliases).toContain('/api/device/getAcc/{sn}');
    expect((await t.get(`/api/device/getAcc/${B}`)).body).toEqual(res.body);
    expect((await t.get('/api/device/getAcc')).body.code).toBe(-48);
    expect((await t.get('/api/device/getAcc', { sn: 'NOPE' })).body).toEqual({ code: -404, message: 'Device does not exist: NOPE', data: null });
  });

  it('2.9.3 pages with the total at /api/v2/device/list and /api/v2/device/accList ("status", not "state")', async () => {
    const res = await t.get('/api/v2/device/list', { pageNo: 1, pageSize: 1 });
    expect(res.body).toEqual({
      code: 0,
      message: 'success',
      data: {
        page: 0,
        size: 1,
        total: 2,
        data: [{ id: expect.stringMatching(HEX32), sn: A, name: '10.8.14.142', type: 'SpeedFace-V5L', status: '1', module: 'acc' }],
        offset: 0,
        lastPage: false,
      },
    });
    expect(shapeOf(res.body)).toEqual(shapeOf(manualExample('2.9.3')));
    expect(manualEndpoint('2.9.3').likelyPath).toBe('/api/v2/device/list');
    expect(manualEndpoint('2.9.3').routeAliases).toContain('/api/v2/device/accList');
    expect((await t.get('/api/v2/device/accList', { pageNo: 1, pageSize: 1 })).body).toEqual(res.body);
    expect((await t.get('/api/v2/device/list', { pageNo: 2, pageSize: 1 })).body.data).toMatchObject({ page: 1, offset: 1, lastPage: true, total: 2 });
    expect((await t.get('/api/v2/device/list', { pageSize: 1 })).body.code).toBe(-92);
  });

  it('a disabled device reads as state "0" and its doors as connect "2"', async () => {
    await t.ds.query(`UPDATE device SET admission = 'disabled' WHERE sn = $1`, [B]);
    expect((await t.get('/api/device/getAcc', { sn: B })).body.data.state).toBe('0');
    const states = (await t.get('/api/door/doorStateBySn', { deviceSn: B })).body.data;
    expect(states.map((s: { connect: string }) => s.connect)).toEqual(['2', '2', '2', '2']);
    const [door] = states;
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId: door.id, interval: 5 })).body.code).toBe(-409);
    await t.ds.query(`UPDATE device SET admission = 'admitted' WHERE sn = $1`, [B]);
  });
});

describe('device administration (gateway extensions)', () => {
  it('renames a device, and with renameDoors its doors and readers', async () => {
    const plain = await t.put(`/api/gateway/devices/${B}/alias`, { alias: 'Warehouse' });
    expect(plain.body.data).toMatchObject({ sn: B, alias: 'Warehouse' });
    expect(plain.body.data.doors[0].name).toBe('192.168.218.11-1');
    expect((await t.get('/api/device/getAcc', { sn: B })).body.data.name).toBe('Warehouse');

    const res = await t.put(`/api/gateway/devices/${A}/alias`, undefined, { alias: 'Lobby', renameDoors: 'true' });
    expect(res.body.data.doors.map((d: { name: string }) => d.name)).toEqual(['Lobby-1', 'Lobby-2']);
    const readers = await t.ds.query(
      `SELECT r.name FROM reader r JOIN door d ON d.id = r.door_id JOIN device v ON v.id = d.device_id WHERE v.sn = $1 ORDER BY r.reader_no`,
      [A],
    );
    expect(readers.map((r: { name: string }) => r.name)).toEqual(['Lobby-1-In', 'Lobby-1-Out', 'Lobby-2-In', 'Lobby-2-Out']);
    expect((await t.put(`/api/gateway/devices/${A}/alias`, { alias: '' })).body.code).toBe(-400);
    expect((await t.put('/api/gateway/devices/NOPE/alias', { alias: 'x' })).body.code).toBe(-404);
  });

  it('refuses renaming the doors to names another device\'s doors have, naming the door (it said "The record already exists")', async () => {
    expect((await t.put(`/api/gateway/devices/${B}/alias`, { alias: '192.168.218.11' })).body.code).toBe(0);
    // A's doors keep the name Lobby-<n> when A itself is renamed without them (device names are unique).
    expect((await t.put(`/api/gateway/devices/${A}/alias`, { alias: 'Front' })).body.code).toBe(0);
    const res = await t.put(`/api/gateway/devices/${B}/alias`, { alias: 'Lobby', renameDoors: true });
    expect(res.body).toMatchObject({ code: -409, message: expect.stringContaining('Lobby-1 is another device\'s') });
    const b = (await t.get(`/api/gateway/devices/${B}`)).body.data;
    expect([b.alias, b.doors[0].name]).toEqual(['192.168.218.11', '192.168.218.11-1']);
    expect((await t.put(`/api/gateway/devices/${B}/alias`, { alias: 'Warehouse' })).body.code).toBe(0);
    expect((await t.put(`/api/gateway/devices/${A}/alias`, { alias: 'Lobby' })).body.code).toBe(0);
  });

  it('refuses a name another device has (any case), naming it; keeping its own name is no conflict', async () => {
    const a = (await t.get(`/api/gateway/devices/${A}`)).body.data.alias;
    const b = (await t.get(`/api/gateway/devices/${B}`)).body.data.alias;
    for (const alias of [a, a.toUpperCase(), ` ${a.toLowerCase()} `]) {
      expect((await t.put(`/api/gateway/devices/${B}/alias`, { alias })).body, alias).toEqual({ code: -409, message: `The device name already exists: ${a} is device ${A}`, data: null });
    }
    expect((await t.get(`/api/gateway/devices/${B}`)).body.data.alias).toBe(b);
    expect((await t.put(`/api/gateway/devices/${B}/alias`, { alias: b })).body.code).toBe(0);
  });

  it('moves a device to another area', async () => {
    await t.post('/api/gateway/areas', { code: 'W', name: 'West wing' });
    const res = await t.put(`/api/gateway/devices/${A}/area`, { areaCode: 'W' });
    expect(res.body.data).toMatchObject({ sn: A, areaCode: 'W', areaName: 'West wing' });
    expect((await t.get('/api/gateway/areas/W')).body.data.deviceCount).toBe(1);
    expect((await t.delete('/api/gateway/areas/W')).body.code).toBe(-409);
    expect((await t.put(`/api/gateway/devices/${A}/area`, { areaCode: 'none' })).body.code).toBe(-80);
    expect((await t.put(`/api/gateway/devices/${A}/area`, {})).body.code).toBe(-83);
  });

  it('reboots a panel, sets its clock, cancels the alarms of all its doors and reads its options, as 9.4 and 9.5 give them', async () => {
    await simA.pollUntilIdle();
    const done = async (sn: string, id: string) => (await t.get(`/api/gateway/devices/${sn}/commands`)).body.data.data.find((c: { id: string }) => c.id === id);
    simA.driftClock(-3 * 3600_000);
    const time = await t.post(`/api/gateway/devices/${A}/control`, { action: 'syncTime' });
    expect(time.body).toMatchObject({ code: 0, data: { deviceSn: A, command: expect.stringMatching(/^SET OPTIONS DateTime=\d+$/), commandId: expect.any(String), validSeconds: 60 } });
    await simA.pollUntilIdle();
    expect(Math.abs(simA.clockOffset)).toBeLessThan(3000);
    expect(await done(A, time.body.data.commandId)).toMatchObject({ state: 'done', returnCode: 0 });

    const alarm = await t.post(`/api/gateway/devices/${A}/control`, undefined, { action: 'cancelAlarm' });
    expect(alarm.body.data.command).toBe('CONTROL DEVICE 02000000');
    await simA.pollUntilIdle();
    expect(simA.doorActions.at(-1)).toMatchObject({ action: 'cancelAlarm', door: 0 });

    const ask = await t.post(`/api/gateway/devices/${A}/control`, { action: 'getOptions', options: 'LockCount, ~DeviceName,NoSuchOption' });
    expect(ask.body.data).toMatchObject({ command: 'GET OPTIONS LockCount,~DeviceName,NoSuchOption', validSeconds: null });
    await simA.pollUntilIdle();
    expect(await done(A, ask.body.data.commandId)).toMatchObject({ state: 'done', returnCode: 0 });
    const options = (await t.get(`/api/gateway/devices/${A}/options`)).body.data as Array<{ name: string; value: string; reportedAt: string }>;
    expect(options.filter((o) => ['LockCount', '~DeviceName', 'NoSuchOption'].includes(o.name)).map(({ name, value }) => `${name}=${value}`).sort()).toEqual(['LockCount=2', '~DeviceName=SpeedFace-V5L']);
    expect(options[0].reportedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const reboot = await t.post(`/api/gateway/devices/${A}/control`, { action: 'reboot' });
    expect(reboot.body.data.command).toBe('CONTROL DEVICE 03000000');
    await simA.poll();
    expect(simA.restarts).toBe(1);
    await simA.connect();
    await simA.pollUntilIdle();
    expect(await done(A, reboot.body.data.commandId)).toMatchObject({ state: 'done', returnCode: 0 });

    // A panel that restarts before it posts the result polls again without it: the restart is not sent again.
    const settings = t.app.get<PushSettings>(PUSH_SETTINGS);
    const lostReplyMs = settings.lostReplyMs;
    settings.lostReplyMs = 150;
    try {
      simA.holdResults((c) => c.verb === 'CONTROL DEVICE');
      const again = await t.post(`/api/gateway/devices/${A}/control`, { action: 'reboot' });
      await simA.poll();
      simA.dropHeldResults();
      simA.stopHoldingResults();
      expect(simA.restarts).toBe(2);
      await simA.connect();
      await new Promise((res) => setTimeout(res, 300));
      expect(await simA.poll()).toEqual([]);
      expect(simA.restarts).toBe(2);
      expect(await done(A, again.body.data.commandId)).toMatchObject({ state: 'failed', attempts: 1, error: expect.stringContaining('a restart is not sent again') });
    } finally {
      settings.lostReplyMs = lostReplyMs;
    }

    expect((await t.post(`/api/gateway/devices/${A}/control`, { action: 'selfDestruct' })).body.code).toBe(-400);
    expect((await t.post(`/api/gateway/devices/${A}/control`, { action: 'getOptions', options: 'A=1' })).body.code).toBe(-400);
    expect((await t.post('/api/gateway/devices/NOPE/control', { action: 'reboot' })).body.code).toBe(-404);
    expect((await t.get('/api/gateway/devices/NOPE/options')).body.code).toBe(-404);
    // An attendance terminal has its own commands (CONTROL DEVICE is not its dialect): refused, nothing queued.
    expect((await t.post(`/api/gateway/devices/${B}/kind`, { kind: 'att' })).body.code).toBe(0);
    expect((await t.post(`/api/gateway/devices/${B}/control`, { action: 'reboot' })).body.code).toBe(-409);
    expect((await t.post(`/api/gateway/devices/${B}/kind`, { kind: null })).body.code).toBe(0);
    expect(await simB.pollUntilIdle()).toBeDefined();
    expect(simB.restarts).toBe(0);
  });

  it('syncs all data to a device through the sync planner, batched, and the device acknowledges everything', async () => {
    // A level with door 1 of A only; a person in it. B has no door in the level.
    const added = await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Lobby level', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] });
    expect(added.body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddItems: [], accApiLevelAddDoorItems: [{ levelName: 'Lobby level', doorName: 'Lobby-1' }] })).body.code).toBe(0);
    const level = (await t.get('/api/accLevel/getByName/Lobby level')).body.data;
    expect(level).toMatchObject({ name: 'Lobby level' });
    expect((await t.post('/api/person/add', { pin: '9001', name: 'Ann', deptCode: '1', accLevelIds: level.id })).body.code).toBe(0);
    await simA.pollUntilIdle();
    await simB.pollUntilIdle();
    expect(simA.user('9001')).toBeDefined();

    // The device lost everything (a factory reset); a full sync puts it back.
    for (const table of simA.tables.tableNames()) simA.tables.clear(table);
    expect(simA.user('9001')).toBeUndefined();
    const beforeA = simA.received.length;
    const beforeB = simB.received.length;
    const res = await t.post(`/api/gateway/devices/${A}/sync`);
    expect(res.body).toEqual({ code: 0, message: 'success', data: { sn: A, result: 'success: a full sync is queued' } });
    await simA.pollUntilIdle();
    await simB.pollUntilIdle();
    const got = simA.received.slice(beforeA);
    const lines = got.flatMap((r) => [r.command, ...r.continuation]);
    expect(lines.some((l) => /^DATA UPDATE user .*Pin=9001(\t|$)/.test(l) || (/^Pin=9001\t/.test(l) && /Name=Ann/.test(l)))).toBe(true);
    expect(lines.some((l) => /(^DATA UPDATE userauthorize |^)Pin=9001\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1(\t|$)/.test(l))).toBe(true);
    expect(got.every((r) => r.result !== undefined && r.result >= 0)).toBe(true);
    expect(simA.user('9001')).toMatchObject({ Name: 'Ann' });
    expect(simA.rightsOf('9001').length).toBeGreaterThan(0);
    // Batched: one command carries many records, never one round trip per record.
    expect(got.length).toBeLessThanOrEqual(lines.length);
    // B holds no door of the level: it never receives the person, not even from A's full sync.
    expect(simB.received.slice(beforeB).some((r) => r.command.includes('Pin=9001'))).toBe(false);
    expect(simB.user('9001')).toBeUndefined();
    const open = await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent')`, [A]);
    expect(open[0].n).toBe(0);
    expect((await t.post('/api/gateway/devices/NOPE/sync')).body.code).toBe(-404);
  });

  it('refuses a full sync to a device that is not admitted', async () => {
    await t.post(`/api/gateway/devices/${A}/disable`);
    expect((await t.post(`/api/gateway/devices/${A}/sync`)).body.code).toBe(-409);
    await t.post(`/api/gateway/devices/${A}/approve`);
  });

  it('deletes a device with its doors and readers and drops its queued commands', async () => {
    const doors = (await t.get('/api/door/doorStateBySn', { deviceSn: B })).body.data;
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId: doors[0].id, interval: 5 })).body.code).toBe(0);
    const queued = await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND state = 'pending'`, [B]);
    expect(queued[0].n).toBe(1);
    expect((await t.delete(`/api/gateway/devices/${B}`)).body).toEqual({ code: 0, message: 'success', data: null });
    expect((await t.get('/api/device/getAcc', { sn: B })).body.code).toBe(-404);
    expect((await t.get('/api/door/get', { id: doors[0].id })).body.code).toBe(-47);
    const left = await t.ds.query(
      `SELECT (SELECT count(*)::int FROM door WHERE id = ANY($2)) AS doors,
              (SELECT count(*)::int FROM reader WHERE door_id = ANY($2)) AS readers,
              (SELECT count(*)::int FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent')) AS queued`,
      [B, doors.map((d: { id: string }) => d.id)],
    );
    expect(left[0]).toEqual({ doors: 0, readers: 0, queued: 0 });
    // The device is still out there: its next contact is a first contact again (pending under manual admission).
    await simB.connect();
    expect((await t.get(`/api/gateway/devices/${B}`)).body.data).toMatchObject({ sn: B, admission: 'pending', doors: [] });
    expect((await t.delete('/api/gateway/devices/NOPE')).body.code).toBe(-404);
  });

  it('disables a device', async () => {
    const res = await t.post(`/api/gateway/devices/${A}/disable`);
    expect(res.body.data).toMatchObject({ sn: A, admission: 'disabled', online: false });
    expect((await t.get('/api/device/getAcc', { sn: A })).body.data.state).toBe('0');
    expect((await t.post(`/api/gateway/devices/${A}/approve`)).body.data.admission).toBe('admitted');
  });
});

describe('device/pidMonitor (not in the manual; a real Node client polls it every 2 s)', () => {
  it('answers HTTP 200 with a clear -501 and data null, never the unknown-route 404 that client\'s HTTP library throws on', async () => {
    const r = await t.get('/api/device/pidMonitor', { timestamp: Date.now() });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ code: -501, message: expect.stringMatching(/^Not implemented by this gateway: the ID-verification \(PID\) terminal monitor/), data: null });
    // Its poll loop reads `data.data` only when present: nothing to store, nothing to throw on.
    expect(r.body.data?.data).toBeUndefined();
    expect((await t.request('GET', '/api/device/pidMonitor', { query: { timestamp: 1 } })).status).toBe(401);
  });
});

describe('syncTime sets the time of the hand-out, not of the request', () => {
  it('a panel that fetches the clock setting seconds later (or again after a lost reply) is set to the time it fetched it', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DEVCLOCK0001', doors: 1 });
    await sim.connect();
    expect((await t.post('/api/gateway/devices/DEVCLOCK0001/approve')).body.code).toBe(0);
    await sim.connect();
    await sim.pollUntilIdle();
    sim.driftClock(-3600_000);
    const asked = await t.post('/api/gateway/devices/DEVCLOCK0001/control', { action: 'syncTime' });
    expect(asked.body.code).toBe(0);
    // The panel polls every RequestDelay seconds: this one 3 s after the request.
    await new Promise((r) => setTimeout(r, 3000));
    await sim.pollUntilIdle();
    expect(sim.clockOffset).toBeGreaterThan(-1500);
    expect(sim.clockOffset).toBeLessThan(1500);
    const sent = sim.received.at(-1)!.command;
    const [row] = await t.ds.query(`SELECT command, state FROM device_command WHERE id = $1`, [asked.body.data.commandId]);
    expect(row).toEqual({ command: sent, state: 'done' });
    expect(sent).not.toBe(asked.body.data.command);

    // Its reply is lost: the setting handed out again 2 s on carries the time of that delivery.
    const settings = t.app.get<PushSettings>(PUSH_SETTINGS);
    const lostReplyMs = settings.lostReplyMs;
    settings.lostReplyMs = 150;
    try {
      sim.driftClock(-3600_000);
      sim.loseNextReply();
      expect((await t.post('/api/gateway/devices/DEVCLOCK0001/control', { action: 'syncTime' })).body.code).toBe(0);
      await sim.poll();
      await new Promise((r) => setTimeout(r, 2000));
      await sim.pollUntilIdle();
      expect(sim.clockOffset).toBeGreaterThan(-1500);
      expect(sim.clockOffset).toBeLessThan(1500);
    } finally {
      settings.lostReplyMs = lostReplyMs;
    }
  });
});
