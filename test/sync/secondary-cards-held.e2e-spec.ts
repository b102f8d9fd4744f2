/**
 * A secondary card (card/set cardType 1, person/add supplyCards) is stored and answered success whatever the devices
 * can take, as CVSecurity does; but a panel without multi-card (its options do not report MulCardUserFunOn=1) holds
 * the main card only (CVSecurity: a secondary card is invalid on such a device), and an attendance terminal's USERINFO
 * carries one secondary card (ViceCard). The person's device view must say what each device cannot hold, and not hold
 * the person's state back for it (nothing the gateway sends can fix it), or an operator reads "synced" and believes the
 * card opens that panel's doors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from '../attendance/attendance-helpers';
import { createOperator, signIn } from '../console/console-helpers';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let multi: Device;
let single: Device;
let term: AttendanceTerminal;
/** A panel whose options announce fingerprints only (MultiBioDataSupport type 1): it holds no face template. */
let fpOnly: Device;

async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await reconciler.idle();
    await multi.sim.pollUntilIdle({ maxPolls: 50 });
    await single.sim.pollUntilIdle({ maxPolls: 50 });
    await fpOnly.sim.pollUntilIdle({ maxPolls: 50 });
    await settleTerminal(reconciler, term, 3);
  }
}

const onDevices = async (pin: string) =>
  ((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data as Array<{ deviceSn: string; state: string; cannotHold: unknown[] }>).reduce<Record<string, { state: string; cannotHold: unknown[] }>>(
    (o, d) => ({ ...o, [d.deviceSn]: { state: d.state, cannotHold: d.cannotHold } }),
    {},
  );

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
  multi = await Device.connect(t, 'MULTICARD01', 1, '10.30.0.1', { registryExtras: { MulCardUserFunOn: 1 } });
  single = await Device.connect(t, 'ONECARD0001', 1, '10.30.0.2', { registryExtras: { MulCardUserFunOn: 0 } });
  fpOnly = await Device.connect(t, 'FPONLY00001', 1, '10.30.0.3', { multiBioDataSupport: '0:1:0:0:0:0:0:0:0:0' });
  term = await initialisedTerminal(t, { sn: 'ATT-SECONDARY' });
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'both' }] })).body.code).toBe(0);
  const doors = [{ levelName: 'both', doorName: '10.30.0.1-1' }, { levelName: 'both', doorName: '10.30.0.2-1' }];
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: doors })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '9301', name: 'Two Cards', cardNo: '9300001', accLevelIds: await levelId(t, 'both') })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['9301'] })).body.code).toBe(0);
  await settle();
});
afterAll(async () => {
  await t?.close();
});

