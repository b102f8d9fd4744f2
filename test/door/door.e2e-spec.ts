import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { PUSH_SETTINGS } from '../../src/push/push-settings';
import { startTestApp, type TestApp } from '../support/test-app';
import { manualExample, shapeOf, uniformArrays } from './cv-examples';

let t: TestApp;
let sim: DeviceSimulator;
const SN = 'DOORTEST0001';
const IP = '10.8.14.142';
const HEX32 = /^[0-9a-f]{32}$/;
let doors: Array<{ id: string; name: string; deviceId: string }>;

beforeAll(async () => {
  t = await startTestApp();
  sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: SN, doors: 4, ipAddress: IP });
  await sim.connect();
  await sim.pollUntilIdle();
  const listed = await t.get('/api/door/list', { pageNo: 1, pageSize: 20 });
  doors = listed.body.data;
});
afterAll(async () => {
  await t?.close();
});

/** Runs the REST call, then lets the device poll; answers the envelope and the new command lines the device executed. */
async function drive(call: () => Promise<{ body: any; headers: Headers }>, device = sim): Promise<{ body: any; detail: string | null; lines: string[]; acked: Array<{ id: string; code: number }> }> {
  const before = device.received.length;
  const ackedBefore = device.acknowledged.length;
  const res = await call();
  await device.pollUntilIdle();
  const got = device.received.slice(before);
  return {
    body: res.body,
    detail: res.headers.get('x-gateway-detail'),
    lines: got.map((r) => r.command),
    acked: device.acknowledged.slice(ackedBefore).map((a) => ({ id: String(a.id), code: a.code })),
  };
}

/** A panel of one door, connected and idle, with its door's id. */
async function oneDoorPanel(sn: string, ip: string): Promise<{ sim: DeviceSimulator; doorId: string }> {
  const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1, ipAddress: ip });
  await panel.connect();
  await panel.pollUntilIdle();
  const doorId: string = (await t.ds.query(`SELECT d.id FROM door d JOIN device v ON v.id = d.device_id WHERE v.sn = $1`, [sn]))[0].id;
  return { sim: panel, doorId };
}

async function commandRows(sn: string): Promise<Array<{ command: string; state: string; return_code: number | null }>> {
  return t.ds.query('SELECT command, state, return_code FROM device_command WHERE device_sn = $1 ORDER BY id', [sn]);
}

describe('door reads (2.11.4, 2.11.5, 2.11.10)', () => {
  it('registration created the doors <alias>-<n>; 2.11.5 lists them', async () => {
    const device = (await t.get('/api/device/getAcc', { sn: SN })).body.data;
    expect(doors).toEqual([1, 2, 3, 4].map((n) => ({ id: expect.stringMatching(HEX32), name: `${IP}-${n}`, deviceId: device.id })));
    const res = await t.get('/api/door/list', { pageNo: 1, pageSize: 20 });
    expect(shapeOf(res.body)).toEqual(shapeOf(manualExample('2.11.5')));
    expect(uniformArrays(res.body)).toBe(true);
    expect((await t.get('/api/door/list', { pageNo: 2, pageSize: 3 })).body.data).toEqual([doors[3]]);
    expect((await t.get('/api/door/list')).body.code).toBe(-92);
    expect((await t.get('/api/door/list', { pageNo: 0, pageSize: 3 })).body.code).toBe(-90);
  });

  it('2.11.4 gets a door by id, matching the example; -44 without id, -47 unknown', async () => {
    const res = await t.get('/api/door/get', { id: doors[0].id });
    expect(res.body).toEqual({ code: 0, message: 'success', data: doors[0] });
    expect(shapeOf(res.body)).toEqual(shapeOf(manualExample('2.11.4')));
    expect((await t.get('/api/door/get')).body.code).toBe(-44);
    expect((await t.get('/api/door/get', { id: 'f'.repeat(32) })).body).toEqual({ code: -47, message: `Door doesn't exist: ${'f'.repeat(32)}`, data: null });
  });

  it('2.11.4 under the v2 path a real client calls (GET /api/v2/door/get?id=, beside v2/door/list): the same answer, not HTTP 404', async () => {
    // A public Next.js proxy (axios) reads its doors from v2/door/list and one door from v2/door/get?id=.
    const res = await t.get('/api/v2/door/get', { id: doors[1].id });
    expect([res.status, res.body]).toEqual([200, { code: 0, message: 'success', data: doors[1] }]);
    expect((await t.get(`/api/v2/door/get/${doors[2].id}`)).body).toEqual({ code: 0, message: 'success', data: doors[2] });
    expect((await t.post('/api/v2/door/get', { id: doors[3].id })).body.data).toEqual(doors[3]);
    expect((await t.get('/api/v2/door/get')).body.code).toBe(-44);
    expect((await t.get('/api/v2/door/get', { id: 'f'.repeat(32) })).body).toEqual({ code: -47, message: `Door doesn't exist: ${'f'.repeat(32)}`, data: null });
  });

  it('2.11.10 pages with the total, matching the example', async () => {
    const res = await t.get('/api/v2/door/list', { pageNo: 1, pageSize: 3 });
    expect(res.body).toEqual({ code: 0, message: 'success', data: { page: 0, size: 3, total: 4, data: doors.slice(0, 3), offset: 0, lastPage: false } });
    expect(shapeOf(res.body)).toEqual(shapeOf(manualExample('2.11.10')));
    const last = await t.get('/api/v2/door/list', { pageNo: 2, pageSize: 3 });
    expect(last.body.data).toEqual({ page: 1, size: 3, total: 4, data: [doors[3]], offset: 3, lastPage: true });
    expect((await t.get('/api/v2/door/list', { pageNo: 1 })).body.code).toBe(-92);
  });
});

