/**
 * A panel (Security PUSH, lower-case `biodata`) that announces a template type in MultiBioDataSupport and then
 * refuses it (-1004): the refusal must not take the panel's fingerprints with it, nor be read as firmware without
 * `biodata`, nor leave the panel said synced while it lacks a template it takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import type { ParsedCommand } from '../simulator/commands';
import { settingsOf } from '../push/push-helpers';
import { Device, levelId, PHOTO } from './access-helpers';
import { claimsSynced, convergenceOf, ok, settleConverged, startFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  // Refusals probed again only far off (as in the field: minutes to hours): what lands, lands without the probe.
  Object.assign(settingsOf(t), { refusalProbe: { baseMs: 600_000, maxMs: 600_000 } });
});
afterAll(async () => {
  await t?.close();
});

const finger = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');
const rowsOf = (d: Device, table: string) => d.sim.table(table).map((r) => `${r.Pin}/${r.Type ?? 1}/${r.No ?? r.FingerID}`).sort();
const isFacePut = (c: ParsedCommand) => c.verb === 'DATA UPDATE' && c.table === 'biodata' && /(?:^|\t)Type=9(?:\t|$)/.test(c.args);

/** A panel with one door in a level of its own; answers `resultFor` to each command (a Return, or undefined: runs it). */
async function panel(sn: string, ip: string, level: string, resultFor: (c: ParsedCommand) => number | undefined): Promise<{ d: Device; level: string }> {
  const d = await Device.connect(t, sn, 1, ip, { resultFor });
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  return { d, level: await levelId(t, level) };
}

