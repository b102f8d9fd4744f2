/**
 * A REST edit (a new name and card) whose put to a device is queued, or run with its result not in yet, and then the
 * device uploads the record it held before, unchanged: exactly what the gateway sent it and it confirmed (a terminal
 * sending its users again, an upload sent again after a lost reply). That line is no edit at the device: it must not
 * write the old name and card over the REST edit (person/get answers the edit) nor replace the put on its way. A line
 * that differs from the record the device held is still its keypad edit, and taken (the last writer wins). Each test
 * ends with the device holding the database's record and nothing pending.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { panelInLevel } from '../sync/access-helpers';
import type { DeviceSimulator } from '../simulator/device-simulator';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import { initialisedTerminal, nothingPending, pendingOn as pendingOnDevice, settlePanel as settlePanelOf, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const personOf = async (pin: string) => (await t.get('/api/v2/person/get', { pin })).body;
const pendingOn = (sn: string) => pendingOnDevice(t, sn);
const settlePanel = (sim: DeviceSimulator) => settlePanelOf(reconciler, sim);

/** The panel's user record of a pin as it holds it, uploaded as `tabledata user` (security 7.5, lower-case keys). */
const heldUpload = (row: Record<string, string>, uid: number) => ({
  uid,
  cardno: row.CardNo ?? '',
  pin: row.Pin,
  password: row.Password ?? '',
  group: row.Group ?? 0,
  starttime: row.StartTime ?? 0,
  endtime: row.EndTime ?? 0,
  name: row.Name ?? '',
  privilege: row.Privilege ?? 0,
  disable: row.Disable ?? 0,
  verify: 0,
});

/** Held on the panel as Held with card 88<pin>, then edited through REST to Renewed with card 99<pin>, the put not run. */
async function editedOnPanel(sn: string, ip: string, pin: string): Promise<{ sim: DeviceSimulator; old: Record<string, string> }> {
  const { sim, level } = await panelInLevel(t, sn, ip, sn);
  expect((await t.post('/api/person/add', { pin, name: 'Held', cardNo: `88${pin}`, accLevelIds: level })).body.code).toBe(0);
  await settlePanel(sim);
  const old = { ...sim.user(pin)! };
  expect(old).toMatchObject({ Name: 'Held', CardNo: `88${pin}` });
  expect((await t.post('/api/person/add', { pin, name: 'Renewed', cardNo: `99${pin}`, accLevelIds: level })).body.code).toBe(0);
  await reconciler.idle();
  return { sim, old };
}

/** Settled: the panel holds the REST record, person/get answers it, nothing pending. */
async function renewedOnPanel(sim: DeviceSimulator, pin: string): Promise<void> {
  await settlePanel(sim);
  expect(sim.user(pin)).toMatchObject({ Name: 'Renewed', CardNo: `99${pin}` });
  expect(await personOf(pin)).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: `99${pin}` } });
  expect(await pendingOn(sim.sn)).toEqual(nothingPending);
}

describe('an access panel uploads the record it holds while a REST edit of it is on its way', () => {
  it('the put still queued: the upload changes nothing, the panel gets the edit; a new pin in the same upload is taken', async () => {
    const { sim, old } = await editedOnPanel('UWE-PANEL-1', '10.9.3.1', '730001');
    sim.addLocally('user', { Pin: '730002', Name: 'Newcomer', CardNo: '', Password: '', Privilege: 0 });
    const newcomer = { uid: 2, cardno: '', pin: '730002', password: '', group: 0, starttime: 0, endtime: 0, name: 'Newcomer', privilege: 0, disable: 0, verify: 0 };
    expect((await sim.uploadTable('user', [heldUpload(old, 1), newcomer])).body).toBe('user=2');
    expect(await personOf('730001')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99730001' } });
    expect(await personOf('730002')).toMatchObject({ code: 0, data: { name: 'Newcomer' } });
    await renewedOnPanel(sim, '730001');
    expect(sim.user('730002')).toMatchObject({ Name: 'Newcomer' });
  });

  it('the put run, its result not in yet, and the old upload sent again: the REST edit stays', async () => {
    const { sim, old } = await editedOnPanel('UWE-PANEL-2', '10.9.3.2', '730011');
    sim.holdResults((c) => c.verb === 'DATA UPDATE');
    await sim.pollUntilIdle({ maxPolls: 50 });
    expect(sim.user('730011')).toMatchObject({ Name: 'Renewed' });
    expect((await sim.uploadTable('user', [heldUpload(old, 11)])).body).toBe('user=1');
    expect(await personOf('730011')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99730011' } });
    sim.stopHoldingResults();
    await sim.releaseResults();
    await renewedOnPanel(sim, '730011');
  });

  it('a record edited at its keypad meanwhile (not the one it held) is still taken: the last writer wins', async () => {
    const { sim, old } = await editedOnPanel('UWE-PANEL-3', '10.9.3.3', '730021');
    sim.addLocally('user', { ...old, Name: 'Keypad' });
    expect((await sim.uploadTable('user', [heldUpload({ ...old, Name: 'Keypad' }, 21)])).body).toBe('user=1');
    expect(await personOf('730021')).toMatchObject({ code: 0, data: { name: 'Keypad', cardNo: '88730021' } });
    await settlePanel(sim);
    expect(sim.user('730021')).toMatchObject({ Name: 'Keypad', CardNo: '88730021' });
    expect(await pendingOn(sim.sn)).toEqual(nothingPending);
  });
});

/** Held on the terminal as Held with card 88<pin>, then edited through REST to Renewed with card 99<pin>, the put not run. */
async function editedOnTerminal(sn: string, pin: string): Promise<AttendanceTerminal> {
  const term = await initialisedTerminal(t, { sn });
  expect((await t.post('/api/person/add', { pin, name: 'Held', cardNo: `88${pin}` })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: [pin] })).body.code).toBe(0);
  await settleTerminal(reconciler, term);
  expect(term.users.get(pin)).toMatchObject({ name: 'Held', card: `88${pin}` });
  expect((await t.post('/api/person/add', { pin, name: 'Renewed', cardNo: `99${pin}` })).body.code).toBe(0);
  await reconciler.idle();
  return term;
}

