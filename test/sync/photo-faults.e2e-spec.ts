/**
 * A panel's photos (biophoto Type 9) follow the database through faults: a photo whose result was lost (the
 * panel applied it, the answer never came) and whose person was then deleted or moved off the panel, a photo
 * delete the panel refused (negative Return), a panel reset mid-way. The panel ends holding exactly the photos
 * of the persons the database gives it, and is not said synced before it confirmed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId, PHOTO } from './access-helpers';
import { claimsSynced, convergenceOf, ok, settleConverged, startFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
});
afterAll(async () => {
  await t?.close();
});

const isPhotoPut = (c: { verb: string | null; table?: string }) => c.verb === 'DATA UPDATE' && c.table === 'biophoto';
const isPhotoDelete = (c: { verb: string | null; table?: string }) => c.verb === 'DATA DELETE' && c.table === 'biophoto';
const photos = (d: Device) => d.sim.table('biophoto').map((r) => String(r.PIN)).sort();
const users = (d: Device) => d.sim.table('user').map((r) => String(r.Pin)).sort();

async function panel(sn: string, ip: string, level: string): Promise<{ d: Device; level: string }> {
  const d = await Device.connect(t, sn, 1, ip);
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  return { d, level: await levelId(t, level) };
}

describe('photos on a panel converge through faults', () => {
  it('a photo applied with its result lost, then its person deleted: the panel loses it', async () => {
    const { d, level } = await panel('PHF00001', '10.72.0.1', 'PHFA');
    await ok(t.post('/api/person/add', { pin: '8101', name: 'Keeps', accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim);
    expect(photos(d)).toEqual(['8101']);

    d.sim.holdResults(isPhotoPut);
    await ok(t.post('/api/person/add', { pin: '8102', name: 'Goes', accLevelIds: level, personPhoto: PHOTO }));
    await d.sim.pollUntilIdle();
    expect(photos(d)).toEqual(['8101', '8102']);
    d.sim.dropHeldResults();
    d.sim.stopHoldingResults();
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(false);
    await ok(t.post('/api/person/delete/8102'));
    await settleConverged(t, reconciler, d.sim);
    expect(users(d)).toEqual(['8101']);
    expect(photos(d)).toEqual(['8101']);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });

  it('a photo delete refused with a negative Return is sent again until the panel takes it', async () => {
    const { d, level } = await panel('PHF00002', '10.72.0.2', 'PHFB');
    await ok(t.post('/api/person/add', { pin: '8201', name: 'A', accLevelIds: level, personPhoto: PHOTO }));
    await ok(t.post('/api/person/add', { pin: '8202', name: 'B', accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim);
    expect(photos(d)).toEqual(['8201', '8202']);
    d.sim.failCommands(isPhotoDelete, -12, 2);
    await ok(t.post('/api/person/delete/8202'));
    await d.sim.pollUntilIdle();
    expect(photos(d)).toEqual(['8201', '8202']);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(false);
    await settleConverged(t, reconciler, d.sim, 30);
    expect(photos(d)).toEqual(['8201']);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });

  it('a photo applied with its result lost, then its person moved off the panel, and a full sync: the panel loses it', async () => {
    const { d, level } = await panel('PHF00003', '10.72.0.3', 'PHFC');
    const other = await panel('PHF00004', '10.72.0.4', 'PHFD');
    d.sim.holdResults(isPhotoPut);
    await ok(t.post('/api/person/add', { pin: '8301', name: 'Moves', accLevelIds: level, personPhoto: PHOTO }));
    await d.sim.pollUntilIdle();
    d.sim.dropHeldResults();
    d.sim.stopHoldingResults();
    expect(photos(d)).toEqual(['8301']);
    await ok(t.post('/api/person/add', { pin: '8301', name: 'Moves', accLevelIds: other.level }));
    await ok(t.post(`/api/gateway/devices/${d.sim.sn}/sync`));
    await settleConverged(t, reconciler, d.sim);
    await settleConverged(t, reconciler, other.d.sim);
    expect(users(d)).toEqual([]);
    expect(photos(d)).toEqual([]);
    expect(photos(other.d)).toEqual(['8301']);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });

  it('a panel reset with a photo change and a photo delete queued ends with the database\'s photos, said synced only then', async () => {
    const { d, level } = await panel('PHF00005', '10.72.0.5', 'PHFE');
    for (const pin of ['8501', '8502', '8503']) await ok(t.post('/api/person/add', { pin, name: pin, accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim);
    expect(photos(d)).toEqual(['8501', '8502', '8503']);
    await ok(t.post('/api/person/delete/8502'));
    await ok(t.post('/api/person/updatePersonnelPhoto', { pin: '8503', personPhoto: PHOTO.slice(0, -4) + 'AAAA' }));
    expect((await d.sim.factoryReset()).registered).toBe(true);
    expect(photos(d)).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(false);
    await settleConverged(t, reconciler, d.sim);
    expect(users(d)).toEqual(['8501', '8503']);
    expect(photos(d)).toEqual(['8501', '8503']);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });

  it('a full sync clears photos the gateway never sent (a member without a photo, a pin not ours), then sends the database\'s', async () => {
    const { d, level } = await panel('PHF00006', '10.72.0.6', 'PHFF');
    await ok(t.post('/api/person/add', { pin: '8601', name: 'Has', accLevelIds: level, personPhoto: PHOTO }));
    await ok(t.post('/api/person/add', { pin: '8602', name: 'Has none', accLevelIds: level }));
    await settleConverged(t, reconciler, d.sim);
    // Another site's photos on this board: one under our member 8602, one under a pin we do not know.
    d.sim.addLocally('biophoto', { PIN: 8602, Type: 9, Size: PHOTO.length, Content: PHOTO });
    d.sim.addLocally('biophoto', { PIN: 8699, Type: 9, Size: PHOTO.length, Content: PHOTO });
    d.mark();
    await ok(t.post(`/api/gateway/devices/${d.sim.sn}/sync`));
    await settleConverged(t, reconciler, d.sim);
    expect(await d.since()).toContain('DATA DELETE biophoto Type=9');
    expect(photos(d)).toEqual(['8601']);
    expect(users(d)).toEqual(['8601', '8602']);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });

  it.each([
    ['for good (-1004)', -1004, 7],
    ['with any other code (-1)', -1, 8],
    ['as busy or unsupported (-1002)', -1002, 9],
    ['as an unknown table (-629)', -629, 10],
    ['as an unsupported command (-708)', -708, 11],
    ['as a bad record (-12)', -12, 12],
  ])('a firmware refusing the photo clear %s still converges: photos of ours are sent, no full sync loop', async (_, code, n) => {
    const { d, level } = await panel(`PHF0000${n}`, `10.72.0.${n}`, `PHFG${n}`);
    const pin = `8${n}01`;
    await ok(t.post('/api/person/add', { pin, name: 'Has', accLevelIds: level, personPhoto: PHOTO }));
    await ok(t.post('/api/person/add', { pin: `8${n}02`, name: 'Leaves', accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim);
    d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'biophoto' && c.args.trim() === 'Type=9', code, 'always');
    await ok(t.post('/api/accLevel/deleteLevel', null, { pin: `8${n}02`, levelIds: level }));
    await ok(t.post(`/api/gateway/devices/${d.sim.sn}/sync`));
    await settleConverged(t, reconciler, d.sim, 40);
    expect(photos(d)).toEqual([pin]);
    expect(users(d)).toEqual([pin]);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
    const clears = () => d.sim.received.filter((r) => r.command === 'DATA DELETE user *').length;
    const before = clears();
    await settleConverged(t, reconciler, d.sim);
    await reconciler.runOnce();
    await d.sim.pollUntilIdle();
    expect(clears()).toBe(before);
    // Deletes by PIN still go: a person leaving later loses the photo too.
    await ok(t.post(`/api/person/delete/${pin}`));
    await settleConverged(t, reconciler, d.sim);
    expect(users(d)).toEqual([]);
    expect(photos(d)).toEqual([]);
  });

  it('a photo delete failed, then a full sync whose photo clear fails (-12): the photo of the person who left is still deleted by PIN', async () => {
    const { d, level } = await panel('PHF00014', '10.72.0.14', 'PHFI');
    for (const pin of ['8141', '8142']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim);
    // 8142 leaves; the panel fails its photo delete once (a record error, no refusal): the photo waits for its retry.
    const once = d.sim.failCommands((c) => isPhotoDelete(c) && /PIN=8142/.test(c.args), -12, 1);
    await ok(t.post('/api/person/delete/8142'));
    await d.sim.pollUntilIdle();
    expect(once.used).toBe(1);
    expect(photos(d)).toEqual(['8141', '8142']);
    // A full sync is queued before the retry; the retry's plan takes its photo clear for done, and that clear fails.
    d.sim.failCommands((c) => isPhotoDelete(c) && c.args.trim() === 'Type=9', -12, 'always');
    await ok(t.post(`/api/gateway/devices/${d.sim.sn}/sync`));
    await new Promise((r) => setTimeout(r, 450));
    await reconciler.runOnce();
    await settleConverged(t, reconciler, d.sim, 30);
    expect(users(d)).toEqual(['8141']);
    // Before, nothing planned the delete again (the plans assumed the clear; its failure planned nothing): the photo
    // of the person who left stayed on the panel, and the panel was divergent for ever.
    expect(photos(d)).toEqual(['8141']);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });

  it('a firmware refusing the photo clear for good: a person leaving later loses their photo, and the panel is not wiped and refilled for it', async () => {
    const { d, level } = await panel('PHF00013', '10.72.0.13', 'PHFH');
    for (const pin of ['8131', '8132', '8133']) await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim);
    d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'biophoto' && c.args.trim() === 'Type=9', -1004, 'always');
    await ok(t.post(`/api/gateway/devices/${d.sim.sn}/sync`));
    await settleConverged(t, reconciler, d.sim);
    expect(photos(d)).toEqual(['8131', '8132', '8133']);
    const clears = () => d.sim.received.filter((r) => r.command === 'DATA DELETE user *').length;
    const before = clears();
    expect(before).toBe(1);
    // The refused clear's key is not the per-PIN delete's: the photo goes with the person, and the delete's success
    // does not take the clear's refusal away (before, it did, and owed the panel a full sync at every departure).
    for (const pin of ['8132', '8133']) {
      await ok(t.post(`/api/person/delete/${pin}`));
      await settleConverged(t, reconciler, d.sim);
      expect(photos(d)).not.toContain(pin);
    }
    expect(users(d)).toEqual(['8131']);
    expect(photos(d)).toEqual(['8131']);
    expect(clears()).toBe(before);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });
});

describe('a finger enrolled at the panel while another finger of the same person was refused there', () => {
  it('the refused finger is not taken as held with the enrolled one: not said synced, and sent again until the panel holds it', { timeout: 60_000 }, async () => {
    const sn = 'PHF00009';
    const pin = '7521';
    const { d, level } = await panel(sn, '10.72.0.9', 'PHFT');
    const sim = d.sim;
    await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level }));
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    // Finger 1 through REST: the panel refuses its write (Insufficient cache) once.
    sim.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'biodata', -3, 1);
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: Buffer.from(`rest finger 1 of ${pin}`).toString('base64'), templateNo: '1' }));
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('biodata').filter((x) => String(x.Pin) === pin)).toEqual([]);
    // Finger 5 enrolled at its keypad and uploaded before the refused finger's retry.
    const tmp = Buffer.from(`panel finger 5 of ${pin}`).toString('base64');
    sim.addLocally('biodata', { Pin: pin, No: 5, Index: 0, Valid: 1, Duress: 0, Type: 1, MajorVer: 10, MinorVer: 0, Format: 0, Tmp: tmp });
    expect((await sim.uploadTable('biodata', [{ pin, no: 5, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp }])).body).toBe('biodata=1');
    const convergence = async () => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
    if (!sim.table('biodata').some((x) => String(x.Pin) === pin && String(x.No) === '1')) expect(await convergence()).not.toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    await settleConverged(t, reconciler, sim, 40);
    expect(sim.table('biodata').filter((x) => String(x.Pin) === pin).map((x) => Number(x.No)).sort()).toEqual([1, 5]);
    expect(await convergence()).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
  });
});
