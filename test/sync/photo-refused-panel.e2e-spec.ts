/**
 * A panel that refuses a person's photo (biophoto Type 9), in the two ways panels do:
 *   - a negative Return: -1001 to a photo is a photo too large for it (field sample rc-aiface-photo-1001); the
 *     gateway cannot make it smaller, so it is given up at once, shown failed with the reason, until the photo changes;
 *   - Return=0, and then its error log names the command (Security PUSH 7.12, `tablename=errorlog`, `errcode=D01E0001
 *     … dataorigin=cmd cmdid=<CmdID>`, Appendix 17: face detection failed): the photo is not held after all. It is
 *     sent again with backoff and given up after SYNC_GIVE_UP_FAILURES identical failures, shown failed with the
 *     error log's code; a new photo goes out at once.
 * Either way the user and their rights land, and neither the person nor the panel is said synced while it lacks the photo.
 * Around the error log, a lost reply (the answer to the photo's Return=0, posted again after the error log; the
 * getrequest reply carrying its next attempt) and a panel reset (before the photo is sent again, and after it was
 * given up) end with the panel's tables compared whole with what the database gives it, read through REST, and the
 * gateway's word on the panel: synced only when they are equal.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf, sleep } from '../push/push-helpers';
import type { ParsedCommand } from '../simulator/commands';
import type { DeviceSimulatorOptions, ReceivedCommand } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { Device, levelId, PHOTO } from './access-helpers';
import { accessFromDatabase, accessRowsOf, biometricRowsOf, biometricsFromDatabase } from './db-oracle';
import { claimsSynced, convergenceOf, ok, resultReplyLoss, settleConverged, tableSnapshot } from './fault-helpers';
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
async function panel(sn: string, ip: string, level: string, resultFor?: (c: ParsedCommand) => number | undefined, extra: Partial<DeviceSimulatorOptions> = {}): Promise<{ d: Device; level: string }> {
  const d = await Device.connect(t, sn, 1, ip, { ...(resultFor ? { resultFor } : {}), ...extra });
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
    const { d, level } = await panel('PHR00014', '10.76.0.14', 'PHRN');
    await ok(t.post('/api/person/add', { pin: '7614', name: 'Form', accLevelIds: level, personPhoto: PHOTO }));
    await settleConverged(t, reconciler, d.sim, 10);
    expect(await personOn('7614', 'PHR00014')).toMatchObject({ state: 'synced' });
    const put = photoPuts(d, '7614').at(-1)!;
    const r = await d.sim.errorLog(put, 'D01E0001', 'attendance');
    expect([r.status, r.body.trim()]).toEqual([200, 'OK']);
    expect(photoHeld(d, '7614')).toBeUndefined();
    await expectPhotoFailed('PHR00014', '7614', FACE_NOT_DETECTED, 'divergent');
    // Kept by its fields, the code's meaning with them.
    const kept: Array<{ record: Record<string, string> }> = await t.ds.query(`SELECT record FROM device_upload WHERE device_sn = 'PHR00014' AND table_name = 'ERRORLOG'`);
    expect(kept.map((k) => k.record)).toEqual([expect.objectContaining({ ErrCode: 'D01E0001', DataOrigin: 'cmd', CmdId: put.id, meaning: 'Face detection failed' })]);
    // Sent again after its backoff (the panel takes it this time): held, and the person synced.
    await runUntil(d, () => photoPuts(d, '7614').length === 2);
    expect(photoPuts(d, '7614')).toHaveLength(2);
    await settleConverged(t, reconciler, d.sim, 10);
    expect(photoHeld(d, '7614')).toBe(PHOTO);
    expect(await personOn('7614', 'PHR00014')).toMatchObject({ state: 'synced', unconfirmed: [] });
  });

  it('posted in the attendance form before the command\'s Return, fails the command when the Return comes', async () => {
    const { d, level } = await panel('PHR00015', '10.76.0.15', 'PHRO');
    d.sim.holdResults(isPhotoPut);
    await ok(t.post('/api/person/add', { pin: '7615', name: 'Early', accLevelIds: level, personPhoto: PHOTO }));
    await runUntil(d, () => photoPuts(d, '7615').length === 1);
    const put = photoPuts(d, '7615')[0];
    expect(d.sim.pendingAcks.map((r) => r.id)).toEqual([put.id]);
    expect((await d.sim.errorLog(put, 'D01E0001', 'attendance')).body.trim()).toBe('OK');
    d.sim.stopHoldingResults();
    await d.sim.releaseResults();
    const [cmd] = await t.ds.query(`SELECT c.state, c.error FROM device_command c JOIN device_command_attempt a ON a.command_id = c.id WHERE a.attempt_id = $1`, [put.id]);
    expect(cmd).toEqual({ state: 'failed', error: FACE_NOT_DETECTED });
    await expectPhotoFailed('PHR00015', '7615', FACE_NOT_DETECTED, 'divergent');
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

const TABLES = ['user', 'userauthorize', 'mulcarduser', 'biophoto', 'biodata'];
const fingerOf = (text: string) => Buffer.from(`finger ${text}`).toString('base64');

/**
 * The panel's tables of `pin` compared whole with what the database gives it (db-oracle: read through REST, not the
 * planner), and the gateway's word on the panel: synced only when they are equal. `lacksPhoto`: the panel holds
 * everything but the person's photo (refused), and the database does give one.
 */
