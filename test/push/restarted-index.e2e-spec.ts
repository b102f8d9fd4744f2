/**
 * An access panel's rtlog events are de-duplicated on `<SN>_<index>_<time>` (rtlogEventKey): a re-sent upload (its
 * reply lost) or a re-uploaded transaction table brings the same index and time, and is stored once. The manual
 * (7.2, 9.1.4) says only that an index is unique in the device: a panel that is factory-reset (event 6016) or whose
 * numbering restarts numbers its records from 1 again, and a panel whose clock is not set yet (a first install, a
 * reset that restored the default date) stamps them with the same default time each time. Its new records then
 * carried the index and time of stored ones and were dropped as re-sent: the reset's own 6016 among them, so the full
 * sync it owes was never recorded either. A record with a stored one's index and time but other content (pin, card,
 * event, door, in/out) is now a new event; the same content is still the same event, however it comes again.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device } from '../sync/access-helpers';
import { useFaultApp } from '../sync/fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

/** The panel's clock before any server set it: the default date firmware starts from. */
const unset = (s: number) => `2000-01-01 00:00:${String(s).padStart(2, '0')}`;

const stored = async (sn: string) =>
  (await t.ds.query(`SELECT log_id, pin, event_no, door_no, unique_key FROM acc_transaction WHERE device_sn = $1 ORDER BY id`, [sn])) as Array<{
    log_id: number;
    pin: string | null;
    event_no: number;
    door_no: number;
    unique_key: string;
  }>;
const summary = async (sn: string) => (await stored(sn)).map((r) => `${r.log_id}:${r.pin ?? '-'}:${r.event_no}@${r.door_no}`);

const fullSyncOwed = async (sn: string) =>
  (await t.ds.query(`SELECT 1 FROM sync_owed o JOIN device d ON d.id = o.device_id WHERE d.sn = $1 AND o.kind = 'full'`, [sn])).length > 0;

describe('a panel reset with its numbering restarted and its clock back at the default date', () => {
  it('stores its new records that collide with old ones by index and time, each record once however it is sent again', async () => {
    const sn = 'RENUM-ACC-1';
    const d = await Device.connect(t, sn, 2, '10.62.0.1');
    // First life: two card swipes recorded before the panel's clock was ever set, uploaded once it reached the gateway.
    const first = [
      { index: 1, time: unset(5), pin: 7001, cardno: 0, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1 },
      { index: 2, time: unset(9), pin: 7001, cardno: 0, eventaddr: 2, event: 0, inoutstatus: 0, verifytype: 1 },
    ];
    expect((await d.sim.uploadRtlog(first)).body).toBe('OK');
    // Its reply lost: the same upload again, byte for byte.
    expect((await d.sim.uploadAgain()).body).toBe('OK');
    expect(await summary(sn)).toEqual(['1:7001:0@1', '2:7001:0@2']);
    const keysBefore = (await stored(sn)).map((r) => r.unique_key);
    expect(keysBefore).toEqual([`${sn}_1_${unset(5)}`, `${sn}_2_${unset(9)}`]);
    // Its transaction table as it stood before the reset, answered to a DATA QUERY.
    expect((await d.sim.uploadTransactionTable('querydata')).status).toBe(200);
    const retained = d.sim.uploads.length - 1;

    // Factory reset: numbering from 1 again, the clock back at the default date until the gateway sets it.
    expect((await d.sim.factoryReset({ numbering: 'restarted' })).registered).toBe(true);
    await d.sim.pollUntilIdle();
    const kick = reconciler.kick;
    reconciler.kick = () => undefined;
    try {
      const afterReset = [
        { time: unset(5), pin: 0, cardno: 0, eventaddr: 0, event: 6016, inoutstatus: 2, verifytype: 200 },
        { time: unset(9), pin: 7002, cardno: 0, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1 },
      ];
      expect((await d.sim.uploadRtlog(afterReset)).body).toBe('OK');
      // The reset is new: it owes the full sync, recorded before the upload was answered.
      expect(await fullSyncOwed(sn)).toBe(true);
    } finally {
      reconciler.kick = kick;
    }
    const both = ['1:7001:0@1', '2:7001:0@2', '1:-:6016@0', '2:7002:0@1'];
    expect(await summary(sn)).toEqual(both);
    // The stored events keep their keys.
    expect((await stored(sn)).slice(0, 2).map((r) => r.unique_key)).toEqual(keysBefore);

    // Each record once: the upload after the reset sent again (reply lost), the new table both ways, the old table
    // (retained records re-uploaded after the reset), and the first upload once more.
    expect((await d.sim.uploadAgain()).body).toBe('OK');
    expect((await d.sim.uploadTransactionTable('querydata')).status).toBe(200);
    expect((await d.sim.uploadTransactionTable('tabledata')).status).toBe(200);
    expect((await d.sim.uploadAgain(d.sim.uploads.length - 1 - retained)).status).toBe(200);
    expect((await d.sim.uploadAgain(d.sim.uploads.length - 1 - retained - 2)).body).toBe('OK');
    expect(await summary(sn)).toEqual(both);
  });

  it('a second reset at the same default time: the swipe that differs from the first is new; its 6016, alike in every field, is one event', async () => {
    const sn = 'RENUM-ACC-2';
    const d = await Device.connect(t, sn, 2, '10.62.0.2');
    const cycle = async (pin: number) => {
      expect((await d.sim.factoryReset({ numbering: 'restarted' })).registered).toBe(true);
      await d.sim.pollUntilIdle();
      return d.sim.uploadRtlog([
        { time: unset(3), pin: 0, cardno: 0, eventaddr: 0, event: 6016, inoutstatus: 2, verifytype: 200 },
        { time: unset(7), pin, cardno: 0, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 1 },
      ]);
    };
    expect((await cycle(7101)).body).toBe('OK');
    expect((await d.sim.uploadAgain()).body).toBe('OK');
    expect((await cycle(7102)).body).toBe('OK');
    expect((await d.sim.uploadAgain()).body).toBe('OK');
    expect((await d.sim.uploadTransactionTable('tabledata')).status).toBe(200);
    // The two 6016 records are alike in everything the panel sends: nothing tells the second from the first sent
    // again, so it is one event (see the report); the swipes differ and are two.
    expect(await summary(sn)).toEqual(['1:-:6016@0', '2:7101:0@1', '2:7102:0@1']);
  });
});
