import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Elevator control end to end: an elevator controller registers (its floors come from what it reports),
 * elevator levels reach it as `usereleauthorize` with the right floor bitmap, floors open and close
 * remotely, its events are listed with the floor as event point, and the lists show only elevator controllers.
 */
let t: TestApp;
let ec: ElevatorControllerSimulator;
let panel: DeviceSimulator;
let floorIds: Map<number, string>;

const received = (sim: DeviceSimulator, from: number) => sim.received.slice(from).map((r) => [r.command, ...r.continuation].join('\n'));

beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10TEST01', floors: 12, ipAddress: '10.9.0.1' });
  await ec.connect();
  await ec.pollUntilIdle();
  panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACCPANEL01', doors: 2, ipAddress: '10.9.0.2' });
  await panel.connect();
  await panel.pollUntilIdle();
  // Floors are created by the registration listener, which runs after the registry answer.
  let floors: Array<{ id: string; floorNo: number }> = [];
  for (const end = Date.now() + 20_000; floors.length < 12 && Date.now() < end; ) {
    floors = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
    if (floors.length < 12) await new Promise((r) => setTimeout(r, 50));
  }
  floorIds = new Map(floors.map((f) => [f.floorNo, f.id]));
  await t.post('/api/person/add', { pin: '701', name: 'Ann' });
  await t.post('/api/person/add', { pin: '702', name: 'Bob' });
  await t.post('/api/bioTemplate/add', { personId: '701', validType: '1', template: Buffer.from('finger three').toString('base64'), templateNo: '3' });
});
afterAll(async () => {
  await t?.close();
});

