/**
 * First-Person Normally Open (CVSecurity's Access > Advanced Functions) reaches the panel as its `firstcard` rows
 * (Security PUSH 8.9 `DATA UPDATE firstcard DoorID= TimezoneID= Pin=`, 9.1.2 `DATA DELETE firstcard DoorID=`) and the
 * door option Door<n>FirstCardOpenDoor=1 (Appendix 10), planned by the one planner: queued with the console's write,
 * held only on Return=0, sent again after a lost reply, kept for an offline panel, rebuilt after a factory reset.
 * Every case compares the panel's firstcard table (and the door's mode) with what the database's rules give.
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

const operator = lazyOperator(() => t, 'h4first');

const doorId = async (name: string) => ((await t.ds.query(`SELECT id FROM door WHERE name = $1`, [name]))[0] as { id: string }).id;

let segments = 0;
/** A time segment of its own (its TimezoneId answered). */
async function segment(name: string): Promise<{ id: string; tz: number }> {
  segments++;
  const r = await t.post('/api/gateway/timeSegments', { name, schedule: { mon: [['07:00', `${String(8 + (segments % 10)).padStart(2, '0')}:00`]] } });
  expect(r.body.code, JSON.stringify(r.body)).toBe(0);
  const [row] = await t.ds.query(`SELECT id, tz_id FROM time_segment WHERE name = $1`, [name]);
  return { id: row.id, tz: Number(row.tz_id) };
}

/** The firstcard rows the database's rules give the panel (door number, time zone, pin), sorted. */
async function wanted(sn: string): Promise<string[]> {
  const rows: Array<{ door_no: number; tz_id: number; pin: string }> = await t.ds.query(
    `SELECT d.door_no, ts.tz_id, p.pin FROM acc_first_open f JOIN door d ON d.id = f.door_id JOIN device v ON v.id = d.device_id
       JOIN time_segment ts ON ts.id = f.time_segment_id JOIN acc_first_open_person fp ON fp.first_open_id = f.id JOIN person p ON p.id = fp.person_id
     WHERE v.sn = $1`,
    [sn],
  );
  return rows.map((r) => `${r.door_no}/${r.tz_id}/${r.pin}`).sort();
}

/** The panel's firstcard table, as `DoorID/TimezoneID/Pin`, sorted. */
const held = (sim: DeviceSimulator): string[] => sim.table('firstcard').map((r) => `${r.DoorID}/${r.TimezoneID}/${r.Pin}`).sort();

/** The panel's first-card mode of a door (Door<n>FirstCardOpenDoor), undefined when never set. */
const mode = (sim: DeviceSimulator, doorNo: number) => sim.options.get(`Door${doorNo}FirstCardOpenDoor`);

/** The panel's time zones by id. */
const timezones = (sim: DeviceSimulator) => sim.table('timezone').map((r) => Number(r.TimezoneId));

async function person(pin: string, level?: string) {
  await ok(t.post('/api/person/add', { pin, name: `H4 ${pin}`, ...(level ? { accLevelIds: await levelId(t, level) } : {}) }));
}

async function levelOn(name: string, door: string) {
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: name, doorName: door }] }));
}

const call = async (method: string, path: string, body?: unknown) => (await operator()).call(method, path, body);

