/**
 * The biometric side of an attendance terminal under faults (simulator): fingerprints, faces (a BIODATA set of
 * several Indexes) and user photos written through REST or enrolled at its keypad, with a reply lost, a refusal, a
 * factory reset with commands in flight. After each scenario the terminal holds exactly what the database puts on it
 * (users, templates, photos), and the gateway says it synced only then.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { heldBiometrics, initialisedTerminal, settleTerminal, useAttendanceApp, wantedBiometrics } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000 }, (app) => ({ t, reconciler } = app));

const ok = async (r: Promise<{ body: { code: number; message?: string } }>) => expect((await r).body).toMatchObject({ code: 0 });
const b64 = (text: string) => Buffer.from(text).toString('base64');
const photoOf = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text), Buffer.from([0xff, 0xd9])]).toString('base64');

/** A terminal in its own area holding `pin` with a finger, a three-Index visible-light face and a photo (REST). */
async function terminalWithBiometrics(sn: string, pin: string): Promise<AttendanceTerminal> {
  await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
  const term = await initialisedTerminal(t, { sn });
  await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
  await ok(t.post('/api/person/add', { pin, name: `P${pin}` }));
  await ok(t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] }));
  await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`finger 1 of ${pin}`), templateNo: '1' }));
  for (const index of [0, 1, 2]) {
    await ok(t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: b64(`face ${index} of ${pin}`), templateNo: '0', bioType: '9', templateNoIndex: String(index), version: '5' }));
  }
  await ok(t.post('/api/person/updatePersonnelPhoto', { pin, personPhoto: photoOf(`photo of ${pin}`) }));
  await settleTerminal(reconciler, term);
  expect(await holds(term)).toEqual(await wanted(sn));
  return term;
}

const wanted = async (code: string) => (await wantedBiometrics(t, [code]))[0];
const holds = async (term: AttendanceTerminal) => heldBiometrics(term);

/**
 * A factory reset, then `pin` edited through REST: its record is put on the reset terminal by a poll before the poll
 * whose INFO count is judged; then reconciler passes and polls. Answers where the terminal's commands stood at the INFO.
 */
async function resetThenPutLands(term: AttendanceTerminal, pin: string): Promise<number> {
  expect(await term.factoryReset()).toBe(true);
  await ok(t.post('/api/person/add', { pin, name: 'Renamed' }));
  await reconciler.idle();
  expect((await term.poll()).map((e) => e.command.split('\t')[0])).toEqual([`DATA UPDATE USERINFO PIN=${pin}`]);
  const from = term.executed.length;
  await term.poll(true);
  for (let i = 0; i < 3; i++) {
    await reconciler.runOnce();
    await settleTerminal(reconciler, term);
  }
  return from;
}

const convergence = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;

describe('a factory reset whose user came back through a put of ours before its user count was judged', () => {
  // The count (1 user, the one the put wrote since the count was owed) is taken for a reset (CHECK, Stamp 0) but owes
  // no full sync: the templates and the photo it confirmed before the reset were still believed held, never sent
  // again, and the terminal reported synced without them.
  it('REST finger, face and photo: they come back, and the terminal is reported synced only then', async () => {
    const sn = 'ATT-BF-RESET-PUT';
    const pin = '7301';
    const term = await terminalWithBiometrics(sn, pin);
    const from = await resetThenPutLands(term, pin);
    expect(await holds(term)).toEqual(await wanted(sn));
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
    // What came back is what it lacked: the user record the put wrote is not sent again; then the reset's CHECK.
    expect(term.executed.slice(from).map((e) => e.command.split('\t')[0])).toEqual([
      `DATA UPDATE BIODATA Pin=${pin}`,
      `DATA UPDATE BIODATA Pin=${pin}`,
      `DATA UPDATE BIODATA Pin=${pin}`,
      `DATA UPDATE BIODATA Pin=${pin}`,
      `DATA UPDATE USERPIC PIN=${pin}`,
      'CHECK',
    ]);
  });

  it('a photo the terminal itself uploaded (USERPIC at its keypad) before the reset comes back too', async () => {
    const sn = 'ATT-BF-RESET-PIC';
    const pin = '7302';
    const term = await terminalWithBiometrics(sn, pin);
    const pic = photoOf(`keypad photo of ${pin}`);
    term.photos.set(pin, { table: 'USERPIC', content: pic });
    expect((await term.uploadOperlog([`USERPIC PIN=${pin}\tFileName=${pin}.jpg\tSize=${pic.length}\tContent=${pic}`])).body).toBe('OK: 1');
    await settleTerminal(reconciler, term);
    expect(await holds(term)).toEqual(await wanted(sn));
    await resetThenPutLands(term, pin);
    expect(await holds(term)).toEqual(await wanted(sn));
    expect(await convergence(sn)).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });
});
