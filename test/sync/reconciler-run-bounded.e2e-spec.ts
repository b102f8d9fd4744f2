/**
 * One reconciler run probes each device's refusals once. A probe sets the next one an interval on
 * (SYNC_REFUSAL_PROBE_MS); a pass over many panels refusing something for good, or one on a loaded machine, took
 * longer than that interval, so the same probes came due again at every pass and one run went on for up to 1000
 * passes (a minute on a loaded 2-core machine), holding the reconciler's leadership while owed work waited.
 */
import { describe, expect, it, vi } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { ok, settleConverged, useFaultApp } from './fault-helpers';
import type { TestApp } from '../support/test-app';
import { Device, levelId } from './access-helpers';

let t: TestApp;
let reconciler: SyncReconciler;

useFaultApp((app) => ({ t, reconciler } = app));

describe('a reconciler run over panels whose refusals come due again while it runs', () => {
  it('probes each panel once, then ends', async () => {
    const ids: string[] = [];
    for (const n of [1, 2]) {
      const d = await Device.connect(t, `RBOUND000${n}`, 1, `10.61.0.${n}`);
      await ok(t.post('/api/accLevel/addLevel', { accApiLevelAddItems: [{ name: `RB${n}` }] }));
      await ok(t.post('/api/accLevel/addLevelDoor', { accApiLevelAddDoorItems: [{ levelName: `RB${n}`, doorName: `10.61.0.${n}-1` }] }));
      await ok(t.post('/api/person/add', { pin: `610${n}`, name: `Left ${n}`, accLevelIds: await levelId(t, `RB${n}`) }));
      await settleConverged(t, reconciler, d.sim);
      // The firmware never deletes a user: the person who left stays, the refusal is for good.
      d.sim.failCommands((c) => c.verb === 'DATA DELETE' && c.table === 'user', -1004, 'always');
      await ok(t.delete(`/api/person/delete/610${n}`));
      await d.sim.pollUntilIdle({ maxPolls: 50 });
      ids.push((await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [d.sim.sn]))[0].id);
    }
    await reconciler.idle();
    const refused: Array<{ n: number }> = await t.ds.query(`SELECT count(DISTINCT device_id)::int AS n FROM device_refusal WHERE device_id = ANY($1::varchar[]) AND what LIKE 'DATA DELETE user%'`, [ids]);
    expect(refused[0].n).toBe(2);
    // A probe interval shorter than any pass: each probe is due again by the next pass.
    const before = { ...settingsOf(t).refusalProbe };
    settingsOf(t).refusalProbe = { baseMs: 1, maxMs: 1 };
    const probes = vi.spyOn(reconciler, 'probeRefusals');
    try {
      await t.ds.query(`UPDATE device_refusal SET probe_at = now() WHERE device_id = ANY($1::varchar[])`, [ids]);
      await reconciler.runOnce();
      const perDevice = new Map<string, number>();
      for (const [, deviceId] of probes.mock.calls) perDevice.set(String(deviceId), (perDevice.get(String(deviceId)) ?? 0) + 1);
      expect(Object.fromEntries(ids.map((id) => [id, perDevice.get(String(id)) ?? 0]))).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
      // The next run probes them again: what came due during a run is not dropped.
      probes.mockClear();
      await reconciler.runOnce();
      expect(new Set(probes.mock.calls.map(([, id]) => String(id)))).toEqual(new Set(ids.map(String)));
    } finally {
      probes.mockRestore();
      settingsOf(t).refusalProbe = before;
    }
  });
});
