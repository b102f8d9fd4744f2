/**
 * A panel that refused a rights delete (`DATA DELETE userauthorize`, -1004: for good) has a person's withdrawn right
 * emptied with an update instead (AuthorizeDoorId=0, sync-plan.ts). Those rows of no door stay on the panel: it must
 * not be said synced with them, and once the refusal's probe comes due the delete is tried again, so a panel that
 * takes deletes again ends as a faultless one (found by fault-combos, seed 138704357, FC_RUNS=250 FC_PER_REPLY=2).
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { claimsSynced, convergenceOf, fromScratch as oracle, ok, settleConverged, startFaultApp, tableSnapshot } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TABLES = ['user', 'userauthorize', 'timezone', 'holiday', 'mulcarduser'];
const settle = (d: Device, rounds = 20) => settleConverged(t, reconciler, d.sim, rounds);
const rowsOf = (d: Device, pin: string) => d.sim.table('userauthorize').filter((r) => String(r.Pin) === pin).map((r) => `${r.AuthorizeTimezoneId}:${r.AuthorizeDoorId}`);
const refusalsOf = async (id: string) => t.ds.query(`SELECT what, return_code, refusals FROM device_refusal WHERE device_id = $1`, [id]);

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

/** A panel with one door and a level on it; two persons given it, settled. The refusal probe is held ten minutes off. */
async function panelWithTwo(sn: string, ip: string, level: string, pins: [string, string]): Promise<{ d: Device; id: string }> {
  const d = await Device.connect(t, sn, 1, ip);
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  const levelIds = await levelId(t, level);
  for (const pin of pins) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: levelIds }));
  await settle(d);
  const probe = { ...settingsOf(t).refusalProbe };
  settingsOf(t).refusalProbe = { baseMs: 600_000, maxMs: 600_000 };
  onTestFinished(() => {
    settingsOf(t).refusalProbe = probe;
  });
  const id = (await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]))[0].id as string;
  return { d, id };
}

/** The refusal's probe is due now; the reconciler and the panel run `rounds` times. */
async function probeNow(d: Device, id: string, rounds = 4): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await t.ds.query(`UPDATE device_refusal SET probe_at = now() WHERE device_id = $1`, [id]);
    await reconciler.runOnce();
    await reconciler.idle();
    await d.sim.pollUntilIdle({ maxPolls: 50 });
    await sleep(100);
  }
}

/** While the refusal holds: the panel is not said synced, and reconciler passes send it nothing (no update again and again). */
async function expectHeldQuietly(d: Device): Promise<void> {
  expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(false);
  const before = d.sim.received.length;
  for (let i = 0; i < 3; i++) {
    await reconciler.runOnce();
    await d.sim.pollUntilIdle({ maxPolls: 50 });
  }
  expect(d.sim.received.slice(before).map((c) => c.command)).toEqual([]);
}

