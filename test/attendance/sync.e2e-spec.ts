import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUSH_SETTINGS, type PushSettings } from '../../src/push/push-settings';
import { parsePushCenterConfig } from '../../src/pushCenter/push-center.config';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { countQueries, notifiesLanded, pollQueries, sleep } from '../push/push-helpers';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { Device } from '../sync/access-helpers';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const FINGER = b64('finger six template for the terminals');

let t: TestApp;
beforeAll(async () => {
  // No Push Center pass and no planner-statistics pass during this file: their queries would land in the
  // idle-poll count below.
  t = await startTestApp({ pushCenter: { ...parsePushCenterConfig({}), pollMs: 60_000 }, statsRefreshMs: 0 });
  await t.post('/api/gateway/areas', { code: '2', name: 'Plant' });
});
afterAll(async () => {
  await t?.close();
});

const commandsOf = (sn: string) => t.ds.query(`SELECT command, state, return_code FROM device_command WHERE device_sn = $1 ORDER BY id`, [sn]);

describe('area membership delivers users and templates in the terminal dialect', () => {
  it('attAreaPerson/set puts the person (USERINFO, BIODATA) on the area terminals only, confirmed by Return; delete takes them off', async () => {
    const a = await initialisedTerminal(t, { sn: 'ATT-SYNC-A' });
    const other = await initialisedTerminal(t, { sn: 'ATT-SYNC-OTHER' });
    expect((await t.put('/api/gateway/devices/ATT-SYNC-OTHER/area', { areaCode: '2' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '3001', name: 'Cara', lastName: 'Diaz', cardNo: '123456' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '3001', validType: '1', template: FINGER, templateNo: '6' })).body.code).toBe(0);
    // Not in any attendance area yet: nothing for the terminals.
    expect(await commandsOf('ATT-SYNC-A')).toEqual([]);

    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['3001'] })).body).toEqual({ code: 0, message: 'success', data: null });
    const done = await a.drain();
    expect(done.map((d) => d.command)).toEqual([
      'DATA UPDATE USERINFO PIN=3001\tName=Cara Diaz\tPri=0\tPasswd=\tCard=123456\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=',
      `DATA UPDATE BIODATA Pin=3001\tNo=6\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${FINGER}`,
    ]);
    expect(done.every((d) => d.returnCode === 0)).toBe(true);
    expect(a.users.get('3001')).toMatchObject({ name: 'Cara Diaz', card: '123456', pri: 0 });
    expect(a.templatesOf('3001')).toHaveLength(1);
    expect((await commandsOf('ATT-SYNC-A')).map((c: { state: string }) => c.state)).toEqual(['done', 'done']);
    expect(await other.drain()).toEqual([]);

    // A person change reaches the terminal; an unchanged save sends nothing.
    await t.post('/api/person/add', { pin: '3001', name: 'Carla', lastName: 'Diaz', cardNo: '123456' });
    expect((await a.drain()).map((d) => d.command)).toEqual(['DATA UPDATE USERINFO PIN=3001\tName=Carla Diaz\tPri=0\tPasswd=\tCard=123456\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=']);
    await t.post('/api/person/add', { pin: '3001', name: 'Carla', lastName: 'Diaz', cardNo: '123456' });
    expect(await a.drain()).toEqual([]);

    // 2.8.1 with pins as a string, as the manual prints it (the DELETE is also served as POST).
    expect((await t.post('/api/attAreaPerson/delete', { code: '1', pins: '3001' })).body.code).toBe(0);
    expect((await a.drain()).map((d) => d.command)).toEqual(['DATA DELETE USERINFO PIN=3001']);
    expect(a.users.has('3001')).toBe(false);

    // Members of area 2 reach its terminal; moving the terminal to area 1 swaps its users (gateway extension).
    // Pins as JSON numbers, as PHP and Python integrations send them ((int) casts).
    expect((await t.post('/api/attAreaPerson/set', { code: 2, pins: [3001] })).body.code).toBe(0);
    await other.drain();
    expect(other.users.has('3001')).toBe(true);
    await t.post('/api/person/add', { pin: '3009', name: 'Zed' });
    await t.post('/api/attAreaPerson/set', { code: '1', pins: ['3009'] });
    await a.drain();
    expect((await t.put('/api/gateway/devices/ATT-SYNC-OTHER/area', { areaCode: '1' })).body.code).toBe(0);
    await other.drain();
    expect([...other.users.keys()]).toEqual(['3009']);
  });

  it('never sends an access-panel form to a terminal, and an access panel never gets terminal forms', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-NOACC' });
    const panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'ACC-BESIDE', doors: 1 });
    await panel.connect();
    await t.post('/api/person/add', { pin: '3002', name: 'Dan' });
    await t.post('/api/attAreaPerson/set', { code: '1', pins: ['3002'] });
    const all = (await commandsOf('ATT-NOACC')).map((c: { command: string }) => c.command);
    expect(all.length).toBeGreaterThan(0);
    for (const c of all) expect(c).not.toMatch(/^DATA (UPDATE|DELETE) (user|userauthorize|timezone|holiday|biodata|biophoto|templatev10)\b/);
    const panelCmds = (await commandsOf('ACC-BESIDE')).map((c: { command: string }) => c.command);
    for (const c of panelCmds) expect(c).not.toMatch(/USERINFO/);
    await term.drain();
  });

  it('editAttPerson: perDevAuth becomes the terminal Pri, verifyMode its Verify', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-PRI' });
    await t.post('/api/person/add', { pin: '3003', name: 'Eve' });
    await t.post('/api/attAreaPerson/set', { code: '1', pins: ['3003'] });
    await term.drain();
    expect((await t.post('/api/attPerson/editAttPerson', { isAttendance: false, perDevAuth: 14, personPin: 3003, verifyMode: 15 })).body).toEqual({ code: 0, message: 'success', data: null });
    const done = await term.drain();
    expect(done.map((d) => d.command)).toEqual(['DATA UPDATE USERINFO PIN=3003\tName=Eve\tPri=14\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=15\tViceCard=']);
    expect(term.users.get('3003')).toMatchObject({ pri: 14, verify: 15 });
    const [row] = await t.ds.query(`SELECT is_attendance, per_dev_auth, verify_mode FROM att_person ap JOIN person p ON p.id = ap.person_id WHERE p.pin = '3003'`);
    expect(row).toEqual({ is_attendance: false, per_dev_auth: 14, verify_mode: 15 });
    expect((await t.post('/api/attPerson/editAttPerson', { personPin: '3003', perDevAuth: 3 })).body.code).toBeLessThan(0);
    expect((await t.post('/api/attPerson/editAttPerson', { personPin: 'nobody', perDevAuth: 0 })).body.code).toBe(-22);
  });

  it('a new terminal in area 1 gets every member at its first initialisation', async () => {
    await t.post('/api/person/add', { pin: '3004', name: 'Fay' });
    await t.post('/api/attAreaPerson/set', { code: '1', pins: ['3004'] });
    const late = await initialisedTerminal(t, { sn: 'ATT-LATE' });
    // The full sync is queued right after the initialisation answer.
    for (const end = Date.now() + 20_000; (await commandsOf('ATT-LATE')).length === 0 && Date.now() < end; ) await sleep(50);
    await late.drain();
    expect(late.users.has('3004')).toBe(true);
  });
});

