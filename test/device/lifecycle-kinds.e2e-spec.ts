/**
 * The lifecycle of the other device kinds (elevator controllers, channel controllers, attendance terminals) around
 * their identity, as test/device/lifecycle.e2e-spec.ts does it for access panels.
 */
import { describe, expect, it } from 'vitest';
import { DeviceRegistryService } from '../../src/push/device-registry.service';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { useLifecycleApp } from './lifecycle-helpers';
import { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { TestApp } from '../support/test-app';
import { ok } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useLifecycleApp((app) => ({ t, reconciler } = app));

/** The device's session as this process held it before a delete, put back as another process would still hold it. */
async function deleteWhileHeld(sn: string): Promise<{ id: string }> {
  const registry = t.app.get(DeviceRegistryService);
  const held = registry.cached(sn)!;
  await ok(t.delete(`/api/gateway/devices/${sn}`));
  (registry as unknown as { sessions: Map<string, unknown> }).sessions.set(sn, held);
  return held;
}

describe('a punch a terminal posted through a process that has not heard of the delete yet', () => {
  it('is stored (under the device its SN becomes), not answered OK and lost', async () => {
    const term = new AttendanceTerminal({ baseUrl: t.baseUrl, sn: 'LIFE-ATT2' });
    expect(await term.init()).toBe(true);
    await term.poll(true);
    await reconciler.idle();
    expect((await term.uploadAttlog([{ pin: '7301', time: '2026-05-06 09:00:00', status: 0, verify: 1 }])).body).toBe('OK: 1');
    const held = await deleteWhileHeld('LIFE-ATT2');
    const r = await term.uploadAttlog([{ pin: '7301', time: '2026-05-06 18:00:00', status: 1, verify: 1 }]);
    expect([r.status, r.body]).toEqual([200, 'OK: 1']);
    const punches = await t.ds.query(`SELECT event_time FROM att_transaction WHERE device_sn = 'LIFE-ATT2' ORDER BY event_time`);
    expect(punches).toHaveLength(2);
    const [device] = await t.ds.query(`SELECT id FROM device WHERE sn = 'LIFE-ATT2'`);
    expect(device?.id).not.toBe(held.id);
  });
});
