/**
 * Faults combined with the writes fault-combos.e2e-spec.ts leaves out: templates and photos written while a panel
 * is offline, results of commands a panel ran before its reset posted after it, a card moved between two persons
 * on two panels, a time segment shared by two levels on two panels of which one refuses. Every panel ends holding
 * what the same panel factory-reset and synced again holds, and is never said synced while it lacks something.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { claimsSynced, convergenceOf, ok, resultReplyLoss, settleConverged, tableSnapshot, startFaultApp, fromScratch as oracle } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { Device, levelId, PHOTO } from './access-helpers';
import { DeviceSimulator } from '../simulator/device-simulator';

let t: TestApp;
let reconciler: SyncReconciler;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lost = resultReplyLoss();

const TABLES = ['user', 'userauthorize', 'timezone', 'holiday', 'mulcarduser', 'biodata', 'biophoto'];
const snapshot = (d: Device) => tableSnapshot(d.sim, TABLES);
const settle = (d: Device, rounds = 20) => settleConverged(t, reconciler, d.sim, rounds);

/** The oracle: the panel factory-reset and given everything again holds this. */
const fromScratch = (d: Device) => oracle(t, reconciler, d.sim, TABLES);

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

async function panelWithLevel(sn: string, doors: number, ip: string, level: string, extra: Parameters<typeof Device.connect>[4] = {}): Promise<{ d: Device; level: string }> {
  const d = await Device.connect(t, sn, doors, ip, extra);
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  return { d, level: await levelId(t, level) };
}

const finger = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');

/** Every step polled: the panel is never said synced while it differs from `truth` (checked afterwards). */
async function replay(d: Device, rounds: number): Promise<Array<{ at: Record<string, string[]>; synced: boolean }>> {
  const steps: Array<{ at: Record<string, string[]>; synced: boolean }> = [];
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    await d.sim.poll();
    steps.push({ at: snapshot(d), synced: claimsSynced(await convergenceOf(t, d.sim.sn)) && d.sim.pendingAcks.length === 0 });
    await reconciler.runOnce();
    await sleep(50);
  }
  return steps;
}

describe('templates and photos written while the panel is offline', () => {
  it('add, replace, delete templates and photos, a person deleted and added again: back with every fault, it ends equal to a fresh sync', { timeout: 120_000 }, async () => {
    const { d, level } = await panelWithLevel('FBIO0001', 1, '10.61.0.1', 'BIOA', { retryResults: true, fetch: lost.fetch });
    await ok(t.post('/api/person/add', { pin: '6101', name: 'Ann', accLevelIds: level, personPhoto: PHOTO }));
    await ok(t.post('/api/person/add', { pin: '6102', name: 'Bob', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '6101', validType: '1', template: finger('6101 a'), templateNo: '1' }));
    await ok(t.post('/api/bioTemplate/add', { personId: '6102', validType: '1', template: finger('6102 a'), templateNo: '2' }));
    await settle(d);
    expect(d.sim.table('biodata')).toHaveLength(2);

    // Offline.
    await ok(t.post('/api/bioTemplate/delete/6101/1'));
    await ok(t.post('/api/bioTemplate/add', { personId: '6101', validType: '1', template: finger('6101 b'), templateNo: '1' }));
    await ok(t.post('/api/bioTemplate/add', { personId: '6101', validType: '1', template: finger('6101 c'), templateNo: '4' }));
    await ok(t.post('/api/bioTemplate/delete/6102/2'));
    await ok(t.post('/api/person/updatePersonnelPhoto', { pin: '6102', personPhoto: PHOTO }));
    await ok(t.delete('/api/person/delete/6101'));
    await ok(t.post('/api/person/add', { pin: '6101', name: 'Ann again', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '6101', validType: '1', template: finger('6101 d'), templateNo: '6' }));
    await ok(t.post('/api/bioTemplate/add', { personId: '6102', validType: '1', template: finger('6102 b'), templateNo: '3' }));

    d.sim.loseNextReply();
    lost.count = 1;
    const refusal = d.sim.failCommands((c) => c.table === 'biodata' && c.verb === 'DATA UPDATE', -1002, 1);
    await d.sim.poll();
    await sleep(250);
    d.sim.holdResults();
    await d.sim.poll();
    d.sim.stopHoldingResults();
    for (const r of [...d.sim.pendingAcks].reverse()) await d.sim.releaseResults((x) => x.id === r.id);
    const steps = await replay(d, 20);
    await settle(d);
    expect(refusal.used).toBe(1);
    const incremental = snapshot(d);
    const c = await convergenceOf(t, d.sim.sn);
    const truth = await fromScratch(d);
    expect(incremental).toEqual(truth);
    expect(claimsSynced(c)).toBe(true);
    for (const [i, s] of steps.entries()) if (s.synced) expect(s.at, `step ${i}`).toEqual(truth);
    expect(truth.biodata.map((r) => /Pin=(\d+)/.exec(r)![1]).sort()).toEqual(['6101', '6102']);
    expect(truth.biodata.some((r) => r.includes(finger('6101 d')))).toBe(true);
    expect(truth.biodata.some((r) => r.includes(finger('6101 b')))).toBe(false);
    expect(truth.biophoto.map((r) => /PIN=(\d+)/.exec(r)![1])).toEqual(['6102']);
  });

  it('a panel reset with its templates confirmed gets them back, and an operator\'s syncPerson sends them again', async () => {
    const { d, level } = await panelWithLevel('FBIO0002', 1, '10.61.0.2', 'BIOB');
    await ok(t.post('/api/person/add', { pin: '6111', name: 'Ann', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '6111', validType: '1', template: finger('6111 a'), templateNo: '1' }));
    await ok(t.post('/api/bioTemplate/add', { personId: '6111', validType: '1', template: finger('6111 b'), templateNo: '2' }));
    await settle(d);
    const want = snapshot(d);
    expect(want.biodata).toHaveLength(2);
    expect((await d.sim.factoryReset()).registered).toBe(true);
    await settle(d);
    expect(snapshot(d)).toEqual(want);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
    // Templates deleted at the panel: the operator asks for the person again (2.1.6, everything re-sent).
    d.sim.deleteLocally('biodata');
    await ok(t.post('/api/accLevel/syncPerson', null, { pin: '6111', levelIds: level }));
    await settle(d);
    expect(snapshot(d)).toEqual(want);
  });
});

