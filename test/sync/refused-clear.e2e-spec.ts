/**
 * A panel that holds records no database row gives it (a board swapped in from another site: a stranger with a
 * right on a door) and whose firmware refuses clearing the user and rights tables for good (`DATA DELETE user *`,
 * `DATA DELETE userauthorize *` answered -1004) and will not say which users it holds (`DATA QUERY` answered -1004).
 * No full sync takes the stranger off, and a plan of the difference
 * never sends a clear: the status must not say synced while the periodic count finds those rows, and the refused
 * clear's probe tries the full sync again (with its backoff), so a firmware that clears again gets the panel back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncPlannerService } from '../../src/sync/sync-planner.service';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { DeviceSimulator } from '../simulator/device-simulator';
import { settingsOf } from '../push/push-helpers';
import { Device, levelId } from './access-helpers';
import { claimsSynced, convergenceOf, fromScratch, ok, settleConverged, startFaultApp, tableSnapshot } from './fault-helpers';

const SN = 'FCLEAR0001';
const TABLES = ['user', 'userauthorize', 'timezone', 'mulcarduser'];
let t: TestApp;
let reconciler: SyncReconciler;
let d: Device;

const pins = (x: Device) => x.sim.table('user').map((u) => String(u.Pin)).sort();
const clears = async () => (await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND command = 'DATA DELETE user *'`, [SN]))[0].n as number;
const refusal = async (what: string) =>
  ((await t.get(`/api/gateway/devices/${SN}`)).body.data.refusedCapabilities as Array<{ what: string; returnCode: number; excessRows: number | null }>).find((r) => r.what === what);
/** The panel counts its tables now (the periodic verification's commands), and answers. */
async function count(): Promise<void> {
  const planner = t.app.get(SyncPlannerService);
  await t.ds.transaction((m) => planner.queueVerify(m, SN));
  await d.sim.pollUntilIdle({ maxPolls: 50 });
  await reconciler.idle();
}
/** Polls and runs the reconciler a few times (past the retry backoff of what a refused clear owes). */
async function rounds(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, 250));
    await reconciler.runOnce();
    await reconciler.idle();
    await d.sim.pollUntilIdle({ maxPolls: 50 });
  }
}

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  // Probes far apart: nothing here is tried again unless a test makes its probe due.
  settingsOf(t).refusalProbe = { baseMs: 600_000, maxMs: 600_000 };
  d = await Device.connect(t, SN, 2, '10.48.0.1');
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'CL' }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'CL', doorName: '10.48.0.1-1' }] }));
  const level = await levelId(t, 'CL');
  for (const pin of ['4801', '4802']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
  await settleConverged(t, reconciler, d.sim);
  expect(pins(d)).toEqual(['4801', '4802']);
});
afterAll(async () => {
  await t?.close();
});

