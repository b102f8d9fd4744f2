/**
 * The template form a terminal is sent, chosen by what its firmware takes, with the simulator refusing BIODATA as a
 * terminal without unified templates does (-1004, no fault injected): a terminal announcing pushver 2.4.1 whose
 * firmware keeps fingerprints in FINGERTMP (algorithm 10.0, no BioDataFun nor MultiBioDataSupport in its options) ends
 * with every finger the database holds in FINGERTMP, and a finger deleted through REST goes from it too; a BIODATA
 * terminal gets nothing of a type its MultiBioDataSupport leaves out.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal, AttendanceTerminalOptions } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { settleUntil as settleUntilDone, terminalInOwnArea as inOwnArea, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000 }, (app) => ({ t, reconciler } = app));

const b64 = (x: string) => Buffer.from(x).toString('base64');
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;

const terminalInOwnArea = (sn: string, opts: Partial<AttendanceTerminalOptions> = {}): Promise<AttendanceTerminal> => inOwnArea(t, reconciler, sn, opts);
const settleUntil = (term: AttendanceTerminal, done: () => boolean): Promise<void> => settleUntilDone(reconciler, term, done);

/** The fingers a terminal holds, as `FID=TMP` of its FINGERTMP table or `No=Tmp` of its BIODATA Type 1, sorted. */
const fingersOn = (term: AttendanceTerminal, pin: string, table: 'FINGERTMP' | 'BIODATA') =>
  term
    .templatesOf(pin)
    .filter((x) => x.table === table)
    .map((x) => (table === 'FINGERTMP' ? `${x.fields.FID}=${x.fields.TMP}` : `${x.fields.No}=${x.fields.Tmp}`))
    .sort();

/** The fingers the database holds for a pin, as `No=template`, sorted. */
const storedFingers = async (pin: string): Promise<string[]> =>
  (
    await t.ds.query(
      `SELECT b.template_no, b.template FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = $1 AND b.bio_type = 1 ORDER BY b.template_no`,
      [pin],
    )
  )
    .map((r: { template_no: number; template: string }) => `${r.template_no}=${r.template}`)
    .sort();

describe('a terminal announcing pushver 2.4.1 on FINGERTMP firmware (no BIODATA table: it answers -1004)', () => {
  it('ends with the database fingers in FINGERTMP, a finger deleted through REST gone from it, and is confirmed', async () => {
    const sn = 'ATT-BF-FP10';
    const pin = '9301';
    const term = await terminalInOwnArea(sn, { biodataFirmware: false });
    expect((await t.post('/api/person/add', { pin, name: 'Ada' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
    for (const no of ['2', '5']) expect((await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger ${no} of ${pin}`), templateNo: no })).body.code).toBe(0);
    await settleUntil(term, () => fingersOn(term, pin, 'FINGERTMP').length === 2);

    expect(term.templatesOf(pin).filter((x) => x.table !== 'FINGERTMP')).toEqual([]);
    expect(fingersOn(term, pin, 'FINGERTMP')).toEqual(await storedFingers(pin));
    // What it refused it was sent no more than the refusal took.
    const biodata = term.executed.filter((e) => e.command.startsWith('DATA UPDATE BIODATA'));
    expect(biodata.every((e) => e.returnCode === -1004)).toBe(true);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });

    // A finger deleted through REST: deleted as FINGERTMP (BIODATA's delete would be refused and the finger kept).
    expect((await t.delete(`/api/bioTemplate/delete/${pin}/2`)).body.code).toBe(0);
    await settleUntil(term, () => fingersOn(term, pin, 'FINGERTMP').length === 1);
    expect(await storedFingers(pin)).toEqual([`5=${b64(`finger 5 of ${pin}`)}`]);
    expect(fingersOn(term, pin, 'FINGERTMP')).toEqual(await storedFingers(pin));
    expect(term.executed.filter((e) => e.command.startsWith('DATA DELETE BIODATA') && e.returnCode !== 0)).toEqual([]);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    expect(term.executed.filter((e) => e.command.startsWith('DATA UPDATE BIODATA'))).toHaveLength(biodata.length);
  });
});

describe('a BIODATA terminal whose MultiBioDataSupport announces fingerprints alone', () => {
  it('gets the finger and not the visible-light face the database also holds, refuses nothing, and is confirmed', async () => {
    const sn = 'ATT-BF-FPONLY';
    const pin = '9311';
    const term = await terminalInOwnArea(sn, { multiBioDataSupport: '0:1:0:0:0:0:0:0:0:0' });
    expect((await t.post('/api/person/add', { pin, name: 'Bo' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger 1 of ${pin}`), templateNo: '1' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`face of ${pin}`), templateNo: '0', bioType: '9', templateNoIndex: '0', version: '5' })).body.code).toBe(0);
    await settleUntil(term, () => fingersOn(term, pin, 'BIODATA').length === 1);

    expect(term.templatesOf(pin).map((x) => [x.table, x.fields.Type, x.fields.No])).toEqual([['BIODATA', '1', '1']]);
    expect(fingersOn(term, pin, 'BIODATA')).toEqual(await storedFingers(pin));
    expect(term.executed.filter((e) => e.returnCode !== 0)).toEqual([]);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });
});
