/**
 * Comparison photos on attendance terminals (Attendance PUSH 3.1 and 12.1.1.8): a terminal that says it takes
 * visible-light face photos (BioPhotoFun=1, type 9 in MultiBioPhotoSupport of its options push: a SpeedFace-V5L)
 * is sent a person's REST photo as `DATA UPDATE BIOPHOTO Type=9` besides the USERPIC it only shows, so it can
 * recognise them; the photo's removal deletes it (`DATA DELETE BIOPHOTO`); a refusal is held like any (not synced);
 * a lost reply sends it again; a terminal that says nothing of comparison photos gets USERPIC alone, as before.
 * The handshake claims only the photo type the gateway issues.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { sleep } from '../push/push-helpers';
import { PHOTO } from '../sync/access-helpers';
import { deliveriesAgeBy, retryWaitsEndNow } from '../sync/retry-waits';
import type { AttendanceTerminal, AttendanceTerminalOptions, ExecutedCommand } from '../simulator/attendance-terminal';
import { createOperator, signIn } from '../console/console-helpers';
import { TEST_PASSWORD_COST, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp(
  { syncRetryBaseMs: 1000, syncRetryMaxMs: 2000, trustProxy: true, console: { sessionIdleMinutes: 5, sessionMaxHours: 12, loginLimit: 50, adminAllow: [], adminPassword: undefined, passwordCost: TEST_PASSWORD_COST } },
  (app) => ({ t, reconciler } = app),
);

const V5L: Partial<AttendanceTerminalOptions> = { multiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:1' };

async function terminalInOwnArea(sn: string, opts: Partial<AttendanceTerminalOptions> = {}): Promise<AttendanceTerminal> {
  expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
  const term = await initialisedTerminal(t, { sn, ...opts });
  expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
  await settleTerminal(reconciler, term);
  return term;
}

/**
 * What the terminal runs from now until `until` holds of it and nothing more comes (settleTerminal: reconciler passes and
 * polls; passes run while it does not hold yet), not what the first poll after a write happens to get: on a loaded machine
 * that came back empty once. INFO is left out: a terminal that initialised again owes its user count, and one polling
 * without INFO is sent INFO once it has done so for requestDelay (5 s), which a slow run reaches at any poll.
 */
async function ran(term: AttendanceTerminal, until: () => boolean, ms = 10_000): Promise<ExecutedCommand[]> {
  const from = term.executed.length;
  await settleTerminal(reconciler, term);
  for (const end = Date.now() + ms; !until() && Date.now() < end; ) {
    await sleep(100);
    await reconciler.runOnce();
    await settleTerminal(reconciler, term);
  }
  return term.executed.slice(from).filter((d) => d.command !== 'INFO');
}
const hasComparisonPhoto = (term: AttendanceTerminal, pin: string) => () => term.biophotos.get(pin)?.has('9') === true;
const hasUserpic = (term: AttendanceTerminal, pin: string) => () => term.photos.has(pin);

const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
const photoOf = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text), Buffer.from([0xff, 0xd9])]).toString('base64');
const head = (c: string) => c.split(' ').slice(0, 3).join(' ');
const storedPhoto = async (pin: string): Promise<string | null> => {
  const [row] = await t.ds.query(`SELECT photo FROM person WHERE pin = $1`, [pin]);
  return row?.photo ? String(row.photo).replace(/^data:[^,]*,/, '').replace(/\s+/g, '') : null;
};
/** The terminal's photo tables as the database would have them: USERPIC and BIOPHOTO Type 9 both the stored photo. */
const photoTables = (term: AttendanceTerminal, pin: string) => ({ userpic: term.photos.get(pin)?.content ?? null, biophoto9: term.biophotos.get(pin)?.get('9') ?? null });

