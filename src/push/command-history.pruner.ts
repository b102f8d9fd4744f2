import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { stopWorker } from '../common/stop-worker';

const BATCH = 5000;
const EVERY_MS = 3_600_000;
const FIRST_AFTER_MS = 300_000;

/**
 * Keeps the device history tables from growing for years, a batch per statement so no pass holds locks for
 * long. Several processes may run it: a row deleted twice is simply not there the second time.
 * - device_command: acknowledged commands older than DEVICE_COMMAND_KEEP_DAYS go, with their delivery
 *   attempts. Pending, sent and failed commands stay (failed ones are what operators look for).
 * - device_upload: records older than DEVICE_UPLOAD_KEEP_DAYS go. What is read from them is already kept
 *   elsewhere (templates in bio_template, events in acc_transaction) except the capture photos
 *   (capturePhotoBase64), which events therefore carry for that long.
 */
@Injectable()
export class CommandHistoryPruner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('CommandHistory');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.deviceCommandKeepDays <= 0 && this.config.deviceUploadKeepDays <= 0) return;
    const run = () => {
      this.running ??= Promise.all([this.prune(), this.pruneUploads()])
        .then(([commands, uploads]) => commands + uploads)
        .catch((err) => {
          this.logger.error(`pruning the command history failed: ${(err as Error)?.message ?? err}`);
          return 0;
        })
        .finally(() => (this.running = undefined));
    };
    const first = setTimeout(() => {
      run();
      this.timer = setInterval(run, EVERY_MS);
      this.timer.unref();
    }, FIRST_AFTER_MS);
    first.unref();
    this.timer = first;
  }

  // Before the DataSource closes (stop-worker.ts).
  async beforeApplicationShutdown(): Promise<void> {
    await stopWorker([this.timer], this.running);
  }

  /** Deletes what is older than the keep window; returns how many commands went. */
  async prune(now = new Date()): Promise<number> {
    if (this.config.deviceCommandKeepDays <= 0) return 0;
    const before = new Date(now.getTime() - this.config.deviceCommandKeepDays * 86_400_000);
    let total = 0;
    for (;;) {
      const rows: Array<{ n: number }> = await this.ds.query(
        `WITH gone AS (
           DELETE FROM device_command WHERE id IN (
             SELECT id FROM device_command WHERE state = 'done' AND done_at < $1 ORDER BY id LIMIT ${BATCH})
           RETURNING id
         ), attempts AS (
           DELETE FROM device_command_attempt WHERE command_id IN (SELECT id FROM gone)
         )
         SELECT count(*)::int AS n FROM gone`,
        [before],
      );
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < BATCH) break;
    }
    if (total > 0) this.logger.log(`deleted ${total} acknowledged commands older than ${this.config.deviceCommandKeepDays} days`);
    return total;
  }

  /**
   * Deletes device uploads older than DEVICE_UPLOAD_KEEP_DAYS; returns how many went. Ids grow with arrival,
   * so each batch looks at the oldest rows by primary key only (no index on received_at is needed).
   */
  async pruneUploads(now = new Date()): Promise<number> {
    if (this.config.deviceUploadKeepDays <= 0) return 0;
    const before = new Date(now.getTime() - this.config.deviceUploadKeepDays * 86_400_000);
    let total = 0;
    for (;;) {
      const rows: Array<{ n: number }> = await this.ds.query(
        `WITH gone AS (
           DELETE FROM device_upload WHERE id IN (SELECT id FROM device_upload ORDER BY id LIMIT ${BATCH}) AND received_at < $1 RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [before],
      );
      const n = rows[0]?.n ?? 0;
      total += n;
      if (n < BATCH) break;
    }
    if (total > 0) this.logger.log(`deleted ${total} device uploads older than ${this.config.deviceUploadKeepDays} days`);
    return total;
  }
}
