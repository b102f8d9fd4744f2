/**
 * The console's dashboard and Devices page work out the convergence of up to a hundred devices per load, all in
 * one snapshot (SyncStatusService.ofDevices), where each device was once read and hashed on its own. Every device's
 * answer must stay what `GET /api/gateway/devices/{sn}/convergence` says of it: panels synced, with commands
 * waiting, with a refused table, failing items and owed work, and an attendance terminal of the other planner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncStatusService } from '../../src/sync/sync-status.service';
import { initialisedTerminal, settleTerminal } from '../attendance/attendance-helpers';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { Device, levelId } from '../sync/access-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { createOperator, signIn, type ConsoleClient } from './console-helpers';

let t: TestApp;
let op: ConsoleClient;

beforeAll(async () => {
  t = await startTestApp({ syncReconcileIntervalMs: 0 });
  await createOperator(t, 'bea', 'operator', 'bea-password-1');
  op = await signIn(t, 'bea', 'bea-password-1');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const ok = async (p: Promise<{ body: { code: number; message?: string } }>) => expect((await p).body, JSON.stringify((await p).body)).toMatchObject({ code: 0 });
/** The answer without its age in seconds, which moves with the clock between two reads. */
const still = (c: Record<string, unknown>) => ({ ...c, oldestUnconfirmedAgeSeconds: c.oldestUnconfirmedAgeSeconds === null ? null : 'some' });

describe('convergence of many devices in one snapshot', () => {
  it('answers for each device what its own convergence view says, whatever its state', { timeout: 120_000 }, async () => {
    const synced = await Device.connect(t, 'BATCHSYNC1', 2, '10.92.0.1');
    const waiting = await Device.connect(t, 'BATCHWAIT1', 2, '10.92.0.2');
    const failing = await Device.connect(t, 'BATCHFAIL1', 2, '10.92.0.3');
    await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: 'BATCH' }, { name: 'BATCH-2' }] }));
    await ok(
      t.post('/api/accLevel/addLevelDoor', {
        accApiLevelAddDoorItems: [
          { levelName: 'BATCH', doorName: '10.92.0.1-1' },
          { levelName: 'BATCH', doorName: '10.92.0.2-1' },
          { levelName: 'BATCH', doorName: '10.92.0.3-1' },
          { levelName: 'BATCH-2', doorName: '10.92.0.2-2' },
        ],
      }),
    );
    const level = await levelId(t, 'BATCH');
    const both = `${level},${await levelId(t, 'BATCH-2')}`;
    const persons = Array.from({ length: 30 }, (_, i) => ({ pin: String(9300 + i), name: `B${i}`, cardNo: String(930000 + i), accLevelIds: i % 3 === 0 ? both : level }));
    await ok(t.post('/api/v2/person/addPersons', persons));
    // The third panel refuses its rights table for good and a user record once: a refusal, failing items.
    failing.sim.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'userauthorize', -1004, 'always');
    failing.sim.failCommands((c) => c.verb === 'DATA UPDATE' && c.table === 'user' && c.text.includes('Pin=9301\t'), -1002, 1);
    await synced.sim.pollUntilIdle({ maxPolls: 100 });
    await failing.sim.pollUntilIdle({ maxPolls: 100 });
    // An attendance terminal (the other planner) in an area with some of them.
    await ok(t.post('/api/gateway/areas', { code: 'BATCH-AREA', name: 'Batch area' }));
    const term = await initialisedTerminal(t, { sn: 'BATCHATT01' });
    await ok(t.put('/api/gateway/devices/BATCHATT01/area', { areaCode: 'BATCH-AREA' }));
    await ok(t.post('/api/attAreaPerson/set', { code: 'BATCH-AREA', pins: ['9300', '9301', '9302'] }));
    await settleTerminal(t.app.get(SyncReconciler), term);
    // The second panel has not polled since: its commands wait. It also owes a full sync.
    await t.ds.query(`INSERT INTO sync_owed (device_id, kind, cursor) SELECT id, 'full', '' FROM device WHERE sn = 'BATCHWAIT1'`);

    const sns = ['BATCHSYNC1', 'BATCHWAIT1', 'BATCHFAIL1', 'BATCHATT01'];
    const one = async (sn: string) => {
      const r = await t.get(`/api/gateway/devices/${sn}/convergence`);
      expect(r.body.code, sn).toBe(0);
      return r.body.data;
    };
    const each = Object.fromEntries(await Promise.all(sns.map(async (sn) => [sn, await one(sn)] as const)));
    // The devices really are in different states, so that each part of the answer is compared.
    expect(each.BATCHSYNC1).toMatchObject({ divergent: false, unconfirmedItems: 0, pendingCommands: 0, desiredItems: expect.any(Number) });
    expect(each.BATCHSYNC1.desiredItems).toBeGreaterThan(60);
    expect(each.BATCHWAIT1).toMatchObject({ divergent: true, owed: [expect.objectContaining({ kind: 'full' })] });
    expect(each.BATCHWAIT1.pendingCommands).toBeGreaterThan(0);
    expect(each.BATCHWAIT1.unconfirmedItems).toBeGreaterThan(0);
    expect(each.BATCHFAIL1.refused).toContain('DATA UPDATE userauthorize');
    // Its rights are kept off by the refusal for good (refused items, not failing ones retried with backoff).
    expect(each.BATCHFAIL1.refusedItems).toBeGreaterThan(0);
    expect(each.BATCHFAIL1.lastReturns.some((l: { returnCode: number | null }) => l.returnCode !== null && l.returnCode < 0)).toBe(true);
    expect(each.BATCHATT01).toMatchObject({ divergent: false, desiredItems: 3, confirmedItems: 3 });

    // All of them (and an SN nobody has) in one snapshot: each answer is the device's own, the unknown one left out.
    const batch = await t.app.get(SyncStatusService).ofDevices([...sns, 'NOSUCHDEV1']);
    expect([...batch.keys()].sort()).toEqual([...sns].sort());
    for (const sn of sns) expect(still(JSON.parse(JSON.stringify(batch.get(sn)))), sn).toEqual(still(each[sn]));

    // The Devices page's Sync column and the dashboard read the same.
    const page = (await op.call('GET', 'devices?sync=1')).body.data;
    for (const sn of sns) {
      const row = page.find((d: { sn: string }) => d.sn === sn);
      const c = each[sn];
      expect(row.sync, sn).toMatchObject({
        sn,
        state: c.state,
        divergent: c.divergent,
        refusedItems: c.refusedItems,
        desiredItems: c.desiredItems,
        confirmedItems: c.confirmedItems,
        unconfirmedItems: c.unconfirmedItems,
        failingItems: c.failingItems,
        pendingCommands: c.pendingCommands,
        owed: c.owed.map((o: { kind: string }) => o.kind),
      });
    }
    const behind = (await op.call('GET', 'dashboard')).body.data.notConverged.map((d: { sn: string }) => d.sn).sort();
    expect(behind).toEqual(sns.filter((sn) => each[sn].divergent || each[sn].unconfirmedItems > 0).sort());
  });
});
