/**
 * Faults combined across panels and in time, beside fault-combos.e2e-spec.ts: several panels behind one access
 * level, each meeting its own fault (offline, refusing, reset with results unanswered) while REST writes touch all of
 * them; and edits of every kind (person, card, level, level doors, time segment, holiday, template) racing a panel's
 * factory reset, in each order. Every panel converges on its own to what the database gives (the oracle: the same
 * panel factory-reset and synced again), and the convergence answer never says synced while a panel differs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { claimsSynced, convergenceOf, fromScratch as oracle, ok, settleConverged, tableSnapshot, startFaultApp, watchSettling } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { ChannelControllerSimulator } from '../simulator/channel';
import { ElevatorControllerSimulator } from '../simulator/elevator';

let t: TestApp;
let reconciler: SyncReconciler;
/** Each test runs hundreds of polls and REST calls: 30 s is not enough on a loaded 2-core machine (CI timed out). */
const SLOW = 180_000;

const TABLES = ['user', 'userauthorize', 'timezone', 'holiday', 'mulcarduser', 'biodata'];
const snapshot = (d: Device) => tableSnapshot(d.sim, TABLES);
const settle = (d: Device, rounds = 20) => settleConverged(t, reconciler, d.sim, rounds);
const fromScratch = (d: Device) => oracle(t, reconciler, d.sim, TABLES);
const template = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

describe('one level on four panels, a write touching all while each meets its own fault', () => {
  it('each panel converges on its own and is never said synced while it differs', async () => {
    const off = await Device.connect(t, 'LVPOFF0001', 2, '10.71.0.1');
    const refuse = await Device.connect(t, 'LVPREF0001', 2, '10.71.0.2');
    const reset = await Device.connect(t, 'LVPRST0001', 2, '10.71.0.3');
    const witness = await Device.connect(t, 'LVPWIT0001', 2, '10.71.0.4');
    const all = [off, refuse, reset, witness];
    await ok(t.post('/api/gateway/timeSegments', { name: 'LvDay', schedule: { mon: [['08:00', '18:00']] } }));
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'LV' }] }));
    for (const ip of ['10.71.0.1', '10.71.0.2', '10.71.0.3', '10.71.0.4']) {
      await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'LV', doorName: `${ip}-1` }] }));
    }
    const lv = await levelId(t, 'LV');
    await ok(t.post('/api/person/add', { pin: '7101', name: 'Ann', cardNo: '71011', accLevelIds: lv }));
    await ok(t.post('/api/person/add', { pin: '7102', name: 'Bob', cardNo: '71021', accLevelIds: lv }));
    for (const d of all) await settle(d);

    // The writes: a person added, one changed, one revoked, doors added to the level, the level's time segment.
    const refusal = refuse.sim.failCommands((c) => c.table === 'userauthorize' || c.table === 'user', -1002, 3);
    await ok(t.post('/api/person/add', { pin: '7103', name: 'Cid', cardNo: '71031', accLevelIds: lv }));
    await ok(t.post('/api/person/add', { pin: '7101', name: 'Ann B', cardNo: '71012', accLevelIds: lv }));
    await ok(t.post('/api/accLevel/deleteLevel', null, { pin: '7102', levelIds: lv }));
    for (const ip of ['10.71.0.1', '10.71.0.2', '10.71.0.3', '10.71.0.4']) {
      await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'LV', doorName: `${ip}-2` }] }));
    }
    await ok(t.put(`/api/accLevel/update/${lv}`, { name: 'LV', timeSegName: 'LvDay' }));

    // The reset panel runs what it got but is wiped before answering.
    reset.sim.holdResults();
    await reset.sim.poll();
    reset.sim.dropHeldResults();
    reset.sim.stopHoldingResults();
    await reset.sim.factoryReset();
    await refuse.sim.pollUntilIdle();
    await witness.sim.pollUntilIdle();

    const steps: Array<{ sn: string; at: Record<string, string[]>; c: Awaited<ReturnType<typeof convergenceOf>> }> = [];
    // The offline panel is not polled: the rounds end once the three that poll have settled, the refusals all used
    // (each refused retry is a moment the refusing panel may be said synced while it differs).
    await watchSettling(
      reconciler,
      async () => {
        let settled = refusal.used === 3;
        for (const d of [refuse, reset, witness]) {
          await d.sim.poll();
          const c = await convergenceOf(t, d.sim.sn);
          steps.push({ sn: d.sim.sn, at: snapshot(d), c });
          settled &&= claimsSynced(c) && d.sim.pendingAcks.length === 0;
        }
        return settled;
      },
      { rounds: 15, pauseMs: 120 },
    );
    // The offline panel comes back last.
    for (const d of all) await settle(d);
    expect(refusal.used).toBe(3);

    const truthOf: Record<string, Record<string, string[]>> = {};
    const incremental = Object.fromEntries(all.map((d) => [d.sim.sn, snapshot(d)]));
    const claims = Object.fromEntries(await Promise.all(all.map(async (d) => [d.sim.sn, await convergenceOf(t, d.sim.sn)] as const)));
    for (const d of all) truthOf[d.sim.sn] = await fromScratch(d);
    for (const d of all) {
      expect(incremental[d.sim.sn], d.sim.sn).toEqual(truthOf[d.sim.sn]);
      expect(claims[d.sim.sn], d.sim.sn).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    }
    for (const s of steps) {
      if (JSON.stringify(s.at) !== JSON.stringify(truthOf[s.sn])) expect(claimsSynced(s.c), `${s.sn} said synced while it differs: ${JSON.stringify(s)}`).toBe(false);
    }
    // The oracle is the database: 7101 with the new card, 7102 without rights, 7103 on doors 1 and 2.
    const w = truthOf.LVPWIT0001;
    expect(w.user.find((u) => u.includes('Pin=7101'))).toContain('CardNo=71012');
    expect(w.userauthorize.filter((r) => r.includes('Pin=7102'))).toEqual([]);
    expect(w.userauthorize.filter((r) => r.includes('Pin=7103'))).toEqual([expect.stringContaining('AuthorizeDoorId=3')]);
    for (const pin of ['7101', '7103']) {
      const s = (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data;
      expect(s.map((x: { state: string }) => x.state).sort(), pin).toEqual(['synced', 'synced', 'synced', 'synced']);
    }
  }, SLOW);
});

