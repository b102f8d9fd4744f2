/**
 * A large person set (2,000 persons with cards, fingerprints and faces) reaching a panel that loses a reply in the
 * middle of the sync, then is reset once while integrators keep writing (persons deleted, changed, templates
 * replaced). The panel ends holding exactly what the database gives (each record once; a delete never overtaken by
 * an older update), equal to the same panel factory-reset and synced again, and is never said synced before that.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { claimsSynced, convergenceOf, fromScratch, ok, settleConverged, tableSnapshot, startFaultApp } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { settingsOf } from '../push/push-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TABLES = ['user', 'userauthorize', 'timezone', 'holiday', 'mulcarduser', 'biodata'];
const snapshot = (d: Device) => tableSnapshot(d.sim, TABLES);
const settle = (d: Device, rounds = 30) => settleConverged(t, reconciler, d.sim, rounds);
const template = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');
const N = 2000;
const pinOf = (i: number) => String(20000 + i);

/** Runs `jobs` at most `n` at a time. */
async function pool(jobs: Array<() => Promise<void>>, n: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) await jobs[next++]();
  }));
}

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

describe('2,000 persons with cards and templates, a reply lost mid-way and a reset, writes racing them', () => {
  it('every record ends on the panel once, as the database gives it', { timeout: 300_000 }, async () => {
    const d = await Device.connect(t, 'BIGSET0001', 2, '10.81.0.1');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'BIG' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'BIG', doorName: '10.81.0.1-1' }] }));
    const big = await levelId(t, 'BIG');
    // Offline while the set is written, so the whole set is waiting when it polls.
    for (let b = 0; b < N; b += 1000) {
      const persons = Array.from({ length: 1000 }, (_, k) => ({ pin: pinOf(b + k), name: `P${b + k}`, cardNo: String(500000 + b + k), accLevelIds: big }));
      await ok(t.post('/api/v2/person/addPersons', persons));
    }
    const jobs: Array<() => Promise<void>> = [];
    for (let i = 0; i < N; i++) {
      if (i % 4 === 1) jobs.push(() => ok(t.post('/api/bioTemplate/add', { personId: pinOf(i), validType: '1', template: template(`f ${i}`), templateNo: String(i % 10) })));
      if (i % 10 === 0) jobs.push(() => ok(t.post('/api/bioTemplate/add', { personId: pinOf(i), validType: '1', template: template(`face ${i}`), templateNo: '0', bioType: '9' })));
    }
    await pool(jobs, 3);

    const steps: Array<{ at: Record<string, string[]>; synced: boolean }> = [];
    const look = async () => steps.push({ at: snapshot(d), synced: claimsSynced(await convergenceOf(t, d.sim.sn)) && d.sim.pendingAcks.length === 0 });
    // Mid-way: the second reply lost (three commands a reply, so that the set takes several).
    const settings = settingsOf(t);
    const perReply = settings.maxCommandsPerReply;
    settings.maxCommandsPerReply = 3;
    await d.sim.poll();
    d.sim.loseNextReply();
    await d.sim.poll();
    expect(d.sim.lostReplies).toHaveLength(1);
    // Writes while deliveries are out: deletes, changes, a template replaced, a person deleted and added again.
    for (let i = 0; i < 40; i++) await ok(t.delete(`/api/person/delete/${pinOf(i * 7)}`));
    await ok(t.post('/api/v2/person/addPersons', Array.from({ length: 40 }, (_, k) => ({ pin: pinOf(1000 + k * 3), name: `Q${k}`, cardNo: String(700000 + k), accLevelIds: big }))));
    await ok(t.post(`/api/bioTemplate/delete/${pinOf(1)}/1`));
    await ok(t.post('/api/bioTemplate/add', { personId: pinOf(1), validType: '1', template: template('f 1 again'), templateNo: '1' }));
    await ok(t.post('/api/person/add', { pin: pinOf(14), name: 'Back', cardNo: '799999', accLevelIds: big }));
    await sleep(250);
    await d.sim.poll();
    await d.sim.poll();
    await look();
    // Reset in the middle, results of the last reply never posted.
    d.sim.holdResults();
    await d.sim.poll();
    d.sim.stopHoldingResults();
    await d.sim.factoryReset();
    await look();
    // And writes right after the reset, before its count is answered.
    for (let i = 40; i < 60; i++) await ok(t.delete(`/api/person/delete/${pinOf(i * 7)}`));
    await ok(t.post('/api/person/add', { pin: pinOf(1003), name: 'Q1 again', cardNo: '711111', accLevelIds: big }));
    for (let i = 0; i < 30; i++) {
      await reconciler.idle();
      await d.sim.poll();
      await look();
      await reconciler.runOnce();
      await sleep(60);
    }
    await settle(d);
    settings.maxCommandsPerReply = perReply;

    const incremental = snapshot(d);
    const c = await convergenceOf(t, d.sim.sn);
    // The database, read directly: every member once, with its newest card and its templates.
    const users = d.sim.table('user');
    expect(users.length).toBe(N - 60 + 1);
    expect(new Set(users.map((u) => u.Pin)).size).toBe(users.length);
    expect(users.find((u) => u.Pin === pinOf(14))?.CardNo).toBe('799999');
    expect(users.find((u) => u.Pin === pinOf(1003))?.CardNo).toBe('711111');
    expect(users.find((u) => u.Pin === pinOf(1006))?.CardNo).toBe('700002');
    for (let i = 0; i < 60; i++) if (i * 7 !== 14) expect(users.some((u) => u.Pin === pinOf(i * 7)), pinOf(i * 7)).toBe(false);
    expect(d.sim.table('userauthorize')).toHaveLength(N - 60 + 1);
    const dbTemplates = Number((await t.ds.query(`SELECT count(*)::int AS n FROM bio_template`))[0].n);
    expect(d.sim.table('biodata')).toHaveLength(dbTemplates);
    expect(d.sim.table('biodata').find((r) => r.Pin === pinOf(1) && r.Type === '1')?.Tmp).toBe(template('f 1 again'));

    const truth = await fromScratch(t, reconciler, d.sim, TABLES);
    expect(incremental).toEqual(truth);
    expect(c).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    for (const [i, s] of steps.entries()) if (s.synced) expect(JSON.stringify(s.at) === JSON.stringify(truth), `step ${i} said synced`).toBe(true);
  });
});
