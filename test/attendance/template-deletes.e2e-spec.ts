/**
 * One template deleted (or changed) of a person holding several on an attendance terminal (simulator): the terminal
 * is sent the delete of that template alone (`DATA DELETE BIODATA Pin=<HT>Type=<HT>No=`, manual 12.1.2.5), not a delete
 * of every template of the PIN followed by all the others again. A set confirmed before the hash named its slots is
 * taken as it is, with nothing sent (migration 1763700010210 makes it due).
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { deliveriesAgeBy } from '../sync/retry-waits';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({ syncRetryBaseMs: 1000, syncRetryMaxMs: 2000 }, (app) => ({ t, reconciler } = app));

const ok = async (r: Promise<{ body: { code: number; message?: string } }>) => expect((await r).body).toMatchObject({ code: 0 });
const finger = (pin: string, no: number, text = `finger ${no} of ${pin}`) =>
  t.post('/api/bioTemplate/add', { personId: pin, validType: '1', template: Buffer.from(text).toString('base64'), templateNo: String(no) });
const bioHashOf = async (sn: string, pin: string) =>
  ((await t.ds.query(`SELECT s.hash FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 AND s.kind = 'bio' AND s.key = $2`, [sn, pin])) as Array<{ hash: string }>)[0]?.hash;

describe('one template of several changed on an attendance terminal', () => {
  it('a deleted finger goes by its Type and No alone, an added one is sent alone: the others are not deleted nor sent again', { timeout: 120_000 }, async () => {
    const sn = 'ATT-TD-1';
    const pin = '7701';
    await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
    const term = await initialisedTerminal(t, { sn });
    await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
    await ok(t.post('/api/person/add', { pin, name: 'Ivo' }));
    await ok(t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] }));
    for (const no of [1, 2, 3]) await ok(finger(pin, no));
    await settleTerminal(reconciler, term);
    expect(term.templatesOf(pin).map((x) => x.fields.No).sort()).toEqual(['1', '2', '3']);

    let from = term.executed.length;
    await ok(t.delete(`/api/bioTemplate/delete/${pin}/2`));
    await settleTerminal(reconciler, term);
    expect(term.executed.slice(from).map((e) => [e.command, e.returnCode])).toEqual([[`DATA DELETE BIODATA Pin=${pin}\tType=1\tNo=2`, 0]]);
    expect(term.templatesOf(pin).map((x) => x.fields.No).sort()).toEqual(['1', '3']);

    from = term.executed.length;
    await ok(finger(pin, 4));
    await settleTerminal(reconciler, term);
    expect(term.executed.slice(from).map((e) => [e.command.split('\tIndex')[0], e.returnCode])).toEqual([[`DATA UPDATE BIODATA Pin=${pin}\tNo=4`, 0]]);
    expect(term.templatesOf(pin).map((x) => [x.fields.No, Buffer.from(x.fields.Tmp, 'base64').toString()]).sort()).toEqual([['1', 'finger 1 of 7701'], ['3', 'finger 3 of 7701'], ['4', 'finger 4 of 7701']]);
    expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0 });

    // Confirmed before the hash named its slots (its legacy part only), and due (migration 1763700010210): the
    // reconciler takes the set as held, in the new form, sending nothing.
    const hash = await bioHashOf(sn, pin);
    await t.ds.query(`UPDATE sync_item SET hash = $2, failures = 1, next_try_at = now() WHERE kind = 'bio' AND key = $1`, [pin, hash.split('/')[0]]);
    from = term.executed.length;
    await reconciler.runOnce();
    await settleTerminal(reconciler, term);
    expect(term.executed.slice(from)).toEqual([]);
    expect(await bioHashOf(sn, pin)).toBe(hash);
    expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ divergent: false, failingItems: 0 });
  });

  it('under faults (a lost reply, a refusal, a factory reset) the terminal ends holding exactly the stored templates', { timeout: 180_000 }, async () => {
    const sn = 'ATT-TD-2';
    const pin = '7702';
    await ok(t.post('/api/gateway/areas', { code: sn, name: sn }));
    const term = await initialisedTerminal(t, { sn });
    await ok(t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn }));
    await ok(t.post('/api/person/add', { pin, name: 'Uma' }));
    await ok(t.post('/api/attAreaPerson/set', { code: sn, pins: [pin] }));
    for (const no of [1, 2, 3, 4]) await ok(finger(pin, no));
    await settleTerminal(reconciler, term);
    const held = () => term.templatesOf(pin).map((x) => x.fields.No).sort();
    const settle = async () => {
      for (let i = 0; i < 15; i++) {
        await reconciler.runOnce();
        await settleTerminal(reconciler, term);
        const c = (await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data;
        if (!c.divergent && c.pendingCommands === 0) return;
        await new Promise((r) => setTimeout(r, 400));
      }
    };

    // The narrow delete's reply is lost: it goes again, and only finger 2 goes.
    term.loseNextReply();
    await ok(t.delete(`/api/bioTemplate/delete/${pin}/2`));
    expect(await term.poll()).toEqual([]);
    expect(term.lostReplies.at(-1)).toContain(`DATA DELETE BIODATA Pin=${pin}	Type=1	No=2`);
    // Past the timeout (ackTimeoutMs, 1 s here).
    await deliveriesAgeBy(t, sn, 1000);
    await settle();
    expect(held()).toEqual(['1', '3', '4']);

    // Refused once: the set is in doubt, so the retry clears every template of the PIN and sends the stored ones.
    const refusal = term.failCommands((c) => c.startsWith(`DATA DELETE BIODATA Pin=${pin}	Type=1	No=3`), -1002, 1);
    await ok(t.delete(`/api/bioTemplate/delete/${pin}/3`));
    await settle();
    expect(refusal.used).toBe(1);
    expect(held()).toEqual(['1', '4']);

    // Wiped and initialised again: the next INFO's user count brings the stored set back.
    expect(await term.factoryReset()).toBe(true);
    await reconciler.idle();
    await term.poll(true);
    await settle();
    expect(held()).toEqual(['1', '4']);
    expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0, failingItems: 0 });
  });
});
