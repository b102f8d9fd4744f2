/**
 * A panel's function switches (FingerFunOn, FaceFunOn, FvFunOn, PvFunOn: "fingerprint / facial / finger vein / palm
 * vein function switch", manual 4.4 and Appendix 12) say which template functions run on it. The planner read them and
 * used none: a panel reporting FingerFunOn=0 (a fingerprint module off, or a face-only setup) was still sent every
 * fingerprint, which it refuses or cannot use, and the answers said nothing of it. Now a template whose function is off
 * is neither sent nor desired, the person's and the device's answers name it (cannotHold) and stay synced, and a
 * function turned on later, in a registration or in the panel's parameters (table=options, 4.6), brings its templates
 * without operator action. A panel that reports none of the switches keeps the old default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
/** Unified templates (biodata: fingerprint, near-infrared and visible-light face announced), fingerprint switched off. */
let fpOff: Device;
/** Old firmware (templatev10: version-10 fingerprints only), fingerprint switched off. */
let v10Off: Device;
/** Unified templates, reporting the switches empty (as Biopro SA40's INFO does): the old default. */
let silent: Device;

const template = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');
const devices = () => [fpOff, v10Off, silent];

async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await reconciler.idle();
    for (const d of devices()) await d.sim.pollUntilIdle({ maxPolls: 50 });
  }
}

/** The template slots a panel holds for a pin, `Type.No` (templatev10: `1.FingerID`). */
const slots = (d: Device, pin: string) =>
  [...d.sim.table('biodata').filter((r) => String(r.Pin) === pin).map((r) => `${r.Type}.${r.No}`), ...d.sim.table('templatev10').filter((r) => String(r.Pin) === pin).map((r) => `1.${r.FingerID}`)].sort();

const onDevices = async (pin: string) =>
  ((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data as Array<{ deviceSn: string; state: string; cannotHold: unknown[] }>).reduce<Record<string, { state: string; cannotHold: unknown[] }>>(
    (o, d) => ({ ...o, [d.deviceSn]: { state: d.state, cannotHold: d.cannotHold } }),
    {},
  );

/** Template commands a panel received (DATA UPDATE/DELETE of biodata or templatev10). */
const templateCommands = (sent: string[]) => sent.filter((c) => /^DATA (UPDATE|DELETE) (biodata|templatev10)\b/.test(c));

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
  fpOff = await Device.connect(t, 'FPSWITCH001', 1, '10.31.0.1', { registryExtras: { FingerFunOn: 0 } });
  v10Off = await Device.connect(t, 'FPSWITCH002', 1, '10.31.0.2', {
    registryPushVersion: 'Ver 2.2.0-20180101',
    multiBioDataSupport: '',
    multiBioPhotoSupport: '',
    registryExtras: { BioPhotoFun: 0, BioDataFun: 0, FingerFunOn: 0 },
  });
  silent = await Device.connect(t, 'FPSWITCH003', 1, '10.31.0.3', { registryExtras: { FingerFunOn: '', FaceFunOn: '' } });
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'switches' }] })).body.code).toBe(0);
  const doors = ['10.31.0.1-1', '10.31.0.2-1', '10.31.0.3-1'].map((doorName) => ({ levelName: 'switches', doorName }));
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: doors })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '9401', name: 'Finger Face', accLevelIds: await levelId(t, 'switches') })).body.code).toBe(0);
  for (const d of devices()) d.mark();
  // A version-10 fingerprint (finger 1) and a visible-light face.
  expect((await t.post('/api/bioTemplate/add', { personId: '9401', validType: '1', template: template('9401 f1'), templateNo: '1' })).body.code).toBe(0);
  const face = { personId: '9401', validType: '1', template: template('9401 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' };
  expect((await t.post('/api/bioTemplate/add', face)).body.code).toBe(0);
  await settle();
});
afterAll(async () => {
  await t?.close();
});

const fingerNotHeld = { what: 'templates', cardNos: [], templates: [{ bioType: 1, templateNo: 1 }], reason: expect.stringContaining('FingerFunOn=0') };

