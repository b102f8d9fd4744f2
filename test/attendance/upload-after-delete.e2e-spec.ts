/**
 * A person deleted through REST while a device still holds them: the gateway queues the device's delete, and before
 * the device runs it (or while its result is not in yet), the device uploads the user record it held for that pin
 * (edited at its keypad, or an upload made before the delete and sent again after a lost reply): a terminal's OPERLOG
 * USER line (attendance 11.5), a panel's `tabledata user` (security 7.5). That record is stale: it must not bring the
 * person back (in no level, no area), which left the database holding a person the integrator deleted and the device
 * no longer held. The upload is still answered as usual, and its other lines are taken. The same pin enrolled after
 * the delete was confirmed is a new person, and so is one uploaded by a device no delete of it was queued to. Each
 * test ends with the device's tables as the database says and nothing pending.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { panelInLevel } from '../sync/access-helpers';
import type { DeviceSimulator, DeviceSimulatorOptions } from '../simulator/device-simulator';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { initialisedTerminal, nothingPending, pendingOn as pendingOnDevice, settlePanel as settlePanelOf, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const personOf = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body;
const exists = async (pin: string) => (await personOf(pin)).code === 0;
const pendingOn = (sn: string) => pendingOnDevice(t, sn);
const settlePanel = (sim: DeviceSimulator) => settlePanelOf(reconciler, sim);

/** A `tabledata user` record as a panel uploads it (security 7.5, lower-case keys). */
const panelUser = (uid: number, pin: string, name: string, cardno = '') => ({ uid, cardno, pin, password: '', group: 0, starttime: 0, endtime: 0, name, privilege: 0, disable: 0, verify: 0 });

/** A person added through REST with a level on the panel, held there once the panel is settled. */
async function heldOnPanel(sn: string, ip: string, pin: string, opts: Partial<DeviceSimulatorOptions> = {}): Promise<DeviceSimulator> {
  const { sim, level } = await panelInLevel(t, sn, ip, sn, opts);
  expect((await t.post('/api/person/add', { pin, name: 'Held', cardNo: `88${pin}`, accLevelIds: level })).body.code).toBe(0);
  await settlePanel(sim);
  expect(sim.user(pin)).toBeDefined();
  return sim;
}

/** A person added through REST in attendance area 1, held by the terminal once it is settled. */
async function heldOnTerminal(sn: string, pin: string): Promise<AttendanceTerminal> {
  const term = await initialisedTerminal(t, { sn });
  expect((await t.post('/api/person/add', { pin, name: 'Held' })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: [pin] })).body.code).toBe(0);
  await settleTerminal(reconciler, term);
  expect(term.users.has(pin)).toBe(true);
  return term;
}

const userLine = (pin: string, name: string) => `USER PIN=${pin}\tName=${name}\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=`;

