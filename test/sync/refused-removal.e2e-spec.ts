/**
 * A removal the firmware refuses for good: a panel answering -1004 to `DATA DELETE user Pin=` keeps the user of a
 * person who left (their rights, deleted by their own command, are gone). Nothing but the refusal's probe sends that
 * delete again. The panel holds what the database does not give, so it is divergent (README, Convergence), with the
 * refusal and its probe named; the person's answer says refused; /metrics counts the panel and its item as the view does. A later change settles it (the person
 * added again, the panel reset and filled again, or deleted from the gateway and registered as new), and nothing loops
 * meanwhile: one delete by PIN per probe, nothing else.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId, PHOTO } from './access-helpers';
import { claimsSynced, convergenceOf, fromScratch, ok, tableSnapshot, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((a) => ({ t, reconciler } = a));

const TABLES = ['user', 'userauthorize', 'timezone'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reconciler passes and polls, 250 ms apart (the fault app probes refusals every 200-400 ms); the commands sent. */
async function rounds(d: Device, n: number): Promise<string[]> {
  const before = d.sim.received.length;
  for (let i = 0; i < n; i++) {
    await sleep(250);
    await reconciler.runOnce();
    await reconciler.idle();
    await d.sim.pollUntilIdle({ maxPolls: 50 });
  }
  return d.sim.received.slice(before).map((c) => c.command);
}

/** A gauge's value in /metrics. */
async function metric(name: string): Promise<number> {
  const line = new RegExp(`^${name} (\\S+)$`, 'm').exec((await t.request('GET', '/metrics')).text);
  expect(line, name).not.toBeNull();
  return Number(line![1]);
}

/** The panels of this file, for the gauges' sums. */
const made: string[] = [];

/** /metrics against the convergence views of this file's panels (the only ones of the app): the same counts. */
async function expectGaugesAsViews(): Promise<void> {
  const views = await Promise.all(made.map((sn) => convergenceOf(t, sn)));
  expect(await metric('cvgw_sync_divergent_devices'), JSON.stringify(views)).toBe(views.filter((v) => v.divergent).length);
  expect(await metric('cvgw_sync_failing_items'), JSON.stringify(views)).toBe(views.reduce((n, v) => n + Number(v.failingItems), 0));
}

/**
 * A panel in a level of its own with one person on it, then refusing every `DATA DELETE user` with -1004, the person
 * deleted. `photoRefused`: the panel refuses its photo table for good too (-1004, a firmware without biophoto).
 */
async function refusedRemoval(n: number, photoRefused = false): Promise<{ d: Device; sn: string; pin: string; person: Record<string, string> }> {
  const sn = `RRM0000${n}`;
  const ip = `10.94.0.${n}`;
  const d = await Device.connect(t, sn, 1, ip);
  made.push(sn);
  if (photoRefused) d.sim.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'biophoto', -1004, 'always');
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `RRM${n}` }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: `RRM${n}`, doorName: `${ip}-1` }] }));
  const pin = `94${n}1`;
  const person: Record<string, string> = { pin, name: 'Ann', accLevelIds: await levelId(t, `RRM${n}`), ...(photoRefused ? { personPhoto: PHOTO } : {}) };
  await ok(t.post('/api/person/add', person));
  await rounds(d, 3);
  expect((await convergenceOf(t, sn)).state).toBe(photoRefused ? 'refused' : 'synced');
  d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'user', -1004, 'always');
  await ok(t.delete(`/api/person/delete/${pin}`));
  await rounds(d, 4);
  expect(d.sim.user(pin)).toMatchObject({ Name: 'Ann' });
  expect(d.sim.rightsOf(pin)).toEqual([]);
  return { d, sn, pin, person };
}