async function expectPanelAgainstDatabase(d: Device, pin: string, level: string, lacksPhoto: boolean): Promise<void> {
  const snapshot = tableSnapshot(d.sim, TABLES);
  const held = { ...accessRowsOf(snapshot, [pin]), ...biometricRowsOf(snapshot, [pin]) };
  const access = await accessFromDatabase(t, [pin], [{ id: level, tz: 1, doors: new Set([1]) }], false);
  const owed = { ...access, ...(await biometricsFromDatabase(t, access)) };
  expect(owed.user, 'the database gives the panel the person').toHaveLength(1);
  expect(owed.biodata.length, 'and a template').toBeGreaterThan(0);
  if (lacksPhoto) {
    expect(owed.biophoto, 'the database gives the panel the photo').toHaveLength(1);
    expect(held).toEqual({ ...owed, biophoto: [] });
  } else {
    expect(held).toEqual(owed);
  }
  const conv = await convergenceOf(t, d.sim.sn);
  expect(claimsSynced(conv), `synced only when equal: ${JSON.stringify(conv)}`).toBe(!lacksPhoto);
}

/** Reconciler passes and idle polls until the gateway has a command waiting for the panel (a retry due), within `ms`. */
async function untilQueued(d: Device, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    await reconciler.runOnce();
    if ((await convergenceOf(t, d.sim.sn)).pendingCommands > 0) return;
    await sleep(100);
  }
  throw new Error(`no command queued for ${d.sim.sn} within ${ms} ms`);
}

/**
 * Person `pin` added in `level` with a photo and a fingerprint; the panel runs all of it but holds back the photo's
 * result (in pendingAcks, for the test to post). Returns the photo's command.
 */
async function photoRunResultHeld(d: Device, pin: string, level: string): Promise<ReceivedCommand> {
  // The result is held for as long as the test takes to post it: on a loaded machine past the 1 s this file's
  // gateway waits for one, which would fail the photo for "no result" before its error log is read.
  const settings = settingsOf(t);
  const ackTimeoutMs = settings.ackTimeoutMs;
  settings.ackTimeoutMs = 30_000;
  onTestFinished(() => {
    settings.ackTimeoutMs = ackTimeoutMs;
  });
  d.sim.holdResults(isPhotoPut);
  await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: level, personPhoto: PHOTO }));
  await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: fingerOf(pin), templateNo: '1' }));
  await reconciler.idle();
  await d.sim.pollUntilIdle();
  d.sim.stopHoldingResults();
  expect(d.sim.pendingAcks.map((r) => String(r.id))).toEqual([photoPuts(d, pin).at(-1)!.id]);
  return photoPuts(d, pin).at(-1)!;
}

