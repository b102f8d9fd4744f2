/**
 * A registration whose transaction PostgreSQL aborts to break a deadlock. The registration's transaction takes the
 * device's row, its order lock and its owed work (the reconciler's listeners), which the reconciler's own pass and
 * REST writes take too, in their own order: the fuzz spec's hostile-query property met such a cycle (seed
 * 933748164, `POST /iclock/registry` answered 500 "deadlock detected" now and then). Nothing of the aborted
 * transaction was committed, so it is run again (common/write-transaction.ts), and the panel gets its RegistryCode
 * and its users as if nothing had happened; before, it got a 500 and waited ErrorDelay to try again.
 *
 * The deadlock is PostgreSQL's own error (SQLSTATE 40P01), raised once inside the registration's transaction by a
 * listener of it, as a real cycle would abort it there.
 */
import { describe, expect, it } from 'vitest';
import { DeviceRegistryService } from '../../src/push/device-registry.service';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { DeviceSimulator } from '../simulator/device-simulator';
import type { TestApp } from '../support/test-app';
import { levelId } from '../sync/access-helpers';
import { ok, settleConverged, useFaultApp } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const RAISE_DEADLOCK = `DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01', MESSAGE = 'deadlock detected (raised by the test)'; END $$`;

describe('a registration aborted by a deadlock', () => {
  it('is run again: the panel is registered at once and ends holding its users', async () => {
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'DL level' }] }));
    const sn = 'DEADLOCK-1';
    let raised = 0;
    t.app.get(DeviceRegistryService).onRegisteredInTransaction(async (m, e) => {
      if (e.sn !== sn || raised > 0) return;
      raised++;
      await m.query(RAISE_DEADLOCK);
    });
    const sim = new DeviceSimulator({ baseUrl: t.baseUrl, sn, doors: 1, ipAddress: '10.9.0.1' });
    const hs = await sim.handshake();
    expect(hs.status).toBe(200);
    const reg = await sim.register();
    expect(raised).toBe(1);
    expect(reg.status).toBe(200);
    expect(sim.registered).toBe(true);
    // The aborted run left nothing behind: the doors once, the registration stored.
    const [device] = await t.ds.query(`SELECT registered_at IS NOT NULL AS registered FROM device WHERE sn = $1`, [sn]);
    expect(device).toEqual({ registered: true });
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM door JOIN device d ON d.id = door.device_id WHERE d.sn = $1`, [sn]);
    expect(n).toBe(1);

    await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: 'DL level', doorName: '10.9.0.1-1' }] }));
    await ok(t.post('/api/person/add', { pin: '4401', name: 'Dl', cardNo: '774401', accLevelIds: await levelId(t, 'DL level') }));
    await settleConverged(t, reconciler, sim);
    expect(sim.table('user').map((u) => String(u.Pin))).toEqual(['4401']);
  });
});
