/**
 * CVSecurity's Access > Advanced Functions, Interlock and Anti-Passback, set per access panel from the console, reach
 * the panel as its own options (Security PUSH 9.5.1 `SET OPTIONS AntiPassback=<Appendix 8>,InterLock=<Appendix 9>`).
 * The planner owns them (the `advanced` items): queued with the edit, held only on the panel's Return=0, sent again
 * after a lost reply or a refusal, kept for a panel offline meanwhile, sent again after a factory reset (with or
 * without a new registration); a panel never set is sent nothing. Only values the panel's doors allow are taken.
 * Every case compares the options the simulated panel holds with the device row in the database.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from '../sync/access-helpers';
import { ok, reconcileUntil, settleConverged, useFaultApp } from '../sync/fault-helpers';
import { createOperator, lazyOperator, signIn } from '../console/console-helpers';
import type { DeviceSimulator } from '../simulator/device-simulator';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const operator = lazyOperator(() => t, 'h3rules');

const rowOf = async (sn: string) =>
  (await t.ds.query(`SELECT interlock, anti_passback FROM device WHERE sn = $1`, [sn]))[0] as { interlock: number | null; anti_passback: number | null };

/** The rules as the device row gives them, in the panel's option names (a rule never set: what the panel had). */
async function wanted(sn: string, sim: DeviceSimulator): Promise<Record<string, string>> {
  const r = await rowOf(sn);
  return { AntiPassback: r.anti_passback === null ? sim.options.get('AntiPassback')! : String(r.anti_passback), InterLock: r.interlock === null ? sim.options.get('InterLock')! : String(r.interlock) };
}

const held = (sim: DeviceSimulator) => ({ AntiPassback: sim.options.get('AntiPassback'), InterLock: sim.options.get('InterLock') });

/** What the gateway recorded the panel as holding of an option (null: nothing confirmed). */
const confirmed = async (sn: string, option: string) =>
  ((await t.ds.query(`SELECT s.hash FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 AND s.kind = 'advanced' AND s.key = $2`, [sn, option]))[0]?.hash ??
    null) as string | null;

const rulesSent = (d: Device) => d.sim.received.filter((r) => /^SET OPTIONS (AntiPassback|InterLock)=/.test(r.command));

async function edit(sn: string, body: Record<string, unknown>) {
  return (await operator()).call('PUT', `advanced-functions/${sn}`, body);
}

async function listed(sn: string) {
  const rows = (await (await operator()).call('GET', `advanced-functions?q=${sn}`)).body.data.rows as Array<Record<string, unknown>>;
  return rows.find((r) => r.sn === sn)!;
}

