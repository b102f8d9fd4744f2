import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeviceService } from '../../src/device/device.service';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { initialisedTerminal, punchesOf } from '../attendance/attendance-helpers';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { createOperator, lastSeenLongAgo, signIn, type ConsoleClient } from './console-helpers';

/**
 * The Devices page's device views through the console API: a device's options (declared at registration, reported
 * since, a terminal's INFO) and the operator asking for them again; clearing the commands a device has not fetched,
 * which leaves it divergent (never "synced") until a Full sync puts it right; an attendance terminal's reboot refused
 * while it is offline, as a panel's is.
 */
let t: TestApp;
let op: ConsoleClient;
let viewer: ConsoleClient;

const audit = async (action: string) =>
  t.ds.query(`SELECT target, outcome FROM console_audit WHERE action = $1 ORDER BY id DESC LIMIT 1`, [action]).then((r: any[]) => r[0]);
const queued = async (sn: string, like: string) =>
  (await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND command LIKE $2`, [sn, like]))[0].n as number;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  await createOperator(t, 'olga', 'operator', 'olga-password-1');
  await createOperator(t, 'vic', 'viewer', 'vic-password-1');
  op = await signIn(t, 'olga', 'olga-password-1');
  viewer = await signIn(t, 'vic', 'vic-password-1');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('console API: a device options', () => {
  it("shows a panel's registration, asks it for its options again (GET OPTIONS) and shows what it reported", async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'OPTAPI0001', doors: 2, ipAddress: '10.43.0.1' });
    await panel.connect();
    await panel.pollUntilIdle();
    const before = (await viewer.call('GET', 'devices/OPTAPI0001/options')).body;
    expect(before.code).toBe(0);
    expect(before.data.registeredAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(before.data.registration).toEqual(expect.arrayContaining([{ name: 'FirmVer', value: 'AC Ver 5.7.8.3033 Jan 9 2024' }, { name: 'LockCount', value: '2' }, { name: '~DeviceName', value: 'SIM-2Door' }]));
    expect(before.data.info).toBeNull();
    // By name, a leading ~ and case aside, as an operator looks one up among the eighty-odd the panel sent.
    const names = before.data.registration.map((o: { name: string }) => o.name.replace(/^~/, '').toLowerCase());
    expect(names).toEqual([...names].sort());

    // A viewer reads, an operator asks.
    expect((await viewer.call('POST', 'devices/OPTAPI0001/options')).body.code).toBeLessThan(0);
    const ask = await op.call('POST', 'devices/OPTAPI0001/options');
    expect(ask.body).toMatchObject({ code: 0, data: { deviceSn: 'OPTAPI0001', command: expect.stringMatching(/^GET OPTIONS .*LockCount/), commandId: expect.stringMatching(/^\d+$/) } });
    expect(await audit('device.options')).toEqual({ target: 'OPTAPI0001', outcome: 'ok' });
    const got = await panel.pollUntilIdle();
    expect(got.map((c) => c.command.split(' ').slice(0, 2).join(' '))).toEqual(['GET OPTIONS']);
    const after = (await op.call('GET', 'devices/OPTAPI0001/options')).body.data;
    expect(after.reported).toEqual(expect.arrayContaining([{ name: 'LockCount', value: '2', reportedAt: expect.stringMatching(/^\d{4}-/) }]));
  });

  it('asks a panel for its function switches too (9.5.2), so a face function turned off at the panel is shown and learnt', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'OPTAPI0003', doors: 1 });
    await panel.connect();
    await panel.pollUntilIdle();
    // Registered with FaceFunOn=1; an installer turns the face function off at the panel.
    panel.options.set('FaceFunOn', '0');
    const ask = await op.call('POST', 'devices/OPTAPI0003/options');
    expect(ask.body.data.command).toMatch(/^GET OPTIONS .*,FingerFunOn,FaceFunOn,FvFunOn,PvFunOn$/);
    await panel.pollUntilIdle();
    const reported = (await op.call('GET', 'devices/OPTAPI0003/options')).body.data.reported;
    expect(reported).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'FaceFunOn', value: '0' }), expect.objectContaining({ name: 'FingerFunOn', value: '1' })]));
  });

  it('reads the device once for its Options view', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'OPTAPI0004', doors: 1 });
    await panel.connect();
    const spy = vi.spyOn(t.app.get(DeviceService), 'requireBySn');
    try {
      expect((await op.call('GET', 'devices/OPTAPI0004/options')).body.code).toBe(0);
      expect(spy.mock.calls.filter(([sn]) => sn === 'OPTAPI0004')).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it("shows a terminal's initialisation and asks it for its INFO, whose answer the view then shows", async () => {
    const term = await initialisedTerminal(t, { sn: 'OPTATT0001' });
    await term.drain();
    const before = (await op.call('GET', 'devices/OPTATT0001/options')).body.data;
    expect(before.registration).toEqual(expect.arrayContaining([{ name: 'pushver', value: expect.any(String) }]));
    const ask = await op.call('POST', 'devices/OPTATT0001/options');
    expect(ask.body).toMatchObject({ code: 0, data: { command: 'INFO', commandId: expect.stringMatching(/^\d+$/) } });
    expect((await term.drain()).map((c) => [c.command, c.returnCode])).toEqual([['INFO', 0]]);
    const after = (await op.call('GET', 'devices/OPTATT0001/options')).body.data;
    expect(after.info).toMatchObject({ source: 'command', reportedAt: expect.stringMatching(/^\d{4}-/) });
    expect(after.info.values).toEqual(expect.arrayContaining([{ name: 'UserCount', value: expect.stringMatching(/^\d+$/) }]));
  });

  it('keeps the INFO answer of a terminal that returned a positive Return (success in both manuals), not only of 0', async () => {
    const term = await initialisedTerminal(t, { sn: 'OPTATT0002' });
    await term.drain();
    expect((await op.call('POST', 'devices/OPTATT0002/options')).body.code).toBe(0);
    term.failCommands((c) => c === 'INFO', 3);
    expect((await term.drain()).map((c) => [c.command, c.returnCode])).toEqual([['INFO', 3]]);
    const info = (await op.call('GET', 'devices/OPTATT0002/options')).body.data.info;
    expect(info).toMatchObject({ source: 'command' });
    expect(info.values).toEqual(expect.arrayContaining([{ name: 'UserCount', value: expect.stringMatching(/^\d+$/) }]));
    const [cmd] = (await op.call('GET', 'devices/OPTATT0002/commands?size=1')).body.data.rows;
    expect(cmd).toMatchObject({ command: 'INFO', state: 'done', returnCode: 3, returnMeaning: 'Successful' });
    // Its times as the console shows times (the gateway's zone, to the second): queued, handed out, answered.
    const cvTime = expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(cmd).toMatchObject({ createdAt: cvTime, sentAt: cvTime, doneAt: cvTime });
  });
});

describe('console API: clear the commands a device has not fetched', () => {
  it('removes the undelivered commands only, leaves the device divergent (not synced), and a later full sync puts it right', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CLRAPI0001', doors: 1, ipAddress: '10.43.0.2' });
    await panel.connect();
    await panel.pollUntilIdle();
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Clear', areaName: 'Area Name', timeSegName: '24-Hour Accessible' }] })).body.code).toBe(0);
    const door = (await t.get('/api/door/list?pageNo=1&pageSize=50')).body.data.find((d: any) => d.deviceSn === 'CLRAPI0001' || String(d.name).startsWith('10.43.0.2'));
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Clear', doorName: door.name }] })).body.code).toBe(0);
    const levelId = (await t.get('/api/accLevel/list?pageNo=1&pageSize=50')).body.data.find((l: any) => l.name === 'Clear').id;
    await panel.pollUntilIdle();

    // Person 7001's commands are fetched and not answered yet (sent); person 7002's wait, never fetched.
    expect((await t.post('/api/person/add', { pin: '7001', name: 'Fetched', cardNo: '77001', accLevelIds: levelId })).body.code).toBe(0);
    panel.holdResults();
    expect((await panel.poll()).length).toBeGreaterThan(0);
    await lastSeenLongAgo(t, 'CLRAPI0001');
    expect((await t.post('/api/person/add', { pin: '7002', name: 'Waiting', cardNo: '77002', accLevelIds: levelId })).body.code).toBe(0);
    const waiting = (await op.call('GET', 'devices/CLRAPI0001/commands?state=pending')).body.data.total;
    const sent = (await op.call('GET', 'devices/CLRAPI0001/commands?state=sent')).body.data.total;
    expect(waiting).toBeGreaterThan(0);
    expect(sent).toBeGreaterThan(0);

    expect((await viewer.call('POST', 'devices/CLRAPI0001/commands/clear')).body.code).toBeLessThan(0);
    const cleared = await op.call('POST', 'devices/CLRAPI0001/commands/clear');
    expect(cleared.body).toEqual({ code: 0, message: 'success', data: { sn: 'CLRAPI0001', cleared: waiting, syncCleared: waiting, awaitingReturn: sent, fullSyncStopped: false, verifyOwed: false } });
    expect(await audit('device.clearCommands')).toEqual({ target: 'CLRAPI0001', outcome: 'ok' });
    expect((await op.call('GET', 'devices/CLRAPI0001/commands?state=pending')).body.data.total).toBe(0);
    expect((await op.call('GET', 'devices/CLRAPI0001/commands?state=sent')).body.data.total).toBe(sent);

    // The fetched commands are answered: 7001 is held. 7002 is not, and the sync state says so.
    panel.stopHoldingResults();
    await panel.releaseResults();
    await panel.pollUntilIdle();
    expect(panel.user('7001')).toBeDefined();
    expect(panel.user('7002')).toBeUndefined();
    const conv = (await op.call('GET', 'devices/CLRAPI0001/convergence')).body.data;
    expect(conv).toMatchObject({ state: 'divergent', divergent: true, pendingCommands: 0 });
    expect(conv.unconfirmedItems).toBeGreaterThan(0);
    // The person's devices say it too: not held, not "on its way".
    const person = (await t.get('/api/gateway/persons/7002/devices')).body.data;
    expect(JSON.stringify(person)).not.toMatch(/"state":"synced"/);

    // A later full sync: the panel ends holding exactly what the database says.
    expect((await op.call('POST', 'devices/CLRAPI0001/sync')).body.code).toBe(0);
    await t.app.get(SyncReconciler).idle();
    await panel.pollUntilIdle();
    expect(panel.user('7001')).toMatchObject({ Pin: '7001', CardNo: '77001' });
    expect(panel.user('7002')).toMatchObject({ Pin: '7002', CardNo: '77002' });
    expect(panel.rightsOf('7002').length).toBeGreaterThan(0);
    expect((await op.call('GET', 'devices/CLRAPI0001/convergence')).body.data).toMatchObject({ state: 'synced', divergent: false, unconfirmedItems: 0 });
  });

  it('stops a full sync under way whose pages it removed, and asks a removed count again', async () => {
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CLRAPI0002', doors: 1, ipAddress: '10.43.0.3' });
    await panel.connect();
    await panel.pollUntilIdle();
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'CLRAPI0002'`);
    // A full sync in pages whose first page waits (its plan on the owed row), and a verification's count waiting.
    await t.ds.query(`INSERT INTO sync_owed (device_id, kind, cursor, plan, next_try_at) VALUES ($1, 'full', 'zz', 'plan-clr-1', now() + interval '1 hour')`, [id]);
    await t.ds.query(
      `INSERT INTO device_command (device_sn, command, ref, meta, state) VALUES
         ('CLRAPI0002', 'DATA DELETE user *', '{"sync":1,"plan":"plan-clr-1","kind":"user","clear":true}', '{"sync":1,"plan":"plan-clr-1","kind":"user","clear":true}', 'pending'),
         ('CLRAPI0002', 'DATA COUNT user', '{"sync":1,"plan":"plan-clr-2","verify":"user"}', '{"sync":1,"plan":"plan-clr-2","verify":"user"}', 'pending')`,
    );
    const r = await op.call('POST', 'devices/CLRAPI0002/commands/clear');
    expect(r.body.data).toEqual({ sn: 'CLRAPI0002', cleared: 2, syncCleared: 2, awaitingReturn: 0, fullSyncStopped: true, verifyOwed: true });
    // The full sync is owed no more; the verification is, and the reconciler (kicked after the commit) asks the count again.
    await t.app.get(SyncReconciler).idle();
    const owed = (await t.ds.query(`SELECT kind FROM sync_owed WHERE device_id = $1`, [id])).map((o: { kind: string }) => o.kind);
    expect(owed).not.toContain('full');
    const counting = await t.ds.query(`SELECT 1 FROM device_command WHERE device_sn = 'CLRAPI0002' AND state = 'pending' AND command LIKE 'DATA COUNT%'`);
    expect(owed.includes('verify') || counting.length > 0).toBe(true);
  });
});

