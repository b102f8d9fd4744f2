/**
 * What operators and integrators are told when a panel answers a write with a negative Return that is no refusal for
 * good: why, in the reason an operator acts on (protocol/return-reasons.ts: capacity, data, transient), per device and
 * per person; a full device says so (capacityExceeded, from its answer: never from ~MaxUserCount); nothing refused is
 * claimed held; and refused work goes out again at once when the data it concerns changes, not after its backoff.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CONFIG, type AppConfig } from '../../src/config/config';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import type { ParsedCommand } from '../simulator/commands';
import { Device, levelId } from './access-helpers';
import { convergenceOf, ok, startFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  // Item retries far off: what goes out again before then is sent because its data changed.
  Object.assign(t.app.get<AppConfig>(APP_CONFIG), { syncRetryBaseMs: 600_000, syncRetryMaxMs: 600_000 });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** Every record line of a command (a multi-record DATA UPDATE carries one per line). */
const lines = (c: ParsedCommand): string[] => [c.text, ...c.continuation];
const names = (c: ParsedCommand, table: string, pin: string) => c.verb === 'DATA UPDATE' && c.table === table && lines(c).some((l) => new RegExp(`(?:^|\\t| )Pin=${pin}(?:\\t|$)`).test(l));

/** A panel with one door in a level of its own; `resultFor` answers each command (a Return, or undefined: runs it). */
async function panel(sn: string, ip: string, level: string, resultFor: (c: ParsedCommand) => number | undefined): Promise<{ d: Device; level: string }> {
  const d = await Device.connect(t, sn, 1, ip, { resultFor });
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  return { d, level: await levelId(t, level) };
}

async function settle(d: Device): Promise<void> {
  await reconciler.idle();
  await d.sim.pollUntilIdle({ maxPolls: 30 });
  await reconciler.idle();
  await d.sim.pollUntilIdle({ maxPolls: 30 });
}