describe('a deleted person\'s rights emptied on a panel that refused deleting them', () => {
  it('refused once with -1004: not said synced with the rows of no door; the probe deletes them once the panel takes deletes again', { timeout: 120_000 }, async () => {
    const { d, id } = await panelWithTwo('RRDPROBE01', '10.73.0.1', 'RRDP1', ['7341', '7342']);
    const refusal = d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize', -1004, 1);
    await ok(t.delete('/api/person/delete/7341'));
    await settle(d, 6);
    expect(refusal.used).toBe(1);
    // Fail closed: the right is emptied (no door), the person opens nothing.
    expect(rowsOf(d, '7341')).toEqual(['1:0']);
    expect(d.sim.evaluateAccess({ pin: '7341', door: 1 }).granted).toBe(false);
    expect(d.sim.evaluateAccess({ pin: '7342', door: 1 }).granted).toBe(true);
    // The panel holds a row a faultless one lacks: it is not said synced (it was, and stayed so for good).
    await expectHeldQuietly(d);

    // The probe comes due: the delete is tried again, taken, and the refusal goes with the rows.
    await probeNow(d, id);
    await settle(d);
    expect(rowsOf(d, '7341'), JSON.stringify(await refusalsOf(id))).toEqual([]);
    expect(await refusalsOf(id)).toEqual([]);
    expect(d.sim.evaluateAccess({ pin: '7342', door: 1 }).granted).toBe(true);
    const held = tableSnapshot(d.sim, TABLES);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
    expect(await oracle(t, reconciler, d.sim, TABLES)).toEqual(held);
  });

  it('refused every time: each probe tries the delete by Pin once, no full sync, and the panel is never said synced', { timeout: 120_000 }, async () => {
    const { d, id } = await panelWithTwo('RRDPROBE02', '10.73.0.2', 'RRDP2', ['7351', '7352']);
    const refusal = d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize', -1004, 'always');
    await ok(t.delete('/api/person/delete/7351'));
    await settle(d, 6);
    expect(rowsOf(d, '7351')).toEqual(['1:0']);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(false);
    const before = d.sim.received.length;
    const used = refusal.used;
    await probeNow(d, id, 3);
    const sent = d.sim.received.slice(before).map((c) => c.command);
    // One delete by Pin per probe, refused; nothing cleared, no table written again.
    expect(sent.filter((c) => c.startsWith('DATA DELETE userauthorize Pin=7351'))).toHaveLength(refusal.used - used);
    expect(refusal.used - used).toBeGreaterThanOrEqual(1);
    expect(refusal.used - used).toBeLessThanOrEqual(3);
    expect(sent.filter((c) => !c.startsWith('DATA DELETE userauthorize Pin=7351') && !c.startsWith('DATA COUNT'))).toEqual([]);
    expect(rowsOf(d, '7351')).toEqual(['1:0']);
    expect(await refusalsOf(id)).toMatchObject([{ what: 'DATA DELETE userauthorize', return_code: -1004 }]);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(false);
    expect(d.sim.evaluateAccess({ pin: '7351', door: 1 }).granted).toBe(false);
    expect(d.sim.evaluateAccess({ pin: '7352', door: 1 }).granted).toBe(true);
  });

  it('a stranger\'s row kept on the refused delete by Pin: the probe\'s full sync clears it once, and the panel is synced, not cleared again at every probe', { timeout: 120_000 }, async () => {
    const { d, id } = await panelWithTwo('RRDPROBE03', '10.73.0.3', 'RRDP3', ['7361', '7362']);
    d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize' && c.args.trim() !== '*', -1004, 1);
    await ok(t.delete('/api/person/delete/7361'));
    await settle(d, 6);
    expect(rowsOf(d, '7361')).toEqual(['1:0']);
    // A right the gateway never sent (another site's, entered at the panel); the panel registers again and is counted:
    // one row beyond those it confirmed, in a table whose deletes by Pin it refuses (the clear's key is apart).
    d.sim.addLocally('userauthorize', { Pin: '7399', AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 });
    await d.sim.connect();
    await settle(d, 6);
    expect((await convergenceOf(t, d.sim.sn)).unknownRows).toMatchObject([{ table: 'userauthorize', rows: 1 }]);
    const clears = () => d.sim.received.filter((c) => c.command === 'DATA DELETE userauthorize *').length;
    const before = clears();
    // The probe: a full sync, its clear taken. The rows it took off are no longer reported, and no probe clears again.
    await probeNow(d, id, 6);
    await settle(d);
    expect(rowsOf(d, '7399')).toEqual([]);
    expect(rowsOf(d, '7361')).toEqual([]);
    expect(clears()).toBe(before + 1);
    const c = await convergenceOf(t, d.sim.sn);
    expect(c.unknownRows, JSON.stringify(await refusalsOf(id))).toEqual([]);
    expect(claimsSynced(c)).toBe(true);
    expect(d.sim.evaluateAccess({ pin: '7362', door: 1 }).granted).toBe(true);
  });

  it('a time zone taken from a right on a panel refusing its delete: emptied, not said synced, deleted by Pin at the probe', { timeout: 120_000 }, async () => {
    const { d, id } = await panelWithTwo('RRDPROBE04', '10.73.0.4', 'RRDP4', ['7371', '7372']);
    // A second level on the same door in a time zone of its own: 7371 holds the door in two time zones.
    await ok(t.post('/api/gateway/timeSegments', { name: 'RRDP4-AM', schedule: { mon: [['08:00', '12:00']] } }));
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'RRDP4-AM', timeSegName: 'RRDP4-AM' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'RRDP4-AM', doorName: '10.73.0.4-1' }] }));
    const both = `${await levelId(t, 'RRDP4')},${await levelId(t, 'RRDP4-AM')}`;
    await ok(t.post('/api/person/add', { pin: '7371', name: 'P7371', accLevelIds: both }));
    await settle(d);
    const two = rowsOf(d, '7371');
    expect(two).toHaveLength(2);
    d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize', -1004, 1);
    // The morning level is taken away: its time zone is emptied (no door), the other stays.
    await ok(t.post('/api/person/add', { pin: '7371', name: 'P7371', accLevelIds: await levelId(t, 'RRDP4') }));
    await settle(d, 6);
    const left = rowsOf(d, '7371');
    expect(left).toHaveLength(2);
    expect(left.filter((r) => r.endsWith(':0'))).toHaveLength(1);
    expect(d.sim.evaluateAccess({ pin: '7371', door: 1 }).granted).toBe(true);
    // A row a faultless panel lacks: not said synced (it was, for good), and no update sent again and again.
    await expectHeldQuietly(d);

    // The probe: the rights deleted by Pin and written again, the row of no door gone.
    await probeNow(d, id);
    await settle(d);
    expect(rowsOf(d, '7371'), JSON.stringify(await refusalsOf(id))).toEqual(left.filter((r) => !r.endsWith(':0')));
    expect(await refusalsOf(id)).toEqual([]);
    const held = tableSnapshot(d.sim, TABLES);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
    expect(await oracle(t, reconciler, d.sim, TABLES)).toEqual(held);
  });
});
