import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { intoOf, listOf, tableOf } from '../database/columns';
import type { RetentionConfig } from './retention.config';
import { ACC_TRANSACTION_TALLY, ACC_TRANSACTION_TALLY_DAY, ACC_TRANSACTION_TALLY_TOTAL } from './transaction-tables';
import { TransactionMonitorService } from './transaction-monitor.service';
import { CURSOR_IDLE_MS } from './monitor-start';
import { stopWorker } from '../common/stop-worker';

const RETENTION_BATCH = 5000;
const EVERY_MS = 60_000;
const RETENTION_EVERY_MS = 3_600_000;

/**
 * The tally's deltas moved into the compacted counts, per day and device and per device: only the days and devices
 * that changed are written, so a compaction costs what arrived since the last one, not the whole history.
 */
const COMPACT_TALLY = `WITH moved AS (DELETE FROM ${tableOf(ACC_TRANSACTION_TALLY)} RETURNING ${listOf(ACC_TRANSACTION_TALLY, ['deviceSn', 'day', 'n'])}),
  days AS (INSERT INTO ${tableOf(ACC_TRANSACTION_TALLY_DAY)} AS d (${listOf(ACC_TRANSACTION_TALLY_DAY, ['day', 'deviceSn', 'n'])})
    SELECT day, device_sn, sum(n) FROM moved GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (day, device_sn) DO UPDATE SET n = d.n + EXCLUDED.n)
  INSERT INTO ${tableOf(ACC_TRANSACTION_TALLY_TOTAL)} AS t (${listOf(ACC_TRANSACTION_TALLY_TOTAL, ['deviceSn', 'n'])})
  SELECT device_sn, sum(n) FROM moved GROUP BY 1 ORDER BY 1
  ON CONFLICT (device_sn) DO UPDATE SET n = t.n + EXCLUDED.n`;

/** Days and devices whose events are all gone (retention): their compacted rows say nothing. */
const DROP_EMPTY_TALLIES = [ACC_TRANSACTION_TALLY_DAY, ACC_TRANSACTION_TALLY_TOTAL].map((tb) => `DELETE FROM ${tableOf(tb)} WHERE n = 0`);

/**
 * Background upkeep of the event tables, one pass a minute:
 * - retention (EVENT_RETENTION_DAYS): events older than the limit are deleted in batches of 5000, oldest
 *   first, at most hourly (the delete trigger removes their feed rows and tallies them out);
 * - the tally's delta rows are moved into the compacted counts (per day and device, per device); after a
 *   retention pass that deleted events, the compacted rows left at zero go;
 * - monitor cursors idle for a week are dropped.
 */
@Injectable()
export class TransactionMaintenanceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TransactionMaintenance');
  readonly config: RetentionConfig;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastRetentionAt = 0;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly monitor: TransactionMonitorService,
    @Inject(APP_CONFIG) appConfig: AppConfig,
  ) {
    this.config = { retentionDays: appConfig.eventRetentionDays };
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), EVERY_MS);
    this.timer.unref();
  }

  // Before the DataSource closes (stop-worker.ts).
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await stopWorker([this.timer], this.running);
  }

  private tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        if (this.config.retentionDays !== undefined && Date.now() - this.lastRetentionAt >= RETENTION_EVERY_MS) {
          this.lastRetentionAt = Date.now();
          const n = await this.deleteExpired();
          if (n > 0) this.logger.log(`retention: deleted ${n} events older than ${this.config.retentionDays} days`);
          if (n > 0) {
            await this.compactTally();
            await this.dropEmptyTallies();
          }
        }
        await this.compactTally();
        await this.monitor.pruneCursors(CURSOR_IDLE_MS);
      } catch (err) {
        this.logger.warn(`maintenance pass failed: ${(err as Error).message}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Deletes events older than the retention limit, batch by batch; returns how many. */
  async deleteExpired(now = new Date()): Promise<number> {
    if (this.config.retentionDays === undefined) return 0;
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    let total = 0;
    // Access events, then elevator and entrance-control events (module_transaction, same retention).
    for (const table of ['acc_transaction', 'module_transaction']) {
      while (!this.stopped) {
        const [, n] = await this.ds.query(
          `DELETE FROM ${table} WHERE id IN (
             SELECT id FROM ${table} WHERE event_time < $1 ORDER BY event_time LIMIT ${RETENTION_BATCH})`,
          [cutoff],
        );
        total += Number(n ?? 0);
        if (Number(n ?? 0) < RETENTION_BATCH) break;
      }
    }
    return total;
  }

  /** The deltas since the last compaction summed into the compacted counts. */
  async compactTally(): Promise<void> {
    await this.ds.query(COMPACT_TALLY);
  }

  /** Drops the compacted counts left at zero (every event of that day or device deleted). */
  async dropEmptyTallies(): Promise<void> {
    for (const sql of DROP_EMPTY_TALLIES) await this.ds.query(sql);
  }
}
