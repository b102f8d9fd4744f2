/**
 * The verification counts access rights too (`DATA COUNT userauthorize`): a userauthorize row deleted or added at
 * a panel that stays connected (its menu, another tool) is found by the periodic count against the rows the
 * panel's confirmed rights give, and a full sync brings the table back to the database. A firmware that refuses
 * the count is recorded as refusing it and is not made divergent by it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId, pollFor, registrations } from './access-helpers';

const INTERVAL = 1500;
let t: TestApp;
let reconciler: SyncReconciler;
let a: Device;
let c: Device;

const asked = (d: Device, table: string) => d.sim.received.filter((r) => r.command === `DATA COUNT ${table}`).length;
const rights = (d: Device) => d.sim.table('userauthorize').map((r) => `${r.Pin}:${r.AuthorizeTimezoneId}:${r.AuthorizeDoorId}`).sort();
const pins = (d: Device) => d.sim.table('user').map((u) => String(u.Pin)).sort();
const commands = async (d: Device, command: string): Promise<number> =>
  (await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND command = $2`, [d.sim.sn, command]))[0].n;

beforeAll(async () => {
  // The verifier's and the reconciler's own periods do the work, as in production.
  t = await startTestApp({ syncVerifyIntervalMs: INTERVAL, syncReconcileIntervalMs: 500, syncRetryBaseMs: 200, syncRetryMaxMs: 400 });
  reconciler = t.app.get(SyncReconciler);
  a = await Device.connect(t, 'VRIGHTSA01', 2, '10.7.1.1');
  // A firmware without DATA COUNT userauthorize: "not supported" (-1002) every time.
  c = await Device.connect(t, 'VRIGHTSC01', 1, '10.7.1.3');
  c.sim.failCommands((cmd) => cmd.verb === 'DATA COUNT' && cmd.table === 'userauthorize', -1002, 'always');
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'R' }] })).body.code).toBe(0);
  for (const door of ['10.7.1.1-1', '10.7.1.1-2', '10.7.1.3-1']) {
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'R', doorName: door }] })).body.code).toBe(0);
  }
  const level = await levelId(t, 'R');
  for (const pin of ['901', '902']) expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level })).body.code).toBe(0);
  await Promise.all([a.sim.pollUntilIdle({ maxPolls: 50 }), c.sim.pollUntilIdle({ maxPolls: 50 })]);
  expect(rights(a)).toEqual(['901:1:3', '902:1:3']);
  expect(rights(c)).toEqual(['901:1:1', '902:1:1']);
});
afterAll(async () => {
  await t?.close();
});

describe('rights rows changed at a connected panel', () => {
  it('a userauthorize row deleted at the panel (its user kept) is back after the verification', async () => {
    const want = rights(a);
    const fullSyncs = await commands(a, 'DATA DELETE userauthorize *');
    const regs = registrations(a);
    expect(a.sim.deleteLocally('userauthorize', { Pin: '901' })).toBe(1);
    expect(rights(a)).toEqual(['902:1:3']);
    expect(pins(a)).toEqual(['901', '902']); // the user count alone cannot see it
    const countsBefore = asked(a, 'userauthorize');
    expect(await pollFor(a, 4 * INTERVAL + 10_000, () => rights(a).join() === want.join())).toBe(true);
    await reconciler.idle();
    await a.sim.pollUntilIdle({ maxPolls: 50 });
    expect(rights(a)).toEqual(want);
    expect(pins(a)).toEqual(['901', '902']);
    expect(asked(a, 'userauthorize')).toBeGreaterThan(countsBefore);
    expect(registrations(a)).toBe(regs); // no reconnect: the periodic count found it
    expect(await commands(a, 'DATA DELETE userauthorize *')).toBe(fullSyncs + 1);
    expect((await t.get(`/api/gateway/devices/${a.sim.sn}/convergence`)).body.data).toMatchObject({ divergent: false, failingItems: 0 });
  });

  it('a userauthorize row added at the panel for a pin the database grants nothing is removed', async () => {
    const want = rights(a);
    const fullSyncs = await commands(a, 'DATA DELETE userauthorize *');
    a.sim.addLocally('userauthorize', { Pin: '999', AuthorizeTimezoneId: 1, AuthorizeDoorId: 3 });
    expect(rights(a)).toEqual([...want, '999:1:3'].sort());
    expect(await pollFor(a, 4 * INTERVAL + 10_000, () => rights(a).join() === want.join())).toBe(true);
    await reconciler.idle();
    await a.sim.pollUntilIdle({ maxPolls: 50 });
    expect(rights(a)).toEqual(want);
    expect(await commands(a, 'DATA DELETE userauthorize *')).toBe(fullSyncs + 1);
  });

  it('a panel refusing DATA COUNT userauthorize (-1002) has the refusal recorded, is not divergent, and stops being asked', async () => {
    const refusal = async () => ((await t.get(`/api/gateway/devices/${c.sim.sn}`)).body.data.refusedCapabilities as Array<{ what: string; returnCode: number; refusals: number }>).find((r) => r.what === 'DATA COUNT userauthorize');
    const fullSyncs = await commands(c, 'DATA DELETE user *');
    // -1002 is also what busy firmware answers: asked again until refused three times in a row, then for good.
    expect(await pollFor(c, 6 * INTERVAL + 15_000, async () => ((await refusal())?.refusals ?? 0) >= 3)).toBe(true);
    expect(await refusal()).toMatchObject({ returnCode: -1002, refusals: 3 });
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [c.sim.sn]);
    expect(await t.ds.query(`SELECT kind FROM sync_owed WHERE device_id = $1`, [id])).toEqual([]);
    expect(await commands(c, 'DATA DELETE user *')).toBe(fullSyncs); // a refused count owes nothing
    expect((await t.get(`/api/gateway/devices/${c.sim.sn}/convergence`)).body.data).toMatchObject({ divergent: false, failingItems: 0 });
    // Verified on: users still counted every interval, rights no longer (until the refusal's probe, minutes away).
    const users = asked(c, 'user');
    const rightsCounts = asked(c, 'userauthorize');
    expect(await pollFor(c, 3 * INTERVAL + 10_000, () => asked(c, 'user') >= users + 2)).toBe(true);
    expect(asked(c, 'userauthorize')).toBe(rightsCounts);
    expect(await refusal()).toMatchObject({ refusals: 3 });
    expect((await t.get(`/api/gateway/devices/${c.sim.sn}/convergence`)).body.data).toMatchObject({ divergent: false });
    expect(rights(c)).toEqual(['901:1:1', '902:1:1']);
  });

  it('once its probe is due, the verification asks again; a count taken again removes the refusal and owes no full sync', async () => {
    c.sim.clearFaults();
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [c.sim.sn]);
    const fullSyncs = await commands(c, 'DATA DELETE user *');
    const rightsCounts = asked(c, 'userauthorize');
    // The probe due now: the reconciler (every 500 ms) leaves a count's probe to the verification.
    await t.ds.query(`UPDATE device_refusal SET probe_at = now() WHERE device_id = $1 AND what = 'DATA COUNT userauthorize'`, [id]);
    const gone = async () => (await t.ds.query(`SELECT 1 FROM device_refusal WHERE device_id = $1`, [id])).length === 0;
    expect(await pollFor(c, 3 * INTERVAL + 10_000, gone)).toBe(true);
    expect(asked(c, 'userauthorize')).toBeGreaterThan(rightsCounts);
    await reconciler.idle();
    expect(await t.ds.query(`SELECT kind FROM sync_owed WHERE device_id = $1`, [id])).toEqual([]);
    expect(await commands(c, 'DATA DELETE user *')).toBe(fullSyncs);
    expect((await t.get(`/api/gateway/devices/${c.sim.sn}/convergence`)).body.data).toMatchObject({ divergent: false });
  });
});
