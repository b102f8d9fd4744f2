/**
 * A rights delete refused (-12, not a refusal for good) while the put of the same plan is still queued behind it: the
 * panel runs the put beside the rows the delete was to take off. When the item's backoff ends before that put is
 * run (short replies, a reconciler pass between two polls), the retry must not be spent on the queued put: taken as
 * done, it settled nothing (its confirmation is ignored, an earlier command of its plan failed), the item stayed
 * failing with no retry time, and the panel kept the withdrawn time zone for good, divergent with nothing pending.
 * Found by fault-combos-modules (FC_SEED=71001 FC_PER_REPLY=1, run 49: a channel controller kept a gate in a
 * withdrawn time zone).
 * The same with the put of a later plan (every level taken away, then another given while the delete was queued):
 * its confirmation puts the item in doubt (the refused delete's rows are beside its own), and left released by the
 * pass, nothing planned it again: the panel kept the withdrawn right for good, reported divergent with nothing pending.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { claimsSynced, commandsPerReply, convergenceOf, fromScratch as oracle, ok, settleConverged, startFaultApp, tableSnapshot } from './fault-helpers';
import { lockWaits } from '../support/lock-waits';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TABLES = ['user', 'userauthorize', 'timezone', 'holiday', 'mulcarduser'];
const rowsOf = (d: Device, pin: string) => d.sim.table('userauthorize').filter((r) => String(r.Pin) === pin).map((r) => `${r.AuthorizeTimezoneId}:${r.AuthorizeDoorId}`).sort();

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

/**
 * The refusal used, a put for `pin` still queued behind it; then the delete's backoff ends and a reconciler pass runs
 * before the panel polls again. The panel runs the queued put beside the rows the refused delete kept, and is said
 * synced only when it holds one row; the retry deletes by Pin and writes the right again. Answers the rows left,
 * one (the failing items shown otherwise), the panel said synced and equal to a panel synced from scratch.
 */
async function refusedThenRetried(d: Device, pin: string, refusal: { used: number }): Promise<string[]> {
  for (let i = 0; i < 10 && refusal.used === 0; i++) await d.sim.poll();
  expect(refusal.used).toBe(1);
  const queued = (await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent') ORDER BY id`, [d.sim.sn])).map((c: { command: string }) => c.command) as string[];
  expect(queued.some((c) => c.startsWith(`DATA UPDATE userauthorize Pin=${pin}`))).toBe(true);

  await sleep(500);
  await reconciler.runOnce();
  await reconciler.idle();
  await d.sim.pollUntilIdle({ maxPolls: 20 });
  expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(rowsOf(d, pin).length === 1);

  await settleConverged(t, reconciler, d.sim);
  const left = rowsOf(d, pin);
  const failing = `SELECT s.kind, s.key, s.hash, s.failures, s.next_try_at, s.failed_plan, s.failed_delete FROM sync_item s JOIN device v ON v.id = s.device_id WHERE v.sn = $1 AND s.failures > 0`;
  expect(left, JSON.stringify(await t.ds.query(failing, [d.sim.sn]))).toHaveLength(1);
  expect(await convergenceOf(t, d.sim.sn)).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
  const held = tableSnapshot(d.sim, TABLES);
  expect(await oracle(t, reconciler, d.sim, TABLES)).toEqual(held);
  return left;
}

describe('a refused rights delete whose retry comes due while the put of its plan is still queued', () => {
  it('the retry is not spent on the queued put: the withdrawn time zone leaves the panel, and it is said synced only then', { timeout: 120_000 }, async () => {
    const d = await Device.connect(t, 'RRDQUEUE01', 1, '10.74.0.1');
    await ok(t.post('/api/gateway/timeSegments', { name: 'RRDQ-AM', schedule: { mon: [['08:00', '12:00']] } }));
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'RRDQ' }, { name: 'RRDQ-AM', timeSegName: 'RRDQ-AM' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'RRDQ', doorName: '10.74.0.1-1' }, { levelName: 'RRDQ-AM', doorName: '10.74.0.1-1' }] }));
    const all = await levelId(t, 'RRDQ');
    await ok(t.post('/api/person/add', { pin: '7401', name: 'P7401', accLevelIds: `${all},${await levelId(t, 'RRDQ-AM')}` }));
    await settleConverged(t, reconciler, d.sim);
    const both = rowsOf(d, '7401');
    expect(both).toHaveLength(2);

    // One command per reply: the rights delete and the put written after it reach the panel in two polls.
    commandsPerReply(t, 1);
    const refusal = d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize', -12, 1);
    // The morning level is taken away: its rights are deleted by Pin and the one left written again.
    await ok(t.post('/api/person/add', { pin: '7401', name: 'P7401', accLevelIds: all }));
    await reconciler.idle();
    // The retry is not spent on the queued put: the morning time zone is gone.
    const left = await refusedThenRetried(d, '7401', refusal);
    expect(both).toContain(left[0]);
  });
});

