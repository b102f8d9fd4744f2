/**
 * A panel reporting event 6016 (Appendix 19, "Restore the factory settings") in rtlog has lost its tables. A panel
 * that keeps its server settings through the reset comes back without registering again, so no count is asked: the
 * gateway read the event as any other, kept believing the panel held what it confirmed, and called it synced while
 * it held nothing (until the periodic count, if one runs). Now the event owes a full sync, recorded in the database
 * before the upload is answered (a gateway restarted meanwhile still does it), and the panel ends holding what the
 * database gives it; the same event posted again (a lost answer, a re-upload) owes a count, and no second full sync.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import { claimsSynced, commandsPerReply, convergenceOf, ok, settleConverged, tableSnapshot, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useFaultApp((app) => ({ t, reconciler } = app));

const TABLES = ['user', 'userauthorize', 'timezone', 'biodata'];
const template = (s: string) => Buffer.from(s.padEnd(48, '.')).toString('base64');

async function syncedPanel(sn: string, ip: string, level: string, pins: string[]): Promise<Device> {
  const d = await Device.connect(t, sn, 1, ip);
  await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: level }] }));
  await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: level, doorName: `${ip}-1` }] }));
  const id = await levelId(t, level);
  for (const pin of pins) {
    await ok(t.post('/api/person/add', { pin, name: `P${pin}`, cardNo: `77${pin}`, accLevelIds: id }));
    const face = { personId: pin, validType: '1', template: template(`${pin} face`), templateNo: '0', templateNoIndex: '0', bioType: '9', version: '58.1' };
    await ok(t.post('/api/bioTemplate/add', face));
  }
  await settleConverged(t, reconciler, d.sim);
  expect(d.sim.table('user').map((u) => String(u.Pin)).sort()).toEqual(pins);
  return d;
}

/** The panel wiped as a factory reset wipes it, its session kept (it does not register again). */
function wipe(d: Device): void {
  for (const table of [...TABLES, 'holiday', 'mulcarduser', 'biophoto']) d.sim.deleteLocally(table);
}

/** The commands that wrote or deleted rows at the panel (a count writes nothing). */
const written = (commands: string[]) => commands.filter((c) => c.startsWith('DATA') && !c.startsWith('DATA COUNT'));

const fullSyncOwed = async (sn: string) =>
  (await t.ds.query(`SELECT o.kind FROM sync_owed o JOIN device d ON d.id = o.device_id WHERE d.sn = $1 AND o.kind = 'full'`, [sn])).length > 0;

describe('event 6016 (factory reset) in rtlog', () => {
  it('owes a full sync, kept in the database, and the panel ends holding what the database gives it', async () => {
    const d = await syncedPanel('FRESET001', '10.61.0.1', 'FR1', ['6101', '6102']);
    const held = tableSnapshot(d.sim, TABLES);
    expect(held.biodata).toHaveLength(2);
    wipe(d);
    // No pass runs before the check below: what is owed must be in the database, not in this process's memory.
    const kick = reconciler.kick;
    reconciler.kick = () => undefined;
    try {
      const at = new Date(Date.now() - 1000);
      expect((await d.sim.uploadRtlog([{ event: 6016, index: 900, time: at, eventaddr: 0, pin: 0, cardno: 0 }])).status).toBe(200);
      expect(await fullSyncOwed('FRESET001')).toBe(true);
      // Owed work keeps it from being called synced while it holds nothing.
      expect(claimsSynced(await convergenceOf(t, 'FRESET001'))).toBe(false);
    } finally {
      reconciler.kick = kick;
    }
    await reconciler.runOnce();
    await settleConverged(t, reconciler, d.sim);
    expect(tableSnapshot(d.sim, TABLES)).toEqual(held);
    expect(claimsSynced(await convergenceOf(t, 'FRESET001'))).toBe(true);
    d.expectAllAcknowledged();
  });

  it('posted again (its answer lost) or re-uploaded: no second full sync', async () => {
    const d = await syncedPanel('FRESET002', '10.61.0.2', 'FR2', ['6201']);
    const held = tableSnapshot(d.sim, TABLES);
    wipe(d);
    const event = { event: 6016, index: 901, time: new Date(Date.now() - 1000), eventaddr: 0, pin: 0, cardno: 0 };
    expect((await d.sim.uploadRtlog([event])).status).toBe(200);
    await settleConverged(t, reconciler, d.sim);
    expect(tableSnapshot(d.sim, TABLES)).toEqual(held);
    d.mark();
    expect((await d.sim.uploadRtlog([event])).status).toBe(200);
    expect(await fullSyncOwed('FRESET002')).toBe(false);
    await settleConverged(t, reconciler, d.sim);
    // Counted (a second reset would report the same event), and nothing written: no full sync.
    expect(written(await d.since())).toEqual([]);
    expect(tableSnapshot(d.sim, TABLES)).toEqual(held);
    expect(claimsSynced(await convergenceOf(t, 'FRESET002'))).toBe(true);
  });
});

