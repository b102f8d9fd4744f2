import { expect } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { AttendanceTerminal } from '../simulator/attendance-terminal';
import type { DeviceSimulator } from '../simulator/device-simulator';
import type { TestApp } from '../support/test-app';
import { settleTerminal } from '../attendance/attendance-helpers';
import { claimsSynced, convergenceOf, settleConverged, tableSnapshot } from './fault-helpers';

/** Every data table of the Security PUSH manual a write can reach (push-tables.json dataTables, data kinds). */
export const PUSH_TABLES = [
  'user', 'extuser', 'mulcarduser', 'userauthorize', 'holiday', 'timezone', 'templatev10', 'firstcard', 'multimcard',
  'inoutfun', 'biophoto', 'userpic', 'biodata', 'usereleauthorize', 'gatepassrule', 'AntiPassBack', 'InterLock',
];

/**
 * One simulated device as the sweep drives it, whatever its protocol: what it was sent since the last mark, what it
 * holds, and its results held back then released (to see the convergence answer wait for them).
 */
export interface SweptDevice {
  readonly kind: string;
  readonly sn: string;
  mark(): void;
  /** Commands received since the mark, each its full text (multi-record bodies joined by LF). */
  received(): string[];
  /** Polls once with every result held back; true when it received anything. */
  pollHolding(): Promise<boolean>;
  releaseHeld(): Promise<void>;
  settle(): Promise<void>;
  snapshot(): Record<string, string[]>;
  /** A factory reset, then synced from scratch (settled). */
  resync(): Promise<void>;
  /**
   * Once settled: answers a user count check the gateway made due (an attendance terminal's initialisation does), as
   * a terminal does with the INFO of its polls. Left due, the gateway asks with the INFO command a poll interval
   * later, on a slow machine inside a later write's lines.
   */
  reportCount(): Promise<void>;
}

export function pushDevice(t: TestApp, reconciler: SyncReconciler, kind: string, sim: DeviceSimulator): SweptDevice {
  let from = sim.received.length;
  return {
    kind,
    sn: sim.sn,
    mark: () => {
      from = sim.received.length;
    },
    received: () => sim.received.slice(from).map((r) => [r.command, ...r.continuation].join('\n')),
    async pollHolding() {
      const before = sim.received.length;
      sim.holdResults();
      await sim.poll();
      sim.stopHoldingResults();
      return sim.received.length > before;
    },
    async releaseHeld() {
      await sim.releaseResults();
    },
    settle: () => settleConverged(t, reconciler, sim),
    snapshot: () => tableSnapshot(sim, PUSH_TABLES),
    async resync() {
      expect((await sim.factoryReset()).registered).toBe(true);
      await settleConverged(t, reconciler, sim);
    },
    // Security PUSH panels have no user count check.
    reportCount: async () => undefined,
  };
}

export function attendanceDevice(t: TestApp, reconciler: SyncReconciler, term: AttendanceTerminal): SweptDevice {
  let from = term.executed.length;
  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await settleTerminal(reconciler, term);
      if (claimsSynced(await convergenceOf(t, term.sn)) && term.pendingAcks.length === 0) return;
      await new Promise((r) => setTimeout(r, 150));
      await reconciler.runOnce();
    }
  };
  // Until the gateway no longer owes itself the count: an INFO that came while other work was in flight is not judged,
  // and on a loaded machine one round was not always enough (the INFO command then came inside a later write's lines).
  const reportCount = async () => {
    for (let i = 0; i < 10; i++) {
      await term.poll(true);
      await settle();
      const [row] = await t.ds.query(`SELECT t.count_due AS due FROM att_terminal t JOIN device d ON d.id = t.device_id WHERE d.sn = $1`, [term.sn]);
      if (!row?.due) return;
    }
  };
  const row = (o: object) =>
    Object.entries(o)
      .flatMap(([k, v]) => (v && typeof v === 'object' ? Object.entries(v).map(([k2, v2]) => `${k}.${k2}=${v2}`) : [`${k}=${v}`]))
      .sort()
      .join(' ');
  return {
    kind: 'attendance terminal',
    sn: term.sn,
    mark: () => {
      from = term.executed.length;
    },
    received: () => term.executed.slice(from).map((e) => e.command),
    async pollHolding() {
      const before = term.executed.length;
      term.holdResults();
      await term.poll();
      term.stopHoldingResults();
      return term.executed.length > before;
    },
    async releaseHeld() {
      await term.releaseResults();
    },
    settle,
    snapshot: () => ({
      users: [...term.users.values()].map(row).sort(),
      templates: term.templates.map(row).sort(),
      photos: [...term.photos.entries()].map(([pin, p]) => `${pin} ${p.table} ${p.content.length}`).sort(),
    }),
    async resync() {
      expect(await term.factoryReset()).toBe(true);
      // The gateway learns of the reset from the INFO of its next poll (0 users).
      await reconciler.idle();
      await term.poll(true);
      await settle();
      // That INFO came while the full sync was in flight: the count the reset made due was not judged then.
      await reportCount();
    },
    reportCount,
  };
}
