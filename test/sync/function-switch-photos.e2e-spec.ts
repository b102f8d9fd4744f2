/**
 * A comparison photo (biophoto, 9.1.1) is enrolled by the panel as a template of its Type (Appendix 18: a visible-light
 * face): with the face function switched off (FaceFunOn=0, manual 4.4 "face verification function") the panel cannot
 * use it, as it cannot a face template, which the gateway already kept back. The photos still went: a panel reporting
 * FaceFunOn=0 got every member's photo. Now a panel whose switch turns the photo's Type off is sent none, and one
 * switched off after holding them has them deleted with the change (oldDialectCleanup); switched on again (its
 * parameters, table=options), the photos follow without operator action. Each panel ends holding what the database
 * gives it under its switches, and is said synced.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId, PHOTO } from './access-helpers';
import { claimsSynced, convergenceOf, ok, settleConverged, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const photoPins = (d: Device) => d.sim.table('biophoto').map((r) => `${r.PIN}:${r.Type}`).sort();
const users = (d: Device) => d.sim.table('user').map((r) => String(r.Pin)).sort();
const photoCommands = (sent: string[]) => sent.filter((c) => /^DATA UPDATE biophoto\b/.test(c));

async function setFace(d: Device, on: boolean): Promise<void> {
  d.sim.options.set('FaceFunOn', on ? '1' : '0');
  await d.sim.uploadOptions(['FingerFunOn', 'FaceFunOn']);
}

describe('comparison photos and the face function switch', () => {
  it('a panel with FaceFunOn=0 is sent no photo; switched on, the photos follow; switched off again, they are deleted', async () => {
    const off = await Device.connect(t, 'PHSWITCH01', 1, '10.62.0.1', { registryExtras: { FaceFunOn: 0 } });
    const on = await Device.connect(t, 'PHSWITCH02', 1, '10.62.0.2');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'PHS' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: ['10.62.0.1-1', '10.62.0.2-1'].map((doorName) => ({ levelName: 'PHS', doorName })) }));
    const level = await levelId(t, 'PHS');
    for (const pin of ['6301', '6302']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level, personPhoto: PHOTO }));
    for (const d of [off, on]) await settleConverged(t, reconciler, d.sim);

    expect(photoCommands(await off.since())).toEqual([]);
    expect(photoPins(off)).toEqual([]);
    expect(users(off)).toEqual(['6301', '6302']);
    expect(photoPins(on)).toEqual(['6301:9', '6302:9']);
    for (const d of [off, on]) expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);

    // Turned on at the panel, which says so in its parameters: the photos follow.
    await setFace(off, true);
    await settleConverged(t, reconciler, off.sim);
    expect(photoPins(off)).toEqual(['6301:9', '6302:9']);
    expect(claimsSynced(await convergenceOf(t, 'PHSWITCH01'))).toBe(true);

    // Turned off on the other panel after it held them: they are taken off, its users stay.
    await setFace(on, false);
    await settleConverged(t, reconciler, on.sim);
    expect(photoPins(on)).toEqual([]);
    expect(users(on)).toEqual(['6301', '6302']);
    expect(claimsSynced(await convergenceOf(t, 'PHSWITCH02'))).toBe(true);
    // A person added while it is off gets no photo there, one on the other panel.
    await ok(t.post('/api/person/add', { pin: '6303', name: 'P6303', accLevelIds: level, personPhoto: PHOTO }));
    for (const d of [off, on]) await settleConverged(t, reconciler, d.sim);
    expect(photoPins(on)).toEqual([]);
    expect(users(on)).toEqual(['6301', '6302', '6303']);
    expect(photoPins(off)).toEqual(['6301:9', '6302:9', '6303:9']);
    for (const d of [off, on]) d.expectAllAcknowledged();
  });
});
