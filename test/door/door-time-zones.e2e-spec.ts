/**
 * The rest of CVSecurity's door edit that the panel keeps as options (Security PUSH 9.5.1 `SET OPTIONS`, Appendix 10):
 * the passage mode time zone (`Door<n>KeepOpenTimeZone`, 0 none), the door active time zone (`Door<n>ValidTZ`), lock
 * at door closing (`Door<n>CloseAndLock`), the duress and emergency passwords (`Door<n>ForcePassWord`,
 * `Door<n>SupperPassWord`). A time zone a door names is one its panel holds (its `timezone` row, sent before the
 * options); the passwords are never answered nor written into the audit log; a time segment a door uses cannot be
 * deleted. Every case compares the simulated panel's options and timezone table with the door's row.
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

const operator = lazyOperator(() => t, 'h2doors');

const WEEKDAYS = { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']], thu: [['08:00', '18:00']], fri: [['08:00', '18:00']] };

/** A time segment made through the REST API: its id and TimezoneId. */
async function segment(name: string): Promise<{ id: string; tz: number }> {
  await ok(t.post('/api/gateway/timeSegments', { name, schedule: WEEKDAYS }));
  const [s] = await t.ds.query(`SELECT id, tz_id FROM time_segment WHERE name = $1`, [name]);
  return { id: s.id, tz: Number(s.tz_id) };
}

const NAMES = 'KeepOpenTimeZone|ValidTZ|CloseAndLock|ForcePassWord|SupperPassWord';

/** What the door's row says its panel holds of these options (one never set: absent). */
async function wanted(doorName: string): Promise<Record<string, string>> {
  const [d] = await t.ds.query(
    `SELECT d.door_no, d.keep_open_set, k.tz_id AS keep_open_tz, v.tz_id AS valid_tz, d.close_and_lock, d.duress_password, d.emergency_password
       FROM door d LEFT JOIN time_segment k ON k.id = d.keep_open_segment_id LEFT JOIN time_segment v ON v.id = d.valid_segment_id WHERE d.name = $1`,
    [doorName],
  );
  const n = d.door_no;
  const out: Record<string, string> = {};
  if (d.keep_open_set) out[`Door${n}KeepOpenTimeZone`] = String(d.keep_open_tz ?? 0);
  if (d.valid_tz !== null) out[`Door${n}ValidTZ`] = String(d.valid_tz);
  if (d.close_and_lock !== null) out[`Door${n}CloseAndLock`] = d.close_and_lock ? '1' : '0';
  if (d.duress_password !== null) out[`Door${n}ForcePassWord`] = d.duress_password;
  if (d.emergency_password !== null) out[`Door${n}SupperPassWord`] = d.emergency_password;
  return out;
}

/** These options as the panel holds them. */
function held(sim: DeviceSimulator, doorNo: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of sim.options) if (new RegExp(`^Door${doorNo}(${NAMES})$`).test(k)) out[k] = v;
  return out;
}

/** The TimezoneIds the panel's timezone table holds. */
const heldZones = (sim: DeviceSimulator) => sim.table('timezone').map((r) => Number(r.TimezoneId)).sort((a, b) => a - b);

/** The time zones a door of the panel names, each one its panel must hold. */
async function namedZones(sn: string): Promise<number[]> {
  const rows = await t.ds.query(
    `SELECT DISTINCT ts.tz_id FROM door d JOIN device v ON v.id = d.device_id JOIN time_segment ts ON ts.id = d.valid_segment_id OR (d.keep_open_set AND ts.id = d.keep_open_segment_id)
      WHERE v.sn = $1 AND d.options_set ORDER BY ts.tz_id`,
    [sn],
  );
  return rows.map((r: { tz_id: number }) => Number(r.tz_id));
}

