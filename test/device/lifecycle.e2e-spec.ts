/**
 * The lifecycle of an access panel around its identity: deleted through REST while it stays connected, replaced,
 * admitted again. Each case ends with the panel's tables equal to what the database gives it, and the convergence
 * answer saying synced only then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceRegistryService } from '../../src/push/device-registry.service';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { deleteWhileHeld, useLifecycleApp } from './lifecycle-helpers';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';
import { claimsSynced, convergenceOf, ok, settleConverged } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useLifecycleApp((app) => ({ t, reconciler } = app));

/** A two-door panel, connected and idle, whose door 1 is in a new level `level` with one member `pin`. */
async function panelWithMember(sn: string, ip: string, level: string, pin: string): Promise<DeviceSimulator> {
  const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 2, ipAddress: ip, retryResults: true });
  expect((await sim.connect()).registered).toBe(true);
  await sim.pollUntilIdle();
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  const [l] = await t.ds.query(`SELECT id FROM acc_level WHERE name = $1`, [level]);
  await ok(t.post('/api/person/add', { pin, name: `P${pin}`, accLevelIds: l.id }));
  await sim.pollUntilIdle();
  expect(sim.table('user').map((u) => u.Pin)).toEqual([pin]);
  return sim;
}

const pins = (sim: DeviceSimulator, table: string) => sim.table(table).map((r) => String(r.Pin)).sort();

describe('a panel deleted through REST while it stays connected (DEVICE_ADMISSION=auto)', () => {
  it('is added again at its next poll as an approved one is: cleared, and not said synced before', async () => {
    const sim = await panelWithMember('LIFE-DEL1', '10.41.0.1', 'LifeDel1', '7101');
    await ok(t.delete('/api/gateway/devices/LIFE-DEL1'));
    // It does not register again (firmware registers when it connects): it polls on, as it did.
    const from = sim.received.length;
    await sim.poll();
    // Its new row owes the clear of an added device: it is not said synced while it holds its former life's user.
    expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(false);
    await settleConverged(t, reconciler, sim);
    expect(pins(sim, 'user')).toEqual([]);
    expect(pins(sim, 'userauthorize')).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(true);
    // Nothing of its former life reached it after the delete.
    expect(sim.received.slice(from).filter((c) => c.command.includes('7101'))).toEqual([]);
    // Reconnecting, it registers: its doors come back (in no level) and it still holds nothing.
    expect((await sim.connect()).registered).toBe(true);
    await settleConverged(t, reconciler, sim);
    expect((await t.get('/api/gateway/devices/LIFE-DEL1')).body.data.doors.map((d: { name: string }) => d.name)).toEqual(['10.41.0.1-1', '10.41.0.1-2']);
    expect(pins(sim, 'user')).toEqual([]);
    expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(true);
  });
});

describe('an attendance terminal deleted through REST while it stays connected', () => {
  it('is taken for a panel at its next poll until it shows what it is, and keeps no refusal of the panel commands it was sent', async () => {
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'LIFE-ATT1' });
    expect(await term.init()).toBe(true);
    await term.poll();
    await ok(t.delete('/api/gateway/devices/LIFE-ATT1'));
    // Its next poll reaches a process that never held its session (this one knows it was a terminal: forgotten here).
    (t.app.get(DeviceRegistryService) as unknown as { formerKinds: Map<string, unknown> }).formerKinds.clear();
    // Added again at its next poll, as a panel (nothing it sent says otherwise yet): a panel's clear reaches it, refused.
    await term.poll();
    await reconciler.idle();
    const refused = (await term.poll()).filter((c) => c.returnCode === -1004);
    expect(refused.length).toBeGreaterThan(0);
    // Its INFO tells it is an attendance terminal: refusals of commands of the other protocol say nothing of it.
    await term.poll(true);
    await reconciler.idle();
    const detail = (await t.get('/api/gateway/devices/LIFE-ATT1')).body.data;
    expect(detail).toMatchObject({ kind: 'att', refusedCapabilities: [] });
  });
});

