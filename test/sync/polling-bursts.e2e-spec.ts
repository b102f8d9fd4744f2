/**
 * A four-door panel that polls on its own timer (as real firmware does) while an integrator writes in bursts over
 * REST: persons with cards, fingerprints and face photos, levels on doors with a time segment, then edits and
 * deletes, with faults meanwhile (lost getrequest replies, results the panel applied and never posted, one command
 * of a batch refused with a negative Return, a factory reset). Whenever the convergence answer says the panel is
 * synced after the last write, the panel holds exactly what the same panel reset and synced from scratch holds;
 * and at the end it does.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId, PHOTO } from './access-helpers';
import { claimsSynced, convergenceOf, fromScratch, ok, settleConverged, startFaultApp, tableSnapshot } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const TABLES = ['user', 'userauthorize', 'timezone', 'biodata', 'biophoto'];
const template = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

it('bursts of REST writes to a panel polling on its own, through faults: never said synced while it differs', async () => {
  const ip = '10.73.0.1';
  const d = await Device.connect(t, 'BURST0001', 4, ip);
  const sim = d.sim;
  let running = true;
  let pollError: unknown = null;
  // The panel's own timer: a poll every 40 ms, its results posted as it executes.
  const poller = (async () => {
    while (running) {
      try {
        await sim.poll();
      } catch (e) {
        pollError = e;
      }
      await sleep(40);
    }
  })();

  try {
    await ok(t.post('/api/gateway/timeSegments', { name: 'BurstDay', schedule: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']] } }));
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'BA' }, { name: 'BB', timeSegName: 'BurstDay' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', {
      accApiLevelAddDoorItems: [
        { levelName: 'BA', doorName: `${ip}-1` },
        { levelName: 'BA', doorName: `${ip}-2` },
        { levelName: 'BB', doorName: `${ip}-3` },
        { levelName: 'BB', doorName: `${ip}-4` },
      ],
    }));
    const ba = await levelId(t, 'BA');
    const bb = await levelId(t, 'BB');
    const pin = (k: number) => String(6100 + k);

    // Burst 1, while replies are lost and one rights command of the batch is refused once.
    sim.loseNextReply(2);
    sim.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'userauthorize' && c.args.includes(`Pin=${pin(3)}`), -1004, 1);
    for (let k = 1; k <= 24; k++) {
      await ok(t.post('/api/person/add', { pin: pin(k), name: `B${k}`, cardNo: String(61000 + k), accLevelIds: k % 3 === 0 ? bb : k % 3 === 1 ? ba : `${ba},${bb}`, ...(k % 4 === 0 ? { personPhoto: PHOTO } : {}) }));
    }
    // Burst 2: fingerprints, the panel applying some and its results never arriving.
    sim.holdResults((c) => c.verb === 'DATA UPDATE' && c.table === 'biodata');
    for (let k = 1; k <= 8; k++) await ok(t.post('/api/bioTemplate/add', { personId: pin(k), validType: '1', template: template(`b${k}`), templateNo: '1' }));
    await sleep(300);
    sim.dropHeldResults();
    sim.stopHoldingResults();
    // Burst 3: edits and deletes; the panel is factory reset in the middle.
    await ok(t.post('/api/person/add', { pin: pin(1), name: 'B1 again', cardNo: '61901', accLevelIds: bb }));
    await ok(t.delete(`/api/person/delete/${pin(2)}`));
    await ok(t.post('/api/accLevel/deleteLevel', null, { pin: pin(5), levelIds: ba }));
    await sim.factoryReset();
    await ok(t.post('/api/bioTemplate/add', { personId: pin(9), validType: '1', template: template('b9'), templateNo: '2' }));
    await ok(t.delete(`/api/person/delete/${pin(4)}`));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'BB', doorName: `${ip}-1` }] }));

    // After the last write: every moment the panel is said synced, note what it holds.
    const claimed: Array<Record<string, string[]>> = [];
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      await reconciler.runOnce();
      if (claimsSynced(await convergenceOf(t, sim.sn)) && sim.pendingAcks.length === 0) {
        claimed.push(tableSnapshot(sim, TABLES));
        if (claimed.length >= 5) break;
      }
      await sleep(150);
    }
    expect(claimed.length, 'the panel was never said synced').toBeGreaterThan(0);
    running = false;
    await poller;
    expect(pollError).toBeNull();
    await settleConverged(t, reconciler, sim);
    const now = tableSnapshot(sim, TABLES);
    const truth = await fromScratch(t, reconciler, sim, TABLES);
    for (const c of claimed) expect(c).toEqual(truth);
    expect(now).toEqual(truth);
    expect(truth.user.map((u) => /Pin=(\d+)/.exec(u)![1]).sort()).toEqual(Array.from({ length: 24 }, (_, i) => pin(i + 1)).filter((p) => p !== pin(2) && p !== pin(4)).sort());
    expect(truth.biophoto).toHaveLength(5);
  } finally {
    running = false;
    await poller;
  }
});
