import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
 */
@Injectable()
export class DeviceQueueClearService {
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
      const removed: Array<{ sync: boolean; verify: boolean; plan: string | null }> = await m.query(
        `WITH w AS (
           DELETE FROM device_command c WHERE c.device_sn = $1 AND c.state = 'pending' AND c.attempts = 0
              AND NOT EXISTS (SELECT 1 FROM device_command_attempt a WHERE a.command_id = c.id)
            RETURNING coalesce(c.meta ? 'sync', false) AS sync, coalesce(c.meta ? 'verify', false) AS verify, c.meta->>'plan' AS plan)
         SELECT sync, verify, plan FROM w`,
        [device.sn],
      );
      const [{ n }]: Array<{ n: number }> = await m.query(`SELECT count(*)::int AS n FROM device_command WHERE device_sn = $1 AND state IN ('pending', 'sent')`, [device.sn]);
      const plans = [...new Set(removed.filter((r) => r.sync && r.plan).map((r) => r.plan!))];
      // A data-modifying WITH answers its rows as a SELECT does (a bare DELETE ... RETURNING answers [rows, count]).
      const stopped: unknown[] = plans.length
        ? await m.query(`WITH s AS (DELETE FROM sync_owed WHERE device_id = $1 AND kind = 'full' AND plan = ANY($2) RETURNING device_id) SELECT device_id FROM s`, [device.id, plans])
        : [];
      const verifyOwed = removed.some((r) => r.verify);
      if (verifyOwed) {
        await oweJob(m, device.id, 'verify');
        afterCommit(m, () => this.reconciler.kick());
      }
      return { sn: device.sn, cleared: removed.length, syncCleared: removed.filter((r) => r.sync).length, awaitingReturn: n, fullSyncStopped: stopped.length > 0, verifyOwed };
    });
  }
}
