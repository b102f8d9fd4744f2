/**
 * A door's parameters set in the console's door edit (CVSecurity's door edit: lock-open duration, door sensor type and
 * delay, operate interval) reach its panel as the panel's own options (Security PUSH 9.5.1 `SET OPTIONS
 * Door<n>Drivertime=…,Door<n>SensorType=…,Door<n>Detectortime=…,Door<n>Intertime=…`, Appendix 10). The planner owns
 * them (the `door` item): queued with the edit, recorded as held only on the panel's Return=0, sent again after a lost
 * reply, a refusal, a factory reset (with or without a new registration), and kept for a panel offline meanwhile.
 * Every case compares the options the simulated panel holds with the door's row in the database.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from '../sync/access-helpers';
import { ok, reconcileUntil, settleConverged, useFaultApp } from '../sync/fault-helpers';
import { lazyOperator } from '../console/console-helpers';
import type { DeviceSimulator } from '../simulator/device-simulator';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const operator = lazyOperator(() => t, 'h7doors');

const doorOf = async (name: string) =>
  (await t.ds.query(`SELECT id, door_no, lock_delay, sensor_type, sensor_delay, op_interval, options_set FROM door WHERE name = $1`, [name]))[0] as {
    id: string;
    door_no: number;
    lock_delay: number;
    sensor_type: number | null;
    sensor_delay: number | null;
    op_interval: number | null;
    options_set: boolean;
  };

/** The door's parameters as its row gives them, in the panel's option names (a parameter never set: absent). */
async function wantedOptions(name: string): Promise<Record<string, string>> {
  const d = await doorOf(name);
  const n = d.door_no;
  const out: Record<string, string> = { [`Door${n}Drivertime`]: String(d.lock_delay) };
  if (d.sensor_type !== null) out[`Door${n}SensorType`] = String(d.sensor_type);
  if (d.sensor_delay !== null) out[`Door${n}Detectortime`] = String(d.sensor_delay);
  if (d.op_interval !== null) out[`Door${n}Intertime`] = String(d.op_interval);
  return out;
}

/** The door parameters the panel holds (options of the form Door<n><parameter>). */
function heldOptions(sim: DeviceSimulator, doorNo: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of sim.options) if (new RegExp(`^Door${doorNo}(Drivertime|SensorType|Detectortime|Intertime)$`).test(k)) out[k] = v;
  return out;
}

/** What the gateway recorded the panel as holding of the door's options (null: nothing confirmed). */
const confirmedHash = async (sn: string, doorNo: number) =>
  ((await t.ds.query(`SELECT s.hash FROM sync_item s JOIN device d ON d.id = s.device_id WHERE d.sn = $1 AND s.kind = 'door' AND s.key = $2`, [sn, String(doorNo)]))[0]?.hash ??
    null) as string | null;

const setOptionsSent = (d: Device) => d.sim.received.filter((r) => r.command.startsWith('SET OPTIONS Door'));

async function edit(doorName: string, body: Record<string, unknown>) {
  const door = await doorOf(doorName);
  return (await operator()).call('PUT', `doors/${door.id}`, body);
}