describe('the biometric types a terminal announces (attendance manual 3.1)', () => {
  it('BIODATA of a type the terminal did not announce in MultiBioDataSupport is not sent; announcing it later sends it', async () => {
    // Fingerprint and visible-light face only (the manual's device example), no near-infrared face (Type 2).
    const term = await initialisedTerminal(t, { sn: 'ATT-BIO-TYPES', multiBioDataSupport: '0:1:0:0:0:0:0:0:0:1' });
    for (const end = Date.now() + 20_000; (await commandsOf('ATT-BIO-TYPES')).length === 0 && Date.now() < end; ) await sleep(50);
    await term.drain();
    expect((await t.post('/api/person/add', { pin: '3101', name: 'Ines', lastName: 'Ruiz' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '3101', validType: '1', template: FINGER, templateNo: '2' })).body.code).toBe(0);
    const FACE = b64('near-infrared face part zero');
    expect((await t.post('/api/bioTemplate/add', { personId: '3101', validType: '1', template: FACE, templateNo: '0', bioType: '2', version: '7' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['3101'] })).body.code).toBe(0);
    const sent = (await term.drain()).map((d) => d.command);
    expect(sent.filter((c) => c.startsWith('DATA UPDATE BIODATA')).map((c) => /\tType=(\d+)/.exec(c)?.[1])).toEqual(['1']);
    expect(sent.every((c) => !c.includes('Type=2'))).toBe(true);
    expect(term.templatesOf('3101')).toHaveLength(1);

    // The terminal starts taking near-infrared faces (new firmware, its tables kept): its options push says so at
    // its next initialisation, and the face follows. The first reply to it is lost; it is offered again.
    term.announceBioTypes('0:1:1:0:0:0:0:0:0:1');
    term.holdResults((c) => c.includes('\tType=2\t'));
    expect(await term.init()).toBe(true);
    let first: string[] = [];
    for (const end = Date.now() + 20_000; first.length === 0 && Date.now() < end; ) {
      await term.drain();
      first = term.dropHeldResults().map((d) => d.command);
      if (first.length === 0) await sleep(50);
    }
    expect(first).toEqual([`DATA UPDATE BIODATA Pin=3101\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=2\tMajorVer=7\tMinorVer=0\tFormat=0\tTmp=${FACE}`]);
    term.stopHoldingResults();
    // The reconciler offers it again after the retry backoff; the terminal then holds what the database says.
    const reconciler = t.app.get(SyncReconciler);
    for (let i = 0; i < 100 && !(await typesHeld('ATT-BIO-TYPES', '3101')).includes(2); i++) {
      await reconciler.runOnce();
      await term.drain();
      await sleep(100);
    }
    const stored: Array<{ bio_type: number; template: string }> = await t.ds.query(
      `SELECT bt.bio_type, bt.template FROM bio_template bt JOIN person p ON p.id = bt.person_id WHERE p.pin = '3101' ORDER BY bt.bio_type`,
    );
    expect(term.templatesOf('3101').map((x) => [Number(x.fields.Type), x.fields.Tmp]).sort()).toEqual(stored.map((r) => [r.bio_type, r.template]));
    expect(term.users.get('3101')).toMatchObject({ name: 'Ines Ruiz' });
  });
});

