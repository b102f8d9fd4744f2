/**
 * Periodic pin check (SyncVerifier, SYNC_VERIFY_PINS_INTERVAL_MS): a stranger added at a panel's menu while one of
 * its users was deleted there leaves every count as it was, so the counts alone said "synced". The panel is asked
 * which users it holds (`DATA QUERY tablename=user`) every pin interval: the stranger is deleted by PIN and the
 * lost user written back, through the planner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncVerifier } from '../../src/sync/sync-verifier.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId, registrations } from './access-helpers';

let t: TestApp;
let verifier: SyncVerifier;
let a: Device;
let id: string;

const pins = (d: Device) => d.sim.table('user').map((u) => String(u.Pin)).sort();
const rights = (d: Device) => d.sim.table('userauthorize').map((r) => `${r.Pin}:${r.AuthorizeDoorId}`).sort();
const queries = (d: Device) => d.sim.received.filter((c) => c.command.startsWith('DATA QUERY tablename=user,')).length;
/** Due now: its periodic verification, and (`pins`) its pin check. */
const due = async (pinsToo: boolean) => {
  await t.ds.query(
    `UPDATE sync_verify SET asked_at = now() - interval '1 hour', pins_at = CASE WHEN $2 THEN now() - interval '1 hour' ELSE now() END WHERE device_id = $1`,
    [id, pinsToo],
  );
  // Online: last_seen_at is written only every few seconds.
  await t.ds.query(`UPDATE device SET last_seen_at = now() WHERE id = $1`, [id]);
};

beforeAll(async () => {
  // Timers off (askDue by hand); the pin check due a minute after the last one.
  t = await startTestApp({ syncVerifyIntervalMs: 0, syncVerifyPinsIntervalMs: 60_000, syncReconcileIntervalMs: 0, syncRetryBaseMs: 200, syncRetryMaxMs: 400 });
  verifier = t.app.get(SyncVerifier);
  a = await Device.connect(t, 'VPINSA0001', 1, '10.7.3.1');
  [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [a.sim.sn]);
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'VP' }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'VP', doorName: '10.7.3.1-1' }] })).body.code).toBe(0);
  const level = await levelId(t, 'VP');
  for (const pin of ['801', '802']) expect((await t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level })).body.code).toBe(0);
  await a.sim.pollUntilIdle({ maxPolls: 50 });
  expect(pins(a)).toEqual(['801', '802']);
});
afterAll(async () => {
  await t?.close();
});

describe('periodic pin check of connected panels', () => {
  it('a first verification starts the pin period: counts only, no query', async () => {
    await t.ds.query(`DELETE FROM sync_verify WHERE device_id = $1`, [id]);
    await t.ds.query(`UPDATE device SET last_seen_at = now() WHERE id = $1`, [id]);
    expect(await verifier.askDue()).toBe(1);
    await a.sim.pollUntilIdle();
    expect(queries(a)).toBe(0);
    const [{ started }] = await t.ds.query(`SELECT pins_at IS NOT NULL AS started FROM sync_verify WHERE device_id = $1`, [id]);
    expect(started).toBe(true);
    // Not due yet: counted again, not queried.
    await due(false);
    expect(await verifier.askDue()).toBe(1);
    await a.sim.pollUntilIdle();
    expect(queries(a)).toBe(0);
  });

  it('a stranger added at the menu while a user was deleted there counts the same; the pin check deletes the stranger and writes the user back', async () => {
    const before = rights(a);
    const door = before.find((r) => r.startsWith('801:'))!.split(':')[1];
    expect(a.sim.deleteUserLocally('801')).toBeGreaterThan(0);
    a.sim.addLocally('user', { Pin: 999, Name: 'Stranger', CardNo: '', Password: '', Group: 0, StartTime: 0, EndTime: 0, Privilege: 0 });
    a.sim.addLocally('userauthorize', { Pin: 999, AuthorizeTimezoneId: 1, AuthorizeDoorId: door });
    expect(pins(a)).toEqual(['802', '999']);
    const regs = registrations(a);

    // The counts alone: every one matches, nothing is sent.
    await due(false);
    const from = a.sim.received.length;
    expect(await verifier.askDue()).toBe(1);
    await a.sim.pollUntilIdle();
    expect(a.sim.received.slice(from).every((c) => c.command.startsWith('DATA COUNT'))).toBe(true);
    expect(pins(a)).toEqual(['802', '999']);

    // The pin check is due: asked after the counts, and the panel is put right.
    await due(true);
    expect(await verifier.askDue()).toBe(1);
    await a.sim.pollUntilIdle({ maxPolls: 50 });
    expect(queries(a)).toBe(1);
    expect(pins(a)).toEqual(['801', '802']);
    expect(rights(a)).toEqual(before);
    expect(registrations(a)).toBe(regs);
    const got = a.sim.received.slice(from).map((c) => c.command);
    expect(got.some((c) => c === 'DATA DELETE user Pin=999')).toBe(true);
    expect(got.some((c) => c === 'DATA DELETE user *')).toBe(false); // no full sync: only what differs
    expect((await t.get(`/api/gateway/devices/${a.sim.sn}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    // Queried again a pin period on, not at the next count.
    await due(false);
    expect(await verifier.askDue()).toBe(1);
    await a.sim.pollUntilIdle();
    expect(queries(a)).toBe(1);
  });
});