describe('a secondary card set by card/set cardType 1', () => {
  it('is accepted; the view names the panel without multi-card as not holding it, and stays synced everywhere', async () => {
    expect((await t.post('/api/card/set', { pin: '9301', cardNo: '9300002', cardType: '1' })).body).toMatchObject({ code: 0, message: 'success' });
    await settle();
    // What the panels really do: only the multi-card panel opens for it.
    expect(multi.sim.evaluateAccess({ cardno: '9300002', door: 1 })).toMatchObject({ granted: true, pin: '9301' });
    expect(single.sim.evaluateAccess({ cardno: '9300002', door: 1 })).not.toMatchObject({ granted: true });
    expect(single.sim.evaluateAccess({ cardno: '9300001', door: 1 })).toMatchObject({ granted: true, pin: '9301' });
    expect(term.users.get('9301')).toMatchObject({ card: '9300001', viceCard: '9300002' });

    expect(await onDevices('9301')).toEqual({
      MULTICARD01: { state: 'synced', cannotHold: [] },
      ONECARD0001: {
        state: 'synced',
        cannotHold: [{ what: 'secondaryCards', cardNos: ['9300002'], templates: [], reason: expect.stringContaining('MulCardUserFunOn') }],
      },
      'ATT-SECONDARY': { state: 'synced', cannotHold: [] },
    });
  });

  it('a second one: the terminal (one ViceCard) is said not to hold it either; the states stay synced', async () => {
    expect((await t.post('/api/card/set', { pin: '9301', cardNo: '9300003', cardType: '1' })).body).toMatchObject({ code: 0, message: 'success' });
    await settle();
    expect(multi.sim.evaluateAccess({ cardno: '9300003', door: 1 })).toMatchObject({ granted: true, pin: '9301' });
    expect(term.users.get('9301')).toMatchObject({ viceCard: '9300002' });

    expect(await onDevices('9301')).toEqual({
      MULTICARD01: { state: 'synced', cannotHold: [] },
      ONECARD0001: { state: 'synced', cannotHold: [{ what: 'secondaryCards', cardNos: ['9300002', '9300003'], templates: [], reason: expect.any(String) }] },
      'ATT-SECONDARY': { state: 'synced', cannotHold: [{ what: 'secondaryCards', cardNos: ['9300003'], templates: [], reason: expect.stringContaining('9300002') }] },
    });
    // The panels' convergence is not held back by what they cannot take.
    for (const sn of ['MULTICARD01', 'ONECARD0001']) {
      expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ state: 'synced', divergent: false, unconfirmedItems: 0 });
    }
    // The device's own answer names them too, per member: an integrator looking at the panel, not at the person,
    // read nothing of them (cannotHold was in the person's answer only).
    expect((await t.get('/api/gateway/devices/ONECARD0001/convergence')).body.data.cannotHold).toEqual([
      { pin: '9301', name: 'Two Cards', lastName: null, what: 'secondaryCards', cardNos: ['9300002', '9300003'], templates: [], reason: expect.stringContaining('MulCardUserFunOn') },
    ]);
    expect((await t.get('/api/gateway/devices/MULTICARD01/convergence')).body.data.cannotHold).toEqual([]);
  });

  it('the console person view shows the same per device', async () => {
    const c = await signIn(t, 'cards-viewer', await createOperator(t, 'cards-viewer', 'viewer'));
    const body = (await c.call('GET', 'persons/9301')).body;
    const single = body.data.devices.find((d: { deviceSn: string }) => d.deviceSn === 'ONECARD0001');
    expect(single.cannotHold).toEqual([expect.objectContaining({ cardNos: ['9300002', '9300003'] })]);
  });
});

const template = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');

describe('templates of a type a panel does not announce', () => {
  it('a face on a fingerprint-only panel: not sent, named in the person\'s and the device\'s answers, and the states stay synced', async () => {
    expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'faces' }] })).body.code).toBe(0);
    const doors = [{ levelName: 'faces', doorName: '10.30.0.1-1' }, { levelName: 'faces', doorName: '10.30.0.3-1' }];
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: doors })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '9302', name: 'Face', accLevelIds: await levelId(t, 'faces') })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '9302', validType: '1', template: template('9302 f1'), templateNo: '1' })).body.code).toBe(0);
    const face = { personId: '9302', validType: '1', template: template('9302 face'), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' };
    expect((await t.post('/api/bioTemplate/add', face)).body.code).toBe(0);
    await settle();
    // What the panels hold: the fingerprint-only one the finger alone, the other both.
    const slots = (d: Device) => d.sim.table('biodata').filter((r) => String(r.Pin) === '9302').map((r) => `${r.Type}.${r.No}`).sort();
    expect(slots(fpOnly)).toEqual(['1.1']);
    expect(slots(multi)).toEqual(['1.1', '9.0']);

    const faceNotHeld = { what: 'templates', cardNos: [], templates: [{ bioType: 9, templateNo: 0 }], reason: expect.stringContaining('MultiBioDataSupport') };
    expect(await onDevices('9302')).toEqual({ MULTICARD01: { state: 'synced', cannotHold: [] }, FPONLY00001: { state: 'synced', cannotHold: [faceNotHeld] } });
    expect((await t.get('/api/gateway/devices/FPONLY00001/convergence')).body.data).toMatchObject({ state: 'synced', divergent: false, cannotHold: [{ pin: '9302', ...faceNotHeld }] });
    expect((await t.get('/api/gateway/devices/MULTICARD01/convergence')).body.data).toMatchObject({ state: 'synced', cannotHold: [] });
  });
});
