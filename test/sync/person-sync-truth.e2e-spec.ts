/**
 * What a person's device answer (`GET /api/gateway/persons/{pin}/devices`) says of sync is true when it is read,
 * whatever the panel met: `synced`, `holds` and a `confirmedAt` time only while the panel holds of the person
 * exactly what the database gives (read through REST alone: db-oracle.ts), and the device's convergence answer
 * likewise. `confirmedAt` reads as "in sync since": a panel that confirmed an earlier version and has a later change
 * on its way, refused or unanswered has none (`lastConfirmedAt` keeps when it last confirmed anything of them).
 * Each case plays a fault against REST writes of the same person, checks the answers after every poll, and ends
 * with the panel equal to the database and said so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { claimsSynced, commandsPerReply, convergenceOf, ok, resultReplyLoss, settleConverged, startFaultApp, tableSnapshot } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { accessFromDatabase, accessRowsOf, type LevelOnPanel } from './db-oracle';

let t: TestApp;
let reconciler: SyncReconciler;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lost = resultReplyLoss();
const TABLES = ['user', 'userauthorize', 'mulcarduser'];
const DATE_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

interface PersonOnDevice {
  deviceSn: string;
  state: string;
  holds: boolean;
  confirmedAt: string | null;
  lastConfirmedAt: string | null;
}

/** A panel posting its results again when their answer is lost (through `lost`), with a level per door (time zone 1). */
async function panel(sn: string, doors: number, ip: string, prefix: string): Promise<{ d: Device; levels: LevelOnPanel[] }> {
  const d = await Device.connect(t, sn, doors, ip, { retryResults: true, fetch: lost.fetch });
  const levels: LevelOnPanel[] = [];
  for (let door = 1; door <= doors; door++) {
    const name = `${prefix}${door}`;
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: name, doorName: `${ip}-${door}` }] }));
    levels.push({ id: await levelId(t, name), tz: 1, doors: new Set([door]) });
  }
  return { d, levels };
}

async function personOn(pin: string, sn: string): Promise<PersonOnDevice | undefined> {
  const rows = ((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data ?? []) as PersonOnDevice[];
  return rows.find((r) => r.deviceSn === sn);
}

/** The answers, read now, claim nothing the panel does not hold (`at` names the moment in a failure). */
async function expectTrue(at: string, d: Device, levels: LevelOnPanel[], pins: string[]): Promise<void> {
  const want = await accessFromDatabase(t, pins, levels, false);
  const have = accessRowsOf(tableSnapshot(d.sim, TABLES), pins);
  const c = await convergenceOf(t, d.sim.sn);
  if (claimsSynced(c)) expect(have, `${at}: ${d.sim.sn} said synced`).toEqual(want);
  for (const pin of pins) {
    const mine = await personOn(pin, d.sim.sn);
    if (!mine) continue;
    if (mine.state !== 'synced') expect(mine.confirmedAt, `${at}: ${pin} is ${mine.state}, yet has a confirmedAt`).toBeNull();
    if (mine.state === 'synced' || mine.holds || mine.confirmedAt) {
      expect(accessRowsOf(have, [pin]), `${at}: ${pin} said ${mine.state}, holds ${mine.holds}, confirmedAt ${mine.confirmedAt}`).toEqual(accessRowsOf(want, [pin]));
    }
  }
}

/** Polls and reconciles, the answers checked after every poll, until the panel settles; it ends equal to the database and said so. */
async function throughToTheEnd(label: string, d: Device, levels: LevelOnPanel[], pins: string[], rounds = 8): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    await d.sim.poll();
    await expectTrue(`${label} poll ${i}`, d, levels, pins);
    await sleep(80);
    await reconciler.runOnce();
  }
  await settleConverged(t, reconciler, d.sim);
  await expectTrue(`${label} settled`, d, levels, pins);
  expect(accessRowsOf(tableSnapshot(d.sim, TABLES), pins), label).toEqual(await accessFromDatabase(t, pins, levels, false));
  expect(claimsSynced(await convergenceOf(t, d.sim.sn)), label).toBe(true);
  for (const pin of pins) {
    const mine = await personOn(pin, d.sim.sn);
    if (mine) expect(mine, `${label}: ${pin}`).toMatchObject({ state: 'synced', confirmedAt: expect.stringMatching(DATE_TIME) });
  }
}

