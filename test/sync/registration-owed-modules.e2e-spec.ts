/**
 * Work written for an elevator or channel controller before it ever called (added by SN, its kind and floors
 * declared, a level on its floors granted, a pass rule stored) is owed to it, and delivered when it registers, through
 * a lost getrequest reply, a refusal and a lost devicecmd answer. Until the controller confirmed it, neither the
 * convergence answer, nor the person's device state, nor the pass rule's `confirmed` says it is held; once confirmed,
 * the controller holds exactly what it holds synced from scratch.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { ChannelControllerSimulator } from '../simulator/channel';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import type { TestApp } from '../support/test-app';
import { claimsSynced, convergenceOf, fromScratch, ok, resultReplyLoss, settleConverged, tableSnapshot, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const stateOn = async (pin: string, sn: string) =>
  (((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data ?? []) as Array<{ deviceSn: string; state: string }>).find((x) => x.deviceSn === sn)?.state;

describe('an elevator controller added by SN, given floors and persons before it first calls', () => {
  it('receives them at registration through a lost reply, a refusal and a lost answer; said synced only once it holds them', { timeout: 60_000 }, async () => {
    const sn = 'ROWELE0001';
    await ok(t.post('/api/gateway/devices', { sn }));
    await ok(t.post(`/api/gateway/devices/${sn}/kind`, { kind: 'ele' }));
    const floors = (await t.post(`/api/gateway/eleDevice/${sn}/floors`, { floors: 4 })).body.data as Array<{ id: string; floorNo: number }>;
    expect(floors.map((f) => f.floorNo)).toEqual([1, 2, 3, 4]);
    const level = (await t.post('/api/gateway/eleLevel/save', { name: 'ROW-EL', pointIds: [floors[0].id, floors[2].id] })).body.data.id as string;
    await ok(t.post('/api/person/add', { pin: '9301', name: 'Early', cardNo: '93011' }));
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '9301', levelIds: level }));
    // Nothing is held yet: nothing may say so.
    expect(claimsSynced(await convergenceOf(t, sn))).toBe(false);
    expect(await stateOn('9301', sn)).not.toBe('synced');

    const lost = resultReplyLoss();
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn, floors: 4, ipAddress: '10.93.0.1', retryResults: true, fetch: lost.fetch });
    ec.loseNextReply();
    ec.failCommands((c) => c.table === 'usereleauthorize', -12, 1);
    lost.count = 1;
    await ec.connect();
    for (let i = 0; i < 30 && !(claimsSynced(await convergenceOf(t, sn)) && ec.pendingAcks.length === 0 && ec.eleRightsOf('9301').length > 0); i++) {
      const claim = await convergenceOf(t, sn);
      const holds = ec.eleRightsOf('9301').flatMap((x) => x.floors).sort().join(',') === '1,3' && ec.table('user').some((u) => u.Pin === '9301');
      if (!holds) {
        expect(claimsSynced(claim), `said synced before holding: ${JSON.stringify(claim)}`).toBe(false);
        expect(await stateOn('9301', sn)).not.toBe('synced');
      }
      await reconciler.idle();
      await ec.poll();
      await new Promise((r) => setTimeout(r, 100));
      await reconciler.runOnce();
    }
    await settleConverged(t, reconciler, ec);
    expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    expect(await stateOn('9301', sn)).toBe('synced');
    expect(ec.eleRightsOf('9301').map((x) => ({ tz: x.timezone, floors: x.floors }))).toEqual([{ tz: 1, floors: [1, 3] }]);
    expect(ec.table('user').filter((u) => u.Pin === '9301').map((u) => u.CardNo)).toEqual(['93011']);
    const TABLES = ['user', 'usereleauthorize', 'timezone'];
    const snap = tableSnapshot(ec, TABLES);
    expect(await fromScratch(t, reconciler, ec, TABLES)).toEqual(snap);
  });
});

describe('a channel controller added by SN, given a pass rule before it first calls', () => {
  it('receives it at registration through a lost reply and a lost answer; confirmed only once it holds it', { timeout: 60_000 }, async () => {
    const sn = 'ROWPSG0001';
    await ok(t.post('/api/gateway/devices', { sn }));
    await ok(t.post(`/api/gateway/devices/${sn}/kind`, { kind: 'psg' }));
    await ok(t.post('/api/gateway/timeSegments', { name: 'ROW gate hours', schedule: { mon: [['07:00', '19:00']] } }));
    await ok(t.post(`/api/gateway/psgDevice/${sn}/passRule`, { timeSegName: 'ROW gate hours', passMode: 3 }));
    const rules = async () => (await t.get(`/api/gateway/psgDevice/${sn}/passRules`)).body.data as Array<{ timezoneId: number; confirmed: boolean; passMode: number }>;
    expect((await rules()).map((r) => r.confirmed)).toEqual([false]);
    const tz = (await rules())[0].timezoneId;

    const lost = resultReplyLoss();
    const cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn, gates: 2, ipAddress: '10.93.1.1', retryResults: true, fetch: lost.fetch });
    cc.loseNextReply();
    lost.count = 1;
    await cc.connect();
    const heldRule = () => cc.table('gatepassrule').find((r) => Number(r.PasswayTimeZoneId) === tz);
    for (let i = 0; i < 30 && !((await rules())[0].confirmed && cc.pendingAcks.length === 0); i++) {
      const [rule] = await rules();
      if (String(heldRule()?.MonPassMode1) !== '3') expect(rule.confirmed, 'confirmed before held').toBe(false);
      if (String(heldRule()?.MonPassMode1) !== '3') expect(claimsSynced(await convergenceOf(t, sn))).toBe(false);
      await reconciler.idle();
      await cc.poll();
      await new Promise((r) => setTimeout(r, 100));
      await reconciler.runOnce();
    }
    await settleConverged(t, reconciler, cc);
    expect((await rules()).map((r) => r.confirmed)).toEqual([true]);
    expect(`${heldRule()?.MonTime1}/${heldRule()?.MonPassMode1}`).toBe(`${(700 << 16) + 1900}/3`);
    expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    const TABLES = ['user', 'userauthorize', 'timezone', 'gatepassrule'];
    const snap = tableSnapshot(cc, TABLES);
    expect(await fromScratch(t, reconciler, cc, TABLES)).toEqual(snap);
  });
});
