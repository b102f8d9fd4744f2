/**
 * Fault combinations an outside black-box suite plays against access panels, not covered by the other fault specs:
 * results held across a re-registration that changes how the panel stores cards; results answered twice, results
 * for ids never handed out and for another panel's command ids; a person deleted and added again while the add's
 * results are held, posted late after the delete. Each test asserts the exact command lines the panel received,
 * ends with the panel's user, userauthorize and mulcarduser tables equal to what the database gives (read through
 * REST, db-oracle.ts), and the convergence answer saying synced with nothing pending.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { accessFromDatabase, accessRowsOf } from './db-oracle';
import { claimsSynced, convergenceOf, ok, settleConverged, tableSnapshot, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const ACCESS = ['user', 'userauthorize', 'mulcarduser'];

/** A one-door panel connected and idle, in a new level of its own (time zone 1): the panel and the level. */
async function panel(sn: string, ip: string, extras: Record<string, string | number> = {}): Promise<{ d: Device; level: { id: string; tz: number; doors: Set<number> } }> {
  const d = await Device.connect(t, sn, 1, ip, { registryExtras: extras });
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: sn }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: sn, doorName: `${ip}-1` }] }));
  await settleConverged(t, reconciler, d.sim);
  d.mark();
  return { d, level: { id: await levelId(t, sn), tz: 1, doors: new Set([1]) } };
}

/** The panel holds exactly what the database gives for `pins`, and is said synced with nothing pending. */
async function expectEqualAndSynced(d: Device, pins: string[], levels: Array<{ id: string; tz: number; doors: Set<number> }>, mulCard: boolean): Promise<void> {
  await settleConverged(t, reconciler, d.sim);
  expect(accessRowsOf(tableSnapshot(d.sim, ACCESS), pins)).toEqual(await accessFromDatabase(t, pins, levels, mulCard));
  const c = await convergenceOf(t, d.sim.sn);
  expect(claimsSynced(c), JSON.stringify(c)).toBe(true);
  expect(c).toMatchObject({ failingItems: 0, owed: [] });
}

describe('results held across a re-registration that turns multi-card on', () => {
  it('the late successes of the old-dialect writes do not make the gateway believe the card is in mulcarduser', async () => {
    const { d, level } = await panel('OUTH-DIAL1', '10.41.0.1', { MulCardUserFunOn: 0 });
    d.sim.holdResults();
    await ok(t.post('/api/person/add', { pin: '4101', name: 'Ada', cardNo: '410001', accLevelIds: level.id }));
    await reconciler.idle();
    const ran = await d.sim.poll();
    expect(ran.map((r) => r.line)).toEqual([
      expect.stringMatching(/^C:\d+:DATA UPDATE user CardNo=410001\tPin=4101\tPassword=\tStartTime=0\tEndTime=0\tName=Ada\tPrivilege=0\tDisable=0$/),
      expect.stringMatching(/^C:\d+:DATA UPDATE userauthorize Pin=4101\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1$/),
    ]);
    expect(d.sim.pendingAcks).toHaveLength(2);
    // The installer turns multi-card on and the panel registers again before its results reach the gateway.
    d.sim.stopHoldingResults();
    expect((await d.sim.reconfigure({ registryExtras: { MulCardUserFunOn: 1 } })).registered).toBe(true);
    await reconciler.idle();
    await d.sim.releaseResults();
    await expectEqualAndSynced(d, ['4101'], [level], true);
    expect(d.sim.table('mulcarduser')).toEqual([expect.objectContaining({ Pin: '4101', CardNo: (410001).toString(16).toUpperCase() })]);
    expect(d.sim.evaluateAccess({ cardno: '410001', door: 1 })).toMatchObject({ granted: true, pin: '4101' });
  });
});