describe("console API: clearing a terminal's queued clear or CHECK", () => {
  it('puts its Stamps back as they were: the removed CLEAR LOG, CLEAR DATA or CHECK never ran', async () => {
    const term = await initialisedTerminal(t, { sn: 'CLRATT0001', stampResume: true });
    await term.drain();
    await term.punch({ pin: '1', time: '2026-11-20 08:00:00', status: 0, verify: 1 });
    await term.punch({ pin: '1', time: '2026-11-20 08:01:00', status: 1, verify: 1 });
    await term.init();
    expect(term.serverOptions.ATTLOGStamp).toBe('2');
    const clearQueue = async () => {
      const r = (await op.call('POST', 'devices/CLRATT0001/commands/clear')).body;
      expect(r).toMatchObject({ code: 0, data: { cleared: expect.any(Number), awaitingReturn: 0 } });
      expect(r.data.cleared).toBeGreaterThan(0);
    };

    // CLEAR LOG from the console; a punch uploaded while it waits moves the Stamp on, and is kept.
    expect((await op.call('POST', 'devices/CLRATT0001/terminal', { action: 'clearLog' })).body).toMatchObject({ code: 0, data: { command: 'CLEAR LOG' } });
    await term.punch({ pin: '1', time: '2026-11-20 08:02:00', status: 0, verify: 1 });
    await clearQueue();
    await term.init();
    expect(term.serverOptions.ATTLOGStamp).toBe('3');

    // CLEAR DATA (with the full sync queued behind it) and CHECK, from the REST API, removed from the console.
    for (const action of ['clearData', 'check']) {
      expect((await t.post('/api/gateway/attendance/terminals/CLRATT0001/command', { action })).body.code).toBe(0);
      await clearQueue();
      await term.init();
      expect({ action, stamp: term.serverOptions.ATTLOGStamp }).toEqual({ action, stamp: '3' });
    }
    // Nothing is owed for a clear that never happened: no CHECK comes.
    expect((await term.drain()).map((c) => c.command)).not.toContain('CHECK');
    expect((await punchesOf(t, 'CLRATT0001')).length).toBe(3);
  });
});