/** The template Types the terminal confirmed holding for a pin (its `bio` item's hash starts with them). */
async function typesHeld(sn: string, pin: string): Promise<number[]> {
  const [r]: Array<{ hash: string | null }> = await t.ds.query(
    `SELECT i.hash FROM sync_item i JOIN device d ON d.id = i.device_id WHERE d.sn = $1 AND i.kind = 'bio' AND i.key = $2`,
    [sn, pin],
  );
  return r?.hash?.includes(':') ? r.hash.split(':')[0].split('.').map(Number) : [];
}

describe('a new terminal whose options push comes before the reconciler plans its owed full sync', () => {
  // Its options (PushOptionsFlag) plan its templates again against what it confirmed: nothing, so every member went out
  // then, and the full sync its initialisation owed sent every member again once a pass ran it (a late pass: a loaded
  // machine, another gateway process leading). That was terminal B's second full sync in CI (stop 50).
  it('is sent each member once', async () => {
    expect((await t.post('/api/person/add', { pin: '4201', name: 'Lee' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '4201', validType: '1', template: FINGER, templateNo: '2' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['4201'] })).body.code).toBe(0);
    const reconciler = t.app.get(SyncReconciler);
    await reconciler.idle();
    // The passes held off (a loaded machine, another process leading) while the terminal initialises and pushes its
    // options; the pass its initialisation kicks runs once they are let go.
    const run = reconciler.runOnce.bind(reconciler);
    let letGo!: () => void;
    const late = new Promise<void>((r) => (letGo = r));
    reconciler.runOnce = async () => {
      await late;
      return run();
    };
    let term: AttendanceTerminal;
    try {
      term = await initialisedTerminal(t, { sn: 'ATT-LATE-FULL' });
    } finally {
      letGo();
      reconciler.runOnce = run;
    }
    await settleTerminal(reconciler, term);
    const sent = term.executed.map((e) => e.command);
    expect(sent.filter((c) => c.startsWith('DATA UPDATE USERINFO PIN=4201\t'))).toHaveLength(1);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length - new Set(sent).size).toBe(0);
    const members: Array<{ pin: string }> = await t.ds.query(
      `SELECT p.pin FROM att_area_person ap JOIN device d ON d.area_id = ap.area_id JOIN person p ON p.id = ap.person_id WHERE d.sn = 'ATT-LATE-FULL' AND ap.module = 'att' ORDER BY 1`,
    );
    expect([...term.users.keys()].sort()).toEqual(members.map((r) => r.pin));
    expect(await t.ds.query(`SELECT o.kind FROM sync_owed o JOIN device d ON d.id = o.device_id WHERE d.sn = 'ATT-LATE-FULL'`)).toEqual([]);
  });
});