describe('elevator controllers and floors', () => {
  it('detects the controller as an elevator controller and lists only it as an elevator device', async () => {
    const list = await t.get('/api/eleDevice/eleList', { pageNo: 1, pageSize: 10 });
    expect(list.body).toEqual({
      code: 0,
      message: 'success',
      data: [{ id: expect.stringMatching(/^[0-9a-f]{32}$/), sn: 'EC10TEST01', name: '10.9.0.1', type: 'EC10', state: '1', module: 'ele' }],
    });
    const v2 = await t.get('/api/v2/eleDevice/eleList', { pageNo: 1, pageSize: 10 });
    expect(v2.body.data).toMatchObject({ page: 0, size: 10, total: 1, offset: 0, lastPage: true, data: [{ sn: 'EC10TEST01', status: '1', module: 'ele' }] });
    expect((await t.get('/api/eleDevice/getEle', { sn: 'EC10TEST01' })).body.data).toMatchObject({ sn: 'EC10TEST01', module: 'ele' });
    expect((await t.get('/api/eleDevice/getEle/EC10TEST01')).body.data).toMatchObject({ sn: 'EC10TEST01' });
    expect((await t.get('/api/eleDevice/getEle', { sn: 'ACCPANEL01' })).body).toMatchObject({ code: -404, data: null });
    expect((await t.get('/api/eleDevice/getEle', {})).body.code).toBeLessThan(0);
    // …and the access lists no longer show it.
    const acc = (await t.get('/api/device/accList', { pageNo: 1, pageSize: 10 })).body.data as Array<{ sn: string }>;
    expect(acc.map((d) => d.sn)).toEqual(['ACCPANEL01']);
  });

  it('creates one floor per floor output the controller reports, named like CVSecurity', async () => {
    const res = await t.get('/api/v2/floor/list', { pageNo: 1, pageSize: 3 });
    expect(res.body.code).toBe(0);
    expect(res.body.data).toMatchObject({ page: 0, size: 3, total: 12, offset: 0, lastPage: false });
    expect(res.body.data.data[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), floorNo: 1, name: '10.9.0.1-1', deviceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(floorIds.size).toBe(12);
  });

  it('lets an operator declare the floors from expansion boards', async () => {
    const res = await t.post('/api/gateway/eleDevice/EC10TEST01/floors', { floors: 0, boards: ['EX308', 'EX316'] });
    expect(res.body.code).toBe(0);
    expect(res.body.data).toHaveLength(24);
    const back = await t.post('/api/gateway/eleDevice/EC10TEST01/floors', { floors: 12 });
    expect(back.body.data).toHaveLength(12);
    expect((await t.post('/api/gateway/eleDevice/EC10TEST01/floors', { boards: ['EX999'] })).body.code).toBeLessThan(0);
    expect((await t.post('/api/gateway/eleDevice/ACCPANEL01/floors', { floors: 4 })).body.code).toBe(-404);
  });
});

describe('elevator levels and rights on the controller', () => {
  let levelA: string;
  let levelB: string;

  it('creates levels through the gateway extension and serves 2.2.2-2.2.4 and 2.2.7', async () => {
    const a = await t.post('/api/gateway/eleLevel/save', { name: 'Floors 1,3,8,9', pointIds: [1, 3, 8, 9].map((n) => floorIds.get(n)) });
    expect(a.body).toMatchObject({ code: 0, data: { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'Floors 1,3,8,9' } });
    levelA = a.body.data.id;
    levelB = (await t.post('/api/gateway/eleLevel/save', { name: 'Floor 12', pointIds: [floorIds.get(12)] })).body.data.id;
    // An empty timeSegName is one not given (the level keeps its segment), as on accLevel/addLevel: it was -400.
    expect((await t.post('/api/gateway/eleLevel/save', { name: 'Floor 12', timeSegName: '' })).body).toMatchObject({ code: 0, data: { id: levelB } });
    expect((await t.get(`/api/eleLevel/getById/${levelA}`)).body).toEqual({ code: 0, message: 'success', data: { id: levelA, name: 'Floors 1,3,8,9' } });
    expect((await t.get(`/api/eleLevel/getByName/${encodeURIComponent('Floor 12')}`)).body.data).toEqual({ id: levelB, name: 'Floor 12' });
    expect((await t.get('/api/eleLevel/getById/00000000000000000000000000000000')).body).toEqual({
      code: -24,
      message: 'The level group does not exist: 00000000000000000000000000000000',
      data: null,
    });
    expect((await t.get('/api/eleLevel/getByName/Floor%2099')).body).toEqual({ code: -24, message: 'The level group does not exist: Floor 99', data: null });
    expect((await t.get(`/api/v2/eleLevel/getById/${levelA}`)).body).toEqual({ code: 0, message: 'success', data: { id: levelA, name: 'Floors 1,3,8,9' } });
    expect((await t.get(`/api/v2/eleLevel/getByName/${encodeURIComponent('Floor 12')}`)).body.data).toEqual({ id: levelB, name: 'Floor 12' });
    expect((await t.get('/api/v2/eleLevel/getById/00000000000000000000000000000000')).body).toMatchObject({ code: -24, data: null });
    expect((await t.post('/api/gateway/eleLevel/save', { name: 'Bad', pointIds: ['00000000000000000000000000000000'] })).body.code).toBe(-404);
    expect((await t.get('/api/eleLevel/list', { pageNo: 1, pageSize: 10 })).body.data).toEqual([
      { id: levelA, name: 'Floors 1,3,8,9' },
      { id: levelB, name: 'Floor 12' },
    ]);
    expect((await t.get('/api/v2/eleLevel/list', { pageNo: 1, pageSize: 1 })).body.data).toEqual({
      page: 0, size: 1, total: 2, data: [{ id: levelA, name: 'Floors 1,3,8,9' }], offset: 0, lastPage: false,
    });
    // The printed URL of 2.2.7 stays the access level list.
    const printed = await t.get('/api/v2/accLevel/list', { pageNo: 1, pageSize: 10 });
    expect(printed.body.data.data.map((l: { name: string }) => l.name)).not.toContain('Floor 12');
  });

  it('2.2.6 syncPerson sends the user and usereleauthorize with floor 1 = bit 0 (floors 8, 9 → 180)', async () => {
    const from = ec.received.length;
    const res = await t.post('/api/eleLevel/syncPerson', undefined, { pin: '701', levelIds: levelA });
    expect(res.body).toEqual({ code: 0, message: 'success', data: null });
    await ec.pollUntilIdle();
    const cmds = received(ec, from);
    expect(cmds).toContain('DATA UPDATE usereleauthorize Pin=701\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=185');
    expect(cmds.some((c) => c.startsWith('DATA UPDATE user ') && c.includes('Pin=701'))).toBe(true);
    // Its fingerprint follows, in the controller's dialect.
    expect(cmds.some((c) => /^DATA UPDATE (biodata|templatev10) /.test(c) && /Pin=701/i.test(c))).toBe(true);
    expect(ec.eleRightsOf('701')).toEqual([{ timezone: 1, directFloor: 0, floors: [1, 3, 8, 9] }]);
    expect(ec.received.every((r) => r.result !== undefined && r.result >= 0)).toBe(true);
    // The access panel got nothing, and the controller got no door rights.
    expect(cmds.some((c) => c.includes('userauthorize Pin=701\tAuthorizeTimezoneId'))).toBe(false);
  });

  it('a template added later reaches the controller that holds the person', async () => {
    const from = ec.received.length;
    expect((await t.post('/api/bioTemplate/add', { personId: '701', validType: '1', template: Buffer.from('finger four').toString('base64'), templateNo: '4' })).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(received(ec, from).some((c) => /^DATA UPDATE (biodata|templatev10) /.test(c) && /Pin=701/i.test(c))).toBe(true);
  });

  it('a second level adds its floors; 2.2.1 deleteLevel takes them away again', async () => {
    await t.post('/api/eleLevel/syncPerson', undefined, { pin: '701', levelIds: levelB });
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('701')).toEqual([{ timezone: 1, directFloor: 0, floors: [1, 3, 8, 9, 12] }]);
    expect((await t.post('/api/eleLevel/deleteLevel', undefined, { pin: '701', levelIds: levelA })).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('701')).toEqual([{ timezone: 1, directFloor: 0, floors: [12] }]);
    expect((await t.post('/api/eleLevel/deleteLevel', undefined, { pin: '701', levelIds: levelB })).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('701')).toEqual([]);
    expect(ec.user('701')).toBeUndefined();
  });

  it('answers the manual error codes', async () => {
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '999', levelIds: levelA })).body.code).toBe(-22);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '701', levelIds: '' })).body.code).toBe(-42);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '701', levelIds: 'nope' })).body.code).toBe(-24);
    expect((await t.post('/api/eleLevel/syncLevel', undefined, { levelId: 'nope' })).body.code).toBe(-24);
    expect((await t.get('/api/eleLevel/list', { pageNo: 0, pageSize: 10 })).body.code).toBe(-90);
    expect((await t.get('/api/eleLevel/list', {})).body.code).toBe(-92);
  });

  it('2.2.6 syncPerson and 2.2.1 deleteLevel take several pins, as the access levels do: all or nothing', async () => {
    // One unknown pin in the list: -22 naming it, and nobody of the list gets the level.
    const bad = await t.post('/api/eleLevel/syncPerson', undefined, { pin: '701,999', levelIds: levelB });
    expect(bad.body).toMatchObject({ code: -22, message: expect.stringContaining('999') });
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('701')).toEqual([]);
    // A comma list grants each person (it used to be read as one pin "701,702": -22).
    const from = ec.received.length;
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '701,702', levelIds: levelB })).body.code).toBe(0);
    await ec.pollUntilIdle();
    // The exact lines the controller received, and acknowledged: both persons in one command (a record per line),
    // floor 12 as bit 11 (800 in hex).
    const cmds = received(ec, from);
    expect(cmds).toContain('DATA UPDATE user CardNo=\tPin=701\tPassword=\tStartTime=0\tEndTime=0\tName=Ann\tPrivilege=0\tDisable=0\nCardNo=\tPin=702\tPassword=\tStartTime=0\tEndTime=0\tName=Bob\tPrivilege=0\tDisable=0');
    expect(cmds).toContain('DATA UPDATE usereleauthorize Pin=701\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=800\nPin=702\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=800');
    expect(ec.received.slice(from).every((r) => r.result !== undefined && r.result >= 0)).toBe(true);
    expect(ec.eleRightsOf('701')).toEqual([{ timezone: 1, directFloor: 0, floors: [12] }]);
    expect(ec.eleRightsOf('702')).toEqual([{ timezone: 1, directFloor: 0, floors: [12] }]);
    // A JSON array of pins removes the level from each.
    expect((await t.post('/api/eleLevel/deleteLevel', { pin: ['701', '702'], levelIds: levelB })).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('701')).toEqual([]);
    expect(ec.eleRightsOf('702')).toEqual([]);
  });

  it('a deleted person leaves the controller; 2.2.5 syncLevel re-sends the members', async () => {
    await t.post('/api/eleLevel/syncPerson', undefined, { pin: '702', levelIds: levelA });
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('702')).toHaveLength(1);
    const from = ec.received.length;
    expect((await t.post('/api/eleLevel/syncLevel', undefined, { levelId: levelA })).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(received(ec, from)).toContain('DATA UPDATE usereleauthorize Pin=702\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=185');
    expect((await t.delete('/api/person/delete/702')).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.eleRightsOf('702')).toEqual([]);
    expect(ec.user('702')).toBeUndefined();
  });
});

