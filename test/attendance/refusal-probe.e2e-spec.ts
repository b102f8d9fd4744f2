/**
 * An attendance terminal's refusal for good is probed again with backoff (src/push/device-refusals.ts): a photo
 * table refused once with -1004 lands once the terminal takes it again, with no REST call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { sleep } from '../push/push-helpers';
import { PHOTO } from '../sync/access-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  // Item retries far off: only the probe can send what the refusal held back.
  t = await startTestApp({ syncRetryBaseMs: 600_000, syncRetryMaxMs: 600_000, syncReconcileIntervalMs: 0, syncRefusalProbeMs: 200, syncRefusalProbeMaxMs: 1_000 });
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

describe('a terminal refusal for good is probed again', () => {
  it('a USERPIC refused once with -1004 lands at the probe; the refusal is gone', async () => {
    const sn = 'ATT-PROBE';
    expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn });
    expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect((await t.post('/api/person/add', { pin: '8701', name: 'Pia', personPhoto: PHOTO })).body.code).toBe(0);
    const fault = term.failCommands((c) => c.startsWith('DATA UPDATE USERPIC'), -1004, 1);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['8701'] })).body.code).toBe(0);
    await term.drain();
    expect(fault.used).toBe(1);
    expect(term.users.has('8701')).toBe(true);
    expect(term.photos.has('8701')).toBe(false);
    const refused = (await t.get(`/api/gateway/devices/${sn}`)).body.data.refusedCapabilities;
    expect(refused).toEqual([expect.objectContaining({ what: 'DATA UPDATE USERPIC', returnCode: -1004, refusals: 1, probeAt: expect.any(String) })]);
    // Before the probe is due nothing goes out (checked when the pass ran before it was due: a loaded machine may be slower).
    await reconciler.runOnce();
    const early = await term.drain();
    if (Date.now() < Date.parse(refused[0].probeAt)) expect(early).toEqual([]);
    for (let i = 0; i < 10 && !term.photos.has('8701'); i++) {
      await sleep(250);
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
    }
    expect(term.photos.has('8701')).toBe(true);
    expect((await t.get(`/api/gateway/devices/${sn}`)).body.data.refusedCapabilities).toEqual([]);
  });

  it('a removal the terminal refused for good is listed under the person\'s refused, as a refused addition is', async () => {
    const sn = 'ATT-PROBE-DEL';
    expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn });
    expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '8702', name: 'Leo' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['8702'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect(term.users.has('8702')).toBe(true);
    const fault = term.failCommands((c) => c.startsWith('DATA DELETE USERINFO'), -1004, 1);
    expect((await t.post('/api/person/leave', { pin: '8702' })).body.code).toBe(0);
    await term.drain();
    expect(fault.used).toBe(1);
    expect(term.users.has('8702')).toBe(true);
    const view = (await t.get('/api/gateway/persons/8702/devices')).body.data.find((d: { deviceSn: string }) => d.deviceSn === sn);
    expect(view).toMatchObject({ state: 'refused', desired: false, refused: ['DATA DELETE USERINFO'] });
  });
});
