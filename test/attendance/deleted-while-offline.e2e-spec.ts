/**
 * A person deleted through REST while their terminal is offline: when it comes back it uploads their punch (stored
 * once, served by listAttTransaction under the PIN, with no name: the person is gone) and may upload the user
 * record it still holds, the one the gateway sent it (its OPERLOG, or an answer to a query). That record is no
 * enrolment at the terminal: the person is not created again, and the terminal loses the user, templates included.
 * Likewise a terminal moved to another area while offline that sends back a user of its old area: that person does
 * not become a member of the new area.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  reconciler = t.app.get(SyncReconciler);
});
afterAll(async () => {
  await t?.close();
});

describe('a person deleted while the terminal is offline', () => {
  it('their punch is stored once and served; the user record the terminal sends back does not bring them back', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-DEL-OFF' });
    const finger = Buffer.alloc(48, 7).toString('base64');
    expect((await t.post('/api/person/add', { pin: '6601', name: 'Gone' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '6601', validType: '1', template: finger, templateNo: '3' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6601'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect(term.users.get('6601')).toMatchObject({ name: 'Gone' });

    term.online = false;
    expect((await t.post('/api/person/delete/6601')).body.code).toBe(0);
    term.online = true;
    const punch = { pin: '6601', time: '2026-03-02 08:00:00', status: 0, verify: 1 };
    expect((await term.uploadAttlog([punch])).body).toBe('OK: 1');
    // The same upload again (its acknowledgement lost): nothing more.
    expect((await term.uploadAttlog([punch])).body).toBe('OK: 1');
    // The user record it holds, with its finger, as an OPERLOG upload.
    const template = term.templatesOf('6601').map((tp) => `BIODATA ${Object.entries(tp.fields).map(([k, v]) => `${k}=${v}`).join('\t')}`);
    expect(template).toHaveLength(1);
    const user = term.users.get('6601')!;
    const line = `USER PIN=6601\tName=${user.name}\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=`;
    expect((await term.uploadOperlog([line, ...template])).body).toBe('OK: 2');

    expect((await t.get('/api/v2/person/get', { pin: '6601' })).body.code).toBe(-22);
    await settleTerminal(reconciler, term);
    expect(term.users.has('6601')).toBe(false);
    expect(term.templatesOf('6601')).toEqual([]);
    const list = (await t.get('/api/transaction/listAttTransaction', { pageNo: 1, pageSize: 20, personPin: '6601' })).body;
    expect(list.data.map((x: { pin: string; name: string; eventTime: string; devSn: string }) => [x.pin, x.name, x.eventTime, x.devSn])).toEqual([
      ['6601', '', '2026-03-02 08:00:00', 'ATT-DEL-OFF'],
    ]);
  });

  it('their templates alone (a BIODATA upload) do not bring them back either', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-DEL-OFF-3' });
    expect((await t.post('/api/person/add', { pin: '6603', name: 'Gone Too' })).body.code).toBe(0);
    expect((await t.post('/api/bioTemplate/add', { personId: '6603', validType: '1', template: Buffer.alloc(48, 9).toString('base64'), templateNo: '2' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: '1', pins: ['6603'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    const [tp] = term.templatesOf('6603');
    expect(tp).toBeDefined();
    term.online = false;
    expect((await t.post('/api/person/delete/6603')).body.code).toBe(0);
    term.online = true;
    expect((await term.uploadRaw('BIODATA', `BIODATA ${Object.entries(tp.fields).map(([k, v]) => `${k}=${v}`).join('\t')}\n`)).body).toBe('OK:1');
    expect((await t.get('/api/v2/person/get', { pin: '6603' })).body.code).toBe(-22);
    await settleTerminal(reconciler, term);
    expect([term.users.has('6603'), term.templatesOf('6603')]).toEqual([false, []]);
  });

  it("moved to another area while offline, the terminal sends back an old area's user: they stay out of the new area", async () => {
    for (const code of ['DEL-MA', 'DEL-MB']) expect((await t.post('/api/gateway/areas', { code, name: code })).body.code).toBe(0);
    const term = await initialisedTerminal(t, { sn: 'ATT-MOVED-1' });
    const other = await initialisedTerminal(t, { sn: 'ATT-MOVED-2' });
    expect((await t.put('/api/gateway/devices/ATT-MOVED-1/area', { areaCode: 'DEL-MA' })).body.code).toBe(0);
    expect((await t.put('/api/gateway/devices/ATT-MOVED-2/area', { areaCode: 'DEL-MB' })).body.code).toBe(0);
    expect((await t.post('/api/person/add', { pin: '6604', name: 'Mover' })).body.code).toBe(0);
    expect((await t.post('/api/attAreaPerson/set', { code: 'DEL-MA', pins: ['6604'] })).body.code).toBe(0);
    await settleTerminal(reconciler, term);
    expect(term.users.has('6604')).toBe(true);
    term.online = false;
    expect((await t.put('/api/gateway/devices/ATT-MOVED-1/area', { areaCode: 'DEL-MB' })).body.code).toBe(0);
    term.online = true;
    expect((await term.uploadUser('6604')).body).toBe('OK: 1');
    await settleTerminal(reconciler, term);
    await settleTerminal(reconciler, other);
    expect([term.users.has('6604'), other.users.has('6604')]).toEqual([false, false]);
    const areas = await t.ds.query(`SELECT a.code FROM att_area_person ap JOIN area a ON a.id = ap.area_id JOIN person p ON p.id = ap.person_id WHERE p.pin = '6604'`);
    expect(areas).toEqual([{ code: 'DEL-MA' }]);
  });

  it('a new user enrolled at the terminal under a PIN it was never sent is still a new person, in its area', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-DEL-OFF-2' });
    await settleTerminal(reconciler, term);
    expect((await term.enrollUser({ pin: '6602', name: 'Fresh' })).body).toBe('OK: 2');
    expect((await t.get('/api/v2/person/get', { pin: '6602' })).body).toMatchObject({ code: 0, data: { name: 'Fresh' } });
    const areas = await t.ds.query(`SELECT a.code FROM att_area_person ap JOIN area a ON a.id = ap.area_id JOIN person p ON p.id = ap.person_id WHERE p.pin = '6602'`);
    expect(areas).toEqual([{ code: '1' }]);
  });
});
