/**
 * A terminal whose options push carries its counts (field samples opt-speedface-v5l-zam180, opt-senseface2a-zam70-3312:
 * `UserCount=`, `FPCount=`, pushed right after each initialisation) and whose polls carry no INFO (manual 12's form).
 * Its factory reset says 0 users there: the count its initialisation owes, judged at once. Before, the count waited
 * for a poll interval and the INFO command's result; the users came back only then.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { settleTerminal, terminalInOwnArea, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a factory reset of a terminal that pushes its counts with its options', () => {
  it('its options saying UserCount=0 bring its users and fingers back, with no INFO asked, and it is said converged', async () => {
    const SN = 'ATT-OPT-COUNTS';
    const term = await terminalInOwnArea(t, reconciler, SN, { optionsCounts: true });
    for (const pin of ['8711', '8712']) expect((await t.post('/api/person/add', { pin, name: `P${pin}` })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '8712', validType: '1', template: Buffer.from('finger of 8712').toString('base64'), templateNo: '1' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: SN, pins: ['8711', '8712'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect([...term.users.keys()].sort()).toEqual(['8711', '8712']);

    expect(await term.factoryReset()).toBe(true);
    expect(term.users.size).toBe(0);
    await sleep(100);
    await reconciler.idle();
    // Polls without INFO: what the options push said is all the gateway has of its count.
    await settleTerminal(reconciler, term);
    expect([...term.users.keys()].sort()).toEqual(['8711', '8712']);
    expect(term.templatesOf('8712')).toHaveLength(1);
    expect(term.executed.filter((e) => e.command === 'INFO')).toEqual([]);
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: false, desiredItems: 3, confirmedItems: 3 });
  });

  it('a reboot whose options count all its users sends nothing again', async () => {
    const SN = 'ATT-OPT-COUNTS-2';
    const term = await terminalInOwnArea(t, reconciler, SN, { optionsCounts: true });
    expect((await t.post('/api/person/add', { pin: '8721', name: 'P8721' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: SN, pins: ['8721'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    const sent = term.executed.length;
    expect(await term.init()).toBe(true);
    await sleep(100);
    await reconciler.idle();
    await settleTerminal(reconciler, term);
    expect(term.executed.slice(sent)).toEqual([]);
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: false, desiredItems: 1, confirmedItems: 1 });
  });
});
