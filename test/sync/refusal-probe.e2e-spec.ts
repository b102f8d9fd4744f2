/**
 * Refusals for good are probed again with backoff (src/push/device-refusals.ts, RefusalProbe): a panel that refused a
 * table once (-1004) or busy (-1002 three times in a row) and then takes it again heals itself with no REST call;
 * a table refused every time is probed at growing intervals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let a: Device;
let front: string;
/** What the panel answers to `DATA UPDATE userauthorize` (undefined: runs it). */
let rightsAnswer: () => number | undefined = () => undefined;
let rightsUpdates = 0;

const PROBE_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Refusal {
  what: string;
  returnCode: number;
  refusals: number;
  probeAt: string;
}
const refusals = async (): Promise<Refusal[]> => (await t.get('/api/gateway/devices/PROBE0001')).body.data.refusedCapabilities;
const rights = (pin: string) => a.sim.table('userauthorize').filter((r) => String(r.Pin) === pin).map((r) => `${r.AuthorizeTimezoneId}:${r.AuthorizeDoorId}`);

/** Polls, waits past the probe, runs the reconciler; until `done` or `rounds` times. */
async function heal(done: () => Promise<boolean>, rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await reconciler.idle();
    await a.sim.pollUntilIdle({ maxPolls: 50 });
    if (await done()) return;
    await sleep(PROBE_MS * 2 ** Math.min(i, 3) + 50);
    await reconciler.runOnce();
  }
  expect(await done()).toBe(true);
}

beforeAll(async () => {
  // Item retries far off: only the probe can send what a refusal for good held back.
  t = await startTestApp({ syncRetryBaseMs: 600_000, syncRetryMaxMs: 600_000, syncReconcileIntervalMs: 0, syncRefusalProbeMs: PROBE_MS, syncRefusalProbeMaxMs: 1_600 });
  reconciler = t.app.get(SyncReconciler);
  a = await Device.connect(t, 'PROBE0001', 2, '10.9.7.1', {
    resultFor: (c) => {
      if (c.verb !== 'DATA UPDATE' || c.table !== 'userauthorize') return undefined;
      rightsUpdates++;
      return rightsAnswer();
    },
  });
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Front' }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Front', doorName: '10.9.7.1-1' }] })).body.code).toBe(0);
  front = await levelId(t, 'Front');
  await a.sim.pollUntilIdle();
});
afterAll(async () => {
  await t?.close();
});