describe('an access event posted through a process that has not heard of the delete yet', () => {
  it('is stored (under the device its SN becomes), not answered OK and lost', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LIFE-DEL2', doors: 1, ipAddress: '10.41.0.2' });
    expect((await sim.connect()).registered).toBe(true);
    await sim.pollUntilIdle();
    const line = (i: number) => `time=2026-05-06 10:00:0${i}\tpin=0\tcardno=0\teventaddr=1\tevent=200\tinoutstatus=0\tverifytype=200\tindex=${i}`;
    expect((await sim.uploadRaw('/iclock/cdata', 'SN=LIFE-DEL2&table=rtlog', `${line(1)}\r\n`)).body).toBe('OK');
    // Another gateway process deletes the device; this one still holds its session (it hears of the delete by
    // NOTIFY, a moment later): put back here as it was.
    const held = await deleteWhileHeld(t, 'LIFE-DEL2');
    const r = await sim.uploadRaw('/iclock/cdata', 'SN=LIFE-DEL2&table=rtlog', `${line(2)}\r\n`);
    expect([r.status, r.body]).toEqual([200, 'OK']);
    const events = await t.ds.query(`SELECT log_id FROM acc_transaction WHERE device_sn = 'LIFE-DEL2' ORDER BY log_id`);
    expect(events).toEqual([{ log_id: 1 }, { log_id: 2 }]);
    const [device] = await t.ds.query(`SELECT id FROM device WHERE sn = 'LIFE-DEL2'`);
    expect(device.id).not.toBe(held.id);
  });
});

describe('a panel pending admission (DEVICE_ADMISSION=manual)', () => {
  let m: TestApp;
  beforeAll(async () => {
    m = await startTestApp({ deviceAdmission: 'manual', deviceClearOnAdd: true, syncReconcileIntervalMs: 0 });
  });
  afterAll(async () => {
    await m?.close();
  });

  it('keeps the users and templates enrolled at its keypad until it is admitted: they are not acknowledged before, and stored after', async () => {
    const sim = new DeviceSimulator({ baseUrl: m.baseUrl, sn: 'LIFE-PEND1', doors: 1, ipAddress: '10.41.1.1' });
    expect((await sim.connect()).registered).toBe(false);
    const user = { uid: 1, cardno: '', pin: '7201', password: '', group: 1, starttime: 0, endtime: 0, name: 'Enrolled', privilege: 0, disable: 0, verify: 0 };
    const finger = { pin: '7201', no: 3, index: 0, valid: 1, duress: 0, type: 1, majorver: 10, minorver: 0, format: 0, tmp: 'QUJD'.repeat(100) };
    // Before approval: not acknowledged, so the panel keeps them (firmware keeps what is not answered `<table>=<n>`).
    for (const [table, record] of [['user', user], ['biodata', finger]] as const) {
      const r = await sim.uploadTable(table, [record] as never);
      expect([r.status, r.body]).toEqual([200, 'ERROR: device LIFE-PEND1 is not admitted']);
    }
    expect(await m.ds.query(`SELECT pin FROM person WHERE pin = '7201'`)).toEqual([]);
    expect((await m.post('/api/gateway/devices/LIFE-PEND1/approve')).body.code).toBe(0);
    expect((await sim.connect()).registered).toBe(true);
    // Sent again once admitted: acknowledged and stored, the person with their finger.
    expect((await sim.uploadTable('user', [user] as never)).body).toBe('user=1');
    expect((await sim.uploadTable('biodata', [finger] as never)).body).toBe('biodata=1');
    expect((await m.get('/api/person/get/7201')).body.data).toMatchObject({ pin: '7201', name: 'Enrolled' });
    const fingers = await m.ds.query(`SELECT t.template_no FROM bio_template t JOIN person p ON p.id = t.person_id WHERE p.pin = '7201'`);
    expect(fingers).toEqual([{ template_no: 3 }]);
  });
});
