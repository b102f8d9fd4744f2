/**
 * A terminal keeping numeric PINs holds person 0412 as its user 412, and names 412 in whatever it reports of that
 * user: the deletes at its menu (OPLOG 9, 10, 12 under operand 412) and the remote attendance request of a PIN keyed
 * in there (`table=RemoteAtt&PIN=412`), and the attendance photos it names 412. Those are person 0412's: what the
 * database gives them goes back to the terminal, a remote attendance request is answered with their record, and the
 * photos are listed by their pin.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const FINGER = Buffer.from('finger of the numeric-pin menu test').toString('base64');

/** A numeric-PIN terminal in its own area (code = sn) holding person `pin` (zero-led) with a card and one finger. */
async function terminalHolding(sn: string, pin: string): Promise<AttendanceTerminal> {
  expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
  const term = await initialisedTerminal(t, { sn, numericPins: true });
  expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin, name: 'Menu', cardNo: `${pin}77` })).body.code).toBe(0);
  expect((await t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: FINGER, templateNo: '2' })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] })).body.code).toBe(0);
  await settleTerminal(reconciler, term);
  const kept = pin.replace(/^0+/, '');
  expect([...term.users.keys()]).toEqual([kept]);
  expect(term.users.get(kept)?.card).toBe(`${pin}77`);
  expect(term.templatesOf(kept).map((x) => x.fields.Tmp)).toEqual([FINGER]);
  return term;
}

const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;

describe('a numeric-PIN terminal reports a delete at its menu under the number of the pin', () => {
  it('OPLOG 12 (card deleted) under 412: user 0412 goes back with the card, at once', async () => {
    const sn = 'NPIN-MENU-CARD';
    const term = await terminalHolding(sn, '04121');
    const sent = term.executed.length;
    expect((await term.deleteAtMenu('04121', 'card'))?.body).toBe('OK: 1');
    expect(term.users.get('4121')?.card).toBe('');
    await settleTerminal(reconciler, term);
    expect(term.users.get('4121')?.card).toBe('0412177');
    expect(term.executed.slice(sent).map((e) => e.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=04121']);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0 });
  });

  it('OPLOG 9 (user deleted) under 412: user 0412 and the finger are sent back at once, no user-count verification needed', async () => {
    const sn = 'NPIN-MENU-USER';
    const term = await terminalHolding(sn, '04122');
    expect((await term.deleteAtMenu('04122', 'user'))?.body).toBe('OK: 1');
    await settleTerminal(reconciler, term);
    expect(term.users.get('4122')?.card).toBe('0412277');
    expect(term.templatesOf('4122').map((x) => x.fields.Tmp)).toEqual([FINGER]);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0 });
  });

  it('OPLOG 10 (fingerprint deleted) under 412: the finger of 0412 is sent back at once', async () => {
    const sn = 'NPIN-MENU-FP';
    const term = await terminalHolding(sn, '04123');
    expect((await term.deleteAtMenu('04123', 'fingerprint'))?.body).toBe('OK: 1');
    expect(term.templatesOf('4123')).toEqual([]);
    await settleTerminal(reconciler, term);
    expect(term.templatesOf('4123').map((x) => x.fields.Tmp)).toEqual([FINGER]);
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0 });
  });
});

describe('remote attendance (manual 14) on a numeric-PIN terminal', () => {
  it('412 keyed in at a terminal not holding them is handed person 0412, and then holds them as 412', async () => {
    const sn = 'NPIN-REMOTE';
    expect((await t.post('/api/person/add', { pin: '04124', name: 'Remote', cardNo: '0412477' })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn, numericPins: true });
    await settleTerminal(reconciler, term);
    const records = await term.remoteAtt('4124');
    expect(records.map((x) => x.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=04124']);
    expect(term.users.get('4124')).toMatchObject({ name: 'Remote', card: '0412477' });
  });
});

describe('attendance photos of a numeric-PIN terminal', () => {
  it('its photo named 412 is listed by pin 0412 (and 412); another number is not', async () => {
    const sn = 'NPIN-PHOTO';
    expect((await t.post('/api/person/add', { pin: '04125', name: 'Photo' })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn, numericPins: true });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    expect((await term.uploadAttphoto('20260401080000-4125.jpg', jpeg)).status).toBe(200);
    const listed = async (pin: string) =>
      ((await t.get(`/api/gateway/attendance/terminals/${sn}/photos`, { pin })).body.data as Array<{ fileName: string }>).map((p) => p.fileName);
    expect(await listed('04125')).toEqual(['20260401080000-4125.jpg']);
    expect(await listed('4125')).toEqual(['20260401080000-4125.jpg']);
    expect(await listed('41250')).toEqual([]);
  });
});
