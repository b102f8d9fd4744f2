/**
 * Faults combined, as a panel in the field meets them: offline while integrators write (persons, cards, levels,
 * level doors, time segments, holidays), then back with its first getrequest reply lost, its devicecmd replies
 * lost (it posts the same results again), a refusal, and results answered out of order; a panel swapped under the
 * same SN. Every panel ends holding what a fresh panel given a full sync from the database holds (the oracle: the
 * same panel factory-reset and synced again), and the sync-status answers never say "synced" while the panel lacks
 * something, nor stay divergent once it converged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { FetchLike } from '../simulator/http';
import { settingsOf } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { DeviceSimulator } from '../simulator/device-simulator';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The gateway got the devicecmd POST and answered it; the panel never saw the answer (and so posts the results again). */
let loseResultReplies = 0;
const lossyFetch: FetchLike = async (url, init) => {
  const res = await (globalThis.fetch as unknown as FetchLike)(url, init);
  if (loseResultReplies > 0 && url.includes('/iclock/devicecmd')) {
    loseResultReplies--;
    await res.text();
    return { status: 504, headers: { forEach: () => undefined }, text: async () => '' };
  }
  return res;
};

const TABLES = ['user', 'userauthorize', 'timezone', 'holiday', 'mulcarduser'];

/** What a panel holds, table by table, each row as sorted key=value text, rows sorted. */
function snapshot(d: Device): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of TABLES) {
    out[name] = d.sim
      .table(name)
      .map((r) => Object.entries(r).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).sort().join(' '))
      .sort();
  }
  return out;
}

/** Polls and runs the reconciler until nothing is queued nor owed for the panel, within `rounds`. */
async function settle(d: Device, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    await d.sim.pollUntilIdle({ maxPolls: 50 });
    const c = (await t.get(`/api/gateway/devices/${d.sim.sn}/convergence`)).body.data;
    if (!c.divergent && c.pendingCommands === 0 && c.unconfirmedItems === 0 && d.sim.pendingAcks.length === 0) return;
    await sleep(150);
    await reconciler.runOnce();
  }
}

/** The oracle: the panel factory-reset and given everything again holds this. */
async function fromScratch(d: Device): Promise<Record<string, string[]>> {
  expect((await d.sim.factoryReset()).registered).toBe(true);
  await settle(d);
  return snapshot(d);
}

/** The convergence answer, asserted honest against what the panel holds now. */
async function honest(d: Device, truth: Record<string, string[]>): Promise<any> {
  const c = (await t.get(`/api/gateway/devices/${d.sim.sn}/convergence`)).body.data;
  const equal = JSON.stringify(snapshot(d)) === JSON.stringify(truth);
  const claimsSynced = !c.divergent && c.pendingCommands === 0 && c.unconfirmedItems === 0;
  if (!equal) expect(claimsSynced, `${d.sim.sn} is said synced though it lacks what the database gives`).toBe(false);
  return c;
}

beforeAll(async () => {
  t = await startTestApp({ syncRetryBaseMs: 200, syncRetryMaxMs: 400, syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000, refusalProbe: { baseMs: 200, maxMs: 400 } });
});
afterAll(async () => {
  await t?.close();
});

async function ok(p: Promise<{ body: { code: number; message?: string } }>): Promise<void> {
  const r = await p;
  expect(r.body.code, r.body.message).toBe(0);
}

