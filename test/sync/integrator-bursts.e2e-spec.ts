/**
 * An integrator's bursts against a panel meeting faults, each scenario ending with the panel compared to the
 * database as REST reads it (db-oracle.ts) and to the same panel factory-reset and synced again, and with the sync
 * views saying synced only then.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { claimsSynced, convergenceOf, CutShort, fromScratch, ok, resultReplyLoss, settleConverged, useFaultApp, tableSnapshot } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { DeviceSimulator } from '../simulator/device-simulator';
import { accessFromDatabase, accessRowsOf, type LevelOnPanel } from './db-oracle';

let t: TestApp;
let reconciler: SyncReconciler;
const TABLES = ['user', 'userauthorize', 'timezone', 'holiday', 'mulcarduser', 'biodata'];

useFaultApp((app) => ({ t, reconciler } = app));

async function panelWithLevels(sn: string, net: string, extra: Partial<ConstructorParameters<typeof DeviceSimulator>[0]>, segName?: string) {
  const lost = resultReplyLoss();
  const cutter = new CutShort();
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 4, ipAddress: `${net}.1`, retryResults: true, fetch: cutter.wrap(lost.fetch), ...extra });
  await sim.connect();
  await sim.pollUntilIdle();
  const levels: Array<LevelOnPanel & { doors: Set<number> }> = [];
  for (const n of [0, 1]) {
    const name = `${sn}L${n}`;
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name, ...(n === 1 && segName ? { timeSegName: segName } : {}) }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [n + 1, 3].map((d) => ({ levelName: name, doorName: `${net}.1-${d}` })) }));
    const id = (await t.get(`/api/accLevel/getByName/${name}`)).body.data.id;
    const tz = n === 1 && segName ? ((await t.get('/api/gateway/timeSegments')).body.data as Array<{ name: string; tzId: number }>).find((s) => s.name === segName)!.tzId : 1;
    levels.push({ id, tz, doors: new Set([n + 1, 3]) });
  }
  return { sim, lost, cutter, levels };
}

async function expectMatchesDatabase(sim: DeviceSimulator, pins: readonly string[], levels: readonly LevelOnPanel[], mulCard: boolean): Promise<void> {
  await settleConverged(t, reconciler, sim, 40);
  const held = tableSnapshot(sim, TABLES);
  expect(accessRowsOf(held, pins)).toEqual(await accessFromDatabase(t, pins, levels, mulCard));
  expect(claimsSynced(await convergenceOf(t, sim.sn)), JSON.stringify(await convergenceOf(t, sim.sn))).toBe(true);
  expect(await fromScratch(t, reconciler, sim, TABLES)).toEqual(held);
}

describe('an integrator adding 220 persons with cards and levels in quick succession', () => {
  for (const mulCard of [false, true]) {
    it(`while the panel polls from two connections, loses a reply, gets one cut short and loses results, it ends holding exactly them${mulCard ? ' (mulcarduser)' : ''}`, { timeout: 600_000 }, async () => {
      const sn = mulCard ? 'BURSTM01' : 'BURSTU01';
      const { sim, lost, cutter, levels } = await panelWithLevels(sn, mulCard ? '10.84.1' : '10.84.0', mulCard ? { registryExtras: { MulCardUserFunOn: 1 } } : {});
      const base = mulCard ? 60000 : 50000;
      const pins = Array.from({ length: 220 }, (_, i) => String(base + i));
      const levelsOf = (i: number) => [levels[0].id, levels[1].id, `${levels[0].id},${levels[1].id}`][i % 3];
      for (let i = 0; i < pins.length; i += 10) {
        const batch = pins.slice(i, i + 10);
        const writes = batch.map((p, k) => ok(t.post('/api/person/add', { pin: p, name: `P${p}`, cardNo: `7${p}`, accLevelIds: levelsOf(i + k), ...(mulCard && k % 4 === 0 ? { supplyCards: `8${p}` } : {}) })));
        // The panel polls meanwhile: from two connections, a reply lost, a results answer lost.
        if (i % 40 === 0) writes.push(sim.pollConcurrently(2).then(() => undefined));
        if (i % 50 === 10) sim.loseNextReply();
        if (i % 60 === 20) lost.count = 1;
        if (i % 70 === 30) cutter.cut = 1;
        await Promise.all(writes);
        if (i % 30 === 0) await sim.poll();
      }
      await expectMatchesDatabase(sim, pins, levels, mulCard);
      for (const p of [pins[0], pins[111], pins[219]]) {
        const mine = (await t.get(`/api/gateway/persons/${p}/devices`)).body.data.find((x: { deviceSn: string }) => x.deviceSn === sn);
        expect(mine?.state).toBe('synced');
      }
    });
  }
});

const finger = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');

describe('a panel offline for long while its time segments, holidays, persons and templates change', () => {
  it('comes back with its clock days off, reboots, its first reply cut short, and ends holding what the database gives', { timeout: 300_000 }, async () => {
    await ok(t.post('/api/gateway/timeSegments', { name: 'OFFSeg', schedule: { mon: [['08:00', '12:00']] } }));
    const { sim, cutter, levels } = await panelWithLevels('OFFLINE01', '10.84.2', {}, 'OFFSeg');
    const pins = ['9101', '9102', '9103', '9104'];
    for (const [i, p] of pins.entries()) await ok(t.post('/api/person/add', { pin: p, name: `O${p}`, cardNo: `91${p}`, accLevelIds: levels[i % 2].id }));
    for (const p of pins.slice(0, 2)) {
      await ok(t.post('/api/bioTemplate/add', { personId: p, validType: '1', template: finger(`f ${p}`), templateNo: '1' }));
      await ok(t.post('/api/bioTemplate/add', { personId: p, validType: '1', template: finger(`face ${p}`), templateNo: '0', bioType: '9' }));
    }
    await ok(t.post('/api/gateway/holidays', { name: 'OFFH1', startDate: '2028-05-01', endDate: '2028-05-02', holidayType: 1 }));
    await settleConverged(t, reconciler, sim);
    expect(sim.table('biodata')).toHaveLength(4);
    // Offline from here: nothing polls.
    const seg = ((await t.get('/api/gateway/timeSegments')).body.data as Array<{ id: string; name: string }>).find((s) => s.name === 'OFFSeg')!;
    for (const h of [13, 14, 15]) await ok(t.put(`/api/gateway/timeSegments/${seg.id}`, { schedule: { mon: [['07:00', `${h}:00`]], sat: [['09:00', '11:00']] } }));
    const hol = ((await t.get('/api/gateway/holidays')).body.data as Array<{ id: string; name: string }>).find((h) => h.name === 'OFFH1')!;
    await ok(t.put(`/api/gateway/holidays/${hol.id}`, { startDate: '2028-06-01', endDate: '2028-06-03', holidayType: 2 }));
    await ok(t.post('/api/gateway/holidays', { name: 'OFFH2', startDate: '2028-07-04', endDate: '2028-07-04', holidayType: 3 }));
    // The same pin deleted and added again with other data, twice; another moved between levels back and forth.
    for (const n of [1, 2]) {
      expect((await t.delete(`/api/person/delete/${pins[0]}`)).body.code).toBe(0);
      await ok(t.post('/api/person/add', { pin: pins[0], name: `Again${n}`, cardNo: `92${n}${pins[0]}`, accLevelIds: levels[n % 2].id }));
    }
    await ok(t.post('/api/bioTemplate/add', { personId: pins[0], validType: '1', template: finger(`new ${pins[0]}`), templateNo: '2' }));
    for (const k of [0, 1, 0, 1, 1]) await ok(t.post('/api/person/add', { pin: pins[1], name: `O${pins[1]}`, accLevelIds: levels[k].id }));
    await ok(t.delete(`/api/bioTemplate/delete/${pins[1]}/1`));
    // A card changed and changed back.
    await ok(t.post('/api/person/add', { pin: pins[2], name: `O${pins[2]}`, cardNo: '93000' }));
    await ok(t.post('/api/person/add', { pin: pins[2], name: `O${pins[2]}`, cardNo: `91${pins[2]}` }));
    await ok(t.post('/api/v2/person/deleteByPins', { pins: pins[3] }));
    expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(false);
    // Back, with its clock two days behind, rebooting; its first reply cut short.
    sim.driftClock(-2 * 86_400_000);
    cutter.cut = 1;
    expect((await sim.connect()).registered).toBe(true);
    await expectMatchesDatabase(sim, pins, levels, false);
    // Templates: the re-added pin holds only its new finger, the moved one its face only.
    const bio = (p: string) => sim.table('biodata').filter((r) => String(r.Pin) === p).map((r) => `${r.Type}/${r.No}`).sort();
    expect(bio(pins[0])).toEqual(['1/2']);
    expect(bio(pins[1])).toEqual(['9/0']);
    const want = ((await t.get('/api/gateway/timeSegments')).body.data as Array<{ name: string; tzId: number }>).find((s) => s.name === 'OFFSeg')!.tzId;
    const tz = sim.table('timezone').find((r) => Number(r.TimezoneId) === want)!;
    expect(Number(tz.SunTime1)).toBe(0);
    expect(Number(tz.MonTime1)).toBe(700 * 65536 + 1500);
    expect(Number(tz.SatTime1)).toBe(900 * 65536 + 1100);
    const days = sim.table('holiday').map((r) => `${r.Holiday} ${r.HolidayType} ${r.Loop}`).sort();
    expect(days).toEqual(['20280601 2 2', '20280602 2 2', '20280603 2 2', '20280704 3 2']);
  });
});