describe('results answered twice, and results for ids the panel was never given', () => {
  it('a duplicate refusal of an answered grant, and foreign and unknown ids refusing, change nothing', async () => {
    const a = await panel('OUTH-DUP1', '10.41.1.1');
    const b = await panel('OUTH-DUP2', '10.41.1.2');
    await ok(t.post('/api/person/add', { pin: '4201', name: 'Bo', cardNo: '420001', accLevelIds: `${a.level.id},${b.level.id}` }));
    await reconciler.idle();
    // Panel b does not poll yet: its commands are pending, their ids not yet attempts.
    const got = await a.d.sim.poll();
    expect(got.map((r) => [r.command, r.result])).toEqual([
      ['DATA UPDATE user CardNo=420001\tPin=4201\tPassword=\tStartTime=0\tEndTime=0\tName=Bo\tPrivilege=0\tDisable=0', 0],
      ['DATA UPDATE userauthorize Pin=4201\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1', 0],
    ]);
    // b is handed its commands and runs them, with its results held.
    b.d.sim.holdResults();
    const bGot = await b.d.sim.poll();
    expect(bGot.map((r) => r.command)).toEqual(got.map((r) => r.command));
    a.d.mark();
    b.d.mark();
    // a posts its results again, now refused, and results for b's ids and for ids never handed out, refused too.
    const body = (ids: string[], code: number) => ids.map((id) => `ID=${id}&Return=${code}&CMD=DATA`).join('\n') + '\n';
    for (const [ids, code] of [
      [got.map((r) => r.id), -1002],
      [bGot.map((r) => r.id), -1002],
      [['999999999', '0', '18446744073709551616', 'x1'], -1004],
    ] as const) {
      const res = await a.d.sim.uploadRaw('/iclock/devicecmd', {}, body([...ids], code));
      expect(res.status).toBe(200);
    }
    // b's own results, posted now, are what counts for b.
    b.d.sim.stopHoldingResults();
    await b.d.sim.releaseResults();
    for (const { d, level } of [a, b]) await expectEqualAndSynced(d, ['4201'], [level], false);
    // Nothing was written again: each panel got the two commands once.
    expect(await a.d.since()).toEqual([]);
    expect(await b.d.since()).toEqual([]);
    const refusals = await t.ds.query(`SELECT count(*)::int AS n FROM device_refusal r JOIN device d ON d.id = r.device_id WHERE d.sn IN ('OUTH-DUP1', 'OUTH-DUP2')`);
    expect(refusals[0].n).toBe(0);
  });

  it('a refusal answered again after the retry landed does not undo it', async () => {
    const { d, level } = await panel('OUTH-DUP3', '10.41.1.3');
    d.sim.failCommands((c) => c.table === 'userauthorize', -1002, 1);
    await ok(t.post('/api/person/add', { pin: '4301', name: 'Cy', accLevelIds: level.id }));
    await reconciler.idle();
    const first = await d.sim.poll();
    expect(first.map((r) => [r.command, r.result])).toEqual([
      ['DATA UPDATE user CardNo=\tPin=4301\tPassword=\tStartTime=0\tEndTime=0\tName=Cy\tPrivilege=0\tDisable=0', 0],
      ['DATA UPDATE userauthorize Pin=4301\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1', -1002],
    ]);
    await expectEqualAndSynced(d, ['4301'], [level], false);
    // The retry: the right deleted and written again, answered 0.
    expect(await d.since()).toEqual(['DATA UPDATE user CardNo=\tPin=4301\tPassword=\tStartTime=0\tEndTime=0\tName=Cy\tPrivilege=0\tDisable=0', 'DATA UPDATE userauthorize Pin=4301\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1', 'DATA DELETE userauthorize Pin=4301', 'DATA UPDATE userauthorize Pin=4301\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1']);
    // The panel posts the old refusal once more (a re-sent body): the right it now holds stays believed.
    const res = await d.sim.uploadRaw('/iclock/devicecmd', {}, `ID=${first[1].id}&Return=-1002&CMD=DATA\n`);
    expect(res.status).toBe(200);
    await reconciler.idle();
    expect(await d.since()).toEqual([]);
    await expectEqualAndSynced(d, ['4301'], [level], false);
  });
});

describe('a person deleted while the add is delivered but unconfirmed', () => {
  it('added again with another card and level before the late results arrive: the panel ends with the new person only', async () => {
    const { d, level } = await panel('OUTH-DEL1', '10.41.2.1');
    const other = await panel('OUTH-DEL2', '10.41.2.2');
    d.sim.holdResults();
    await ok(t.post('/api/person/add', { pin: '4401', name: 'Di', cardNo: '440001', accLevelIds: level.id }));
    await reconciler.idle();
    expect((await d.sim.poll()).map((r) => r.command.split('\t')[0])).toEqual(['DATA UPDATE user CardNo=440001', 'DATA UPDATE userauthorize Pin=4401']);
    d.sim.stopHoldingResults();
    await ok(t.delete('/api/person/delete/4401'));
    await ok(t.post('/api/person/add', { pin: '4401', name: 'Dee', cardNo: '440002', accLevelIds: other.level.id }));
    await reconciler.idle();
    // The results of the first add come late, after the delete and the new add were written.
    await d.sim.releaseResults();
    await expectEqualAndSynced(d, ['4401'], [level], false);
    await expectEqualAndSynced(other.d, ['4401'], [other.level], false);
    expect(d.sim.user('4401')).toBeUndefined();
    expect(d.sim.rightsOf('4401')).toEqual([]);
    expect(other.d.sim.user('4401')).toMatchObject({ Name: 'Dee', CardNo: '440002' });
    const sent = await d.since();
    expect(sent.filter((c) => c.startsWith('DATA DELETE'))).toEqual(expect.arrayContaining(['DATA DELETE userauthorize Pin=4401', 'DATA DELETE user Pin=4401']));
  });
});
