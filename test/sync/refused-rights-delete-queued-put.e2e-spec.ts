/**
 * A rights delete refused (-12, not a refusal for good) while the put of the same plan is still queued behind it: the
 * panel runs the put beside the rows the delete was to take off. When the item's backoff ends before that put is
 * run (short replies, a reconciler pass between two polls), the retry must not be spent on the queued put: taken as
 * done, it settled nothing (its confirmation is ignored, an earlier command of its plan failed), the item stayed
 * failing with no retry time, and the panel kept the withdrawn time zone for good, divergent with nothing pending.
 * Found by fault-combos-modules (FC_SEED=71001 FC_PER_REPLY=1, run 49: a channel controller kept a gate in a
 * withdrawn time zone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { claimsSynced, commandsPerReply, convergenceOf, fromScratch as oracle, ok, settleConverged, startFaultApp, tableSnapshot } from './fault-helpers';
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
    for (let i = 0; i < 10 && refusal.used === 0; i++) await d.sim.poll();
    expect(refusal.used).toBe(1);
    const queued = async () => (await t.ds.query(`SELECT command FROM device_command WHERE device_sn = 'RRDQUEUE01' AND state IN ('pending', 'sent') ORDER BY id`)).map((c: { command: string }) => c.command) as string[];
    expect((await queued()).some((c) => c.startsWith('DATA UPDATE userauthorize Pin=7401'))).toBe(true);

    // The delete's backoff ends and a reconciler pass runs before the panel polls again.
    await sleep(500);
    await reconciler.runOnce();
    await reconciler.idle();
    // The panel runs the queued put beside the row the refused delete kept: it holds both, and is not said synced.
    await d.sim.pollUntilIdle({ maxPolls: 20 });
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(rowsOf(d, '7401').length === 1);

    // The retry deletes by Pin and writes the right again: the morning time zone is gone.
    await settleConverged(t, reconciler, d.sim);
    const left = rowsOf(d, '7401');
    expect(left, JSON.stringify(await t.ds.query(`SELECT s.kind, s.key, s.hash, s.failures, s.next_try_at, s.failed_plan FROM sync_item s JOIN device v ON v.id = s.device_id WHERE v.sn = 'RRDQUEUE01' AND s.failures > 0`))).toHaveLength(1);
    expect(both).toContain(left[0]);
    const c = await convergenceOf(t, d.sim.sn);
    expect(c).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    const held = tableSnapshot(d.sim, TABLES);
    expect(await oracle(t, reconciler, d.sim, TABLES)).toEqual(held);
  });
});
