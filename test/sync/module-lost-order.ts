/**
 * Order through lost results on elevator and channel controllers. (1) A person with a level is deleted; the
 * controller runs the deletes, and the post carrying one of their results is lost while the rest arrive; the person
 * is then added again with the same level. (2) A level's points are changed, the controller runs the change and its
 * result is lost; the person is then taken off the level. At every poll neither the convergence answer nor the
 * person's device state says synced while the controller differs from what the database gives, and the controller
 * ends holding exactly that (the same controller factory-reset and synced from scratch holds the same).
 * Played by module-lost-order-elevator and -channel.e2e-spec.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { ChannelControllerSimulator } from '../simulator/channel';
import type { DeviceSimulator } from '../simulator/device-simulator';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import type { TestApp } from '../support/test-app';
import { claimsSynced, convergenceOf, fromScratch, ok, settleConverged, tableSnapshot, useFaultApp } from './fault-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Kind = 'ele' | 'psg';

async function controller(kind: Kind, n: number): Promise<{ sim: DeviceSimulator; point: (i: number) => string; rights: (pin: string) => string[] }> {
  const sn = `MLO${kind.toUpperCase()}${n}`;
  const ip = `10.96.${kind === 'ele' ? 1 : 2}.${n}`;
  const opts = { baseUrl: t.baseUrl, sn, ipAddress: ip, retryResults: true };
  const sim = kind === 'ele' ? new ElevatorControllerSimulator({ ...opts, floors: 3 }) : new ChannelControllerSimulator({ ...opts, gates: 3 });
  await sim.connect();
  await settleConverged(t, reconciler, sim);
  const [{ id: deviceId }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
  const ids = new Map<number, string>();
  if (kind === 'ele') {
    for (const f of (await t.get('/api/floor/list', { pageNo: 1, pageSize: 1000 })).body.data as Array<{ id: string; floorNo: number; deviceId: string }>) if (f.deviceId === deviceId) ids.set(f.floorNo, f.id);
  } else {
    for (const g of (await t.get('/api/psgGate/list', { pageNo: 1, pageSize: 1000 })).body.data as Array<{ id: string; name: string; deviceId: string }>) if (g.deviceId === deviceId) ids.set(Number(g.name.slice(ip.length + 1)), g.id);
  }
  const rights = (pin: string) =>
    kind === 'ele'
      ? (sim as ElevatorControllerSimulator).eleRightsOf(pin).map((x) => `${x.timezone}:${x.floors.join('.')}`)
      : sim.table('userauthorize').filter((x) => String(x.Pin) === pin).map((x) => `${x.AuthorizeTimezoneId}:${x.AuthorizeDoorId}`);
  return { sim, point: (i) => ids.get(i)!, rights };
}

/** Polls and runs the reconciler until settled; at every step nothing says synced unless `holds()` is so. */
async function honestlyConverge(sim: DeviceSimulator, pin: string, holds: () => boolean): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const claim = await convergenceOf(t, sim.sn);
    const mine = (((await t.get(`/api/gateway/persons/${pin}/devices`)).body.data ?? []) as Array<{ deviceSn: string; state: string }>).find((x) => x.deviceSn === sim.sn);
    if (!holds()) {
      expect(claimsSynced(claim) && sim.pendingAcks.length === 0, `${sim.sn} said synced while it differs: ${JSON.stringify(claim)}`).toBe(false);
      expect(mine?.state, `${pin} said synced on ${sim.sn}`).not.toBe('synced');
    } else if (claimsSynced(claim) && sim.pendingAcks.length === 0 && i > 2) {
      return;
    }
    await sleep(150);
    await sim.poll();
    await reconciler.runOnce();
    await reconciler.idle();
  }
}

const TABLES = ['user', 'userauthorize', 'usereleauthorize', 'timezone'];

