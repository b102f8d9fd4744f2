import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { writeTransaction } from '../common/write-transaction';
import { CommandQueueService } from '../push/command-queue.service';
import { oweJob, SyncReconciler } from '../sync/sync-reconciler.service';
import { afterCommit } from '../database/after-commit';
import { DeviceService } from './device.service';

/** What clearing a device's commands did, as the console says it. */
export interface ClearedCommands {
  sn: string;
  /** Commands removed: queued and never handed to the device. */
  cleared: number;
  /** Of those, the ones that carried data the database says the device should hold (sync commands). */
  syncCleared: number;
  /** Commands already handed to the device and waiting for its Return: kept, their Return still counts. */
  awaitingReturn: number;
  /** A full sync under way was stopped (its later pages are not queued): the device owes one, shown divergent. */
  fullSyncStopped: boolean;
  /** A count (DATA COUNT of a verification) was among them: it is owed again, as the device's state is in doubt. */
  verifyOwed: boolean;
}

/** A command removed unsent: its id, its head (the first bytes of its text) and its meta (the object ref it was queued with). */
export interface RemovedCommand {
  id: string;
  head: string;
  meta: Record<string, unknown> | null;
}

/**
 * Told, in the clearing transaction, of the commands removed from a device's queue: a module that changed its own
 * state when it queued one (a terminal's Stamps dropped for a CLEAR LOG) puts it back, as the command never ran.
 */
export type QueueClearedListener = (m: EntityManager, device: { id: string; sn: string }, removed: readonly RemovedCommand[]) => Promise<void>;

/**
 * CVSecurity's System > Communication > Device Commands > Clear commands: the commands a device has not fetched yet
 * are removed. Only those never handed out (no delivery attempt): one the device fetched may have run, and its Return
 * is what tells; it stays. The confirmed state (sync_item) is written from Returns only, so what a removed sync command
 * carried is simply not confirmed: the convergence reads the device divergent (a desired state nothing in flight
 * reaches) until a Full sync or a later change sends it again, rather than taking it for held. Two things would
 * otherwise stay wrong, and are put right in the same transaction:
 *   - a full sync under way (sync_owed 'full' paging on with its plan) would queue its later pages without the clear
 *     and first pages removed: it is stopped, and the device is divergent until a Full sync is asked again;
 *   - a count of a verification (a re-registration put its confirmed state in doubt) would never be judged: it is
 *     owed again.
 * And what queueing a removed command changed beside the queue is undone by the module that changed it (onCleared):
 * a terminal's CLEAR LOG, CLEAR DATA or CHECK never ran, so its Stamps are put back as they were.
 */
@Injectable()
export class DeviceQueueClearService {
  private readonly listeners: QueueClearedListener[] = [];

  /** Registers a listener (at module init). */
  onCleared(fn: QueueClearedListener): void {
    this.listeners.push(fn);
  }

  constructor(
    private readonly ds: DataSource,
    private readonly devices: DeviceService,
    private readonly queue: CommandQueueService,
    private readonly reconciler: SyncReconciler,
  ) {}

  async clear(sn: string): Promise<ClearedCommands> {
    const device = await this.devices.requireBySn(sn);
    return writeTransaction(this.ds, async (m) => {
      // The device's order lock: no write queues behind a command being removed, and a poll claiming one waits.
      await this.queue.lockForOrder(m, [device.sn]);
      const removed: Array<RemovedCommand & { sync: boolean; verify: boolean; plan: string | null }> = await m.query(
        `WITH w AS (
           DELETE FROM device_command c WHERE c.device_sn = $1 AND c.state = 'pending' AND c.attempts = 0
              AND NOT EXISTS (SELECT 1 FROM device_command_attempt a WHERE a.command_id = c.id)
            RETURNING c.id, substr(c.command, 1, 24) AS head, c.meta, coalesce(c.meta ? 'sync', false) AS sync, coalesce(c.meta ? 'verify', false) AS verify, c.meta->>'plan' AS plan)
         SELECT id::text AS id, head, meta, sync, verify, plan FROM w ORDER BY w.id`,
        [device.sn],
      );
      const [{ n }]: Array<{ n: number }> = await m.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent')`, [device.sn]);
      const plans = [...new Set(removed.filter((r) => r.sync && r.plan).map((r) => r.plan!))];
      // A data-modifying WITH answers its rows as a SELECT does (a bare DELETE ... RETURNING answers [rows, count]).
      const stopped: unknown[] = plans.length
        ? await m.query(`WITH s AS (DELETE FROM sync_owed WHERE device_id = $1 AND kind = 'full' AND plan = ANY($2) RETURNING device_id) SELECT device_id FROM s`, [device.id, plans])
        : [];
      for (const listener of this.listeners) await listener(m, device, removed);
      const verifyOwed = removed.some((r) => r.verify);
      if (verifyOwed) {
        await oweJob(m, device.id, 'verify');
        afterCommit(m, () => this.reconciler.kick());
      }
      return { sn: device.sn, cleared: removed.length, syncCleared: removed.filter((r) => r.sync).length, awaitingReturn: n, fullSyncStopped: stopped.length > 0, verifyOwed };
    });
  }
}