describe('a refusal for good is probed again with backoff', () => {
  it('a grant refused once with -1004 lands once the panel takes the table again; the refusal is gone', async () => {
    let refuse = 1;
    rightsAnswer = () => (refuse > 0 ? (refuse--, -1004) : undefined);
    expect((await t.post('/api/person/add', { pin: '701', name: 'Ann', accLevelIds: front })).body.code).toBe(0);
    await a.sim.pollUntilIdle();
    expect(rights('701')).toEqual([]);
    const [refused] = await refusals();
    expect(refused).toMatchObject({ what: 'DATA UPDATE userauthorize', returnCode: -1004, refusals: 1 });
    expect(new Date(refused.probeAt).toISOString()).toBe(refused.probeAt);
    // Before the probe is due nothing is sent again (checked when the pass ran before it was due: a loaded machine may be slower).
    await reconciler.runOnce();
    const early = await a.sim.pollUntilIdle();
    if (Date.now() < Date.parse(refused.probeAt)) expect(early).toEqual([]);
    await heal(async () => rights('701').length > 0 && (await refusals()).length === 0);
    expect(rights('701')).toEqual(['1:1']);
    expect(a.sim.evaluateAccess({ pin: '701', door: 1 }).granted).toBe(true);
    // The lifted refusal owes a full sync (it clears the panel's tables and writes them again): the person is
    // pending until it is done, then synced.
    const person = async () => (await t.get('/api/gateway/persons/701/devices')).body.data[0];
    expect(['pending', 'synced']).toContain((await person()).state);
    await heal(async () => (await person()).state === 'synced');
    expect(await person()).toMatchObject({ state: 'synced', holds: true });
  });

  it('-1002 three times in a row, then accepted: the person ends up with access, the refusal is gone', async () => {
    let refuse = 3;
    rightsAnswer = () => (refuse > 0 ? (refuse--, -1002) : undefined);
    // Three grants, each its own command: three -1002 in a row with the same key, refused for good.
    for (const pin of ['702', '703', '704']) {
      expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: front })).body.code).toBe(0);
      await a.sim.pollUntilIdle();
    }
    expect(refuse).toBe(0);
    expect(await refusals()).toEqual([expect.objectContaining({ what: 'DATA UPDATE userauthorize', returnCode: -1002, refusals: 3 })]);
    expect(['702', '703', '704'].map(rights)).toEqual([[], [], []]);
    await heal(async () => ['702', '703', '704'].every((p) => rights(p).length > 0) && (await refusals()).length === 0);
    for (const pin of ['701', '702', '703', '704']) expect(a.sim.evaluateAccess({ pin, door: 1 }).granted).toBe(true);
  });

  it('a table refused every time is probed at growing intervals, and the rest still converges', { timeout: 90_000 }, async () => {
    rightsAnswer = () => -1004;
    expect((await t.post('/api/person/add', { pin: '705', name: 'Eve', accLevelIds: front })).body.code).toBe(0);
    await a.sim.pollUntilIdle();
    let [r] = await refusals();
    expect(r).toMatchObject({ what: 'DATA UPDATE userauthorize', returnCode: -1004, refusals: 1 });
    const seen: Refusal[] = [r];
    const deadline = Date.now() + 30_000;
    while (seen.length < 4 && Date.now() < deadline) {
      await sleep(Math.max(0, Date.parse(r.probeAt) - Date.now()) + 30);
      const before = rightsUpdates;
      const passAt = Date.now();
      await reconciler.runOnce();
      // The probe went out; while it is in flight the key is held back one current interval, so the pass does not
      // probe it again each tick.
      const after = (await refusals())[0];
      expect(Date.parse(after.probeAt)).toBeGreaterThanOrEqual(passAt + Math.min(1_600, PROBE_MS * 2 ** (after.refusals - 1)) - 20);
      await reconciler.runOnce();
      await a.sim.pollUntilIdle();
      expect(rightsUpdates).toBeGreaterThan(before);
      [r] = await refusals();
      expect(r.refusals).toBeGreaterThan(seen[seen.length - 1].refusals);
      seen.push(r);
    }
    expect(seen.length).toBe(4);
    // Each refusal pushes the probe further: base × 2^(refusals − 1), up to the max (1600 ms).
    // A probe goes out once the previous probe_at passed, so consecutive probe times are at least the interval apart.
    for (let i = 1; i < seen.length; i++) {
      const interval = Math.min(1_600, PROBE_MS * 2 ** (seen[i].refusals - 1));
      expect(Date.parse(seen[i].probeAt) - Date.parse(seen[i - 1].probeAt)).toBeGreaterThanOrEqual(interval - 20);
    }
    expect(seen[seen.length - 1].refusals).toBeGreaterThanOrEqual(4);
    expect(rights('705')).toEqual([]);
    // Nothing else breaks: revoking still goes out, other tables still converge.
    expect((await t.post('/api/accLevel/deleteLevel', null, { pin: '701', levelIds: front })).body.code).toBe(0);
    await a.sim.pollUntilIdle();
    expect(a.sim.evaluateAccess({ pin: '701', door: 1 }).granted).toBe(false);
    expect(a.sim.table('user').map((u) => String(u.Pin))).toContain('705');
    // The panel takes the table again: the next probe heals it.
    rightsAnswer = () => undefined;
    await heal(async () => rights('705').length > 0 && (await refusals()).length === 0, 12);
    expect(a.sim.evaluateAccess({ pin: '705', door: 1 }).granted).toBe(true);
  });
});
