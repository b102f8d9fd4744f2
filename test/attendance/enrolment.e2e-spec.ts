/**
 * Enrolment at a terminal (OPERLOG / BIODATA uploads, attendance manual 11.4-11.13) as the README states it: USER,
 * FP, FACE, FVEIN, BIODATA and USERPIC lines update the person, created in department 1 when the PIN is new,
 * whether the PIN came on a USER line or only on template lines (field sample up-operlog-bock-oplog-fp); the USER
 * line's Passwd is the person's keypad password, kept and distributed, never blanked by an empty one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { readSpecJson } from '../fixtures/spec-files';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

interface FieldSample {
  id: string;
  request: { query: string | null; body: string | null } | null;
}

const samples = new Map(readSpecJson<{ samples: FieldSample[] }>('field-samples.json').samples.map((s) => [s.id, s]));
const b64 = (s: string) => Buffer.from(s).toString('base64');

let t: TestApp;
let reconciler: SyncReconciler;
/** A terminal of area 1 that receives what enrolments at the others fan out. */
let peer: AttendanceTerminal;

beforeAll(async () => {
  t = await startTestApp();
  reconciler = t.app.get(SyncReconciler);
  peer = await initialisedTerminal(t, { sn: 'ATT-ENROL-PEER' });
  await settle(peer);
});
afterAll(async () => {
  await t?.close();
});

const settle = (term: AttendanceTerminal, rounds = 10) => settleTerminal(reconciler, term, rounds);

const personOf = async (pin: string) =>
  (
    await t.ds.query(
      `SELECT p.name, p.password, d.code AS dept, (SELECT array_agg(a.code ORDER BY a.code) FROM att_area_person ap JOIN area a ON a.id = ap.area_id WHERE ap.person_id = p.id) AS areas
         FROM person p JOIN department d ON d.id = p.dept_id WHERE p.pin = $1`,
      [pin],
    )
  )[0];
const templatesOf = (pin: string) =>
  t.ds.query(
    `SELECT bt.bio_type, bt.template_no, bt.template, bt.source_sn FROM bio_template bt JOIN person p ON p.id = bt.person_id WHERE p.pin = $1 ORDER BY bt.bio_type, bt.template_no`,
    [pin],
  );

