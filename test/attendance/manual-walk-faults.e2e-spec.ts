/**
 * One attendance terminal's life as the attendance manual describes it, with the faults a real one meets on the way,
 * all through HTTP (REST north, the simulator south): a person with a card, a fingerprint and a photo written through
 * REST reaches the terminal as USERINFO, BIODATA and USERPIC (12.1.1), confirmed by its Returns (13); results lost
 * after the terminal ran the commands (they are sent again and run twice, harmlessly), a refusal (-1005 busy) retried,
 * punches uploaded (11.2) with the "OK: n" reply lost and the upload sent again, one bad line among good ones, a
 * factory reset (its data gone, its Stamps restarting from 1: going backwards) noticed from its INFO user count (9)
 * and everything put back, and the punches served back by the REST API, each once.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { deliveriesAgeBy } from '../sync/retry-waits';
import type { TestApp } from '../support/test-app';
import { heldBiometrics, settleTerminal, terminalInOwnArea, useAttendanceApp, wantedBiometrics } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000 }, (app) => ({ t, reconciler } = app));

const SN = 'H1WALK01';
const ok = async (r: Promise<{ body: { code: number; message?: string } }>) => expect((await r).body).toMatchObject({ code: 0 });
const b64 = (text: string) => Buffer.from(text).toString('base64');
const photoOf = (text: string) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(text), Buffer.from([0xff, 0xd9])]).toString('base64');

/** The punches the REST API lists for the terminal's persons on 2026-03-02, oldest first: `pin HH:MI:SS event`. */
async function listed(): Promise<string[]> {
  const r = await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 100, startDate: '2026-03-02 00:00:00', endDate: '2026-03-02 23:59:59' });
  expect(r.body.code).toBe(0);
  return (r.body.data as Array<{ pin: string; eventTime: string; eventName: string; devSn: string }>)
    .filter((p) => p.devSn === SN)
    .map((p) => `${p.pin} ${p.eventTime.slice(11)} ${p.eventName}`)
    .sort();
}