describe('remote door control (2.11.6-2.11.9) reaches the device as CONTROL DEVICE', () => {
  it('2.11.8 remote open by id, inputs in the query with an empty body: 01 <door> 01 <seconds>', async () => {
    const r = await drive(() => t.post('/api/door/remoteOpenById', undefined, { doorId: doors[0].id, interval: 5 }));
    // The manual's public response, word for word; what happened to the command is in a header.
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect(r.detail).toBe(`the command is queued for device ${SN}`);
    expect(r.lines).toEqual(['CONTROL DEVICE 01010105']);
    expect(r.acked).toEqual([{ id: sim.received.at(-1)!.id, code: 0 }]);
    expect(sim.received.at(-1)!.line).toBe(`C:${sim.received.at(-1)!.id}:CONTROL DEVICE 01010105`);
    expect(sim.doorActions.at(-1)).toMatchObject({ action: 'open', door: 1, seconds: 5, result: 0 });
    expect((await commandRows(SN)).at(-1)).toEqual({ command: 'CONTROL DEVICE 01010105', state: 'done', return_code: 0 });
  });

  it('2.11.8 also takes its inputs from a JSON body (and a null body with query inputs)', async () => {
    const a = await drive(() => t.post('/api/door/remoteOpenById', { doorId: doors[2].id, interval: '254' }));
    expect(a.body.code).toBe(0);
    expect(a.lines).toEqual(['CONTROL DEVICE 010301FE']);
    const b = await drive(() => t.post('/api/door/remoteOpenById', null, { doorId: doors[2].id, interval: 1 }));
    expect(b.body.code).toBe(0);
    expect(b.lines).toEqual(['CONTROL DEVICE 01030101']);
  });

  it('the door id or name may come as a trailing path segment, like 2.11.3\'s doorStateBy{Sn}', async () => {
    const a = await drive(() => t.post(`/api/door/remoteOpenById/${doors[1].id}`, undefined, { interval: 7 }));
    expect(a.body).toEqual({ code: 0, message: 'success', data: null });
    expect(a.lines).toEqual(['CONTROL DEVICE 01020107']);
    const b = await drive(() => t.post(`/api/door/remoteOpenByName/${encodeURIComponent(`${IP}-3`)}`, undefined, { interval: 2 }));
    expect(b.lines).toEqual(['CONTROL DEVICE 01030102']);
    const c = await drive(() => t.post(`/api/door/remoteCloseById/${doors[1].id}`));
    expect(c.body.code).toBe(0);
    expect(c.lines).toEqual(['CONTROL DEVICE 01020100']);
    const state = await t.get(`/api/door/doorStateById/${doors[1].id}`, { timestamp: 1494467276539 });
    expect(state.body).toEqual((await t.get('/api/door/doorStateById', { doorId: doors[1].id, timestamp: 1494467276539 })).body);
    expect(state.body.data.id).toBe(doors[1].id);
    expect((await t.get('/api/door/doorStateById/nope', { timestamp: 1 })).body.code).toBe(-47);
  });

  it('2.11.9 remote open by name', async () => {
    const r = await drive(() => t.post('/api/door/remoteOpenByName', undefined, { doorName: `${IP}-2`, interval: 10 }));
    expect(r.body.code).toBe(0);
    expect(r.lines).toEqual(['CONTROL DEVICE 0102010A']);
    expect(sim.doorActions.at(-1)).toMatchObject({ action: 'open', door: 2, seconds: 10 });
  });

  it.each([
    ['/api/door/remoteCloseById', 'doorId', 0, 'CONTROL DEVICE 01010100'],
    ['/api/door/remoteoffById', 'doorId', 1, 'CONTROL DEVICE 01020100'],
    ['/api/door/remoteCloseByName', 'doorName', 2, 'CONTROL DEVICE 01030100'],
    ['/api/door/remoteoffByName', 'doorName', 3, 'CONTROL DEVICE 01040100'],
  ])('%s closes the door: 01 <door> 01 00', async (path, key, idx, line) => {
    const value = key === 'doorId' ? doors[idx].id : doors[idx].name;
    const r = await drive(() => t.post(path, undefined, { [key]: value }));
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect(r.detail).toBe(`the command is queued for device ${SN}`);
    expect(r.lines).toEqual([line]);
    expect(r.acked.map((a) => a.code)).toEqual([0]);
    expect(sim.doorActions.at(-1)).toMatchObject({ action: 'close', door: idx + 1, result: 0 });
  });

  it.each([
    [{}, -202],
    [{ interval: '' }, -202],
    [{ interval: 0 }, -203],
    [{ interval: -3 }, -203],
    [{ interval: 255 }, -45],
    [{ interval: 2.5 }, -45],
    [{ interval: 'abc' }, -45],
  ])('refuses the interval %j with %i and queues nothing', async (extra, code) => {
    const before = (await commandRows(SN)).length;
    const res = await t.post('/api/door/remoteOpenById', undefined, { doorId: doors[0].id, ...extra });
    expect(res.body).toMatchObject({ code, data: null });
    if (code === -45) expect(res.body.message).toBe('Door open duration between 1~254 seconds.');
    expect((await commandRows(SN)).length).toBe(before);
  });

  it('refuses to control a disabled door (-409) and queues nothing', async () => {
    await t.ds.query('UPDATE door SET enabled = false WHERE id = $1', [doors[3].id]);
    const before = (await commandRows(SN)).length;
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId: doors[3].id, interval: 5 })).body).toEqual({
      code: -409,
      message: `Door ${doors[3].name} is disabled`,
      data: null,
    });
    expect((await commandRows(SN)).length).toBe(before);
    await t.ds.query('UPDATE door SET enabled = true WHERE id = $1', [doors[3].id]);
  });

  it('refuses a missing door id (-44), a missing door name (-46) and an unknown door (-47)', async () => {
    expect((await t.post('/api/door/remoteOpenById', undefined, { interval: 5 })).body.code).toBe(-44);
    expect((await t.post('/api/door/remoteCloseById', undefined, {})).body.code).toBe(-44);
    expect((await t.post('/api/door/remoteOpenByName', undefined, { interval: 5 })).body.code).toBe(-46);
    expect((await t.post('/api/door/remoteoffByName', undefined, {})).body.code).toBe(-46);
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId: 'nope', interval: 5 })).body.code).toBe(-47);
    expect((await t.post('/api/door/remoteCloseByName', undefined, { doorName: 'nope' })).body.code).toBe(-47);
  });
});

