/**
 * An attendance terminal's biometric function switches (attendance manual 8: its options push, `PushOptions=FingerFunOn,
 * FaceFunOn`; FvFunOn, PvFunOn): a terminal whose fingerprint function is off matches no finger, whatever its template
 * table could store, so it is sent none, as an access panel with FingerFunOn=0 is not. The templates it is not sent are
 * named under cannotHold with the switch; an installer turning the function on again at the terminal makes it get them,
 * and turning another off takes that one's templates away. Faults (a lost reply) end with the terminal's tables equal to
 * what the database gives it.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal, AttendanceTerminalOptions } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { biodataLine, pendingOn, nothingPending, templateCommandsRun, settleUntil as settleUntilDone, terminalInOwnArea as inOwnArea, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000 }, (app) => ({ t, reconciler } = app));

const b64 = (x: string) => Buffer.from(x).toString('base64');
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
const terminalInOwnArea = (sn: string, opts: Partial<AttendanceTerminalOptions> = {}): Promise<AttendanceTerminal> => inOwnArea(t, reconciler, sn, opts);
const settleUntil = (term: AttendanceTerminal, done: () => boolean): Promise<void> => settleUntilDone(reconciler, term, done);

/** The templates a terminal holds for a pin: `table type.no` (FINGERTMP/FACE: `table FID`), sorted. */
const heldOn = (term: AttendanceTerminal, pin: string) =>
  term
    .templatesOf(pin)
    .map((x) => (x.table === 'BIODATA' ? `BIODATA ${x.fields.Type}.${x.fields.No}` : `${x.table} ${x.fields.FID ?? ''}`))
    .sort();

const finger = (pin: string, no: string) => ({ personId: pin, validType: '1', template: b64(`finger ${no} of ${pin}`), templateNo: no, version: '10' });
const face = (pin: string, bioType: string) => ({ personId: pin, validType: '1', template: b64(`face ${bioType} of ${pin}`), templateNo: '0', templateNoIndex: '0', bioType, version: '5' });

/** The template commands a terminal ran with Return=0 since `from`, each once, in order. */
const templatesRunOnce = (term: AttendanceTerminal, from: number) => [...new Set(templateCommandsRun(term, from))];

describe('a BIODATA terminal whose fingerprint function is off', () => {
  it('gets its faces only, through a lost reply; turned on again it gets the fingers, and a face switched off is taken away', async () => {
    const sn = 'ATT-FUN-BIO';
    const pin = '9601';
    const term = await terminalInOwnArea(sn, { multiBioDataSupport: '0:1:0:0:0:0:0:0:0:1', functionSwitches: { FingerFunOn: '0' } });
    expect((await t.post('/api/person/add', { pin, name: 'Nadia' })).body.code).toBe(0);
    for (const body of [finger(pin, '1'), finger(pin, '6'), face(pin, '9')]) expect((await t.post('/api/bioTemplate/add', body)).body.code).toBe(0);
    term.loseNextReply();
    const from = term.executed.length;
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
    await settleUntil(term, () => heldOn(term, pin).length > 0);

    const f1 = b64(`finger 1 of ${pin}`);
    const f6 = b64(`finger 6 of ${pin}`);
    const v9 = b64(`face 9 of ${pin}`);
    expect(heldOn(term, pin)).toEqual(['BIODATA 9.0']);
    expect(templatesRunOnce(term, from)).toEqual([biodataLine(pin, 0, 9, 5, v9)]);
    // No finger was ever sent, not even to be stored unused.
    expect(term.executed.filter((e) => e.command.includes('\tType=1\t'))).toEqual([]);
    expect(await pendingOn(t, sn)).toEqual(nothingPending);
    const c = await convergence(sn);
    expect(c).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    expect(c.cannotHold).toEqual([
      expect.objectContaining({
        what: 'templates',
        templates: [
          { bioType: 1, templateNo: 1 },
          { bioType: 1, templateNo: 6 },
        ],
        reason: expect.stringContaining('its options switch off FingerFunOn=0 (type 1 (fingerprint))'),
      }),
    ]);

    // The installer turns the fingerprint function on at the terminal; its options push says so (the reply lost once).
    term.switchFunctions({ FingerFunOn: '1' });
    const on = term.executed.length;
    term.loseNextReply();
    expect(await term.init()).toBe(true);
    await settleUntil(term, () => heldOn(term, pin).length === 3);
    expect(heldOn(term, pin)).toEqual(['BIODATA 1.1', 'BIODATA 1.6', 'BIODATA 9.0']);
    expect(templatesRunOnce(term, on).sort()).toEqual([biodataLine(pin, 1, 1, 10, f1), biodataLine(pin, 6, 1, 10, f6)].sort());
    expect(await pendingOn(t, sn)).toEqual(nothingPending);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0, cannotHold: [] });

    // Then the face function off: the face it holds and no longer matches is deleted by its slot, the fingers stay.
    term.switchFunctions({ FaceFunOn: '0' });
    const off = term.executed.length;
    expect(await term.init()).toBe(true);
    await settleUntil(term, () => heldOn(term, pin).length === 2);
    expect(heldOn(term, pin)).toEqual(['BIODATA 1.1', 'BIODATA 1.6']);
    expect(templatesRunOnce(term, off)).toEqual([`DATA DELETE BIODATA Pin=${pin}\tType=9\tNo=0`]);
    expect(await pendingOn(t, sn)).toEqual(nothingPending);
    const after = await convergence(sn);
    expect(after).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    expect(after.cannotHold).toEqual([
      expect.objectContaining({ templates: [{ bioType: 9, templateNo: 0 }], reason: expect.stringContaining('its options switch off FaceFunOn=0 (type 2 (nirFace), 9 (visibleFace))') }),
    ]);
  });
});

describe('a terminal of the separate FINGERTMP / FACE tables whose face function is off', () => {
  it('gets its fingers as FINGERTMP and no FACE', async () => {
    const sn = 'ATT-FUN-OLD';
    const pin = '9611';
    const term = await terminalInOwnArea(sn, { pushver: '2.2.14', biodataFirmware: false, functionSwitches: { FaceFunOn: '0' } });
    expect((await t.post('/api/person/add', { pin, name: 'Oskar' })).body.code).toBe(0);
    for (const body of [finger(pin, '1'), face(pin, '2')]) expect((await t.post('/api/bioTemplate/add', body)).body.code).toBe(0);
    const from = term.executed.length;
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
    await settleUntil(term, () => heldOn(term, pin).length > 0);

    const f1 = b64(`finger 1 of ${pin}`);
    expect(heldOn(term, pin)).toEqual(['FINGERTMP 1']);
    expect(templatesRunOnce(term, from)).toEqual([`DATA UPDATE FINGERTMP PIN=${pin}\tFID=1\tSize=${f1.length}\tValid=1\tTMP=${f1}`]);
    expect(term.executed.filter((e) => e.command.startsWith('DATA UPDATE FACE'))).toEqual([]);
    expect(await pendingOn(t, sn)).toEqual(nothingPending);
    const c = await convergence(sn);
    expect(c).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    expect(c.cannotHold).toEqual([expect.objectContaining({ templates: [{ bioType: 2, templateNo: 0 }], reason: expect.stringContaining('FaceFunOn=0') })]);
  });
});
