/**
 * The privilege (`Pri`) a terminal or FaceKiosk reports on an OPERLOG USER line (attendance manual 11.5; its values
 * are those of 12.1.1.1: 0 normal user, 2 registrar, 6 administrator, 10 user-defined, 14 super administrator) is
 * the person's, so the record sent back after a later REST edit keeps it: a role given at the device is never
 * taken away by an unrelated change of name. A kiosk's privilege is the kiosk one (editInsPerson perDevAuth), never
 * handed to the person's attendance terminals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const TAIL = 'Passwd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1';

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

const settle = (...terms: AttendanceTerminal[]) => Promise.all(terms.map((x) => settleTerminal(reconciler, x)));

describe('Pri on a USER line', () => {
  it('a user-defined role (Pri=10) enrolled at a terminal stays on it after the person is renamed through REST', async () => {
    const term = await initialisedTerminal(t, { sn: 'PRI-TERM-1' });
    await settle(term);
    expect((await term.uploadOperlog([`USER PIN=4301\tName=Una\tPri=10\t${TAIL}`])).body).toBe('OK: 1');
    expect((await t.post('/api/person/add', { pin: '4301', name: 'Una Renamed' })).body.code).toBe(0);
    await settle(term);
    expect(term.users.get('4301')).toMatchObject({ name: 'Una Renamed', pri: 10 });
    const [row] = await t.ds.query(`SELECT a.per_dev_auth FROM att_person a JOIN person p ON p.id = a.person_id WHERE p.pin = '4301'`);
    expect(row).toEqual({ per_dev_auth: 10 });
  });

  it('a user disabled at a terminal (odd Pri: Pri=3 a disabled registrar) stays disabled, with the role, after a REST rename, on it and the area’s other terminal', async () => {
    const term = await initialisedTerminal(t, { sn: 'PRI-TERM-3' });
    const peer = await initialisedTerminal(t, { sn: 'PRI-TERM-4' });
    await settle(term, peer);
    expect((await term.uploadOperlog([`USER PIN=4303\tName=Dee\tPri=3\t${TAIL}`, `USER PIN=4304\tName=Neighbour\tPri=0\t${TAIL}`])).body).toBe('OK: 2');
    expect((await t.post('/api/person/add', { pin: '4303', name: 'Dee Renamed' })).body.code).toBe(0);
    await settle(term, peer);
    expect(term.users.get('4303')).toMatchObject({ name: 'Dee Renamed', pri: 3 });
    expect(peer.users.get('4303')).toMatchObject({ name: 'Dee Renamed', pri: 3 });
    expect(peer.users.get('4304')).toMatchObject({ name: 'Neighbour', pri: 0 });
    const [row] = await t.ds.query(`SELECT a.per_dev_auth, a.terminal_disabled FROM att_person a JOIN person p ON p.id = a.person_id WHERE p.pin = '4303'`);
    expect(row).toEqual({ per_dev_auth: 2, terminal_disabled: true });
    // An integrator reads it through the gateway's own endpoint (the manual's att person endpoints print no such field).
    expect((await t.get('/api/gateway/attendance/persons/4303')).body).toEqual({
      code: 0,
      message: 'success',
      data: { personPin: '4303', isAttendance: true, perDevAuth: 2, verifyMode: null, terminalDisabled: true, terminalGrp: 1, terminalTz: '0000000000000000' },
    });

    // Enabled again at the terminal: the other terminal follows.
    expect((await term.uploadOperlog([`USER PIN=4303\tName=Dee Renamed\tPri=2\t${TAIL}`])).body).toBe('OK: 1');
    await settle(term, peer);
    expect(peer.users.get('4303')).toMatchObject({ name: 'Dee Renamed', pri: 2 });
    expect((await t.get('/api/gateway/attendance/persons/4303')).body.data).toMatchObject({ perDevAuth: 2, terminalDisabled: false });
    // A Pri no terminal means (4): the line's other fields are taken, the privilege kept as it was.
    expect((await term.uploadOperlog([`USER PIN=4303\tName=Dee Again\tPri=4\t${TAIL}`])).body).toBe('OK: 1');
    await settle(term, peer);
    expect(peer.users.get('4303')).toMatchObject({ name: 'Dee Again', pri: 2 });
  });

  it('a person put on the disabled list through REST (isDisabled) is a disabled user on the terminals until taken off it, also after the terminal sends the record back', async () => {
    const term = await initialisedTerminal(t, { sn: 'PRI-TERM-DIS' });
    await settle(term);
    expect((await t.post('/api/person/add', { pin: '4311', name: 'Dora' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['4311'] })).body.code).toBe(0);
    await settle(term);
    expect(term.users.get('4311')).toMatchObject({ name: 'Dora', pri: 0 });
    // Disabled: the terminal keeps the user and templates but lets them not punch (bit 0 of Pri).
    expect((await t.post('/api/person/add', { pin: '4311', name: 'Dora', isDisabled: true })).body.code).toBe(0);
    await settle(term);
    expect(term.users.get('4311')).toMatchObject({ name: 'Dora', pri: 1 });
    // The terminal sends its record back (an edit at the menu, a query answer): still the list's, not the terminal's doing.
    expect((await term.uploadOperlog([`USER PIN=4311\tName=Dora\tPri=1\t${TAIL}`])).body).toBe('OK: 1');
    await settle(term);
    expect((await t.get('/api/gateway/attendance/persons/4311')).body.data).toMatchObject({ terminalDisabled: false });
    expect((await t.post('/api/person/add', { pin: '4311', name: 'Dora', isDisabled: false })).body.code).toBe(0);
    await settle(term);
    expect(term.users.get('4311')).toMatchObject({ name: 'Dora', pri: 0 });
  });

  it('the gateway endpoint gives the defaults for a person never edited nor reported, and -22 for an unknown pin', async () => {
    expect((await t.post('/api/person/add', { pin: '4309', name: 'Plain' })).body.code).toBe(0);
    expect((await t.get('/api/gateway/attendance/persons/4309')).body.data).toEqual({
      personPin: '4309', isAttendance: true, perDevAuth: 0, verifyMode: null, terminalDisabled: false, terminalGrp: null, terminalTz: null,
    });
    expect((await t.get('/api/gateway/attendance/persons/no-such-pin')).body.code).toBe(-22);
  });

  it("a kiosk's super administrator keeps Pri=14 on the kiosk, and the person's attendance terminals get an ordinary user", async () => {
    const kiosk = await initialisedTerminal(t, { sn: 'PRI-KIOSK-1', deviceType: 'ins' });
    const term = await initialisedTerminal(t, { sn: 'PRI-TERM-2' });
    await settle(kiosk, term);
    expect((await kiosk.uploadOperlog([`USER PIN=4302\tName=Kim\tPri=14\t${TAIL}`])).body).toBe('OK: 1');
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['4302'] })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '4302', name: 'Kim Renamed' })).body.code).toBe(0);
    await settle(kiosk, term);
    expect(kiosk.users.get('4302')).toMatchObject({ name: 'Kim Renamed', pri: 14 });
    expect(term.users.get('4302')).toMatchObject({ name: 'Kim Renamed', pri: 0 });
  });
});