describe('door parameters from the console door edit reach the panel (SET OPTIONS Door<n>…)', () => {
  it('sends the edited parameters as one SET OPTIONS, confirms them on Return=0, and sends nothing when they stay', async () => {
    const d = await Device.connect(t, 'H7DOPT01', 2, '10.77.1.1');
    // A door never edited is no item: the panel's own parameters are left as they are.
    expect(setOptionsSent(d)).toEqual([]);
    const r = await edit('10.77.1.1-2', { lockDelay: 9, sensorType: 2, sensorDelay: 30, opInterval: 3 });
    expect(r.body).toMatchObject({ code: 0, data: { door: '10.77.1.1-2', deviceSn: 'H7DOPT01', optionsChanged: true, optionsQueued: 1 } });
    // Queued in the edit's transaction, not yet confirmed.
    expect(await confirmedHash('H7DOPT01', 2)).toBeNull();
    await d.sim.pollUntilIdle();
    expect(setOptionsSent(d).map((c) => [c.command, c.result])).toEqual([['SET OPTIONS Door2Drivertime=9,Door2SensorType=2,Door2Detectortime=30,Door2Intertime=3', 0]]);
    expect(heldOptions(d.sim, 2)).toEqual(await wantedOptions('10.77.1.1-2'));
    expect(await confirmedHash('H7DOPT01', 2)).toBe('9/2/30/3');
    // Door 1 was not edited: nothing of it sent, the panel keeps its own (its default driver time).
    expect(heldOptions(d.sim, 1)).toEqual({ Door1Drivertime: '5' });
    // The same values again: nothing changes, nothing is queued.
    expect((await edit('10.77.1.1-2', { lockDelay: 9 })).body).toMatchObject({ code: 0, data: { optionsChanged: false, optionsQueued: 0 } });
    // One parameter changed: the door's options go again with it, the others kept.
    expect((await edit('10.77.1.1-2', { opInterval: 0 })).body).toMatchObject({ code: 0, data: { optionsChanged: true, optionsQueued: 1 } });
    await d.sim.pollUntilIdle();
    expect(heldOptions(d.sim, 2)).toEqual({ Door2Drivertime: '9', Door2SensorType: '2', Door2Detectortime: '30', Door2Intertime: '0' });
    expect(heldOptions(d.sim, 2)).toEqual(await wantedOptions('10.77.1.1-2'));
    // The door list shows what is set.
    const row = (await (await operator()).call('GET', 'doors?name=10.77.1.1-2')).body.data.rows[0];
    expect(row).toMatchObject({ lockDelay: 9, sensorType: 2, sensorDelay: 30, opInterval: 0, optionsSet: true });
    d.expectAllAcknowledged();
  });

  it('refuses out-of-bounds parameters as the envelope, storing and sending nothing', async () => {
    const d = await Device.connect(t, 'H7DOPT02', 1, '10.77.1.2');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ lockDelay: 0 }, 'lockDelay (lock-open duration) must be a whole number of seconds, 1-254'],
      [{ lockDelay: 255 }, 'lockDelay (lock-open duration) must be a whole number of seconds, 1-254'],
      [{ lockDelay: '5' }, 'lockDelay (lock-open duration) must be a whole number of seconds, 1-254'],
      [{ lockDelay: 2.5 }, 'lockDelay (lock-open duration) must be a whole number of seconds, 1-254'],
      [{ sensorType: 3 }, 'sensorType must be 0 (none), 1 (normally open) or 2 (normally closed)'],
      [{ sensorDelay: -1 }, 'sensorDelay (door sensor delay) must be a whole number of seconds, 0-254'],
      [{ opInterval: 300 }, 'opInterval (operate interval) must be a whole number of seconds, 0-254'],
      [{}, 'The door update gives nothing to change: send name, enabled, lockDelay, sensorType, sensorDelay, opInterval, keepOpenSegmentId, validSegmentId, closeAndLock, duressPassword or emergencyPassword'],
    ];
    for (const [body, message] of cases) {
      const r = await edit('10.77.1.2-1', body);
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(r.body, JSON.stringify(body)).toMatchObject({ code: -400, message });
    }
    expect(await doorOf('10.77.1.2-1')).toMatchObject({ lock_delay: 5, sensor_type: null, options_set: false });
    await d.sim.pollUntilIdle();
    expect(setOptionsSent(d)).toEqual([]);
  });

  it('a lost reply: the options are not taken as held and go again, until the panel holds them', async () => {
    const d = await Device.connect(t, 'H7DOPT03', 1, '10.77.1.3');
    expect((await edit('10.77.1.3-1', { lockDelay: 12, sensorType: 1 })).body.code).toBe(0);
    d.sim.loseNextReply();
    await d.sim.pollUntilIdle();
    expect(d.sim.lostReplies.join('\n')).toContain('SET OPTIONS Door1Drivertime=12,Door1SensorType=1');
    expect(heldOptions(d.sim, 1)).toEqual({ Door1Drivertime: '5' });
    expect(await confirmedHash('H7DOPT03', 1)).toBeNull();
    await settleConverged(t, reconciler, d.sim);
    await waitFor(async () => (await confirmedHash('H7DOPT03', 1)) === '12/1/-/-', d.sim);
    expect(heldOptions(d.sim, 1)).toEqual({ Door1Drivertime: '12', Door1SensorType: '1' });
    expect(heldOptions(d.sim, 1)).toEqual(await wantedOptions('10.77.1.3-1'));
  });

  it('refused once (a negative Return): not confirmed, planned again after the backoff, then held', async () => {
    const d = await Device.connect(t, 'H7DOPT04', 1, '10.77.1.4');
    d.sim.failCommands((c) => c.verb === 'SET OPTIONS' && c.args.startsWith('Door1'), -1002, 1);
    expect((await edit('10.77.1.4-1', { sensorDelay: 20 })).body.code).toBe(0);
    await d.sim.pollUntilIdle();
    expect(setOptionsSent(d).map((c) => c.result)).toEqual([-1002]);
    // In doubt (`?`), not taken as held.
    expect(await confirmedHash('H7DOPT04', 1)).toBe('?');
    await waitFor(async () => (await confirmedHash('H7DOPT04', 1)) === '5/-/20/-', d.sim);
    expect(heldOptions(d.sim, 1)).toEqual({ Door1Drivertime: '5', Door1Detectortime: '20' });
    expect(heldOptions(d.sim, 1)).toEqual(await wantedOptions('10.77.1.4-1'));
  });

  it('a panel offline meanwhile: the edits wait for it, and it ends holding the last of them', async () => {
    const d = await Device.connect(t, 'H7DOPT05', 1, '10.77.1.5');
    // It does not poll while the operator edits the door twice.
    expect((await edit('10.77.1.5-1', { lockDelay: 7 })).body).toMatchObject({ code: 0, data: { optionsQueued: 1 } });
    expect((await edit('10.77.1.5-1', { lockDelay: 8, opInterval: 4 })).body).toMatchObject({ code: 0, data: { optionsQueued: 1 } });
    const pending = await t.ds.query(`SELECT command FROM device_command WHERE device_sn = 'H7DOPT05' AND state = 'pending' AND command LIKE 'SET OPTIONS%' ORDER BY id`);
    expect(pending.map((p: { command: string }) => p.command)).toEqual(['SET OPTIONS Door1Drivertime=7', 'SET OPTIONS Door1Drivertime=8,Door1Intertime=4']);
    await d.sim.pollUntilIdle();
    expect(heldOptions(d.sim, 1)).toEqual({ Door1Drivertime: '8', Door1Intertime: '4' });
    expect(heldOptions(d.sim, 1)).toEqual(await wantedOptions('10.77.1.5-1'));
    expect(await confirmedHash('H7DOPT05', 1)).toBe('8/-/-/4');
  });

  it('a factory reset (event 6016, no new registration): the full sync it owes sends the options again', async () => {
    const d = await Device.connect(t, 'H7DOPT06', 1, '10.77.1.6');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'H7L6' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'H7L6', doorName: '10.77.1.6-1' }] }));
    await ok(t.post('/api/person/add', { pin: '79601', name: 'H7 Six', accLevelIds: await levelId(t, 'H7L6') }));
    expect((await edit('10.77.1.6-1', { lockDelay: 15, sensorType: 2, sensorDelay: 10 })).body.code).toBe(0);
    await settleConverged(t, reconciler, d.sim);
    expect(heldOptions(d.sim, 1)).toEqual(await wantedOptions('10.77.1.6-1'));
    await d.sim.factoryResetInPlace(new Date(Date.now() - 1000));
    expect(heldOptions(d.sim, 1)).toEqual({ Door1Drivertime: '5' });
    await waitFor(async () => JSON.stringify(heldOptions(d.sim, 1)) === JSON.stringify(await wantedOptions('10.77.1.6-1')), d.sim);
    expect(heldOptions(d.sim, 1)).toEqual({ Door1Drivertime: '15', Door1SensorType: '2', Door1Detectortime: '10' });
    expect(d.sim.table('user').map((u) => String(u.Pin))).toEqual(['79601']);
  });

  it('a factory reset that registers again (a replaced or wiped panel): the options go again', async () => {
    const d = await Device.connect(t, 'H7DOPT07', 2, '10.77.1.7');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'H7L7' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'H7L7', doorName: '10.77.1.7-1' }] }));
    await ok(t.post('/api/person/add', { pin: '79701', name: 'H7 Seven', accLevelIds: await levelId(t, 'H7L7') }));
    expect((await edit('10.77.1.7-2', { lockDelay: 20, opInterval: 6 })).body.code).toBe(0);
    await settleConverged(t, reconciler, d.sim);
    expect(heldOptions(d.sim, 2)).toEqual(await wantedOptions('10.77.1.7-2'));
    await d.sim.factoryReset();
    expect(heldOptions(d.sim, 2)).toEqual({ Door2Drivertime: '5' });
    await waitFor(async () => JSON.stringify(heldOptions(d.sim, 2)) === JSON.stringify(await wantedOptions('10.77.1.7-2')), d.sim);
    expect(heldOptions(d.sim, 2)).toEqual({ Door2Drivertime: '20', Door2Intertime: '6' });
    expect(await confirmedHash('H7DOPT07', 2)).toBe('20/-/-/6');
  });

  it('a door dropped by a smaller LockCount and back again keeps its parameters, and its panel holds them', async () => {
    const d = await Device.connect(t, 'H7DOPT08', 2, '10.77.1.8');
    expect((await edit('10.77.1.8-2', { lockDelay: 17, sensorType: 1, sensorDelay: 40 })).body.code).toBe(0);
    await d.sim.pollUntilIdle();
    expect(await confirmedHash('H7DOPT08', 2)).toBe('17/1/40/-');
    expect((await d.sim.reconfigure({ doors: 1 })).registered).toBe(true);
    await settleConverged(t, reconciler, d.sim);
    expect(await doorOf('10.77.1.8-2')).toBeUndefined();
    expect((await d.sim.reconfigure({ doors: 2 })).registered).toBe(true);
    await settleConverged(t, reconciler, d.sim);
    expect(await doorOf('10.77.1.8-2')).toMatchObject({ lock_delay: 17, sensor_type: 1, sensor_delay: 40, op_interval: null, options_set: true });
    await waitFor(async () => JSON.stringify(heldOptions(d.sim, 2)) === JSON.stringify(await wantedOptions('10.77.1.8-2')), d.sim);
  });
});

/** Polls the panel and runs the reconciler until `done`, within a bound. */
const waitFor = (done: () => Promise<boolean>, sim: DeviceSimulator) => reconcileUntil(reconciler, done, sim);
