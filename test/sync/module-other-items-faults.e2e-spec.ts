/**
 * What the seeded module schedules (module-schedules.ts) and module-convergence-property do not draw, on an elevator
 * and a channel controller: holidays, fingerprint templates and face photos, a card set by 2.5's card/set, and
 * visitors (a visitor level that is an elevator or entrance-control level) checked out and in again with another
 * card and level, a second visit begun and ended, all while the controller is offline; then a lost getrequest
 * reply, lost devicecmd answers (results posted again), refusals (-1002), and the controller registering again.
 * Once it accepts again it holds what the database gives it, read through REST apart from the planner (users with
 * their cards, templates and photos, holidays, the visitor on site), is said synced, and its whole tables equal
 * what the same controller factory-reset and synced from scratch holds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { ChannelControllerSimulator } from '../simulator/channel';
import { ALL_TABLES } from '../simulator/tables';
import { PHOTO } from './access-helpers';
import { biometricRowsOf, biometricsFromDatabase } from './db-oracle';
import { claimsSynced, convergenceOf, fromScratch, ok, resultReplyLoss, settleConverged, startFaultApp, tableSnapshot } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const TABLES = ALL_TABLES.filter((x) => x !== 'transaction');
const pad = (n: number) => String(n).padStart(2, '0');
const fmt = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

for (const [kind, n] of [['ele', 1], ['psg', 2]] as const) {
  it(`${kind === 'ele' ? 'an elevator' : 'a channel'} controller ends holding the database's holidays, templates, photos, cards and visitors`, { timeout: 90_000 }, async () => {
    const loss = resultReplyLoss();
    let refuse = 0;
    const resultFor = (c: { verb: string | null }) => (c.verb?.startsWith('DATA') && refuse > 0 ? (refuse--, -1002) : undefined);
    const o = { baseUrl: t.baseUrl, sn: `H4OTH${n}0001`, ipAddress: `10.44.${n}.1`, resultFor, fetch: loss.fetch, retryResults: true };
    const sim: DeviceSimulator = kind === 'ele' ? new ElevatorControllerSimulator({ ...o, floors: 4 }) : new ChannelControllerSimulator({ ...o, gates: 2 });
    await sim.connect();
    await settleConverged(t, reconciler, sim);
    const points: Array<{ id: string }> = (await t.get(kind === 'ele' ? '/api/floor/list' : '/api/psgGate/list', { pageNo: 1, pageSize: 100, deviceSn: sim.sn })).body.data;
    const save = async (name: string, point: string) => (await t.post(`/api/gateway/${kind}Level/save`, { name, pointIds: [point] })).body.data.id as string;
    const lv = await save(`H4 other ${kind} 1`, points[0].id);
    const lv2 = await save(`H4 other ${kind} 2`, points[1].id);
    const [a, b, host] = [`4${n}901`, `4${n}902`, `4${n}909`];
    for (const pin of [a, b]) {
      await ok(t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `${pin}1`, personPhoto: PHOTO }));
      await ok(t.post(`/api/${kind}Level/syncPerson`, undefined, { pin, levelIds: lv }));
      for (const no of ['1', '2']) await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`fp${no}-${pin}`), templateNo: no }));
    }
    await ok(t.post('/api/person/add', { pin: host, name: 'Host' }));
    const visit = (certNum: string, cardNo: string, visLevels: string) => ({
      persPersonPin: host, certType: '3', certNum, visEmpName: `Guest ${certNum}`, visitEmpPhone: '', visitReason: 'visit', visitorCount: '1',
      startTime: fmt(new Date(Date.now() - 3600_000)), endTime: fmt(new Date(Date.now() + 2 * 3600_000)), cardNo, visLevels,
    });
    await ok(t.post('/api/visRegistration/add', visit(`H4O${n}A`, `4${n}9101`, lv)));
    // Delivered through a lost reply, lost answers and refusals.
    sim.loseNextReply();
    await sim.poll();
    loss.count = 2;
    refuse = 2;
    await sim.pollUntilIdle({ maxPolls: 10 });

    // Offline while integrators write on.
    const hol = (await t.post('/api/gateway/holidays', { name: `H4 hol ${kind}`, startDate: '2027-03-01', endDate: '2027-03-02' })).body.data;
    await ok(t.post('/api/card/set', { pin: b, cardNo: `${b}2` }));
    await ok(t.post(`/api/bioTemplate/delete/${a}/1`));
    await ok(t.post(`/api/bioTemplate/delete/${b}/2`));
    await ok(t.post('/api/bioTemplate/add', { personId: b, validType: '1', template: b64('fp2-changed'), templateNo: '2' }));
    await ok(t.post('/api/visRegistration/exit', undefined, { certType: '3', certNum: `H4O${n}A` }));
    await ok(t.post('/api/visRegistration/add', visit(`H4O${n}A`, `4${n}9102`, lv2)));
    await ok(t.post('/api/visRegistration/add', visit(`H4O${n}B`, `4${n}9103`, lv)));
    await ok(t.post('/api/visRegistration/exit', undefined, { certType: '3', certNum: `H4O${n}B` }));
    loss.count = 1;
    refuse = 1;
    sim.loseNextReply();
    await sim.pollUntilIdle({ maxPolls: 3 });
    await ok(t.delete(`/api/gateway/holidays/${hol.id}`));
    await ok(t.post('/api/gateway/holidays', { name: `H4 hol2 ${kind}`, startDate: '2027-04-01', endDate: '2027-04-01' }));
    expect((await sim.reconfigure({})).registered).toBe(true);
    await ok(t.delete(`/api/person/delete/${a}`));
    await ok(t.post('/api/person/add', { pin: b, name: `P${b} renamed`, cardNo: `${b}2` }));

    let claim = await convergenceOf(t, sim.sn);
    for (let i = 0; i < 8 && !(claimsSynced(claim) && sim.pendingAcks.length === 0); i++) {
      await settleConverged(t, reconciler, sim);
      claim = await convergenceOf(t, sim.sn);
    }
    expect(claimsSynced(claim), JSON.stringify(claim)).toBe(true);
    const held = tableSnapshot(sim, TABLES);

    // Read through REST: the person with their card, the visitor on site with theirs, nobody else.
    const [{ pin: guest }] = await t.ds.query(`SELECT visitor_pin AS pin FROM vis_registration WHERE cert_num = $1 AND state = 'in'`, [`H4O${n}A`]);
    const users = Object.fromEntries(sim.table('user').map((u) => [String(u.Pin), `${u.Name} ${u.CardNo}`]));
    const person = (await t.get(`/api/person/get/${b}`)).body.data as { name: string; cardNo: string };
    expect(users).toEqual({ [b]: `${person.name} ${person.cardNo}`, [guest]: `Guest H4O${n}A 4${n}9102` });
    // The guest holds the second level's point only, the person the first's.
    if (sim instanceof ElevatorControllerSimulator) {
      expect([b, guest].map((p) => sim.eleRightsOf(p).map((r) => r.floors.join('.')))).toEqual([['1'], ['2']]);
    } else {
      expect([b, guest].map((p) => sim.table('userauthorize').filter((r) => r.Pin === p).map((r) => String(r.AuthorizeDoorId)))).toEqual([['1'], ['2']]);
    }
    expect(biometricRowsOf(held, [a, b, guest])).toEqual(await biometricsFromDatabase(t, { user: [`Pin=${b}`] }));
    const days = sim.table('holiday').map((h) => String(h.Holiday)).sort();
    expect(days).toEqual(['20270401']);

    // The oracle: the same controller reset and synced from scratch holds exactly this.
    expect(held).toEqual(await fromScratch(t, reconciler, sim, TABLES));
  });
}
