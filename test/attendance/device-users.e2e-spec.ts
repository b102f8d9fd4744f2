/**
 * Users and cards devices upload (black-box probe findings): a bracketed hex card (`Card=[15CD5B07]`, attendance
 * 11.5 / security 7.5) is stored decimal and reaches access panels, a malformed one costs a terminal's USER line its card
 * only (a panel's user record is refused); a user
 * enrolled at an access panel (`tabledata user`, security 7.5) becomes a person and stays on the panel through its
 * verification; a replayed USER line never undoes later REST edits, and a resent upload's lower Stamp never lowers the one held; a registered
 * panel's uploads never move it to the attendance module.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncPlannerService } from '../../src/sync/sync-planner.service';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { levelId } from '../sync/access-helpers';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let term: AttendanceTerminal;
/** A panel keeping cards in mulcarduser (MulCardUserFunOn=1), its door in level L. */
let panel: DeviceSimulator;
let level: string;

const TZ = 'TZ=0000000000000000\tVerify=-1';
const person = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body;
const cardsOn = (sim: DeviceSimulator, pin: string) => sim.table('mulcarduser').filter((r) => r.Pin === pin).map((r) => r.CardNo);
const settle = async () => {
  await reconciler.idle();
  await panel.pollUntilIdle({ maxPolls: 100 });
  await settleTerminal(reconciler, term);
};

/** Runs the panel's verification (what a re-registration or the periodic verifier queues): answers the syncs it owed. */
const verifiedOwed = async (sim: DeviceSimulator): Promise<number> => {
  await t.ds.transaction((m) => t.app.get(SyncPlannerService).queueVerify(m, sim.sn));
  await sim.pollUntilIdle({ maxPolls: 50 });
  await reconciler.idle();
  await sim.pollUntilIdle({ maxPolls: 50 });
  const [{ owed }] = await t.ds.query(`SELECT count(*)::int AS owed FROM sync_owed o JOIN device d ON d.id = o.device_id WHERE d.sn = $1`, [sim.sn]);
  return owed;
};

/** A new one-door panel DU-PANEL-<n> at 10.9.0.<n>, its door in a new level L<n>. */
const panelInLevel = async (n: number): Promise<{ sim: DeviceSimulator; level: string }> => {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: `DU-PANEL-${n}`, doors: 1, ipAddress: `10.9.0.${n}` });
  await sim.connect();
  await sim.pollUntilIdle();
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `L${n}` }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: `L${n}`, doorName: `10.9.0.${n}-1` }] })).body.code).toBe(0);
  return { sim, level: await levelId(t, `L${n}`) };
};

beforeAll(async () => {
  t = await startTestApp();
  reconciler = t.app.get(SyncReconciler);
  panel = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DU-PANEL-1', doors: 1, ipAddress: '10.9.0.1', registryExtras: { MulCardUserFunOn: 1 } });
  expect((await panel.connect()).registered).toBe(true);
  await panel.pollUntilIdle();
  expect((await t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'L' }] })).body.code).toBe(0);
  expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'L', doorName: '10.9.0.1-1' }] })).body.code).toBe(0);
  level = await levelId(t, 'L');
  term = await initialisedTerminal(t, { sn: 'DU-TERM-1' });
  await settle();
});
afterAll(async () => {
  await t?.close();
});

