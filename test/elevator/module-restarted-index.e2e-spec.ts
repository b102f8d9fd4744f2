/**
 * Elevator and channel controllers' events are keyed `<SN>_<index>_<time>` as an access panel's are, in their own
 * table (module_transaction). A controller factory-reset with its numbering restarted and its clock back at the
 * default date numbers its new records from 1 again under the same default time: they carried stored events' keys and
 * were dropped as re-sent, the reset's 6016 among them (so its full sync was never owed). As for access panels
 * (test/push/restarted-index.e2e-spec.ts), a record with a stored event's index and time but other content is a new
 * event, served by eleTransaction and psgTransaction; the same content, however it comes again, is one event.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { ChannelControllerSimulator } from '../simulator/channel';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import type { TestApp } from '../support/test-app';
import { useFaultApp } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

/** The controller's clock before any server set it: the default date firmware starts from. */
const unset = (s: number) => `2000-01-01 00:00:${String(s).padStart(2, '0')}`;

const fullSyncOwed = async (sn: string) =>
  (await t.ds.query(`SELECT 1 FROM sync_owed o JOIN device d ON d.id = o.device_id WHERE d.sn = $1 AND o.kind = 'full'`, [sn])).length > 0;

type Item = { logId: number; pin: string; devSn: string };

const cases = [
  {
    module: 'ele',
    make: (sn: string) => new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn, floors: 4, ipAddress: '10.63.0.1' }),
    // 2.19.1: every elevator event, newest first.
    served: async (sn: string) => ((await t.get('/api/eleTransaction/list', { pageNo: 1, pageSize: 100 })).body.data as Item[]).filter((e) => e.devSn === sn),
  },
  {
    module: 'psg',
    make: (sn: string) => new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn, gates: 2, ipAddress: '10.63.0.2' }),
    // 2.34.1: a channel controller's events.
    served: async (sn: string) => (await t.get(`/api/psgTransaction/device/${sn}`, { pageNo: 1, pageSize: 100 })).body.data as Item[],
  },
] as const;

describe('an elevator or channel controller reset with its numbering restarted and its clock back at the default date', () => {
  for (const { module, make, served } of cases) {
    it(`stores its new records that collide with old ones by index and time, each once however it is sent again (${module})`, async () => {
      const sn = `RENUM-${module.toUpperCase()}-1`;
      const sim: DeviceSimulator = make(sn);
      await sim.connect();
      await reconciler.idle();
      await sim.pollUntilIdle();
      // Index and pin tell the records apart (the reset's 6016 names no pin).
      const summary = async () => (await served(sn)).map((e) => `${e.logId}:${e.pin || '-'}`).sort();
      const again = async (at: number) => sim.uploadAgain(sim.uploads.length - 1 - at);

      // First life: two records made before the controller's clock was ever set; the reply lost, sent again.
      expect((await sim.uploadRtlog([
        { time: unset(5), pin: 7001, cardno: 0, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1 },
        { time: unset(9), pin: 7001, cardno: 0, eventaddr: 2, event: 0, inoutstatus: 0, verifytype: 1 },
      ])).body).toBe('OK');
      const first = sim.uploads.length - 1;
      expect((await again(first)).body).toBe('OK');
      const before = ['1:7001', '2:7001'];
      expect(await summary()).toEqual(before);
      // Its transaction table as it stood before the reset.
      expect((await sim.uploadTransactionTable('querydata')).status).toBe(200);
      const retained = sim.uploads.length - 1;
      expect(await summary()).toEqual(before);

      expect((await sim.factoryReset({ numbering: 'restarted' })).registered).toBe(true);
      await sim.pollUntilIdle();
      const kick = reconciler.kick;
      reconciler.kick = () => undefined;
      try {
        expect((await sim.uploadRtlog([
          { time: unset(5), pin: 0, cardno: 0, eventaddr: 0, event: 6016, inoutstatus: 2, verifytype: 200 },
          { time: unset(9), pin: 7002, cardno: 0, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1 },
        ])).body).toBe('OK');
        // The reset is new: it owes the full sync, recorded before the upload was answered.
        expect(await fullSyncOwed(sn)).toBe(true);
      } finally {
        reconciler.kick = kick;
      }
      const after = sim.uploads.length - 1;
      const both = ['1:-', '1:7001', '2:7001', '2:7002'];
      expect(await summary()).toEqual(both);

      // Each record once: the upload after the reset sent again, the new table both ways, the old table and the first
      // upload once more.
      expect((await again(after)).body).toBe('OK');
      expect((await sim.uploadTransactionTable('querydata')).status).toBe(200);
      expect((await sim.uploadTransactionTable('tabledata')).status).toBe(200);
      expect((await again(retained)).status).toBe(200);
      expect((await again(first)).body).toBe('OK');
      expect(await summary()).toEqual(both);
    });
  }
});