describe('door actions the manual lacks (gateway extensions)', () => {
  it.each([
    ['cancelAlarm', {}, 'CONTROL DEVICE 02010000', 'cancelAlarm'],
    ['normalOpen', {}, 'CONTROL DEVICE 010101FF', 'normalOpen'],
    ['normalOpenPeriod', { enable: 'false' }, 'CONTROL DEVICE 04010000', 'disableNormalOpen'],
    ['normalOpenPeriod', { enable: 'true' }, 'CONTROL DEVICE 04010100', 'enableNormalOpen'],
    ['lock', {}, 'CONTROL DEVICE 06010100', 'lock'],
    ['unlock', {}, 'CONTROL DEVICE 06010000', 'unlock'],
  ])('%s %j → %s', async (action, query, line, kind) => {
    const r = await drive(() => t.post(`/api/gateway/doors/${doors[0].id}/${action}`, undefined, query));
    expect(r.body).toEqual({ code: 0, message: `success: the command is queued for device ${SN}`, data: null });
    expect(r.lines).toEqual([line]);
    expect(r.acked.map((a) => a.code)).toEqual([0]);
    expect(sim.doorActions.at(-1)).toMatchObject({ action: kind, door: 1, result: 0 });
  });

  it('ends the normal-open latch with a remote close', async () => {
    await drive(() => t.post(`/api/gateway/doors/${doors[0].id}/normalOpen`));
    expect(sim.doorState(1).normalOpen).toBe(true);
    await drive(() => t.post('/api/door/remoteCloseById', undefined, { doorId: doors[0].id }));
    expect(sim.doorState(1).normalOpen).toBe(false);
  });

  it('answers -47 for an unknown door', async () => {
    expect((await t.post(`/api/gateway/doors/${'0'.repeat(32)}/cancelAlarm`)).body.code).toBe(-47);
    expect((await t.post(`/api/gateway/doors/${'0'.repeat(32)}/disable`)).body.code).toBe(-47);
  });

  it("disable withdraws the door from the members' rights on its panel and refuses remote commands; enable gives both back", async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'DoorsThreeFour', areaName: 'Area Name' }] })).body.code).toBe(0);
    const door3 = doors[2].name;
    const door4 = doors[3].name;
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'DoorsThreeFour', doorName: door3 }, { levelName: 'DoorsThreeFour', doorName: door4 }] })).body.code).toBe(0);
    const [level] = await t.ds.query(`SELECT id FROM acc_level WHERE name = 'DoorsThreeFour'`);
    expect((await t.post('/api/person/add', { pin: '8801', name: 'Dee', accLevelIds: level.id })).body.code).toBe(0);
    await sim.pollUntilIdle();
    const doorsOf = () => sim.rightsOf('8801').flatMap((r) => r.doors).sort();
    expect(doorsOf()).toEqual([3, 4]);
    const off = await drive(() => t.post(`/api/gateway/doors/${doors[3].id}/disable`));
    expect(off.body).toEqual({ code: 0, message: `success: door ${door4} disabled; its rights on device ${SN} are withdrawn`, data: null });
    expect(off.lines.some((l) => /^DATA UPDATE userauthorize Pin=8801\tAuthorizeTimezoneId=1\tAuthorizeDoorId=4/.test(l))).toBe(true);
    expect(doorsOf()).toEqual([3]);
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId: doors[3].id, interval: 5 })).body.code).toBe(-409);
    // Again: nothing changes, nothing is queued.
    const again = await drive(() => t.post(`/api/gateway/doors/${doors[3].id}/disable`));
    expect(again.body.message).toBe(`success: door ${door4} was already disabled; nothing changed`);
    expect(again.lines).toEqual([]);
    const on = await drive(() => t.post(`/api/gateway/doors/${doors[3].id}/enable`));
    expect(on.body).toEqual({ code: 0, message: `success: door ${door4} enabled; its rights on device ${SN} are sent again`, data: null });
    expect(doorsOf()).toEqual([3, 4]);
    // The member leaves again: the later tests read the doors' state and rights as registration left them.
    expect((await t.post('/api/person/delete', { pin: '8801' })).body.code).toBe(0);
    await sim.pollUntilIdle();
  });
});