describe('remote floor control', () => {
  it('2.12.3 opens a floor for the interval and 2.12.2 closes it (CONTROL DEVICE 11, floor 1 = left-most bit)', async () => {
    const from = ec.received.length;
    const open = await t.post('/api/floor/remoteOpenById', undefined, { floorId: floorIds.get(3), interval: 7 });
    expect(open.body).toEqual({ code: 0, message: 'success', data: null });
    await ec.pollUntilIdle();
    expect(received(ec, from)).toEqual([`CONTROL DEVICE 11${'20'}${'00'.repeat(31)}0007`]);
    expect(ec.floorReleased(3)).toBe(true);
    expect(ec.floorActions.at(-1)).toMatchObject({ action: 'open', floors: [3], seconds: 7 });
    const close = await t.post('/api/floor/remoteoffById', undefined, { floorId: floorIds.get(3) });
    expect(close.body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.floorReleased(3)).toBe(false);
    expect(ec.floorActions.at(-1)).toMatchObject({ action: 'close', floors: [3] });
    expect((await t.post('/api/floor/remoteCloseById', undefined, { floorId: floorIds.get(1) })).body.code).toBe(0);
  });

  it('the floor id (2.12.2, 2.12.3) and the level id (2.1.5, 2.2.5) may come as a trailing path segment', async () => {
    await ec.pollUntilIdle();
    const from = ec.received.length;
    expect((await t.post(`/api/floor/remoteOpenById/${floorIds.get(2)}`, undefined, { interval: 4 })).body).toEqual({ code: 0, message: 'success', data: null });
    await ec.pollUntilIdle();
    expect(received(ec, from)).toEqual([`CONTROL DEVICE 11${'40'}${'00'.repeat(31)}0004`]);
    expect((await t.post(`/api/floor/remoteoffById/${floorIds.get(2)}`)).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.floorReleased(2)).toBe(false);
    expect((await t.post('/api/floor/remoteOpenById/nope', undefined, { interval: 4 })).body.code).toBe(-404);
    const level = (await t.get('/api/eleLevel/list', { pageNo: 1, pageSize: 1 })).body.data[0].id;
    // Read from the path: nobody holds this level by now, which is the manual's -25 naming it (an id not read would be -43).
    expect((await t.post(`/api/eleLevel/syncLevel/${level}`)).body).toEqual({ code: -25, message: `No person under the access level: ${level}`, data: null });
    expect((await t.post('/api/eleLevel/syncLevel/0123456789abcdef0123456789abcdef')).body.code).toBe(-24);
    expect((await t.post('/api/accLevel/syncLevel/0123456789abcdef0123456789abcdef')).body.code).toBe(-24);
  });

  it('answers -201, -202 and -203', async () => {
    expect((await t.post('/api/floor/remoteOpenById', undefined, { interval: 5 })).body.code).toBe(-201);
    expect((await t.post('/api/floor/remoteCloseById', undefined, {})).body.code).toBe(-201);
    expect((await t.post('/api/floor/remoteOpenById', undefined, { floorId: floorIds.get(1) })).body.code).toBe(-202);
    expect((await t.post('/api/floor/remoteOpenById', undefined, { floorId: floorIds.get(1), interval: 0 })).body.code).toBe(-203);
  });

  it.each(['abc', 255, 2.5])('refuses the interval %j with -45 worded for a floor, and queues nothing', async (interval) => {
    await ec.pollUntilIdle();
    const from = ec.received.length;
    const res = await t.post('/api/floor/remoteOpenById', undefined, { floorId: floorIds.get(1), interval });
    expect(res.body).toEqual({ code: -45, message: 'Floor open duration between 1~254 seconds.', data: null });
    await ec.pollUntilIdle();
    expect(received(ec, from)).toEqual([]);
  });

  it('cancels the emergency state through the gateway extension (CONTROL DEVICE 0F)', async () => {
    ec.emergency = true;
    expect((await t.post('/api/gateway/eleDevice/EC10TEST01/cancelEmergency')).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.emergency).toBe(false);
  });
});

