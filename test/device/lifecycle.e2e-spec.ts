/**
 * The lifecycle of an access panel around its identity: deleted through REST while it stays connected, replaced,
 * admitted again. Each case ends with the panel's tables equal to what the database gives it, and the convergence
 * answer saying synced only then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { settingsOf } from '../push/push-helpers';
import { claimsSynced, convergenceOf, ok, settleConverged } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
beforeAll(async () => {
  // The product's default: a device added is cleared (DEVICE_CLEAR_ON_ADD).
  t = await startTestApp({ deviceClearOnAdd: true, syncRetryBaseMs: 200, syncRetryMaxMs: 400, syncReconcileIntervalMs: 0 });
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000, refusalProbe: { baseMs: 200, maxMs: 400 } });
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

/** A two-door panel, connected and idle, whose door 1 is in a new level `level` with one member `pin`. */
async function panelWithMember(sn: string, ip: string, level: string, pin: string): Promise<DeviceSimulator> {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, ipAddress: ip, retryResults: true });
  expect((await sim.connect()).registered).toBe(true);
  await sim.pollUntilIdle();
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  const [l] = await t.ds.query(`SELECT id FROM acc_level WHERE name = $1`, [level]);
  await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: l.id }));
  await sim.pollUntilIdle();
  expect(sim.table('user').map((u) => u.Pin)).toEqual([pin]);
  return sim;
}

const pins = (sim: DeviceSimulator, table: string) => sim.table(table).map((r) => String(r.Pin)).sort();

describe('a panel deleted through REST while it stays connected (DEVICE_ADMISSION=auto)', () => {
  it('is added again at its next poll as an approved one is: cleared, and not said synced before', async () => {
    const sim = await panelWithMember('LIFE-DEL1', '10.41.0.1', 'LifeDel1', '7101');
    await ok(t.delete('/api/gateway/devices/LIFE-DEL1'));
    // It does not register again (firmware registers when it connects): it polls on, as it did.
    const from = sim.received.length;
    await sim.poll();
    // Its new row owes the clear of an added device: it is not said synced while it holds its former life's user.
    expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(false);
    await settleConverged(t, reconciler, sim);
    expect(pins(sim, 'user')).toEqual([]);
    expect(pins(sim, 'userauthorize')).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(true);
    // Nothing of its former life reached it after the delete.
    expect(sim.received.slice(from).filter((c) => c.command.includes('7101'))).toEqual([]);
    // Reconnecting, it registers: its doors come back (in no level) and it still holds nothing.
    expect((await sim.connect()).registered).toBe(true);
    await settleConverged(t, reconciler, sim);
    expect((await t.get('/api/gateway/devices/LIFE-DEL1')).body.data.doors.map((d: { name: string }) => d.name)).toEqual(['10.41.0.1-1', '10.41.0.1-2']);
    expect(pins(sim, 'user')).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(true);
  });
});
