/**
 * Fault combinations an outside black-box suite plays against attendance terminals (Attendance PUSH), not covered by
 * the other terminal specs: the replies carrying DATA UPDATE USERINFO, the fingerprint and DATA DELETE USERINFO lost in
 * turn while the person's card and name change and they move to another area; results answered twice with opposite
 * codes and results for another terminal's ids; a firmware upgrade (FINGERTMP to BIODATA) between a fingerprint's
 * delivery and its result. Each test asserts the exact command lines the terminal ran and ends with its users and
 * fingerprints equal to what the database gives its area, and the convergence answer saying synced. The upgrade
 * tests found that a terminal moved from FINGERTMP to BIODATA firmware kept every finger twice (FINGERTMP beside
 * BIODATA) while said synced: the set's rewrite now also clears the separate tables its held slots name.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { sleep } from '../push/push-helpers';
import { claimsSynced, convergenceOf, ok } from '../sync/fault-helpers';
import type { AttendanceTerminal, AttendanceTerminalOptions } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, nothingPending, pendingOn, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 300, syncRetryMaxMs: 600 }, (app) => ({ t, reconciler } = app));

const b64 = (x: string) => Buffer.from(x).toString('base64');

async function terminalInOwnArea(sn: string, opts: Partial<AttendanceTerminalOptions> = {}): Promise<AttendanceTerminal> {
  await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
  const term = await initialisedTerminal(t, { sn, ...opts });
  await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
  await settleTerminal(reconciler, term);
  return term;
}

/** Reconciler passes and polls (retries wait a few hundred ms here) until the terminal is said synced, at most 15 rounds. */
async function converge(term: AttendanceTerminal): Promise<void> {
  for (let i = 0; i < 15; i++) {
    await settleTerminal(reconciler, term);
    if (claimsSynced(await convergenceOf(t, term.sn)) && term.pendingAcks.length === 0) return;
    await sleep(300);
    await reconciler.runOnce();
    // A count judged at an INFO that came while commands were in flight waits for the next INFO (pending until then):
    // the terminal's periodic INFO poll.
    await term.poll(true);
  }
}

/** What the terminal holds of users and fingers: `pin name card` and `pin No=Tmp`, sorted. */
function held(term: AttendanceTerminal): { users: string[]; fingers: string[] } {
  const users = [...term.users.values()].map((u) => `${u.pin} ${u.name} ${u.card}`).sort();
  const fingers = term.templates
    .filter((x) => x.table === 'BIODATA' ? x.fields.Type === '1' : x.table === 'FINGERTMP')
    .map((x) => `${x.pin} ${x.table} ${x.fields.No ?? x.fields.FID}=${x.fields.Tmp ?? x.fields.TMP}`)
    .sort();
  return { users, fingers };
}

/** What the database gives the terminals of area `code`: its active members' users and fingers, in `table`. */
async function wanted(code: string, table: 'BIODATA' | 'FINGERTMP'): Promise<{ users: string[]; fingers: string[] }> {
  const members: Array<{ pin: string }> = await t.ds.query(
    `SELECT p.pin FROM att_area_person ap JOIN area a ON a.id = ap.area_id JOIN person p ON p.id = ap.person_id AND p.status = 'active'
      WHERE ap.module = 'att' AND a.code = $1 ORDER BY p.pin`,
    [code],
  );
  const users: string[] = [];
  const fingers: string[] = [];
  for (const { pin } of members) {
    const p = (await t.get(`/api/person/get/${pin}`)).body.data as { name: string; cardNo: string };
    users.push(`${pin} ${p.name} ${p.cardNo ?? ''}`);
    const rows: Array<{ template_no: number; template: string }> = await t.ds.query(
      `SELECT b.template_no, b.template FROM bio_template b JOIN person p ON p.id = b.person_id WHERE p.pin = $1 AND b.bio_type = 1`,
      [pin],
    );
    for (const r of rows) fingers.push(`${pin} ${table} ${r.template_no}=${r.template}`);
  }
  return { users: users.sort(), fingers: fingers.sort() };
}

async function expectEqualAndSynced(term: AttendanceTerminal, table: 'BIODATA' | 'FINGERTMP' = 'BIODATA'): Promise<void> {
  await converge(term);
  expect(held(term)).toEqual(await wanted(term.sn, table));
  const c = await convergenceOf(t, term.sn);
  expect(claimsSynced(c), JSON.stringify(c)).toBe(true);
  expect(await pendingOn(t, term.sn)).toEqual(nothingPending);
}

/** The commands the terminal ran from `from` on (its `executed` log), with their Return codes. */
const ranSince = (term: AttendanceTerminal, from: number) => term.executed.slice(from).map((e) => [e.command, e.returnCode] as const);

