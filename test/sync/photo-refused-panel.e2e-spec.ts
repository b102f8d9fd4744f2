/**
 * A panel that refuses a person's photo (biophoto Type 9), in the two ways panels do:
 *   - a negative Return: -1001 to a photo is a photo too large for it (field sample rc-aiface-photo-1001); the
 *     gateway cannot make it smaller, so it is given up at once, shown failed with the reason, until the photo changes;
 *   - Return=0, and then its error log names the command (Security PUSH 7.12, `tablename=errorlog`, `errcode=D01E0001
 *     … dataorigin=cmd cmdid=<CmdID>`, Appendix 17: face detection failed): the photo is not held after all. It is
 *     sent again with backoff and given up after SYNC_GIVE_UP_FAILURES identical failures, shown failed with the
 *     error log's code; a new photo goes out at once.
 * Either way the user and their rights land, and neither the person nor the panel is said synced while it lacks the photo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf, sleep } from '../push/push-helpers';
import type { ParsedCommand } from '../simulator/commands';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId, PHOTO } from './access-helpers';
import { claimsSynced, convergenceOf, ok, settleConverged } from './fault-helpers';
import { retryWaitsEndNow } from './retry-waits';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  // A first backoff of 1.5 s leaves room for a REST write inside it on a loaded machine; three failures give up.
  t = await startTestApp({ syncRetryBaseMs: 1500, syncRetryMaxMs: 3000, syncReconcileIntervalMs: 0, syncGiveUpFailures: 3 });
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000 });
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

const FACE_NOT_DETECTED = 'ERRORLOG D01E0001: Face detection failed';
const TOO_LARGE = 'Return -1001: Limited capacity: the photo is too large for this device; the gateway cannot make it smaller: store a smaller photo';
const isPhotoPut = (c: ParsedCommand) => c.verb === 'DATA UPDATE' && c.table === 'biophoto';
const photoOf = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text), Buffer.from([0xff, 0xd9])]).toString('base64');

/** A panel with one door in a level of its own; `resultFor` answers each command (a Return, or undefined: runs it). */
async function panel(sn: string, ip: string, level: string, resultFor?: (c: ParsedCommand) => number | undefined): Promise<{ d: Device; level: string }> {
  const d = await Device.connect(t, sn, 1, ip, resultFor ? { resultFor } : {});
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  return { d, level: await levelId(t, level) };
}