describe('enrolment at one terminal reaches the other terminals of the area', () => {
  it('a USER and BIODATA enrolled at terminal A appear on terminal B, and the person record is updated', async () => {
    const a = await initialisedTerminal(t, { sn: 'ATT-ENR-A' });
    const b = await initialisedTerminal(t, { sn: 'ATT-ENR-B' });
    // Each new terminal's full sync is queued by the worker right after its initialisation: wait for it, so that
    // it is not what B receives after the enrolment.
    for (const sn of ['ATT-ENR-A', 'ATT-ENR-B']) {
      for (const end = Date.now() + 20_000; (await commandsOf(sn)).length === 0 && Date.now() < end; ) await sleep(50);
    }
    // Then until the reconciler has nothing more for them: a drain right after the first commands came left a later
    // pass's work (CI, stop 50: B was sent every member again after the re-sent upload below).
    const reconciler = t.app.get(SyncReconciler);
    await settleTerminal(reconciler, a);
    await settleTerminal(reconciler, b);
    const r = await a.enrollUser({ pin: '4001', name: 'Gil', pri: 2 }, [{ fid: 3, tmp: b64('gil finger three') }]);
    expect(r.body).toBe('OK: 3');
    const onB = await b.drain();
    expect(onB.map((d) => d.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=4001', 'DATA UPDATE BIODATA Pin=4001']);
    expect(b.users.get('4001')).toMatchObject({ name: 'Gil', pri: 2 });
    expect(b.templatesOf('4001')).toHaveLength(1);
    // The origin is not sent its own enrolment back.
    expect(await a.drain()).toEqual([]);
    const person = (await t.get('/api/person/get/4001')).body;
    expect(person).toMatchObject({ code: 0, data: { pin: '4001', name: 'Gil' } });
    const [tpl] = await t.ds.query(`SELECT bio_type, template_no, source_sn FROM bio_template bt JOIN person p ON p.id = bt.person_id WHERE p.pin = '4001'`);
    expect(tpl).toEqual({ bio_type: 1, template_no: 3, source_sn: 'ATT-ENR-A' });
    // Re-sent upload: nothing new anywhere.
    await a.enrollUser({ pin: '4001', name: 'Gil', pri: 2 }, [{ fid: 3, tmp: b64('gil finger three') }]);
    expect(await b.drain()).toEqual([]);
  });

  it('an access panel holding the person gets the template enrolled at a terminal, in its own dialect', async () => {
    const panel = await Device.connect(t, 'ACC-ENR-1', 1, '10.7.0.1');
    await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'Enrol' }] });
    await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'Enrol', doorName: '10.7.0.1-1' }] });
    const [lvl] = await t.ds.query(`SELECT id FROM acc_level WHERE name = 'Enrol'`);
    await t.post('/api/person/add', { pin: '4003', name: 'Ida', accLevelIds: lvl.id });
    await t.post('/api/attAreaPerson/set', { code: '1', pins: ['4003'] });
    await panel.since();
    const term = await initialisedTerminal(t, { sn: 'ATT-ENR-C' });
    await term.drain();
    const tmp = b64('ida finger four');
    await term.enrollUser({ pin: '4003', name: 'Ida' }, [{ fid: 4, tmp }]);
    const got = await panel.since();
    expect(got.some((c) => c.startsWith('DATA UPDATE biodata Pin=4003') && c.includes(`Tmp=${tmp}`))).toBe(true);
    expect(got.some((c) => /USERINFO/.test(c))).toBe(false);
  });

  it('a terminal announcing an older protocol (2.2.14) gets fingerprints as FINGERTMP, and takes them', async () => {
    const legacy = await initialisedTerminal(t, { sn: 'ATT-LEGACY', pushver: '2.2.14', biodataFirmware: false });
    await legacy.drain();
    await t.post('/api/person/add', { pin: '4002', name: 'Hal' });
    await t.post('/api/bioTemplate/add', { personId: '4002', validType: '1', template: FINGER, templateNo: '2' });
    await t.post('/api/attAreaPerson/set', { code: '1', pins: ['4002'] });
    const done = await legacy.drain();
    expect(done.map((d) => d.command)).toContain(`DATA UPDATE FINGERTMP PIN=4002\tFID=2\tSize=${FINGER.length}\tValid=1\tTMP=${FINGER}`);
    expect(done.every((d) => d.returnCode === 0)).toBe(true);
  });

  it('a BIODATA terminal replaced under the same SN by an older unit (2.2.14, no BioData) gets the templates as FINGERTMP', async () => {
    expect((await t.post('/api/gateway/areas', { code: 'SWAP', name: 'Swap' })).body.code).toBe(0);
    const reconciler = t.app.get(SyncReconciler);
    const first = await initialisedTerminal(t, { sn: 'ATT-SWAP' });
    expect((await t.put('/api/gateway/devices/ATT-SWAP/area', { areaCode: 'SWAP' })).body.code).toBe(0);
    await t.post('/api/person/add', { pin: '4005', name: 'Uma' });
    await t.post('/api/bioTemplate/add', { personId: '4005', validType: '1', template: FINGER, templateNo: '5' });
    await t.post('/api/attAreaPerson/set', { code: 'SWAP', pins: ['4005'] });
    await settleTerminal(reconciler, first);
    expect(first.templatesOf('4005').map((x) => x.table)).toEqual(['BIODATA']);

    // The older unit takes over the SN with the users copied to it, not the templates (it has no BIODATA table):
    // its user count matches, and its options push (no BioDataFun, no MultiBioDataSupport) is its dialect.
    const older = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-SWAP', pushver: '2.2.14', biodataFirmware: false });
    for (const [pin, u] of first.users) older.users.set(pin, u);
    expect(await older.init()).toBe(true);
    await older.poll(true);
    await settleTerminal(reconciler, older);
    expect(older.templatesOf('4005').map((x) => [x.table, x.fields.FID, x.fields.TMP])).toEqual([['FINGERTMP', '5', FINGER]]);
  });

  it('a template added or deleted through 2.25, a card set through 2.4.2 and a template enrolled at an access panel reach the terminals holding the person', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-FOLLOW' });
    await settleTerminal(t.app.get(SyncReconciler), term); // the members of area 1 the earlier tests made
    await t.post('/api/person/add', { pin: '4010', name: 'Ola', cardNo: '111222' });
    await t.post('/api/attAreaPerson/set', { code: '1', pins: ['4010'] });
    expect((await term.drain()).map((d) => d.command)).toEqual(['DATA UPDATE USERINFO PIN=4010\tName=Ola\tPri=0\tPasswd=\tCard=111222\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=']);

    const finger = b64('ola finger three');
    expect((await t.post('/api/bioTemplate/add', { personId: '4010', validType: '1', template: finger, templateNo: '3' })).body.code).toBe(0);
    expect((await term.drain()).map((d) => d.command)).toEqual([
      `DATA UPDATE BIODATA Pin=4010\tNo=3\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${finger}`,
    ]);
    expect(term.templatesOf('4010')).toHaveLength(1);

    expect((await t.post('/api/card/set', { pin: '4010', cardNo: '333444', cardType: '0' })).body.code).toBe(0);
    expect((await term.drain()).map((d) => d.command)).toEqual(['DATA UPDATE USERINFO PIN=4010\tName=Ola\tPri=0\tPasswd=\tCard=333444\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=']);
    expect(term.users.get('4010')).toMatchObject({ card: '333444' });

    expect((await t.delete('/api/bioTemplate/deleteByPin/4010')).body.code).toBe(0);
    const removed = await term.drain();
    expect(removed.map((d) => d.command)).toContain('DATA DELETE BIODATA Pin=4010');
    expect(term.templatesOf('4010')).toEqual([]);
    expect(term.users.has('4010')).toBe(true);

    // A finger enrolled at an access panel (Security PUSH tabledata biodata) is the person's: the terminal gets it.
    const panelFinger = b64('ola finger five, enrolled at a panel');
    const up = await fetch(`${t.baseUrl}/iclock/cdata?SN=ACC-FOLLOW-1&table=tabledata&tablename=biodata&count=1`, {
      method: 'POST',
      body: `biodata Pin=4010\tNo=5\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${panelFinger}\n`,
    });
    expect(up.status).toBe(200);
    const [stored] = await t.ds.query(`SELECT count(*)::int AS n FROM bio_template bt JOIN person p ON p.id = bt.person_id WHERE p.pin = '4010'`);
    expect(stored).toEqual({ n: 1 });
    expect((await term.drain()).map((d) => d.command)).toEqual([
      `DATA UPDATE BIODATA Pin=4010\tNo=5\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${panelFinger}`,
    ]);
  });
});

