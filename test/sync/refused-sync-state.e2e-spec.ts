/**
 * What operators and integrators are told of a device that lacks items only because its firmware refused them for
 * good (-1004): a template type it announced (a visible-light face, `DATA UPDATE biodata Type=9`) or a whole table
 * (`DATA UPDATE biophoto`). Nothing sends those items before the refusal's probe, so the device is neither synced
 * (it lacks them) nor divergent (nothing is failing, owed or retried): every view says `refused`, with the refusal,
 * its Return code and when it is probed. A device with something failing or owed besides stays divergent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import type { ParsedCommand } from '../simulator/commands';
import { settingsOf } from '../push/push-helpers';
import { createOperator, signIn, type ConsoleClient } from '../console/console-helpers';
import { initialisedTerminal, settleTerminal } from '../attendance/attendance-helpers';
import { Device, levelId, PHOTO } from './access-helpers';
import { claimsSynced, convergenceOf, ok, settleConverged, startFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let op: ConsoleClient;

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  // Refusals probed again only far off, as in the field: the views are read long before the probe.
  Object.assign(settingsOf(t), { refusalProbe: { baseMs: 600_000, maxMs: 600_000 } });
  await createOperator(t, 'rosa', 'operator', 'rosa-password-1');
  op = await signIn(t, 'rosa', 'rosa-password-1');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const finger = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');
const isFacePut = (c: ParsedCommand) => c.verb === 'DATA UPDATE' && c.table === 'biodata' && /(?:^|\t)Type=9(?:\t|$)/.test(c.args);
const DATE_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const minutesAhead = (at: string) => (new Date(at.replace(' ', 'T')).getTime() - Date.now()) / 60_000;

/** A panel with one door in a level of its own; `resultFor` answers each command (a Return, or undefined: runs it). */
async function panel(sn: string, ip: string, level: string, resultFor: (c: ParsedCommand) => number | undefined): Promise<{ d: Device; level: string }> {
  const d = await Device.connect(t, sn, 1, ip, { resultFor });
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  return { d, level: await levelId(t, level) };
}