describe('offline during many writes, then back with every fault at once', () => {
  it('the panel ends equal to a fresh full sync, and is reported synced only then', async () => {
    const d = await Device.connect(t, 'FCOMBO0001', 2, '10.44.0.1', { retryResults: true, fetch: lossyFetch });
    await ok(t.post('/api/gateway/timeSegments', { name: 'Day', schedule: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']] } }));
    await ok(t.post('/api/gateway/holidays', { name: 'H1', startDate: '2027-01-01', endDate: '2027-01-02', holidayType: 1 }));
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'LA' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'LA', doorName: '10.44.0.1-1' }] }));
    const la = await levelId(t, 'LA');
    await ok(t.post('/api/person/add', { pin: '4401', name: 'Ann', cardNo: '111', accLevelIds: la }));
    await ok(t.post('/api/person/add', { pin: '4402', name: 'Bob', cardNo: '112', accLevelIds: la }));
    await settle(d);

    // Offline: nothing polls while the writes land.
    const seg = (await t.post('/api/gateway/timeSegments', { name: 'Night', schedule: { sun: [['20:00', '23:00']] } })).body.data;
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'LB', timeSegName: 'Night' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'LB', doorName: '10.44.0.1-2' }] }));
    const lb = await levelId(t, 'LB');
    await ok(t.post('/api/person/add', { pin: '4401', name: 'Ann B', cardNo: '222', accLevelIds: la }));
    await ok(t.post('/api/person/add', { pin: '4403', name: 'Cid', cardNo: '113', accLevelIds: `${la},${lb}` }));
    await ok(t.post('/api/accLevel/addLevelPerson', null, { pin: '4402', levelIds: lb }));
    await ok(t.put(`/api/gateway/timeSegments/${seg.id}`, { schedule: { sun: [['19:00', '23:30']], sat: [['10:00', '12:00']] } }));
    const hols = (await t.get('/api/gateway/holidays')).body.data;
    await ok(t.put(`/api/gateway/holidays/${hols[0].id}`, { endDate: '2027-01-03' }));
    await ok(t.post('/api/gateway/holidays', { name: 'H2', startDate: '2027-05-01', endDate: '2027-05-01', holidayType: 2 }));
    await ok(t.post('/api/accLevel/deleteLevel', null, { pin: '4402', levelIds: la }));
    await ok(t.delete('/api/person/delete/4401'));
    await ok(t.post('/api/person/add', { pin: '4401', name: 'Ann C', cardNo: '333', accLevelIds: lb }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'LA', doorName: '10.44.0.1-2' }] }));
    await ok(t.delete(`/api/gateway/holidays/${hols[0].id}`));

    // Back: the first reply is lost, two result replies are lost, rights are refused once, and the results of
    // the second reply come back last one first.
    d.sim.loseNextReply();
    loseResultReplies = 2;
    const refusal = d.sim.failCommands((c) => c.table === 'userauthorize', -1002, 1);
    await d.sim.poll();
    await sleep(250);
    d.sim.holdResults();
    await d.sim.poll();
    d.sim.stopHoldingResults();
    const held = [...d.sim.pendingAcks].reverse();
    for (const r of held) await d.sim.releaseResults((x) => x.id === r.id);
    expect(held.length).toBeGreaterThan(1);

    for (let i = 0; i < 30; i++) {
      await reconciler.idle();
      await d.sim.poll();
      await reconciler.runOnce();
      await sleep(50);
    }
    await settle(d);
    // Every fault was played.
    expect([d.sim.lostReplies.length, loseResultReplies, refusal.used]).toEqual([1, 0, 1]);
    const incremental = snapshot(d);
    const c = (await t.get(`/api/gateway/devices/${d.sim.sn}/convergence`)).body.data;
    const truth = await fromScratch(d);
    expect(incremental).toEqual(truth);
    expect(c).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    // The oracle is what the database says.
    expect(truth.user.find((u) => u.includes('Pin=4401'))).toContain('CardNo=333');
    expect(truth.user.some((u) => u.includes('Pin=4402'))).toBe(true);
    expect(truth.holiday).toHaveLength(1);
    for (const pin of ['4401', '4402', '4403']) {
      const s = (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data;
      expect(s.map((x: { state: string }) => x.state), pin).toEqual(['synced']);
    }
  });
});

describe('a panel swapped under the same SN', () => {
  it('an empty replacement that comes up while writes were queued for the old one ends equal to the database', async () => {
    const d = await Device.connect(t, 'FSWAP0001', 2, '10.45.0.1');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'SA' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'SA', doorName: '10.45.0.1-1' }] }));
    const sa = await levelId(t, 'SA');
    for (const pin of ['4501', '4502', '4503']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `9${pin}`, accLevelIds: sa }));
    await settle(d);
    // The old panel got the next commands and died before answering.
    await ok(t.post('/api/person/add', { pin: '4504', name: 'P4504', cardNo: '94504', accLevelIds: sa }));
    d.sim.holdResults();
    await d.sim.poll();
    d.sim.dropHeldResults();
    await ok(t.delete('/api/person/delete/4502'));
    const swapped = await Device.connect(t, 'FSWAP0001', 2, '10.45.0.9', { firmVer: 'AC Ver 5.7.8.3033 Nov 26 2026', mac: '00:17:61:aa:bb:cc' });
    await settle(swapped);
    const c = await honest(swapped, snapshot(swapped));
    const truth = await fromScratch(swapped);
    await honest(swapped, truth);
    expect(snapshot(swapped)).toEqual(truth);
    expect(truth.user.map((u) => /Pin=(\d+)/.exec(u)![1])).toEqual(['4501', '4503', '4504']);
    expect(c).toMatchObject({ divergent: false, pendingCommands: 0 });
  });

  it('a replacement holding another site\'s users, as many as this one confirmed, is found out and brought to the database', async () => {
    const d = await Device.connect(t, 'FSWAP0002', 2, '10.45.0.2');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'SB' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'SB', doorName: '10.45.0.2-1' }] }));
    const sb = await levelId(t, 'SB');
    for (const pin of ['4601', '4602']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `9${pin}`, accLevelIds: sb }));
    await settle(d);
    const want = snapshot(d);
    // The spare comes from another site: two users, each with a right on door 1, none of them ours.
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'FSWAP0002', doors: 2, ipAddress: '10.45.0.2', mac: '00:17:61:12:34:56' });
    for (const pin of ['8801', '8802']) {
      sim.addLocally('user', { Pin: pin, Name: `X${pin}`, CardNo: `7${pin}` });
      sim.addLocally('userauthorize', { Pin: pin, AuthorizeTimezoneId: 1, AuthorizeDoorId: 1 });
    }
    await sim.connect();
    const spare = new Device(sim);
    await settle(spare);
    await honest(spare, want);
    expect(snapshot(spare)).toEqual(want);
  });
});
