/**
 * What happens when a terminal refuses work for good (Attendance PUSH 11.16 ERRORLOG, appendix Return codes):
 *   - the same ERRORLOG failure of one content SYNC_GIVE_UP_FAILURES times in a row gives the item up: not sent again,
 *     the person's sync state `failed` with the error, until the data changes; a new photo then goes out at once, in
 *     the REST write's own plan, not after the backoff;
 *   - an ERRORLOG posted before the Return of the command it names fails that command when the Return comes;
 *   - Return -1001 (Limited capacity: a photo too large for the terminal) is given up at once with the reason: the
 *     gateway cannot make a photo smaller.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { PHOTO } from '../sync/access-helpers';
import { retryWaitsEndNow } from '../sync/retry-waits';
import type { AttendanceTerminal, AttendanceTerminalOptions, ExecutedCommand } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { runTerminalUntil, terminalInOwnArea as inOwnArea, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
// A first backoff of 1.5 s leaves room for a REST write inside it on a loaded machine; three failures give up.
useAttendanceApp({ syncRetryBaseMs: 1500, syncRetryMaxMs: 3000, syncGiveUpFailures: 3 }, (app) => ({ t, reconciler } = app));

const V5L: Partial<AttendanceTerminalOptions> = { multiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:1' };
const FACE_NOT_DETECTED = 'ERRORLOG D01E0001: Face detection failed';
const TOO_LARGE = 'Return -1001: Limited capacity: the photo is too large for this device; the gateway cannot make it smaller: store a smaller photo';

/** A terminal in an area of its own (attendance-helpers.ts), settled. */
const terminalInOwnArea = (sn: string, opts: Partial<AttendanceTerminalOptions> = {}): Promise<AttendanceTerminal> => inOwnArea(t, reconciler, sn, opts);

async function personWithPhotoOn(sn: string, pin: string): Promise<void> {
  expect((await t.post('/api/person/add', { pin, name: `P${pin}`, personPhoto: PHOTO })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
}

const photoOf = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text), Buffer.from([0xff, 0xd9])]).toString('base64');

const runUntil = (term: AttendanceTerminal, until: () => boolean, ms?: number) => runTerminalUntil(reconciler, term, until, ms);