/** The device's answer in every view that carries its sync state: convergence, the person's devices, the console's lists. */
async function views(sn: string, pin: string) {
  const conv = await convergenceOf(t, sn);
  const person = ((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data as Array<Record<string, any>>).find((p) => p.deviceSn === sn)!;
  const listed = ((await op.call('GET', 'devices?sync=1')).body.data as Array<Record<string, any>>).find((d) => d.sn === sn)!.sync;
  const dashboard = ((await op.call('GET', 'dashboard')).body.data.notConverged as Array<Record<string, any>>).find((d) => d.sn === sn);
  return { conv, person, listed, dashboard };
}

/** Every view says refused: what is kept off, `items` of it, by `what` with -1004, probed about ten minutes ahead. */
async function expectRefused(sn: string, pin: string, what: string, items: number): Promise<void> {
  const { conv, person, listed, dashboard } = await views(sn, pin);
  expect(conv).toMatchObject({ state: 'refused', divergent: false, failingItems: 0, pendingCommands: 0, refusedItems: items, unconfirmedItems: items, refused: [what] });
  expect(claimsSynced(conv)).toBe(false);
  const [refusal] = conv.refusals as Array<Record<string, any>>;
  expect(conv.refusals).toEqual([{ what, returnCode: -1004, meaning: expect.any(String), reason: 'unsupported', refusals: 1, lastAt: expect.stringMatching(DATE_TIME), probeAt: expect.stringMatching(DATE_TIME), items }]);
  expect(minutesAhead(refusal.probeAt)).toBeGreaterThan(8);
  expect(person).toMatchObject({ state: 'refused', desired: true, holds: true, refused: [what], refusals: [{ what, returnCode: -1004, probeAt: refusal.probeAt }] });
  expect(listed).toMatchObject({ state: 'refused', divergent: false, refusedItems: items, refusals: [{ what, returnCode: -1004, probeAt: refusal.probeAt, items }] });
  // Not converged, and said why.
  expect(dashboard).toMatchObject({ state: 'refused', divergent: false });
}

describe('a panel lacking only what its firmware refused for good', () => {
  it('a visible-light face refused (Type=9, -1004) while the finger landed: refused, not synced', async () => {
    const { d, level } = await panel('RSS00001', '10.75.0.1', 'RSSA', (c) => (isFacePut(c) ? -1004 : undefined));
    await ok(t.post('/api/person/add', { pin: '7501', name: 'Face', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7501', validType: '1', template: finger('7501 f1'), templateNo: '1' }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7501', validType: '1', template: finger('7501 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' }));
    await settleConverged(t, reconciler, d.sim, 8);
    // The panel holds the finger, not the face: the database gives it both.
    expect(d.sim.table('biodata').map((r) => `${r.Pin}/${r.Type}`)).toEqual(['7501/1']);
    await expectRefused('RSS00001', '7501', 'DATA UPDATE biodata Type=9', 1);
  });

  it('a photo table refused (biophoto, -1004): refused, not divergent', async () => {
    const { d, level } = await panel('RSS00002', '10.75.0.2', 'RSSB', (c) => (c.verb === 'DATA UPDATE' && c.table === 'biophoto' ? -1004 : undefined));
    await ok(t.post('/api/person/add', { pin: '7511', name: 'Photo', accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim, 8);
    expect(d.sim.table('biophoto')).toEqual([]);
    await expectRefused('RSS00002', '7511', 'DATA UPDATE biophoto', 1);
    // Nor counted among the divergent devices (the panel before it lacks only its refused faces too).
    expect((await t.request('GET', '/metrics')).text).toMatch(/^cvgw_sync_divergent_devices 0$/m);
  });

  it('a refused face beside a user the panel answered -12 (retried with backoff): divergent, the refusal still listed', async () => {
    let failUser = false;
    const { d, level } = await panel('RSS00003', '10.75.0.3', 'RSSC', (c) => (isFacePut(c) ? -1004 : failUser && c.verb === 'DATA UPDATE' && c.table === 'user' ? -12 : undefined));
    await ok(t.post('/api/person/add', { pin: '7521', name: 'Face', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7521', validType: '1', template: finger('7521 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' }));
    await settleConverged(t, reconciler, d.sim, 8);
    failUser = true;
    await ok(t.post('/api/person/add', { pin: '7522', name: 'Refused once', accLevelIds: level }));
    await reconciler.idle();
    await d.sim.pollUntilIdle({ maxPolls: 10 });
    const conv = await convergenceOf(t, 'RSS00003');
    expect(conv).toMatchObject({ state: 'divergent', divergent: true, refusedItems: 1, refused: ['DATA UPDATE biodata Type=9'] });
    expect((conv.failingItems as number) > 0).toBe(true);
    expect((await t.request('GET', '/metrics')).text).toMatch(/^cvgw_sync_divergent_devices 1$/m);
    expect(((await t.get('/api/gateway/persons/7522/devices')).body.data as Array<{ state: string }>)[0].state).toBe('divergent');
    // Once the user lands, what is left is the refused face.
    failUser = false;
    await settleConverged(t, reconciler, d.sim, 10);
    expect((await convergenceOf(t, 'RSS00003')).state).toBe('refused');
  });

  it('a refused face on a panel owed a full sync: divergent', async () => {
    const { d, level } = await panel('RSS00004', '10.75.0.4', 'RSSD', (c) => (isFacePut(c) ? -1004 : undefined));
    await ok(t.post('/api/person/add', { pin: '7531', name: 'Face', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7531', validType: '1', template: finger('7531 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' }));
    await settleConverged(t, reconciler, d.sim, 8);
    await t.ds.query(`INSERT INTO sync_owed (device_id, kind, cursor, attempts) SELECT id, 'full', '', 1 FROM device WHERE sn = 'RSS00004'`);
    expect(await convergenceOf(t, 'RSS00004')).toMatchObject({ state: 'divergent', divergent: true, refusedItems: 1 });
    await t.ds.query(`DELETE FROM sync_owed WHERE device_id = (SELECT id FROM device WHERE sn = 'RSS00004')`);
  });
});

describe('an attendance terminal lacking only a template type it refused', () => {
  it('a visible-light face refused (BIODATA Type=9, -1004) while the finger landed: refused, not synced', async () => {
    await ok(t.post('/api/gateway/areas', { code: 'RSSATT', name: 'RSSATT' }));
    const term = await initialisedTerminal(t, { sn: 'RSSATT01' });
    await ok(t.put('/api/gateway/devices/RSSATT01/area', { areaCode: 'RSSATT' }));
    await ok(t.post('/api/person/add', { pin: '7541', name: 'Term' }));
    await ok(t.post('/api/attAreaPerson/set', { code: 'RSSATT', pins: ['7541'] }));
    term.failCommands((c) => c.startsWith('DATA UPDATE BIODATA') && c.includes('\tType=9\t'), -1004, 'always');
    await ok(t.post('/api/bioTemplate/add', { personId: '7541', validType: '1', template: finger('7541 f1'), templateNo: '1' }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7541', validType: '1', template: finger('7541 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '5' }));
    for (let i = 0; i < 6 && !(term.templatesOf('7541').length > 0 && (await convergenceOf(t, 'RSSATT01')).pendingCommands === 0); i++) {
      await settleTerminal(reconciler, term);
      await new Promise((r) => setTimeout(r, 300));
      await reconciler.runOnce();
    }
    await settleTerminal(reconciler, term);
    expect(term.templatesOf('7541').map((x) => `${x.table}/${x.fields.Type}`)).toEqual(['BIODATA/1']);
    await expectRefused('RSSATT01', '7541', 'DATA UPDATE BIODATA Type=9', 1);
    const row = ((await op.call('GET', 'attendance/devices')).body.data as Array<Record<string, any>>).find((d) => d.sn === 'RSSATT01')!;
    expect(row.sync).toMatchObject({ state: 'refused', refusals: [{ what: 'DATA UPDATE BIODATA Type=9', returnCode: -1004, items: 1 }] });
  });
});