describe('remote attendance (attendance manual 14)', () => {
  it('a PIN the terminal does not hold is answered with the person\'s USERINFO and templates, and is no initialisation', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-REMOTE' });
    await settleTerminal(t.app.get(SyncReconciler), term);
    const initBody = term.initBody;
    // A person of no attendance area (on a business trip): not on the terminal.
    await t.post('/api/person/add', { pin: '4020', name: 'Rui', lastName: 'Remote', cardNo: '4020', personPwd: '7788' });
    const finger = b64('rui finger one');
    await t.post('/api/bioTemplate/add', { personId: '4020', validType: '1', template: finger, templateNo: '1' });
    expect(await term.drain()).toEqual([]);
    const lastCommand = async () => (await t.ds.query(`SELECT coalesce(max(id), 0)::int AS id FROM device_command WHERE device_sn = 'ATT-REMOTE'`))[0].id;
    const before = await lastCommand();

    expect(await term.remoteAtt('4020')).toEqual([
      'DATA UPDATE USERINFO PIN=4020\tName=Rui Remote\tPri=0\tPasswd=7788\tCard=4020\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=',
      `DATA UPDATE BIODATA Pin=4020\tNo=1\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${finger}`,
    ]);
    expect(term.users.get('4020')).toMatchObject({ name: 'Rui Remote', card: '4020' });
    // Older firmware gets the manual's own FINGERTMP form.
    const legacy = await initialisedTerminal(t, { sn: 'ATT-REMOTE-OLD', pushver: '2.2.14', biodataFirmware: false });
    expect(await legacy.remoteAtt('4020')).toContain(`DATA UPDATE FINGERTMP PIN=4020\tFID=1\tSize=${finger.length}\tValid=1\tTMP=${finger}`);

    // Nobody by that PIN: a plain OK. Neither request was taken for an initialisation (no option block, no owed sync).
    const r = await fetch(`${t.baseUrl}/iclock/cdata?SN=ATT-REMOTE&table=RemoteAtt&PIN=40299`);
    expect(await r.text()).toBe('OK');
    expect(term.initBody).toBe(initBody);
    await t.app.get(SyncReconciler).idle();
    expect(await lastCommand()).toBe(before);
  });
});