/** The spec file of one kind of controller (module-lost-order-elevator and -channel), on its own fault app. */
export function describeLostOrder(kind: Kind): void {
  useFaultApp((app) => ({ t, reconciler } = app));
  const rightsTable = kind === 'ele' ? 'usereleauthorize' : 'userauthorize';
  describe(`${kind === 'ele' ? 'an elevator' : 'a channel'} controller`, () => {
    for (const lostTable of ['user', rightsTable]) {
      it(`a person deleted (the ${lostTable} delete's result lost behind answered results), then added again with the level: ends holding them, never said synced before`, { timeout: 60_000 }, async () => {
        const n = lostTable === 'user' ? 1 : 2;
        const { sim, point, rights } = await controller(kind, n);
        const pin = `96${kind === 'ele' ? 1 : 2}${n}`;
        const level = (await t.post(`/api/gateway/${kind}Level/save`, { name: `MLO-${kind}-${n}`, pointIds: [point(1), point(3)] })).body.data.id as string;
        await ok(t.post('/api/person/add', { pin, name: 'Ord', cardNo: `${pin}1` }));
        await ok(t.post(`/api/${kind}Level/syncPerson`, undefined, { pin, levelIds: level }));
        await settleConverged(t, reconciler, sim);
        const want = rights(pin);
        expect(want.length).toBe(1);

        sim.holdResults((c) => c.verb === 'DATA DELETE' && c.table === lostTable);
        await ok(t.delete(`/api/person/delete/${pin}`));
        await ok(t.post('/api/person/add', { pin: `${pin}9`, name: 'Other' }));
        await ok(t.post(`/api/${kind}Level/syncPerson`, undefined, { pin: `${pin}9`, levelIds: level }));
        await sim.poll();
        expect(sim.dropHeldResults().length, `a ${lostTable} delete ran and its result was lost`).toBeGreaterThan(0);
        sim.stopHoldingResults();
        expect(sim.table('user').some((u) => u.Pin === pin)).toBe(false);
        await ok(t.post('/api/person/add', { pin, name: 'Ord', cardNo: `${pin}1` }));
        await ok(t.post(`/api/${kind}Level/syncPerson`, undefined, { pin, levelIds: level }));
        const holds = () => sim.table('user').some((u) => u.Pin === pin && u.CardNo === `${pin}1`) && JSON.stringify(rights(pin)) === JSON.stringify(want);
        await honestlyConverge(sim, pin, holds);
        await settleConverged(t, reconciler, sim);
        expect(holds()).toBe(true);
        expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(true);
        const snap = tableSnapshot(sim, TABLES);
        expect(await fromScratch(t, reconciler, sim, TABLES)).toEqual(snap);
      });
    }

    it("a level's points changed (run, its result lost), then the person taken off the level: ends without the rights, never said synced before", { timeout: 60_000 }, async () => {
      const { sim, point, rights } = await controller(kind, 3);
      const pin = `96${kind === 'ele' ? 1 : 2}3`;
      const name = `MLO-${kind}-3`;
      const level = (await t.post(`/api/gateway/${kind}Level/save`, { name, pointIds: [point(1)] })).body.data.id as string;
      await ok(t.post('/api/person/add', { pin, name: 'Lev' }));
      await ok(t.post(`/api/${kind}Level/syncPerson`, undefined, { pin, levelIds: level }));
      await settleConverged(t, reconciler, sim);
      expect(rights(pin).length).toBe(1);

      sim.holdResults((c) => c.table === rightsTable);
      await ok(t.post(`/api/gateway/${kind}Level/save`, { name, pointIds: [point(2), point(3)] }));
      await ok(t.post('/api/person/add', { pin: `${pin}9`, name: 'Other' }));
      await sim.poll();
      expect(sim.dropHeldResults().length, 'the change ran and its result was lost').toBeGreaterThan(0);
      sim.stopHoldingResults();
      expect(rights(pin).length).toBe(1);
      await ok(t.post(`/api/${kind}Level/deleteLevel`, undefined, { pin, levelIds: level }));
      const holds = () => rights(pin).length === 0;
      await honestlyConverge(sim, pin, holds);
      await settleConverged(t, reconciler, sim);
      expect(rights(pin)).toEqual([]);
      expect(claimsSynced(await convergenceOf(t, sim.sn))).toBe(true);
      const snap = tableSnapshot(sim, TABLES);
      expect(await fromScratch(t, reconciler, sim, TABLES)).toEqual(snap);
    });
  });
}