async function personWithPhotoOn(sn: string, pin: string): Promise<void> {
  expect((await t.post('/api/person/add', { pin, name: `P${pin}`, personPhoto: PHOTO })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
}

describe('the handshake', () => {
  it('announces the visible-light face photo alone (MultiBioPhotoSupport), the one comparison photo the gateway issues', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-BP-HELLO', ...V5L });
    expect(term.serverOptions.MultiBioPhotoSupport).toBe('0:0:0:0:0:0:0:0:0:1');
    expect(term.serverOptions.MultiBioDataSupport).toBe('0:1:1:1:1:1:1:1:1:1');
  });
});

describe('a terminal that takes visible-light face comparison photos', () => {
  it('gets the REST photo as BIOPHOTO Type=9 besides USERPIC, and its tables end equal to the database', async () => {
    const sn = 'ATT-BP-PUT';
    const term = await terminalInOwnArea(sn, V5L);
    await personWithPhotoOn(sn, '9101');
    const done = await ran(term, hasComparisonPhoto(term, '9101'));
    expect(done.map((d) => [head(d.command), d.returnCode])).toEqual([
      ['DATA UPDATE USERINFO', 0],
      ['DATA UPDATE USERPIC', 0],
      ['DATA UPDATE BIOPHOTO', 0],
    ]);
    expect(done[2].command).toMatch(/^DATA UPDATE BIOPHOTO PIN=9101\tType=9\tSize=\d+\tContent=[^\t]+\tFormat=0$/);
    const photo = await storedPhoto('9101');
    expect(photo).toBeTruthy();
    expect(photoTables(term, '9101')).toEqual({ userpic: photo, biophoto9: photo });
    await settleTerminal(reconciler, term);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });

  it('the photo removed: USERPIC and BIOPHOTO deleted, the user stays', async () => {
    const sn = 'ATT-BP-DEL';
    const term = await terminalInOwnArea(sn, V5L);
    await personWithPhotoOn(sn, '9102');
    await settleTerminal(reconciler, term);
    expect(term.biophotos.get('9102')?.has('9')).toBe(true);
    await createOperator(t, 'bpadmin', 'admin');
    const c = await signIn(t, 'bpadmin', 'bpadmin-password-1');
    expect((await c.call('POST', 'persons', { pin: '9102', name: 'P9102', removePhoto: true })).body.code).toBe(0);
    const done = await ran(term, () => !hasUserpic(term, '9102')() && !hasComparisonPhoto(term, '9102')());
    expect(done.map((d) => [d.command, d.returnCode])).toEqual([
      ['DATA DELETE USERPIC PIN=9102', 0],
      ['DATA DELETE BIOPHOTO PIN=9102', 0],
    ]);
    expect(await storedPhoto('9102')).toBeNull();
    expect(photoTables(term, '9102')).toEqual({ userpic: null, biophoto9: null });
    expect(term.users.has('9102')).toBe(true);
    await settleTerminal(reconciler, term);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });

  it('a refused comparison photo is recorded and leaves the terminal divergent, not said synced', async () => {
    const sn = 'ATT-BP-REFUSE';
    const term = await terminalInOwnArea(sn, V5L);
    term.failCommands((c) => c.startsWith('DATA UPDATE BIOPHOTO'), -1004, 'always');
    await personWithPhotoOn(sn, '9103');
    const done = await ran(term, () => term.executed.some((d) => d.command.startsWith('DATA UPDATE BIOPHOTO PIN=9103')));
    expect(done.map((d) => [head(d.command), d.returnCode])).toEqual([
      ['DATA UPDATE USERINFO', 0],
      ['DATA UPDATE USERPIC', 0],
      ['DATA UPDATE BIOPHOTO', -1004],
    ]);
    expect(term.biophotos.has('9103')).toBe(false);
    const [refusal] = await t.ds.query(`SELECT what, return_code FROM device_refusal r JOIN device d ON d.id = r.device_id WHERE d.sn = $1`, [sn]);
    expect(refusal).toEqual({ what: 'DATA UPDATE BIOPHOTO', return_code: -1004 });
    await retryWaitsEndNow(t, sn, 1100);
    await reconciler.runOnce();
    await term.drain();
    // The USERPIC is held (sent again alone, as to a terminal that takes no comparison photos), the comparison photo
    // is said refused: the terminal is not said synced.
    expect(photoTables(term, '9103')).toEqual({ userpic: await storedPhoto('9103'), biophoto9: null });
    expect(await convergence(sn)).toMatchObject({ state: 'refused', refused: ['DATA UPDATE BIOPHOTO'], refusedItems: 1, unconfirmedItems: 1 });
    expect((await t.get('/api/gateway/persons/9103/devices')).body.data).toEqual([
      expect.objectContaining({
        deviceSn: sn,
        state: 'refused',
        holds: true,
        unconfirmed: ['photo'],
        refused: ['DATA UPDATE BIOPHOTO'],
        refusals: [expect.objectContaining({ what: 'DATA UPDATE BIOPHOTO', returnCode: -1004 })],
      }),
    ]);
  });

  it('a refused comparison photo does not hold back a new USERPIC: it goes and is held, the refusal still shown', async () => {
    const sn = 'ATT-BP-REFUSE-NEW';
    const term = await terminalInOwnArea(sn, V5L);
    term.failCommands((c) => c.startsWith('DATA UPDATE BIOPHOTO'), -1004, 'always');
    await personWithPhotoOn(sn, '9107');
    await term.drain();
    await retryWaitsEndNow(t, sn, 1100);
    await reconciler.runOnce();
    await term.drain();
    // A new photo before the refusal's probe: the display photo goes; the comparison photo is refused by the
    // terminal's table (the refusal is keyed by its table, not by a photo), so it waits for the probe.
    const pic = photoOf('a new photo of 9107');
    expect((await t.post('/api/person/add', { pin: '9107', name: 'P9107', personPhoto: pic })).body.code).toBe(0);
    const done = await ran(term, () => term.photos.get('9107')?.content === pic.replace(/\s+/g, ''));
    expect(done.map((d) => [head(d.command), d.returnCode])).toEqual([['DATA UPDATE USERPIC', 0]]);
    expect(photoTables(term, '9107')).toEqual({ userpic: await storedPhoto('9107'), biophoto9: null });
    await settleTerminal(reconciler, term);
    expect(await convergence(sn)).toMatchObject({ state: 'refused', refused: ['DATA UPDATE BIOPHOTO'], refusedItems: 1 });
    expect((await t.get('/api/gateway/persons/9107/devices')).body.data).toEqual([
      expect.objectContaining({ deviceSn: sn, state: 'refused', holds: true, refused: ['DATA UPDATE BIOPHOTO'] }),
    ]);
  });

  it('a photo enrolled at its keypad (OPERLOG USERPIC) is held as USERPIC only: the comparison photo is sent', async () => {
    const sn = 'ATT-BP-KEYPAD';
    const term = await terminalInOwnArea(sn, V5L);
    expect((await t.post('/api/person/add', { pin: '9108', name: 'P9108' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['9108'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    const pic = photoOf('keypad photo of 9108');
    term.photos.set('9108', { table: 'USERPIC', content: pic });
    expect((await term.uploadOperlog([`USERPIC PIN=9108\tFileName=9108.jpg\tSize=${pic.length}\tContent=${pic}`])).body).toBe('OK: 1');
    await reconciler.runOnce();
    const done = await ran(term, hasComparisonPhoto(term, '9108'));
    expect(done.filter((d) => head(d.command) === 'DATA UPDATE BIOPHOTO').map((d) => d.returnCode)).toEqual([0]);
    const photo = await storedPhoto('9108');
    expect(photo).toBe(pic);
    expect(photoTables(term, '9108')).toEqual({ userpic: photo, biophoto9: photo });
    await settleTerminal(reconciler, term);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });

  it('a reply lost: the photo is sent again, and the tables end equal to the database', async () => {
    const sn = 'ATT-BP-LOST';
    const term = await terminalInOwnArea(sn, V5L);
    expect((await t.post('/api/person/add', { pin: '9104', name: 'P9104', personPhoto: PHOTO })).body.code).toBe(0);
    term.loseNextReply();
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['9104'] })).body.code).toBe(0);
    expect(await term.poll()).toEqual([]);
    expect(term.lostReplies.some((r) => r.includes('DATA UPDATE BIOPHOTO PIN=9104\tType=9'))).toBe(true);
    expect(term.biophotos.has('9104')).toBe(false);
    // Past the timeout (ackTimeoutMs, 1 s here).
    await deliveriesAgeBy(t, sn, 1000);
    await reconciler.runOnce();
    const done = await ran(term, hasComparisonPhoto(term, '9104'));
    expect(done.filter((d) => head(d.command) === 'DATA UPDATE BIOPHOTO').map((d) => d.returnCode)).toEqual([0]);
    const photo = await storedPhoto('9104');
    expect(photoTables(term, '9104')).toEqual({ userpic: photo, biophoto9: photo });
    await settleTerminal(reconciler, term);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });
});

/** The terminal's items of `pin` as the gateway believes them held: kind → hash, failures, last error. */
async function itemsOf(sn: string, pin: string): Promise<Record<string, { hash: string | null; failures: number; lastError: string | null }>> {
  const rows: Array<{ kind: string; hash: string | null; failures: number; last_error: string | null }> = await t.ds.query(
    `SELECT i.kind, i.hash, i.failures, i.last_error FROM sync_item i JOIN device d ON d.id = i.device_id WHERE d.sn = $1 AND i.key = $2`,
    [sn, pin],
  );
  return Object.fromEntries(rows.map((r) => [r.kind, { hash: r.hash, failures: Number(r.failures), lastError: r.last_error }]));
}

describe('a face the terminal cannot detect, reported after its Return (ERRORLOG, manual 11.16)', () => {
  it('fails the BIOPHOTO command that carried it: the photo is no longer believed held, the other items stay confirmed', async () => {
    const sn = 'ATT-BP-ERRLOG';
    const term = await terminalInOwnArea(sn, V5L);
    await personWithPhotoOn(sn, '9120');
    await personWithPhotoOn(sn, '9121');
    await ran(term, () => hasComparisonPhoto(term, '9120')() && hasComparisonPhoto(term, '9121')());
    await settleTerminal(reconciler, term);
    const sent = (pin: string) => term.executed.filter((d) => d.command.startsWith(`DATA UPDATE BIOPHOTO PIN=${pin}\t`)).at(-1)!;
    expect(sent('9120').returnCode).toBe(0);
    const before = { a: await itemsOf(sn, '9120'), b: await itemsOf(sn, '9121') };
    expect(before.a.photo).toMatchObject({ failures: 0, lastError: null });
    expect(before.a.photo.hash).toMatch(/^bp9:/);

    // Its DataOrigin=dev record, and a CmdId of no command sent to it: stored, nothing else.
    expect((await term.errorLog(sent('9121'), 'D01E0001', { origin: 'dev' })).body.trim()).toBe('OK');
    expect((await term.errorLog({ ...sent('9121'), id: '987654321' })).body.trim()).toBe('OK');
    expect(await itemsOf(sn, '9121')).toEqual(before.b);

    // Face detection failed on 9120's comparison photo, after it answered Return=0.
    const r = await term.errorLog(sent('9120'), 'D01E0001');
    expect([r.status, r.body.trim()]).toEqual([200, 'OK']);
    expect(term.biophotos.has('9120')).toBe(false);
    const after = await itemsOf(sn, '9120');
    expect(after.photo.hash).not.toBe(before.a.photo.hash);
    expect(after.photo).toMatchObject({ failures: 1, lastError: 'ERRORLOG D01E0001: Face detection failed' });
    // The user and the other person's items stay confirmed as they were.
    expect(after.user).toEqual(before.a.user);
    expect(await itemsOf(sn, '9121')).toEqual(before.b);
    const [cmd] = await t.ds.query(`SELECT c.state, c.error FROM device_command c JOIN device_command_attempt a ON a.command_id = c.id WHERE a.attempt_id = $1`, [sent('9120').id]);
    expect(cmd).toEqual({ state: 'failed', error: 'ERRORLOG D01E0001: Face detection failed' });
    // Where failures are shown: the person's sync answer and the device's convergence.
    expect((await t.get('/api/gateway/persons/9120/devices')).body.data).toEqual([
      expect.objectContaining({ deviceSn: sn, state: 'divergent', unconfirmed: ['photo'], lastReturn: null, lastError: 'ERRORLOG D01E0001: Face detection failed' }),
    ]);
    expect(await convergence(sn)).toMatchObject({ divergent: true, failingItems: 1 });

    // The same record posted again (its reply lost): nothing more.
    expect((await term.errorLog(sent('9120'), 'D01E0001')).body.trim()).toBe('OK');
    expect(await itemsOf(sn, '9120')).toEqual(after);

    // After the backoff the photo is sent again; the face fails again: the next wait is longer, not the base again.
    const first = sent('9120').id;
    await ran(term, () => sent('9120').id !== first);
    expect(sent('9120').returnCode).toBe(0);
    await term.errorLog(sent('9120'), 'D01E0001');
    const [again] = await t.ds.query(
      `SELECT i.error_failures, i.failures, extract(epoch FROM i.next_try_at - now()) AS wait FROM sync_item i JOIN device d ON d.id = i.device_id WHERE d.sn = $1 AND i.key = '9120' AND i.kind = 'photo'`,
      [sn],
    );
    expect(Number(again.error_failures)).toBe(2);
    expect(Number(again.failures)).toBeGreaterThanOrEqual(2);
    expect(Number(again.wait)).toBeGreaterThan(1.5);
    expect(await itemsOf(sn, '9121')).toEqual(before.b);
  });
});

describe('a terminal that does not say it takes comparison photos', () => {
  it('gets USERPIC alone, as before', async () => {
    const sn = 'ATT-BP-NONE';
    const term = await terminalInOwnArea(sn);
    await personWithPhotoOn(sn, '9105');
    const done = await ran(term, hasUserpic(term, '9105'));
    expect(done.map((d) => [head(d.command), d.returnCode])).toEqual([
      ['DATA UPDATE USERINFO', 0],
      ['DATA UPDATE USERPIC', 0],
    ]);
    expect(photoTables(term, '9105')).toEqual({ userpic: await storedPhoto('9105'), biophoto9: null });
    await settleTerminal(reconciler, term);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });

  it('a terminal that takes only near-infrared face photos (no type 9) gets USERPIC alone', async () => {
    const sn = 'ATT-BP-NIR';
    const term = await terminalInOwnArea(sn, { multiBioPhotoSupport: '0:0:1:0:0:0:0:0:0:0' });
    await personWithPhotoOn(sn, '9106');
    expect((await ran(term, hasUserpic(term, '9106'))).map((d) => head(d.command))).toEqual(['DATA UPDATE USERINFO', 'DATA UPDATE USERPIC']);
  });
});

/** The photo items the gateway believes the terminal holds: their hashes (`bp9:` = USERPIC and BIOPHOTO Type=9). */
const heldPhotos = async (sn: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    (await t.ds.query(`SELECT s.key, s.hash FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 AND s.kind = 'photo' ORDER BY s.key`, [sn])).map(
      (r: { key: string; hash: string }) => [r.key, r.hash.startsWith('bp9:') ? 'USERPIC+BIOPHOTO' : 'USERPIC'],
    ),
  );

describe('where a terminal says it takes comparison photos', () => {
  it('a V5L that says so only by its INFO function bits (11110, no key in its options) gets BIOPHOTO Type=9', async () => {
    const sn = 'ATT-BP-INFO';
    const term = await terminalInOwnArea(sn, { ...V5L, bioPhotoOptions: false });
    expect(term.info().split(',')[9]).toBe('11110');
    await term.poll(true);
    await settleTerminal(reconciler, term);
    await personWithPhotoOn(sn, '9111');
    const done = await ran(term, hasComparisonPhoto(term, '9111'));
    expect(done.map((d) => [head(d.command), d.returnCode])).toEqual([
      ['DATA UPDATE USERINFO', 0],
      ['DATA UPDATE USERPIC', 0],
      ['DATA UPDATE BIOPHOTO', 0],
    ]);
    const photo = await storedPhoto('9111');
    expect(photoTables(term, '9111')).toEqual({ userpic: photo, biophoto9: photo });
    await settleTerminal(reconciler, term);
    expect(await heldPhotos(sn)).toEqual({ '9111': 'USERPIC+BIOPHOTO' });
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });
});

describe('a terminal that stops taking comparison photos', () => {
  /** A V5L holding 9121's photo as USERPIC and BIOPHOTO Type=9. */
  async function holdingComparisonPhoto(sn: string): Promise<AttendanceTerminal> {
    const term = await terminalInOwnArea(sn, V5L);
    await personWithPhotoOn(sn, '9121');
    await settleTerminal(reconciler, term);
    expect(await heldPhotos(sn)).toEqual({ '9121': 'USERPIC+BIOPHOTO' });
    return term;
  }

  /** After it stopped: nothing claimed held as a comparison photo, a new photo goes as USERPIC alone, its removal too. */
  async function plannedAsUserpicOnly(sn: string, term: AttendanceTerminal): Promise<void> {
    await settleTerminal(reconciler, term);
    expect(await heldPhotos(sn)).toEqual({ '9121': 'USERPIC' });
    await personWithPhotoOn(sn, '9122');
    expect((await ran(term, hasUserpic(term, '9122'))).map((d) => [head(d.command), d.returnCode])).toEqual([
      ['DATA UPDATE USERINFO', 0],
      ['DATA UPDATE USERPIC', 0],
    ]);
    await createOperator(t, `op${sn.slice(-4).toLowerCase()}`, 'admin');
    const c = await signIn(t, `op${sn.slice(-4).toLowerCase()}`, `op${sn.slice(-4).toLowerCase()}-password-1`);
    expect((await c.call('POST', 'persons', { pin: '9121', name: 'P9121', removePhoto: true })).body.code).toBe(0);
    expect((await ran(term, () => !hasUserpic(term, '9121')())).map((d) => [d.command, d.returnCode])).toEqual([['DATA DELETE USERPIC PIN=9121', 0]]);
    await settleTerminal(reconciler, term);
    expect(await heldPhotos(sn)).toEqual({ '9122': 'USERPIC' });
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0, refusedItems: 0 });
    expect(await t.ds.query(`SELECT what FROM device_refusal r JOIN device d ON d.id = r.device_id WHERE d.sn = $1`, [sn])).toEqual([]);
  }

  it('turned off at its menu, said by its INFO (comparison photo bit 0)', async () => {
    const sn = 'ATT-BP-OFF-INFO';
    const term = await holdingComparisonPhoto(sn);
    term.turnOffComparisonPhotos();
    expect(term.info().split(',')[9]).toBe('11100');
    await term.poll(true);
    await plannedAsUserpicOnly(sn, term);
  });

  it('turned off, said by its options push (BioPhotoFun=0)', async () => {
    const sn = 'ATT-BP-OFF-OPT';
    const term = await holdingComparisonPhoto(sn);
    term.turnOffComparisonPhotos(true);
    expect(await term.init()).toBe(true);
    await plannedAsUserpicOnly(sn, term);
  });

  it('turned off and on again in its options (the same options push as its first, not stored twice): sent them again', async () => {
    const sn = 'ATT-BP-OFF-ON';
    const term = await holdingComparisonPhoto(sn);
    term.turnOffComparisonPhotos(true);
    expect(await term.init()).toBe(true);
    await settleTerminal(reconciler, term);
    expect(await heldPhotos(sn)).toEqual({ '9121': 'USERPIC' });
    term.biophotos.clear();
    term.turnOnComparisonPhotos(V5L.multiBioPhotoSupport!);
    expect(await term.init()).toBe(true);
    expect((await ran(term, hasComparisonPhoto(term, '9121'))).map((d) => [head(d.command), d.returnCode])).toEqual([
      ['DATA UPDATE USERPIC', 0],
      ['DATA UPDATE BIOPHOTO', 0],
    ]);
    expect(photoTables(term, '9121')).toEqual({ userpic: await storedPhoto('9121'), biophoto9: await storedPhoto('9121') });
    await settleTerminal(reconciler, term);
    expect(await heldPhotos(sn)).toEqual({ '9121': 'USERPIC+BIOPHOTO' });
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });

  it('new firmware without comparison photos, whose options name neither key', async () => {
    const sn = 'ATT-BP-OFF-FW';
    const term = await holdingComparisonPhoto(sn);
    term.upgradeFirmware('Ver 8.0.5.1-20250101');
    term.turnOffComparisonPhotos();
    expect(await term.init()).toBe(true);
    await plannedAsUserpicOnly(sn, term);
  });
});
