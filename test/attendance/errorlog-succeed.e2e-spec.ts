/**
 * An error log that says a command succeeded (Attendance PUSH 11.16 ERRORLOG with ErrCode=00000000, appendix 9
 * "Succeed"; Security PUSH 7.12 / Appendix 17 "Successful"): the code list's one code that is no error. The command
 * it names stays done and what it sent stays held: nothing is sent again, the person stays synced.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { PHOTO } from '../sync/access-helpers';
import type { AttendanceTerminal, AttendanceTerminalOptions, ExecutedCommand } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { runTerminalUntil, terminalInOwnArea as inOwnArea, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
// A first backoff of 1.5 s: a photo failed by mistake would be sent again within the watch below.
useAttendanceApp({ syncRetryBaseMs: 1500, syncRetryMaxMs: 3000, syncGiveUpFailures: 3 }, (app) => ({ t, reconciler } = app));

const V5L: Partial<AttendanceTerminalOptions> = { multiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:1' };
const SUCCEED = '00000000';

async function personWithPhotoOn(sn: string, pin: string): Promise<void> {
  expect((await t.post('/api/person/add', { pin, name: `P${pin}`, personPhoto: PHOTO })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
}

const runUntil = (term: AttendanceTerminal, until: () => boolean, ms?: number) => runTerminalUntil(reconciler, term, until, ms);

const sentTo = (term: AttendanceTerminal, pin: string): ExecutedCommand[] => term.executed.filter((d) => d.command.startsWith(`DATA UPDATE BIOPHOTO PIN=${pin}\t`));
const personOn = async (pin: string) => (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data;
const commandOf = async (attemptId: string) =>
  (await t.ds.query(`SELECT c.state, c.error FROM device_command c JOIN device_command_attempt a ON a.command_id = c.id WHERE a.attempt_id = $1`, [attemptId]))[0];

describe('an ERRORLOG whose ErrCode is 00000000 (Succeed)', () => {
  it('after the Return: the photo stays held, is not sent again, the person stays synced', async () => {
    const sn = 'ATT-ERRLOG-OK';
    const term = await inOwnArea(t, reconciler, sn, V5L);
    await personWithPhotoOn(sn, '9401');
    const bio = () => sentTo(term, '9401');
    await runUntil(term, () => bio().length === 1);
    expect((await term.errorLog(bio()[0], SUCCEED)).body.trim()).toBe('OK');
    // Longer than the first backoff: a photo taken for failed would have gone out again.
    await runUntil(term, () => bio().length > 1, 2500);
    expect(bio()).toHaveLength(1);
    expect(await commandOf(bio()[0].id)).toEqual({ state: 'done', error: null });
    expect(await personOn('9401')).toEqual([expect.objectContaining({ deviceSn: sn, state: 'synced', unconfirmed: [] })]);
  });

  it('before the Return: the command is done when its Return=0 comes', async () => {
    const sn = 'ATT-ERRLOG-OK-EARLY';
    const term = await inOwnArea(t, reconciler, sn, V5L);
    term.holdResults((c) => c.startsWith('DATA UPDATE BIOPHOTO PIN=9402\t'));
    await personWithPhotoOn(sn, '9402');
    const bio = () => sentTo(term, '9402');
    await runUntil(term, () => bio().length === 1);
    expect((await term.errorLog(bio()[0], SUCCEED)).body.trim()).toBe('OK');
    term.stopHoldingResults();
    await term.releaseResults();
    expect(await commandOf(bio()[0].id)).toEqual({ state: 'done', error: null });
    await runUntil(term, () => bio().length > 1, 2500);
    expect(bio()).toHaveLength(1);
    expect(await personOn('9402')).toEqual([expect.objectContaining({ deviceSn: sn, state: 'synced', unconfirmed: [] })]);
  });
});