describe('interlock and anti-passback from the console reach the panel (SET OPTIONS AntiPassback=, InterLock=)', () => {
  it('sets, changes and clears the rules: one SET OPTIONS each time, held on Return=0, nothing when they stay', async () => {
    const d = await Device.connect(t, 'H3RULE01', 4, '10.83.1.1');
    const other = await Device.connect(t, 'H3RULE09', 2, '10.83.1.9');
    expect(await listed('H3RULE01')).toMatchObject({ interlock: null, antiPassback: null, interlockState: 'unset', antiPassbackState: 'unset', lockCount: 4 });
    const r = await edit('H3RULE01', { interlock: 4, antiPassback: 3 });
    expect(r.body).toMatchObject({ code: 0, data: { deviceSn: 'H3RULE01', interlock: 4, antiPassback: 3, changed: true, queued: 1 } });
    // Queued in the edit's transaction, not yet confirmed.
    expect(await confirmed('H3RULE01', 'InterLock')).toBeNull();
    expect((await listed('H3RULE01')).interlockState).toBe('sending');
    await d.sim.pollUntilIdle();
    expect(rulesSent(d).map((c) => [c.command, c.result])).toEqual([['SET OPTIONS AntiPassback=3,InterLock=4', 0]]);
    expect(held(d.sim)).toEqual(await wanted('H3RULE01', d.sim));
    expect(held(d.sim)).toEqual({ AntiPassback: '3', InterLock: '4' });
    expect([await confirmed('H3RULE01', 'InterLock'), await confirmed('H3RULE01', 'AntiPassback')]).toEqual(['4', '3']);
    expect(await listed('H3RULE01')).toMatchObject({ interlock: 4, antiPassback: 3, interlockState: 'held', antiPassbackState: 'held' });
    // The same values again: nothing changes, nothing is queued.
    expect((await edit('H3RULE01', { interlock: 4 })).body).toMatchObject({ code: 0, data: { changed: false, queued: 0 } });
    // One changed: only that option goes.
    expect((await edit('H3RULE01', { interlock: 5 })).body).toMatchObject({ code: 0, data: { interlock: 5, antiPassback: 3, changed: true, queued: 1 } });
    await d.sim.pollUntilIdle();
    expect(rulesSent(d).at(-1)!.command).toBe('SET OPTIONS InterLock=5');
    expect(held(d.sim)).toEqual({ AntiPassback: '3', InterLock: '5' });
    // Cleared (None / No APB): sent as 0, the panel holds 0.
    expect((await edit('H3RULE01', { interlock: 0, antiPassback: 0 })).body).toMatchObject({ code: 0, data: { interlock: 0, antiPassback: 0, changed: true, queued: 1 } });
    await d.sim.pollUntilIdle();
    expect(rulesSent(d).at(-1)!.command).toBe('SET OPTIONS AntiPassback=0,InterLock=0');
    expect(held(d.sim)).toEqual(await wanted('H3RULE01', d.sim));
    expect(await rowOf('H3RULE01')).toEqual({ interlock: 0, anti_passback: 0 });
    d.expectAllAcknowledged();
    // A panel never set is sent nothing, even by a full sync.
    await settleConverged(t, reconciler, other.sim);
    expect(rulesSent(other)).toEqual([]);
    const audit = await t.ds.query(`SELECT target, outcome FROM console_audit WHERE action = 'device.advanced' ORDER BY id`);
    expect(audit.map((a: { target: string; outcome: string }) => a.outcome)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('refuses values its doors do not allow and every device that is no access panel, storing and sending nothing', async () => {
    const d = await Device.connect(t, 'H3RULE02', 2, '10.83.1.2');
    const ele = await Device.connect(t, 'H3RULE03', 2, '10.83.1.3');
    const att = await Device.connect(t, 'H3RULE04', 1, '10.83.1.4');
    await t.ds.query(`UPDATE device SET kind_override = 'ele' WHERE sn = 'H3RULE03'`);
    await t.ds.query(`UPDATE device SET kind_override = 'att' WHERE sn = 'H3RULE04'`);
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['H3RULE02', { interlock: 2 }, -400, 'interlock: "Interlock between Door 3 and Door 4" needs a panel of 4 doors; H3RULE02 has 2 (it takes 0, 1)'],
      ['H3RULE02', { interlock: 3 }, -400, 'interlock: "Interlock among Door 1, Door 2, and Door 3" needs a panel of 3 doors; H3RULE02 has 2 (it takes 0, 1)'],
      ['H3RULE02', { antiPassback: 4 }, -400, 'antiPassback: "APB between Door 1 or 2 and Door 3 or 4" needs a panel of 4 doors; H3RULE02 has 2 (it takes 0, 1, 16, 32, 48)'],
      ['H3RULE02', { antiPassback: 64 }, -400, 'antiPassback: "APB between readers 3" needs a panel of 3 doors; H3RULE02 has 2 (it takes 0, 1, 16, 32, 48)'],
      ['H3RULE02', { antiPassback: 7 }, -400, 'antiPassback: 7 is no value of Appendix 8 (it takes 0, 1, 16, 32, 48)'],
      ['H3RULE02', { interlock: 6 }, -400, 'interlock: 6 is no value of Appendix 9 (it takes 0, 1)'],
      ['H3RULE02', { interlock: '1' }, -400, "interlock must be a whole number, a value of the manual's table (0 clears it)"],
      ['H3RULE02', { antiPassback: -1 }, -400, "antiPassback must be a whole number, a value of the manual's table (0 clears it)"],
      ['H3RULE02', {}, -400, 'The advanced functions update gives nothing to change: send interlock or antiPassback'],
      ['H3RULE03', { interlock: 1 }, -400, 'H3RULE03 is an elevator controller: interlock and anti-passback are an access panel\'s (its doors\' options)'],
      ['H3RULE04', { antiPassback: 0 }, -400, "H3RULE04 is an attendance terminal: interlock and anti-passback are an access panel's (its doors' options)"],
      ['H3NOSUCH', { interlock: 1 }, -404, 'The device H3NOSUCH does not exist'],
    ];
    for (const [sn, body, code, message] of cases) {
      const r = await edit(sn, body);
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(r.body, `${sn} ${JSON.stringify(body)}`).toMatchObject({ code, message });
    }
    // A viewer reads the list and may not edit.
    await createOperator(t, 'h3viewer', 'viewer');
    const viewer = await signIn(t, 'h3viewer', 'h3viewer-password-1');
    expect((await viewer.call('GET', 'advanced-functions')).body.code).toBe(0);
    expect((await viewer.call('PUT', 'advanced-functions/H3RULE02', { interlock: 1 })).body.code).not.toBe(0);
    // Only access panels are listed; the 2-door panel is offered its own values.
    const rows = (await viewer.call('GET', 'advanced-functions?q=H3RULE0')).body.data.rows as Array<{ sn: string; interlockValues: Array<{ value: number }>; antiPassbackValues: Array<{ value: number }> }>;
    expect(rows.map((r) => r.sn).filter((sn) => ['H3RULE02', 'H3RULE03', 'H3RULE04'].includes(sn))).toEqual(['H3RULE02']);
    const two = rows.find((r) => r.sn === 'H3RULE02')!;
    expect(two.interlockValues.map((v) => v.value)).toEqual([0, 1]);
    expect(two.antiPassbackValues.map((v) => v.value)).toEqual([0, 1, 16, 32, 48]);
    for (const sn of ['H3RULE02', 'H3RULE03', 'H3RULE04']) expect(await rowOf(sn)).toEqual({ interlock: null, anti_passback: null });
    for (const x of [d, ele, att]) {
      await x.sim.pollUntilIdle();
      expect(rulesSent(x)).toEqual([]);
    }
  });

  it('a lost reply: the rule is not taken as held and goes again, until the panel holds it', async () => {
    const d = await Device.connect(t, 'H3RULE05', 2, '10.83.1.5');
    expect((await edit('H3RULE05', { interlock: 1 })).body.code).toBe(0);
    d.sim.loseNextReply();
    await d.sim.pollUntilIdle();
    expect(d.sim.lostReplies.join('\n')).toContain('SET OPTIONS InterLock=1');
    // The panel ran it, but the gateway never heard: not held.
    expect(await confirmed('H3RULE05', 'InterLock')).toBeNull();
    await settleConverged(t, reconciler, d.sim);
    await waitFor(async () => (await confirmed('H3RULE05', 'InterLock')) === '1', d.sim);
    expect(held(d.sim)).toEqual(await wanted('H3RULE05', d.sim));
    expect(held(d.sim)).toEqual({ AntiPassback: '0', InterLock: '1' });
  });

  it('refused once (a negative Return): in doubt, planned again after the backoff, then held', async () => {
    const d = await Device.connect(t, 'H3RULE06', 4, '10.83.1.6');
    d.sim.failCommands((c) => c.verb === 'SET OPTIONS' && c.args.startsWith('AntiPassback'), -1002, 1);
    expect((await edit('H3RULE06', { antiPassback: 240 })).body.code).toBe(0);
    await d.sim.pollUntilIdle();
    expect(rulesSent(d).map((c) => [c.command, c.result])).toEqual([['SET OPTIONS AntiPassback=240', -1002]]);
    expect(held(d.sim).AntiPassback).toBe('0');
    expect(await confirmed('H3RULE06', 'AntiPassback')).toBe('?');
    expect((await listed('H3RULE06')).antiPassbackState).toBe('doubt');
    await waitFor(async () => (await confirmed('H3RULE06', 'AntiPassback')) === '240', d.sim);
    expect(held(d.sim)).toEqual(await wanted('H3RULE06', d.sim));
    expect(held(d.sim).AntiPassback).toBe('240');
  });

  it('a panel offline meanwhile: the edits wait for it, and it ends holding the last of them', async () => {
    const d = await Device.connect(t, 'H3RULE07', 4, '10.83.1.7');
    // It does not poll while the operator edits it twice.
    expect((await edit('H3RULE07', { interlock: 1 })).body).toMatchObject({ code: 0, data: { queued: 1 } });
    expect((await edit('H3RULE07', { interlock: 2, antiPassback: 2 })).body).toMatchObject({ code: 0, data: { queued: 1 } });
    const pending = await t.ds.query(`SELECT command FROM device_command WHERE device_sn = 'H3RULE07' AND state = 'pending' AND command LIKE 'SET OPTIONS%' ORDER BY id`);
    expect(pending.map((p: { command: string }) => p.command)).toEqual(['SET OPTIONS InterLock=1', 'SET OPTIONS AntiPassback=2,InterLock=2']);
    await d.sim.pollUntilIdle();
    expect(held(d.sim)).toEqual({ AntiPassback: '2', InterLock: '2' });
    expect(held(d.sim)).toEqual(await wanted('H3RULE07', d.sim));
    expect(await listed('H3RULE07')).toMatchObject({ interlockState: 'held', antiPassbackState: 'held' });
  });

  it('a factory reset (event 6016, no new registration): the full sync it owes sends the rules again', async () => {
    const d = await Device.connect(t, 'H3RULE08', 2, '10.83.1.8');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'H3L8' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'H3L8', doorName: '10.83.1.8-1' }] }));
    await ok(t.post('/api/person/add', { pin: 'H3008', name: 'H3 Eight', accLevelIds: await levelId(t, 'H3L8') }));
    expect((await edit('H3RULE08', { interlock: 1, antiPassback: 48 })).body.code).toBe(0);
    await settleConverged(t, reconciler, d.sim);
    expect(held(d.sim)).toEqual({ AntiPassback: '48', InterLock: '1' });
    await d.sim.factoryResetInPlace(new Date(Date.now() - 1000));
    expect(held(d.sim)).toEqual({ AntiPassback: '0', InterLock: '0' });
    await waitFor(async () => JSON.stringify(held(d.sim)) === JSON.stringify(await wanted('H3RULE08', d.sim)), d.sim);
    expect(held(d.sim)).toEqual({ AntiPassback: '48', InterLock: '1' });
    expect(d.sim.table('user').map((u) => String(u.Pin))).toEqual(['H3008']);
  });

  it('a factory reset that registers again: the rules go again; one set only goes, the other left to the panel', async () => {
    const d = await Device.connect(t, 'H3RULE10', 4, '10.83.1.10');
    expect((await edit('H3RULE10', { antiPassback: 6 })).body.code).toBe(0);
    await settleConverged(t, reconciler, d.sim);
    expect(held(d.sim)).toEqual({ AntiPassback: '6', InterLock: '0' });
    await d.sim.factoryReset();
    expect(held(d.sim)).toEqual({ AntiPassback: '0', InterLock: '0' });
    await waitFor(async () => d.sim.options.get('AntiPassback') === '6' && (await confirmed('H3RULE10', 'AntiPassback')) === '6', d.sim);
    expect(rulesSent(d).map((c) => c.command)).toEqual(['SET OPTIONS AntiPassback=6', 'SET OPTIONS AntiPassback=6']);
    expect(await confirmed('H3RULE10', 'InterLock')).toBeNull();
  });

  it('a panel whose LockCount shrank keeps the rule on its row but is not sent it, until its doors are back', async () => {
    const d = await Device.connect(t, 'H3RULE11', 4, '10.83.1.11');
    expect((await edit('H3RULE11', { interlock: 2 })).body.code).toBe(0);
    await d.sim.pollUntilIdle();
    expect(held(d.sim).InterLock).toBe('2');
    expect((await d.sim.reconfigure({ doors: 2 })).registered).toBe(true);
    await settleConverged(t, reconciler, d.sim);
    expect(await rowOf('H3RULE11')).toEqual({ interlock: 2, anti_passback: null });
    expect(await listed('H3RULE11')).toMatchObject({ lockCount: 2, interlock: 2, interlockState: 'notSent' });
    expect(rulesSent(d).map((c) => c.command)).toEqual(['SET OPTIONS InterLock=2']);
    expect((await d.sim.reconfigure({ doors: 4 })).registered).toBe(true);
    await settleConverged(t, reconciler, d.sim);
    await waitFor(async () => (await listed('H3RULE11')).interlockState === 'held', d.sim);
    expect(held(d.sim).InterLock).toBe('2');
  });
});

/** Polls the panel and runs the reconciler until `done`, within a bound. */
const waitFor = (done: () => Promise<boolean>, sim: DeviceSimulator) => reconcileUntil(reconciler, done, sim);