describe('bracketed hex card numbers', () => {
  it('OPERLOG USER Card=[15CD5B07] is card 123456789, and reaches a mulcarduser panel once the person has a level there', async () => {
    expect((await term.uploadOperlog([`USER PIN=4001\tName=Hex\tPri=0\tPasswd=\tCard=[15CD5B07]\tGrp=1\t${TZ}`])).body).toBe('OK: 1');
    expect(await person('4001')).toMatchObject({ code: 0, data: { pin: '4001', name: 'Hex', cardNo: '123456789' } });
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: level, pin: '4001' })).body.code).toBe(0);
    await settle();
    // mulcarduser carries CardNo in hex (0x75BCD15 = 123456789).
    expect(cardsOn(panel, '4001')).toEqual(['75BCD15']);
  });

  it('a malformed bracket value costs its card only (kept raw with the reason): the user is taken, and the terminal is sent the record the database holds', async () => {
    // The terminal holds the user with a card value it mangled.
    term.users.set('4009', { pin: '4009', name: 'Bad Card', pri: 6, passwd: '', card: '[15CD5B0Z]', grp: 1, tz: '0000000000000000', verify: -1, fields: {} });
    expect((await term.uploadUser('4009')).body).toBe('OK: 1');
    const r = await term.uploadOperlog([`USER PIN=4010\tName=Good\tPri=0\tPasswd=\tCard=[01000000]\tGrp=1\t${TZ}`]);
    expect(r.body).toBe('OK: 1');
    expect(await person('4009')).toMatchObject({ code: 0, data: { name: 'Bad Card', cardNo: '' } });
    expect(await person('4010')).toMatchObject({ code: 0, data: { cardNo: '1' } });
    const raw = await t.ds.query(`SELECT table_name, record FROM device_upload WHERE device_sn = $1 AND table_name LIKE 'OPERLOG.%'`, [term.sn]);
    expect(raw).toEqual([
      { table_name: 'OPERLOG.unread', record: { pin: '4009', field: 'Card', value: '[15CD5B0Z]', reason: expect.stringMatching(/bracketed card number/) } },
    ]);
    // What the terminal holds under that card is unknown: it gets the database's record (no card), its role kept.
    await settle();
    expect(term.users.get('4009')).toMatchObject({ name: 'Bad Card', card: '', pri: 6 });
  });

  it('a panel user upload and an rtlog event read the bracket form too; a malformed one is refused', async () => {
    const up = await panel.uploadTable('user', [
      { uid: 30, cardno: '[01020304]', pin: '4020', password: '', group: 0, starttime: 0, endtime: 0, name: 'Hexa', privilege: 0, disable: 0, verify: 0 },
      { uid: 31, cardno: '[15CD5B]', pin: '4021', password: '', group: 0, starttime: 0, endtime: 0, name: 'Bad', privilege: 0, disable: 0, verify: 0 },
    ]);
    expect(up.body).toBe('user=2');
    expect(await person('4020')).toMatchObject({ code: 0, data: { cardNo: String(0x04030201) } });
    expect((await person('4021')).code).toBe(-22);
    await panel.uploadRtlog([{ time: '2026-11-22 09:00:00', pin: 0, cardno: '[15CD5B07]', eventaddr: 1, event: 27, index: 901 }]);
    const [ev] = await t.ds.query(`SELECT card_no FROM acc_transaction WHERE device_sn = $1 AND event_no = 27 ORDER BY id DESC LIMIT 1`, [panel.sn]);
    expect(ev.card_no).toBe('123456789');
  });
});