/** The panel holds what its doors' rows say: the options, and every time zone they name. */
async function expectHeld(d: Device, doorName: string, doorNo: number): Promise<void> {
  expect(held(d.sim, doorNo)).toEqual(await wanted(doorName));
  for (const tz of await namedZones(d.sim.sn)) expect(heldZones(d.sim)).toContain(tz);
}

async function edit(doorName: string, body: Record<string, unknown>) {
  const [door] = await t.ds.query(`SELECT id FROM door WHERE name = $1`, [doorName]);
  return (await operator()).call('PUT', `doors/${door.id}`, body);
}

/** Polls the panel and runs the reconciler until `done`, within a bound. */
const waitFor = (done: () => Promise<boolean>, sim: DeviceSimulator) => reconcileUntil(reconciler, done, sim);

const same = async (d: Device, doorName: string, doorNo: number) => {
  if (JSON.stringify(held(d.sim, doorNo)) !== JSON.stringify(await wanted(doorName))) return false;
  const zones = heldZones(d.sim);
  return (await namedZones(d.sim.sn)).every((tz) => zones.includes(tz));
};

describe('door time zones, lock at door closing and passwords from the console door edit reach the panel', () => {
  it('sends the time zones the door names before its options, masks the passwords, and takes a time zone back to none', async () => {
    const open = await segment('H2 passage hours');
    const active = await segment('H2 active hours');
    const d = await Device.connect(t, 'H2DTZ01', 2, '10.72.1.1');
    // No level on the panel: it is sent no time zone until a door names one.
    expect(heldZones(d.sim)).toEqual([]);
    const r = await edit('10.72.1.1-2', { keepOpenSegmentId: open.id, validSegmentId: active.id, closeAndLock: false, duressPassword: '123456', emergencyPassword: '87654321' });
    expect(r.body).toMatchObject({ code: 0, data: { optionsChanged: true } });
    await d.sim.pollUntilIdle();
    const sent = d.sim.received.map((c) => c.command);
    const options = sent.findIndex((c) => c.startsWith('SET OPTIONS Door2'));
    expect(sent[options]).toBe(`SET OPTIONS Door2Drivertime=5,Door2KeepOpenTimeZone=${open.tz},Door2ValidTZ=${active.tz},Door2CloseAndLock=0,Door2ForcePassWord=123456,Door2SupperPassWord=87654321`);
    // The time zones first: the panel never holds a door option naming a time zone it lacks.
    const zones = sent.findIndex((c) => c.startsWith('DATA UPDATE timezone'));
    expect(zones).toBeGreaterThanOrEqual(0);
    expect(zones).toBeLessThan(options);
    expect(heldZones(d.sim)).toEqual([open.tz, active.tz].sort((a, b) => a - b));
    await expectHeld(d, '10.72.1.1-2', 2);
    expect(held(d.sim, 2)).toEqual({
      Door2KeepOpenTimeZone: String(open.tz),
      Door2ValidTZ: String(active.tz),
      Door2CloseAndLock: '0',
      Door2ForcePassWord: '123456',
      Door2SupperPassWord: '87654321',
    });
    // The passwords are secrets: the door list says whether one is set, never what it is; the audit line masks them.
    const list = await (await operator()).call('GET', 'doors?name=10.72.1.1-2');
    expect(list.body.data.rows[0]).toMatchObject({ keepOpenSegmentId: open.id, keepOpenSet: true, validSegmentId: active.id, closeAndLock: false, duressPasswordSet: true, emergencyPasswordSet: true });
    expect(list.text).not.toContain('123456');
    expect(list.text).not.toContain('87654321');
    const [audit] = await t.ds.query(`SELECT detail FROM console_audit WHERE action = 'door.update' ORDER BY id DESC LIMIT 1`);
    expect(audit.detail).toMatchObject({ duressPassword: '(hidden)', emergencyPassword: '(hidden)' });
    expect(JSON.stringify(audit.detail)).not.toMatch(/123456|87654321/);
    // Passage mode back to none: KeepOpenTimeZone=0, and the time zone nothing names any more leaves the panel.
    expect((await edit('10.72.1.1-2', { keepOpenSegmentId: null })).body).toMatchObject({ code: 0, data: { optionsChanged: true } });
    await d.sim.pollUntilIdle();
    expect(held(d.sim, 2)).toMatchObject({ Door2KeepOpenTimeZone: '0', Door2ValidTZ: String(active.tz) });
    expect(heldZones(d.sim)).toEqual([active.tz]);
    await expectHeld(d, '10.72.1.1-2', 2);
    // A password cleared is sent empty; the same values again change nothing and queue nothing.
    expect((await edit('10.72.1.1-2', { duressPassword: '' })).body.code).toBe(0);
    await d.sim.pollUntilIdle();
    expect(held(d.sim, 2).Door2ForcePassWord).toBe('');
    expect((await edit('10.72.1.1-2', { duressPassword: '', closeAndLock: false })).body).toMatchObject({ code: 0, data: { optionsChanged: false, optionsQueued: 0 } });
    d.expectAllAcknowledged();
  });

  it('refuses, as the envelope, an unknown time segment, a bad password or flag, storing and sending nothing', async () => {
    const d = await Device.connect(t, 'H2DTZ02', 1, '10.72.1.2');
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ keepOpenSegmentId: 'f'.repeat(32) }, -404, `keepOpenSegmentId: the time segment does not exist: ${'f'.repeat(32)}`],
      [{ validSegmentId: 'nope' }, -404, 'validSegmentId: the time segment does not exist: nope'],
      [{ validSegmentId: null }, -400, "validSegmentId must be a time segment's id"],
      [{ keepOpenSegmentId: 5 }, -400, "keepOpenSegmentId must be a time segment's id, or null for none"],
      [{ closeAndLock: 1 }, -400, 'closeAndLock must be true or false'],
      [{ duressPassword: '1234567' }, -400, "duressPassword must be up to 6 digits ('' clears it)"],
      [{ duressPassword: 123 }, -400, "duressPassword must be up to 6 digits ('' clears it)"],
      [{ emergencyPassword: '12ab' }, -400, "emergencyPassword must be up to 8 digits ('' clears it)"],
    ];
    for (const [body, code, message] of cases) {
      const r = await edit('10.72.1.2-1', body);
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(r.body, JSON.stringify(body)).toMatchObject({ code, message });
    }
    const [row] = await t.ds.query(`SELECT options_set, keep_open_set, valid_segment_id, close_and_lock, duress_password FROM door WHERE name = '10.72.1.2-1'`);
    expect(row).toEqual({ options_set: false, keep_open_set: false, valid_segment_id: null, close_and_lock: null, duress_password: null });
    await d.sim.pollUntilIdle();
    expect(d.sim.received.filter((c) => c.command.startsWith('SET OPTIONS Door'))).toEqual([]);
  });

  it('refuses to delete a time segment a door uses, naming the door, until the door no longer does', async () => {
    const s = await segment('H2 night passage');
    await Device.connect(t, 'H2DTZ03', 2, '10.72.1.3');
    expect((await edit('10.72.1.3-1', { keepOpenSegmentId: s.id })).body.code).toBe(0);
    expect((await edit('10.72.1.3-2', { keepOpenSegmentId: s.id, validSegmentId: s.id })).body.code).toBe(0);
    const refused = await t.delete(`/api/gateway/timeSegments/${s.id}`);
    expect(refused.body).toMatchObject({
      code: -409,
      message: 'The time segment is used by 2 doors: "10.72.1.3-1" (passage mode), "10.72.1.3-2" (passage mode and active time zone)',
    });
    expect((await edit('10.72.1.3-1', { keepOpenSegmentId: null })).body.code).toBe(0);
    expect((await t.delete(`/api/gateway/timeSegments/${s.id}`)).body).toMatchObject({ code: -409, message: 'The time segment is used by the door "10.72.1.3-2" (passage mode and active time zone)' });
    const all = (await t.ds.query(`SELECT id FROM time_segment WHERE name = '24-Hour Accessible'`))[0].id;
    expect((await edit('10.72.1.3-2', { keepOpenSegmentId: null, validSegmentId: all })).body.code).toBe(0);
    await ok(t.delete(`/api/gateway/timeSegments/${s.id}`));
  });

  it('a lost reply: neither the time zone nor the options are taken as held, and they go again until the panel holds them', async () => {
    const s = await segment('H2 lost reply hours');
    const d = await Device.connect(t, 'H2DTZ04', 1, '10.72.1.4');
    expect((await edit('10.72.1.4-1', { keepOpenSegmentId: s.id, emergencyPassword: '2468' })).body.code).toBe(0);
    d.sim.loseNextReply();
    await d.sim.pollUntilIdle();
    expect(d.sim.lostReplies.join('\n')).toContain(`SET OPTIONS Door1Drivertime=5,Door1KeepOpenTimeZone=${s.tz},Door1SupperPassWord=2468`);
    expect(held(d.sim, 1)).toEqual({});
    await settleConverged(t, reconciler, d.sim);
    await waitFor(() => same(d, '10.72.1.4-1', 1), d.sim);
    expect(held(d.sim, 1)).toEqual({ Door1KeepOpenTimeZone: String(s.tz), Door1SupperPassWord: '2468' });
    expect(heldZones(d.sim)).toContain(s.tz);
  });

  it('a panel offline meanwhile: the edits wait for it, and it ends holding the last of them and their time zones', async () => {
    const a = await segment('H2 offline A');
    const b = await segment('H2 offline B');
    const d = await Device.connect(t, 'H2DTZ05', 1, '10.72.1.5');
    expect((await edit('10.72.1.5-1', { keepOpenSegmentId: a.id, closeAndLock: true })).body).toMatchObject({ code: 0, data: { optionsQueued: 2 } });
    expect((await edit('10.72.1.5-1', { keepOpenSegmentId: b.id })).body.code).toBe(0);
    await d.sim.pollUntilIdle();
    await settleConverged(t, reconciler, d.sim);
    expect(held(d.sim, 1)).toEqual({ Door1KeepOpenTimeZone: String(b.tz), Door1CloseAndLock: '1' });
    await expectHeld(d, '10.72.1.5-1', 1);
    // The time zone nothing names any more is not left on the panel.
    expect(heldZones(d.sim)).toEqual([b.tz]);
  });

  it('a factory reset (event 6016, no new registration): the full sync sends the time zones and options again', async () => {
    const s = await segment('H2 reset hours');
    const d = await Device.connect(t, 'H2DTZ06', 1, '10.72.1.6');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'H2L6' }] }));
    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'H2L6', doorName: '10.72.1.6-1' }] }));
    await ok(t.post('/api/person/add', { pin: '29601', name: 'H2 Six', accLevelIds: await levelId(t, 'H2L6') }));
    expect((await edit('10.72.1.6-1', { validSegmentId: s.id, keepOpenSegmentId: s.id, duressPassword: '999' })).body.code).toBe(0);
    await settleConverged(t, reconciler, d.sim);
    await expectHeld(d, '10.72.1.6-1', 1);
    await d.sim.factoryResetInPlace(new Date(Date.now() - 1000));
    expect(held(d.sim, 1)).toEqual({});
    expect(heldZones(d.sim)).toEqual([]);
    await waitFor(() => same(d, '10.72.1.6-1', 1), d.sim);
    expect(held(d.sim, 1)).toEqual({ Door1KeepOpenTimeZone: String(s.tz), Door1ValidTZ: String(s.tz), Door1ForcePassWord: '999' });
    // Its level's time zone (24-Hour Accessible, 1) as well as the door's.
    expect(heldZones(d.sim)).toEqual([1, s.tz]);
  });
});
