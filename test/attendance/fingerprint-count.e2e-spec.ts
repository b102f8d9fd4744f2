/**
 * A terminal that loses fingerprints the gateway believes it holds (deleted at its menu, a partial wipe, a fingerprint
 * module swapped) while its users stay: its INFO fingerprint count (manual 9, value 3) falls below the fingerprints it
 * confirmed, judged at the moments its user count is (a boot, the periodic verification) with nothing of ours in
 * flight. Where that count was once exact, the fingers of its template sets are sent again, nothing else, and the count
 * agrees after them. Firmware that reports 0 whatever it holds is never sent anything on its count, and a terminal that
 * answers the fingers and keeps none of them is sent them once, not at every count.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { SyncVerifier } from '../../src/sync/sync-verifier.service';
import { settingsOf, sleep } from '../push/push-helpers';
import type { AttendanceTerminal, AttendanceTerminalOptions } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { heldBiometrics, initialisedTerminal, nothingPending, pendingOn, settleTerminal, useAttendanceApp, wantedBiometrics } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000 }, (app) => ({ t, reconciler } = app));

const ok = async (r: Promise<{ body: { code: number; message?: string } }>) => expect((await r).body).toMatchObject({ code: 0 });
const b64 = (text: string) => Buffer.from(text).toString('base64');

/**
 * A terminal in its own area holding `pins[0]` with fingers 1 and 2 and a three-Index visible-light face, and `pins[1]`
 * with finger 1 (REST): three fingerprints confirmed.
 */
async function terminalWithFingers(sn: string, pins: [string, string], opts: Partial<AttendanceTerminalOptions> = {}): Promise<AttendanceTerminal> {
  await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
  const term = await initialisedTerminal(t, { sn, ...opts });
  await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
  for (const pin of pins) await ok(t.post('/api/person/add', { pin, name: `P${pin}` }));
  await ok(t.post('/api/attAreaPerson/set', { code: sn, pins }));
  for (const no of ['1', '2']) await ok(t.post('/api/bioTemplate/add', { personId: pins[0], validType: '1', template: b64(`finger ${no} of ${pins[0]}`), templateNo: no }));
  for (const index of [0, 1, 2]) {
    await ok(t.post('/api/bioTemplate/add', { personId: pins[0], validType: '1', template: b64(`face ${index} of ${pins[0]}`), templateNo: '0', bioType: '9', templateNoIndex: String(index), version: '5' }));
  }
  await ok(t.post('/api/bioTemplate/add', { personId: pins[1], validType: '1', template: b64(`finger 1 of ${pins[1]}`), templateNo: '1' }));
  await settleTerminal(reconciler, term);
  expect(heldBiometrics(term)).toEqual(await wanted(sn));
  return term;
}

const wanted = async (code: string) => (await wantedBiometrics(t, [code]))[0];
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
const terminalRow = async (sn: string) =>
  (await t.ds.query(`SELECT a.count_due, a.fp_count_trusted, a.fp_resent FROM att_terminal a JOIN device d ON d.id = a.device_id WHERE d.sn = $1`, [sn]))[0];

/** A boot (its initialisation owes a user count), then polls carrying INFO, whose counts are judged, and settling. */
async function bootAndCount(term: AttendanceTerminal): Promise<void> {
  expect(await term.init()).toBe(true);
  await countAgain(term);
}

/** A poll carrying INFO, reconciler passes and polls until the terminal gets nothing more; twice. */
async function countAgain(term: AttendanceTerminal): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await term.poll(true);
    await settleTerminal(reconciler, term);
  }
}

const firstWords = (term: AttendanceTerminal, from: number) => term.executed.slice(from).map((e) => e.command.split('\t')[0]);
const isFinger = (command: string) => command.startsWith('DATA UPDATE BIODATA') && command.includes('\tType=1\t');