const personOn = async (pin: string, sn: string) => ((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data as Array<Record<string, unknown>>).find((p) => p.deviceSn === sn);
const photoPuts = (d: Device, pin: string) => d.sim.received.filter((c) => isPhotoPut(c.parsed) && new RegExp(`(?:^|\\t)PIN=${pin}\\t`).test(c.parsed.args));
const photoHeld = (d: Device, pin: string) => d.sim.table('biophoto').find((r) => String(r.PIN) === pin)?.Content;

/** Reconciler passes and polls until `until`, or `ms` passed. */
async function runUntil(d: Device, until: () => boolean, ms = 10_000): Promise<void> {
  await settleConverged(t, reconciler, d.sim, 1);
  for (const end = Date.now() + ms; !until() && Date.now() < end; ) {
    await sleep(100);
    await reconciler.runOnce();
    await d.sim.pollUntilIdle();
  }
}

/**
 * The panel and the person on it are not said synced, for the photo, with this error: `failed` once given up,
 * `divergent` while it is still to be sent again.
 */
async function expectPhotoFailed(sn: string, pin: string, lastError: string, state: 'failed' | 'divergent' = 'failed'): Promise<void> {
  expect(await personOn(pin, sn)).toMatchObject({ state, holds: true, unconfirmed: ['photo'], lastReason: 'data', lastError });
  const conv = await convergenceOf(t, sn);
  expect(claimsSynced(conv), JSON.stringify(conv)).toBe(false);
  expect(conv).toMatchObject({ divergent: true, failingItems: 1, failing: [expect.objectContaining({ reason: 'data', examples: [`photo ${pin}`] })] });
}

describe('a photo the panel answers with -1001 (too large)', () => {
  it('is given up at once: not sent again, shown failed; the user and rights land; a new photo goes out at once and lands', async () => {
    let refuse = true;
    const { d, level } = await panel('PHR00001', '10.76.0.1', 'PHRA', (c) => (refuse && isPhotoPut(c) ? -1001 : undefined));
    await ok(t.post('/api/person/add', { pin: '7601', name: 'Big', accLevelIds: level, personPhoto: PHOTO }));
    await runUntil(d, () => photoPuts(d, '7601').length === 1);
    expect(d.sim.user('7601')).toBeDefined();
    expect(d.sim.table('userauthorize').map((r) => String(r.Pin))).toEqual(['7601']);
    await expectPhotoFailed('PHR00001', '7601', TOO_LARGE);
    expect((await personOn('7601', 'PHR00001'))?.lastReturn).toBe(-1001);
    // Past the longest backoff, passes and polls send nothing more of it: the same photo would be refused again.
    await retryWaitsEndNow(t, 'PHR00001', 3300);
    await runUntil(d, () => false, 1500);
    expect(photoPuts(d, '7601')).toHaveLength(1);
    await expectPhotoFailed('PHR00001', '7601', TOO_LARGE);

    // A smaller photo: sent at once, held, and the person synced.
    refuse = false;
    const pic = photoOf('a smaller photo of 7601');
    await ok(t.post('/api/person/updatePersonnelPhoto', { pin: '7601', personPhoto: pic }));
    await runUntil(d, () => photoHeld(d, '7601') === pic, 3000);
    expect(photoHeld(d, '7601')).toBe(pic);
    await settleConverged(t, reconciler, d.sim, 10);
    expect(await personOn('7601', 'PHR00001')).toMatchObject({ state: 'synced', unconfirmed: [] });
    expect(claimsSynced(await convergenceOf(t, 'PHR00001'))).toBe(true);
  });
});

describe('a photo the panel took (Return=0) and then failed in its error log (tablename=errorlog, D01E0001)', () => {
  it('is not said held: sent again with backoff, given up after SYNC_GIVE_UP_FAILURES failures, shown failed; a new photo goes at once', { timeout: 60_000 }, async () => {
    const { d, level } = await panel('PHR00002', '10.76.0.2', 'PHRB');
    await ok(t.post('/api/person/add', { pin: '7602', name: 'Face', accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim, 10);
    expect(photoHeld(d, '7602')).toBe(PHOTO);
    expect(await personOn('7602', 'PHR00002')).toMatchObject({ state: 'synced' });
    for (let n = 1; n <= 3; n++) {
      const last = photoPuts(d, '7602').at(-1)!;
      expect(last.result).toBe(0);
      expect((await d.sim.errorLog(last)).body.trim()).toBe('errorlog=1');
      expect(photoHeld(d, '7602')).toBeUndefined();
      await expectPhotoFailed('PHR00002', '7602', FACE_NOT_DETECTED, n < 3 ? 'divergent' : 'failed');
      if (n === 3) break;
      // Sent again after its backoff (not at once: the same photo fails the same way).
      expect(photoPuts(d, '7602')).toHaveLength(n);
      await runUntil(d, () => photoPuts(d, '7602').length === n + 1);
      expect(photoPuts(d, '7602')).toHaveLength(n + 1);
    }
    // The same error log posted again (its reply lost) fails nothing more.
    expect((await d.sim.uploadAgain()).status).toBe(200);
    // Past the longest backoff, passes and polls send nothing more of it.
    await retryWaitsEndNow(t, 'PHR00002', 3300);
    await runUntil(d, () => false, 1500);
    expect(photoPuts(d, '7602')).toHaveLength(3);
    await expectPhotoFailed('PHR00002', '7602', FACE_NOT_DETECTED);

    // A new photo: sent at once, held, and the person synced.
    const pic = photoOf('a new photo of 7602');
    await ok(t.post('/api/person/updatePersonnelPhoto', { pin: '7602', personPhoto: pic }));
    await runUntil(d, () => photoHeld(d, '7602') === pic, 3000);
    expect(photoHeld(d, '7602')).toBe(pic);
    await settleConverged(t, reconciler, d.sim, 10);
    expect(await personOn('7602', 'PHR00002')).toMatchObject({ state: 'synced', unconfirmed: [] });
    expect(claimsSynced(await convergenceOf(t, 'PHR00002'))).toBe(true);
  });

  it('posted in the attendance form (table=ERRORLOG, `ERRORLOG ErrCode=… DataOrigin=cmd CmdId=…`) fails the command as tablename=errorlog does', async () => {
    const { d, level } = await panel('PHR00004', '10.76.0.4', 'PHRD');
    await ok(t.post('/api/person/add', { pin: '7604', name: 'Form', accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim, 10);
    expect(await personOn('7604', 'PHR00004')).toMatchObject({ state: 'synced' });
    const put = photoPuts(d, '7604').at(-1)!;
    const r = await d.sim.errorLog(put, 'D01E0001', 'attendance');
    expect([r.status, r.body.trim()]).toEqual([200, 'OK']);
    expect(photoHeld(d, '7604')).toBeUndefined();
    await expectPhotoFailed('PHR00004', '7604', FACE_NOT_DETECTED, 'divergent');
    // Kept by its fields, the code's meaning with them.
    const kept: Array<{ record: Record<string, string> }> = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = 'PHR00004' AND table_name = 'ERRORLOG'`);
    expect(kept.map((k) => k.record)).toEqual([expect.objectContaining({ ErrCode: 'D01E0001', DataOrigin: 'cmd', CmdId: put.id, meaning: 'Face detection failed' })]);
    // Sent again after its backoff (the panel takes it this time): held, and the person synced.
    await runUntil(d, () => photoPuts(d, '7604').length === 2);
    expect(photoPuts(d, '7604')).toHaveLength(2);
    await settleConverged(t, reconciler, d.sim, 10);
    expect(photoHeld(d, '7604')).toBe(PHOTO);
    expect(await personOn('7604', 'PHR00004')).toMatchObject({ state: 'synced', unconfirmed: [] });
  });

  it('posted in the attendance form before the command\'s Return, fails the command when the Return comes', async () => {
    const { d, level } = await panel('PHR00005', '10.76.0.5', 'PHRE');
    d.sim.holdResults(isPhotoPut);
    await ok(t.post('/api/person/add', { pin: '7605', name: 'Early', accLevelIds: level, personPhoto: PHOTO }));
    await runUntil(d, () => photoPuts(d, '7605').length === 1);
    const put = photoPuts(d, '7605')[0];
    expect(d.sim.pendingAcks.map((r) => r.id)).toEqual([put.id]);
    expect((await d.sim.errorLog(put, 'D01E0001', 'attendance')).body.trim()).toBe('OK');
    d.sim.stopHoldingResults();
    await d.sim.releaseResults();
    const [cmd] = await t.ds.query(`SELECT c.state, c.error FROM device_command c JOIN device_command_attempt a ON a.command_id = c.id WHERE a.attempt_id = $1`, [put.id]);
    expect(cmd).toEqual({ state: 'failed', error: FACE_NOT_DETECTED });
    await expectPhotoFailed('PHR00005', '7605', FACE_NOT_DETECTED, 'divergent');
  });

  it('an error log of the panel\'s own data (dataorigin=dev) or of a command it never got changes nothing', async () => {
    const { d, level } = await panel('PHR00003', '10.76.0.3', 'PHRC');
    await ok(t.post('/api/person/add', { pin: '7603', name: 'Kept', accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim, 10);
    const put = photoPuts(d, '7603').at(-1)!;
    expect((await d.sim.uploadTable('errorlog', [{ errcode: 'D01E0001', errmsg: '', dataorigin: 'dev', cmdid: put.id, additional: '' }])).body.trim()).toBe('errorlog=1');
    expect((await d.sim.uploadTable('errorlog', [{ errcode: 'D01E0001', errmsg: '', dataorigin: 'cmd', cmdid: '999999999', additional: '' }])).body.trim()).toBe('errorlog=1');
    expect(await personOn('7603', 'PHR00003')).toMatchObject({ state: 'synced', unconfirmed: [] });
    expect(claimsSynced(await convergenceOf(t, 'PHR00003'))).toBe(true);
  });
});
