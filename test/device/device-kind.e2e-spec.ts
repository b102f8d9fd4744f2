import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator } from '../simulator/device-simulator';
import { startTestApp, type TestApp } from '../support/test-app';

/** Device kinds: detected from what the device says, overridable by an operator, and deciding the lists. */
let t: TestApp;
const PANEL = 'KINDPANEL01';
const TERMINAL = 'KINDTERM001';

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const snsOf = (rows: Array<{ sn: string }>) => rows.map((r) => r.sn).sort();

describe('device kinds', () => {
  it('takes a Security PUSH registration for an access panel with doors, listed by the access endpoints', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: PANEL, doors: 2 });
    expect((await sim.connect()).registered).toBe(true);
    const detail = (await t.get(`/api/gateway/devices/${PANEL}`)).body.data;
    expect(detail).toMatchObject({ kind: 'acc', detectedKind: 'acc', kindOverride: null });
    expect(detail.doors).toHaveLength(2);
    expect(snsOf((await t.get('/api/device/accList', { pageNo: 1, pageSize: 20 })).body.data)).toEqual([PANEL]);
  });

  it('takes a registration with DeviceType=att for an attendance terminal: no doors, not an access device', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: TERMINAL, doors: 1, deviceType: 'att' });
    await sim.connect();
    const detail = (await t.get(`/api/gateway/devices/${TERMINAL}`)).body.data;
    expect(detail).toMatchObject({ kind: 'att', detectedKind: 'att', doors: [] });
    expect(snsOf((await t.get('/api/device/accList', { pageNo: 1, pageSize: 20 })).body.data)).toEqual([PANEL]);
    expect((await t.get('/api/device/getAcc', { sn: TERMINAL })).body.code).toBe(-404);
    expect(snsOf((await t.get('/api/gateway/devices', { kind: 'att' })).body.data)).toEqual([TERMINAL]);
  });

  it('takes an ATTLOG upload from an unclassified device as an attendance terminal', async () => {
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'KINDTERM002' });
    await sim.uploadRaw('/iclock/cdata', { table: 'ATTLOG', Stamp: '1' }, '1\t2026-11-22 08:00:00\t0\t1\t\t0\t0\n');
    expect((await t.get('/api/gateway/devices/KINDTERM002')).body.data.kind).toBe('att');
  });

  it("lets an operator override the kind, and clear the override, with the access lists following", async () => {
    const set = await t.post(`/api/gateway/devices/${PANEL}/kind`, { kind: 'ele' });
    expect(set.body).toMatchObject({ code: 0, data: { kind: 'ele', detectedKind: 'acc', kindOverride: 'ele' } });
    expect((await t.get('/api/device/accList', { pageNo: 1, pageSize: 20 })).body.data).toEqual([]);
    expect((await t.get('/api/door/list', { pageNo: 1, pageSize: 20 })).body.data).toEqual([]);
    const cleared = await t.post(`/api/gateway/devices/${PANEL}/kind`, { kind: null });
    expect(cleared.body.data).toMatchObject({ kind: 'acc', kindOverride: null });
    expect((await t.get('/api/door/list', { pageNo: 1, pageSize: 20 })).body.data).toHaveLength(2);
  });

  it('refuses an unknown kind and an unknown device with an envelope', async () => {
    expect((await t.post(`/api/gateway/devices/${PANEL}/kind`, { kind: 'door' })).body.code).toBeLessThan(0);
    expect((await t.post('/api/gateway/devices/NOSUCHSN/kind', { kind: 'att' })).body.code).toBe(-404);
  });
});
