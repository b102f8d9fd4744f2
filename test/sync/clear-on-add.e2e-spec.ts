import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * DEVICE_CLEAR_ON_ADD (the default; CVSecurity's "clear data in the device when adding"): a panel admitted with
 * nothing to hold yet is cleared all the same, so users and cards left from another site open nothing; it is
 * counted when it registers again; a firmware that refused a table for good never has it cleared.
 */
const users = (sim: DeviceSimulator) => sim.table('user').map((u) => u.Pin).sort();
const clears = (t: TestApp, sn: string) =>
  t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND command = 'DATA DELETE user *'`, [sn]).then((r) => r[0].n as number);

/** A panel that comes with users and rights of its own (another site's). */
function usedPanel(t: TestApp, sn: string, ip: string): DeviceSimulator {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1, ipAddress: ip });
  sim.tables.upsert('user', { Pin: '900', Name: 'Old site', CardNo: '9009009', Privilege: '0' });
  sim.tables.upsert('userauthorize', { Pin: '900', AuthorizeTimezoneId: '1', AuthorizeDoorId: '1' });
  return sim;
}

async function settle(t: TestApp, sim: DeviceSimulator): Promise<void> {
  await t.app.get(SyncReconciler).idle();
  await sim.pollUntilIdle({ maxPolls: 30 });
  await t.app.get(SyncReconciler).idle();
  await sim.pollUntilIdle({ maxPolls: 30 });
}

describe('clear on add (auto admission)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ deviceClearOnAdd: true, syncReconcileIntervalMs: 0 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a panel admitted with nothing to hold is cleared, with no REST call', async () => {
    const sim = usedPanel(t, 'CLEAR-A1', '10.6.0.1');
    expect((await sim.connect()).registered).toBe(true);
    expect(users(sim)).toEqual(['900']);
    await settle(t, sim);
    expect(users(sim)).toEqual([]);
    expect(sim.rightsOf(900)).toEqual([]);
    expect(await clears(t, sim.sn)).toBe(1);
  });

  it('registering again, it is counted, and cleared again only when it is found holding users', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'CLEAR-A2', doors: 1, ipAddress: '10.6.0.2' });
    expect((await sim.connect()).registered).toBe(true);
    await settle(t, sim);
    expect(await clears(t, sim.sn)).toBe(1);
    // A reconnect of an intact panel: a count, no clearing.
    expect((await sim.register()).registered).toBe(true);
    await settle(t, sim);
    expect(sim.received.some((c) => c.command === 'DATA COUNT user')).toBe(true);
    expect(await clears(t, sim.sn)).toBe(1);
    // Someone enrols a user at the panel's own menu; at the next reconnect the count finds it.
    sim.tables.upsert('user', { Pin: '901', Name: 'Enrolled at the panel', Privilege: '0' });
    expect((await sim.register()).registered).toBe(true);
    await settle(t, sim);
    expect(users(sim)).toEqual([]);
    expect(await clears(t, sim.sn)).toBe(2);
  });

  it('a firmware that refuses the user table for good: the table is not cleared, and its count owes nothing', async () => {
    const sim = usedPanel(t, 'CLEAR-A3', '10.6.0.3');
    sim.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'user', -1004, 'always');
    expect((await sim.connect()).registered).toBe(true);
    await settle(t, sim);
    expect(users(sim)).toEqual([]);
    // Its door in a level with a member: the user record is refused with -1004, an unsupported table (for good).
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'R' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'R', doorName: '10.6.0.3-1' }] })).body.code).toBe(0);
    const [level] = await t.ds.query(`SELECT id FROM acc_level WHERE name = 'R'`);
    expect((await t.post('/api/person/add', { pin: '902', name: 'Refused', accLevelIds: level.id })).body.code).toBe(0);
    await sim.pollUntilIdle({ maxPolls: 30 });
    const detail = await t.get(`/api/gateway/devices/${sim.sn}`);
    expect(detail.body.data.refusedCapabilities).toEqual([expect.objectContaining({ what: 'DATA UPDATE user', returnCode: -1004 })]);
    // Users are enrolled at the panel (the only way it gets any): a full sync and every later count leave them.
    sim.clearFaults();
    sim.tables.upsert('user', { Pin: '902', Name: 'Enrolled at the panel', Privilege: '0' });
    sim.tables.upsert('user', { Pin: '903', Name: 'Enrolled at the panel too', Privilege: '0' });
    const before = await clears(t, sim.sn);
    expect((await t.post(`/api/gateway/devices/${sim.sn}/sync`)).body.code).toBe(0);
    await settle(t, sim);
    const fullSyncs = () =>
      t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND command = 'DATA DELETE userauthorize *'`, [sim.sn]).then((r) => r[0].n as number);
    const synced = await fullSyncs();
    expect((await sim.register()).registered).toBe(true);
    await settle(t, sim);
    expect(sim.received.filter((c) => c.command === 'DATA COUNT user').length).toBeGreaterThan(0);
    expect(await fullSyncs()).toBe(synced);
    expect(users(sim)).toEqual(['902', '903']);
    expect(sim.rightsOf(902).length).toBeGreaterThan(0);
    expect(await clears(t, sim.sn)).toBe(before);
  });
});

describe('clear on add (manual admission)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ deviceAdmission: 'manual', deviceClearOnAdd: true, syncReconcileIntervalMs: 0 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('approval clears the panel once: the registration that follows owes no second clearing', async () => {
    const sim = usedPanel(t, 'CLEAR-M1', '10.6.1.1');
    expect((await sim.connect()).registered).toBe(false);
    expect((await t.post(`/api/gateway/devices/${sim.sn}/approve`)).body.code).toBe(0);
    expect((await sim.connect()).registered).toBe(true);
    await settle(t, sim);
    expect(users(sim)).toEqual([]);
    expect(await clears(t, sim.sn)).toBe(1);
  });
});

describe('without clear on add', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ deviceClearOnAdd: false, syncReconcileIntervalMs: 0 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a panel admitted with nothing to hold is left as it is', async () => {
    const sim = usedPanel(t, 'CLEAR-N1', '10.6.2.1');
    expect((await sim.connect()).registered).toBe(true);
    await settle(t, sim);
    expect(users(sim)).toEqual(['900']);
    expect(await clears(t, sim.sn)).toBe(0);
  });
});
