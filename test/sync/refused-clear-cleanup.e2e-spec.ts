/**
 * A firmware that refuses clearing the user and rights tables (`DATA DELETE user *`, `DATA DELETE userauthorize *`
 * answered -1004) but deletes them by PIN, as the manual's per-PIN delete allows (Security PUSH 9.1.2). A person
 * leaving such a panel loses the user record at once (not at the clear's probe, with a full sync per departure),
 * and rows no database row gives it (a spare board's users of another site) are learnt with
 * `DATA QUERY tablename=user` (9.1.4, answered through querydata) and deleted PIN by PIN with their rights, cards,
 * templates and photo. Rights rows beyond those confirmed (a row under no user record, a door added at the panel
 * under one of ours) are learnt with `DATA QUERY tablename=userauthorize` and deleted (or written again) by PIN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncPlannerService } from '../../src/sync/sync-planner.service';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { DeviceSimulator } from '../simulator/device-simulator';
import type { FetchLike } from '../simulator/http';
import { settingsOf } from '../push/push-helpers';
import { Device, levelId } from './access-helpers';
import { claimsSynced, convergenceOf, fromScratch, ok, resultReplyLoss, settleConverged, startFaultApp, tableSnapshot } from './fault-helpers';

const TABLES = ['user', 'userauthorize', 'timezone', 'mulcarduser'];
let t: TestApp;
let reconciler: SyncReconciler;

const pins = (x: Device) => x.sim.table('user').map((u) => String(u.Pin)).sort();
const clears = async (sn: string) => (await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND command = 'DATA DELETE user *'`, [sn]))[0].n as number;
const refusesClears = (sim: DeviceSimulator) =>
  sim.failCommands((c) => c.verb === 'DATA DELETE' && (c.table === 'user' || c.table === 'userauthorize') && c.args.trim() === '*', -1004, 'always');
async function count(d: Device): Promise<void> {
  await t.ds.transaction((m) => t.app.get(SyncPlannerService).queueVerify(m, d.sim.sn));
  await settleConverged(t, reconciler, d.sim, 6);
}

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  // Probes far apart: nothing here may rest on a probe of the refused clear.
  settingsOf(t).refusalProbe = { baseMs: 600_000, maxMs: 600_000 };
});
afterAll(async () => {
  await t?.close();
});

describe('a firmware refusing to clear the user and rights tables, deleting by PIN', () => {
  it('a person leaving loses the user record at once, with no full sync per departure', async () => {
    const sn = 'FCLUP0001';
    const d = await Device.connect(t, sn, 2, '10.49.0.1');
    refusesClears(d.sim);
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'UL1' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'UL1', doorName: '10.49.0.1-1' }] }));
    const level = await levelId(t, 'UL1');
    for (const pin of ['4901', '4902', '4903']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `8${pin}`, accLevelIds: level }));
    await ok(t.post(`/api/gateway/devices/${sn}/sync`));
    await settleConverged(t, reconciler, d.sim, 6);
    expect((await t.get(`/api/gateway/devices/${sn}`)).body.data.refusedCapabilities.map((r: { what: string }) => r.what)).toEqual(['DATA DELETE user *', 'DATA DELETE userauthorize *']);
    const before = await clears(sn);
    for (const pin of ['4901', '4902']) {
      await ok(t.delete(`/api/person/delete/${pin}`));
      await settleConverged(t, reconciler, d.sim, 6);
    }
    expect(pins(d)).toEqual(['4903']);
    expect(d.sim.table('userauthorize').map((r) => String(r.Pin))).toEqual(['4903']);
    expect(await clears(sn)).toBe(before);
    await count(d);
    expect(await convergenceOf(t, sn)).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0, unknownRows: [] });
  });

  it('a spare board holding users and rights of another site has them learnt and deleted by PIN, and is reported synced', async () => {
    const sn = 'FCLUP0002';
    let d = await Device.connect(t, sn, 2, '10.49.0.2');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'UL2' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'UL2', doorName: '10.49.0.2-1' }] }));
    const level = await levelId(t, 'UL2');
    for (const pin of ['4911', '4912']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
    await settleConverged(t, reconciler, d.sim);

    // Another board under the same SN: two strangers, one of them (4799) with a second right, on door 2.
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, ipAddress: '10.49.0.2', mac: '00:17:61:49:00:02' });
    for (const pin of ['4798', '4799']) {
      sim.addLocally('user', { Pin: pin, Name: 'Other site', CardNo: `7${pin}` });
      sim.addLocally('userauthorize', { Pin: pin, AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 });
    }
    sim.addLocally('userauthorize', { Pin: '4799', AuthorizeTimezoneId: 2, AuthorizeDoorId: 2 });
    // And a palm template of 4798's, of a Type the full sync's clears by Type leave (the gateway sends this panel
    // fingers and faces): it would open as whoever is later given that pin.
    sim.addLocally('biodata', { Pin: '4798', No: 0, Index: 0, Valid: 1, Duress: 0, Type: 8, MajorVer: 1, MinorVer: 0, Format: 0, Tmp: 'T3RoZXIgc2l0ZQ==' });
    refusesClears(sim);
    await sim.connect();
    d = new Device(sim);
    await settleConverged(t, reconciler, d.sim, 10);
    expect(d.sim.evaluateAccess({ pin: '4799', door: 1 }).granted).toBe(false);
    expect(pins(d)).toEqual(['4911', '4912']);
    expect(sim.received.some((r) => /^DATA DELETE user Pin=4799/.test(r.command))).toBe(true);
    expect(sim.table('biodata').map((r) => String(r.Pin))).not.toContain('4798');
    await count(d);
    const c = await convergenceOf(t, sn);
    expect(claimsSynced(c), JSON.stringify(c)).toBe(true);
    expect(c.unknownRows).toEqual([]);
    const held = tableSnapshot(d.sim, TABLES);
    expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(held);
  });

  it('the same, with the query\'s result never posted and results posted again (their answers lost), then a reset mid-clean-up', async () => {
    const sn = 'FCLUP0004';
    let d = await Device.connect(t, sn, 2, '10.49.0.4');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'UL4' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'UL4', doorName: '10.49.0.4-1' }] }));
    const level = await levelId(t, 'UL4');
    for (const pin of ['4941', '4942']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
    await settleConverged(t, reconciler, d.sim);
    const lost = resultReplyLoss();
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, ipAddress: '10.49.0.4', mac: '00:17:61:49:00:04', retryResults: true, fetch: lost.fetch });
    sim.addLocally('user', { Pin: '4797', Name: 'Other site', CardNo: '74797' });
    sim.addLocally('userauthorize', { Pin: '4797', AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 });
    refusesClears(sim);
    await sim.connect();
    d = new Device(sim);
    // The panel runs the query (its users go up) but its result is never posted; then the next answers to results are lost.
    sim.holdResults((c) => c.verb === 'DATA QUERY');
    for (let i = 0; i < 40 && !sim.received.some((r) => r.command.startsWith('DATA QUERY')); i++) {
      await new Promise((r) => setTimeout(r, 150));
      await reconciler.runOnce();
      await reconciler.idle();
      await sim.poll();
    }
    expect(sim.received.some((r) => r.command.startsWith('DATA QUERY'))).toBe(true);
    sim.stopHoldingResults();
    sim.dropHeldResults();
    lost.count = 2;
    await settleConverged(t, reconciler, d.sim, 10);
    // A reset meanwhile (the panel loses everything, the stranger too) and back: it converges all the same.
    expect((await sim.factoryReset()).registered).toBe(true);
    sim.addLocally('user', { Pin: '4797', Name: 'Other site', CardNo: '74797' });
    sim.addLocally('userauthorize', { Pin: '4797', AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 });
    await settleConverged(t, reconciler, d.sim, 10);
    await count(d);
    expect(pins(d)).toEqual(['4941', '4942']);
    expect(d.sim.evaluateAccess({ pin: '4797', door: 1 }).granted).toBe(false);
    expect(await convergenceOf(t, sn)).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0, unknownRows: [] });
  });

  it('a rights row under no user (an orphan) and a door added under one of ours are learnt with DATA QUERY tablename=userauthorize and taken off by PIN', async () => {
    const sn = 'FCLUP0006';
    const d = await Device.connect(t, sn, 2, '10.49.0.6');
    refusesClears(d.sim);
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'UL6' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'UL6', doorName: '10.49.0.6-1' }] }));
    const level = await levelId(t, 'UL6');
    for (const pin of ['4961', '4962']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
    await ok(t.post(`/api/gateway/devices/${sn}/sync`));
    await settleConverged(t, reconciler, d.sim, 6);
    // Left behind by another server (or a delete of the user that ran without the rights delete before it): a right on
    // both doors for pin 4796, which the panel holds no user of; and door 2 added at the panel for 4961.
    d.sim.addLocally('userauthorize', { Pin: '4796', AuthorizeTimezoneId: 1, AuthorizeDoorId: 3 });
    d.sim.addLocally('userauthorize', { Pin: '4961', AuthorizeTimezoneId: 2, AuthorizeDoorId: 2 });
    await count(d);
    const rights = () => d.sim.table('userauthorize').map((r) => `${r.Pin}:${r.AuthorizeTimezoneId}:${r.AuthorizeDoorId}`).sort();
    expect(rights()).toEqual(['4961:1:1', '4962:1:1']);
    expect(d.sim.received.some((r) => r.command.startsWith('DATA QUERY tablename=userauthorize'))).toBe(true);
    await count(d);
    expect(await convergenceOf(t, sn)).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0, unknownRows: [] });
    // A person later given that pin gets the doors of their own levels, not the orphan's.
    await ok(t.post('/api/person/add', { pin: '4796', name: 'P4796', accLevelIds: level }));
    await settleConverged(t, reconciler, d.sim, 6);
    expect(d.sim.evaluateAccess({ pin: '4796', door: 1 }).granted).toBe(true);
    expect(d.sim.evaluateAccess({ pin: '4796', door: 2 }).granted).toBe(false);
  });

  it('a user deleted at its menu is written back: a count below what it confirmed owes the full sync, the refused clear left out', async () => {
    const sn = 'FCLUP0005';
    const d = await Device.connect(t, sn, 2, '10.49.0.5');
    refusesClears(d.sim);
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'UL5' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'UL5', doorName: '10.49.0.5-1' }] }));
    const level = await levelId(t, 'UL5');
    for (const pin of ['4951', '4952']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
    await ok(t.post(`/api/gateway/devices/${sn}/sync`));
    await settleConverged(t, reconciler, d.sim, 6);
    expect((await t.get(`/api/gateway/devices/${sn}`)).body.data.refusedCapabilities.map((r: { what: string }) => r.what)).toContain('DATA DELETE user *');
    expect(d.sim.deleteLocally('user', { Pin: '4952' })).toBe(1);
    await count(d);
    expect(pins(d)).toEqual(['4951', '4952']);
    expect(d.sim.evaluateAccess({ pin: '4952', door: 1 }).granted).toBe(true);
    expect(await convergenceOf(t, sn)).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0, unknownRows: [] });
  });
  it('a DATA QUERY of the strangers refused as busy (-1002) or never answered: the panel is counted again after the retry backoff, not at the next periodic verification', async () => {
    for (const [n, fault] of [[7, 'busy'], [8, 'unanswered']] as const) {
      const sn = `FCLUP000${n}`;
      const ip = `10.49.0.${n}`;
      const d = await Device.connect(t, sn, 2, ip);
      refusesClears(d.sim);
      await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `UL${n}` }] }));
      await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: `UL${n}`, doorName: `${ip}-1` }] }));
      const level = await levelId(t, `UL${n}`);
      for (const pin of [`49${n}1`, `49${n}2`]) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
      // A full sync: its clears refused, the firmware is known to keep what only deletes by PIN take off.
      await ok(t.post(`/api/gateway/devices/${sn}/sync`));
      await settleConverged(t, reconciler, d.sim, 6);
      // Another tool writes a stranger with a right on door 1; a count (the periodic verification's) finds one user
      // too many and asks for the users, and that query fails.
      const stranger = `47${n}0`;
      d.sim.addLocally('user', { Pin: stranger, Name: 'Other site', CardNo: `7${stranger}` });
      d.sim.addLocally('userauthorize', { Pin: stranger, AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 });
      const query = (c: { verb: string | null; table?: string }) => c.verb === 'DATA QUERY' && c.table === 'user';
      if (fault === 'busy') d.sim.failCommands(query, -1002, 1);
      else d.sim.holdResults(query);
      await t.ds.transaction((m) => t.app.get(SyncPlannerService).queueVerify(m, sn));
      for (let i = 0; i < 10 && !d.sim.received.some((r) => query(r.parsed)); i++) {
        await reconciler.idle();
        await d.sim.poll();
      }
      expect(d.sim.received.some((r) => query(r.parsed))).toBe(true);
      if (fault === 'unanswered') {
        // Its result never posted (power cut), and the query's later deliveries unanswered too: it expires.
        for (let i = 0; i < 30 && (await t.ds.query(`SELECT 1 FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent') AND meta ? 'learn'`, [sn])).length > 0; i++) {
          await new Promise((r) => setTimeout(r, 200));
          await reconciler.runOnce();
          await d.sim.poll();
          d.sim.dropHeldResults();
        }
        d.sim.stopHoldingResults();
      }
      // No count asked by the test from here: the gateway asks again of its own.
      for (let i = 0; i < 30 && pins(d).includes(stranger); i++) {
        await new Promise((r) => setTimeout(r, 150));
        await reconciler.runOnce();
        await reconciler.idle();
        await d.sim.pollUntilIdle({ maxPolls: 10 });
      }
      expect(pins(d), fault).toEqual([`49${n}1`, `49${n}2`]);
      expect(d.sim.evaluateAccess({ pin: stranger, door: 1 }).granted).toBe(false);
      await settleConverged(t, reconciler, d.sim, 6);
      expect(await convergenceOf(t, sn)).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0, unknownRows: [] });
    }
  });
  it('a DATA QUERY answered with more records than reached the gateway (a querydata packet lost on its way): counted again later, not taken as no stranger', async () => {
    const sn = 'FCLUP0009';
    const ip = '10.49.0.9';
    // One record per packet; the packet carrying the stranger is swallowed once on its way (the panel saw it
    // answered), so its Return names more records than came.
    let swallow = 1;
    const fetch: FetchLike = async (url, init) => {
      const body = Buffer.from(init?.body ?? []).toString();
      if (swallow > 0 && url.includes('/iclock/querydata') && url.includes('type=tabledata') && /pin=4790/i.test(body)) {
        swallow--;
        return { status: 200, headers: { forEach: () => undefined }, text: async () => 'OK' };
      }
      return (globalThis.fetch as unknown as FetchLike)(url, init);
    };
    const d = await Device.connect(t, sn, 2, ip, { fetch, queryPackSize: 1 });
    refusesClears(d.sim);
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'UL9' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'UL9', doorName: `${ip}-1` }] }));
    const level = await levelId(t, 'UL9');
    for (const pin of ['4991', '4992']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
    await ok(t.post(`/api/gateway/devices/${sn}/sync`));
    await settleConverged(t, reconciler, d.sim, 6);
    // A user record only (its card would open as whoever is later given the pin): only the user count is beyond.
    d.sim.addLocally('user', { Pin: '4790', Name: 'Other site', CardNo: '74790' });
    await t.ds.transaction((m) => t.app.get(SyncPlannerService).queueVerify(m, sn));
    for (let i = 0; i < 30 && pins(d).includes('4790'); i++) {
      await new Promise((r) => setTimeout(r, 150));
      await reconciler.runOnce();
      await reconciler.idle();
      await d.sim.pollUntilIdle({ maxPolls: 10 });
    }
    expect(swallow).toBe(0);
    expect(pins(d)).toEqual(['4991', '4992']);
    await settleConverged(t, reconciler, d.sim, 6);
    expect(await convergenceOf(t, sn)).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0, unknownRows: [] });
  });
});