describe('an access panel uploads a user whose delete it has not run yet', () => {
  it('edited at its keypad before the delete reached it: the person stays deleted, the panel loses the user; a new pin in the same upload is taken', async () => {
    const sim = await heldOnPanel('UAD-PANEL-1', '10.9.2.1', '720001');
    expect((await t.post('/api/person/delete/720001')).body.code).toBe(0);
    await reconciler.idle();
    // Renamed at its keypad, and another user enrolled, before it polled: one upload of both.
    sim.addLocally('user', { Pin: '720001', Name: 'Edited', CardNo: '88720001', Password: '', Privilege: 0 });
    sim.addLocally('user', { Pin: '720002', Name: 'Newcomer', CardNo: '', Password: '', Privilege: 0 });
    expect((await sim.uploadTable('user', [panelUser(1, '720001', 'Edited', '88720001'), panelUser(2, '720002', 'Newcomer')])).body).toBe('user=2');
    expect(await exists('720001')).toBe(false);
    expect(await personOf('720002')).toMatchObject({ code: 0, data: { name: 'Newcomer', accLevelIds: '' } });
    await settlePanel(sim);
    expect([sim.user('720001'), await exists('720001')]).toEqual([undefined, false]);
    // The newcomer the panel enrolled stays there, as any user enrolled at a panel (device-users spec).
    expect(sim.user('720002')).toMatchObject({ Name: 'Newcomer' });
    expect(await pendingOn('UAD-PANEL-1')).toEqual(nothingPending);
  });

  it('an upload made before it ran the delete, sent again after the delete ran but before its result came in: the person stays deleted', async () => {
    const sim = await heldOnPanel('UAD-PANEL-2', '10.9.2.2', '720011');
    expect((await t.post('/api/person/delete/720011')).body.code).toBe(0);
    await reconciler.idle();
    sim.holdResults((c) => c.verb === 'DATA DELETE');
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.user('720011')).toBeUndefined();
    expect((await sim.uploadTable('user', [panelUser(11, '720011', 'Edited', '88720011')])).body).toBe('user=1');
    expect(await exists('720011')).toBe(false);
    sim.stopHoldingResults();
    await sim.releaseResults();
    await settlePanel(sim);
    expect([sim.user('720011'), await exists('720011')]).toEqual([undefined, false]);
    expect(await pendingOn('UAD-PANEL-2')).toEqual(nothingPending);
  });

  it('the same pin enrolled at its keypad after the delete was confirmed is a new person, held there', async () => {
    const sim = await heldOnPanel('UAD-PANEL-3', '10.9.2.3', '720021');
    expect((await t.post('/api/person/delete/720021')).body.code).toBe(0);
    await settlePanel(sim);
    expect(sim.user('720021')).toBeUndefined();
    expect((await sim.enrollUserLocally({ uid: 21, pin: '720021', name: 'Again' })).body).toBe('user=1');
    expect(await personOf('720021')).toMatchObject({ code: 0, data: { name: 'Again', accLevelIds: '' } });
    await settlePanel(sim);
    expect(sim.user('720021')).toMatchObject({ Name: 'Again' });
    expect(await pendingOn('UAD-PANEL-3')).toEqual(nothingPending);
  });

  it('another panel, that no delete of the pin was queued to, enrolling it meanwhile makes a new person', async () => {
    const sim = await heldOnPanel('UAD-PANEL-4', '10.9.2.4', '720031');
    const { sim: other } = await panelInLevel(t, 'UAD-PANEL-5', '10.9.2.5', 'UAD-PANEL-5');
    expect((await t.post('/api/person/delete/720031')).body.code).toBe(0);
    await reconciler.idle();
    expect((await other.enrollUserLocally({ uid: 31, pin: '720031', name: 'Elsewhere' })).body).toBe('user=1');
    expect(await personOf('720031')).toMatchObject({ code: 0, data: { name: 'Elsewhere', accLevelIds: '' } });
    await settlePanel(sim);
    await settlePanel(other);
    // The first panel ran its delete (the new person has no right there); the other keeps its enrolment.
    expect([sim.user('720031'), other.user('720031')?.Name]).toEqual([undefined, 'Elsewhere']);
    expect(await pendingOn('UAD-PANEL-4')).toEqual(nothingPending);
    expect(await pendingOn('UAD-PANEL-5')).toEqual(nothingPending);
  });
});

