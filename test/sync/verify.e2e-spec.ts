/**
 * Periodic verification (SyncVerifier): a panel that stays connected and never registers again is still
 * asked, every SYNC_VERIFY_INTERVAL_MS, to count its users; a count that cannot match what it confirmed
 * makes a full sync owed, as after a re-registration.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { SyncVerifier } from '../../src/sync/sync-verifier.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId, pollFor, registrations } from './access-helpers';

const INTERVAL = 1500;
let t: TestApp;
let verifier: SyncVerifier;
let reconciler: SyncReconciler;
let a: Device;
let b: Device;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const counts = (d: Device) => d.sim.received.filter((c) => c.command === 'DATA COUNT user').length;
const pins = (d: Device) => d.sim.table('user').map((u) => String(u.Pin)).sort();
const rights = (d: Device) => d.sim.table('userauthorize').map((r) => `${r.Pin}:${r.AuthorizeDoorId}`).sort();

beforeAll(async () => {
  // The reconciler's own period carries out the full sync a wrong count makes owed, as in production.
  t = await startTestApp({ syncVerifyIntervalMs: INTERVAL, syncReconcileIntervalMs: 500, syncRetryBaseMs: 200, syncRetryMaxMs: 400 });
  verifier = t.app.get(SyncVerifier);
  reconciler = t.app.get(SyncReconciler);
  a = await Device.connect(t, 'VERIFYA001', 1, '10.7.0.1');
  b = await Device.connect(t, 'VERIFYB001', 1, '10.7.0.2');
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'V' }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'V', doorName: '10.7.0.1-1' }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'V', doorName: '10.7.0.2-1' }] })).body.code).toBe(0);
  const level = await levelId(t, 'V');
  for (const pin of ['801', '802']) expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level })).body.code).toBe(0);
  await Promise.all([a.sim.pollUntilIdle({ maxPolls: 50 }), b.sim.pollUntilIdle({ maxPolls: 50 })]);
  expect(pins(a)).toEqual(['801', '802']);
  expect(pins(b)).toEqual(['801', '802']);
});
afterAll(async () => {
  await t?.close();
});

describe('periodic verification of connected panels', () => {
  it('a user deleted at a panel that never registers again is back after the verify interval', async () => {
    const before = rights(a);
    expect(a.sim.deleteUserLocally('801')).toBeGreaterThan(0);
    expect(pins(a)).toEqual(['802']);
    const regs = registrations(a);
    const asked = counts(a);
    const restored = await pollFor(a, 4 * INTERVAL + 10_000, () => pins(a).join() === '801,802' && rights(a).join() === before.join());
    await reconciler.idle();
    expect(restored).toBe(true);
    expect(rights(a)).toEqual(before);
    expect(counts(a)).toBeGreaterThan(asked);
    expect(registrations(a)).toBe(regs); // no reconnect: the periodic count found it
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND command = 'DATA DELETE user *'`, [a.sim.sn]);
    expect(n).toBe(1); // the full sync the count made owed (the panel was admitted with nothing to hold)
  });

  it('an intact panel costs one DATA COUNT per interval and nothing else; an offline or busy one is not asked', async () => {
    // Polling makes it online again (last_seen_at is written every few seconds) if the test above took long.
    expect(await pollFor(b, INTERVAL + 15_000, () => counts(b) > 0)).toBe(true);
    const from = b.sim.received.length;
    const asked = counts(b);
    expect(await pollFor(b, 2 * INTERVAL + 10_000, () => counts(b) >= asked + 1)).toBe(true);
    await reconciler.idle();
    const got = b.sim.received.slice(from).map((c) => c.command);
    expect(got.length).toBeGreaterThan(0);
    // Its users, its rights rows and its time zones, counted together.
    expect(got.every((c) => c === 'DATA COUNT user' || c === 'DATA COUNT userauthorize' || c === 'DATA COUNT timezone')).toBe(true);
    expect(got.filter((c) => c === 'DATA COUNT userauthorize').length).toBeGreaterThan(0);
    // The rules by hand from here: the timer off, so no tick races the calls below.
    await verifier.beforeApplicationShutdown();
    // Busy: a command on its way. Asked only once it is answered.
    const sn = b.sim.sn;
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
    await t.ds.query(`UPDATE sync_verify SET asked_at = now() - interval '1 hour' WHERE device_id = $1`, [id]);
    await t.ds.query(`INSERT INTO device_command (device_sn, command) VALUES ($1, 'DATA COUNT userauthorize')`, [sn]);
    expect(await verifier.askDue()).toBe(0);
    await b.sim.poll();
    expect(await verifier.askDue()).toBe(1);
    // Offline: not seen for longer than the online window.
    await t.ds.query(`UPDATE sync_verify SET asked_at = now() - interval '1 hour' WHERE device_id = $1`, [id]);
    await b.sim.pollUntilIdle();
    await t.ds.query(`UPDATE device SET last_seen_at = now() - interval '10 minutes' WHERE id = $1`, [id]);
    expect(await verifier.askDue()).toBe(0);
  });

  it('a device left divergent with nothing owing a retry (an item released but never planned) is planned again by the periodic check', async () => {
    // The verifier's timer is off since the test above: askDue by hand.
    const sn = b.sim.sn;
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
    await b.sim.pollUntilIdle();
    // As a retry pass racing its own select could leave an item (divergent-pass.e2e-spec.ts): failing, in doubt, with no retry time, nothing in flight.
    await t.ds.query(`UPDATE sync_item SET hash = '?', failures = 1, next_try_at = NULL WHERE device_id = $1 AND kind = 'user' AND key = '801'`, [id]);
    // Due, and online (the test above left it offline; last_seen_at is written only every few seconds).
    await t.ds.query(`UPDATE sync_verify SET asked_at = now() - interval '1 hour' WHERE device_id = $1`, [id]);
    await t.ds.query(`UPDATE device SET last_seen_at = now() WHERE id = $1`, [id]);
    expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ divergent: true, pendingCommands: 0 });
    const from = b.sim.received.length;
    // Planned, not counted: a count waits until what the plan sent is answered.
    expect(await verifier.askDue()).toBe(0);
    await b.sim.pollUntilIdle();
    const got = b.sim.received.slice(from).map((c) => c.command);
    expect(got.some((c) => c.startsWith('DATA UPDATE user ') && c.includes('Pin=801\t')), JSON.stringify(got)).toBe(true);
    expect(got.some((c) => c.startsWith('DATA COUNT'))).toBe(false);
    expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    // Converged again: counted at the next period.
    await t.ds.query(`UPDATE sync_verify SET asked_at = now() - interval '1 hour' WHERE device_id = $1`, [id]);
    expect(await verifier.askDue()).toBe(1);
    await b.sim.pollUntilIdle();
  });

  it('a count that makes a full sync owed kicks the reconciler after its transaction commits, not before', async () => {
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [a.sim.sn]);
    // The reconciler's timer off (it kicks every interval) and no pass running: the only kick left is the one looked at.
    await reconciler.beforeApplicationShutdown();
    // The pass itself is not run here; the owed row is removed below.
    const kick = vi.spyOn(reconciler, 'kick').mockImplementation(() => undefined);
    try {
      await t.ds.transaction(async (m) => {
        expect(await reconciler.verifiedCount(m, id, a.sim.sn, 999)).toBe(false);
        // Several turns of the event loop inside the open transaction: a pass kicked now would not see the owed row.
        await sleep(50);
        expect(kick).not.toHaveBeenCalled();
      });
      expect(kick).toHaveBeenCalledTimes(1);
      const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM sync_owed WHERE device_id = $1 AND kind = 'full'`, [id]);
      expect(n).toBe(1);
      // Rolled back: owed nothing, kicked nothing.
      kick.mockClear();
      await t.ds.query(`DELETE FROM sync_owed WHERE device_id = $1`, [id]);
      await expect(
        t.ds.transaction(async (m) => {
          await reconciler.verifiedCount(m, id, a.sim.sn, 999);
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      await sleep(50);
      expect(kick).not.toHaveBeenCalled();
    } finally {
      kick.mockRestore();
      await t.ds.query(`DELETE FROM sync_owed WHERE device_id = $1`, [id]);
    }
  });
});