describe('templates for a PIN the gateway does not know', () => {
  it('field sample up-operlog-bock-oplog-fp: the FP lines create person 1 (department 1, no name) and the FID=1 template is stored', async () => {
    // The terminal of the sample, initialised with its own field sample (hs-bock-middle-east).
    const init = await fetch(`${t.baseUrl}/iclock/cdata?${samples.get('hs-bock-middle-east')!.request!.query}`);
    expect(await init.text()).toMatch(/^GET OPTION FROM: BOCK200961014\n/);
    await reconciler.idle();
    const sample = samples.get('up-operlog-bock-oplog-fp')!.request!;
    const upload = () => fetch(`${t.baseUrl}/iclock/cdata?${sample.query}`, { method: 'POST', body: sample.body! });
    const r = await upload();
    // 28 OPLOG and 2 FP processed; the damaged half of the FID=0 template is refused alone (kept raw), no record processed.
    expect([r.status, await r.text()]).toEqual([200, 'OK: 30']);

    expect(await personOf('1')).toEqual({ name: null, password: null, dept: '1', areas: ['1'] });
    // The sample's TMP holds `\/` (JSON escapes of a copied log): the device sent `/`, and Size=332 is its length.
    const fp1 = sample.body!.split('\r\n').find((l) => l.startsWith('FP PIN=1\tFID=1\t'))!;
    const tmp = fp1.slice(fp1.indexOf('TMP=') + 4).replace(/\\\//g, '/');
    expect(tmp).toHaveLength(332);
    expect(await templatesOf('1')).toContainEqual({ bio_type: 1, template_no: 1, template: tmp, source_sn: 'BOCK200961014' });
    const oplogs = await t.ds.query(`SELECT count(*)::int AS n FROM att_operlog WHERE device_sn = 'BOCK200961014'`);
    expect(oplogs).toEqual([{ n: 28 }]);

    // The person joined the terminal's area as a USER line makes them: its other terminals get them.
    await settle(peer);
    expect(peer.users.get('1')).toMatchObject({ name: '' });
    expect(peer.templatesOf('1').some((x) => x.fields.No === '1' && x.fields.Tmp === tmp)).toBe(true);

    // Sent again (the terminal did not read the answer): nothing new anywhere.
    expect(await (await upload()).text()).toBe('OK: 30');
    expect(await t.ds.query(`SELECT 1 FROM person WHERE pin = '1'`)).toHaveLength(1);
    await reconciler.idle();
    expect(await peer.drain()).toEqual([]);
  });

  it('a BIODATA face for a new PIN creates the person and reaches the other terminals; an invalid template creates nothing', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-FACE' });
    await settle(term);
    const face = b64('visible light face of 9102');
    const r = await term.uploadOperlog([
      `BIODATA Pin=9102\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=5\tMinorVer=8\tFormat=0\tTmp=${face}`,
      `FP PIN=9103\tFID=2\tSize=8\tValid=0\tTMP=${b64('invalid')}`,
    ]);
    expect(r.body).toBe('OK: 2');
    expect(await personOf('9102')).toEqual({ name: null, password: null, dept: '1', areas: ['1'] });
    expect(await templatesOf('9102')).toEqual([{ bio_type: 9, template_no: 0, template: face, source_sn: 'ATT-ENROL-FACE' }]);
    expect(await personOf('9103')).toBeUndefined();
    await settle(peer);
    expect(peer.users.has('9102')).toBe(true);
    expect(peer.templatesOf('9102').map((x) => [x.table, x.fields.Type, x.fields.Tmp])).toEqual([['BIODATA', '9', face]]);
    // The origin is not sent its own enrolment back.
    expect(await term.drain()).toEqual([]);
  });


  it('a template or photo whose data is no base64 (garbage from the terminal) is refused alone and kept raw: never stored, served or sent to the other terminals', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-GARBAGE' });
    await settle(term);
    const good = b64('finger 3 of 9104');
    const r = await term.uploadOperlog([
      'USER PIN=9104\tName=Garbage\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=0\tViceCard=',
      `FP PIN=9104\tFID=3\tSize=${good.length}\tValid=1\tTMP=${good}`,
      'FP PIN=9104\tFID=4\tSize=16\tValid=1\tTMP=!!not base64 @@',
      'BIODATA Pin=9104\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=5\tMinorVer=8\tFormat=0\tTmp=\u00e9t\u00e9*#',
      'USERPIC PIN=9104\tFileName=9104.jpg\tSize=9\tContent=<jpeg?>',
    ]);
    // The USER line and the good finger are the records processed.
    expect(r.body).toBe('OK: 2');
    expect(await templatesOf('9104')).toEqual([{ bio_type: 1, template_no: 3, template: good, source_sn: 'ATT-ENROL-GARBAGE' }]);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM device_upload WHERE device_sn = $1 AND table_name = 'OPERLOG.rejected'`, [term.sn]);
    expect(n).toBe(3);
    expect((await t.get('/api/v2/bioTemplate/getFgListByPin/9104')).body.data.map((x: { template: string }) => x.template)).toEqual([good]);
    await settle(peer);
    expect(peer.templatesOf('9104').map((x) => [x.table, x.fields.Type, x.fields.No, x.fields.Tmp])).toEqual([['BIODATA', '1', '3', good]]);
    // Sent again (its reply lost): answered alike, nothing more stored.
    expect((await term.resendLastOperlog()).body).toBe('OK: 2');
    expect(await templatesOf('9104')).toHaveLength(1);
  });
  it('a face enrolled again in fewer parts: the old surplus parts are deleted, in the database and on the other terminals', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-PARTS' });
    await settle(term);
    // A near-infrared face (Type 2) of 15 parts, then enrolled again at the terminal in 10.
    const parts = (n: number, v: string) =>
      Array.from({ length: n }, (_, i) => `BIODATA Pin=9110\tNo=0\tIndex=${i}\tValid=1\tDuress=0\tType=2\tMajorVer=5\tMinorVer=8\tFormat=0\tTmp=${b64(`${v} part ${i}`)}`);
    const tmps = (n: number, v: string) => Array.from({ length: n }, (_, i) => [String(i), b64(`${v} part ${i}`)]);
    const held = () => peer.templatesOf('9110').map((x) => [x.fields.Index, x.fields.Tmp]).sort((a, b) => Number(a[0]) - Number(b[0]));
    const stored = async () =>
      (await t.ds.query(`SELECT b.template_no_index AS i, b.template FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = '9110' ORDER BY 1`)).map(
        (r: { i: number; template: string }) => [String(r.i), r.template],
      );
    expect((await term.uploadOperlog(parts(15, 'first'))).body).toBe('OK: 15');
    await settle(peer);
    expect(held()).toEqual(tmps(15, 'first'));
    expect((await term.uploadOperlog(parts(10, 'again'))).body).toBe('OK: 10');
    expect(await stored()).toEqual(tmps(10, 'again'));
    const from = peer.executed.length;
    await settle(peer);
    expect(held()).toEqual(tmps(10, 'again'));
    // The slot deleted on the other terminal before its new parts went.
    expect(peer.executed.slice(from).map((d) => d.command.split('\tIndex=')[0])).toContain('DATA DELETE BIODATA Pin=9110\tType=2\tNo=0');
  });

  it('an enrolment with templates sent again after its person was deleted: the delete stands for the templates too, no nameless person comes back', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-AGAIN' });
    await settle(term);
    const finger = [{ fid: 1, tmp: b64('finger of 9105') }];
    expect((await term.enrollUser({ pin: '9105', name: 'Rae' }, finger)).body).toBe('OK: 3');
    await settle(peer);
    expect(peer.users.get('9105')).toMatchObject({ name: 'Rae' });
    expect((await t.delete('/api/person/delete/9105')).body.code).toBe(0);
    await settle(peer);
    await settle(term);
    expect(term.users.has('9105')).toBe(false);

    // The same lines again (USER identical to the last one applied from this terminal, and its template): as for the
    // USER line alone, the delete stands; the template line does not make person 9105 again, without a name.
    expect((await term.enrollUser({ pin: '9105', name: 'Rae' }, finger)).body).toBe('OK: 3');
    expect(await personOf('9105')).toBeUndefined();
    await settle(term);
    await settle(peer);
    expect(term.users.has('9105')).toBe(false);
    expect(peer.users.has('9105')).toBe(false);
    expect((await t.get('/api/gateway/devices/ATT-ENROL-AGAIN/convergence')).body.data).toMatchObject({ divergent: false, pendingCommands: 0 });
  });

  it('an enrolment with templates sent again after its person left the terminal\'s area: the terminal loses the user, as for the USER line alone', async () => {
    expect((await t.post('/api/gateway/areas', { code: 'ENROL-MOVED', name: 'ENROL-MOVED' })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-MOVED' });
    expect((await t.put('/api/gateway/devices/ATT-ENROL-MOVED/area', { areaCode: 'ENROL-MOVED' })).body.code).toBe(0);
    await settle(term);
    const finger = [{ fid: 1, tmp: b64('finger of 9106') }];
    expect((await term.enrollUser({ pin: '9106', name: 'Gil' }, finger)).body).toBe('OK: 3');
    await settle(term);
    expect((await t.delete('/api/attAreaPerson/delete', {}, { code: 'ENROL-MOVED', pins: '9106' })).body.code).toBe(0);
    await settle(term);
    expect(term.users.has('9106')).toBe(false);

    // The same lines again: the USER line is skipped (sent before), its template is stored on the person (who still
    // exists); the person is not in this terminal's area, so the user is taken off it again, not left there unknown.
    expect((await term.enrollUser({ pin: '9106', name: 'Gil' }, finger)).body).toBe('OK: 3');
    expect((await personOf('9106')).areas).toBeNull();
    await settle(term);
    expect(term.users.has('9106')).toBe(false);
    expect((await t.get('/api/gateway/devices/ATT-ENROL-MOVED/convergence')).body.data).toMatchObject({ divergent: false, pendingCommands: 0 });
  });

  it('a USERPIC for a new PIN becomes the person\'s photo and reaches the other terminals, not the terminal it came from', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-PIC' });
    await settle(term);
    const pic = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('user photo of 9104'), Buffer.from([0xff, 0xd9])]).toString('base64');
    const r = await term.uploadOperlog([`USERPIC PIN=9104\tFileName=9104.jpg\tSize=${pic.length}\tContent=${pic}`]);
    expect(r.body).toBe('OK: 1');
    const [row] = await t.ds.query(`SELECT photo FROM person WHERE pin = '9104'`);
    expect(row).toEqual({ photo: pic });
    await settle(peer);
    expect(peer.photos.get('9104')).toEqual({ table: 'USERPIC', content: pic });
    // The origin holds the photo it uploaded: it gets neither the photo nor anything else back.
    await reconciler.idle();
    expect((await term.drain()).map((c) => c.command)).toEqual([]);
    // A later USER line from the same terminal (a name typed in) does not send the photo back either.
    expect((await term.uploadOperlog([`USER PIN=9104\tName=Pic\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1`])).body).toBe('OK: 1');
    await reconciler.idle();
    expect((await term.drain()).map((c) => c.command)).toEqual([]);
  });
});

describe("the USER line's Passwd", () => {
  it('a password set at the terminal is the new person\'s personPwd, sent to the other terminals, and never wiped on the origin by a later sync', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-PWD' });
    await settle(term);
    expect((await term.enrollUser({ pin: '9201', name: 'Pia', passwd: '4321' })).body).toBe('OK: 2');
    expect(await personOf('9201')).toMatchObject({ name: 'Pia', password: '4321', dept: '1' });
    expect((await t.get('/api/v2/person/get', { pin: '9201' })).body.data).toMatchObject({ pin: '9201', name: 'Pia', personPwd: '4321' });
    await settle(peer);
    expect(peer.users.get('9201')).toMatchObject({ name: 'Pia', passwd: '4321' });
    expect(await term.drain()).toEqual([]);

    // A later change from REST reaches the origin with the password it holds, not `Passwd=`.
    expect((await t.post('/api/person/add', { pin: '9201', name: 'Pia', lastName: 'Ros' })).body.code).toBe(0);
    await settle(term);
    expect(term.executed.map((e) => e.command).filter((c) => c.startsWith('DATA UPDATE USERINFO PIN=9201'))).toEqual([
      'DATA UPDATE USERINFO PIN=9201\tName=Pia Ros\tPri=0\tPasswd=4321\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=',
    ]);
    expect(term.users.get('9201')).toMatchObject({ name: 'Pia Ros', passwd: '4321' });
  });

  it('an empty Passwd never blanks the stored password; a new one replaces it; one another person holds is not taken', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-PWD2' });
    await settle(term);
    expect((await t.post('/api/person/add', { pin: '9202', name: 'Quin', personPwd: '5555' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '9203', name: 'Rhea', personPwd: '6666' })).body.code).toBe(0);

    await term.uploadOperlog(['USER PIN=9202\tName=Quin\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=']);
    expect(await personOf('9202')).toMatchObject({ password: '5555' });
    await term.uploadOperlog(['USER PIN=9202\tName=Quin\tPri=0\tPasswd=7777\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=']);
    expect(await personOf('9202')).toMatchObject({ password: '7777' });
    // 6666 is Rhea's: REST would answer "The password has been used"; the upload keeps Quin's.
    await term.uploadOperlog(['USER PIN=9202\tName=Quin\tPri=0\tPasswd=6666\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=']);
    expect(await personOf('9202')).toMatchObject({ password: '7777' });
    expect(await personOf('9203')).toMatchObject({ password: '6666' });
  });
});

describe('the terminal an enrolment came from, with a REST change of the same person in flight (outside-in probe)', () => {
  const userLine = (pin: string, name: string, card = '') => `USER PIN=${pin}\tName=${name}\tPri=0\tPasswd=\tCard=${card}\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=`;

  it('a REST edit queued before the terminal\'s own edit runs first, and the terminal is brought back to the database after it', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-RACE' });
    await settle(term);
    expect((await term.uploadOperlog([userLine('9301', 'Orig')])).status).toBe(200);
    await settle(term);
    // HR renames the person: the command is queued for the terminal, which has not polled yet...
    expect((await t.post('/api/person/add', { pin: '9301', name: 'RestName' })).body.code).toBe(0);
    // ...when someone edits the user at the terminal, which uploads it: the database now says TermEdit.
    expect((await term.uploadOperlog([userLine('9301', 'TermEdit')])).status).toBe(200);
    expect((await personOf('9301')).name).toBe('TermEdit');
    await settle(term);
    // The stale RestName command ran, and the terminal got the database's record after it.
    expect(term.users.get('9301')?.name).toBe('TermEdit');
    expect((await t.get('/api/gateway/devices/ATT-ENROL-RACE/convergence')).body.data).toMatchObject({ divergent: false, unconfirmedItems: 0 });
  });

  it('a name the terminal gives back cut to its 24-byte field is no rename: the stored name stays whole', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-CUT' });
    await settle(term);
    expect((await t.post('/api/person/add', { pin: '9320', name: 'Maximilian Alexander', lastName: 'Schwarzenegger' })).body.code).toBe(0);
    await settle(term);
    // The terminal holds what its name field holds, and uploads that (an enrolment at the terminal sends the user).
    expect((await term.uploadOperlog([userLine('9320', 'Maximilian Alexander Sc')])).status).toBe(200);
    expect((await personOf('9320')).name).toBe('Maximilian Alexander');
    expect(await t.ds.query(`SELECT last_name FROM person WHERE pin = '9320'`)).toEqual([{ last_name: 'Schwarzenegger' }]);
    // A real rename at the terminal is still taken.
    expect((await term.uploadOperlog([userLine('9320', 'Max')])).status).toBe(200);
    expect((await personOf('9320')).name).toBe('Max');
  });

  it('a terminal edited back to a name it sent before (renamed by REST since) is brought back to the database (found by the convergence property, FC_NAMES=1 seed 707)', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-BACK' });
    await settle(term);
    expect((await term.enrollUser({ pin: '9330', name: 'Eve' })).body).toMatch(/^OK: /);
    expect((await personOf('9330')).name).toBe('Eve');
    expect((await t.post('/api/person/add', { pin: '9330', name: 'Zoë Li' })).body.code).toBe(0);
    await settle(term);
    expect(term.users.get('9330')?.name).toBe('Zoë Li');
    // Enrolled again at the menu as before: the very line the gateway applied first, so skipped (a replay must not
    // undo the REST rename), and the terminal, which now holds "Eve", is sent the database's record.
    expect((await term.enrollUser({ pin: '9330', name: 'Eve' })).body).toMatch(/^OK: /);
    await settle(term);
    expect((await personOf('9330')).name).toBe('Zoë Li');
    expect(term.users.get('9330')?.name).toBe('Zoë Li');
  });

  it('a terminal edited back to a privilege it sent before (changed by editAttPerson since) is brought back to the database (found by the convergence property, FC_NAMES=1 seed 909)', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-PRI' });
    await settle(term);
    expect((await term.enrollUser({ pin: '9331', name: 'Pat' })).body).toMatch(/^OK: /);
    expect((await t.post('/api/attPerson/editAttPerson', { personPin: '9331', perDevAuth: 14, isAttendance: true, verifyMode: 0 })).body.code).toBe(0);
    await settle(term);
    expect(term.users.get('9331')?.pri).toBe(14);
    // Enrolled again at the menu as an ordinary user, the very line applied first: skipped, and the terminal is sent
    // the database's record (a super administrator).
    expect((await term.enrollUser({ pin: '9331', name: 'Pat' })).body).toMatch(/^OK: /);
    await settle(term);
    expect((await t.get('/api/gateway/attendance/persons/9331')).body.data).toMatchObject({ perDevAuth: 14, terminalDisabled: false });
    expect(term.users.get('9331')?.pri).toBe(14);
  });

  it('a card the database refused (another person holds it) does not stay on the terminal the line came from', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-ENROL-CARD' });
    await settle(term);
    expect((await t.post('/api/person/add', { pin: '9310', name: 'Holder', cardNo: '77770001' })).body.code).toBe(0);
    // The terminal enrols 9311 with that card (its own table holds it, as the simulator's does after an upload).
    expect((await term.uploadOperlog([userLine('9311', 'Second', '77770001')])).status).toBe(200);
    term.users.set('9311', { pin: '9311', name: 'Second', pri: 0, passwd: '', card: '77770001', grp: 1, tz: '0000000000000000', verify: -1, fields: {} });
    await settle(term);
    expect((await t.get('/api/person/get/9311')).body.data).toMatchObject({ pin: '9311', cardNo: '' });
    // The terminal is sent the database's record of 9311: without the card.
    expect(term.users.get('9311')?.card ?? '').toBe('');
  });
});