/**
 * A panel reset while it could not reach the gateway keeps event 6016 in its `transaction` table and may never send it
 * in rtlog: the gateway learns of it when the table is uploaded (`table=tabledata`, or the answer to `DATA QUERY
 * tablename=transaction` on /iclock/querydata). Only rtlog was read for the event: the table's 6016 was stored as an
 * access event and nothing more, the panel stayed empty and was called synced.
 */
describe('event 6016 (factory reset) in a transaction table upload', () => {
  for (const via of ['tabledata', 'querydata'] as const) {
    it(`via ${via}: owes a full sync before it is answered, once, and the panel ends holding what the database gives it`, async () => {
      const sn = via === 'tabledata' ? 'FRESET003' : 'FRESET004';
      const d = await syncedPanel(sn, via === 'tabledata' ? '10.61.0.3' : '10.61.0.4', `FR-${via}`, via === 'tabledata' ? ['6301', '6302'] : ['6401', '6402']);
      const held = tableSnapshot(d.sim, TABLES);
      wipe(d);
      const reset = { event: 6016, index: 902, time: new Date(Date.now() - 1000), eventaddr: 0, pin: 0, cardno: 0 };
      d.sim.logOffline([reset]);
      const kick = reconciler.kick;
      reconciler.kick = () => undefined;
      try {
        expect((await d.sim.uploadTransactionTable(via)).status).toBe(200);
        expect(await fullSyncOwed(sn)).toBe(true);
        expect(claimsSynced(await convergenceOf(t, sn))).toBe(false);
      } finally {
        reconciler.kick = kick;
      }
      await reconciler.runOnce();
      await settleConverged(t, reconciler, d.sim);
      expect(tableSnapshot(d.sim, TABLES)).toEqual(held);
      expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
      // The same table uploaded again (its answer lost), or the event then sent in rtlog: counted, no full sync.
      d.mark();
      expect((await d.sim.uploadTransactionTable(via)).status).toBe(200);
      expect((await d.sim.uploadRtlog([reset])).status).toBe(200);
      expect(await fullSyncOwed(sn)).toBe(false);
      await settleConverged(t, reconciler, d.sim);
      expect(written(await d.since())).toEqual([]);
      expect(tableSnapshot(d.sim, TABLES)).toEqual(held);
      d.expectAllAcknowledged();
    });
  }
});

describe('event 6016 in an elevator controller\'s transaction table upload', () => {
  it('owes a full sync: the controller gets its users and floor rights back, and is not said synced before', async () => {
    const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'FRESETE01', floors: 4, ipAddress: '10.61.0.5' });
    await ec.connect();
    await settleConverged(t, reconciler, ec);
    const floors: Array<{ id: string; floorNo: number; deviceId: string }> = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 100 })).body.data;
    const [{ id: deviceId }] = await t.ds.query(`SELECT id FROM device WHERE sn = 'FRESETE01'`);
    const floor = (n: number) => floors.find((f) => f.floorNo === n && f.deviceId === deviceId)!.id;
    const level = (await t.post('/api/gateway/eleLevel/save', { name: 'FR-ELE', pointIds: [floor(1), floor(3)] })).body.data.id;
    await ok(t.post('/api/person/add', { pin: '6501', name: 'Ele', cardNo: '776501' }));
    await ok(t.post('/api/eleLevel/syncPerson', undefined, { pin: '6501', levelIds: level }));
    await settleConverged(t, reconciler, ec);
    const ELE = ['user', 'usereleauthorize', 'timezone'];
    const held = tableSnapshot(ec, ELE);
    expect(held.usereleauthorize).toHaveLength(1);
    for (const table of [...ELE, 'holiday', 'mulcarduser']) ec.deleteLocally(table);
    ec.logOffline([{ event: 6016, index: 903, time: new Date(Date.now() - 1000), eventaddr: 0, pin: 0, cardno: 0 }]);
    const kick = reconciler.kick;
    reconciler.kick = () => undefined;
    try {
      expect((await ec.uploadTransactionTable('tabledata')).status).toBe(200);
      expect(await fullSyncOwed('FRESETE01')).toBe(true);
      expect(claimsSynced(await convergenceOf(t, 'FRESETE01'))).toBe(false);
    } finally {
      reconciler.kick = kick;
    }
    await reconciler.runOnce();
    await settleConverged(t, reconciler, ec);
    expect(tableSnapshot(ec, ELE)).toEqual(held);
    expect(claimsSynced(await convergenceOf(t, 'FRESETE01'))).toBe(true);
  });
});