// Generous: every poll reads the answers back, and the embedded database under load takes a few seconds a case.
describe("a person's device answer says synced, and gives a confirmedAt, only while the panel holds what the database gives", { timeout: 120_000 }, () => {
  it('a grant refused once (-12): divergent without confirmedAt, its earlier confirmation in lastConfirmedAt; synced with one once retried', async () => {
    const { d, levels } = await panel('PST000001', 2, '10.94.0.1', 'PSA');
    await ok(t.post('/api/person/add', { pin: '9401', name: 'Ann', accLevelIds: levels[0].id }));
    await settleConverged(t, reconciler, d.sim);
    const before = await personOn('9401', 'PST000001');
    expect(before).toMatchObject({ state: 'synced', holds: true, confirmedAt: expect.stringMatching(DATE_TIME) });
    expect(before!.lastConfirmedAt).toBe(before!.confirmedAt);

    // Written while the panel does not poll: the change is on its way, the panel holds the earlier rights.
    await ok(t.post('/api/accLevel/addLevelPerson', null, { pin: '9401', levelIds: levels[1].id }));
    expect(await personOn('9401', 'PST000001')).toMatchObject({ state: 'pending', confirmedAt: null, lastConfirmedAt: before!.lastConfirmedAt });

    // Refused: nothing is on its way until the retry, and the panel still lacks door 2.
    const refusal = d.sim.failCommands((c) => c.table === 'userauthorize', -12, 1);
    await d.sim.poll();
    expect(refusal.used).toBe(1);
    expect(d.sim.rightsOf('9401').map((r) => r.doors)).toEqual([[1]]);
    expect(await personOn('9401', 'PST000001')).toMatchObject({ state: 'divergent', holds: false, lastReturn: -12, confirmedAt: null, lastConfirmedAt: expect.stringMatching(DATE_TIME) });
    await throughToTheEnd('retried', d, levels, ['9401']);
  });

  it('a lost devicecmd answer, then an edit of the same person before the results come again', async () => {
    const { d, levels } = await panel('PST000002', 2, '10.94.0.2', 'PSB');
    await ok(t.post('/api/person/add', { pin: '9411', name: 'Bob', cardNo: '94111', accLevelIds: levels[0].id }));
    await settleConverged(t, reconciler, d.sim);
    await ok(t.post('/api/person/add', { pin: '9411', name: 'Bob B', cardNo: '94112', accLevelIds: levels[1].id }));
    lost.count = 1;
    await d.sim.poll();
    await expectTrue('answer lost', d, levels, ['9411']);
    await ok(t.post('/api/person/add', { pin: '9411', name: 'Bob C', cardNo: '94113', accLevelIds: `${levels[0].id},${levels[1].id}` }));
    await expectTrue('edited', d, levels, ['9411']);
    await throughToTheEnd('lost answer', d, levels, ['9411']);
    expect(lost.count).toBe(0);
  });

  it('a person deleted while the panel holds back the results of their add', async () => {
    const { d, levels } = await panel('PST000003', 2, '10.94.0.3', 'PSC');
    await ok(t.post('/api/person/add', { pin: '9421', name: 'Cid', accLevelIds: levels[0].id }));
    d.sim.holdResults();
    await d.sim.poll();
    d.sim.stopHoldingResults();
    await expectTrue('add held', d, levels, ['9421']);
    await ok(t.delete('/api/person/delete/9421'));
    await expectTrue('deleted', d, levels, ['9421']);
    await d.sim.releaseResults();
    await expectTrue('add answered', d, levels, ['9421']);
    await throughToTheEnd('deleted', d, levels, ['9421']);
    expect(d.sim.user('9421')).toBeUndefined();
  });

  it('a revoke refused once (-1002) while the grant before it waits for its Return', async () => {
    const { d, levels } = await panel('PST000004', 2, '10.94.0.4', 'PSD');
    await ok(t.post('/api/person/add', { pin: '9431', name: 'Dee', accLevelIds: levels[0].id }));
    await settleConverged(t, reconciler, d.sim);
    await ok(t.post('/api/accLevel/addLevelPerson', null, { pin: '9431', levelIds: levels[1].id }));
    d.sim.holdResults();
    await d.sim.poll();
    d.sim.stopHoldingResults();
    await ok(t.post('/api/accLevel/deleteLevel', null, { pin: '9431', levelIds: levels[1].id }));
    d.sim.failCommands((c) => c.verb === 'DATA DELETE', -1002, 1);
    await d.sim.poll();
    await expectTrue('revoke refused', d, levels, ['9431']);
    await d.sim.releaseResults();
    await expectTrue('grant answered', d, levels, ['9431']);
    await throughToTheEnd('revoke refused', d, levels, ['9431']);
  });

  it('levels changed while offline, then the panel registers again with fewer doors (LockCount 4 to 2)', async () => {
    const { d, levels } = await panel('PST000005', 4, '10.94.0.5', 'PSE');
    await ok(t.post('/api/person/add', { pin: '9441', name: 'Eve', accLevelIds: levels[0].id }));
    await ok(t.post('/api/person/add', { pin: '9442', name: 'Eli', accLevelIds: levels[3].id }));
    await settleConverged(t, reconciler, d.sim);
    await ok(t.post('/api/accLevel/addLevelPerson', null, { pin: '9441', levelIds: `${levels[2].id},${levels[3].id}` }));
    await ok(t.post('/api/accLevel/addLevelPerson', null, { pin: '9442', levelIds: levels[1].id }));
    await d.sim.reconfigure({ doors: 2 });
    // Doors 3 and 4 are gone from the panel: what it should hold is what levels on doors 1 and 2 give.
    await expectTrue('registered again', d, levels.slice(0, 2), ['9441', '9442']);
    await throughToTheEnd('fewer doors', d, levels.slice(0, 2), ['9441', '9442']);
  });

  it('one line of a multi-line DATA UPDATE user refused (-12), the other lines written', async () => {
    const { d, levels } = await panel('PST000006', 2, '10.94.0.6', 'PSF');
    const pins = ['9451', '9452', '9453', '9454'];
    const refusal = d.sim.failRecords((table, r) => table === 'user' && String(r.Pin) === '9452', -12, 1);
    for (const pin of pins) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: levels[0].id }));
    await throughToTheEnd('one line refused', d, levels, pins);
    expect(refusal.used).toBe(1);
  });

  it('a reply whose results come back for only some of its commands, then an edit', async () => {
    const { d, levels } = await panel('PST000007', 2, '10.94.0.7', 'PSG');
    const pins = ['9461', '9462'];
    for (const pin of pins) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: levels[0].id }));
    d.sim.holdResults((c) => c.table === 'userauthorize');
    await d.sim.poll();
    d.sim.stopHoldingResults();
    expect(d.sim.dropHeldResults().length).toBeGreaterThan(0);
    await expectTrue('results missing', d, levels, pins);
    await ok(t.post('/api/accLevel/deleteLevel', null, { pin: '9461', levelIds: levels[0].id }));
    await expectTrue('edited', d, levels, pins);
    await throughToTheEnd('results missing', d, levels, pins);
  });

  it('a panel reset (event 6016) in the middle of the full sync that followed its registration', { timeout: 240_000 }, async () => {
    const { d, levels } = await panel('PST000008', 2, '10.94.0.8', 'PSH');
    const pins = Array.from({ length: 8 }, (_, i) => String(9470 + i));
    for (const [i, pin] of pins.entries()) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: levels[i % 2].id }));
    await settleConverged(t, reconciler, d.sim);
    commandsPerReply(t, 1);
    expect((await d.sim.factoryReset()).registered).toBe(true);
    for (let i = 0; i < 4; i++) {
      await d.sim.poll();
      await expectTrue(`full sync, poll ${i}`, d, levels, pins);
    }
    await d.sim.factoryResetInPlace(new Date());
    await expectTrue('reset', d, levels, pins);
    await throughToTheEnd('reset in a full sync', d, levels, pins, 20);
  });
});