describe('replies lost in turn while the person changes and moves', () => {
  it('USERINFO lost, then the fingerprint lost, then the card and name changed, then moved away with the DATA DELETE lost', async () => {
    const term = await terminalInOwnArea('OUTH-ATT1');
    await ok(t.post('/api/gateway/areas', { code: 'OUTH-ATT1-B', name: 'no terminals' }));
    await ok(t.post('/api/person/add', { pin: '5101', name: 'Eva', cardNo: '510001' }));
    term.loseNextReply();
    await ok(t.post('/api/attAreaPerson/set', { code: 'OUTH-ATT1', pins: ['5101'] }));
    await reconciler.idle();
    expect(await term.poll()).toEqual([]);
    expect(term.lostReplies.at(-1)).toMatch(/^C:\d+:DATA UPDATE USERINFO PIN=5101\tName=Eva\t/);
    await expectEqualAndSynced(term);
    const user = term.executed.at(-1)!;
    expect(user.command).toMatch(/^DATA UPDATE USERINFO PIN=5101\tName=Eva\tPri=0\tPasswd=\tCard=510001\t/);

    // The fingerprint's reply lost.
    let from = term.executed.length;
    term.loseNextReply();
    await ok(t.post('/api/bioTemplate/add', { personId: '5101', validType: '1', template: b64('finger 2 of 5101'), templateNo: '2' }));
    await reconciler.idle();
    expect(await term.poll()).toEqual([]);
    expect(term.lostReplies.at(-1)).toContain(`DATA UPDATE BIODATA Pin=5101\t`);
    // The card and name change while the fingerprint is in doubt.
    await ok(t.post('/api/person/add', { pin: '5101', name: 'Eve', cardNo: '510002' }));
    await expectEqualAndSynced(term);
    const ran = ranSince(term, from);
    expect(ran.every(([, rc]) => rc === 0)).toBe(true);
    expect(ran.map(([c]) => c.split('\t')[0])).toEqual(expect.arrayContaining(['DATA UPDATE BIODATA Pin=5101', 'DATA UPDATE USERINFO PIN=5101']));
    expect(ran.find(([c]) => c.startsWith('DATA UPDATE BIODATA'))![0]).toBe(`DATA UPDATE BIODATA Pin=5101\tNo=2\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${b64('finger 2 of 5101')}`);
    expect(term.users.get('5101')).toMatchObject({ name: 'Eve', card: '510002' });

    // Moved to an area without terminals: the DATA DELETE's reply is lost, then it is run.
    from = term.executed.length;
    term.loseNextReply();
    await ok(t.post('/api/attAreaPerson/set', { code: 'OUTH-ATT1-B', pins: ['5101'] }));
    await ok(t.delete('/api/attAreaPerson/delete', {}, { code: 'OUTH-ATT1', pins: '5101' }));
    await reconciler.idle();
    expect(await term.poll()).toEqual([]);
    expect(term.lostReplies.at(-1)).toContain('DATA DELETE USERINFO PIN=5101');
    await expectEqualAndSynced(term);
    expect(term.users.has('5101')).toBe(false);
    expect(term.templatesOf('5101')).toEqual([]);
    expect(ranSince(term, from).map(([c]) => c)).toContain('DATA DELETE USERINFO PIN=5101');
  });
});

describe('results answered twice, and results for another terminal\'s ids', () => {
  it('a success followed by a refusal of the same id, and another terminal\'s ids refused, change nothing', async () => {
    const a = await terminalInOwnArea('OUTH-ATT2');
    const b = await terminalInOwnArea('OUTH-ATT3');
    await ok(t.post('/api/person/add', { pin: '5201', name: 'Fay', cardNo: '520001' }));
    b.holdResults();
    await ok(t.post('/api/attAreaPerson/set', { code: 'OUTH-ATT2', pins: ['5201'] }));
    await ok(t.post('/api/attAreaPerson/set', { code: 'OUTH-ATT3', pins: ['5201'] }));
    await reconciler.idle();
    const ranA = await a.poll();
    const ranB = await b.poll();
    expect(ranA.map((e) => [e.command.split('\t')[0], e.returnCode])).toEqual([['DATA UPDATE USERINFO PIN=5201', 0]]);
    expect(ranB.map((e) => e.command)).toEqual(ranA.map((e) => e.command));
    // a posts its result again as a refusal, and refusals for b's id and for an id never handed out.
    const body = [...ranA, ...ranB].map((e) => `ID=${e.id}&Return=-1002&CMD=DATA`).concat('ID=987654321&Return=-1004&CMD=DATA').join('\n') + '\n';
    const res = await fetch(`${t.baseUrl}/iclock/devicecmd?SN=OUTH-ATT2`, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } });
    expect(res.status).toBe(200);
    b.stopHoldingResults();
    await b.releaseResults();
    const fromA = a.executed.length;
    const fromB = b.executed.length;
    for (const term of [a, b]) await expectEqualAndSynced(term);
    // Nothing was sent again to either.
    expect(ranSince(a, fromA)).toEqual([]);
    expect(ranSince(b, fromB)).toEqual([]);
    const refusals = await t.ds.query(`SELECT count(*)::int AS n FROM device_refusal r JOIN device d ON d.id = r.device_id WHERE d.sn IN ('OUTH-ATT2', 'OUTH-ATT3')`);
    expect(refusals[0].n).toBe(0);
  });
});

