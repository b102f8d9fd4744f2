/**
 * A remote action's REST answer says what the panel did, not only that a command was queued
 * (DEVICE_ACTION_WAIT_MS, ActionAnswerService): the plain success once the panel returned >= 0, -1 naming the
 * Return when it refused the command, and "not confirmed yet" when it did not answer within the wait (not
 * fetched, reply lost, result held back). The panel polls on its own while the call waits, as a real one does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PUSH_SETTINGS } from '../../src/push/push-settings';
import { DeviceSimulator } from '../simulator/device-simulator';
import { ChannelControllerSimulator } from '../simulator/channel';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { startTestApp, type TestApp } from '../support/test-app';
import { deliveriesAgeBy } from '../sync/retry-waits';

let t: TestApp;
let sim: DeviceSimulator;
const SN = 'CONFIRM00001';
let doors: Array<{ id: string; name: string }>;

beforeAll(async () => {
  t = await startTestApp();
  sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: SN, doors: 2 });
  await sim.connect();
  await sim.pollUntilIdle();
  doors = (await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data;
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  t.app.get(PUSH_SETTINGS).actionWaitMs = 3000;
  sim.clearFaults();
  sim.stopHoldingResults();
  sim.loseNoMoreReplies();
  await sim.pollUntilIdle();
});

const isControl = (c: { verb: string | null }) => c.verb === 'CONTROL DEVICE';

const lastCommandId = async (): Promise<string> =>
  (await t.ds.query(`SELECT coalesce(max(id), 0)::text AS id FROM device_command WHERE device_sn = $1`, [SN]))[0].id;

/**
 * Starts the REST call, lets the panel poll `afterMs` later (never, with null), and answers the call's result. The
 * poll waits for the call to have queued its command: on a loaded machine the call can take longer than `afterMs`
 * to get there, and a poll before it would find nothing and leave the call to wait in vain.
 */
