/**
 * Templates deleted at a panel that stays connected (or that re-registers with its tables kept): the periodic
 * verification counted users and rights rows only, so a fingerprint or face deleted at the panel's menu stayed
 * missing (the person could no longer open by finger or face) until an operator's full sync, while the convergence
 * answer said the panel held it. The template table of the panel's dialect is counted too now (`DATA COUNT biodata`,
 * `DATA COUNT templatev10`), against the rows the templates it confirmed make (one per Index of a biodata slot, one
 * per finger in templatev10); a panel that holds them all is not synced again. Photos likewise (`DATA COUNT
 * biophoto`), judged from below only: a full sync clears no photo table, so a photo of the panel's own never
 * makes one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { SyncVerifier } from '../../src/sync/sync-verifier.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId, PHOTO, registrations, settleDevice } from './access-helpers';
import { claimsSynced, convergenceOf, ok } from './fault-helpers';

let t: TestApp;
let verifier: SyncVerifier;
let reconciler: SyncReconciler;

const finger = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');
const OLD = { registryPushVersion: 'Ver 2.2.0-20180101', multiBioDataSupport: '', multiBioPhotoSupport: '', registryExtras: { DateFmtFunOn: 0, BioPhotoFun: 0, BioDataFun: 0 } };

beforeAll(async () => {
  // No timers: the tests call the verifier and the reconciler themselves.
  t = await startTestApp({ syncVerifyIntervalMs: 0, syncReconcileIntervalMs: 0, syncRetryBaseMs: 200, syncRetryMaxMs: 400 });
  verifier = t.app.get(SyncVerifier);
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

async function deviceId(sn: string): Promise<string> {
  const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
  return id;
}

/** Makes the panel due for the periodic verification, asks it, and lets the gateway act on the answers. */
async function verifyNow(d: Device): Promise<void> {
  await t.ds.query(`UPDATE sync_verify SET asked_at = now() - interval '1 day' WHERE device_id = $1`, [await deviceId(d.sim.sn)]);
  // It polls all along; last_seen_at is written only every few seconds, so the test marks it seen now.
  await t.ds.query(`UPDATE device SET registered_at = now() - interval '1 day', last_seen_at = now() WHERE sn = $1`, [d.sim.sn]);
  expect(await verifier.askDue()).toBeGreaterThanOrEqual(1);
  await settleDevice(reconciler, d.sim, { rounds: 4 });
}