describe('a firmware upgrade between a fingerprint\'s delivery and its result', () => {
  it('the late success of the FINGERTMP written before the upgrade does not stand for the BIODATA the new firmware reads', async () => {
    const term = await terminalInOwnArea('OUTH-ATT4', { biodataFirmware: false });
    await ok(t.post('/api/person/add', { pin: '5301', name: 'Gil' }));
    await ok(t.post('/api/attAreaPerson/set', { code: 'OUTH-ATT4', pins: ['5301'] }));
    await ok(t.post('/api/bioTemplate/add', { personId: '5301', validType: '1', template: b64('finger 3 of 5301'), templateNo: '3' }));
    await expectEqualAndSynced(term, 'FINGERTMP');
    // A second finger goes as FINGERTMP; the terminal runs it but its result is held.
    term.holdResults();
    await ok(t.post('/api/bioTemplate/add', { personId: '5301', validType: '1', template: b64('finger 4 of 5301'), templateNo: '4' }));
    await reconciler.idle();
    const ran = await term.poll();
    expect(ran.map((e) => e.id)).toEqual(term.pendingAcks.map((e) => e.id));
    expect(term.pendingAcks.map((e) => e.command)).toEqual([`DATA UPDATE FINGERTMP PIN=5301\tFID=4\tSize=${b64('finger 4 of 5301').length}\tValid=1\tTMP=${b64('finger 4 of 5301')}`]);
    // Upgraded to BIODATA firmware; it initialises again, then posts the old result.
    term.stopHoldingResults();
    term.upgradeFirmware('Ver 8.0.5.1-20250101');
    expect(await term.init()).toBe(true);
    const upgradedAt = term.executed.length;
    await term.releaseResults();
    await expectEqualAndSynced(term, 'BIODATA');
    // Its fingers were cleared from FINGERTMP as well as BIODATA before they were written as BIODATA: held once.
    const after = ranSince(term, upgradedAt).filter(([c]) => c.startsWith('DATA '));
    expect(after.every(([, rc]) => rc === 0)).toBe(true);
    // Only this person's template tables were cleared: BIODATA, and FINGERTMP whole or by FID. (How many of them depends
    // on when the held result lands: a reinitialisation and the options it pushed, whose FPVersion changed with the
    // firmware, may each plan the set again.) Both fingers leave FINGERTMP and are held once, in BIODATA:
    const deletes = [...new Set(after.map(([c]) => c).filter((c) => c.startsWith('DATA DELETE')))];
    expect(deletes.some((c) => c.startsWith('DATA DELETE FINGERTMP PIN=5301'))).toBe(true);
    for (const c of deletes) {
      expect(['DATA DELETE BIODATA Pin=5301', 'DATA DELETE FINGERTMP PIN=5301', 'DATA DELETE FINGERTMP PIN=5301\tFID=3', 'DATA DELETE FINGERTMP PIN=5301\tFID=4']).toContain(c);
    }
    expect(term.templatesOf('5301').map((x) => `${x.table} ${x.fields.No}`).sort()).toEqual(['BIODATA 3', 'BIODATA 4']);
  });
});

describe('a firmware upgrade with nothing in flight', () => {
  it('the fingers it held in FINGERTMP end in BIODATA only', async () => {
    const term = await terminalInOwnArea('OUTH-ATT5', { biodataFirmware: false });
    await ok(t.post('/api/person/add', { pin: '5401', name: 'Hal' }));
    await ok(t.post('/api/attAreaPerson/set', { code: 'OUTH-ATT5', pins: ['5401'] }));
    await ok(t.post('/api/bioTemplate/add', { personId: '5401', validType: '1', template: b64('finger 3 of 5401'), templateNo: '3' }));
    await expectEqualAndSynced(term, 'FINGERTMP');
    term.upgradeFirmware('Ver 8.0.5.1-20250101');
    expect(await term.init()).toBe(true);
    await expectEqualAndSynced(term, 'BIODATA');
    expect(term.templatesOf('5401').map((x) => `${x.table} ${x.fields.No}`)).toEqual(['BIODATA 3']);
  });
});
