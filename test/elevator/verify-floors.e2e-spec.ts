/**
 * The verification counts an elevator controller's floor rights (`DATA COUNT usereleauthorize`, one row per pin and
 * time zone, the floors a bitmask in it): a row deleted or added at the controller (its menu, another tool) is found
 * when it registers again or at the periodic verification, against the rows its confirmed `eleauth` items give, and a full sync brings the table back
 * to the database. An intact controller owes nothing; one whose firmware refused the table for good is not fully
 * synced over a count no full sync could make match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { SyncVerifier } from '../../src/sync/sync-verifier.service';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { startTestApp, type TestApp } from '../support/test-app';
import { settleDevice } from '../sync/access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let ec: ElevatorControllerSimulator;
let refusing: ElevatorControllerSimulator;

/** The controller's usereleauthorize rows as `pin:tz:floor.floor`. */
const floors = (sim: ElevatorControllerSimulator) =>
  [...new Set(sim.table('usereleauthorize').map((r) => String(r.Pin)))].flatMap((pin) => sim.eleRightsOf(pin).map((r) => `${pin}:${r.timezone}:${r.floors.join('.')}`)).sort();
const commands = async (sn: string, from = 0): Promise<string[]> =>
  (await t.ds.query(`SELECT command FROM device_command WHERE device_sn = $1 ORDER BY id OFFSET $2`, [sn, from])).map((r: { command: string }) => r.command);
const owed = async (sim: ElevatorControllerSimulator): Promise<string[]> =>
  (await t.ds.query(`SELECT o.kind FROM sync_owed o JOIN device d ON d.id = o.device_id WHERE d.sn = $1`, [sim.sn])).map((r: { kind: string }) => r.kind);
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;

/** Registers again and lets the verification (and whatever it makes owed) run to the end. */
async function reRegister(sim: ElevatorControllerSimulator): Promise<void> {
  await sim.connect();
  await settleDevice(reconciler, sim);
}

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0, syncVerifyIntervalMs: 0, logLevel: 'error' } as never);
  reconciler = t.app.get(SyncReconciler);
  ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10VERI01', floors: 6, ipAddress: '10.9.3.1' });
  // A firmware that will not delete floor rights (-1004: refused for good); it takes them all the same.
  refusing = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10VERI02', floors: 4, ipAddress: '10.9.3.2' });
  refusing.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'usereleauthorize', -1004, 'always');
  for (const sim of [ec, refusing]) {
    await sim.connect();
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
  }
  const [ecId, refusingId] = await Promise.all(
    [ec, refusing].map(async (s) => (await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [s.sn]))[0].id as string),
  );
  const floorId = (deviceId: string, no: number) => (t.ds.query(`SELECT id FROM floor WHERE device_id = $1 AND floor_no = $2`, [deviceId, no]) as Promise<Array<{ id: string }>>).then((r) => r[0].id);
  const low = (await t.post('/api/gateway/eleLevel/save', { name: 'Low floors', pointIds: [await floorId(ecId, 2), await floorId(ecId, 3), await floorId(refusingId, 1)] })).body.data.id;
  const seg = await t.post('/api/gateway/timeSegments', { name: 'Late', schedule: { mon: [['18:00', '22:00']] } });
  expect(seg.body.code).toBe(0);
  const late = (await t.post('/api/gateway/eleLevel/save', { name: 'Roof late', timeSegName: 'Late', pointIds: [await floorId(ecId, 6)] })).body.data.id;
  for (const pin of ['701', '702']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
  expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '701', levelIds: `${low},${late}` })).body.code).toBe(0);
  expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '702', levelIds: low })).body.code).toBe(0);
  for (const sim of [ec, refusing]) await sim.pollUntilIdle({ maxPolls: 50 });
  // 701: floors 2 and 3 in one row (time zone 1) and floor 6 in another; 702: one row.
  expect(floors(ec)).toEqual([`701:1:2.3`, `701:${seg.body.data.tzId}:6`, '702:1:2.3']);
  expect(ec.table('user').map((u) => String(u.Pin)).sort()).toEqual(['701', '702']);
  // An operator's full sync: its clear of the floor rights is refused for good, the rest lands.
  expect((await t.post(`/api/gateway/devices/${refusing.sn}/sync`)).body.code).toBe(0);
  await refusing.pollUntilIdle({ maxPolls: 50 });
  await reconciler.idle();
  expect(refusing.received.some((c) => c.command === 'DATA DELETE usereleauthorize *')).toBe(true);
  // Refused for good, learnt in that very full sync: its pages went through, and it is not owed again for the clear
  // (owed again, it sent the clear again whenever planned while the refusal's probe was due, for ever); the
  // controller is counted after the writes instead.
  expect(await owed(refusing)).toEqual(['verify']);
  await t.ds.query(`UPDATE sync_owed SET next_try_at = now()`);
  await reconciler.runOnce();
  await refusing.pollUntilIdle({ maxPolls: 50 });
  await reconciler.idle();
  expect(await owed(refusing)).toEqual([]);
  expect(floors(refusing)).toEqual(['701:1:1', '702:1:1']);
  expect((await convergence(refusing.sn)).refused).toContain('DATA DELETE usereleauthorize *');
});
afterAll(async () => {
  await t?.close();
});