describe('a photo failed in the error log, around a lost reply or a panel reset: the panel ends as the database says, synced only then', () => {
  it('the answer to its Return=0 lost, the error log posted, the same Return=0 posted again: still not held; its next attempt\'s reply lost too, then it lands', { timeout: 60_000 }, async () => {
    const lost = resultReplyLoss();
    const { d, level } = await panel('PHR00004', '10.76.0.4', 'PHRD', undefined, { fetch: lost.fetch, retryResults: true });
    const put = await photoRunResultHeld(d, '7604', level);
    expect(photoHeld(d, '7604')).toBe(PHOTO);
    // The gateway gets the photo's Return=0; its answer is lost, so the panel keeps the result to post again.
    lost.count = 1;
    await d.sim.releaseResults();
    expect(lost.count).toBe(0);
    // Then the panel fails the photo in its error log, and posts the Return=0 again with its next poll.
    expect((await d.sim.errorLog(put)).body.trim()).toBe('errorlog=1');
    await d.sim.poll();
    expect(d.sim.acknowledged.filter((a) => String(a.id) === String(put.id)).map((a) => a.code)).toEqual([0, 0]);
    await expectPanelAgainstDatabase(d, '7604', level, true);
    await expectPhotoFailed('PHR00004', '7604', FACE_NOT_DETECTED, 'divergent');

    // Its next attempt, after the backoff: the reply carrying it is lost, it is offered again and held.
    await untilQueued(d);
    d.sim.loseNextReply();
    await d.sim.poll();
    expect(d.sim.lostReplies.at(-1)).toMatch(/DATA UPDATE biophoto PIN=7604\t/);
    await runUntil(d, () => photoHeld(d, '7604') === PHOTO);
    expect(photoPuts(d, '7604').length).toBeGreaterThanOrEqual(2);
    await settleConverged(t, reconciler, d.sim, 10);
    expect(await personOn('7604', 'PHR00004')).toMatchObject({ state: 'synced', unconfirmed: [] });
    await expectPanelAgainstDatabase(d, '7604', level, false);
  });

  it('its error log posted before its Return=0 (the panel does not order them): failed when the Return comes; sent again, it lands', { timeout: 60_000 }, async () => {
    const { d, level } = await panel('PHR00006', '10.76.0.6', 'PHRF');
    expect((await d.sim.errorLog(await photoRunResultHeld(d, '7606', level))).body.trim()).toBe('errorlog=1');
    await d.sim.releaseResults();
    await expectPanelAgainstDatabase(d, '7606', level, true);
    await expectPhotoFailed('PHR00006', '7606', FACE_NOT_DETECTED, 'divergent');
    await runUntil(d, () => photoHeld(d, '7606') === PHOTO);
    await settleConverged(t, reconciler, d.sim, 10);
    await expectPanelAgainstDatabase(d, '7606', level, false);
  });

  it('a reset before the photo is sent again: the panel synced from scratch holds it; given up and reset again, the panel ends as the database says, synced only if it holds it', { timeout: 90_000 }, async () => {
    const { d, level } = await panel('PHR00005', '10.76.0.5', 'PHRE');
    await ok(t.post('/api/person/add', { pin: '7605', name: 'Reset', accLevelIds: level, personPhoto: PHOTO }));
    await ok(t.post('/api/bioTemplate/add', { personId: '7605', validType: '1', template: fingerOf('7605'), templateNo: '1' }));
    await settleConverged(t, reconciler, d.sim, 10);
    await expectPanelAgainstDatabase(d, '7605', level, false);
    expect((await d.sim.errorLog(photoPuts(d, '7605').at(-1)!)).body.trim()).toBe('errorlog=1');
    await expectPanelAgainstDatabase(d, '7605', level, true);
    await expectPhotoFailed('PHR00005', '7605', FACE_NOT_DETECTED, 'divergent');

    // The panel is reset before the photo's next attempt: it registers again and is given everything.
    expect((await d.sim.factoryReset()).registered).toBe(true);
    await runUntil(d, () => photoHeld(d, '7605') === PHOTO);
    await settleConverged(t, reconciler, d.sim, 10);
    await expectPanelAgainstDatabase(d, '7605', level, false);

    // Failed in the error log, each attempt after its backoff, until given up; then the panel is reset again.
    for (let n = 1; ; n++) {
      const last = photoPuts(d, '7605').at(-1)!;
      expect((await d.sim.errorLog(last)).body.trim()).toBe('errorlog=1');
      if ((await personOn('7605', 'PHR00005'))?.state === 'failed') break;
      expect(n, 'given up within SYNC_GIVE_UP_FAILURES failures').toBeLessThan(3);
      await runUntil(d, () => photoPuts(d, '7605').at(-1) !== last && photoHeld(d, '7605') !== undefined);
    }
    await expectPanelAgainstDatabase(d, '7605', level, true);
    await expectPhotoFailed('PHR00005', '7605', FACE_NOT_DETECTED);
    // A panel wiped and registered again is given everything, the given-up photo too (once): this time it takes it.
    expect((await d.sim.factoryReset()).registered).toBe(true);
    await runUntil(d, () => photoHeld(d, '7605') === PHOTO, 4000);
    await settleConverged(t, reconciler, d.sim, 10);
    await expectPanelAgainstDatabase(d, '7605', level, false);
    // And failed again in its error log: the panel lacks it and is not said synced.
    expect((await d.sim.errorLog(photoPuts(d, '7605').at(-1)!)).body.trim()).toBe('errorlog=1');
    await expectPanelAgainstDatabase(d, '7605', level, true);
  });
});