describe('the controller decides floors by its time zones (8.16 AuthorizeTimezoneId)', () => {
  it('a floor granted in a time segment is allowed inside it and refused (event 22) outside it', async () => {
    expect((await t.post('/api/gateway/timeSegments', { name: 'Lift evenings', schedule: { mon: [['18:00', '22:00']] } })).body.code).toBe(0);
    const level = (await t.post('/api/gateway/eleLevel/save', { name: 'Floor 5 evenings', timeSegName: 'Lift evenings', pointIds: [floorIds.get(5)] })).body.data.id;
    expect((await t.post('/api/person/add', { pin: '703', name: 'Cid', cardNo: '70300' })).body.code).toBe(0);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '703', levelIds: level })).body.code).toBe(0);
    await ec.pollUntilIdle();
    // Mondays 2027-03-01 (the controller's clock is UTC, as the server's TimeZone).
    expect(ec.evaluateFloor({ pin: '703', floor: 5, time: new Date('2027-03-01T19:30:00Z') })).toMatchObject({ granted: true, event: 0 });
    expect(ec.evaluateFloor({ cardno: '70300', floor: 5, time: new Date('2027-03-01T19:30:00Z') })).toMatchObject({ granted: true, pin: '703' });
    expect(ec.evaluateFloor({ pin: '703', floor: 5, time: new Date('2027-03-01T09:30:00Z') })).toMatchObject({ granted: false, event: 22 });
    expect(ec.evaluateFloor({ pin: '703', floor: 4, time: new Date('2027-03-01T19:30:00Z') })).toMatchObject({ granted: false, event: 23 });
    expect(ec.evaluateFloor({ pin: '799', floor: 5 })).toMatchObject({ granted: false, event: 27 });
    // A changed segment reaches the controller's timezone table, and the decision follows it.
    expect((await t.put(`/api/gateway/timeSegments/${(await t.get('/api/gateway/timeSegments')).body.data.find((s: { name: string }) => s.name === 'Lift evenings').id}`, { schedule: { mon: [['08:00', '10:00']] } })).body.code).toBe(0);
    await ec.pollUntilIdle();
    expect(ec.evaluateFloor({ pin: '703', floor: 5, time: new Date('2027-03-01T09:30:00Z') })).toMatchObject({ granted: true, event: 0 });
    expect(ec.evaluateFloor({ pin: '703', floor: 5, time: new Date('2027-03-01T19:30:00Z') })).toMatchObject({ granted: false, event: 22 });
    expect((await t.delete('/api/person/delete/703')).body.code).toBe(0);
    await ec.pollUntilIdle();
  });
});

