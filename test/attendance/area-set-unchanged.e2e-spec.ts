/**
 * attAreaPerson/set (2.8.2) and insAreaPerson/setAreaPerson for persons already on the area's terminals, their data
 * unchanged: the planner (src/sync, as for access panels) queues only what differs from what each terminal confirmed,
 * replayed with what is in flight to it, so a repeated set queues nothing and a new person alone is sent. Each case
 * fails when the set plans with force (every person's USERINFO and templates sent again).
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { commandsOf } from '../push/push-helpers';
import { PHOTO } from '../sync/access-helpers';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000 }, (app) => ({ t, reconciler } = app));

describe('setting persons the terminal already holds to its area again', () => {
  it('persons with a card, a secondary card, a password, a photo, a fingerprint, a Chinese name, disabled: nothing is queued again; a new person alone is sent', async () => {
    const sn = 'ATT-AS-SAME';
    expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn });
    expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
    const add = [
      { pin: '7501', name: 'Ana', cardNo: '7501001' },
      { pin: '7502', name: '李四', lastName: 'Li', cardNo: '7502001', supplyCards: '7502002', personPwd: '1234', personPhoto: PHOTO },
      { pin: '7503', name: 'Olu', isDisabled: true },
    ];
    for (const p of add) expect((await t.post('/api/person/add', p)).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '7501', validType: '1', template: Buffer.from('finger of 7501').toString('base64'), templateNo: '1' })).body.code).toBe(0);
    expect((await t.post('/api/attPerson/editAttPerson', { pin: '7502', isAttendance: true, perDevAuth: 14 })).body.code).toBe(0);
    const pins = add.map((p) => p.pin);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    await term.poll(true);
    await settleTerminal(reconciler, term);
    const before = (await commandsOf(t, sn)).length;

    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins })).body.code).toBe(0);
    expect((await commandsOf(t, sn)).slice(before).map((c) => c.command)).toEqual([]);

    expect((await t.post('/api/person/add', { pin: '7504', name: 'New' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: [...pins, '7504'] })).body.code).toBe(0);
    expect((await commandsOf(t, sn)).slice(before).map((c) => c.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=7504']);
  });

  it('a person enrolled at the terminal (its OPERLOG USER and BIODATA lines), then set to its area: nothing is sent back to it', async () => {
    const sn = 'ATT-AS-ENR';
    expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn });
    expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect((await term.enrollUser({ pin: '7601', name: 'Kim', card: '7601001' }, [{ fid: 1, tmp: 'abcdef' }])).status).toBe(200);
    await settleTerminal(reconciler, term);
    const before = (await commandsOf(t, sn)).length;
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['7601'] })).body.code).toBe(0);
    expect((await commandsOf(t, sn)).slice(before).map((c) => c.command)).toEqual([]);
  });

  it('set again while the USERINFO is queued, and while it is delivered with its result not in: still one USERINFO', async () => {
    const sn = 'ATT-AS-TWICE';
    expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn });
    expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect((await t.post('/api/person/add', { pin: '7701', name: 'Two' })).body.code).toBe(0);
    const before = (await commandsOf(t, sn)).length;
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['7701'] })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['7701'] })).body.code).toBe(0);
    expect((await commandsOf(t, sn)).slice(before).map((c) => c.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=7701']);
    // Delivered, its result held back by the terminal.
    term.holdResults();
    await term.poll();
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['7701'] })).body.code).toBe(0);
    expect((await commandsOf(t, sn)).slice(before).map((c) => c.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=7701']);
    await term.releaseResults();
    term.stopHoldingResults();
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['7701'] })).body.code).toBe(0);
    expect((await commandsOf(t, sn)).slice(before).map((c) => c.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=7701']);
  });

  it('insAreaPerson/setAreaPerson again on a FaceKiosk: nothing queued', async () => {
    const kiosk = await initialisedTerminal(t, { sn: 'KIOSK-AS', deviceType: 'ins' });
    await kiosk.drain();
    await t.post('/api/person/add', { pin: '7801', name: 'Ivy' });
    expect((await t.post('/api/insAreaPerson/setAreaPerson', { code: 1, pins: '7801' })).body.code).toBe(0);
    await settleTerminal(reconciler, kiosk);
    const before = (await commandsOf(t, 'KIOSK-AS')).length;
    expect((await t.post('/api/insAreaPerson/setAreaPerson', { code: 1, pins: '7801' })).body.code).toBe(0);
    expect((await commandsOf(t, 'KIOSK-AS')).slice(before).map((c) => c.command)).toEqual([]);
  });

  it('the terminal uploads the user back unchanged (an edit at its menu that changed nothing), then set: nothing queued', async () => {
    const sn = 'ATT-AS-BACK';
    expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn });
    expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect((await t.post('/api/person/add', { pin: '7901', name: 'Back', cardNo: '7901001', supplyCards: '7901002' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '7901', validType: '1', template: Buffer.from('finger of 7901').toString('base64'), templateNo: '1' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['7901'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect((await term.uploadUser('7901')).status).toBe(200);
    await settleTerminal(reconciler, term);
    const before = (await commandsOf(t, sn)).length;
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['7901'] })).body.code).toBe(0);
    expect((await commandsOf(t, sn)).slice(before).map((c) => c.command)).toEqual([]);
    const cmds = (await commandsOf(t, sn)).map((c) => c.command.split('\t')[0]);
    expect(cmds.filter((c) => c.includes('7901')).sort()).toEqual(['DATA UPDATE BIODATA Pin=7901', 'DATA UPDATE USERINFO PIN=7901']);
  });
});
