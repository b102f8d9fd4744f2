/**
 * Results a panel posts wrong: a result carrying a command ID another panel was given, and a refusal in the middle
 * of a reply. Each ends with the panels' tables compared with the
 * database and the convergence answers checked for claiming more than the panels confirmed.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { claimsSynced, convergenceOf, ok, settleConverged, tableSnapshot, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const pinsOf = (d: Device, table = 'user') => [...new Set(d.sim.table(table).map((r) => String(r.Pin)))].sort();

async function panelWithLevel(sn: string, ip: string, level: string): Promise<{ d: Device; id: string }> {
  const d = await Device.connect(t, sn, 1, ip);
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  return { d, id: await levelId(t, level) };
}

describe('results under another panel\'s command ID', () => {
  it('a panel posting a result with the command ID another panel was given (its reply lost): the other panel is not believed to hold it', async () => {
    const { d: p, id } = await panelWithLevel('RFP000002', '10.62.0.2', 'RFP2');
    const { d: q } = await panelWithLevel('RFP000003', '10.62.0.3', 'RFP3');
    const q3 = await levelId(t, 'RFP3');
    await ok(t.post('/api/person/add', { pin: '9201', name: 'Both', cardNo: '889201', accLevelIds: `${id},${q3}` }));
    await reconciler.idle();
    await p.sim.pollUntilIdle({ maxPolls: 20 });
    q.sim.loseNextReply();
    await q.sim.poll();
    expect(q.sim.lostReplies.length).toBe(1);
    const ids = [...q.sim.lostReplies[0].matchAll(/^C:(\d+):/gm)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    // P posts Q's IDs as its own, Return=0; and an ID no panel was given.
    p.sim.pendingAcks.push(...ids.map((x) => ({ id: x, code: 0, cmd: 'DATA' })), { id: '987654321', code: 0, cmd: 'DATA' });
    await p.sim.flushAcks('batched');
    await reconciler.idle();
    expect(pinsOf(q)).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, 'RFP000003'))).toBe(false);
    const rows = (await t.get('/api/gateway/persons/9201/devices')).body.data as Array<{ sn?: string; deviceSn?: string; holds?: boolean; state: string }>;
    const onQ = rows.find((r) => (r.sn ?? r.deviceSn) === 'RFP000003');
    expect(onQ?.holds, JSON.stringify(rows)).not.toBe(true);
    expect(onQ?.state).not.toBe('synced');
    await settleConverged(t, reconciler, q.sim);
    await settleConverged(t, reconciler, p.sim);
    expect(pinsOf(q)).toEqual(['9201']);
    expect(pinsOf(p)).toEqual(['9201']);
    expect(tableSnapshot(q.sim, ['userauthorize']).userauthorize).toHaveLength(1);
    expect(claimsSynced(await convergenceOf(t, 'RFP000003'))).toBe(true);
    expect(claimsSynced(await convergenceOf(t, 'RFP000002'))).toBe(true);
  });
});

describe('a refusal in the middle of a reply', () => {
  it('the second of a reply\'s commands answered -1002: the ones after it still run, the refusal is visible, nothing is said synced before the retry lands', async () => {
    const { d, id } = await panelWithLevel('RFP000004', '10.62.0.4', 'RFP4');
    await ok(t.post('/api/person/add', { pin: '9301', name: 'Old', cardNo: '889301', accLevelIds: id }));
    await settleConverged(t, reconciler, d.sim);
    // A revoke of one member and two new members, one reply.
    await ok(t.post('/api/accLevel/deleteLevel', null, { pin: '9301', levelIds: id }));
    await ok(t.post('/api/person/add', { pin: '9302', name: 'New', cardNo: '889302', accLevelIds: id }));
    await ok(t.post('/api/person/add', { pin: '9303', name: 'Newer', cardNo: '889303', accLevelIds: id }));
    await reconciler.idle();
    let n = 0;
    const refusal = d.sim.failCommands(() => ++n === 2, -1002, 1);
    const got = await d.sim.poll();
    expect(got.length).toBeGreaterThan(2);
    expect(refusal.used).toBe(1);
    const refused = got[1].command.split('\t')[0];
    const c = await convergenceOf(t, 'RFP000004');
    expect(claimsSynced(c)).toBe(false);
    expect((c.lastReturns as Array<{ returnCode: number | null; command: string }>).some((r) => r.returnCode === -1002), JSON.stringify(c.lastReturns)).toBe(true);
    // The commands after the refused one ran (a new member's user record and rights), and the revoke of the rights.
    const after = got.slice(2).map((x) => x.command).join('\n');
    for (const pin of ['9302', '9303']) if (after.includes(`Pin=${pin}`)) expect(pinsOf(d)).toContain(pin);
    expect(d.sim.table('userauthorize').some((r) => String(r.Pin) === '9301')).toBe(false);
    await settleConverged(t, reconciler, d.sim);
    expect(pinsOf(d)).toEqual(['9302', '9303']);
    expect(pinsOf(d, 'userauthorize'), refused).toEqual(['9302', '9303']);
    expect(claimsSynced(await convergenceOf(t, 'RFP000004'))).toBe(true);
  });
});
