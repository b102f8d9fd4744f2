/**
 * A fault hunt on the lifecycle of an access panel (twin-hunt.ts): random REST writes of persons and level members
 * reach two 2-door panels on the same levels; the faulty one (`f`) also meets, at random, what happens around its
 * identity: deleted through REST while it stays connected (it polls on, is added again, registers when it reconnects,
 * and an integrator puts its door back in the levels; or, under manual admission, it comes back pending and is
 * approved), disabled and approved again, switched between two and four doors, replaced by another board under its SN
 * (another MAC, holding another site's user), besides the faults of twin-hunt.ts (lost replies and results, refusals,
 * reboots, factory resets). It must never be said synced while it differs from the faultless twin, and must end equal
 * to it. FC_RUNS (default 3), FC_OPS (default 10), FC_SEED; FC_RUNS=30 FC_OPS=14 FC_SEED=<n> for a real hunt.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { useLifecycleApp } from './lifecycle-helpers';
import { DeviceSimulator } from '../simulator/device-simulator';
import type { TestApp } from '../support/test-app';
import { ok, tableSnapshot } from '../sync/fault-helpers';
import { huntAgainstTwin, twinFault, TwinFaults, type TwinFault } from '../sync/twin-hunt';

let t: TestApp;
let reconciler: SyncReconciler;
useLifecycleApp((app) => ({ t, reconciler } = app));

type Membership = { kind: 'grant' | 'revoke'; pin: string; level: 0 | 1 } | { kind: 'delete'; pin: string };
type Lifecycle = { kind: 'deleteDevice' | 'deleteApprove' | 'cycleAdmission' | 'doors4' | 'doors2' | 'newBoard' };
type Op = Membership | Lifecycle | TwinFault;

const TABLES = ['user', 'userauthorize', 'timezone', 'holiday'];

describe('random lifecycle changes of a panel beside REST writes', () => {
  it('the panel is never said synced while it differs, and ends equal to its faultless twin', { timeout: Number(process.env.FC_TIMEOUT_MS ?? 300_000) }, async () => {
    const faults = new TwinFaults();
    const net = '10.42.0';
    const f = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LHFAULT1', doors: 2, ipAddress: `${net}.1`, retryResults: true, fetch: faults.fetch, batchReplies: true });
    const r = new DeviceSimulator({ baseUrl: t.baseUrl, sn: 'LHREFER1', doors: 2, ipAddress: `${net}.2` });
    for (const d of [f, r]) await d.connect();
    for (const d of [f, r]) await d.pollUntilIdle();
    const levelIds: string[] = [];
    const putDoors = async (ips: string[]) => {
      for (const n of [0, 1]) await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: ips.map((ip) => ({ levelName: `LH${n}`, doorName: `${ip}-${n + 1}` })) }));
    };
    for (const n of [0, 1]) {
      await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `LH${n}` }] }));
      levelIds.push((await t.get(`/api/accLevel/getByName/LH${n}`)).body.data.id);
    }
    await putDoors([`${net}.1`, `${net}.2`]);
    const pin = fc.constantFrom('9301', '9302', '9303');
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constantFrom('grant' as const, 'grant' as const, 'revoke' as const), pin, level: fc.constantFrom(0 as const, 1 as const) }), weight: 5 },
      fc.record({ kind: fc.constant('delete' as const), pin }),
      { arbitrary: fc.record({ kind: fc.constantFrom('deleteDevice' as const, 'deleteApprove' as const, 'cycleAdmission' as const, 'doors4' as const, 'doors2' as const, 'newBoard' as const) }), weight: 4 },
      { arbitrary: twinFault, weight: 3 },
    );
    let boards = 0;
    const write = async (o: Membership | Lifecycle) => {
      switch (o.kind) {
        case 'delete':
          return void (await t.delete(`/api/person/delete/${o.pin}`));
        case 'revoke':
          return void (await t.post('/api/accLevel/deleteLevel', undefined, { pin: o.pin, levelIds: levelIds[o.level] }));
        case 'grant':
          if (!(await t.get(`/api/person/get/${o.pin}`)).body.data) await ok(t.post('/api/person/add', { pin: o.pin, name: `N${o.pin}` }));
          return ok(t.post('/api/accLevel/syncPerson', undefined, { pin: o.pin, levelIds: levelIds[o.level] }));
        case 'deleteDevice':
          // Deleted while it stays connected: it polls on, then reconnects (registers), and its doors go back in the levels.
          await ok(t.delete(`/api/gateway/devices/${f.sn}`));
          if (!faults.offline) for (let i = 0; i < 2; i++) await f.poll();
          await reconciler.idle();
          await f.connect();
          return putDoors([`${net}.1`]);
        case 'deleteApprove':
          // The same under DEVICE_ADMISSION=manual: it comes back pending, and an operator approves it.
          t.config.deviceAdmission = 'manual';
          try {
            await ok(t.delete(`/api/gateway/devices/${f.sn}`));
            if (!faults.offline) await f.poll();
            await f.connect();
            await ok(t.post(`/api/gateway/devices/${f.sn}/approve`));
          } finally {
            t.config.deviceAdmission = 'auto';
          }
          await reconciler.idle();
          await f.connect();
          return putDoors([`${net}.1`]);
        case 'cycleAdmission':
          await ok(t.post(`/api/gateway/devices/${f.sn}/disable`));
          if (!faults.offline) await f.poll();
          return ok(t.post(`/api/gateway/devices/${f.sn}/approve`));
        case 'doors4':
        case 'doors2':
          return void (await f.reconfigure({ doors: o.kind === 'doors4' ? 4 : 2 }));
        case 'newBoard':
          // Another board under the same SN: another MAC, holding another site's user with a right on door 1.
          boards++;
          f.tables.upsert('user', { Pin: `77${boards}`, Name: 'Other site', CardNo: '', Privilege: '0' });
          f.tables.upsert('userauthorize', { Pin: `77${boards}`, AuthorizeTimezoneId: '1', AuthorizeDoorId: '1' });
          return void (await f.reconfigure({ mac: `00:17:61:aa:bb:${(16 + boards).toString(16)}` }));
      }
    };
    await huntAgainstTwin<Op, DeviceSimulator>({
      t,
      reconciler,
      f,
      r,
      faults,
      snapshot: (sim) => tableSnapshot(sim, TABLES),
      pins: ['9301', '9302', '9303'],
      op,
      write: (o) => write(o as Membership | Lifecycle),
      seed: 4242,
    });
  });
});