describe('a panel refusing for good to delete a user', () => {
  it('keeps the person who left: divergent with the refusal named, in the view and in /metrics alike; only the probe sends the delete', async () => {
    const { d, sn, pin } = await refusedRemoval(1);
    // The panel holds a user the database no longer gives (a card in its record would still be read): honestly
    // divergent, the refusal and its probe listed, the person's answer saying why (refused).
    const c = await convergenceOf(t, sn);
    expect(c, JSON.stringify(c)).toMatchObject({ state: 'divergent', divergent: true, failingItems: 1, unconfirmedItems: 1, refused: ['DATA DELETE user'] });
    // The refusal's items count the user it keeps on the panel (they counted only wanted items held back: 0 items).
    expect((c.refusals as Array<{ what: string; returnCode: number; probeAt: string | null; items: number }>).map((r) => [r.what, r.returnCode, !!r.probeAt, r.items])).toEqual([['DATA DELETE user', -1004, true, 1]]);
    const person = (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data.find((x: { deviceSn: string }) => x.deviceSn === sn);
    expect(person, JSON.stringify(person)).toMatchObject({ state: 'refused', holds: false, refused: ['DATA DELETE user'], lastReturn: -1004 });
    // /metrics says what the view says (every other panel of the file has converged, none comes before this one): the
    // refused delete's item was left out of both gauges as if a refused write kept it off, a divergent panel unseen.
    expect(await metric('cvgw_sync_divergent_devices')).toBe(1);
    expect(await metric('cvgw_sync_failing_items')).toBe(1);
    await expectGaugesAsViews();

    // Nothing loops: each probe tries the delete by PIN once, nothing else. The rights' delete, taken and confirmed
    // before the user's was refused, is not sent again with each probe (it was: the panel was asked to delete rights it
    // was known not to hold, at every probe).
    const sent = await rounds(d, 8);
    const deletes = sent.filter((s) => s === `DATA DELETE user Pin=${pin}`).length;
    expect(deletes).toBeGreaterThanOrEqual(1);
    expect(deletes).toBeLessThanOrEqual(8);
    expect(sent.filter((s) => s !== `DATA DELETE user Pin=${pin}` && !s.startsWith('DATA COUNT'))).toEqual([]);
    expect(await convergenceOf(t, sn)).toMatchObject({ state: 'divergent', failingItems: 1 });
    expect(await metric('cvgw_sync_failing_items')).toBe(1);
  });

  it('a panel refusing its photo table too, with the same Return: the refused photo write does not hide the refused delete from /metrics', async () => {
    // The gauges matched a refusal by its Return code alone: the user's -1004 was taken for the photo table's -1004,
    // as if a refused write kept the user off, and the divergent panel was left out.
    const { sn } = await refusedRemoval(5, true);
    const c = await convergenceOf(t, sn);
    expect(c, JSON.stringify(c)).toMatchObject({ state: 'divergent', divergent: true, failingItems: 1 });
    expect([...(c.refused as string[])].sort()).toEqual(['DATA DELETE user', 'DATA UPDATE biophoto']);
    // Each refusal's items are its own: the user the refused delete keeps, no photo (the person left).
    expect(Object.fromEntries((c.refusals as Array<{ what: string; items: number }>).map((r) => [r.what, r.items]))).toEqual({ 'DATA DELETE user': 1, 'DATA UPDATE biophoto': 0 });
    await expectGaugesAsViews();
  });

  it('the person added again: the panel holds them as the database gives, synced, and quiet', async () => {
    const { d, sn, pin, person } = await refusedRemoval(2);
    await ok(t.post('/api/person/add', person));
    await rounds(d, 6);
    expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    expect(d.sim.rightsOf(pin).map((r) => r.doors)).toEqual([[1]]);
    expect(await rounds(d, 4)).toEqual([]);
    const held = tableSnapshot(d.sim, TABLES);
    d.sim.clearFaults();
    expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(held);
  });

  it('the panel reset (its tables wiped): filled again without the user, synced, and quiet', async () => {
    const { d, sn, pin } = await refusedRemoval(3);
    await d.sim.factoryReset();
    await rounds(d, 8);
    expect(d.sim.user(pin)).toBeUndefined();
    expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    expect(await rounds(d, 4)).toEqual([]);
  });

  it('the panel deleted from the gateway and registered again (a replaced board): synced, and quiet', async () => {
    const { d, sn, pin } = await refusedRemoval(4);
    await ok(t.delete(`/api/gateway/devices/${sn}`));
    await d.sim.factoryReset();
    await rounds(d, 8);
    expect(d.sim.user(pin)).toBeUndefined();
    expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    expect(await rounds(d, 4)).toEqual([]);
  });
});
