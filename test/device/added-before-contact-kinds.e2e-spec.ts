/**
 * A device added by SN before its first contact (POST /api/gateway/devices, CVSecurity's Device > New) is recorded
 * as an access panel, the only kind an SN alone can say. An elevator controller or a channel controller that then
 * calls under that SN must come out as what it is: listed with its kind (its given name kept), its floors or gates
 * made from its registration, and an elevator level's person reaching it, confirmed.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { ChannelControllerSimulator } from '../simulator/channel';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import type { TestApp } from '../support/test-app';
import { settleConverged, useFaultApp } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

async function addAhead(sn: string, alias: string): Promise<void> {
  expect((await t.post('/api/gateway/devices', { sn, alias })).body).toMatchObject({ code: 0, data: { sn, alias, admission: 'admitted' } });
}

describe('elevator and channel controllers added by SN before their first contact', () => {
  it('an elevator controller: listed as one, its floors made, a person of its level sent to it', async () => {
    await addAhead('EC10AHEAD01', 'Lift A');
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'EC10AHEAD01', floors: 4, ipAddress: '10.77.0.1' });
    expect((await ec.connect()).registered).toBe(true);
    await settleConverged(t, reconciler, ec);
    const list = (await t.get('/api/eleDevice/eleList', { pageNo: 1, pageSize: 50 })).body.data as Array<{ sn: string; name: string; module: string }>;
    expect(list.find((d) => d.sn === 'EC10AHEAD01')).toMatchObject({ name: 'Lift A', module: 'ele' });
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'EC10AHEAD01'`);
    const floors = ((await t.get('/api/floor/list', { pageNo: 1, pageSize: 1000 })).body.data as Array<{ id: string; floorNo: number; deviceId: string }>).filter((f) => f.deviceId === id);
    expect(floors.map((f) => f.floorNo)).toEqual([1, 2, 3, 4]);

    expect((await t.post('/api/person/add', { pin: '7701', name: 'Eli' })).body.code).toBe(0);
    const saved = await t.post('/api/gateway/eleLevel/save', { name: 'Lift A floors 2-3', pointIds: floors.filter((f) => f.floorNo === 2 || f.floorNo === 3).map((f) => f.id) });
    expect(saved.body.code).toBe(0);
    expect((await t.post('/api/eleLevel/syncPerson', undefined, { pin: '7701', levelIds: saved.body.data.id })).body.code).toBe(0);
    await settleConverged(t, reconciler, ec);
    expect(ec.eleRightsOf('7701')).toEqual([{ timezone: 1, directFloor: 0, floors: [2, 3] }]);
  });

  it('a channel controller: listed as one, not as an access panel, with its gate named after it', async () => {
    await addAhead('PGIC10AHEAD1', 'Turnstile A');
    const ch = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'PGIC10AHEAD1', gates: 1, ipAddress: '10.77.0.2' });
    expect((await ch.connect()).registered).toBe(true);
    await settleConverged(t, reconciler, ch);
    const devices = (await t.get('/api/psgDevice/list', { pageNo: 1, pageSize: 50 })).body.data as Array<{ sn: string; name: string }>;
    expect(devices.find((d) => d.sn === 'PGIC10AHEAD1')).toMatchObject({ name: 'Turnstile A', module: 'psg' });
    const accList = (await t.get('/api/device/accList', { pageNo: 1, pageSize: 50 })).body.data as Array<{ sn: string }>;
    expect(accList.map((d) => d.sn)).not.toContain('PGIC10AHEAD1');
    // Its gate is named after the name given, as an access panel's doors are.
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'PGIC10AHEAD1'`);
    const gates = (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 50 })).body.data as Array<{ deviceId: string; name: string }>;
    expect(gates.filter((g) => g.deviceId === id).map((g) => g.name)).toEqual(['Turnstile A-1']);
  });
});
