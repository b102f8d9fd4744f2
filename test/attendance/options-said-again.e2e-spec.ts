/**
 * A terminal's options said again after other options: the same SN taken over by a fingerprint-only unit and then by
 * a face terminal again (or firmware flashed and flashed back), each pushing its options at its initialisation. The
 * third push is byte for byte the first, and was taken as a re-sent upload: nothing stored, so the finger-only unit's
 * MultiBioDataSupport stayed its latest word. The face terminal was sent no face, the face listed under cannotHold
 * ("type 1 (fingerprint) only"), and the convergence answer said synced while the terminal lacked the face the
 * database gives. Likewise an older unit (no BioData in its options) back after a BIODATA terminal: it was taken for the
 * BIODATA one and sent nothing, and lacked its finger. Options said again are its latest word: each terminal ends
 * holding what the database says, in its own table.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, nothingPending, pendingOn, settleTerminal, useAttendanceApp, wantedBiometrics } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (a) => ({ t, reconciler } = a));

const SN = 'ATT-OPT-AGAIN';
const b64 = (s: string) => Buffer.from(s.padEnd(24, '.')).toString('base64');
const convergence = async () => (await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data;
const held = (term: AttendanceTerminal) =>
  Object.fromEntries([...term.users.keys()].map((pin) => [pin, term.templatesOf(pin).map((x) => `${x.fields.Type}.${x.fields.No}.${x.fields.Index}=${x.fields.Tmp}`).sort().join(' ')]));
const wanted = async () =>
  Object.fromEntries(Object.entries((await wantedBiometrics(t, ['OPTA']))[0]).map(([pin, v]) => [pin, v.split(' | ')[0].split(' ').filter(Boolean).sort().join(' ')]));

/** Another unit under the SN, holding the users and templates of `from` that it can hold (of `types`). */
async function takeOver(from: AttendanceTerminal, types: string[], opts: { multiBioDataSupport?: string }): Promise<AttendanceTerminal> {
  const next = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: SN, ...opts });
  for (const [pin, u] of from.users) next.users.set(pin, u);
  for (const x of from.templates) if (types.includes(x.fields.Type)) next.templates.push(x);
  expect(await next.init()).toBe(true);
  await next.poll(true);
  await settleTerminal(reconciler, next);
  return next;
}

describe('a terminal whose options are said again after other options', () => {
  it('a face terminal, then a fingerprint-only unit, then the face terminal again: it gets the face back', async () => {
    expect((await t.post('/api/gateway/areas', { code: 'OPTA', name: 'OPTA' })).body.code).toBe(0);
    const first = await initialisedTerminal(t, { sn: SN });
    expect((await t.put(`/api/gateway/devices/${SN}/area`, { areaCode: 'OPTA' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '47001', name: 'Opt' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '47001', validType: '1', template: b64('finger'), templateNo: '5' })).body.code).toBe(0);
    const face = { personId: '47001', validType: '1', template: b64('face'), templateNo: '0', bioType: '9', templateNoIndex: '0', version: '5' };
    expect((await t.post('/api/bioTemplate/add', face)).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: 'OPTA', pins: ['47001'] })).body.code).toBe(0);
    await settleTerminal(reconciler, first);
    expect(held(first)).toEqual(await wanted());

    // A fingerprint-only unit: the face is what it cannot hold, and it loses the one it was believed to hold.
    const fingerOnly = await takeOver(first, ['1'], { multiBioDataSupport: '0:1:0:0:0:0:0:0:0:0' });
    expect((await convergence()).cannotHold.map((c: { templates: unknown }) => c.templates)).toEqual([[{ bioType: 9, templateNo: 0 }]]);
    expect(Object.values(held(fingerOnly))[0]).not.toContain('9.');

    // The face terminal again, its options the very body it pushed first.
    const again = await takeOver(fingerOnly, ['1'], {});
    // Its next poll's INFO gives the user count its initialisation owes.
    await again.poll(true);
    await settleTerminal(reconciler, again);
    const c = await convergence();
    expect(c.cannotHold).toEqual([]);
    expect(held(again)).toEqual(await wanted());
    expect(c).toMatchObject({ state: 'synced', divergent: false });
    expect(await pendingOn(t, SN)).toEqual(nothingPending);
  });

  it('an older unit (FINGERTMP), then a BIODATA terminal, then the older unit again: it gets FINGERTMP again', async () => {
    const sn = 'ATT-OPT-OLDER';
    expect((await t.post('/api/gateway/areas', { code: 'OPTB', name: 'OPTB' })).body.code).toBe(0);
    const older = { pushver: '2.2.14', biodataFirmware: false } as const;
    const first = await initialisedTerminal(t, { sn, ...older });
    expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: 'OPTB' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '47011', name: 'Old' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '47011', validType: '1', template: b64('finger old'), templateNo: '3' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: 'OPTB', pins: ['47011'] })).body.code).toBe(0);
    await settleTerminal(reconciler, first);
    expect(first.templatesOf('47011').map((x) => x.table)).toEqual(['FINGERTMP']);
    const unit = async (opts: object) => {
      // Another unit under the SN, holding the users only (its template table is another one).
      const next = new AttendanceTerminal({ baseUrl: t.baseUrl, sn, ...opts });
      for (const [pin, u] of first.users) next.users.set(pin, u);
      expect(await next.init()).toBe(true);
      await next.poll(true);
      await settleTerminal(reconciler, next);
      return next;
    };
    expect((await unit({})).templatesOf('47011').map((x) => x.table)).toEqual(['BIODATA']);
    const again = await unit(older);
    expect(again.templatesOf('47011').map((x) => [x.table, x.fields.FID, x.fields.TMP])).toEqual([['FINGERTMP', '3', b64('finger old')]]);
  });
});