describe('elevator events (2.19)', () => {
  it('lists the controller events with the floor as event point, not among access events', async () => {
    await t.post('/api/eleLevel/syncPerson', undefined, { pin: '701', levelIds: (await t.get(`/api/eleLevel/getByName/${encodeURIComponent('Floor 12')}`)).body.data.id });
    await ec.pollUntilIdle();
    const ok = await ec.selectFloor({ pin: '701', floor: 12 });
    expect(ok.allowed).toBe(true);
    const denied = await ec.selectFloor({ pin: '701', floor: 2 });
    expect(denied.allowed).toBe(false);
    const list = await t.get('/api/eleTransaction/list', { pageNo: 1, pageSize: 10 });
    // Ids carry the module (1 elevator): the access feed numbers its events from 1 too.
    for (const e of list.body.data as Array<{ id: string }>) expect(e.id).toMatch(/^1[0-9a-f]{31}$/);
    expect(list.body.code).toBe(0);
    expect(list.body.data).toHaveLength(2);
    // Ann has no last name: "" as in the manual's examples, never null.
    expect(list.body.data[0]).toMatchObject({ pin: '701', name: 'Ann', lastName: '', devSn: 'EC10TEST01', devName: '10.9.0.1', eventPointName: expect.stringMatching(/^10\.9\.0\.1-(2|12)$/), accZone: null });
    expect(new Set(list.body.data.map((e: { eventPointName: string }) => e.eventPointName))).toEqual(new Set(['10.9.0.1-12', '10.9.0.1-2']));
    // 2.19.2's example counts page from 1 (the access lists from 0).
    const v2 = await t.get('/api/v2/eleTransaction/list', { pageNo: 1, pageSize: 1, personPin: '701' });
    expect(v2.body.data).toMatchObject({ page: 1, size: 1, total: 2, offset: 0, lastPage: false });
    expect(v2.body.data.data).toEqual([expect.objectContaining({ pin: '701', name: 'Ann', lastName: '' })]);
    const second = await t.get('/api/v2/eleTransaction/list', { pageNo: 2, pageSize: 1, personPin: '701' });
    expect(second.body.data).toMatchObject({ page: 2, size: 1, total: 2, offset: 1, lastPage: true });
    expect((await t.get('/api/v2/eleTransaction/list', { pageNo: 1, pageSize: 10, personPin: '9999' })).body.data.total).toBe(0);
    expect((await t.get('/api/eleTransaction/list', { pageNo: 1, pageSize: 10, startDate: 'yesterday' })).body.code).toBe(-100);
    expect((await t.get('/api/eleTransaction/list', { pageNo: 1, pageSize: 1001 })).body.code).toBe(-91);
    const access = await t.get('/api/transaction/list', { pageNo: 1, pageSize: 10 });
    expect(access.body.data.filter((e: { devSn: string }) => e.devSn === 'EC10TEST01')).toEqual([]);
  });
});