describe('door state (2.11.1-2.11.3) reads what rtstate recorded', () => {
  it('is unknown before the first rtstate, then follows the device', async () => {
    const before = await t.get('/api/door/doorStateById', { doorId: doors[3].id, timestamp: Date.now() });
    expect(before.body.data).toEqual({ ...doors[3], connect: '1', sensor: 'unknown', alarm: 'unknown', relay: 'unknown' });

    sim.setDoorSensor(1, 'open');
    sim.setDoorSensor(2, 'closed');
    sim.raiseAlarm(1, 0x02);
    await drive(() => t.post('/api/door/remoteOpenById', undefined, { doorId: doors[1].id, interval: 60 }));
    await expect(sim.uploadRtstate().then((r) => r.status)).resolves.toBe(200);

    const one = await t.get('/api/door/doorStateById', { doorId: doors[0].id, timestamp: Date.now() });
    expect(one.body).toEqual({ code: 0, message: 'success', data: { ...doors[0], connect: '1', sensor: 'open', alarm: 'tampering', relay: 'off' } });
    expect(shapeOf(one.body)).toEqual(shapeOf(manualExample('2.11.2')));

    const all = await t.get('/api/door/allDoorState', { timestamp: Date.now() });
    expect(all.body.data).toEqual([
      { ...doors[0], connect: '1', sensor: 'open', alarm: 'tampering', relay: 'off' },
      { ...doors[1], connect: '1', sensor: 'off', alarm: 'none', relay: 'open' },
      { ...doors[2], connect: '1', sensor: 'no sensor', alarm: 'none', relay: 'off' },
      { ...doors[3], connect: '1', sensor: 'no sensor', alarm: 'none', relay: 'off' },
    ]);
    expect(shapeOf(all.body)).toEqual(shapeOf(manualExample('2.11.1')));
    expect(uniformArrays(all.body)).toBe(true);

    const bySn = await t.get('/api/door/doorStateBySn', { deviceSn: SN, timestamp: Date.now() });
    expect(bySn.body.data).toEqual(all.body.data);
    // 2.11.3's example prints one object; a device has several doors, so data is an array of those objects.
    expect(bySn.body.data.map(shapeOf)).toEqual(bySn.body.data.map(() => shapeOf(manualExample('2.11.3').data)));
  });

  it('allDoorState pages when asked (integrations read pages until a short one), else answers every door', async () => {
    const all = (await t.get('/api/door/allDoorState', { timestamp: Date.now() })).body.data;
    expect(all).toHaveLength(4);
    const pages = [];
    for (let pageNo = 1; pageNo <= 3; pageNo++) {
      const r = await t.get('/api/door/allDoorState', { pageNo, pageSize: 3 });
      expect(r.body.code).toBe(0);
      pages.push(r.body.data);
    }
    expect(pages.map((p) => p.length)).toEqual([3, 1, 0]);
    expect(pages.flat()).toEqual(all);
    expect((await t.get('/api/door/allDoorState', { pageNo: 0, pageSize: 3 })).body.code).toBe(-90);
    expect((await t.get('/api/door/allDoorState', { pageNo: 1 })).body.code).toBe(-92);
  });

  it('cancel alarm clears the alarm at the next rtstate', async () => {
    await drive(() => t.post(`/api/gateway/doors/${doors[0].id}/cancelAlarm`));
    await sim.uploadRtstate();
    expect((await t.get('/api/door/doorStateById', { doorId: doors[0].id })).body.data.alarm).toBe('none');
  });

  it('errors: -44 without door id, -47 unknown door, -48 without SN, unknown SN', async () => {
    expect((await t.get('/api/door/doorStateById', { timestamp: 1 })).body.code).toBe(-44);
    expect((await t.get('/api/door/doorStateById', { doorId: 'x', timestamp: 1 })).body.code).toBe(-47);
    expect((await t.get('/api/door/doorStateBySn', { timestamp: 1 })).body.code).toBe(-48);
    expect((await t.get('/api/door/doorStateBySn', { deviceSn: 'NOPE', timestamp: 1 })).body.code).toBe(-404);
  });
});