const fullSyncs = async (sn: string): Promise<number> =>
  (await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND command = 'DATA DELETE user *'`, [sn]))[0].n;
const rowsOf = (d: Device, table: string) => d.sim.table(table).map((r) => `${r.Pin}/${r.Type ?? 1}/${r.No ?? r.FingerID}/${r.Index ?? 0}`).sort();

async function panelWithTemplates(sn: string, ip: string, level: string, pin: string, extra: Parameters<typeof Device.connect>[4] = {}): Promise<Device> {
  const d = await Device.connect(t, sn, 1, ip, extra);
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: await levelId(t, level) }));
  await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: finger(`${pin} f1`), templateNo: '1' }));
  await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: finger(`${pin} f2`), templateNo: '2' }));
  await settleDevice(reconciler, d.sim);
  return d;
}

describe('templates deleted at a connected panel', () => {
  it('biodata: a fingerprint deleted at the panel is back after the periodic count; a face of several Indexes counts as its rows', async () => {
    const d = await panelWithTemplates('VTPL0001', '10.71.0.1', 'VTPLA', '7101');
    // A visible-light face: three biodata records (Index 0-2) of one slot.
    for (const index of ['0', '1', '2']) {
      await ok(t.post('/api/bioTemplate/add', { personId: '7101', validType: '1', template: finger(`7101 face ${index}`), templateNo: '0', templateNoIndex: index, bioType: '9', version: '58.1' }));
    }
    await settleDevice(reconciler, d.sim);
    const want = rowsOf(d, 'biodata');
    expect(want).toEqual(['7101/1/1/0', '7101/1/2/0', '7101/9/0/0', '7101/9/0/1', '7101/9/0/2']);
    const before = await fullSyncs(d.sim.sn);

    // Intact: the count matches what it confirmed, nothing is sent again.
    d.mark();
    await verifyNow(d);
    const sent = await d.since();
    expect(sent).toContain('DATA COUNT biodata');
    expect(sent.filter((c) => !c.startsWith('DATA COUNT'))).toEqual([]);
    expect(await fullSyncs(d.sim.sn)).toBe(before);

    // Finger 2 deleted at the panel's menu: the gateway is not told, the panel does not register again.
    expect(d.sim.deleteLocally('biodata', { Pin: 7101, Type: 1, No: 2 })).toBe(1);
    const regs = registrations(d);
    await verifyNow(d);
    expect(rowsOf(d, 'biodata')).toEqual(want);
    expect(registrations(d)).toBe(regs);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);

    // One Index of the face deleted: found as well.
    expect(d.sim.deleteLocally('biodata', { Pin: 7101, Type: 9, No: 0, Index: 1 })).toBe(1);
    await verifyNow(d);
    expect(rowsOf(d, 'biodata')).toEqual(want);
  });

  it('templatev10 (older firmware): a finger deleted at the panel is back after the periodic count', async () => {
    const d = await panelWithTemplates('VTPL0002', '10.71.0.2', 'VTPLB', '7201', OLD);
    const want = rowsOf(d, 'templatev10');
    expect(want).toEqual(['7201/1/1/0', '7201/1/2/0']);
    d.mark();
    await verifyNow(d);
    expect(await d.since()).toContain('DATA COUNT templatev10');
    expect(d.sim.deleteLocally('templatev10', { Pin: 7201, FingerID: 1 })).toBe(1);
    await verifyNow(d);
    expect(rowsOf(d, 'templatev10')).toEqual(want);
  });

  it('a panel that re-registers with its templates gone (users and rights kept) gets them back', async () => {
    const d = await panelWithTemplates('VTPL0003', '10.71.0.3', 'VTPLC', '7301');
    const want = rowsOf(d, 'biodata');
    expect(want).toHaveLength(2);
    d.sim.deleteLocally('biodata');
    expect((await d.sim.reconfigure({})).registered).toBe(true);
    await settleDevice(reconciler, d.sim, { rounds: 6 });
    expect(rowsOf(d, 'biodata')).toEqual(want);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });

  it('biophoto: a photo deleted at the panel is back after the periodic count; photos of its own are left alone', async () => {
    const d = await Device.connect(t, 'VTPL0005', 1, '10.71.0.5');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'VTPLE' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'VTPLE', doorName: '10.71.0.5-1' }] }));
    const level = await levelId(t, 'VTPLE');
    await ok(t.post('/api/person/add', { pin: '7501', name: 'P7501', accLevelIds: level, personPhoto: PHOTO }));
    await ok(t.post('/api/person/add', { pin: '7502', name: 'P7502', accLevelIds: level, personPhoto: PHOTO }));
    await settleDevice(reconciler, d.sim);
    const photos = () => d.sim.table('biophoto').map((r) => String(r.PIN)).sort();
    expect(photos()).toEqual(['7501', '7502']);
    const before = await fullSyncs(d.sim.sn);

    d.mark();
    await verifyNow(d);
    expect(await d.since()).toContain('DATA COUNT biophoto');
    expect(await fullSyncs(d.sim.sn)).toBe(before);

    expect(d.sim.deleteLocally('biophoto', { PIN: 7502 })).toBe(1);
    await verifyNow(d);
    expect(photos()).toEqual(['7501', '7502']);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);

    // A photo the panel holds for no user of ours: a full sync would not remove it, so it makes none.
    const synced = await fullSyncs(d.sim.sn);
    d.sim.addLocally('biophoto', { PIN: 7999, Type: 9, Size: PHOTO.length, Content: PHOTO });
    await verifyNow(d);
    expect(await fullSyncs(d.sim.sn)).toBe(synced);
  });

  it('a firmware that refuses to count its templates (-1004) keeps them, owes no full sync, and is not asked again', async () => {
    const d = await panelWithTemplates('VTPL0006', '10.71.0.6', 'VTPLF', '7601', { resultFor: (c) => (c.verb === 'DATA COUNT' && c.table === 'biodata' ? -1004 : undefined) });
    const want = rowsOf(d, 'biodata');
    expect(want).toHaveLength(2);
    const before = await fullSyncs(d.sim.sn);
    d.mark();
    await verifyNow(d);
    expect(await d.since()).toContain('DATA COUNT biodata');
    await verifyNow(d);
    const again = await d.since();
    expect(again).toContain('DATA COUNT user');
    expect(again).not.toContain('DATA COUNT biodata');
    expect(await fullSyncs(d.sim.sn)).toBe(before);
    expect(rowsOf(d, 'biodata')).toEqual(want);
    expect(claimsSynced(await convergenceOf(t, d.sim.sn))).toBe(true);
  });

  it('a panel that confirmed no templates is not asked to count them', async () => {
    const d = await Device.connect(t, 'VTPL0004', 1, '10.71.0.4');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'VTPLD' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'VTPLD', doorName: '10.71.0.4-1' }] }));
    await ok(t.post('/api/person/add', { pin: '7401', name: 'P7401', accLevelIds: await levelId(t, 'VTPLD') }));
    await settleDevice(reconciler, d.sim);
    d.mark();
    await verifyNow(d);
    const sent = await d.since();
    expect(sent).toContain('DATA COUNT user');
    expect(sent.some((c) => c.startsWith('DATA COUNT biodata') || c.startsWith('DATA COUNT biophoto'))).toBe(false);
  });
});