describe('an attendance terminal walked through the manual, with faults', () => {
  it('holds what the database puts on it after lost results, a refusal and a reset; every punch is served once', { timeout: 90_000 }, async () => {
    const term = await terminalInOwnArea(t, reconciler, SN, { stampResume: true });
    const settle = () => settleTerminal(reconciler, term);

    // 12.1.1: a person with a card, a fingerprint and a photo; the terminal runs every command but its results are lost.
    term.holdResults();
    await ok(t.post('/api/person/add', { pin: '19101', name: 'Hana', cardNo: '123456789' }));
    await ok(t.post('/api/attAreaPerson/set', { code: SN, pins: ['19101'] }));
    await ok(t.post('/api/bioTemplate/add', { personId: '19101', validType: '1', template: b64('finger 1 of 19101'), templateNo: '1' }));
    await ok(t.post('/api/person/updatePersonnelPhoto', { pin: '19101', personPhoto: photoOf('photo of 19101') }));
    await reconciler.idle();
    await term.drain();
    expect(term.users.get('19101')).toMatchObject({ name: 'Hana', card: '123456789' });
    term.stopHoldingResults();
    expect(term.dropHeldResults().length).toBeGreaterThan(0);
    // Nothing confirmed yet: the gateway does not believe the terminal holds the person.
    expect((await t.get('/api/gateway/persons/19101/devices')).body.data).toEqual([expect.objectContaining({ deviceSn: SN, holds: false })]);
    // The same commands again (past the acknowledgement timeout): run twice, the terminal ends holding one of each.
    await deliveriesAgeBy(t, SN, 1000);
    // 13: a busy terminal refuses the photo once (-1005); it is sent again after the backoff.
    const busy = term.failCommands((c) => c.startsWith('DATA UPDATE USERPIC'), -1005, 1);
    const wanted = async () => (await wantedBiometrics(t, [SN]))[0];
    const synced = async () => ((await t.get('/api/gateway/persons/19101/devices')).body.data as Array<{ state: string }>).every((d) => d.state === 'synced');
    /** Reconciler passes and polls (250 ms apart, at most 10 s) until the terminal holds what is wanted and the gateway says so. */
    const converged = async () => {
      for (let end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
        await reconciler.runOnce();
        await settle();
        if (JSON.stringify(heldBiometrics(term)) === JSON.stringify(await wanted()) && (await synced())) return;
      }
    };
    await converged();
    expect(busy.used).toBe(1);
    expect(heldBiometrics(term)).toEqual(await wanted());
    expect(term.templatesOf('19101')).toHaveLength(1);
    expect((await t.get('/api/gateway/persons/19101/devices')).body.data).toEqual([expect.objectContaining({ deviceSn: SN, state: 'synced', holds: true })]);

    // 11.2: punches; the reply to one upload lost, the terminal sends it again; one bad line among good ones.
    expect((await term.punch({ pin: '19101', time: '2026-03-02 08:00:00', status: 0, verify: 1 }))?.body).toBe('OK: 1');
    term.loseNextUploadReply();
    await term.punch({ pin: '19101', time: '2026-03-02 12:00:00', status: 2, verify: 15 });
    expect(term.uploadedTo).toBe(1);
    expect((await term.punch({ pin: '19101', time: '2026-03-02 13:00:00', status: 3, verify: 15 }))?.body).toBe('OK: 2');
    expect((await term.resendLastAttlog())?.body).toBe('OK: 2');
    const mixed = '19101\t2026-03-02 17:00:00\t1\t1\t0\t0\t0\nnot a punch\n19101\t2026-03-02 17:30:00\t5\t1\t0\t0\t0\n';
    expect((await term.uploadRaw('ATTLOG', mixed)).body).toBe('OK: 2');
    expect((await term.uploadRaw('ATTLOG', mixed)).body).toBe('OK: 2');
    const day = ['19101 08:00:00 Check-In', '19101 12:00:00 Break-Out', '19101 13:00:00 Break-In', '19101 17:00:00 Check-Out', '19101 17:30:00 Overtime-Out'];
    expect(await listed()).toEqual(day);

    // A factory reset: its users, templates, photo and punches gone, its Stamps from 1 again.
    expect(await term.factoryReset()).toBe(true);
    expect(term.users.size).toBe(0);
    await term.poll(true);
    await converged();
    expect(heldBiometrics(term)).toEqual(await wanted());
    expect(term.users.get('19101')).toMatchObject({ name: 'Hana', card: '123456789' });
    // A punch after the reset, under Stamp 1 (below every Stamp it sent before): stored, and nothing twice.
    expect((await term.punch({ pin: '19101', time: '2026-03-02 18:00:00', status: 1, verify: 15 }))?.body).toBe('OK: 1');
    expect(await term.init()).toBe(true);
    await settle();
    expect(await listed()).toEqual([...day, '19101 18:00:00 Check-Out']);
    expect((await t.get(`/api/gateway/devices/${SN}/convergence`)).body.data).toMatchObject({ divergent: false, failingItems: 0, pendingCommands: 0 });
  });
});

describe('a delete the terminal refuses while busy (-1005)', () => {
  it('is sent again after the backoff: the person deleted through REST ends off the terminal, templates and photo too', async () => {
    const sn = 'H1WALK02';
    const term = await terminalInOwnArea(t, reconciler, sn);
    await ok(t.post('/api/person/add', { pin: '19201', name: 'Ida' }));
    await ok(t.post('/api/attAreaPerson/set', { code: sn, pins: ['19201'] }));
    await ok(t.post('/api/bioTemplate/add', { personId: '19201', validType: '1', template: b64('finger 1 of 19201'), templateNo: '1' }));
    await ok(t.post('/api/person/updatePersonnelPhoto', { pin: '19201', personPhoto: photoOf('photo of 19201') }));
    await settleTerminal(reconciler, term);
    expect(heldBiometrics(term)).toEqual((await wantedBiometrics(t, [sn]))[0]);
    const busy = term.failCommands((c) => c.startsWith('DATA DELETE'), -1005, 1);
    await ok(t.post('/api/person/delete/19201', {}));
    for (let end = Date.now() + 10_000; Date.now() < end && (term.users.has('19201') || term.photos.has('19201')); await new Promise((r) => setTimeout(r, 250))) {
      await reconciler.runOnce();
      await settleTerminal(reconciler, term);
    }
    expect(busy.used).toBe(1);
    expect(term.users.has('19201')).toBe(false);
    expect(term.templatesOf('19201')).toEqual([]);
    expect(term.photos.has('19201')).toBe(false);
    await reconciler.runOnce();
    await settleTerminal(reconciler, term);
    expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ divergent: false, failingItems: 0, pendingCommands: 0 });
  });
});