describe('an offline device', () => {
  const OFF = 'DOOROFFLINE01';
  let off: DeviceSimulator;

  it('is refused remote control with a negative code, and nothing is queued to run when it comes back', async () => {
    // A device admitted earlier that has not been heard from since this gateway started.
    const [{ id: deviceId }] = await t.ds.query(
      `INSERT INTO device (id, sn, alias, admission, lock_count, time_zone, area_id)
       VALUES (md5(random()::text), $1, 'offline-panel', 'admitted', 1, 'UTC', (SELECT id FROM area WHERE code = '1')) RETURNING id`,
      [OFF],
    );
    const [{ id: doorId }] = await t.ds.query(
      `INSERT INTO door (id, device_id, door_no, name) VALUES (md5(random()::text), $1, 1, 'offline-panel-1') RETURNING id`,
      [deviceId],
    );
    const res = await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: -1, message: `Device ${OFF} is offline: the command was not sent`, data: null });
    expect((await t.get('/api/door/doorStateById', { doorId })).body.data).toEqual({
      id: doorId,
      name: 'offline-panel-1',
      deviceId,
      connect: '0',
      sensor: 'unknown',
      alarm: 'unknown',
      relay: 'unknown',
    });
    expect((await t.post('/api/door/remoteCloseByName', undefined, { doorName: 'offline-panel-1' })).body.code).toBe(-1);
    expect((await commandRows(OFF)).filter((c) => c.command.startsWith('CONTROL'))).toEqual([]);

    off = new DeviceSimulator({ baseUrl: t.baseUrl, sn: OFF, doors: 1, ipAddress: '10.0.0.9' });
    await off.connect();
    await off.pollUntilIdle();
    expect(off.received.filter((r) => r.command.startsWith('CONTROL DEVICE'))).toEqual([]);
    expect((await t.get('/api/door/doorStateById', { doorId })).body.data.connect).toBe('1');
    // Online now: the open goes out as usual.
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 3 })).body).toEqual({ code: 0, message: 'success', data: null });
    await off.pollUntilIdle();
    expect(off.received.filter((r) => r.command.startsWith('CONTROL DEVICE')).map((r) => [r.command, r.result])).toEqual([['CONTROL DEVICE 01010103', 0]]);
  });

  it('never opens the door when a device that was online misses the command past the validity: the action fails, later commands go out', async () => {
    const LATE = 'DOORLATE01';
    const settings = t.app.get(PUSH_SETTINGS);
    const { sim: late, doorId } = await oneDoorPanel(LATE, '10.0.0.10');
    settings.actionValidMs = 300;
    try {
      const res = await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 5 });
      expect(res.body.code).toBe(0);
      expect(res.headers.get('x-gateway-detail')).toBe(`the command is queued for device ${LATE}`);
    } finally {
      settings.actionValidMs = 60_000;
    }
    // The panel does not fetch it in time (its network dropped); when it polls again the open is dropped.
    await new Promise((r) => setTimeout(r, 400));
    await late.pollUntilIdle();
    expect(late.received.filter((r) => r.command.startsWith('CONTROL DEVICE'))).toEqual([]);
    const [row] = (await commandRows(LATE)).filter((c) => c.command.startsWith('CONTROL'));
    expect(row.state).toBe('failed');
    const [{ error }] = await t.ds.query(`SELECT error FROM device_command WHERE device_sn = $1 AND command LIKE 'CONTROL%'`, [LATE]);
    expect(error).toMatch(/not delivered in time/);
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 5 })).body.code).toBe(0);
    await late.pollUntilIdle();
    expect(late.received.filter((r) => r.command.startsWith('CONTROL DEVICE')).map((r) => r.command)).toEqual(['CONTROL DEVICE 01010105']);
  });

  it('a door opened by a panel that then restarted before posting its result (a reset, a reboot) is not opened a second time', async () => {
    const SN2 = 'DOORRESET1';
    const settings = t.app.get(PUSH_SETTINGS);
    const { sim: panel, doorId } = await oneDoorPanel(SN2, '10.0.0.11');
    const lost = settings.lostReplyMs;
    settings.lostReplyMs = 200;
    try {
      expect((await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 5 })).body.code).toBe(0);
      // It runs the reply (the door opens) and is reset before it posts the result: the result is lost with it.
      panel.holdResults();
      await panel.poll();
      panel.stopHoldingResults();
      expect(panel.doorActions).toHaveLength(1);
      expect((await panel.factoryReset()).registered).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      await panel.pollUntilIdle();
      // Not offered again: the door opened once.
      expect(panel.doorActions).toHaveLength(1);
      expect(panel.received.filter((r) => r.command.startsWith('CONTROL DEVICE'))).toHaveLength(1);
      const [{ state, error }] = await t.ds.query(`SELECT state, error FROM device_command WHERE device_sn = $1 AND command LIKE 'CONTROL%'`, [SN2]);
      expect(state).toBe('failed');
      expect(error).toMatch(/registered again/);
      // A later open goes out as usual.
      expect((await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 5 })).body.code).toBe(0);
      await panel.pollUntilIdle();
      expect(panel.doorActions).toHaveLength(2);
    } finally {
      settings.lostReplyMs = lost;
    }
  });
});