const personOn = async (pin: string, sn: string) => ((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data as Array<Record<string, any>>).find((p) => p.deviceSn === sn)!;

describe('a panel answering that it is full (Return -18)', () => {
  it('is said full, per device and per person: the reason, the Return, the items; the user is not claimed held', async () => {
    const { d, level } = await panel('RSN00001', '10.76.0.1', 'RSNA', (c) => (names(c, 'user', '7601') ? -18 : undefined));
    await ok(t.post('/api/person/add', { pin: '7601', name: 'Full', accLevelIds: level }));
    await settle(d);
    expect(d.sim.table('user').map((r) => r.Pin)).toEqual([]);
    const conv = await convergenceOf(t, 'RSN00001');
    expect(conv).toMatchObject({ state: 'divergent', divergent: true });
    expect(conv.failing).toEqual([
      expect.objectContaining({ reason: 'capacity', returnCode: -18, meaning: 'The device has insufficient space', items: expect.any(Number), examples: expect.arrayContaining(['user 7601']) }),
    ]);
    expect(conv.capacityExceeded).toMatch(/^the device answered Return -18 \(The device has insufficient space\) to \d+ items? it lacks \(.*user 7601.*\): the device is full/);
    expect((conv.lastReturns as Array<Record<string, unknown>>).find((r) => r.returnCode === -18)).toMatchObject({ reason: 'capacity' });
    expect(await personOn('7601', 'RSN00001')).toMatchObject({ state: 'divergent', holds: false, lastReturn: -18, lastReason: 'capacity' });
  });
});

describe('reasons apart', () => {
  it('data the panel cannot take (-620) and a command that failed (-12, retried) are told apart; a success clears them', async () => {
    let failing = true;
    const { d, level } = await panel('RSN00002', '10.76.0.2', 'RSNB', (c) => (!failing ? undefined : names(c, 'user', '7611') ? -620 : names(c, 'user', '7612') ? -12 : undefined));
    // One after the other: added together, both would travel in one command (one Return for both).
    await ok(t.post('/api/person/add', { pin: '7611', name: 'Format', accLevelIds: level }));
    await settle(d);
    await ok(t.post('/api/person/add', { pin: '7612', name: 'Busy', accLevelIds: level }));
    await settle(d);
    const conv = await convergenceOf(t, 'RSN00002');
    expect((conv.failing as Array<Record<string, unknown>>).map((f) => [f.reason, f.returnCode])).toEqual([
      ['data', -620],
      ['transient', -12],
    ]);
    // Not full: neither is a capacity answer.
    expect(conv.capacityExceeded).toBeNull();
    expect(await personOn('7611', 'RSN00002')).toMatchObject({ state: 'divergent', lastReason: 'data' });
    expect(await personOn('7612', 'RSN00002')).toMatchObject({ state: 'divergent', lastReason: 'transient' });
    // The data corrected (the panel takes the records now): sent at once by the REST writes, within the backoff.
    failing = false;
    await ok(t.post('/api/person/add', { pin: '7611', name: 'Format fixed', accLevelIds: level }));
    await ok(t.post('/api/person/add', { pin: '7612', name: 'Busy done', accLevelIds: level }));
    await settle(d);
    expect(d.sim.table('user').map((r) => `${r.Pin}:${r.Name}`).sort()).toEqual(['7611:Format fixed', '7612:Busy done']);
    const after = await convergenceOf(t, 'RSN00002');
    expect(after).toMatchObject({ state: 'synced', failing: [], capacityExceeded: null });
    expect(await personOn('7611', 'RSN00002')).toMatchObject({ state: 'synced', lastReason: null });
  });
});

describe('one Return for a command of several records', () => {
  it('claims none of them held, sends them apart on retry so the refused one is known, and the others land', async () => {
    const cfg = t.app.get<AppConfig>(APP_CONFIG);
    const { d, level } = await panel('RSN00003', '10.76.0.3', 'RSNC', (c) => (names(c, 'user', '7623') ? -18 : undefined));
    // Saved while the panel does not poll: the three user records travel in one command (pending-append.ts).
    for (const pin of ['7621', '7622', '7623']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
    await reconciler.idle();
    await d.sim.pollUntilIdle({ maxPolls: 30 });
    const userCommands = () => d.sim.received.filter((r) => r.command.startsWith('DATA UPDATE user '));
    expect(userCommands().map((r) => [1 + r.continuation.length, r.result])).toEqual([[3, -18]]);
    // One Return for three: none is claimed held.
    for (const pin of ['7621', '7622', '7623']) expect(await personOn(pin, 'RSN00003')).toMatchObject({ state: 'divergent', holds: false, lastReturn: -18 });
    // Retried once their backoff is over (ended here, and short from now on), one record per command: the two the
    // panel takes land, the refused one is known.
    await t.ds.query(`UPDATE sync_item SET next_try_at = now() WHERE failures > 0 AND device_id = (SELECT id FROM device WHERE sn = 'RSN00003')`);
    Object.assign(cfg, { syncRetryBaseMs: 200, syncRetryMaxMs: 400 });
    try {
      for (let i = 0; i < 40 && d.sim.table('user').length < 2; i++) {
        await new Promise((r) => setTimeout(r, 250));
        await reconciler.runOnce();
        await settle(d);
      }
    } finally {
      Object.assign(cfg, { syncRetryBaseMs: 600_000, syncRetryMaxMs: 600_000 });
    }
    await settle(d);
    expect(d.sim.table('user').map((r) => r.Pin).sort()).toEqual(['7621', '7622']);
    const retries = userCommands().slice(1);
    expect(retries.length).toBeGreaterThanOrEqual(3);
    expect(retries.every((r) => r.continuation.length === 0)).toBe(true);
    const conv = await convergenceOf(t, 'RSN00003');
    expect(conv.failing).toEqual([expect.objectContaining({ reason: 'capacity', returnCode: -18, items: 1, examples: ['user 7623'] })]);
    expect(await personOn('7621', 'RSN00003')).toMatchObject({ state: 'synced', holds: true });
    expect(await personOn('7622', 'RSN00003')).toMatchObject({ state: 'synced', holds: true });
    expect(await personOn('7623', 'RSN00003')).toMatchObject({ state: 'divergent', holds: false, lastReason: 'capacity' });
  });
});
