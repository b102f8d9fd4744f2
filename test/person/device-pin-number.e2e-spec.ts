/**
 * A person may keep a pin with leading zeros ("0412"). A panel that keeps numeric PINs (StringPinFunOn off) is
 * sent PIN=0412, stores the number and reports its events under pin=412: they belong to person 0412 (listed by
 * that pin, with the person's name). A panel announcing string PINs keeps "0412" as written, so its 412 is matched
 * exactly and is nobody's. An attendance terminal (numeric PINs) punching as 412 punches as person 0412.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settleTerminal } from '../attendance/attendance-helpers';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { connectedSim } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let numeric: DeviceSimulator;
let strings: DeviceSimulator;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  numeric = await connectedSim(t, { sn: 'PINNUM-1', registryExtras: { StringPinFunOn: 0 } });
  strings = await connectedSim(t, { sn: 'PINSTR-1' });
});
afterAll(async () => {
  await t?.close();
});

it('an rtlog event a numeric-PIN panel reports under 412 is person 0412’s: listed by pin 0412 with the name', async () => {
  expect((await t.post('/api/person/add', { pin: '0412', name: 'Zoe' })).body.code).toBe(0);
  const up = await numeric.uploadRtlog([{ time: '2026-03-01 10:00:00', pin: 412, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 4, index: 21 }]);
  expect([up.status, up.body]).toEqual([200, 'OK']);
  const r = await t.get('/api/transaction/person/0412', { pageNo: 1, pageSize: 50 });
  expect(r.body.code).toBe(0);
  expect(r.body.data).toHaveLength(1);
  expect(r.body.data[0]).toMatchObject({ pin: '0412', name: 'Zoe', devSn: 'PINNUM-1' });
});

it('a string-PIN panel keeps exact matching: its 412 is not person 0412', async () => {
  const up = await strings.uploadRtlog([{ time: '2026-03-01 10:05:00', pin: 412, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 4, index: 22 }]);
  expect([up.status, up.body]).toEqual([200, 'OK']);
  const [row] = await t.ds.query(`SELECT pin, person_id FROM acc_transaction WHERE device_sn = 'PINSTR-1'`);
  expect(row).toMatchObject({ pin: '412', person_id: null });
  expect((await t.get('/api/transaction/person/0412', { pageNo: 1, pageSize: 50 })).body.data).toHaveLength(1);
});

it('an ATTLOG punch a terminal uploads under 412 is person 0412’s: listAttTransaction by personPin 0412 finds it with the name', async () => {
  const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'PINATT-1' });
  expect(await term.init()).toBe(true);
  await settleTerminal(t.app.get(SyncReconciler), term);
  expect((await term.punch({ pin: '412', time: '2026-03-01 08:00:00', status: 0, verify: 1 }))?.body).toMatch(/^OK/);
  const r = await t.get('/api/transaction/listAttTransaction', { personPin: '0412', pageNo: 1, pageSize: 50 });
  expect(r.body.code).toBe(0);
  expect(r.body.data).toHaveLength(1);
  expect(r.body.data[0]).toMatchObject({ pin: '0412', name: 'Zoe', devSn: 'PINATT-1' });
});

it('a USER line and fingerprint a numeric-PIN terminal uploads under 412 update person 0412: no twin 412 is created', async () => {
  const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'PINATT-2' });
  expect(await term.init()).toBe(true);
  await settleTerminal(t.app.get(SyncReconciler), term);
  const r = await term.enrollUser({ pin: '412', name: 'Zoe Menu' }, [{ fid: 6, tmp: 'QUJDREVGR0g=' }]);
  expect(r.body).toMatch(/^OK/);
  const persons = await t.ds.query(`SELECT p.pin, p.name, (SELECT count(*)::int FROM bio_template b WHERE b.person_id = p.id) AS templates FROM person p WHERE p.pin LIKE '%412' ORDER BY p.pin`);
  expect(persons).toEqual([{ pin: '0412', name: 'Zoe Menu', templates: 1 }]);
  expect((await t.get('/api/person/get/0412')).body).toMatchObject({ code: 0, data: { pin: '0412', name: 'Zoe Menu' } });
});

it('an elevator controller keeping numeric PINs: its event under 412 is person 0412’s in eleTransaction/list', async () => {
  const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'PINELE-1', floors: 2, registryExtras: { StringPinFunOn: 0 } });
  expect((await ec.connect()).registered).toBe(true);
  const up = await ec.uploadRtlog([{ time: '2026-03-01 09:00:00', pin: 412, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1, index: 61 }]);
  expect(up.status).toBe(200);
  const r = await t.get('/api/eleTransaction/list', { personPin: '0412', pageNo: 1, pageSize: 50 });
  expect(r.body.code).toBe(0);
  expect(r.body.data).toHaveLength(1);
  expect(r.body.data[0]).toMatchObject({ pin: '0412', name: 'Zoe Menu', devSn: 'PINELE-1' });
});

it('a visitor is not given the number of a person’s zero-led digit pin: the next free visitor pin is taken', async () => {
  const [{ next }] = await t.ds.query(`SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::text AS next FROM vis_visitor_pin_seq`);
  expect((await t.post('/api/person/add', { pin: `0${next}`, name: 'Host' })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '8300', name: 'Emp' })).body.code).toBe(0);
  const at = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 19).replace('T', ' ');
  const r = await t.post('/api/visRegistration/add', {
    persPersonPin: '8300', certType: '8', certNum: 'V8301', visEmpName: 'Vis', visitReason: 'visit', visitorCount: '1', startTime: at(-3600_000), endTime: at(3600_000),
  });
  expect(r.body.code).toBe(0);
  const [{ visitor_pin }] = await t.ds.query(`SELECT visitor_pin FROM vis_registration WHERE cert_num = 'V8301'`);
  expect(visitor_pin).not.toBe(next);
  expect(visitor_pin.replace(/^0+/, '')).not.toBe(next);
});