describe('a panel refusing one template type it announced', () => {
  it('a visible-light face refused with -1004: fingerprints still land as biodata, the face is refused under its own key', async () => {
    let faceRefusals = 0;
    let refuseFaces = true;
    const { d, level } = await panel('BTR00001', '10.73.0.1', 'BTRA', (c) => (refuseFaces && isFacePut(c) ? (faceRefusals++, -1004) : undefined));
    await ok(t.post('/api/person/add', { pin: '7301', name: 'Face first', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7301', validType: '1', template: finger('7301 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' }));
    await settleConverged(t, reconciler, d.sim, 6);
    expect(faceRefusals).toBeGreaterThanOrEqual(1);
    // A finger written after the face was refused, for this person and for another.
    await ok(t.post('/api/bioTemplate/add', { personId: '7301', validType: '1', template: finger('7301 f1'), templateNo: '1' }));
    await ok(t.post('/api/person/add', { pin: '7302', name: 'Finger only', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7302', validType: '1', template: finger('7302 f2'), templateNo: '2' }));
    d.mark();
    await settleConverged(t, reconciler, d.sim, 10);
    const sent = await d.since();
    expect(sent.filter((c) => c.startsWith('DATA UPDATE templatev10'))).toEqual([]);
    expect(rowsOf(d, 'biodata')).toEqual(['7301/1/1', '7302/1/2']);
    const refused = (await t.get('/api/gateway/devices/BTR00001')).body.data.refusedCapabilities as Array<{ what: string }>;
    expect(refused.map((r) => r.what)).toEqual(['DATA UPDATE biodata Type=9']);
    // It holds every template it takes; the face it refuses is listed above, not owed at each retry: the panel is
    // said to lack it because of that refusal, neither synced nor divergent.
    expect(await convergenceOf(t, 'BTR00001')).toMatchObject({ state: 'refused', divergent: false, refusedItems: 1, pendingCommands: 0 });
    expect(faceRefusals).toBe(1);

    // A firmware upgrade that takes faces: the refusal is forgotten and the face lands, the fingers stay.
    refuseFaces = false;
    await d.sim.reconfigure({ firmVer: 'AC Ver 5.7.8.3040 Nov 1 2026' });
    await settleConverged(t, reconciler, d.sim, 10);
    expect(rowsOf(d, 'biodata')).toEqual(['7301/1/1', '7301/9/0', '7302/1/2']);
    expect((await t.get('/api/gateway/devices/BTR00001')).body.data.refusedCapabilities).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, 'BTR00001'))).toBe(true);
  });

  it('a face refused once and then taken: its probe puts the face back with the set, the fingers stay', async () => {
    const settings = settingsOf(t);
    const slow = settings.refusalProbe;
    settings.refusalProbe = { baseMs: 200, maxMs: 400 };
    try {
      let refuse = 1;
      const { d, level } = await panel('BTR00002', '10.73.0.2', 'BTRB', (c) => (refuse > 0 && isFacePut(c) ? (refuse--, -1004) : undefined));
      await ok(t.post('/api/person/add', { pin: '7311', name: 'Probe', accLevelIds: level }));
      await ok(t.post('/api/bioTemplate/add', { personId: '7311', validType: '1', template: finger('7311 f1'), templateNo: '1' }));
      await ok(t.post('/api/bioTemplate/add', { personId: '7311', validType: '1', template: finger('7311 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' }));
      for (let i = 0; i < 20 && !(rowsOf(d, 'biodata').length === 2 && claimsSynced(await convergenceOf(t, 'BTR00002'))); i++) {
        await settleConverged(t, reconciler, d.sim, 3);
        await new Promise((r) => setTimeout(r, 250));
        await reconciler.runOnce();
      }
      expect(refuse).toBe(0);
      expect(rowsOf(d, 'biodata')).toEqual(['7311/1/1', '7311/9/0']);
      expect((await t.get('/api/gateway/devices/BTR00002')).body.data.refusedCapabilities).toEqual([]);
      expect(claimsSynced(await convergenceOf(t, 'BTR00002'))).toBe(true);
    } finally {
      settings.refusalProbe = slow;
    }
  });

  it('a refusal kept under the table key (before types were keyed apart) is forgotten once the panel takes a fingerprint', async () => {
    const { d, level } = await panel('BTR00003', '10.73.0.3', 'BTRC', () => undefined);
    await ok(t.post('/api/person/add', { pin: '7321', name: 'Legacy', accLevelIds: level }));
    await settleConverged(t, reconciler, d.sim, 6);
    // Stored by an earlier gateway, its probe due: the next plan of the panel sends the templates again.
    await t.ds.query(
      `INSERT INTO device_refusal (device_id, what, return_code, refusals, command, first_at, last_at, probe_at)
       SELECT id, 'DATA UPDATE biodata', -1004, 1, 'DATA UPDATE biodata Pin=7321', now(), now(), now() - interval '1 second' FROM device WHERE sn = 'BTR00003'`,
    );
    await ok(t.post('/api/bioTemplate/add', { personId: '7321', validType: '1', template: finger('7321 f1'), templateNo: '1' }));
    await settleConverged(t, reconciler, d.sim, 10);
    expect(rowsOf(d, 'biodata')).toEqual(['7321/1/1']);
    expect((await t.get('/api/gateway/devices/BTR00003')).body.data.refusedCapabilities).toEqual([]);
  });

  it('a panel refusing biophoto (-1004) still takes every template; the photo is refused once and reported', async () => {
    let photoRefusals = 0;
    const { d, level } = await panel('BTR00004', '10.73.0.4', 'BTRD', (c) => (c.verb === 'DATA UPDATE' && c.table === 'biophoto' ? (photoRefusals++, -1004) : undefined));
    await ok(t.post('/api/person/add', { pin: '7331', name: 'Photo', accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim, 6);
    expect(photoRefusals).toBe(1);
    await ok(t.post('/api/bioTemplate/add', { personId: '7331', validType: '1', template: finger('7331 f1'), templateNo: '1' }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7331', validType: '1', template: finger('7331 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' }));
    await settleConverged(t, reconciler, d.sim, 10);
    expect(rowsOf(d, 'biodata')).toEqual(['7331/1/1', '7331/9/0']);
    expect(d.sim.table('biophoto')).toEqual([]);
    expect(((await t.get('/api/gateway/devices/BTR00004')).body.data.refusedCapabilities as Array<{ what: string }>).map((r) => r.what)).toEqual(['DATA UPDATE biophoto']);
    // The refused table is reported (its photo stays owed, as any table refused for good), nothing is in flight.
    const conv = await convergenceOf(t, 'BTR00004');
    expect(conv.refused).toEqual(['DATA UPDATE biophoto']);
    expect(conv.pendingCommands).toBe(0);
    expect(photoRefusals).toBe(1);
  });
});

describe('a panel that took a face, then refused faces (Type=9)', () => {
  it('a person deleted through REST leaves the panel entirely, the face confirmed before the refusal too', { timeout: 120_000 }, async () => {
    let refuseFaces = false;
    const { d, level } = await panel('BTR00005', '10.73.0.5', 'BTRE', (c) => (refuseFaces && isFacePut(c) ? -1004 : undefined));
    await ok(t.post('/api/person/add', { pin: '7341', name: 'Gone', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7341', validType: '1', template: finger('7341 f1'), templateNo: '1' }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7341', validType: '1', template: finger('7341 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' }));
    await settleConverged(t, reconciler, d.sim, 6);
    expect(rowsOf(d, 'biodata')).toEqual(['7341/1/1', '7341/9/0']);
    // Another person's face refused: Type=9 refused for good; the panel still holds the face it took.
    refuseFaces = true;
    await ok(t.post('/api/person/add', { pin: '7342', name: 'Stays', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7342', validType: '1', template: finger('7342 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' }));
    await settleConverged(t, reconciler, d.sim, 6);
    expect(((await t.get('/api/gateway/devices/BTR00005')).body.data.refusedCapabilities as Array<{ what: string }>).map((r) => r.what)).toEqual(['DATA UPDATE biodata Type=9']);
    d.mark();
    expect((await t.delete('/api/person/delete/7341')).body.code).toBe(0);
    await settleConverged(t, reconciler, d.sim, 10);
    // The person's removal clears biodata by Pin, every type: the refused type's rows go with it.
    expect(await d.since()).toContain('DATA DELETE biodata Pin=7341');
    expect(d.sim.table('user').filter((u) => u.Pin === '7341')).toEqual([]);
    expect(rowsOf(d, 'biodata')).toEqual([]);
  });

  it('the same firmware announcing other template types (MultiBioDataSupport changed): the refused face is tried again and lands', async () => {
    let refuseFaces = true;
    const { d, level } = await panel('BTR00007', '10.73.0.7', 'BTRG', (c) => (refuseFaces && isFacePut(c) ? -1004 : undefined));
    await ok(t.post('/api/person/add', { pin: '7361', name: 'Licensed', accLevelIds: level }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7361', validType: '1', template: finger('7361 f1'), templateNo: '1' }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7361', validType: '1', template: finger('7361 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' }));
    await settleConverged(t, reconciler, d.sim, 6);
    expect(rowsOf(d, 'biodata')).toEqual(['7361/1/1']);
    // The face module enabled: the same FirmVer registers again announcing palm (8) besides.
    refuseFaces = false;
    await d.sim.reconfigure({ multiBioDataSupport: '0:1:1:0:0:0:0:0:1:1' });
    await settleConverged(t, reconciler, d.sim, 10);
    expect(rowsOf(d, 'biodata')).toEqual(['7361/1/1', '7361/9/0']);
    expect((await t.get('/api/gateway/devices/BTR00007')).body.data.refusedCapabilities).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, 'BTR00007'))).toBe(true);
  });
});