describe('fingerprints lost at a terminal whose fingerprint count was once exact', () => {
  it('are sent again at its next counted boot, fingers only; the count then agrees, and nothing more is sent', async () => {
    const sn = 'ATT-FPC-LOST';
    const term = await terminalWithFingers(sn, ['7501', '7502']);
    // A boot whose INFO reports the three fingerprints it confirmed: its count is believed from now on.
    await bootAndCount(term);

    // Fingers deleted at its menu: its users and the face stay, so its user count says nothing.
    expect(term.deleteFingerprintsLocally('7501')).toBe(2);
    const from = term.executed.length;
    await bootAndCount(term);
    expect(heldBiometrics(term)).toEqual(await wanted(sn));
    // Which fingers went no count tells: every confirmed finger is sent again, and nothing but fingers.
    expect(firstWords(term, from).sort()).toEqual(['DATA UPDATE BIODATA Pin=7501', 'DATA UPDATE BIODATA Pin=7501', 'DATA UPDATE BIODATA Pin=7502']);
    expect(term.executed.slice(from).every((e) => isFinger(e.command) && e.returnCode === 0)).toBe(true);
    // The count owed once they landed agreed: nothing owed, the count still believed.
    expect(await terminalRow(sn)).toEqual({ count_due: false, fp_count_trusted: true, fp_resent: false });
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });

    // Counted again: no loop.
    const after = term.executed.length;
    await bootAndCount(term);
    expect(firstWords(term, after)).toEqual([]);
  });

  it('a terminal that answers the fingers and keeps none of them is sent them once, then its count is no longer believed', async () => {
    const sn = 'ATT-FPC-SILENT';
    const term = await terminalWithFingers(sn, ['7511', '7512']);
    await bootAndCount(term);

    // A swapped fingerprint module: every finger gone, and fingers written to it answered 0 and not kept.
    expect(term.deleteFingerprintsLocally()).toBe(3);
    term.failCommands(isFinger, 0, 'always');
    const from = term.executed.length;
    await bootAndCount(term);
    await countAgain(term);
    expect(firstWords(term, from)).toHaveLength(3);
    expect(term.executed.slice(from).every((e) => isFinger(e.command))).toBe(true);
    expect(await terminalRow(sn)).toEqual({ count_due: false, fp_count_trusted: false, fp_resent: false });

    // Further counts short as ever: nothing sent again.
    const after = term.executed.length;
    await bootAndCount(term);
    await bootAndCount(term);
    expect(firstWords(term, after)).toEqual([]);
    expect(await terminalRow(sn)).toEqual({ count_due: false, fp_count_trusted: false, fp_resent: false });
  });
});

describe('a factory reset between the fingers sent again and their recount', () => {
  // The reset's full sync sends every finger again: it answers the re-send. Left owed (fp_resent), the next short count,
  // fingers lost at its menu after the full sync, was taken for the re-send's recount: the count no longer believed and
  // nothing sent, the terminal left without the fingers.
  it('answers the re-send: fingers lost at its menu afterwards are sent again at the next counted boot', async () => {
    const sn = 'ATT-FPC-RESET';
    const pins: [string, string] = ['7551', '7552'];
    const term = await terminalWithFingers(sn, pins);
    await bootAndCount(term);

    // A short count: the fingers are sent again in the reply of the poll that reported it, their recount owed.
    expect(term.deleteFingerprintsLocally('7551')).toBe(2);
    expect(await term.init()).toBe(true);
    await term.poll(true);
    expect(heldBiometrics(term)).toEqual(await wanted(sn));
    expect(await terminalRow(sn)).toEqual({ count_due: true, fp_count_trusted: true, fp_resent: true });

    // Reset before that recount: its count of 0 users is a reset, everything is sent again.
    expect(await term.factoryReset()).toBe(true);
    await countAgain(term);
    expect([...term.users.keys()].sort()).toEqual(pins);
    expect(heldBiometrics(term)).toEqual(await wanted(sn));

    // Fingers lost at its menu afterwards: a count short once, so they are sent again.
    expect(term.deleteFingerprintsLocally('7552')).toBe(1);
    const from = term.executed.length;
    await bootAndCount(term);
    expect(firstWords(term, from).sort()).toEqual(['DATA UPDATE BIODATA Pin=7551', 'DATA UPDATE BIODATA Pin=7551', 'DATA UPDATE BIODATA Pin=7552']);
    expect(heldBiometrics(term)).toEqual(await wanted(sn));
    expect([...term.users.keys()].sort()).toEqual(pins);
    expect(await terminalRow(sn)).toEqual({ count_due: false, fp_count_trusted: true, fp_resent: false });
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    expect(await pendingOn(t, sn)).toEqual(nothingPending);
  });
});

