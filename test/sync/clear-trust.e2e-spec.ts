/**
 * What the status says a panel holds after a full sync's clears (`DATA DELETE user *`, `userauthorize *`, …) must be
 * what it holds: once a clear is answered its members count unconfirmed until their writes are confirmed, and a
 * clear whose result was lost (the panel ran it, its Return never came: later results of its reply did) leaves
 * them in doubt, not confirmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncPlannerService } from '../../src/sync/sync-planner.service';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { settingsOf } from '../push/push-helpers';
import { Device, levelId } from './access-helpers';
import { claimsSynced, convergenceOf, ok, settleConverged, startFaultApp } from './fault-helpers';

const SN = 'CLTRUST001';
const PINS = ['9201', '9202', '9203'];
let t: TestApp;
let reconciler: SyncReconciler;
let d: Device;

const person = async (pin: string) => ((await t.get(`/api/gateway/persons/${pin}/sync`)).body.data as Array<{ deviceSn: string; holds: boolean; state: string; confirmedRights: unknown[] }>).find((x) => x.deviceSn === SN)!;
/** Desired items the panel really holds: its time zone 1, and each person's user record and rights row. */
function heldItems(): number {
  const users = new Set(d.sim.table('user').map((u) => String(u.Pin)));
  const rights = new Set(d.sim.table('userauthorize').map((r) => String(r.Pin)));
  const tz = d.sim.table('timezone').some((z) => String(z.TimezoneId) === '1') ? 1 : 0;
  return tz + PINS.filter((p) => users.has(p)).length + PINS.filter((p) => rights.has(p)).length;
}
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  d = await Device.connect(t, SN, 2, '10.92.0.1');
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'CT' }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'CT', doorName: '10.92.0.1-1' }] }));
  const level = await levelId(t, 'CT');
  for (const pin of PINS) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `77${pin}`, accLevelIds: level }));
  await settleConverged(t, reconciler, d.sim);
  expect(claimsSynced(await convergenceOf(t, SN))).toBe(true);
});
afterAll(async () => {
  await t?.close();
});

describe('a full sync’s clears and what the status says the panel holds', () => {
  it('counts the cleared members unconfirmed once the clears are answered, until their writes are', async () => {
    const before = await convergenceOf(t, SN);
    expect(before.confirmedItems).toBe(before.desiredItems);
    await ok(t.post(`/api/gateway/devices/${SN}/sync`, {}));
    // The panel runs the full sync's first reply and answers its clears; the answers to its writes are still out.
    d.sim.holdResults((c) => c.verb !== 'DATA DELETE');
    await d.sim.poll();
    d.sim.stopHoldingResults();
    const c = await convergenceOf(t, SN);
    expect(claimsSynced(c)).toBe(false);
    // Only the time zone (a full sync overwrites it, never clears it) is still confirmed.
    expect(c.confirmedItems, JSON.stringify(c)).toBe(1);
    for (const pin of PINS) expect(await person(pin)).toMatchObject({ holds: false, confirmedRights: [] });
    await d.sim.releaseResults();
    await settleConverged(t, reconciler, d.sim);
    const after = await convergenceOf(t, SN);
    expect(claimsSynced(after), JSON.stringify(after)).toBe(true);
    expect(after.confirmedItems).toBe(after.desiredItems);
    expect(heldItems()).toBe(after.desiredItems);
  });

  it('leaves a clear’s members in doubt when its result was lost behind later results, not confirmed', async () => {
    // Two commands per reply: the full sync's rights clear and user clear go out alone in the first.
    settingsOf(t).maxCommandsPerReply = 2;
    await ok(t.post(`/api/gateway/devices/${SN}/sync`, {}));
    const first = d.sim.received.length;
    // The panel runs both and posts the user clear's result; the rights clear's is lost.
    d.sim.holdResults((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize' && c.args.trim() === '*');
    await d.sim.poll();
    d.sim.stopHoldingResults();
    expect(d.sim.dropHeldResults()).toHaveLength(1);
    expect(d.sim.received.slice(first).map((r) => r.command)).toEqual(['DATA DELETE userauthorize *', 'DATA DELETE user *']);
    // Its next poll (past DEVICE_LOST_REPLY_MS) settles the rights clear as overtaken (it ran, its Return is lost);
    // the reply carrying the next commands is lost on its way.
    await wait(300);
    d.sim.loseNextReply();
    await d.sim.poll();
    const [{ state }] = await t.ds.query(`SELECT state FROM device_command WHERE device_sn = $1 AND command = 'DATA DELETE userauthorize *' ORDER BY id DESC LIMIT 1`, [SN]);
    expect(state).toBe('failed');
    expect(d.sim.table('userauthorize')).toEqual([]);
    const c = await convergenceOf(t, SN);
    expect(claimsSynced(c)).toBe(false);
    // Without the fix the cleared rights stayed confirmed: counted held, and shown as each person's confirmed rights.
    expect(c.confirmedItems, JSON.stringify(c)).toBe(heldItems());
    for (const pin of PINS) expect(await person(pin)).toMatchObject({ holds: false, confirmedRights: [] });
    settingsOf(t).maxCommandsPerReply = 50;
    // And it all converges: the full sync owed again clears and writes everything.
    await settleConverged(t, reconciler, d.sim);
    const after = await convergenceOf(t, SN);
    expect(claimsSynced(after), JSON.stringify(after)).toBe(true);
    expect(heldItems()).toBe(after.desiredItems);
    expect(d.sim.table('user').map((u) => String(u.Pin)).sort()).toEqual(PINS);
  });

  it('says no person is held on a panel that was reset and registered again, until its count is back', async () => {
    for (const pin of PINS) expect(await person(pin)).toMatchObject({ state: 'synced', holds: true });
    expect((await d.sim.factoryReset()).registered).toBe(true);
    expect(d.sim.table('user')).toEqual([]);
    // What it confirmed is being checked (a count is owed): not synced, and not said to hold anyone.
    for (const pin of PINS) expect(await person(pin)).toMatchObject({ state: 'pending', holds: false });
    expect(claimsSynced(await convergenceOf(t, SN))).toBe(false);
    await settleConverged(t, reconciler, d.sim);
    expect(d.sim.table('user').map((u) => String(u.Pin)).sort()).toEqual(PINS);
    for (const pin of PINS) expect(await person(pin)).toMatchObject({ state: 'synced', holds: true });
  });

  it('counts none of a table as held once the panel counts fewer rows than it confirmed, until the full sync is in', async () => {
    const before = await convergenceOf(t, SN);
    expect(before.confirmedItems).toBe(before.desiredItems);
    // Someone deletes a user (and its rights) at the panel's menu; the periodic verification counts the tables.
    expect(d.sim.deleteUserLocally('9202')).toBeGreaterThan(0);
    await t.ds.transaction((m) => t.app.get(SyncPlannerService).queueVerify(m, SN));
    await d.sim.poll();
    const c = await convergenceOf(t, SN);
    expect(claimsSynced(c)).toBe(false);
    // Without the fix every item stayed confirmed: 9202's user record and rights were counted held.
    expect(c.confirmedItems, JSON.stringify(c)).toBeLessThanOrEqual(heldItems());
    expect(await person('9202')).toMatchObject({ holds: false, confirmedRights: [] });
    await settleConverged(t, reconciler, d.sim);
    const after = await convergenceOf(t, SN);
    expect(claimsSynced(after), JSON.stringify(after)).toBe(true);
    expect(after.confirmedItems).toBe(after.desiredItems);
    expect(d.sim.table('user').map((u) => String(u.Pin)).sort()).toEqual(PINS);
  });
});