describe('a panel holding a stranger, its firmware refusing to clear the tables', () => {
  it('is reported divergent, with the reason, while its count finds the stranger', async () => {
    // A board from another site under the same SN: a stranger with a right on door 1; it refuses clearing the tables.
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: SN, doors: 2, ipAddress: '10.48.0.1', mac: '00:17:61:48:00:02' });
    sim.addLocally('user', { Pin: '4799', Name: 'Other site', CardNo: '74799' });
    sim.addLocally('userauthorize', { Pin: '4799', AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 });
    sim.failCommands((c) => c.verb === 'DATA DELETE' && (c.table === 'user' || c.table === 'userauthorize') && c.args.trim() === '*', -1004, 'always');
    // Nor does it answer DATA QUERY (refused-clear-cleanup.e2e-spec.ts: one that does has the stranger deleted by PIN).
    sim.failCommands((c) => c.verb === 'DATA QUERY', -1004, 'always');
    await sim.connect();
    d = new Device(sim);
    await settleConverged(t, reconciler, d.sim, 8);
    expect(await refusal('DATA DELETE user *')).toMatchObject({ returnCode: -1004 });
    expect(await refusal('DATA DELETE userauthorize *')).toMatchObject({ returnCode: -1004 });
    expect(pins(d)).toEqual(['4799', '4801', '4802']);
    expect(d.sim.evaluateAccess({ pin: '4799', door: 1 }).granted).toBe(true);

    // The refused clears owe a count after the full sync's writes (no periodic verification needed to find it).
    const c = await convergenceOf(t, SN);
    expect(claimsSynced(c), JSON.stringify(c)).toBe(false);
    expect(c.divergent).toBe(true);
    expect(c.unknownRows).toEqual([
      { table: 'user', rows: 1, returnCode: -1004, reason: 'holds 1 user the database does not give it; the firmware refused clearing the table (Return -1004)' },
      { table: 'userauthorize', rows: 1, returnCode: -1004, reason: 'holds 1 access right the database does not give it; the firmware refused clearing the table (Return -1004)' },
    ]);
    expect(await refusal('DATA DELETE user *')).toMatchObject({ excessRows: 1 });
    // Counted again (the periodic verification): still there, still divergent; nothing is owed (no full sync per count).
    await count();
    await rounds(3);
    expect((await convergenceOf(t, SN)).divergent).toBe(true);
    expect(pins(d)).toContain('4799');
  });

  it('the refused clear\'s probe sends a full sync with the clear again, once per probe', async () => {
    const before = await clears();
    await rounds(4);
    expect(await clears()).toBe(before); // not due: no full sync
    await t.ds.query(`UPDATE device_refusal SET probe_at = now() WHERE device_id = (SELECT id FROM device WHERE sn = $1) AND what = 'DATA DELETE user *'`, [SN]);
    await rounds(4);
    expect(await clears()).toBe(before + 1); // the probe: refused again, and not tried again before its next probe
    await count();
    expect((await convergenceOf(t, SN)).divergent).toBe(true);
    expect(pins(d)).toContain('4799');
  });

  it('a firmware that clears again, at the probe, ends equal to the database and is reported synced', async () => {
    d.sim.clearFaults();
    await t.ds.query(`UPDATE device_refusal SET probe_at = now() WHERE device_id = (SELECT id FROM device WHERE sn = $1) AND what = 'DATA DELETE user *'`, [SN]);
    await rounds(3);
    await settleConverged(t, reconciler, d.sim);
    expect(pins(d)).toEqual(['4801', '4802']);
    expect(d.sim.evaluateAccess({ pin: '4799', door: 1 }).granted).toBe(false);
    await count();
    const c = await convergenceOf(t, SN);
    expect(c).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0, unknownRows: [] });
    expect(tableSnapshot(d.sim, TABLES)).toEqual(await fromScratch(t, reconciler, d.sim, TABLES));
  });

  it('a count that matches again (the stranger deleted at the panel) reports it synced', async () => {
    // Refusing the clears again, with another stranger found by a count.
    d.sim.failCommands((c) => c.verb === 'DATA DELETE' && (c.table === 'user' || c.table === 'userauthorize') && c.args.trim() === '*', -1004, 'always');
    d.sim.failCommands((c) => c.verb === 'DATA QUERY', -1004, 'always');
    await ok(t.post(`/api/gateway/devices/${SN}/sync`));
    await rounds(3);
    d.sim.addLocally('user', { Pin: '4798', Name: 'Stranger', CardNo: '74798' });
    await count();
    expect((await convergenceOf(t, SN)).unknownRows).toEqual([expect.objectContaining({ table: 'user', rows: 1 })]);
    expect(d.sim.deleteLocally('user', { Pin: '4798' })).toBe(1);
    await count();
    const c = await convergenceOf(t, SN);
    expect(c, JSON.stringify(c)).toMatchObject({ divergent: false, unknownRows: [] });
  });
});

describe('a panel whose firmware refused deleting a user, then swapped for a board holding a stranger', () => {
  it('the full sync leaves the refused clear out, counts after its writes, reports the stranger; the probe clears it', async () => {
    const sn = 'FCLEAR0002';
    let p = await Device.connect(t, sn, 2, '10.48.0.2');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'CL2' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'CL2', doorName: '10.48.0.2-1' }] }));
    const level = await levelId(t, 'CL2');
    for (const pin of ['4811', '4812']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
    await settleConverged(t, reconciler, p.sim);
    // Deleting a user by PIN is refused for good: the key `DATA DELETE user` is the clear's too.
    p.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'user' && /Pin=/.test(c.args), -1004, 1);
    await ok(t.delete('/api/person/delete/4812'));
    await p.sim.pollUntilIdle({ maxPolls: 50 });
    await reconciler.idle();
    const id = (await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]))[0].id as string;
    expect((await t.ds.query(`SELECT return_code FROM device_refusal WHERE device_id = $1 AND what = 'DATA DELETE user'`, [id]))[0]).toEqual({ return_code: -1004 });

    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, ipAddress: '10.48.0.2', mac: '00:17:61:48:00:12' });
    sim.addLocally('user', { Pin: '4799', Name: 'Other site', CardNo: '74799' });
    sim.addLocally('userauthorize', { Pin: '4799', AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 });
    await sim.connect();
    p = new Device(sim);
    await settleConverged(t, reconciler, p.sim, 8);
    expect(sim.received.some((r) => r.command === 'DATA DELETE user *')).toBe(false); // left out: refused for good
    expect(pins(p)).toEqual(['4799', '4811']);
    const c = await convergenceOf(t, sn);
    expect(claimsSynced(c), JSON.stringify(c)).toBe(false);
    expect(c.unknownRows).toEqual([{ table: 'user', rows: 1, returnCode: -1004, reason: 'holds 1 user the database does not give it; the firmware refused clearing the table (Return -1004)' }]);

    // The probe: a full sync that sends the clear; this firmware takes it.
    await t.ds.query(`UPDATE device_refusal SET probe_at = now() WHERE device_id = $1 AND what = 'DATA DELETE user'`, [id]);
    await reconciler.runOnce();
    await settleConverged(t, reconciler, p.sim);
    expect(pins(p)).toEqual(['4811']);
    await t.ds.transaction((m) => t.app.get(SyncPlannerService).queueVerify(m, sn));
    await settleConverged(t, reconciler, p.sim);
    expect(await convergenceOf(t, sn)).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0, unknownRows: [] });
  });
});