describe('a panel whose options switch the fingerprint function off', () => {
  it('is sent no fingerprint; its tables hold what the database gives it less the fingerprints; the answers name them and say synced', async () => {
    const sentFpOff = templateCommands(await fpOff.since());
    expect(sentFpOff.filter((c) => /\bType=1\b/.test(c))).toEqual([]);
    expect(sentFpOff.some((c) => /\bType=9\b/.test(c))).toBe(true);
    expect(templateCommands(await v10Off.since())).toEqual([]);
    // The database gives 9401 a finger (1.1) and a face (9.0): the panels hold what they can of it.
    expect(slots(fpOff, '9401')).toEqual(['9.0']);
    expect(slots(v10Off, '9401')).toEqual([]);
    expect(slots(silent, '9401')).toEqual(['1.1', '9.0']);
    for (const d of devices()) expect(d.sim.table('user').map((r) => String(r.Pin))).toEqual(['9401']);

    expect(await onDevices('9401')).toEqual({
      FPSWITCH001: { state: 'synced', cannotHold: [fingerNotHeld] },
      // templatev10 keeps no face either: named, by the same rule, with the switch.
      FPSWITCH002: { state: 'synced', cannotHold: [{ ...fingerNotHeld, templates: [{ bioType: 1, templateNo: 1 }, { bioType: 9, templateNo: 0 }] }] },
      FPSWITCH003: { state: 'synced', cannotHold: [] },
    });
    for (const sn of ['FPSWITCH001', 'FPSWITCH002']) {
      const c = (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
      expect(c).toMatchObject({ state: 'synced', divergent: false, unconfirmedItems: 0 });
      expect(c.cannotHold).toEqual([expect.objectContaining({ pin: '9401', what: 'templates', reason: expect.stringContaining('FingerFunOn=0') })]);
    }
    for (const d of devices()) d.expectAllAcknowledged();
  });

  it('turned on in the panel\'s parameters (table=options): the fingerprints follow without operator action', async () => {
    fpOff.sim.options.set('FingerFunOn', '1');
    await fpOff.sim.uploadOptions(['FingerFunOn', 'FaceFunOn']);
    await settle();
    expect(templateCommands(await fpOff.since()).some((c) => /\bType=1\b/.test(c) && c.includes('Pin=9401'))).toBe(true);
    expect(slots(fpOff, '9401')).toEqual(['1.1', '9.0']);
    expect((await onDevices('9401')).FPSWITCH001).toEqual({ state: 'synced', cannotHold: [] });
    // The panel's next registration, naming no switch, leaves the function on (its last word stands).
    await fpOff.sim.reconfigure({ registryExtras: { FingerFunOn: '' } });
    await settle();
    expect(slots(fpOff, '9401')).toEqual(['1.1', '9.0']);
    expect((await onDevices('9401')).FPSWITCH001).toEqual({ state: 'synced', cannotHold: [] });
    fpOff.expectAllAcknowledged();
  });

  it('turned on and read by GET OPTIONS (an operator asking the panel for its options): the fingerprints follow', async () => {
    const asked = await Device.connect(t, 'FPSWITCH004', 1, '10.31.0.4', { registryExtras: { FingerFunOn: 0 } });
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'switches', doorName: '10.31.0.4-1' }] })).body.code).toBe(0);
    const settleAsked = async () => {
      for (let i = 0; i < 4; i++) {
        await reconciler.idle();
        await asked.sim.pollUntilIdle({ maxPolls: 50 });
      }
    };
    await settleAsked();
    expect(slots(asked, '9401')).toEqual(['9.0']);
    // Switched on at the panel, which says so only when asked (9.5.2: querydata type=options).
    asked.sim.options.set('FingerFunOn', '1');
    const r = await t.post('/api/gateway/devices/FPSWITCH004/control', { action: 'getOptions', options: 'FingerFunOn,FaceFunOn' });
    expect(r.body.code).toBe(0);
    await settleAsked();
    expect(slots(asked, '9401')).toEqual(['1.1', '9.0']);
    expect((await onDevices('9401')).FPSWITCH004).toEqual({ state: 'synced', cannotHold: [] });
    asked.expectAllAcknowledged();
  });

  it('turned on in a new registration: the old firmware gets its version-10 fingerprint', async () => {
    await v10Off.sim.reconfigure({ registryExtras: { FingerFunOn: 1 } });
    await settle();
    expect(slots(v10Off, '9401')).toEqual(['1.1']);
    expect((await onDevices('9401')).FPSWITCH002).toEqual({
      state: 'synced',
      cannotHold: [{ what: 'templates', cardNos: [], templates: [{ bioType: 9, templateNo: 0 }], reason: expect.stringContaining('version 10') }],
    });
    v10Off.expectAllAcknowledged();
  });
});
