import { afterAll, beforeAll } from 'vitest';
import { DeviceRegistryService, type DeviceSession } from '../../src/push/device-registry.service';
import { DEVICE_CHANNEL, WorkSignalService } from '../../src/push/work-signal.service';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';
import { onEmbedded } from '../support/two-gateways';

/**
 * The lifecycle specs' gateway: startFaultApp's quick retries, lost-reply and refusal probes, no periodic reconcile,
 * and the product's DEVICE_CLEAR_ON_ADD (a panel added, or added again, is cleared).
 */
export async function startLifecycleApp(): Promise<{ t: TestApp; reconciler: SyncReconciler }> {
  const t = await startTestApp({ deviceClearOnAdd: true, syncRetryBaseMs: 200, syncRetryMaxMs: 400, syncReconcileIntervalMs: 0 });
  Object.assign(settingsOf(t), { lostReplyMs: 200, ackTimeoutMs: 1000, refusalProbe: { baseMs: 200, maxMs: 400 } });
  return { t, reconciler: t.app.get(SyncReconciler) };
}

/** startLifecycleApp for a whole spec file: started before its tests (`use` receives it), closed after them. */
export function useLifecycleApp(use: (app: { t: TestApp; reconciler: SyncReconciler }) => void): void {
  let t: TestApp | undefined;
  beforeAll(async () => {
    const app = await startLifecycleApp();
    t = app.t;
    use(app);
  });
  afterAll(async () => {
    await t?.close();
  });
}

let barriers = 0;

/**
 * Waits until this process has heard every `device_changed` NOTIFY committed so far (on PostgreSQL; the embedded
 * database delivers none to the LISTEN connection). A NOTIFY reaches the process's own LISTEN connection too, a moment after its commit, and
 * drops the session it names (DeviceRegistryService.forget): a panel's registration dropped, under load only
 * after its first upload, the session a test had just read. Notifications arrive in commit order on the one
 * LISTEN connection, so once a NOTIFY sent now is heard, every earlier one was.
 */
export async function deviceNotifiesHeard(t: TestApp): Promise<void> {
  const signal = t.app.get(WorkSignalService);
  if (!signal.notifies || onEmbedded()) return;
  const barrier = `barrier-${process.pid}-${++barriers}`;
  let heard!: () => void;
  const done = new Promise<void>((resolve) => (heard = resolve));
  signal.onDeviceChanged((sn) => sn === barrier && heard());
  await t.ds.query(`SELECT pg_notify('${DEVICE_CHANNEL}', $1)`, [barrier]);
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`NOTIFY ${barrier} not heard in 20 s`)), 20_000))]);
}

/**
 * Deletes the device through REST while this process keeps its session, as another gateway process that has not
 * heard of the delete yet would: the session as held before, put back. The NOTIFYs are waited for on both sides: a
 * registration's own, heard late under load, dropped the session before it was read (none to put back: the test
 * failed reading it), and the delete's, heard after the session was put back, would drop it before the next request.
 */
export async function deleteWhileHeld(t: TestApp, sn: string): Promise<DeviceSession> {
  const registry = t.app.get(DeviceRegistryService);
  await deviceNotifiesHeard(t);
  const held = await registry.resolve(sn);
  const res = await t.delete(`/api/gateway/devices/${sn}`);
  if (res.body?.code !== 0) throw new Error(`delete ${sn}: ${JSON.stringify(res.body)}`);
  await deviceNotifiesHeard(t);
  (registry as unknown as { sessions: Map<string, unknown> }).sessions.set(sn, held);
  return held;
}