describe('a spare board holding another site\'s templates', () => {
  const OLD = { registryPushVersion: 'Ver 2.2.0-20180101', multiBioDataSupport: '', multiBioPhotoSupport: '', registryExtras: { DateFmtFunOn: 0, BioPhotoFun: 0, BioDataFun: 0 } };
  for (const [table, n, extra] of [['biodata', 3, {}], ['templatev10', 4, OLD]] as const) {
    it(`swapped in under the same SN (${table}): it ends holding only the templates the database gives, none of the other site's`, async () => {
      const sn = `FBIO000${n}`;
      const ip = `10.61.0.${n}`;
      const { d, level } = await panelWithLevel(sn, 1, ip, `BIO${n}`, extra);
      const pin = `61${n}1`;
      await ok(t.post('/api/person/add', { pin, name: 'Ann', accLevelIds: level }));
      await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: finger(`${pin} a`), templateNo: '1' }));
      await settle(d);
      const want = tableSnapshot(d.sim, ['user', 'userauthorize', table]);
      expect(want[table]).toHaveLength(1);
      // The spare: another site's person under the same pin with a finger in slot 5, and its own 8821.
      const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1, ipAddress: ip, mac: `00:17:61:61:21:0${n}`, ...extra });
      sim.addLocally('user', { Pin: pin, Name: `Other ${pin}` });
      sim.addLocally('user', { Pin: '8821', Name: 'Other 8821' });
      for (const [p, no] of [[pin, 5], ['8821', 1]] as const) {
        if (table === 'biodata') sim.addLocally('biodata', { Pin: p, No: no, Index: 0, Valid: 1, Duress: 0, Type: 1, MajorVer: 10, MinorVer: 0, Format: 0, Tmp: finger(`other ${p}`) });
        else sim.addLocally('templatev10', { Pin: p, FingerID: no, Valid: 1, Template: finger(`other ${p}`) });
      }
      sim.addLocally('userauthorize', { Pin: '8821', AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 });
      await sim.connect();
      const spare = new Device(sim);
      await settle(spare);
      expect(tableSnapshot(sim, ['user', 'userauthorize', table])).toEqual(want);
      expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(true);
    });
  }
});

describe('results of commands run before a reset, posted after it', () => {
  it('the panel ran a reply, was reset before answering, registered again and then posted the old results: it still gets everything', { timeout: 120_000 }, async () => {
    const { d, level } = await panelWithLevel('FLATE0001', 1, '10.62.0.1', 'LATEA');
    for (const pin of ['6201', '6202']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `9${pin}`, accLevelIds: level }));
    await settle(d);
    await ok(t.post('/api/person/add', { pin: '6203', name: 'P6203', cardNo: '96203', accLevelIds: level }));
    await ok(t.post('/api/person/add', { pin: '6201', name: 'P6201 b', cardNo: '96201', accLevelIds: level }));
    d.sim.holdResults();
    await d.sim.poll();
    d.sim.stopHoldingResults();
    const held = [...d.sim.pendingAcks];
    expect(held.length).toBeGreaterThan(0);
    expect((await d.sim.factoryReset()).registered).toBe(true);
    // The old results come in after the registration (firmware that keeps unsent results across a restart).
    d.sim.pendingAcks.push(...held.filter((h) => !d.sim.pendingAcks.includes(h)));
    await d.sim.releaseResults();
    const steps = await replay(d, 10);
    await settle(d);
    const incremental = snapshot(d);
    const c = await convergenceOf(t, d.sim.sn);
    const truth = await fromScratch(d);
    expect(incremental).toEqual(truth);
    expect(claimsSynced(c)).toBe(true);
    for (const [i, s] of steps.entries()) if (s.synced) expect(s.at, `step ${i}`).toEqual(truth);
    expect(truth.user.map((u) => /Pin=(\d+)/.exec(u)![1])).toEqual(['6201', '6202', '6203']);
  });
});

