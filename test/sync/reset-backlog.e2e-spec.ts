/**
 * A panel that registers again while writes wait for it (it was offline while integrators wrote) counts its tables
 * before those writes reach it (SyncReconciler.countFirst): a panel reset meanwhile is found by a count judged against
 * what it confirmed alone, and gets a full sync, not the writes planned against its old content; a panel that kept
 * its tables gets the writes right after its count, and no full sync.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { claimsSynced, convergenceOf, ok, panelFault, settleConverged, tableSnapshot, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const TABLES = ['user', 'userauthorize', 'timezone'];
const users = (d: Device) => d.sim.table('user').map((u) => [u.Pin, u.Name]).sort();

/** A panel with a level on its door 1 and one person of it, synced. */
async function panelWithPerson(sn: string, ip: string, level: string, pin: string): Promise<{ d: Device; level: string }> {
  const d = await Device.connect(t, sn, 1, ip);
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  const id = await levelId(t, level);
  await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: id }));
  await settleConverged(t, reconciler, d.sim);
  expect(users(d)).toEqual([[pin, `P${pin}`]]);
  return { d, level: id };
}

/** The commands the panel received from index `from` on (a multi-record command's records joined by LF). */
const receivedSince = (d: Device, from: number) => d.sim.received.slice(from).map((r) => [r.command, ...r.continuation].join('\n'));

describe('a panel reset while offline, with a write waiting for it', () => {
  it('counts before the waiting write: the user it lost is found even when the count is answered first, and the write never reaches it ahead of the full sync', async () => {
    const { d, level } = await panelWithPerson('RBACK0001', '10.52.0.1', 'RB1', '5201');
    // Offline: a person added. Then the panel is reset and comes back.
    await ok(t.post('/api/person/add', { pin: '5202', name: 'P5202', accLevelIds: level }));
    const from = d.sim.received.length;
    expect((await d.sim.factoryReset()).registered).toBe(true);
    await reconciler.idle();
    await reconciler.runOnce();
    // Its first reply's results are posted last one first: the counts are read before the writes ahead of them.
    await panelFault('hold', d.sim, { count: 0 });
    await settleConverged(t, reconciler, d.sim);
    // Before: the count (1 user: the one the write put back) matched the one user it confirmed, and the panel was
    // said synced without 5201.
    expect(users(d)).toEqual([
      ['5201', 'P5201'],
      ['5202', 'P5202'],
    ]);
    expect(claimsSynced(await convergenceOf(t, 'RBACK0001'))).toBe(true);
    // The write planned before the reset did not reach the reset panel: 5202 came with the full sync, after its clear.
    const got = receivedSince(d, from);
    const clear = got.indexOf('DATA DELETE user *');
    expect(clear).toBeGreaterThanOrEqual(0);
    expect(got.findIndex((c) => c.includes('Pin=5202'))).toBeGreaterThan(clear);
    expect(got.findIndex((c) => c.startsWith('DATA COUNT user'))).toBeLessThan(clear);
    expect(tableSnapshot(d.sim, TABLES).userauthorize).toHaveLength(2);
    expect(d.sim.table('timezone').length).toBeGreaterThan(0);
  });
});

describe('a panel that kept its tables, back with writes waiting for it', () => {
  it('gets the writes right after its count, and no full sync', async () => {
    const { d, level } = await panelWithPerson('RBACK0002', '10.52.0.2', 'RB2', '5301');
    // Offline: a person added, the first one renamed. Then the panel comes back (a reboot: its tables kept).
    await ok(t.post('/api/person/add', { pin: '5302', name: 'P5302', accLevelIds: level }));
    await ok(t.post('/api/person/add', { pin: '5301', name: 'Renamed', accLevelIds: level }));
    const from = d.sim.received.length;
    expect((await d.sim.connect()).registered).toBe(true);
    await settleConverged(t, reconciler, d.sim);
    expect(users(d)).toEqual([
      ['5301', 'Renamed'],
      ['5302', 'P5302'],
    ]);
    expect(claimsSynced(await convergenceOf(t, 'RBACK0002'))).toBe(true);
    const got = receivedSince(d, from);
    expect(got).not.toContain('DATA DELETE user *');
    const count = got.findIndex((c) => c.startsWith('DATA COUNT user'));
    expect(count).toBeGreaterThanOrEqual(0);
    expect(got.findIndex((c) => c.startsWith('DATA UPDATE user'))).toBeGreaterThan(count);
  });
});
