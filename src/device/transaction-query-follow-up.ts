import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CommandOutcomeHub, type CommandOutcome } from '../push/command-outcome';
import { CommandQueueService } from '../push/command-queue.service';

/** How often one Get transactions is asked in all (the operator's ask and the re-asks) before a shortfall is left as it is. */
export const TRANSACTION_QUERY_ASKS = 3;

/**
 * The ref of a Get transactions command (`DATA QUERY tablename=transaction`, DeviceControlService.getTransactions):
 * `getTransactions` is which ask it is (1: the operator's), `of` the queue id of the operator's command.
 */
export interface TransactionQueryRef {
  getTransactions: number;
  of?: string;
}

export const isTransactionQueryRef = (ref: unknown): ref is TransactionQueryRef =>
  typeof ref === 'object' && ref !== null && typeof (ref as TransactionQueryRef).getTransactions === 'number';

/**
 * The records a query stored under its deliveries ($1 command id, $2 SN): a record sent again (a packet posted twice,
 * the command handed out again after a lost reply) is one record; a line the reader refused came too (kept raw under
 * `transaction.rejected`, with the query's CmdID).
 */
const RECEIVED = `SELECT count(DISTINCT (u.table_name, u.record))::int AS n FROM device_command_attempt a
    JOIN device_upload u ON u.device_sn = a.device_sn AND u.cmd_id = a.attempt_id::text AND u.table_name IN ('transaction', 'transaction.rejected')
   WHERE a.command_id = $1::bigint AND a.device_sn = $2`;

/**
 * A panel's answer to Get transactions is its packets (querydata, packcnt/packidx) and then its Return, the number
 * of records (9.1.4). Firmware that gives up on a packet whose POST failed still counts its records: the command
 * is done and the records of that packet never come. So each done answer is compared with the records stored for it,
 * as the user query of a verification is (SyncReconciler.learned); one short is asked again, the same query (a lost
 * packet's records are still new records to the panel: never uploaded), up to TRANSACTION_QUERY_ASKS asks in all.
 * The shortfall is written on the command (its `error`, shown beside its Return in the queue and the console) with
 * the re-ask's queue id, or, after the last ask, as records that did not come; and logged. Runs in the transaction
 * recording the Return: the re-ask is queued exactly when the outcome commits.
 */
@Injectable()
export class TransactionQueryFollowUp implements OnModuleInit {
  private readonly log = new Logger('GetTransactions');

  constructor(
    private readonly outcomes: CommandOutcomeHub,
    private readonly queue: CommandQueueService,
  ) {}

  onModuleInit(): void {
    this.outcomes.register((m, outcomes) => this.answered(m, outcomes));
  }

  private async answered(m: EntityManager, outcomes: readonly CommandOutcome[]): Promise<void> {
    for (const o of outcomes) {
      if (!isTransactionQueryRef(o.ref) || o.state !== 'done' || o.returnCode === null || o.returnCode <= 0) continue;
      const [{ n: received }]: Array<{ n: number }> = await m.query(RECEIVED, [o.commandId, o.deviceSn]);
      if (received >= o.returnCode) continue;
      const missing = `${o.returnCode - received} of the ${o.returnCode} records its Return counts did not come`;
      const ask = o.ref.getTransactions;
      let note: string;
      if (ask < TRANSACTION_QUERY_ASKS) {
        const [{ command }]: Array<{ command: string }> = await m.query(`SELECT command FROM device_command WHERE id = $1::bigint`, [o.commandId]);
        const ref: TransactionQueryRef = { getTransactions: ask + 1, of: o.ref.of ?? o.commandId };
        await this.queue.enqueue(m, o.deviceSn, [{ command, ref }]);
        note = `${missing}; asked again: command ${await this.queue.lastQueuedId(m, o.deviceSn)}`;
      } else {
        note = `${missing}, after ${ask} asks: ask again for all its records or a period`;
      }
      this.log.warn(`device ${o.deviceSn}: Get transactions (command ${o.commandId}): ${note}`);
      await m.query(`UPDATE device_command SET error = $2 WHERE id = $1::bigint`, [o.commandId, note]);
    }
  }
}