describe('users enrolled at an access panel', () => {
  it('an unknown pin becomes a person (name, card, password), with no level, and the panel keeps it through DATA COUNT user', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DU-PANEL-2', doors: 1, ipAddress: '10.9.0.2' });
    await sim.connect();
    await sim.pollUntilIdle();
    const r = await sim.enrollUserLocally({ uid: 20, pin: '771962', name: 'Alpha', cardno: '5550001', password: '2468' });
    expect(r.body).toBe('user=1');
    expect(await person('771962')).toMatchObject({ code: 0, data: { pin: '771962', name: 'Alpha', cardNo: '5550001', personPwd: '2468', accLevelIds: '' } });
    // The verification (what a re-registration or the periodic verifier queues) finds what the panel confirmed.
    expect(await verifiedOwed(sim)).toBe(0);
    expect(sim.received.map((c) => c.command).filter((c) => c.startsWith('DATA DELETE'))).toEqual([]);
    expect(sim.table('user').map((u) => u.Pin)).toEqual(['771962']);
    // Given a level there later, the panel gets its rights (and the user record only if it differs).
    expect((await t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'L', doorName: '10.9.0.2-1' }] })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: level, pin: '771962' })).body.code).toBe(0);
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('userauthorize').map((a) => a.Pin)).toContain('771962');
  });

  it("a user enrolled with another person's card: the database refuses the card, and the panel is brought back to the database", async () => {
    const { sim, level: l4 } = await panelInLevel(4);
    expect((await t.post('/api/person/add', { pin: '880001', name: 'Holder', cardNo: '5550009' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '880003', name: 'Member', cardNo: '7770003' })).body.code).toBe(0);
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: l4, pin: '880003' })).body.code).toBe(0);
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('user').find((u) => u.Pin === '880003')?.CardNo).toBe('7770003');

    // A new pin with 880001's card: stored without it; the panel holds it in a form the database refused, and it
    // has no right there, so it is removed (as any user the panel should not hold).
    expect((await sim.enrollUserLocally({ uid: 40, pin: '880002', name: 'Copy', cardno: '5550009' })).body).toBe('user=1');
    // A member the panel should hold, re-enrolled there with 880001's card: the panel gets the database's record back.
    expect((await sim.enrollUserLocally({ uid: 41, pin: '880003', name: 'Member', cardno: '5550009' })).body).toBe('user=1');
    expect(await person('880002')).toMatchObject({ code: 0, data: { pin: '880002', cardNo: '' } });
    expect(await person('880003')).toMatchObject({ code: 0, data: { cardNo: '7770003' } });
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('user').filter((u) => u.CardNo === '5550009')).toEqual([]);
    expect(sim.table('user').find((u) => u.Pin === '880003')?.CardNo).toBe('7770003');
    expect(sim.table('user').some((u) => u.Pin === '880002')).toBe(false);
    // Its verification finds the panel as recorded: nothing owed, nothing more sent.
    const sent = sim.received.length;
    expect(await verifiedOwed(sim)).toBe(0);
    expect(sim.received.slice(sent).map((c) => c.command).filter((c) => !c.startsWith('DATA COUNT'))).toEqual([]);
  });

  it('a line enrolled again as sent before, after the card changed or the person was deleted: skipped, and the panel brought back to the database', async () => {
    const { sim, level: l5 } = await panelInLevel(5);
    const enrol = { uid: 50, pin: '881001', name: 'Again', cardno: '6660001' };
    expect((await sim.enrollUserLocally(enrol)).body).toBe('user=1');
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: l5, pin: '881001' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '881001', name: 'Again', cardNo: '6660002' })).body.code).toBe(0);
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('user').find((u) => u.Pin === '881001')?.CardNo).toBe('6660002');
    // Enrolled again at the panel as before (same line): the REST edit stands, and the panel gets it back.
    expect((await sim.enrollUserLocally(enrol)).body).toBe('user=1');
    expect(await person('881001')).toMatchObject({ data: { cardNo: '6660002' } });
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('user').find((u) => u.Pin === '881001')?.CardNo).toBe('6660002');
    // Deleted, then the same line again: the delete stands, and the panel loses the user.
    expect((await t.delete('/api/person/delete/881001')).body.code).toBe(0);
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect((await sim.enrollUserLocally(enrol)).body).toBe('user=1');
    expect((await person('881001')).code).not.toBe(0);
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.table('user').some((u) => u.Pin === '881001')).toBe(false);
    expect(await verifiedOwed(sim)).toBe(0);
  });

  it("a member enrolled again at the panel's menu without the card or password the database gives: not said synced, the panel gets them back", async () => {
    const { sim, level: l6 } = await panelInLevel(6);
    expect((await t.post('/api/person/add', { pin: '882001', name: 'Carded', cardNo: '6670001', personPwd: '4321', accLevelIds: l6 })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '882002', name: 'Keyed', personPwd: '8765', accLevelIds: l6 })).body.code).toBe(0);
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.user('882001')).toMatchObject({ CardNo: '6670001', Password: '4321' });
    expect(sim.user('882002')).toMatchObject({ Password: '8765' });
    // Edited at the panel's menu: the card taken off one, the password off the other (uploaded with empty values).
    expect((await sim.enrollUserLocally({ uid: 60, pin: '882001', name: 'Carded', cardno: '', password: '4321' })).body).toBe('user=1');
    expect((await sim.enrollUserLocally({ uid: 61, pin: '882002', name: 'Keyed', cardno: '', password: '' })).body).toBe('user=1');
    // An empty value changes nothing of the person; the panel, which lacks them now, is not said to hold the record.
    expect(await person('882001')).toMatchObject({ data: { cardNo: '6670001' } });
    const state = async (pin: string) => (await t.get(`/api/gateway/persons/${pin}/devices`)).body.data.find((x: { deviceSn: string }) => x.deviceSn === sim.sn)?.state;
    if (sim.user('882001')?.CardNo !== '6670001') expect(await state('882001')).not.toBe('synced');
    if (sim.user('882002')?.Password !== '8765') expect(await state('882002')).not.toBe('synced');
    await reconciler.idle();
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.user('882001')).toMatchObject({ CardNo: '6670001', Password: '4321' });
    expect(sim.user('882002')).toMatchObject({ Password: '8765' });
    expect(await state('882001')).toBe('synced');
    expect((await t.get(`/api/gateway/devices/${sim.sn}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0, unconfirmedItems: 0 });
    expect(await verifiedOwed(sim)).toBe(0);
  });

  it('a terminal sending a USER line again after its card changed by REST is sent the database record', async () => {
    expect((await term.enrollUser({ pin: '881002', name: 'Term', card: '6660011' })).body).toBe('OK: 2');
    await settle();
    expect((await t.post('/api/person/add', { pin: '881002', name: 'Term', cardNo: '6660012' })).body.code).toBe(0);
    await settle();
    expect(term.users.get('881002')?.card).toBe('6660012');
    // Edited back at the terminal's menu to the card it had (the same line as its enrolment): held there, not taken.
    term.users.get('881002')!.card = '6660011';
    await term.uploadUser('881002');
    expect(await person('881002')).toMatchObject({ data: { cardNo: '6660012' } });
    await settle();
    expect(term.users.get('881002')?.card).toBe('6660012');
  });

  it("a terminal's user edited at its menu without the card or password the database gives: not said synced, the terminal gets them back", async () => {
    expect((await term.enrollUser({ pin: '883001', name: 'Term', card: '6680001', passwd: '1234' })).body).toBe('OK: 2');
    await settle();
    const held = term.users.get('883001')!;
    held.card = '';
    held.passwd = '';
    await term.uploadUser('883001');
    expect(await person('883001')).toMatchObject({ data: { cardNo: '6680001' } });
    const state = async () => (await t.get('/api/gateway/persons/883001/devices')).body.data.find((x: { deviceSn: string }) => x.deviceSn === term.sn);
    if (term.users.get('883001')?.card !== '6680001') expect(await state()).not.toMatchObject({ state: 'synced' });
    await settle();
    expect(term.users.get('883001')).toMatchObject({ card: '6680001', passwd: '1234' });
    expect(await state()).toMatchObject({ state: 'synced', holds: true });
  });

  it("a terminal's user edited back at its menu to the line it enrolled (the card REST gave since taken off): not said synced, the terminal gets it back", async () => {
    // Enrolled without a card: that USER line is the last one applied from the terminal for the pin.
    expect((await term.enrollUser({ pin: '883002', name: 'Back' })).body).toBe('OK: 2');
    await settle();
    expect((await t.post('/api/person/add', { pin: '883002', name: 'Back', cardNo: '6680002' })).body.code).toBe(0);
    await settle();
    expect(term.users.get('883002')?.card).toBe('6680002');
    // The card taken off at its menu: the line uploaded is the very line it enrolled (skipped as sent before).
    term.users.get('883002')!.card = '';
    await term.uploadUser('883002');
    expect(await person('883002')).toMatchObject({ data: { cardNo: '6680002' } });
    const state = async () => (await t.get('/api/gateway/persons/883002/devices')).body.data.find((x: { deviceSn: string }) => x.deviceSn === term.sn);
    if (term.users.get('883002')?.card !== '6680002') expect(await state()).not.toMatchObject({ state: 'synced' });
    await settle();
    expect(term.users.get('883002')).toMatchObject({ card: '6680002' });
    expect(await state()).toMatchObject({ state: 'synced', holds: true });
  });

  it('a known pin takes the uploaded name as a terminal USER line does', async () => {
    expect((await t.post('/api/person/add', { pin: '771963', name: 'Old' })).body.code).toBe(0);
    const r = await panel.enrollUserLocally({ uid: 21, pin: '771963', name: 'New' });
    expect(r.body).toBe('user=1');
    expect(await person('771963')).toMatchObject({ code: 0, data: { name: 'New' } });
  });
});

describe('a replayed USER line', () => {
  it('never undoes a later REST edit, on the person or on the panels; a changed line is still applied', async () => {
    const line = `USER PIN=4002\tName=Before\tPri=0\tPasswd=\tCard=987654\tGrp=1\t${TZ}`;
    expect((await term.uploadOperlog([line])).body).toBe('OK: 1');
    expect((await t.post('/api/accLevel/addLevelPerson', null, { levelIds: level, pin: '4002' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '4002', name: 'After', cardNo: '111222' })).body.code).toBe(0);
    await settle();
    expect(cardsOn(panel, '4002')).toEqual(['1B276']);
    expect((await term.uploadOperlog([line])).body).toBe('OK: 1');
    expect(await person('4002')).toMatchObject({ data: { name: 'After', cardNo: '111222' } });
    await settle();
    expect(cardsOn(panel, '4002')).toEqual(['1B276']);
    // A new line for the pin (changed at the terminal) is a change, and is applied.
    expect((await term.uploadOperlog([`USER PIN=4002\tName=Changed\tPri=0\tPasswd=\tCard=111222\tGrp=1\t${TZ}`])).body).toBe('OK: 1');
    expect(await person('4002')).toMatchObject({ data: { name: 'Changed', cardNo: '111222' } });
  });

  it('an upload sent again under a lower Stamp (nothing new in it) never lowers the stored one; new records under a lower Stamp do', async () => {
    const post = (table: string, stamp: string, body: string) =>
      fetch(`${t.baseUrl}/iclock/cdata?SN=${term.sn}&table=${table}&Stamp=${stamp}`, { method: 'POST', body }).then((r) => r.text());
    const stamps = async () => (await t.ds.query(`SELECT a.stamps FROM att_terminal a JOIN device d ON d.id = a.device_id WHERE d.sn = $1`, [term.sn]))[0].stamps;
    // The operation times come after those of the earlier tests' uploads (made now): a higher OPERLOG Stamp is only
    // taken from an upload whose newest operation is not older than the one held beside the Stamp. One base for
    // every line: the upload sent again must be the same records, and a clock read again could have passed a second.
    const base = Date.now() + 86_400_000;
    const later = (minutes: number) => new Date(base + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    await post('OPERLOG', '400', `OPLOG 4\t0\t${later(0)}\t0\t0\t0\t0`);
    await post('OPERLOG', '500', `OPLOG 4\t0\t${later(60)}\t0\t0\t0\t0`);
    await post('OPERLOG', '400', `OPLOG 4\t0\t${later(0)}\t0\t0\t0\t0`);
    await post('ATTLOG', '800', `4001\t2026-11-22 09:00:00\t0\t1\t\t0\t0`);
    await post('ATTLOG', '900', `4001\t2026-11-22 10:00:00\t0\t1\t\t0\t0`);
    await post('ATTLOG', '800', `4001\t2026-11-22 09:00:00\t0\t1\t\t0\t0`);
    expect(await stamps()).toMatchObject({ OPERLOG: '500', ATTLOG: '900' });
    await post('OPERLOG', '501', `OPLOG 4\t0\t${later(61)}\t0\t0\t0\t0`);
    expect(await stamps()).toMatchObject({ OPERLOG: '501' });
    // Its numbering started again: a new punch under Stamp 1 is where it now is.
    await post('ATTLOG', '1', `4001\t2026-11-22 11:00:00\t0\t1\t\t0\t0`);
    expect(await stamps()).toMatchObject({ OPERLOG: '501', ATTLOG: '1' });
  });
});

describe("a registered panel's kind", () => {
  it('stays acc (doors listed) after an ATTLOG and an OPERLOG upload', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'DU-PANEL-3', doors: 2, ipAddress: '10.9.0.3', deviceType: 'acc' });
    await sim.connect();
    const doors = async () => (await t.get('/api/door/list', { pageNo: 1, pageSize: 100 })).body.data.filter((d: { name: string }) => d.name.startsWith('10.9.0.3-')).length;
    expect(await doors()).toBe(2);
    await sim.uploadRaw('/iclock/cdata', { table: 'ATTLOG', Stamp: '1' }, '1\t2026-11-22 08:00:00\t0\t1\t\t0\t0\n');
    expect((await t.get(`/api/gateway/devices/${sim.sn}`)).body.data).toMatchObject({ kind: 'acc', detectedKind: 'acc' });
    expect(await doors()).toBe(2);
    await sim.uploadRaw('/iclock/cdata', { table: 'OPERLOG', Stamp: '1' }, 'OPLOG 4\t0\t2026-11-22 08:00:00\t0\t0\t0\t0\n');
    expect((await t.get(`/api/gateway/devices/${sim.sn}`)).body.data).toMatchObject({ kind: 'acc', detectedKind: 'acc' });
    expect(await doors()).toBe(2);
  });
});