describe('older firmware (FINGERTMP, no BIODATA) that lost fingers at its menu', () => {
  it('gets the fingers again as FINGERTMP at its next counted boot', async () => {
    const sn = 'ATT-FPC-FTMP';
    const pins = ['7541', '7542'];
    await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
    const term = await initialisedTerminal(t, { sn, pushver: '2.2.14', biodataFirmware: false });
    await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
    for (const pin of pins) await ok(t.post('/api/person/add', { pin, name: `P${pin}` }));
    await ok(t.post('/api/attAreaPerson/set', { code: sn, pins }));
    for (const [pin, no] of [['7541', '1'], ['7541', '2'], ['7542', '1']]) {
      await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger ${no} of ${pin}`), templateNo: no }));
    }
    await settleTerminal(reconciler, term);
    const fingers = () => term.templates.map((x) => `${x.table} ${x.pin}.${x.fields.FID}=${x.fields.TMP ?? x.fields.Tmp}`).sort();
    const held = fingers();
    expect(held).toHaveLength(3);
    await bootAndCount(term);
    expect(term.deleteFingerprintsLocally('7542')).toBe(1);
    const from = term.executed.length;
    await bootAndCount(term);
    expect(fingers()).toEqual(held);
    expect(firstWords(term, from).sort()).toEqual(['DATA UPDATE FINGERTMP PIN=7541', 'DATA UPDATE FINGERTMP PIN=7541', 'DATA UPDATE FINGERTMP PIN=7542']);
    expect(await terminalRow(sn)).toEqual({ count_due: false, fp_count_trusted: true, fp_resent: false });
  });
});

describe('a terminal whose fingerprint count is 0 whatever it holds', () => {
  it('is never sent its fingers on its count, held or lost', async () => {
    const sn = 'ATT-FPC-ZERO';
    const term = await terminalWithFingers(sn, ['7521', '7522'], { fingerprintCountZero: true });
    const from = term.executed.length;
    await bootAndCount(term);
    await bootAndCount(term);
    expect(firstWords(term, from)).toEqual([]);
    // Nothing tells the gateway they went: they stay believed held (a full sync, or the operator's, restores them).
    expect(term.deleteFingerprintsLocally('7521')).toBe(2);
    await bootAndCount(term);
    expect(firstWords(term, from)).toEqual([]);
    expect(await terminalRow(sn)).toEqual({ count_due: false, fp_count_trusted: false, fp_resent: false });
  });
});

describe('a terminal that stays connected and reports no INFO on its polls', () => {
  it("the periodic verification's INFO command: the FPCount of its result is judged, the lost fingers come back", async () => {
    // Asked by the INFO command once it polled without INFO for a poll interval (RequestDelay, here none).
    Object.assign(settingsOf(t), { requestDelay: 0 });
    const sn = 'ATT-FPC-NOINFO';
    const term = await terminalWithFingers(sn, ['7531', '7532']);
    const verifier = t.app.get(SyncVerifier);
    /** The periodic verification due (as if its interval had passed): the terminal's count is owed. */
    const ask = async () => {
      await t.ds.query(`UPDATE sync_verify SET asked_at = now() - interval '30 days' WHERE device_id = (SELECT id FROM device WHERE sn = $1)`, [sn]);
      await t.ds.query(`UPDATE device SET registered_at = NULL, last_seen_at = now() WHERE sn = $1`, [sn]);
      await verifier.askDue();
    };
    /** Polls without INFO a poll interval apart, until nothing is owed or sent (the INFO command's result judged). */
    const polls = async () => {
      for (let i = 0; i < 6; i++) {
        await term.poll();
        await sleep(20);
        await term.poll();
        await settleTerminal(reconciler, term);
        if (!(await terminalRow(sn)).count_due) return;
      }
    };
    await ask();
    await polls();
    expect(term.deleteFingerprintsLocally('7531')).toBe(2);
    const from = term.executed.length;
    await ask();
    await polls();
    expect(heldBiometrics(term)).toEqual(await wanted(sn));
    expect(term.executed.slice(from).filter((e) => e.command !== 'INFO').map((e) => e.command.split('\t')[0]).sort()).toEqual([
      'DATA UPDATE BIODATA Pin=7531',
      'DATA UPDATE BIODATA Pin=7531',
      'DATA UPDATE BIODATA Pin=7532',
    ]);
    expect(await terminalRow(sn)).toEqual({ count_due: false, fp_count_trusted: true, fp_resent: false });
    // Three counts, each by the INFO command: the one that trusted it, the short one, and the one after the fingers.
    expect(term.executed.filter((e) => e.command === 'INFO')).toHaveLength(3);
  });
});