async function whilePolling(call: () => Promise<{ body: any; headers: Headers }>, afterMs: number | null = 200) {
  const before = afterMs === null ? '0' : await lastCommandId();
  const started = Date.now();
  const pending = call().then((r) => ({ body: r.body, detail: r.headers.get('x-gateway-detail'), ms: Date.now() - started }));
  if (afterMs !== null) {
    await new Promise((r) => setTimeout(r, afterMs));
    for (const end = Date.now() + 15_000; BigInt(await lastCommandId()) <= BigInt(before) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
    await sim.poll();
  }
  return pending;
}

async function lastControl(): Promise<{ state: string; return_code: number | null }> {
  const [r] = await t.ds.query(`SELECT state, return_code FROM device_command WHERE device_sn = $1 AND command LIKE 'CONTROL DEVICE%' ORDER BY id DESC LIMIT 1`, [SN]);
  return r;
}

describe('remote door actions answer the panel\'s Return', () => {
  it('answers success once the panel executed the open (Return=0), not before', async () => {
    // A wait far longer than the call may take on a loaded machine: answered well inside it, the call was woken by
    // the Return, not by the wait ending.
    t.app.get(PUSH_SETTINGS).actionWaitMs = 20_000;
    const r = await whilePolling(() => t.post('/api/door/remoteOpenById', undefined, { doorId: doors[0].id, interval: 5 }), 400);
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    expect(r.detail).toBe(`device ${SN} confirmed the command (Return=0)`);
    // It waited for the poll that fetched the command, and no longer than needed.
    expect(r.ms).toBeGreaterThanOrEqual(350);
    expect(r.ms).toBeLessThan(10_000);
    expect(await lastControl()).toEqual({ state: 'done', return_code: 0 });
  });

  it('a panel refusing the command (negative Return) is answered -1 naming the Return, by id and by name', async () => {
    sim.failCommands(isControl, -11, 2);
    const byId = await whilePolling(() => t.post('/api/door/remoteOpenById', undefined, { doorId: doors[1].id, interval: 5 }));
    expect(byId.body.code).toBe(-1);
    expect(byId.body.message).toMatch(new RegExp(`^Device ${SN} refused the command: Return -11`));
    const byName = await whilePolling(() => t.post('/api/door/remoteCloseByName', undefined, { doorName: doors[1].name }));
    expect(byName.body.code).toBe(-1);
    expect(byName.body.message).toContain('Return -11');
    expect(await lastControl()).toEqual({ state: 'failed', return_code: -11 });
  });

  it('the gateway door actions (cancel alarm) answer the refusal too', async () => {
    sim.failCommands(isControl, -12, 1);
    const r = await whilePolling(() => t.post(`/api/gateway/doors/${doors[0].id}/cancelAlarm`));
    expect(r.body.code).toBe(-1);
    expect(r.body.message).toContain('Return -12');
    const ok = await whilePolling(() => t.post(`/api/gateway/doors/${doors[0].id}/cancelAlarm`));
    expect(ok.body).toEqual({ code: 0, message: `success: device ${SN} confirmed the command (Return=0)`, data: null });
  });

  it('a panel that does not poll within the wait: "not confirmed yet: queued", and the open still runs when it polls', async () => {
    t.app.get(PUSH_SETTINGS).actionWaitMs = 600;
    const r = await whilePolling(() => t.post('/api/door/remoteOpenById', undefined, { doorId: doors[0].id, interval: 3 }), null);
    expect(r.body.code).toBe(0);
    expect(r.body.message).not.toBe('success');
    expect(r.body.message).toMatch(new RegExp(`^not confirmed yet: queued for device ${SN}, which has not fetched it within 0\\.6 s; it is dropped if not fetched within 60 s`));
    expect(r.ms).toBeGreaterThanOrEqual(550);
    expect(await lastControl()).toEqual({ state: 'pending', return_code: null });
    const got = await sim.pollUntilIdle();
    expect(got.map((c) => c.command)).toEqual(['CONTROL DEVICE 01010103']);
    expect(await lastControl()).toEqual({ state: 'done', return_code: 0 });
  });

  it('a lost reply (the panel never got the command) and a held result say "delivered", never success', async () => {
    // The poll must come within the wait for the command to be delivered: 3 s leaves a loaded machine the margin.
    t.app.get(PUSH_SETTINGS).actionWaitMs = 3000;
    sim.loseNextReply();
    const lost = await whilePolling(() => t.post('/api/door/remoteOpenById', undefined, { doorId: doors[0].id, interval: 4 }));
    expect(lost.body.code).toBe(0);
    expect(lost.body.message).toMatch(new RegExp(`^not confirmed yet: delivered to device ${SN}, which has not returned a result within 3 s`));
    // The panel polls again, past the lost-reply window: the lost command is handed out again and confirmed.
    await deliveriesAgeBy(t, SN, t.app.get(PUSH_SETTINGS).lostReplyMs);
    await sim.pollUntilIdle();
    expect(await lastControl()).toEqual({ state: 'done', return_code: 0 });

    sim.holdResults(isControl);
    const held = await whilePolling(() => t.post('/api/door/remoteCloseById', undefined, { doorId: doors[0].id }));
    expect(held.body.message).toMatch(/^not confirmed yet: delivered to device/);
    expect(held.detail).toMatch(/^delivered to device/);
    sim.stopHoldingResults();
    await sim.releaseResults();
    expect(await lastControl()).toEqual({ state: 'done', return_code: 0 });
  });

  it('the wait holds no transaction and blocks nothing: other calls and the panel\'s uploads go on meanwhile', async () => {
    // Blocking nothing means the other calls are answered while the wait is still on, not within a wall-clock
    // bound (a loaded machine can take a second over two calls): the wait is long enough for them to finish inside it.
    t.app.get(PUSH_SETTINGS).actionWaitMs = 8000;
    let answered = false;
    const waiting = whilePolling(() => t.post('/api/door/remoteOpenById', undefined, { doorId: doors[1].id, interval: 2 }), null).then((r) => ((answered = true), r));
    await new Promise((r) => setTimeout(r, 100));
    expect((await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: 'CONFIRM1', name: 'Waits' })).body.code).toBe(0);
    expect(answered).toBe(false);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
    expect(n).toBe(0);
    expect((await waiting).body.message).toMatch(/^not confirmed yet: queued/);
    await sim.pollUntilIdle();
  });

  it('with DEVICE_ACTION_WAIT_MS=0 the call answers once queued, as the manual prints it', async () => {
    t.app.get(PUSH_SETTINGS).actionWaitMs = 0;
    const r = await whilePolling(() => t.post('/api/door/remoteOpenById', undefined, { doorId: doors[0].id, interval: 5 }), null);
    expect(r.body).toEqual({ code: 0, message: 'success', data: null });
    // It did not wait: the panel never polls, so a wait would have ended in 'not confirmed yet', not success (no
    // wall-clock bound, which a loaded machine can exceed).
    expect(r.detail).toBe(`the command is queued for device ${SN}`);
    await sim.pollUntilIdle();
  });

  it('panel-wide actions (gateway control: cancelAlarm, syncTime) answer the Return too; getOptions answers once queued', async () => {
    const done = await whilePolling(() => t.post(`/api/gateway/devices/${SN}/control`, { action: 'cancelAlarm' }));
    expect(done.body).toMatchObject({ code: 0, message: `success: device ${SN} confirmed the command (Return=0)`, data: { command: 'CONTROL DEVICE 02000000', state: 'done', returnCode: 0 } });
    sim.failCommands((c) => c.verb === 'SET OPTIONS', -1002, 1);
    const refused = await whilePolling(() => t.post(`/api/gateway/devices/${SN}/control`, { action: 'syncTime' }));
    expect(refused.body.code).toBe(-1);
    expect(refused.body.message).toMatch(new RegExp(`^Device ${SN} refused the command: Return -1002`));
    t.app.get(PUSH_SETTINGS).actionWaitMs = 400;
    const late = await whilePolling(() => t.post(`/api/gateway/devices/${SN}/control`, { action: 'cancelAlarm' }), null);
    expect(late.body).toMatchObject({ code: 0, message: expect.stringMatching(/^not confirmed yet: queued for device/), data: { state: 'pending', returnCode: null } });
    // getOptions does not wait: answered well inside a wait far longer than a call takes on a loaded machine.
    t.app.get(PUSH_SETTINGS).actionWaitMs = 20_000;
    const ask = await whilePolling(() => t.post(`/api/gateway/devices/${SN}/control`, { action: 'getOptions', options: 'LockCount' }), null);
    expect(ask.ms).toBeLessThan(10_000);
    expect(ask.body).toMatchObject({ code: 0, data: { state: 'pending', returnCode: null } });
    await sim.pollUntilIdle();
  });

  it('an elevator controller\'s floor opening answers its Return: confirmed, refused', async () => {
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'CONFIRMEC01', floors: 4, ipAddress: '10.74.0.1' });
    await ec.connect();
    await ec.pollUntilIdle();
    let floors: Array<{ id: string; floorNo: number; deviceSn?: string }> = [];
    for (const end = Date.now() + 20_000; floors.length < 4 && Date.now() < end; ) {
      floors = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
      if (floors.length < 4) await new Promise((r) => setTimeout(r, 50));
    }
    const floorId = floors[0].id;
    const call = () => t.post('/api/floor/remoteOpenById', undefined, { floorId, interval: 5 });
    const run = async () => {
      const pending = call().then((r) => r.body);
      await new Promise((r) => setTimeout(r, 200));
      await ec.poll();
      return pending;
    };
    expect(await run()).toEqual({ code: 0, message: 'success', data: null });
    ec.failCommands((c) => c.verb === 'CONTROL DEVICE', -1002, 1);
    const refused = await run();
    expect(refused.code).toBe(-1);
    expect(refused.message).toContain('Device CONFIRMEC01 refused the command: Return -1002');
  });

  it("a channel controller's gate opening answers its Return: confirmed, refused, not confirmed when the reply is lost", async () => {
    const cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'CONFIRMPG01', gates: 2, ipAddress: '10.74.0.2' });
    await cc.connect();
    await cc.pollUntilIdle();
    const gates: Array<{ id: string; name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 100 })).body.data;
    const gateId = gates.find((g) => g.name === '10.74.0.2-1')!.id;
    const run = async (body: () => Promise<{ body: any }>) => {
      const pending = body().then((r) => r.body);
      await new Promise((r) => setTimeout(r, 200));
      await cc.poll();
      return pending;
    };
    const byId = () => t.post('/api/psgGate/remoteOpenById', undefined, { gateId, openType: 1 });
    expect(await run(byId)).toEqual({ code: 0, message: 'success', data: null });
    expect(cc.openings).toHaveLength(1);
    cc.failCommands((c) => c.verb === 'CONTROL DEVICE', -1002, 1);
    const refused = await run(() => t.post('/api/psgGate/remoteOpenByName', undefined, { gateName: '10.74.0.2-2', openType: 2 }));
    expect(refused.code).toBe(-1);
    expect(refused.message).toContain('Device CONFIRMPG01 refused the command: Return -1002');
    expect(cc.openings).toHaveLength(1);
    t.app.get(PUSH_SETTINGS).actionWaitMs = 600;
    cc.loseNextReply(1);
    const lost = await run(byId);
    expect(lost.code).toBe(0);
    expect(lost.message).toMatch(/^not confirmed yet: /);
    expect(cc.openings).toHaveLength(1);
  });

  it('a remote opening queued behind a long sync goes out in the next reply, alone, and again alone after a lost reply', async () => {
    const settings = t.app.get(PUSH_SETTINGS);
    const before = settings.maxCommandsPerReply;
    settings.actionWaitMs = 0;
    settings.maxCommandsPerReply = 1;
    try {
      await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'CONFIRMLV' }] });
      await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'CONFIRMLV', doorName: doors[0].name }] });
      const level = (await t.get('/api/accLevel/getByName/CONFIRMLV')).body.data.id;
      for (let k = 1; k <= 3; k++) expect((await t.post('/api/person/add', { pin: `CF${k}`, name: `C${k}`, cardNo: `7700${k}`, accLevelIds: level })).body.code).toBe(0);
      expect((await t.post(`/api/gateway/devices/${SN}/sync`)).body.code).toBe(0);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND state = 'pending'`, [SN]);
      expect(n).toBeGreaterThan(4);
      expect((await t.post('/api/door/remoteOpenById', undefined, { doorId: doors[1].id, interval: 6 })).body.code).toBe(0);
      const first = await sim.poll();
      expect(first.map((c) => c.command)).toEqual(['CONTROL DEVICE 01020106']);
      // Lost on the way: the panel polls again later and gets it again, still before the sync goes on.
      expect((await t.post('/api/door/remoteCloseById', undefined, { doorId: doors[1].id })).body.code).toBe(0);
      sim.loseNextReply();
      expect(await sim.poll()).toEqual([]);
      await deliveriesAgeBy(t, SN, settings.lostReplyMs);
      expect((await sim.poll()).map((c) => c.command)).toEqual(['CONTROL DEVICE 01020100']);
      await sim.pollUntilIdle({ maxPolls: 200 });
      expect(sim.table('user').map((u) => String(u.Pin))).toEqual(expect.arrayContaining(['CF1', 'CF2', 'CF3']));
      const [{ left }] = await t.ds.query(`SELECT count(*)::int AS left FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent')`, [SN]);
      expect(left).toBe(0);
    } finally {
      settings.maxCommandsPerReply = before;
    }
  });
});