/**
 * A panel reset twice (power cycled during the full sync the first reset owed, reset again) restarts its numbering and
 * clock each time, so it reports the same event 6016 (index 1, the same time) twice: read as the first one posted again
 * (its answer lost), the second owed nothing, and the panel, empty again, was called synced (no registration, so no
 * count). A 6016 seen before now owes a count (a re-post costs that and no full sync): the panel's empty tables fail
 * it, and the full sync runs again.
 */
describe('event 6016 reported twice the same (the panel reset again, its numbering and clock restarted)', () => {
  for (const when of ['after', 'during'] as const) {
    it(`the second reset, ${when} the first one's full sync, owes and gets a full sync: the panel ends holding the database's state`, async () => {
      const sn = when === 'after' ? 'FRESET005' : 'FRESET006';
      const pins = when === 'after' ? ['6601', '6602', '6603'] : ['6701', '6702', '6703', '6704', '6705', '6706'];
      const d = await syncedPanel(sn, when === 'after' ? '10.61.0.6' : '10.61.0.7', `FR-twice-${when}`, pins);
      const held = tableSnapshot(d.sim, TABLES);
      const at = new Date(Date.UTC(2000, 0, 1, 0, 0, 5));
      expect((await d.sim.factoryResetInPlace(at)).status).toBe(200);
      if (when === 'after') await settleConverged(t, reconciler, d.sim);
      else {
        // Part of the full sync: some commands run and confirmed, one reply lost, then the panel is reset again.
        commandsPerReply(t, 2);
        await reconciler.idle();
        for (let i = 0; i < 40 && d.sim.table('user').length === 0; i++) await d.sim.poll();
        d.sim.loseNextReply();
        await d.sim.poll();
        expect(d.sim.table('user').length).toBeGreaterThan(0);
        expect(tableSnapshot(d.sim, TABLES)).not.toEqual(held);
      }
      if (when === 'after') expect(tableSnapshot(d.sim, TABLES)).toEqual(held);
      expect((await d.sim.factoryResetInPlace(at)).status).toBe(200);
      expect(d.sim.table('user')).toEqual([]);
      expect(claimsSynced(await convergenceOf(t, sn))).toBe(false);
      await settleConverged(t, reconciler, d.sim);
      expect(tableSnapshot(d.sim, TABLES)).toEqual(held);
      expect(claimsSynced(await convergenceOf(t, sn))).toBe(true);
    });
  }

  it('on a firmware that refuses DATA COUNT for good, the second reset owes the full sync itself', async () => {
    const d = await syncedPanel('FRESET007', '10.61.0.8', 'FR-twice-nocount', ['6801', '6802']);
    const held = tableSnapshot(d.sim, TABLES);
    d.sim.failCommands((c) => c.verb === 'DATA COUNT', -1004, 'always');
    const at = new Date(Date.UTC(2000, 0, 1, 0, 0, 5));
    expect((await d.sim.factoryResetInPlace(at)).status).toBe(200);
    await settleConverged(t, reconciler, d.sim);
    expect(tableSnapshot(d.sim, TABLES)).toEqual(held);
    expect((await d.sim.factoryResetInPlace(at)).status).toBe(200);
    await settleConverged(t, reconciler, d.sim);
    expect(tableSnapshot(d.sim, TABLES)).toEqual(held);
    expect(claimsSynced(await convergenceOf(t, 'FRESET007'))).toBe(true);
  });
});