describe('console API: terminal actions as panel actions', () => {
  it("refuses an offline terminal's reboot (nothing queued), as a panel's; its punches' clear still waits in the queue", async () => {
    const term = await initialisedTerminal(t, { sn: 'OFFATT0001' });
    await term.drain();
    await lastSeenLongAgo(t, 'OFFATT0001');
    const reboot = await op.call('POST', 'devices/OFFATT0001/terminal', { action: 'reboot' });
    expect(reboot.body).toEqual({ code: -1, message: 'Device OFFATT0001 is offline: the command was not sent', data: null });
    expect(await queued('OFFATT0001', 'REBOOT%')).toBe(0);
    expect(await audit('device.control')).toEqual({ target: 'OFFATT0001 reboot', outcome: 'failed' });
    // The REST API's terminal command is the same service: the same refusal.
    expect((await t.post('/api/gateway/attendance/terminals/OFFATT0001/command', { action: 'reboot' })).body.code).toBe(-1);
    const clear = await op.call('POST', 'devices/OFFATT0001/terminal', { action: 'clearLog' });
    expect(clear.body).toMatchObject({ code: 0, data: { command: 'CLEAR LOG' } });
    // Back online, the reboot goes, with the action's validity.
    expect((await term.drain()).map((c) => c.command)).toEqual(['CLEAR LOG']);
    const again = await op.call('POST', 'devices/OFFATT0001/terminal', { action: 'reboot' });
    expect(again.body).toMatchObject({ code: 0, data: { command: 'REBOOT', commandId: expect.stringMatching(/^\d+$/) } });
    const [{ valid }] = await t.ds.query(`SELECT valid_until IS NOT NULL AS valid FROM device_command WHERE id = $1`, [again.body.data.commandId]);
    expect(valid).toBe(true);
    expect((await term.drain()).map((c) => [c.command, c.returnCode])).toEqual([['REBOOT', 0]]);
  });
});