describe('floor rights changed at an elevator controller', () => {
  it('an intact controller registering again is asked to count users and floor rights, and owes nothing', async () => {
    const before = (await commands(ec.sn)).length;
    await reRegister(ec);
    expect(await commands(ec.sn, before)).toEqual(['DATA COUNT user', 'DATA COUNT usereleauthorize', 'DATA COUNT timezone']);
    expect(ec.received.at(-1)?.command).toBe('DATA COUNT timezone');
    expect(await owed(ec)).toEqual([]);
    expect(await convergence(ec.sn)).toMatchObject({ divergent: false, failingItems: 0 });
  });

  it('a floor-right row deleted at the controller (its user kept) is back after the verification', async () => {
    const want = floors(ec);
    const fullSyncs = (await commands(ec.sn)).filter((c) => c === 'DATA DELETE usereleauthorize *').length;
    expect(ec.deleteLocally('usereleauthorize', { Pin: '701', AuthorizeTimezoneId: 1 })).toBe(1);
    expect(floors(ec)).toHaveLength(2);
    expect(ec.table('user')).toHaveLength(2); // the user count alone cannot see it
    expect((await ec.selectFloor({ pin: '701', floor: 2 })).allowed).toBe(false);
    await reRegister(ec);
    expect(floors(ec)).toEqual(want);
    expect((await commands(ec.sn)).filter((c) => c === 'DATA DELETE usereleauthorize *')).toHaveLength(fullSyncs + 1);
    expect((await ec.selectFloor({ pin: '701', floor: 2 })).allowed).toBe(true);
    expect(await owed(ec)).toEqual([]);
    expect(await convergence(ec.sn)).toMatchObject({ divergent: false, failingItems: 0, unconfirmedItems: 0 });
  });

  it('a floor-right row added at the controller for a pin the database grants nothing is removed', async () => {
    const want = floors(ec);
    const fullSyncs = (await commands(ec.sn)).filter((c) => c === 'DATA DELETE usereleauthorize *').length;
    ec.addLocally('usereleauthorize', { Pin: '799', AuthorizeTimezoneId: 1, AuthorizeFloorId: 0, AuthorizeFloors: '3f' });
    expect(floors(ec)).toEqual([...want, '799:1:1.2.3.4.5.6'].sort());
    await reRegister(ec);
    expect(floors(ec)).toEqual(want);
    expect((await commands(ec.sn)).filter((c) => c === 'DATA DELETE usereleauthorize *')).toHaveLength(fullSyncs + 1);
    expect(await convergence(ec.sn)).toMatchObject({ divergent: false, failingItems: 0 });
  });

  it('a controller that stays connected is counted by the periodic verification too: a deleted floor right comes back', async () => {
    const want = floors(ec);
    expect(ec.deleteLocally('usereleauthorize', { Pin: '702' })).toBe(1);
    // No registration: the periodic verifier (SYNC_VERIFY_INTERVAL_MS, 0 here: every online, converged device is due).
    // Due means online and converged: its polls reach last_seen_at in batches every few seconds (a loaded machine can
    // leave it older than the online window after the tests above; the UPDATE is the write the next batch would make),
    // and what the tests above made owed must be over.
    let asked: string[] = [];
    for (let i = 0; i < 20 && asked.length === 0; i++) {
      await ec.pollUntilIdle({ maxPolls: 10 });
      await reconciler.idle();
      await t.ds.query(`UPDATE device SET last_seen_at = now() WHERE sn = $1`, [ec.sn]);
      const before = (await commands(ec.sn)).length;
      await t.app.get(SyncVerifier).askDue();
      asked = await commands(ec.sn, before);
      if (asked.length === 0) await new Promise((res) => setTimeout(res, 250));
    }
    expect(asked).toEqual(['DATA COUNT user', 'DATA COUNT usereleauthorize', 'DATA COUNT timezone']);
    for (let i = 0; i < 4; i++) {
      await ec.pollUntilIdle({ maxPolls: 50 });
      await reconciler.idle();
      await reconciler.runOnce();
    }
    await ec.pollUntilIdle({ maxPolls: 50 });
    expect(floors(ec)).toEqual(want);
    expect(await owed(ec)).toEqual([]);
  });

  it('a controller whose firmware refused to delete floor rights for good gets a lost row back once, and is not fully synced again while its count matches', async () => {
    // A count below what it confirmed is a row lost at the controller: a full sync (without the refused clear) writes
    // it back. The count then matches, so registering again costs no second full sync.
    const want = floors(refusing);
    expect(refusing.deleteLocally('usereleauthorize', { Pin: '702' })).toBe(1);
    const before = (await commands(refusing.sn)).length;
    await reRegister(refusing);
    const after = await commands(refusing.sn, before);
    expect(after.filter((c) => c.startsWith('DATA UPDATE usereleauthorize'))).toHaveLength(1);
    expect(after).not.toContain('DATA DELETE usereleauthorize *');
    expect(floors(refusing)).toEqual(want);
    expect(await owed(refusing)).toEqual([]);
    const again = (await commands(refusing.sn)).length;
    await reRegister(refusing);
    expect(await commands(refusing.sn, again)).toEqual(['DATA COUNT user', 'DATA COUNT usereleauthorize', 'DATA COUNT timezone']);
    expect(await owed(refusing)).toEqual([]);
  });
});