describe('FaceKiosk', () => {
  it('insAreaPerson puts persons on kiosks; a blacklisted person is taken off (blocked) and put back when lifted', async () => {
    const kiosk = await initialisedTerminal(t, { sn: 'KIOSK-1', deviceType: 'ins' });
    const [d] = await t.ds.query(`SELECT kind FROM device WHERE sn = 'KIOSK-1'`);
    expect(d.kind).toBe('facekiosk');
    const list = (await t.get('/api/device/attAdDeviceList', { pageNo: 1, pageSize: 20 })).body;
    expect(list.data.map((x: { sn: string; module: string }) => [x.sn, x.module])).toEqual([['KIOSK-1', 'ins']]);
    await kiosk.drain();
    await t.post('/api/person/add', { pin: '5001', name: 'Ivy' });
    // The manual sends code as a number and pins as a comma string.
    expect((await t.post('/api/insAreaPerson/setAreaPerson', { code: 1, pins: '5001' })).body.code).toBe(0);
    await kiosk.drain();
    expect(kiosk.users.has('5001')).toBe(true);
    expect((await t.post('/api/attPerson/editInsPerson', { category: 2, perDevAuth: 0, personPin: 5001 })).body.code).toBe(0);
    expect((await kiosk.drain()).map((x) => x.command)).toEqual(['DATA DELETE USERINFO PIN=5001']);
    expect(kiosk.users.has('5001')).toBe(false);
    await t.post('/api/attPerson/editInsPerson', { category: 1, perDevAuth: 14, personPin: '5001' });
    await kiosk.drain();
    expect(kiosk.users.get('5001')).toMatchObject({ pri: 14 });
    expect((await t.post('/api/insAreaPerson/delAreaPerson', { code: 1, pins: '5001' })).body.code).toBe(0);
    await kiosk.drain();
    expect(kiosk.users.has('5001')).toBe(false);
  });
});