describe('floors an operator declared', () => {
  it('stand when the controller registers again (at every reconnect) reporting more relays', async () => {
    const ec2 = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10TEST02', floors: 6, ipAddress: '10.9.0.3' });
    await ec2.connect();
    const floorsOf = async () => {
      const all: Array<{ name: string }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
      return all.filter((f) => f.name.startsWith('10.9.0.3-')).map((f) => f.name);
    };
    expect(await floorsOf()).toHaveLength(6);
    // Two relays are not wired to buttons.
    expect((await t.post('/api/gateway/eleDevice/EC10TEST02/floors', { floors: 4 })).body.data).toHaveLength(4);
    await ec2.connect();
    await ec2.pollUntilIdle();
    expect(await floorsOf()).toEqual(['10.9.0.3-1', '10.9.0.3-2', '10.9.0.3-3', '10.9.0.3-4']);
    // An expansion board the firmware does not report: declared, and kept too.
    expect((await t.post('/api/gateway/eleDevice/EC10TEST02/floors', { floors: 4, boards: ['EX308'] })).body.data).toHaveLength(12);
    await ec2.connect();
    expect(await floorsOf()).toHaveLength(12);
  });
});

describe('a renamed elevator controller', () => {
  it('with renameDoors, its floors still named after the old name follow (floor list and event point names)', async () => {
    const res = await t.put('/api/gateway/devices/EC10TEST02/alias', undefined, { alias: 'Tower lift', renameDoors: 'true' });
    expect(res.body.code).toBe(0);
    const all: Array<{ name: string; floorNo: number }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
    const mine = all.filter((f) => f.name.startsWith('Tower lift-'));
    expect(mine).toHaveLength(12);
    expect(all.some((f) => f.name.startsWith('10.9.0.3-'))).toBe(false);
    const ec2 = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10TEST02', floors: 6, ipAddress: '10.9.0.3' });
    await ec2.uploadRtlog([{ pin: 0, eventaddr: 3, event: 249, inoutstatus: 2, verifytype: 200, index: 7 }]);
    const events = (await t.get('/api/eleTransaction/list', { pageNo: 1, pageSize: 10 })).body.data as Array<{ devSn: string; eventPointName: string; devName: string }>;
    expect(events.find((e) => e.devSn === 'EC10TEST02')).toMatchObject({ devName: 'Tower lift', eventPointName: 'Tower lift-3' });
  });
});