type Order = 'edits delivered, then wiped before answering' | 'edits queued, wiped before polling' | 'wiped, edits before its count' | 'wiped, edits mid full sync';
const ORDERS: Order[] = ['edits delivered, then wiped before answering', 'edits queued, wiped before polling', 'wiped, edits before its count', 'wiped, edits mid full sync'];

describe('edits racing a panel reset', () => {
  for (const [n, order] of ORDERS.entries()) {
    it(order, async () => {
      const ip = `10.91.${n}.1`;
      const d = await Device.connect(t, `RACE000${n}`, 2, ip);
      const seg = `Seg${n}`;
      await ok(t.post('/api/gateway/timeSegments', { name: seg, schedule: { mon: [['08:00', '12:00']] } }));
      const segId = (await t.get('/api/gateway/timeSegments')).body.data.find((s: { name: string }) => s.name === seg).id;
      await ok(t.post('/api/gateway/holidays', { name: `Hol${n}`, startDate: '2027-03-01', endDate: '2027-03-01', holidayType: 1 }));
      const hol = (await t.get('/api/gateway/holidays')).body.data.find((h: { name: string }) => h.name === `Hol${n}`).id;
      await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `RA${n}` }, { name: `RB${n}`, timeSegName: seg }] }));
      await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: `RA${n}`, doorName: `${ip}-1` }, { levelName: `RB${n}`, doorName: `${ip}-2` }] }));
      const ra = await levelId(t, `RA${n}`);
      const rb = await levelId(t, `RB${n}`);
      const pin = (k: number) => `9${n}0${k}`;
      for (let k = 1; k <= 6; k++) await ok(t.post('/api/person/add', { pin: pin(k), name: `R${k}`, cardNo: `9${n}00${k}`, accLevelIds: k % 2 ? ra : `${ra},${rb}` }));
      await ok(t.post('/api/bioTemplate/add', { personId: pin(1), validType: '1', template: template(`r${n} 1`), templateNo: '1' }));
      await settle(d);

      const steps: Array<{ at: Record<string, string[]>; synced: boolean }> = [];
      const look = async () => steps.push({ at: snapshot(d), synced: claimsSynced(await convergenceOf(t, d.sim.sn)) && d.sim.pendingAcks.length === 0 });
      const edits = async () => {
        await ok(t.post('/api/person/add', { pin: pin(1), name: 'R1 b', cardNo: `9${n}901`, accLevelIds: rb }));
        await ok(t.delete(`/api/person/delete/${pin(2)}`));
        await ok(t.post('/api/accLevel/deleteLevel', null, { pin: pin(3), levelIds: ra }));
        await ok(t.post('/api/person/add', { pin: pin(7), name: 'R7', cardNo: `9${n}007`, accLevelIds: rb }));
        await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: `RA${n}`, doorName: `${ip}-2` }] }));
        await ok(t.put(`/api/gateway/timeSegments/${segId}`, { schedule: { tue: [['09:00', '17:00']] } }));
        await ok(t.put(`/api/gateway/holidays/${hol}`, { endDate: '2027-03-03' }));
        await ok(t.post('/api/gateway/holidays', { name: `Hol${n}b`, startDate: '2027-06-01', endDate: '2027-06-01', holidayType: 2 }));
        await ok(t.put(`/api/accLevel/update/${ra}`, { name: `RA${n}`, timeSegName: seg }));
        await ok(t.post(`/api/bioTemplate/delete/${pin(1)}/1`));
        await ok(t.post('/api/bioTemplate/add', { personId: pin(4), validType: '1', template: template(`r${n} 4`), templateNo: '2' }));
      };

      if (order === 'edits delivered, then wiped before answering') {
        await edits();
        d.sim.holdResults();
        await d.sim.poll();
        await d.sim.poll();
        d.sim.stopHoldingResults();
        await look();
        await d.sim.factoryReset();
      } else if (order === 'edits queued, wiped before polling') {
        await edits();
        await d.sim.factoryReset();
      } else if (order === 'wiped, edits before its count') {
        await d.sim.factoryReset();
        await edits();
      } else {
        await d.sim.factoryReset();
        await reconciler.idle();
        await d.sim.poll(); // the count
        await reconciler.runOnce();
        await reconciler.idle();
        await d.sim.poll(); // the first of the full sync
        await edits();
      }
      await watchSettling(
        reconciler,
        async () => {
          await d.sim.poll();
          await look();
          return steps[steps.length - 1].synced;
        },
        { rounds: 12, pauseMs: 80 },
      );
      await settle(d);
      const incremental = snapshot(d);
      const c = await convergenceOf(t, d.sim.sn);
      const truth = await fromScratch(d);
      expect(incremental).toEqual(truth);
      expect(c).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
      for (const [i, s] of steps.entries()) if (s.synced) expect(JSON.stringify(s.at), `step ${i} said synced`).toBe(JSON.stringify(truth));
      // The oracle is the database.
      expect(truth.user.find((u) => u.includes(`Pin=${pin(1)}`))).toContain(`CardNo=9${n}901`);
      expect(truth.user.some((u) => u.includes(`Pin=${pin(2)}`))).toBe(false);
      expect(truth.userauthorize.filter((r) => r.includes(`Pin=${pin(3)}`))).toEqual([]);
      expect(truth.biodata.map((r) => r.includes(`Pin=${pin(4)}`))).toEqual([true]);
      expect(truth.holiday.length).toBeGreaterThanOrEqual(2);
    }, SLOW);
  }
});