describe('gap recovery', () => {
  it('a terminal seen again after an outage is asked for the gap; the punches come back and are stored exactly once', async () => {
    const settings = t.app.get<PushSettings>(PUSH_SETTINGS);
    const saved = { ...settings };
    Object.assign(settings, { requestDelay: 0.1, onlineFloorMs: 300 });
    try {
      await t.post('/api/person/add', { pin: '6001', name: 'Jon' });
      const term = await initialisedTerminal(t, { sn: 'ATT-GAP' });
      await term.drain();
      const now = new Date();
      const wall = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
      await term.punch({ pin: '6001', time: wall(new Date(now.getTime() - 1000)), status: 0, verify: 1 });
      // The gateway is unreachable for the terminal: scans stay in its log.
      term.online = false;
      await term.punch({ pin: '6001', time: wall(now), status: 1, verify: 1 });
      await term.punch({ pin: '6001', time: wall(new Date(now.getTime() + 1000)), status: 0, verify: 15 });
      await new Promise((r) => setTimeout(r, 700));
      term.online = true;
      const done = await term.drain();
      const query = done.find((d) => d.command.startsWith('DATA QUERY ATTLOG'));
      expect(query?.command).toMatch(/^DATA QUERY ATTLOG StartTime=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\tEndTime=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(query?.returnCode).toBe(0);
      const stored = await t.ds.query(`SELECT pin, status FROM att_transaction WHERE device_sn = 'ATT-GAP' ORDER BY event_time`);
      expect(stored).toEqual([
        { pin: '6001', status: 0 },
        { pin: '6001', status: 1 },
        { pin: '6001', status: 0 },
      ]);
      // On demand (gateway extension): the same period again adds nothing.
      const from = wall(new Date(now.getTime() - 60_000));
      const to = wall(new Date(now.getTime() + 60_000));
      const r = await t.post('/api/gateway/attendance/terminals/ATT-GAP/recover', { startTime: from, endTime: to });
      expect(r.body).toEqual({ code: 0, message: 'success', data: `DATA QUERY ATTLOG StartTime=${from}\tEndTime=${to}` });
      await term.drain();
      expect(await t.ds.query(`SELECT 1 FROM att_transaction WHERE device_sn = 'ATT-GAP'`)).toHaveLength(3);
      // listAttTransaction shows them with the person's name.
      const list = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 10, personPin: '6001' })).body;
      expect(list.code).toBe(0);
      expect(list.data).toHaveLength(3);
      expect(list.data[0]).toMatchObject({ pin: '6001', name: 'Jon', devSn: 'ATT-GAP', eventName: 'Check-In', verifyModeName: expect.any(String), accZone: null });
    } finally {
      Object.assign(settings, saved);
    }
  });
});

