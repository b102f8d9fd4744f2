import { afterAll, beforeAll } from 'vitest';
import { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import { settingsOf } from '../push/push-helpers';
import { startTestApp, type TestApp } from '../support/test-app';

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