/** Settled: the terminal holds the REST record, person/get answers it, nothing pending. */
async function renewedOnTerminal(term: AttendanceTerminal, pin: string): Promise<void> {
  await settleTerminal(reconciler, term);
  expect(term.users.get(pin)).toMatchObject({ name: 'Renewed', card: `99${pin}` });
  expect(await personOf(pin)).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: `99${pin}` } });
  expect(await pendingOn(term.sn)).toEqual(nothingPending);
}

const userLine = (pin: string, name: string, card = '') => `USER PIN=${pin}\tName=${name}\tPri=0\tPasswd=\tCard=${card}\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=`;

describe('an attendance terminal uploads the record it holds while a REST edit of it is on its way', () => {
  it('the put still queued (its users sent again): the upload changes nothing, the terminal gets the edit; a new pin in the same upload is taken', async () => {
    const term = await editedOnTerminal('UWE-TERM-1', '730101');
    const held = term.users.get('730101')!;
    const line = `USER PIN=730101\tName=${held.name}\tPri=${held.pri}\tPasswd=${held.passwd}\tCard=${held.card}\tGrp=${held.grp}\tTZ=${held.tz}\tVerify=${held.verify}\tViceCard=${held.viceCard ?? ''}`;
    expect((await term.uploadOperlog([line, userLine('730102', 'Newcomer')])).body).toBe('OK: 2');
    expect(await personOf('730101')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99730101' } });
    expect(await personOf('730102')).toMatchObject({ code: 0, data: { name: 'Newcomer' } });
    await renewedOnTerminal(term, '730101');
  });

  it('the put run, its result not in yet, and the old record sent again: the REST edit stays', async () => {
    const term = await editedOnTerminal('UWE-TERM-2', '730111');
    const line = userLine('730111', 'Held', '88730111');
    term.holdResults((c) => c.startsWith('DATA UPDATE USERINFO'));
    await term.drain();
    expect(term.users.get('730111')).toMatchObject({ name: 'Renewed' });
    expect((await term.uploadOperlog([line])).body).toBe('OK: 1');
    expect(await personOf('730111')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99730111' } });
    term.stopHoldingResults();
    await term.releaseResults();
    await renewedOnTerminal(term, '730111');
  });

  it('the put still queued, the record it holds uploaded by the terminal itself (uploadUser): the REST edit stays', async () => {
    const term = await editedOnTerminal('UWE-TERM-3', '730121');
    expect((await term.uploadUser('730121')).body).toBe('OK: 1');
    expect(await personOf('730121')).toMatchObject({ code: 0, data: { name: 'Renewed', cardNo: '99730121' } });
    await renewedOnTerminal(term, '730121');
  });

  it('a record edited at its keypad meanwhile (not the one it held) is still taken: the last writer wins', async () => {
    const term = await editedOnTerminal('UWE-TERM-4', '730131');
    term.users.get('730131')!.name = 'Keypad';
    expect((await term.uploadUser('730131')).body).toBe('OK: 1');
    expect(await personOf('730131')).toMatchObject({ code: 0, data: { name: 'Keypad', cardNo: '88730131' } });
    await settleTerminal(reconciler, term);
    expect(term.users.get('730131')).toMatchObject({ name: 'Keypad', card: '88730131' });
    expect(await pendingOn(term.sn)).toEqual(nothingPending);
  });
});