describe('recovery and idle polls', () => {
  it('a recovery over a period without punches (Return=-1, "no records") is done, not failed', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-EMPTY' });
    await term.drain();
    const command = 'DATA QUERY ATTLOG StartTime=2020-01-01 00:00:00\tEndTime=2020-01-02 00:00:00';
    const r = await t.post('/api/gateway/attendance/terminals/ATT-EMPTY/recover', { startTime: '2020-01-01 00:00:00', endTime: '2020-01-02 00:00:00' });
    expect(r.body).toEqual({ code: 0, message: 'success', data: command });
    const done = await term.drain();
    // (The terminal-ready full sync may deliver area 1's members around it.)
    expect(done.filter((d) => d.command.startsWith('DATA QUERY')).map((d) => [d.command, d.returnCode])).toEqual([[command, -1]]);
    expect(await commandsOf('ATT-EMPTY')).toContainEqual({ command, state: 'done', return_code: -1 });
    // A day asked for by its date (start and end the same bare date) is the whole day, not the instant of its midnight.
    const day = await t.post('/api/gateway/attendance/terminals/ATT-EMPTY/recover', { startTime: '2020-01-03', endTime: '2020-01-03' });
    expect(day.body).toEqual({ code: 0, message: 'success', data: 'DATA QUERY ATTLOG StartTime=2020-01-03 00:00:00\tEndTime=2020-01-03 23:59:59' });
  });

  it('idle polls of a terminal cost no database query (its contact is noted in memory)', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-IDLE' });
    // The terminal-ready full sync (area 1's members) and the reconciler run in the background: until they are over.
    let settled = false;
    for (let i = 0; i < 30 && !settled; i++) {
      await term.drain();
      await sleep(100);
      await t.app.get(SyncReconciler).idle();
      settled = (await term.drain()).length === 0;
    }
    expect(settled).toBe(true);
    // The NOTIFY echo of the last commands sent raises the terminal's work flag once more: landed, and taken by a poll.
    await notifiesLanded(t);
    expect(await term.poll()).toEqual([]);
    const { queries } = await countQueries(async () => {
      for (let i = 0; i < 10; i++) expect(await term.poll()).toEqual([]);
    });
    // The batched last-seen write and the LISTEN heartbeat run on their own timers, whatever the poll count: not a poll's cost.
    expect(pollQueries(queries)).toEqual([]);
  });
});

describe('a terminal that only polls with INFO', () => {
  it('is taken for a terminal, stores its INFO and gets its area members', async () => {
    await t.post('/api/person/add', { pin: '7001', name: 'Kai' });
    await t.post('/api/attAreaPerson/set', { code: '1', pins: ['7001'] });
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'ATT-INFO-ONLY' });
    await term.poll(true);
    const [d] = await t.ds.query(`SELECT d.kind, at.info->>'firmware' AS firmware FROM device d JOIN att_terminal at ON at.device_id = d.id WHERE d.sn = 'ATT-INFO-ONLY'`);
    expect(d).toEqual({ kind: 'att', firmware: 'Ver 8.0.4.3-20220708' });
    for (const end = Date.now() + 20_000; (await commandsOf('ATT-INFO-ONLY')).length === 0 && Date.now() < end; ) await sleep(50);
    await term.drain();
    expect(term.users.has('7001')).toBe(true);
  });
});
