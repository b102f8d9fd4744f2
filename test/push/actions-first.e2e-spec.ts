/**
 * Remote actions overtake queued state commands (planClaim's actionsFirst), but only those that change nothing the
 * state commands decide: a remote enrolment (ENROLL_BIO, 9.6.2) saves a template on the panel for a person the
 * panel must hold, and its upload becomes the person's template in the database. It keeps its place behind the
 * state commands queued before it; the panel ends holding what a fresh full sync gives (fromScratch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device } from '../sync/access-helpers';
import { ok, startFaultApp, tableSnapshot, fromScratch } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
let d: Device;
const SN = 'ACTFIRST0001';
const TABLES = ['user', 'userauthorize', 'biodata'];
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  ({ t, reconciler } = await startFaultApp());
  d = await Device.connect(t, SN, 1, '10.7.0.1');
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'AFLV' }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'AFLV', doorName: '10.7.0.1-1' }] }));
  const level = (await t.get('/api/accLevel/getByName/AFLV')).body.data.id;
  await ok(t.post('/api/person/add', { pin: '6001', name: 'Enrols', accLevelIds: level }));
  await d.since();
});
afterAll(async () => {
  await t?.close();
});

const fingers = (pin: string) =>
  d.sim.table('biodata').filter((r) => r.Pin === pin && r.Type === '1').map((r) => r.No).sort();

describe('a remote enrolment keeps its place behind the state commands queued before it', () => {
  it('a finger deleted and enrolled again at the panel ends on the panel and in the database', async () => {
    await ok(t.post('/api/bioTemplate/add', { personId: '6001', validType: '1', template: b64('finger 2 by REST'), templateNo: '2' }));
    await d.since();
    expect(fingers('6001')).toEqual(['2']);
    // The operator removes finger 2 and has the person enrol it again at the panel, before the panel polls.
    await ok(t.post('/api/bioTemplate/delete', { pin: '6001', templateNo: '2' }));
    const r = await t.post(`/api/gateway/devices/${SN}/control`, { action: 'enroll', pin: '6001', bioType: 1, templateNo: 2 });
    expect(r.body.code).toBe(0);
    const sent = await d.since();
    // The delete runs first, then the enrolment: the panel keeps the new finger, as the database does.
    expect(sent.map((c) => c.split(/[ \t]/).slice(0, 3).join(' '))).toEqual(['DATA DELETE biodata', 'ENROLL_BIO TYPE=1 NO=2']);
    const enrolled = b64(`enrolled at ${SN}: type 1 pin 6001 no 2`);
    expect((await t.get('/api/bioTemplate/getFgListByPin/6001')).body.data).toContainEqual(expect.objectContaining({ templateNo: '2', template: enrolled }));
    expect(d.sim.table('biodata')).toContainEqual(expect.objectContaining({ Pin: '6001', No: '2', Type: '1', Tmp: enrolled }));
    const held = tableSnapshot(d.sim, TABLES);
    expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(held);
  });

  it('an enrolment for a person just added goes after the person reaches the panel; a door opening queued after both still goes first', async () => {
    await d.since();
    const level = (await t.get('/api/accLevel/getByName/AFLV')).body.data.id;
    await ok(t.post('/api/person/add', { pin: '6002', name: 'New', accLevelIds: level }));
    const r = await t.post(`/api/gateway/devices/${SN}/control`, { action: 'enroll', pin: '6002', bioType: 1, templateNo: 0 });
    expect(r.body.code).toBe(0);
    const doorId = (await t.get('/api/door/list', { pageNo: 1, pageSize: 10 })).body.data[0].id;
    expect((await t.post('/api/door/remoteOpenById', undefined, { doorId, interval: 5 })).body.code).toBe(0);
    const sent = (await d.since()).map((c) => c.split(/[ \t\n]/).slice(0, 3).join(' '));
    expect(sent[0]).toBe('CONTROL DEVICE 01010105');
    const user = sent.findIndex((c) => c.startsWith('DATA UPDATE user'));
    const enrol = sent.findIndex((c) => c.startsWith('ENROLL_BIO'));
    expect(user).toBeGreaterThan(0);
    expect(enrol).toBeGreaterThan(user);
    const held = tableSnapshot(d.sim, TABLES);
    expect(held.biodata.some((row) => row.includes('Pin=6002'))).toBe(true);
    expect(await fromScratch(t, reconciler, d.sim, TABLES)).toEqual(held);
  });
});
