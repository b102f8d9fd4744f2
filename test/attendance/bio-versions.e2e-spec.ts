/**
 * Which template versions an attendance terminal is sent: only those of the algorithm it declares per type
 * (attendance manual 3.1 and Appendix 18: MultiBioVersion; on firmware of the separate FINGERTMP/FACE tables its
 * FPVersion / FaceVersion and INFO algorithm fields, and FINGERTMP's ceiling of algorithm 10.0, 12.1.1.3). A template
 * of another version is never sent, is named under cannotHold, and holds nothing pending; a terminal that registers
 * again declaring other versions gets what it can now take, and loses what it no longer can. Faults (a lost reply, a
 * -1002 refusal) end with the terminal's tables equal to what the database gives it.
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

/** The templates a terminal holds for a pin: `table type.no@version`, sorted (FINGERTMP/FACE carry no version). */
const heldOn = (term: AttendanceTerminal, pin: string) =>
  term
    .templatesOf(pin)
    .map((x) => (x.table === 'BIODATA' ? `BIODATA ${x.fields.Type}.${x.fields.No}@${x.fields.MajorVer}` : `${x.table} ${x.fields.FID ?? ''}`))
    .sort();

const finger = (pin: string, no: string, version: string) => ({ personId: pin, validType: '1', template: b64(`finger ${no} v${version} of ${pin}`), templateNo: no, version });
const face = (pin: string, bioType: string, version: string) => ({ personId: pin, validType: '1', template: b64(`face ${bioType} v${version} of ${pin}`), templateNo: '0', templateNoIndex: '0', bioType, version });

describe('a BIODATA terminal declaring MultiBioVersion', () => {
  it('gets only the fingers and faces of its algorithms, through a lost reply and a -1002; registering with a new fingerprint algorithm, it converges', async () => {
    const sn = 'ATT-BV-MBV';
    const pin = '9501';
    const term = await terminalInOwnArea(sn, { multiBioDataSupport: '0:1:0:0:0:0:0:0:0:1', multiBioVersion: '0:10:0:0:0:0:0:0:0:5' });
    expect((await t.post('/api/person/add', { pin, name: 'Vera' })).body.code).toBe(0);
    for (const body of [finger(pin, '1', '10'), finger(pin, '2', '12'), face(pin, '9', '5')]) {
      expect((await t.post('/api/bioTemplate/add', body)).body.code).toBe(0);
    }
    // Faults on the way: the reply carrying the first commands is lost, the face is refused once.
    term.loseNextReply();
    term.failCommands((c) => c.startsWith('DATA UPDATE BIODATA') && c.includes('\tType=9\t'), -1002, 1);
    const from = term.executed.length;
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
    await settleUntil(term, () => heldOn(term, pin).length === 2 && term.executed.some((e) => e.returnCode === 0 && e.command.includes('\tType=9\t')));

    expect(heldOn(term, pin)).toEqual(['BIODATA 1.1@10', 'BIODATA 9.0@5']);
    const f1 = b64(`finger 1 v10 of ${pin}`);
    const f2 = b64(`finger 2 v12 of ${pin}`);
    const v5 = b64(`face 9 v5 of ${pin}`);
    // The set is cleared before it is sent again after the refusal (what the terminal holds of it was not confirmed).
    expect([...new Set(templateCommandsRun(term, from))].sort()).toEqual([`DATA DELETE BIODATA Pin=${pin}`, biodataLine(pin, 1, 1, 10, f1), biodataLine(pin, 0, 9, 5, v5)].sort());
    // The finger of algorithm 12 was never sent, not even to be refused.
    expect(term.executed.filter((e) => e.command.includes('MajorVer=12'))).toEqual([]);
    expect(await pendingOn(t, sn)).toEqual(nothingPending);
    const c = await convergence(sn);
    expect(c).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    expect(c.cannotHold).toEqual([
      expect.objectContaining({ what: 'templates', templates: [{ bioType: 1, templateNo: 2 }], reason: expect.stringContaining('1 (fingerprint) of algorithm 10 only') }),
    ]);

    // New firmware: fingerprint algorithm 12. It registers again declaring it; its reply is lost once more.
    term.announceBioVersions('0:12:0:0:0:0:0:0:0:5');
    const again = term.executed.length;
    term.loseNextReply();
    expect(await term.init()).toBe(true);
    await settleUntil(term, () => heldOn(term, pin).join() === 'BIODATA 1.2@12,BIODATA 9.0@5');

    expect(heldOn(term, pin)).toEqual(['BIODATA 1.2@12', 'BIODATA 9.0@5']);
    // The finger it can no longer match is deleted by its slot, the new one sent; the face, still its algorithm's, stays.
    expect([...new Set(templateCommandsRun(term, again))]).toEqual([`DATA DELETE BIODATA Pin=${pin}\tType=1\tNo=1`, biodataLine(pin, 2, 1, 12, f2)]);
    expect(await pendingOn(t, sn)).toEqual(nothingPending);
    const after = await convergence(sn);
    expect(after).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    expect(after.cannotHold.map((x: { templates: unknown }) => x.templates)).toEqual([[{ bioType: 1, templateNo: 1 }]]);
  });
});

describe('a terminal of the separate FINGERTMP / FACE tables', () => {
  it('gets fingers of algorithm 10 as FINGERTMP and the face of its INFO face algorithm as FACE, nothing else', async () => {
    const sn = 'ATT-BV-OLD';
    const pin = '9511';
    const term = await terminalInOwnArea(sn, { pushver: '2.2.14', biodataFirmware: false });
    expect((await t.post('/api/person/add', { pin, name: 'Olaf' })).body.code).toBe(0);
    for (const body of [finger(pin, '1', '10'), finger(pin, '2', '12'), face(pin, '2', '7')]) expect((await t.post('/api/bioTemplate/add', body)).body.code).toBe(0);
    term.failCommands((c) => c.startsWith('DATA UPDATE FACE'), -1002, 1);
    const from = term.executed.length;
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
    await settleUntil(term, () => heldOn(term, pin).length === 2);

    expect(heldOn(term, pin)).toEqual(['FACE 0', 'FINGERTMP 1']);
    const f1 = b64(`finger 1 v10 of ${pin}`);
    const nir = b64(`face 2 v7 of ${pin}`);
    // After the refusal the set is cleared (by table, manual 12.1.2.2-3) and sent again whole.
    expect([...new Set(templateCommandsRun(term, from))]).toEqual([
      `DATA UPDATE FINGERTMP PIN=${pin}\tFID=1\tSize=${f1.length}\tValid=1\tTMP=${f1}`,
      `DATA DELETE FINGERTMP PIN=${pin}`,
      `DATA DELETE FACE PIN=${pin}`,
      `DATA UPDATE FACE PIN=${pin}\tFID=0\tValid=1\tSize=${nir.length}\tTMP=${nir}`,
    ]);
    expect(term.executed.filter((e) => e.command.includes(b64(`finger 2 v12 of ${pin}`)))).toEqual([]);
    expect(await pendingOn(t, sn)).toEqual(nothingPending);
    const c = await convergence(sn);
    expect(c).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    expect(c.cannotHold.map((x: { templates: unknown }) => x.templates)).toEqual([[{ bioType: 1, templateNo: 2 }]]);
  });
});