describe('a refused rights delete whose retry comes due while the put of a LATER plan is still queued', () => {
  it('the panel loses the withdrawn rights and is said synced only once it does', { timeout: 120_000 }, async () => {
    const d = await Device.connect(t, 'RRDQUEUE02', 1, '10.74.0.2');
    await ok(t.post('/api/gateway/timeSegments', { name: 'RRDQ2-AM', schedule: { mon: [['08:00', '12:00']] } }));
    await ok(t.post('/api/gateway/timeSegments', { name: 'RRDQ2-PM', schedule: { mon: [['13:00', '17:00']] } }));
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'RRDQ2-AM', timeSegName: 'RRDQ2-AM' }, { name: 'RRDQ2-PM', timeSegName: 'RRDQ2-PM' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'RRDQ2-AM', doorName: '10.74.0.2-1' }, { levelName: 'RRDQ2-PM', doorName: '10.74.0.2-1' }] }));
    await ok(t.post('/api/person/add', { pin: '7402', name: 'P7402', accLevelIds: await levelId(t, 'RRDQ2-AM') }));
    await settleConverged(t, reconciler, d.sim);
    const morning = rowsOf(d, '7402');
    expect(morning).toHaveLength(1);

    commandsPerReply(t, 1);
    const refusal = d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize', -12, 1);
    // Plan A takes every level away (a rights delete by Pin); plan B, made while that delete is still queued (taken as
    // done), gives the afternoon level: a put of its own, queued behind the delete.
    await ok(t.post('/api/person/add', { pin: '7402', name: 'P7402', accLevelIds: '' }));
    await reconciler.idle();
    await ok(t.post('/api/person/add', { pin: '7402', name: 'P7402', accLevelIds: await levelId(t, 'RRDQ2-PM') }));
    await reconciler.idle();
    const left = await refusedThenRetried(d, '7402', refusal);
    expect(left[0]).not.toBe(morning[0]);
  });
});

// Two transactions at once need two sessions; the embedded database serves one.
describe.skipIf(inject('testDb').mode === 'embedded')('a refused rights delete whose result is being recorded while a later plan reads the person', () => {
  it('the put that plan queued, taken as knowing of the refusal, leaves the panel holding the withdrawn rights: said synced only once they are gone', { timeout: 120_000 }, async () => {
    const d = await Device.connect(t, 'RRDQUEUE03', 1, '10.74.0.3', { batchReplies: true });
    await ok(t.post('/api/gateway/timeSegments', { name: 'RRDQ3-AM', schedule: { mon: [['08:00', '12:00']] } }));
    await ok(t.post('/api/gateway/timeSegments', { name: 'RRDQ3-PM', schedule: { mon: [['13:00', '17:00']] } }));
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'RRDQ3-AM', timeSegName: 'RRDQ3-AM' }, { name: 'RRDQ3-PM', timeSegName: 'RRDQ3-PM' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'RRDQ3-AM', doorName: '10.74.0.3-1' }, { levelName: 'RRDQ3-PM', doorName: '10.74.0.3-1' }] }));
    const am = await levelId(t, 'RRDQ3-AM');
    await ok(t.post('/api/person/add', { pin: '7403', name: 'P7403', accLevelIds: am }));
    await ok(t.post('/api/person/add', { pin: '7404', name: 'P7404', accLevelIds: am }));
    await settleConverged(t, reconciler, d.sim);
    const morning = rowsOf(d, '7403');
    expect(morning).toHaveLength(1);

    const refusal = d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'userauthorize', -12, 1);
    // 7403 loses every level (a rights delete by Pin); 7404 is renamed (a user put, queued after it).
    await ok(t.post('/api/person/add', { pin: '7403', name: 'P7403', accLevelIds: '' }));
    await ok(t.post('/api/person/add', { pin: '7404', name: 'P7404 renamed', accLevelIds: am }));
    await reconciler.idle();
    // The panel runs both and posts both results in one body; the transaction recording them has recorded the
    // refusal and waits (on 7404's item, locked here) when 7403 is given the afternoon level.
    const [{ id: deviceId }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [d.sim.sn]);
    const hold = t.ds.createQueryRunner();
    await hold.connect();
    await hold.startTransaction();
    let polled: Promise<unknown> | undefined;
    let granted: Promise<{ body: { code: number; message?: string } }> | undefined;
    try {
      await hold.query(`SELECT 1 FROM sync_item WHERE device_id = $1 AND kind = 'user' AND key = '7404' FOR UPDATE`, [deviceId]);
      polled = d.sim.poll();
      await lockWaits(t.ds, 1);
      expect(refusal.used).toBe(1);
      const pm = await levelId(t, 'RRDQ3-PM');
      // The grant's plan reads the person now, or (as the fix makes it) waits for the refusal to commit first.
      let answered = false;
      granted = t.post('/api/person/add', { pin: '7403', name: 'P7403', accLevelIds: pm }).finally(() => (answered = true));
      await lockWaits(t.ds, 2, () => answered);
    } finally {
      await hold.rollbackTransaction();
      await hold.release();
    }
    await polled;
    await ok(granted!);

    await settleConverged(t, reconciler, d.sim);
    const left = rowsOf(d, '7403');
    const failing = `SELECT s.kind, s.key, s.hash, s.failures, s.next_try_at, s.failed_plan, s.failed_delete FROM sync_item s WHERE s.device_id = $1 AND s.failures > 0`;
    expect(left, JSON.stringify({ failing: await t.ds.query(failing, [deviceId]), said: await convergenceOf(t, d.sim.sn) })).toHaveLength(1);
    expect(left[0]).not.toBe(morning[0]);
    expect(await convergenceOf(t, d.sim.sn)).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    const held = tableSnapshot(d.sim, TABLES);
    expect(await oracle(t, reconciler, d.sim, TABLES)).toEqual(held);
  });
});