describe('an attendance terminal uploads a user whose delete it has not run yet', () => {
  it('edited at its keypad before the delete reached it: the person stays deleted, the terminal loses the user; a new pin in the same upload is taken', async () => {
    const term = await heldOnTerminal('UAD-TERM-1', '720101');
    expect((await t.post('/api/person/delete/720101')).body.code).toBe(0);
    await reconciler.idle();
    term.users.get('720101')!.name = 'Edited';
    expect((await term.uploadOperlog([userLine('720101', 'Edited'), userLine('720102', 'Newcomer')])).body).toBe('OK: 2');
    expect(await exists('720101')).toBe(false);
    expect(await personOf('720102')).toMatchObject({ code: 0, data: { name: 'Newcomer' } });
    await settleTerminal(reconciler, term);
    expect([term.users.has('720101'), await exists('720101')]).toEqual([false, false]);
    expect(await pendingOn('UAD-TERM-1')).toEqual(nothingPending);
  });

  it("while its record's put is unanswered (run, the result not in yet): the person stays deleted, and the terminal loses the user", async () => {
    const term = await initialisedTerminal(t, { sn: 'UAD-TERM-2' });
    await settleTerminal(reconciler, term);
    expect((await t.post('/api/person/add', { pin: '720111', name: 'Held' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['720111'] })).body.code).toBe(0);
    await reconciler.idle();
    term.holdResults((c) => c.startsWith('DATA UPDATE USERINFO'));
    await term.drain();
    expect(term.users.has('720111')).toBe(true);
    expect((await t.post('/api/person/delete/720111')).body.code).toBe(0);
    await reconciler.idle();
    term.users.get('720111')!.name = 'Edited';
    expect((await term.uploadUser('720111')).body).toBe('OK: 1');
    expect(await exists('720111')).toBe(false);
    term.stopHoldingResults();
    await term.releaseResults();
    await settleTerminal(reconciler, term);
    expect([term.users.has('720111'), await exists('720111')]).toEqual([false, false]);
    expect(await pendingOn('UAD-TERM-2')).toEqual(nothingPending);
  });

  it('the same pin enrolled at its keypad after the delete was confirmed is a new person, in its area, held there', async () => {
    const term = await heldOnTerminal('UAD-TERM-3', '720121');
    expect((await t.post('/api/person/delete/720121')).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect(term.users.has('720121')).toBe(false);
    expect((await term.enrollUser({ pin: '720121', name: 'Again' })).body).toBe('OK: 2');
    expect(await personOf('720121')).toMatchObject({ code: 0, data: { name: 'Again' } });
    await settleTerminal(reconciler, term);
    expect(term.users.get('720121')).toMatchObject({ name: 'Again' });
    expect(await pendingOn('UAD-TERM-3')).toEqual(nothingPending);
  });

  it('another terminal, that no delete of the pin was queued to, enrolling it meanwhile makes a new person in its own area', async () => {
    expect((await t.post('/api/gateway/areas', { code: 'UAD-B', name: 'UAD-B' })).body.code).toBe(0);
    const term = await heldOnTerminal('UAD-TERM-4', '720131');
    const other = await initialisedTerminal(t, { sn: 'UAD-TERM-5' });
    expect((await t.put('/api/gateway/devices/UAD-TERM-5/area', { areaCode: 'UAD-B' })).body.code).toBe(0);
    await settleTerminal(reconciler, other);
    expect((await t.post('/api/person/delete/720131')).body.code).toBe(0);
    await reconciler.idle();
    expect((await other.enrollUser({ pin: '720131', name: 'Elsewhere' })).body).toBe('OK: 2');
    expect(await personOf('720131')).toMatchObject({ code: 0, data: { name: 'Elsewhere' } });
    await settleTerminal(reconciler, term);
    await settleTerminal(reconciler, other);
    expect([term.users.has('720131'), other.users.get('720131')?.name]).toEqual([false, 'Elsewhere']);
    const areas = await t.ds.query(`SELECT a.code FROM att_area_person ap JOIN area a ON a.id = ap.area_id JOIN person p ON p.id = ap.person_id WHERE p.pin = '720131'`);
    expect(areas).toEqual([{ code: 'UAD-B' }]);
    expect(await pendingOn('UAD-TERM-4')).toEqual(nothingPending);
    expect(await pendingOn('UAD-TERM-5')).toEqual(nothingPending);
  });
});

/**
 * Deleted through REST and added again (the same pin, a new name and card) before the device ran the delete: the
 * device's upload of the record it held (edited at its keypad, or sent again after a lost reply) is the deleted
 * person's, not the new one's. It must not write its old name and card over the new person: person/get answers what
 * REST wrote, and the device ends holding that.
 */
describe('a person deleted and added again through REST before the device ran the delete', () => {
  const templateCount = async (pin: string) => (await t.ds.query(`SELECT count(*)::int AS n FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = $1`, [pin]))[0].n;

  /** Held on the panel, deleted, and added again in the same level as Renewed with card 99<pin>, nothing run yet. */
  async function readdedOnPanel(sn: string, ip: string, pin: string, opts: Partial<DeviceSimulatorOptions> = {}): Promise<DeviceSimulator> {
    const sim = await heldOnPanel(sn, ip, pin, opts);
    const level = (await personOf(pin)).data.accLevelIds;
    expect((await t.post(`/api/person/delete/${pin}`)).body.code).toBe(0);
    await reconciler.idle();
    expect((await t.post('/api/person/add', { pin, name: 'Renewed', cardNo: `99${pin}`, accLevelIds: level })).body.code).toBe(0);
    await reconciler.idle();
    return sim;
  }

  /** The old record's line as the terminal holds it (its old card 88<pin>), and a fingerprint line of it. */
  const oldLine = (pin: string, name: string) => `USER PIN=${pin}\tName=${name}\tPri=0\tPasswd=\tCard=88${pin}\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=`;
  const oldFinger = (pin: string) => {
    const tmp = Buffer.from(`old finger of ${pin}`).toString('base64');
    return `FP PIN=${pin}\tFID=1\tSize=${tmp.length}\tValid=1\tTMP=${tmp}`;
  };
  /** Settled: the terminal holds the REST record, person/get answers it, nothing pending. */
  async function renewedOnTerminal(term: AttendanceTerminal, pin: string): Promise<void> {
    await settleTerminal(reconciler, term);
    expect(term.users.get(pin)).toMatchObject({ name: 'Renewed', card: `99${pin}` });
    expect(await personOf(pin)).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: `99${pin}` } });
    expect(await pendingOn(term.sn)).toEqual(nothingPending);
  }

  /** Held on the terminal, deleted, and added again in its area as Renewed with card 99<pin>, nothing run yet. */
  async function readdedOnTerminal(sn: string, pin: string): Promise<AttendanceTerminal> {
    const term = await heldOnTerminal(sn, pin);
    expect((await t.post(`/api/person/delete/${pin}`)).body.code).toBe(0);
    await reconciler.idle();
    expect((await t.post('/api/person/add', { pin, name: 'Renewed', cardNo: `99${pin}` })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: [pin] })).body.code).toBe(0);
    await reconciler.idle();
    return term;
  }

  it('an access panel uploads the old record edited at its keypad: the new person keeps the REST name and card, the panel gets them', async () => {
    const sim = await readdedOnPanel('UAD-READD-P1', '10.9.2.11', '720201');
    // Renamed at its keypad before it polled (its old card), and another user enrolled: one upload of both.
    sim.addLocally('user', { Pin: '720201', Name: 'Edited', CardNo: '88720201', Password: '', Privilege: 0 });
    sim.addLocally('user', { Pin: '720202', Name: 'Newcomer', CardNo: '', Password: '', Privilege: 0 });
    expect((await sim.uploadTable('user', [panelUser(1, '720201', 'Edited', '88720201'), panelUser(2, '720202', 'Newcomer')])).body).toBe('user=2');
    expect(await personOf('720201')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99720201' } });
    expect(await personOf('720202')).toMatchObject({ code: 0, data: { name: 'Newcomer' } });
    await settlePanel(sim);
    expect(sim.user('720201')).toMatchObject({ Name: 'Renewed', CardNo: '99720201' });
    expect(await personOf('720201')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99720201' } });
    expect(sim.user('720202')).toMatchObject({ Name: 'Newcomer' });
    expect(await pendingOn('UAD-READD-P1')).toEqual(nothingPending);
  });

  it("an access panel's old upload sent again while its delete's result is not in: the new person keeps the REST values", async () => {
    const sim = await readdedOnPanel('UAD-READD-P2', '10.9.2.12', '720211');
    sim.holdResults((c) => c.verb === 'DATA DELETE');
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect((await sim.uploadTable('user', [panelUser(11, '720211', 'Held', '88720211')])).body).toBe('user=1');
    expect(await personOf('720211')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99720211' } });
    sim.stopHoldingResults();
    await sim.releaseResults();
    await settlePanel(sim);
    expect(sim.user('720211')).toMatchObject({ Name: 'Renewed', CardNo: '99720211' });
    expect(await personOf('720211')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99720211' } });
    expect(await pendingOn('UAD-READD-P2')).toEqual(nothingPending);
  });

  it('an access panel uploads a fingerprint and photo of the old record (enrolled at its keypad before the delete ran): the new person gets neither, the panel loses the fingerprint', async () => {
    const sim = await readdedOnPanel('UAD-READD-P3', '10.9.2.13', '720221');
    const tmp = Buffer.from('old finger of 720221').toString('base64');
    const finger = { pin: '720221', no: 1, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp };
    sim.addLocally('biodata', { Pin: '720221', No: 1, Index: 0, Valid: 1, Duress: 0, Type: 1, MajorVer: 10, MinorVer: 0, Format: 0, Tmp: tmp });
    expect((await sim.uploadTable('biodata', [finger])).status).toBe(200);
    expect(await templateCount('720221')).toBe(0);
    // Its photo too (userpic, 7.10), the old person's face.
    const content = Buffer.from('old face of 720221').toString('base64');
    expect((await sim.uploadTable('userpic', [{ pin: '720221', filename: '720221.jpg', size: content.length, content }])).status).toBe(200);
    expect(await t.ds.query(`SELECT photo FROM person WHERE pin = '720221'`)).toEqual([{ photo: null }]);
    await settlePanel(sim);
    expect(sim.user('720221')).toMatchObject({ Name: 'Renewed', CardNo: '99720221' });
    expect(sim.table('biodata').filter((r) => r.Pin === '720221')).toEqual([]);
    expect(await templateCount('720221')).toBe(0);
    expect(await pendingOn(sim.sn)).toEqual(nothingPending);
  });

  it('an older panel (templatev10) uploads a fingerprint of the old record: the new person gets no template, the panel loses it', async () => {
    const sim = await readdedOnPanel('UAD-READD-P4', '10.9.2.14', '720231', { pushVersion: '2.2.0' });
    const template = Buffer.from('old finger of 720231').toString('base64');
    sim.addLocally('templatev10', { Pin: '720231', FingerID: 2, Valid: 1, Template: template });
    expect((await sim.uploadTable('templatev10', [{ size: template.length, uid: 31, pin: '720231', fingerid: 2, valid: 1, template, resverd: '', endtag: '' }])).status).toBe(200);
    expect(await templateCount('720231')).toBe(0);
    await settlePanel(sim);
    expect(sim.user('720231')).toMatchObject({ Name: 'Renewed', CardNo: '99720231' });
    expect(sim.table('templatev10').filter((r) => r.Pin === '720231')).toEqual([]);
    expect(await templateCount('720231')).toBe(0);
    expect(await pendingOn(sim.sn)).toEqual(nothingPending);
  });

  it('an attendance terminal uploads the old record edited at its keypad, with a fingerprint: the new person keeps the REST values and gets no template', async () => {
    const term = await readdedOnTerminal('UAD-READD-T1', '720301');
    expect((await term.uploadOperlog([oldLine('720301', 'Edited'), oldFinger('720301'), userLine('720302', 'Newcomer')])).body).toBe('OK: 3');
    expect(await personOf('720301')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99720301' } });
    expect(await templateCount('720301')).toBe(0);
    expect(await personOf('720302')).toMatchObject({ code: 0, data: { name: 'Newcomer' } });
    await renewedOnTerminal(term, '720301');
  });

  it("an attendance terminal's old record sent while its delete's result is not in: the new person keeps the REST values", async () => {
    const term = await readdedOnTerminal('UAD-READD-T2', '720311');
    term.holdResults((c) => c.startsWith('DATA DELETE USERINFO'));
    await term.drain();
    // The old record, as it held it before the delete ran (its upload sent again after a lost reply).
    expect((await term.uploadOperlog([oldLine('720311', 'Held')])).body).toBe('OK: 1');
    expect(await personOf('720311')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99720311' } });
    term.stopHoldingResults();
    await term.releaseResults();
    await renewedOnTerminal(term, '720311');
  });

  it("an attendance terminal's fingerprint alone of the old record (no USER line): the new person gets no template", async () => {
    const term = await readdedOnTerminal('UAD-READD-T3', '720321');
    expect((await term.uploadOperlog([oldFinger('720321')])).body).toBe('OK: 1');
    expect(await templateCount('720321')).toBe(0);
    await renewedOnTerminal(term, '720321');
    expect(await templateCount('720321')).toBe(0);
  });
});

/**
 * Deleted through REST and NOT added again: a template or photo of the pin (a finger or face enrolled at the device's
 * keypad before the delete reached it, or an upload made before the delete and sent again after a lost reply) arrives
 * while the delete is queued, while it ran with its result not in, or after it was confirmed. It brings nobody back and
 * stores nothing, and the device ends holding nothing of the pin: no user, no template, no photo, no rights.
 */
describe("a deleted person's template or photo uploaded by the device holding it", () => {
  const templateCount = async (pin: string) => (await t.ds.query(`SELECT count(*)::int AS n FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = $1`, [pin]))[0].n;
  const rowsOf = (sim: DeviceSimulator, pin: string) =>
    Object.fromEntries(
      (['user', 'userauthorize', 'biodata', 'biophoto', 'userpic'] as const).map((table) => [table, sim.table(table).filter((r) => String(r.Pin ?? r.pin ?? r.PIN) === pin).length]),
    );
  const nothingOf = { user: 0, userauthorize: 0, biodata: 0, biophoto: 0, userpic: 0 };

  /** A fingerprint and face photo enrolled at the panel's keypad (held in its tables: biodata, biophoto Type 9), and their `tabledata` records. */
  function enrolAtPanel(sim: DeviceSimulator, pin: string) {
    const tmp = Buffer.from(`finger of ${pin}`).toString('base64');
    const content = Buffer.from(`face of ${pin}`).toString('base64');
    sim.addLocally('biodata', { Pin: pin, No: 1, Index: 0, Valid: 1, Duress: 0, Type: 1, MajorVer: 10, MinorVer: 0, Format: 0, Tmp: tmp });
    sim.addLocally('biophoto', { PIN: pin, Type: 9, No: 0, Index: 0, Size: content.length, Content: content, Format: 0 });
    return {
      finger: { pin, no: 1, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp },
      photo: { pin, filename: `${pin}.jpg`, type: 9, size: content.length, content },
    };
  }
  async function upload(sim: DeviceSimulator, pin: string, records: ReturnType<typeof enrolAtPanel>): Promise<void> {
    expect((await sim.uploadTable('biodata', [records.finger])).status).toBe(200);
    expect((await sim.uploadTable('biophoto', [records.photo])).status).toBe(200);
    expect([await exists(pin), await templateCount(pin)]).toEqual([false, 0]);
  }
  async function goneFromPanel(sim: DeviceSimulator, pin: string): Promise<void> {
    await settlePanel(sim);
    expect(rowsOf(sim, pin)).toEqual(nothingOf);
    expect([await exists(pin), await templateCount(pin)]).toEqual([false, 0]);
    expect(await pendingOn(sim.sn)).toEqual(nothingPending);
    expect((await t.get(`/api/gateway/devices/${sim.sn}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
  }

  it('an access panel uploads them while the delete is queued: nothing stored, the panel loses them', async () => {
    const sim = await heldOnPanel('UAD-GONE-P1', '10.9.2.21', '720401');
    expect((await t.post('/api/person/delete/720401')).body.code).toBe(0);
    await reconciler.idle();
    await upload(sim, '720401', enrolAtPanel(sim, '720401'));
    await goneFromPanel(sim, '720401');
  });

  it("an access panel's upload made before it ran the delete, arriving while the delete's result is not in: nothing stored, the panel loses them", async () => {
    const sim = await heldOnPanel('UAD-GONE-P2', '10.9.2.22', '720411');
    const records = enrolAtPanel(sim, '720411');
    expect((await t.post('/api/person/delete/720411')).body.code).toBe(0);
    await reconciler.idle();
    sim.holdResults((c) => c.verb === 'DATA DELETE');
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.user('720411')).toBeUndefined();
    await upload(sim, '720411', records);
    sim.stopHoldingResults();
    await sim.releaseResults();
    await goneFromPanel(sim, '720411');
  });

  it("an access panel's upload made before the delete, sent again after the delete was confirmed: nothing stored, the panel loses them", async () => {
    const sim = await heldOnPanel('UAD-GONE-P3', '10.9.2.23', '720421');
    const records = enrolAtPanel(sim, '720421');
    expect((await t.post('/api/person/delete/720421')).body.code).toBe(0);
    await settlePanel(sim);
    expect(sim.user('720421')).toBeUndefined();
    await upload(sim, '720421', records);
    await goneFromPanel(sim, '720421');
  });

  it("an older panel's (templatev10) fingerprint made before the delete, sent again after the delete was confirmed: the panel loses it", async () => {
    const sim = await heldOnPanel('UAD-GONE-P4', '10.9.2.24', '720431', { pushVersion: '2.2.0' });
    const template = Buffer.from('finger of 720431').toString('base64');
    sim.addLocally('templatev10', { Pin: '720431', FingerID: 2, Valid: 1, Template: template });
    expect((await t.post('/api/person/delete/720431')).body.code).toBe(0);
    await settlePanel(sim);
    expect(sim.user('720431')).toBeUndefined();
    expect((await sim.uploadTable('templatev10', [{ size: template.length, uid: 31, pin: '720431', fingerid: 2, valid: 1, template, resverd: '', endtag: '' }])).status).toBe(200);
    await settlePanel(sim);
    expect(sim.table('templatev10').filter((r) => r.Pin === '720431')).toEqual([]);
    expect([await exists('720431'), await templateCount('720431')]).toEqual([false, 0]);
    expect(await pendingOn(sim.sn)).toEqual(nothingPending);
  });

  /** A fingerprint enrolled at the terminal (held in its tables), and its OPERLOG FP line. */
  function enrolAtTerminal(term: AttendanceTerminal, pin: string): string {
    const tmp = Buffer.from(`finger of ${pin}`).toString('base64');
    term.templates.push({ table: 'FINGERTMP', pin, fields: { PIN: pin, FID: '1', Size: String(tmp.length), Valid: '1', TMP: tmp } });
    return `FP PIN=${pin}\tFID=1\tSize=${tmp.length}\tValid=1\tTMP=${tmp}`;
  }
  async function goneFromTerminal(term: AttendanceTerminal, pin: string): Promise<void> {
    await settleTerminal(reconciler, term);
    expect([term.users.has(pin), term.templatesOf(pin).length, term.photos.has(pin)]).toEqual([false, 0, false]);
    expect([await exists(pin), await templateCount(pin)]).toEqual([false, 0]);
    expect(await pendingOn(term.sn)).toEqual(nothingPending);
    expect((await t.get(`/api/gateway/devices/${term.sn}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
  }

  it('an attendance terminal uploads a fingerprint line while the delete is queued: nobody created, the terminal loses it', async () => {
    const term = await heldOnTerminal('UAD-GONE-T1', '720501');
    expect((await t.post('/api/person/delete/720501')).body.code).toBe(0);
    await reconciler.idle();
    expect((await term.uploadOperlog([enrolAtTerminal(term, '720501')])).body).toBe('OK: 1');
    expect([await exists('720501'), await templateCount('720501')]).toEqual([false, 0]);
    await goneFromTerminal(term, '720501');
  });

  it("an attendance terminal's fingerprint line made before it ran the delete, arriving while the delete's result is not in: nobody created", async () => {
    const term = await heldOnTerminal('UAD-GONE-T2', '720511');
    const line = enrolAtTerminal(term, '720511');
    expect((await t.post('/api/person/delete/720511')).body.code).toBe(0);
    await reconciler.idle();
    term.holdResults((c) => c.startsWith('DATA DELETE'));
    await term.drain();
    expect(term.users.has('720511')).toBe(false);
    expect((await term.uploadOperlog([line])).body).toBe('OK: 1');
    expect([await exists('720511'), await templateCount('720511')]).toEqual([false, 0]);
    term.stopHoldingResults();
    await term.releaseResults();
    await goneFromTerminal(term, '720511');
  });

  it("an attendance terminal's fingerprint line made before the delete, sent again after the delete was confirmed: nobody created", async () => {
    const term = await heldOnTerminal('UAD-GONE-T3', '720521');
    const line = enrolAtTerminal(term, '720521');
    expect((await t.post('/api/person/delete/720521')).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect(term.users.has('720521')).toBe(false);
    expect((await term.uploadOperlog([line])).body).toBe('OK: 1');
    expect([await exists('720521'), await templateCount('720521')]).toEqual([false, 0]);
    await goneFromTerminal(term, '720521');
  });
});

describe('a terminal enrols at its keypad a person who left', () => {
  it('is not said synced while it holds that user, and loses it; the person stays left', async () => {
    const term = await heldOnTerminal('UAD-TERM-L1', '720101');
    expect((await t.post('/api/person/leave', { pin: '720101' })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect(term.users.has('720101')).toBe(false);
    expect((await term.enrollUser({ pin: '720101', name: 'Back' })).status).toBe(200);
    await reconciler.idle();
    const synced = async () => {
      const c = (await t.get(`/api/gateway/devices/${term.sn}/convergence`)).body.data;
      return !c.divergent && c.pendingCommands === 0 && c.unconfirmedItems === 0;
    };
    if (term.users.has('720101')) expect(await synced()).toBe(false);
    await settleTerminal(reconciler, term);
    expect(term.users.has('720101')).toBe(false);
    expect(await synced()).toBe(true);
    expect(await pendingOn(term.sn)).toEqual(nothingPending);
    expect(await t.ds.query(`SELECT status FROM person WHERE pin = '720101'`)).toEqual([{ status: 'left' }]);
  });
});