describe('one person on a panel, an elevator and a channel controller, each meeting its own fault', () => {
  it('writes about the person reach each device on its own, and none is said synced while it differs', async () => {
    const panel = await Device.connect(t, 'XKPAN00001', 2, '10.93.0.1');
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'XKELE00001', floors: 4, ipAddress: '10.93.0.2' });
    const cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'XKPSG00001', gates: 2, ipAddress: '10.93.0.3' });
    for (const s of [ec, cc]) {
      await s.connect();
      await s.pollUntilIdle();
    }
    const sims = [panel.sim, ec, cc];
    const tables = ['user', 'userauthorize', 'usereleauthorize', 'timezone', 'holiday', 'biodata'];
    const snap = (s: (typeof sims)[number]) => tableSnapshot(s, tables);
    await ok(t.post('/api/gateway/timeSegments', { name: 'XkDay', schedule: { wed: [['07:00', '19:00']] } }));
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'XK' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'XK', doorName: '10.93.0.1-1' }] }));
    const xk = await levelId(t, 'XK');
    const [{ id: ecId }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'XKELE00001'`);
    const floors: Array<{ id: string; floorNo: number; deviceId: string }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 200 })).body.data;
    const floor = (n: number) => floors.find((f) => f.floorNo === n && f.deviceId === ecId)!.id;
    const gates: Array<{ id: string; name: string }> = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 200 })).body.data;
    const gate = (n: number) => gates.find((g) => g.name === `10.93.0.3-${n}`)!.id;
    const lift = (await t.post('/api/gateway/eleLevel/save', { name: 'XK lift', pointIds: [floor(1), floor(2)] })).body.data.id;
    const turn = (await t.post('/api/gateway/psgLevel/save', { name: 'XK gate', pointIds: [gate(1)] })).body.data.id;
    for (const pin of ['9601', '9602']) {
      await ok(t.post('/api/person/add', { pin, name: `X${pin}`, cardNo: `8${pin}`, accLevelIds: xk }));
      await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin, levelIds: lift }));
      await ok(t.post('/api/psgLevel/syncPerson', undefined, { pin, levelIds: turn }));
    }
    for (const s of sims) await settleConverged(t, reconciler, s);

    // The elevator controller is offline, the channel controller refuses its users and rights three times, the
    // panel runs what it gets and is wiped before answering.
    const refusal = cc.failCommands((c) => c.table === 'user' || c.table === 'userauthorize', -1002, 3);
    await ok(t.post('/api/person/add', { pin: '9601', name: 'X9601 b', cardNo: '89999', accLevelIds: xk }));
    await ok(t.post('/api/bioTemplate/add', { personId: '9601', validType: '1', template: template('x 9601'), templateNo: '3' }));
    await ok(t.delete('/api/person/delete/9602'));
    await ok(t.post('/api/person/add', { pin: '9602', name: 'X9602 again', cardNo: '89602', accLevelIds: xk }));
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '9602', levelIds: lift }));
    await ok(t.post('/api/gateway/eleLevel/save', { name: 'XK lift', timeSegName: 'XkDay', pointIds: [floor(2), floor(4)] }));
    await ok(t.post('/api/gateway/psgLevel/save', { name: 'XK gate', pointIds: [gate(2)] }));
    panel.sim.holdResults();
    await panel.sim.poll();
    panel.sim.dropHeldResults();
    panel.sim.stopHoldingResults();
    await panel.sim.factoryReset();

    const steps: Array<{ sn: string; at: Record<string, string[]>; synced: boolean }> = [];
    // The elevator controller is offline (recorded, not polled): the rounds end once the two that poll have settled,
    // the channel controller's refusals all used.
    await watchSettling(
      reconciler,
      async () => {
        let settled = refusal.used === 3;
        for (const s of [panel.sim, cc]) {
          await s.poll();
          const synced = claimsSynced(await convergenceOf(t, s.sn));
          steps.push({ sn: s.sn, at: snap(s), synced });
          settled &&= synced && s.pendingAcks.length === 0;
        }
        steps.push({ sn: ec.sn, at: snap(ec), synced: claimsSynced(await convergenceOf(t, ec.sn)) });
        return settled;
      },
      { rounds: 12, pauseMs: 100 },
    );
    for (const s of sims) await settleConverged(t, reconciler, s);
    expect(refusal.used).toBe(3);
    const incremental = Object.fromEntries(sims.map((s) => [s.sn, snap(s)]));
    const claims = Object.fromEntries(await Promise.all(sims.map(async (s) => [s.sn, await convergenceOf(t, s.sn)] as const)));
    const truth: Record<string, Record<string, string[]>> = {};
    for (const s of sims) truth[s.sn] = await oracle(t, reconciler, s, tables);
    for (const s of sims) {
      expect(incremental[s.sn], s.sn).toEqual(truth[s.sn]);
      expect(claims[s.sn], s.sn).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    }
    for (const [i, s] of steps.entries()) if (s.synced) expect(JSON.stringify(s.at), `step ${i}: ${s.sn} said synced`).toBe(JSON.stringify(truth[s.sn]));
    // The oracle is the database.
    expect(ec.eleRightsOf('9601').flatMap((r) => r.floors)).toEqual([2, 4]);
    expect(ec.eleRightsOf('9602').flatMap((r) => r.floors)).toEqual([2, 4]);
    expect(cc.rightsOf('9601').map((r) => r.doors)).toEqual([[2]]);
    expect(cc.rightsOf('9602')).toEqual([]);
    expect(truth.XKPAN00001.user.find((u) => u.includes('Pin=9601'))).toContain('CardNo=89999');
    for (const pin of ['9601', '9602']) {
      const states = (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data as Array<{ deviceSn: string; state: string }>;
      expect(states.filter((x) => x.state !== 'synced'), pin).toEqual([]);
    }
  }, SLOW);
});