const sentTo = (term: AttendanceTerminal, head: string, pin: string): ExecutedCommand[] => term.executed.filter((d) => d.command.startsWith(`${head} PIN=${pin}\t`));
const personOn = async (pin: string) => (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data;
/** Commands queued for the terminal (not fetched yet) naming this head and pin. */
const queued = async (sn: string, head: string, pin: string): Promise<number> =>
  Number((await t.ds.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND state = 'pending' AND starts_with(command, $2)`, [sn, `${head} PIN=${pin}\t`]))[0].n);

describe('a face the terminal fails again and again (ERRORLOG, DataOrigin=cmd)', () => {
  it('is given up after SYNC_GIVE_UP_FAILURES identical failures: not sent again, shown failed; a new photo goes at once', async () => {
    const sn = 'ATT-GIVEUP-ERR';
    const term = await terminalInOwnArea(sn, V5L);
    await personWithPhotoOn(sn, '9301');
    const bio = () => sentTo(term, 'DATA UPDATE BIOPHOTO', '9301');
    await runUntil(term, () => bio().length === 1);
    for (let n = 1; n <= 3; n++) {
      const last = bio().at(-1)!;
      expect((await term.errorLog(last, 'D01E0001')).body.trim()).toBe('OK');
      if (n === 3) break;
      // Sent again after its backoff: the same photo, failed the same way.
      await runUntil(term, () => bio().length === n + 1);
      expect(bio()).toHaveLength(n + 1);
    }
    // Past the longest backoff (its wait ended now), passes and polls send nothing more of it.
    await retryWaitsEndNow(t, sn, 3300);
    await runUntil(term, () => false, 1500);
    expect(bio()).toHaveLength(3);
    expect(await personOn('9301')).toEqual([expect.objectContaining({ deviceSn: sn, state: 'failed', unconfirmed: ['photo'], lastError: FACE_NOT_DETECTED })]);

    // A new photo: queued by the REST write itself, then held, and the person synced.
    const pic = photoOf('a new photo of 9301');
    expect((await t.post('/api/person/updatePersonnelPhoto', { pin: '9301', personPhoto: pic })).body.code).toBe(0);
    expect(await queued(sn, 'DATA UPDATE BIOPHOTO', '9301')).toBe(1);
    await runUntil(term, () => term.biophotos.get('9301')?.get('9') === pic);
    expect(term.biophotos.get('9301')?.get('9')).toBe(pic);
    await runUntil(term, () => false, 2000);
    expect(await personOn('9301')).toEqual([expect.objectContaining({ deviceSn: sn, state: 'synced', unconfirmed: [] })]);
  });

  it('a new photo supersedes one waiting out its backoff: queued by the REST write, not after the wait', async () => {
    const sn = 'ATT-SUPERSEDE';
    const term = await terminalInOwnArea(sn, V5L);
    await personWithPhotoOn(sn, '9302');
    const bio = () => sentTo(term, 'DATA UPDATE BIOPHOTO', '9302');
    await runUntil(term, () => bio().length === 1);
    await term.errorLog(bio()[0], 'D01E0001');
    const pic = photoOf('a new photo of 9302');
    expect((await t.post('/api/person/updatePersonnelPhoto', { pin: '9302', personPhoto: pic })).body.code).toBe(0);
    // Still within the backoff of the failed photo (1.5 s): the new one is on its way already.
    expect(await queued(sn, 'DATA UPDATE BIOPHOTO', '9302')).toBe(1);
  });
});

describe('an ERRORLOG posted before the Return of the command it names', () => {
  it('fails the command when its Return comes: the photo is not believed held', async () => {
    const sn = 'ATT-EARLY-ERR';
    const term = await terminalInOwnArea(sn, V5L);
    term.holdResults((c) => c.startsWith('DATA UPDATE BIOPHOTO PIN=9311\t'));
    await personWithPhotoOn(sn, '9311');
    const bio = () => sentTo(term, 'DATA UPDATE BIOPHOTO', '9311');
    await runUntil(term, () => bio().length === 1);
    expect(term.pendingAcks.map((d) => d.id)).toEqual([bio()[0].id]);
    // The error log first: the command is not answered yet, the record is stored.
    expect((await term.errorLog(bio()[0], 'D01E0001')).body.trim()).toBe('OK');
    term.stopHoldingResults();
    await term.releaseResults();
    const [cmd] = await t.ds.query(`SELECT c.state, c.error FROM device_command c JOIN device_command_attempt a ON a.command_id = c.id WHERE a.attempt_id = $1`, [bio()[0].id]);
    expect(cmd).toEqual({ state: 'failed', error: FACE_NOT_DETECTED });
    const [item] = await t.ds.query(`SELECT i.hash, i.failures, i.last_error FROM sync_item i JOIN device d ON d.id = i.device_id WHERE d.sn = $1 AND i.key = '9311' AND i.kind = 'photo'`, [sn]);
    expect(item).toMatchObject({ hash: '?', failures: 1, last_error: FACE_NOT_DETECTED });
    expect(await personOn('9311')).toEqual([expect.objectContaining({ deviceSn: sn, state: 'divergent', unconfirmed: ['photo'], lastError: FACE_NOT_DETECTED })]);
  });

  it('is one the terminal posted after that command went out: a stray ERRORLOG naming a CmdID not sent yet fails nothing', async () => {
    const sn = 'ATT-STRAY-ERR';
    const term = await terminalInOwnArea(sn, V5L);
    // Error logs naming CmdIDs this gateway has not handed out yet (a terminal that served another server before, or
    // its own numbering): stored, and they must not fail the commands that later get those numbers.
    const [{ last }] = await t.ds.query(`SELECT last_value::text AS last FROM device_command_attempt_seq`);
    const ids = Array.from({ length: 40 }, (_, i) => Number(last) + 1 + i);
    const lines = ids.map((id) => `ERRORLOG ErrCode=D01E0001\tErrMsg=\tDataOrigin=cmd\tCmdId=${id}\tAdditional=`).join('\n') + '\n';
    expect((await term.uploadRaw('ERRORLOG', lines)).body.trim()).toBe('OK');
    await personWithPhotoOn(sn, '9312');
    const bio = () => sentTo(term, 'DATA UPDATE BIOPHOTO', '9312');
    await runUntil(term, () => bio().length === 1);
    expect(ids).toContain(Number(bio()[0].id));
    await runUntil(term, () => false, 1500);
    const [cmd] = await t.ds.query(`SELECT c.state FROM device_command c JOIN device_command_attempt a ON a.command_id = c.id WHERE a.attempt_id = $1`, [bio()[0].id]);
    expect(cmd).toEqual({ state: 'done' });
    expect(bio()).toHaveLength(1);
    expect(await personOn('9312')).toEqual([expect.objectContaining({ deviceSn: sn, state: 'synced', unconfirmed: [] })]);
  });
});

describe('a photo too large for the terminal (Return -1001)', () => {
  it('is not sent again (the gateway cannot shrink it): failed with the reason, until a new photo goes at once', async () => {
    const sn = 'ATT-TOO-LARGE';
    const term = await terminalInOwnArea(sn);
    const fault = term.failCommands((c) => c.startsWith('DATA UPDATE USERPIC PIN=9321\t'), -1001, 'always');
    await personWithPhotoOn(sn, '9321');
    const pics = () => sentTo(term, 'DATA UPDATE USERPIC', '9321');
    await runUntil(term, () => pics().length === 1);
    // Past the longest backoff (its wait ended now), nothing more of it.
    await retryWaitsEndNow(t, sn, 3300);
    await runUntil(term, () => false, 1500);
    expect(pics().map((d) => d.returnCode)).toEqual([-1001]);
    expect(await personOn('9321')).toEqual([expect.objectContaining({ deviceSn: sn, state: 'failed', unconfirmed: ['photo'], lastReturn: -1001, lastError: TOO_LARGE })]);
    expect(fault).toBeDefined();

    term.clearFaults();
    const pic = photoOf('a smaller photo of 9321');
    expect((await t.post('/api/person/updatePersonnelPhoto', { pin: '9321', personPhoto: pic })).body.code).toBe(0);
    expect(await queued(sn, 'DATA UPDATE USERPIC', '9321')).toBe(1);
    await runUntil(term, () => term.photos.get('9321')?.content === pic);
    expect(term.photos.get('9321')?.content).toBe(pic);
    await runUntil(term, () => false, 2000);
    expect(await personOn('9321')).toEqual([expect.objectContaining({ deviceSn: sn, state: 'synced', unconfirmed: [] })]);
  });

  it('-1006 (the data is too long, Appendix 1) is the same: not sent again, failed with the reason', async () => {
    const sn = 'H1-TOO-LONG';
    const term = await terminalInOwnArea(sn);
    term.failCommands((c) => c.startsWith('DATA UPDATE USERPIC PIN=19321\t'), -1006, 'always');
    await personWithPhotoOn(sn, '19321');
    const pics = () => sentTo(term, 'DATA UPDATE USERPIC', '19321');
    await runUntil(term, () => pics().length === 1);
    await retryWaitsEndNow(t, sn, 3300);
    await runUntil(term, () => false, 1500);
    expect(pics().map((d) => d.returnCode)).toEqual([-1006]);
    expect(await personOn('19321')).toEqual([
      expect.objectContaining({ deviceSn: sn, state: 'failed', unconfirmed: ['photo'], lastReturn: -1006, lastError: TOO_LARGE.replace('-1001: Limited capacity', '-1006: The data is too long') }),
    ]);
  });

  it('given up, then off the terminal (the person left its area): nothing about the photo stays failing', async () => {
    const sn = 'ATT-TOO-LARGE-LEFT';
    const term = await terminalInOwnArea(sn);
    term.failCommands((c) => c.startsWith('DATA UPDATE USERPIC PIN=9322\t'), -1001, 'always');
    await personWithPhotoOn(sn, '9322');
    await runUntil(term, () => sentTo(term, 'DATA UPDATE USERPIC', '9322').length === 1);
    await runUntil(term, () => false, 1000);
    expect(await personOn('9322')).toEqual([expect.objectContaining({ deviceSn: sn, state: 'failed' })]);

    expect((await t.post('/api/attAreaPerson/delete', { code: sn, pins: ['9322'] })).body.code).toBe(0);
    await runUntil(term, () => !term.users.has('9322'));
    expect(term.users.has('9322')).toBe(false);
    await retryWaitsEndNow(t, sn, 3300);
    await runUntil(term, () => false, 1500);
    // The terminal holds nothing of 9322: no item of theirs is left failing there (the device's own state, the console's
    // failing devices), and the person's sync answer shows no device.
    expect(await personOn('9322')).toEqual([]);
    const failing = await t.ds.query(`SELECT i.kind, i.next_try_at::text AS next FROM sync_item i JOIN device d ON d.id = i.device_id WHERE d.sn = $1 AND i.key = '9322' AND i.failures > 0`, [sn]);
    expect(failing).toEqual([]);
  });
});