describe('First-Person Normally Open rules reach the panel (firstcard rows, Door<n>FirstCardOpenDoor)', { timeout: 180_000 }, () => {
  it('a rule added, persons added and removed, a person deleted, the rule deleted: the panel holds what the rules give', async () => {
    const d = await Device.connect(t, 'H4FIRST01', 2, '10.44.1.1');
    await levelOn('H4L1', '10.44.1.1-1');
    await person('44101', 'H4L1');
    await person('44102', 'H4L1');
    // A person without rights on the door: CVSecurity adds them all the same, and so does the gateway.
    await person('44103');
    await settleConverged(t, reconciler, d.sim);
    const seg = await segment('H4 Mornings 1');
    const add = await call('POST', 'first-open', { doorId: await doorId('10.44.1.1-2'), timeSegmentId: seg.id, pins: ['44101', '44103'] });
    expect(add.body, JSON.stringify(add.body)).toMatchObject({ code: 0, data: { queued: 3 } });
    // Queued in the write's transaction: the segment's time zone, the rows, the door's mode.
    expect(held(d.sim)).toEqual([]);
    await d.sim.pollUntilIdle();
    expect(held(d.sim)).toEqual([`2/${seg.tz}/44101`, `2/${seg.tz}/44103`]);
    expect(held(d.sim)).toEqual(await wanted('H4FIRST01'));
    expect(mode(d.sim, 2)).toBe('1');
    expect(mode(d.sim, 1)).toBeUndefined();
    expect(timezones(d.sim)).toContain(seg.tz);
    const sent = d.sim.received.filter((r) => /firstcard|FirstCard/.test(r.command)).map((r) => [r.command, r.result]);
    // One multi-record DATA UPDATE (the simulator records its first line), then the door's mode.
    expect(sent).toEqual([
      [`DATA UPDATE firstcard DoorID=2\tTimezoneID=${seg.tz}\tPin=44101`, 0],
      ['SET OPTIONS Door2FirstCardOpenDoor=1', 0],
    ]);
    const id = add.body.data.id as string;
    // The list shows the rule with its persons.
    const list = await call('GET', 'first-open');
    expect(list.body.data).toEqual([
      { id, doorId: await doorId('10.44.1.1-2'), doorName: '10.44.1.1-2', doorNo: 2, deviceSn: 'H4FIRST01', timeSegmentId: seg.id, timeSegName: 'H4 Mornings 1', persons: [{ pin: '44101', name: 'H4 44101' }, { pin: '44103', name: 'H4 44103' }] },
    ]);
    // A person added, one removed: the door's rows are cleared by DoorID and written again.
    expect((await call('PUT', `first-open/${id}`, { pins: ['44101', '44102'] })).body.code).toBe(0);
    await d.sim.pollUntilIdle();
    expect(held(d.sim)).toEqual([`2/${seg.tz}/44101`, `2/${seg.tz}/44102`]);
    expect(held(d.sim)).toEqual(await wanted('H4FIRST01'));
    // The same persons again: nothing is queued.
    expect((await call('PUT', `first-open/${id}`, { pins: ['44102', '44101'] })).body).toMatchObject({ code: 0, data: { queued: 0 } });
    // A person deleted: their row leaves the panel.
    expect((await t.delete('/api/person/delete/44102')).body.code).toBe(0);
    await d.sim.pollUntilIdle();
    expect(held(d.sim)).toEqual([`2/${seg.tz}/44101`]);
    expect(held(d.sim)).toEqual(await wanted('H4FIRST01'));
    // The segment is in use: it cannot be deleted while the rule names it.
    const segDelete = await t.delete(`/api/gateway/timeSegments/${seg.id}`);
    expect(segDelete.status).toBeLessThan(500);
    expect(segDelete.body.code).toBe(-409);
    // The rule deleted: the door's rows go and its first-card mode is off.
    expect((await call('DELETE', `first-open/${id}`)).body.code).toBe(0);
    await d.sim.pollUntilIdle();
    expect(held(d.sim)).toEqual([]);
    expect(mode(d.sim, 2)).toBe('0');
    expect(await wanted('H4FIRST01')).toEqual([]);
    d.expectAllAcknowledged();
  });

  it('refuses bad input as the envelope: unknown door, segment or pin, a second rule of a door in a segment', async () => {
    const d = await Device.connect(t, 'H4FIRST02', 1, '10.44.1.2');
    const seg = await segment('H4 Mornings 2');
    const door = await doorId('10.44.1.2-1');
    await person('44201');
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ timeSegmentId: seg.id }, -400],
      [{ doorId: door }, -400],
      [{ doorId: 'ffffffffffffffffffffffffffffffff', timeSegmentId: seg.id }, -47],
      [{ doorId: door, timeSegmentId: 'ffffffffffffffffffffffffffffffff' }, -404],
      [{ doorId: door, timeSegmentId: seg.id, pins: ['44299'] }, -22],
      [{ doorId: door, timeSegmentId: seg.id, pins: 7 }, -400],
    ];
    for (const [body, code] of cases) {
      const r = await call('POST', 'first-open', body);
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(r.body.code, JSON.stringify(body)).toBe(code);
    }
    expect((await call('POST', 'first-open', { doorId: door, timeSegmentId: seg.id, pins: ['44201'] })).body.code).toBe(0);
    expect((await call('POST', 'first-open', { doorId: door, timeSegmentId: seg.id })).body.code).toBe(-409);
    expect((await call('PUT', 'first-open/ffffffffffffffffffffffffffffffff', { pins: [] })).body.code).toBe(-404);
    await d.sim.pollUntilIdle();
    expect(held(d.sim)).toEqual(await wanted('H4FIRST02'));
  });

  it('a lost reply: the rows are not taken as held and go again, until the panel holds them', async () => {
    const d = await Device.connect(t, 'H4FIRST03', 1, '10.44.1.3');
    const seg = await segment('H4 Mornings 3');
    await person('44301');
    await d.sim.pollUntilIdle();
    expect((await call('POST', 'first-open', { doorId: await doorId('10.44.1.3-1'), timeSegmentId: seg.id, pins: ['44301'] })).body.code).toBe(0);
    d.sim.failCommands((c) => c.table === 'firstcard', -1002, 1);
    await d.sim.pollUntilIdle();
    expect(held(d.sim)).toEqual([]);
    const item = async () => (await t.ds.query(`SELECT s.hash FROM sync_item s JOIN device v ON v.id = s.device_id WHERE v.sn = 'H4FIRST03' AND s.kind = 'firstcard' AND s.key = '1'`))[0]?.hash ?? null;
    expect(await item()).toBe('?');
    d.sim.loseNextReply();
    await waitFor(async () => JSON.stringify(held(d.sim)) === JSON.stringify(await wanted('H4FIRST03')) && (await item()) !== '?' && (await item()) !== null, d.sim);
    expect(held(d.sim)).toEqual([`1/${seg.tz}/44301`]);
    expect(mode(d.sim, 1)).toBe('1');
  });

  it('a panel offline meanwhile: the edits wait for it, and it ends holding the last of them', async () => {
    const d = await Device.connect(t, 'H4FIRST04', 1, '10.44.1.4');
    const seg = await segment('H4 Mornings 4');
    await person('44401');
    await person('44402');
    await d.sim.pollUntilIdle();
    const add = await call('POST', 'first-open', { doorId: await doorId('10.44.1.4-1'), timeSegmentId: seg.id, pins: ['44401'] });
    expect(add.body.code).toBe(0);
    expect((await call('PUT', `first-open/${add.body.data.id}`, { pins: ['44402'] })).body.code).toBe(0);
    const pending = await t.ds.query(`SELECT command FROM device_command WHERE device_sn = 'H4FIRST04' AND state = 'pending' AND command LIKE '%firstcard%' ORDER BY id`);
    expect(pending.length).toBeGreaterThanOrEqual(2);
    await d.sim.pollUntilIdle();
    expect(held(d.sim)).toEqual([`1/${seg.tz}/44402`]);
    expect(held(d.sim)).toEqual(await wanted('H4FIRST04'));
  });

  it('a factory reset, in place or registering again: the full sync rebuilds the firstcard table and the mode', async () => {
    const d = await Device.connect(t, 'H4FIRST05', 2, '10.44.1.5');
    await levelOn('H4L5', '10.44.1.5-1');
    await person('44501', 'H4L5');
    await person('44502');
    const seg = await segment('H4 Mornings 5');
    expect((await call('POST', 'first-open', { doorId: await doorId('10.44.1.5-1'), timeSegmentId: seg.id, pins: ['44501', '44502'] })).body.code).toBe(0);
    await settleConverged(t, reconciler, d.sim);
    expect(held(d.sim)).toEqual(await wanted('H4FIRST05'));
    // A row the gateway never sent (another server's) goes with the full sync.
    d.sim.addLocally('firstcard', { DoorID: 2, TimezoneID: 1, Pin: 99999 });
    await d.sim.factoryResetInPlace(new Date(Date.now() - 1000));
    expect(held(d.sim)).toEqual([]);
    expect(mode(d.sim, 1)).toBeUndefined();
    await waitFor(async () => JSON.stringify(held(d.sim)) === JSON.stringify(await wanted('H4FIRST05')) && mode(d.sim, 1) === '1', d.sim);
    expect(timezones(d.sim)).toContain(seg.tz);
    expect(held(d.sim)).toEqual([`1/${seg.tz}/44501`, `1/${seg.tz}/44502`]);
    await d.sim.factoryReset();
    expect(held(d.sim)).toEqual([]);
    await waitFor(async () => JSON.stringify(held(d.sim)) === JSON.stringify(await wanted('H4FIRST05')) && mode(d.sim, 1) === '1', d.sim);
    expect(timezones(d.sim)).toContain(seg.tz);
  });
});

/** Polls the panel and runs the reconciler until `done`, within a bound. */
const waitFor = (done: () => Promise<boolean>, sim: DeviceSimulator) => reconcileUntil(reconciler, done, sim);