describe('a card moved from one person to another across two panels', () => {
  it('the first panel offline while the card moves: the card ends on the second person only, on both panels', { timeout: 120_000 }, async () => {
    const a = await panelWithLevel('FCARD0001', 1, '10.63.0.1', 'CARDA', { registryExtras: { MulCardUserFunOn: 1 } });
    const b = await panelWithLevel('FCARD0002', 1, '10.63.0.2', 'CARDB', { registryExtras: { MulCardUserFunOn: 1 } });
    await ok(t.post('/api/person/add', { pin: '6301', name: 'Ann', cardNo: '6300001', accLevelIds: `${a.level},${b.level}` }));
    await ok(t.post('/api/person/add', { pin: '6302', name: 'Bob', accLevelIds: b.level }));
    await settle(a.d);
    await settle(b.d);
    // The card goes from Ann to Bob; Ann gets a new one. Panel A refuses the mulcarduser delete once.
    await ok(t.post('/api/person/add', { pin: '6301', name: 'Ann', cardNo: '6300002', accLevelIds: `${a.level},${b.level}` }));
    await ok(t.post('/api/person/add', { pin: '6302', name: 'Bob', cardNo: '6300001', accLevelIds: `${a.level},${b.level}` }));
    const refusal = a.d.sim.failCommands((c) => c.table === 'mulcarduser' && c.verb === 'DATA DELETE', -1002, 1);
    await b.d.sim.pollUntilIdle();
    a.d.sim.holdResults();
    await a.d.sim.poll();
    a.d.sim.stopHoldingResults();
    for (const r of [...a.d.sim.pendingAcks].reverse()) await a.d.sim.releaseResults((x) => x.id === r.id);
    const steps = await replay(a.d, 10);
    await settle(a.d);
    await settle(b.d);
    expect(refusal.used).toBe(1);
    for (const p of [a, b]) {
      const incremental = snapshot(p.d);
      const c = await convergenceOf(t, p.d.sim.sn);
      const truth = await fromScratch(p.d);
      expect(incremental, p.d.sim.sn).toEqual(truth);
      expect(claimsSynced(c)).toBe(true);
      if (p === a) for (const [i, s] of steps.entries()) if (s.synced) expect(s.at, `step ${i}`).toEqual(truth);
      const holders = p.d.sim.table('mulcarduser').filter((r) => r.CardNo === (6300001).toString(16).toUpperCase()).map((r) => r.Pin);
      expect(holders).toEqual(['6302']);
    }
  });
});

describe('a time segment shared by two levels on two panels, one refusing', () => {
  it('the segment edited twice while one panel refuses its time zone: both end with the last schedule', async () => {
    await ok(t.post('/api/gateway/timeSegments', { name: 'SharedSeg', schedule: { mon: [['08:00', '12:00']] } }));
    const seg = (await t.get('/api/gateway/timeSegments')).body.data.find((s: { name: string }) => s.name === 'SharedSeg');
    const a = await Device.connect(t, 'FSEG0001', 1, '10.64.0.1');
    const b = await Device.connect(t, 'FSEG0002', 1, '10.64.0.2');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'SEGA', timeSegName: 'SharedSeg' }, { name: 'SEGB', timeSegName: 'SharedSeg' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'SEGA', doorName: '10.64.0.1-1' }, { levelName: 'SEGB', doorName: '10.64.0.2-1' }, { levelName: 'SEGB', doorName: '10.64.0.1-1' }] }));
    await ok(t.post('/api/person/add', { pin: '6401', name: 'Ann', accLevelIds: `${await levelId(t, 'SEGA')},${await levelId(t, 'SEGB')}` }));
    await settle(a);
    await settle(b);
    const refusal = a.sim.failCommands((c) => c.table === 'timezone', -1002, 2);
    await ok(t.put(`/api/gateway/timeSegments/${seg.id}`, { schedule: { mon: [['09:00', '13:00']] } }));
    await a.sim.pollUntilIdle();
    await b.sim.pollUntilIdle();
    await ok(t.put(`/api/gateway/timeSegments/${seg.id}`, { schedule: { mon: [['10:00', '14:00']], tue: [['10:00', '11:00']] } }));
    await ok(t.post('/api/accLevel/deleteLevel', null, { pin: '6401', levelIds: await levelId(t, 'SEGA') }));
    await a.sim.pollUntilIdle();
    const steps = await replay(a, 10);
    await settle(a);
    await settle(b);
    expect(refusal.used).toBe(2);
    const ta = snapshot(a);
    const tb = snapshot(b);
    expect(ta.timezone).toEqual(tb.timezone);
    for (const p of [a, b]) {
      const incremental = snapshot(p);
      const c = await convergenceOf(t, p.sim.sn);
      const truth = await fromScratch(p);
      expect(incremental, p.sim.sn).toEqual(truth);
      expect(claimsSynced(c)).toBe(true);
      if (p === a) for (const [i, s] of steps.entries()) if (s.synced) expect(s.at, `step ${i}`).toEqual(truth);
    }
  });
});
