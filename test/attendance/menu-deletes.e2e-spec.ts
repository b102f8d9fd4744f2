/**
 * A user (or a finger) deleted at a terminal's menu is reported by the terminal itself: an OPERLOG `OPLOG 9` ("Delete
 * user", operand 1 the user ID) or `OPLOG 10` ("Delete fingerprint"), attendance manual 11.4 and Appendices 3-4,
 * uploaded at once (Realtime=1). The database is the source of truth, so the terminal is sent back what it should
 * hold as soon as it says it lost it, not only at the next user-count verification (SYNC_VERIFY_INTERVAL_MS, an hour).
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const FINGER = Buffer.from('finger of the menu test').toString('base64');

/** A terminal in its own area (code = sn) holding person `pin` with a card and one finger. */
async function terminalHolding(sn: string, pin: string): Promise<AttendanceTerminal> {
  expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
  const term = await initialisedTerminal(t, { sn });
  expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin, name: 'Menu', cardNo: `${pin}77` })).body.code).toBe(0);
  expect((await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: FINGER, templateNo: '2' })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
  await settleTerminal(reconciler, term);
  expect(term.users.get(pin)?.card).toBe(`${pin}77`);
  expect(term.templatesOf(pin).map((x) => x.fields.Tmp ?? x.fields.TMP)).toEqual([FINGER]);
  return term;
}

const wallNow = () => {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};
const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;

describe('deletes at the terminal menu, reported in its OPERLOG', () => {
  it('OPLOG 9 (user deleted at the menu): the user, card and finger are sent back at once; a re-sent upload sends nothing more', async () => {
    const sn = 'ATT-MENU-USER';
    const term = await terminalHolding(sn, '8801');
    expect(term.deleteUserLocally('8801')).toBe(true);
    const upload = [`OPLOG 9\t0\t${wallNow()}\t8801\t0\t0\t0`];
    expect((await term.uploadOperlog(upload)).body).toBe('OK: 1');
    await settleTerminal(reconciler, term);
    expect(term.users.get('8801')?.card).toBe('880177');
    expect(term.templatesOf('8801').map((x) => x.fields.Tmp ?? x.fields.TMP)).toEqual([FINGER]);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0 });
    // The same upload again (its reply lost): the record is held already, nothing is sent again.
    const sent = term.executed.length;
    expect((await term.uploadOperlog(upload)).body).toBe('OK: 1');
    await settleTerminal(reconciler, term);
    expect(term.executed.slice(sent)).toEqual([]);
  });

  it('OPLOG 10 (fingerprint deleted at the menu): the finger is sent back; the user record is not', async () => {
    const sn = 'ATT-MENU-FP';
    const term = await terminalHolding(sn, '8802');
    expect(term.deleteFingerprintsLocally('8802')).toBe(1);
    const sent = term.executed.length;
    expect((await term.uploadOperlog([`OPLOG 10\t0\t${wallNow()}\t8802\t0\t0\t0`])).body).toBe('OK: 1');
    await settleTerminal(reconciler, term);
    expect(term.templatesOf('8802').map((x) => x.fields.Tmp ?? x.fields.TMP)).toEqual([FINGER]);
    expect(term.executed.slice(sent).map((e) => e.command.split(' ').slice(0, 3).join(' '))).not.toContain('DATA UPDATE USERINFO');
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0 });
  });

  it('OPLOG 9 of a pin the database does not put on the terminal sends nothing', async () => {
    const sn = 'ATT-MENU-STRANGER';
    const term = await terminalHolding(sn, '8803');
    const sent = term.executed.length;
    expect((await term.uploadOperlog([`OPLOG 9\t0\t${wallNow()}\t8899\t0\t0\t0`])).body).toBe('OK: 1');
    await settleTerminal(reconciler, term);
    expect(term.executed.slice(sent)).toEqual([]);
  });
});

describe('administrator privileges cleared at the terminal menu (OPLOG 24)', () => {
  it("the users the database makes administrators are sent their privilege again; the others' records are not sent", async () => {
    const sn = 'ATT-MENU-ADMINS';
    const term = await terminalHolding(sn, '8811');
    expect((await t.post('/api/person/add', { pin: '8812', name: 'Plain' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['8812'] })).body.code).toBe(0);
    expect((await t.post('/api/attPerson/editAttPerson', { isAttendance: true, perDevAuth: 14, personPin: '8811', verifyMode: 0 })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect([term.users.get('8811')?.pri, term.users.get('8812')?.pri]).toEqual([14, 0]);
    // "Clear administrator privilege" at its menu: every user a normal user; the terminal uploads the operation only.
    for (const u of term.users.values()) u.pri = 0;
    const sent = term.executed.length;
    expect((await term.uploadOperlog([`OPLOG 24\t0\t${wallNow()}\t0\t0\t0\t0`])).body).toBe('OK: 1');
    await settleTerminal(reconciler, term);
    expect([term.users.get('8811')?.pri, term.users.get('8812')?.pri]).toEqual([14, 0]);
    expect(term.executed.slice(sent).map((e) => e.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=8811']);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0 });
  });
});

describe('a card or password deleted at the terminal menu (OPLOG 12, 11), no user line uploaded', () => {
  it('the user record goes back with the card and password; the finger is not sent again', async () => {
    const sn = 'ATT-MENU-CARD';
    const term = await terminalHolding(sn, '8821');
    expect((await t.post('/api/person/add', { pin: '8821', name: 'Menu', cardNo: '882177', personPwd: '4455' })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect([term.users.get('8821')?.card, term.users.get('8821')?.passwd]).toEqual(['882177', '4455']);
    Object.assign(term.users.get('8821')!, { card: '', passwd: '' });
    const sent = term.executed.length;
    const upload = [`OPLOG 12\t0\t${wallNow()}\t8821\t0\t0\t0`, `OPLOG 11\t0\t${wallNow()}\t8821\t0\t0\t0`];
    expect((await term.uploadOperlog(upload)).body).toBe('OK: 2');
    await settleTerminal(reconciler, term);
    expect([term.users.get('8821')?.card, term.users.get('8821')?.passwd]).toEqual(['882177', '4455']);
    expect(term.executed.slice(sent).map((e) => e.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=8821']);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0 });
  });
});

describe('"clear all data" at the terminal menu (users, templates and records gone; it does not restart)', () => {
  // Re-enrolment: the database is the source of truth, so what it says the terminal holds is written to it again,
  // as an access panel's full sync does, once the terminal reports the wipe (OPLOG 13).
  it('OPLOG 13 uploaded: the user, card and finger are sent back, the terminal converges, and a second upload sends nothing more', async () => {
    const sn = 'ATT-MENU-WIPE13';
    const term = await terminalHolding(sn, '8831');
    term.clearDataAtMenu();
    const upload = [`OPLOG 13\t0\t${wallNow()}\t0\t0\t0\t0`];
    expect((await term.uploadOperlog(upload)).body).toBe('OK: 1');
    await term.poll(true);
    await settleTerminal(reconciler, term);
    expect(term.users.get('8831')?.card).toBe('883177');
    expect(term.templatesOf('8831').map((x) => x.fields.Tmp ?? x.fields.TMP)).toEqual([FINGER]);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0 });
    const sent = term.executed.filter((e) => e.command.startsWith('DATA')).length;
    expect((await term.uploadOperlog(upload)).body).toBe('OK: 1');
    await term.poll(true);
    await settleTerminal(reconciler, term);
    expect(term.executed.filter((e) => e.command.startsWith('DATA'))).toHaveLength(sent);
  });
});
