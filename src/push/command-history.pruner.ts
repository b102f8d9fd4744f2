import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';

const BATCH = 5000;
const EVERY_MS = 3_600_000;
const FIRST_AFTER_MS = 300_000;

/**
 * Keeps the queue table from growing for years: acknowledged commands older than DEVICE_COMMAND_KEEP_DAYS
 * go, with their delivery attempts, a batch per statement so no pass holds locks for long. Pending, sent
 * and failed commands stay (failed ones are what operators look for). Several processes may run it: a
 * row deleted twice is simply not there the second time.
 */
@Injectable()
export class CommandHistoryPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CommandHistory');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.deviceCommandKeepDays <= 0) return;
    const run = () => {
      this.running ??= this.prune()
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

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Deletes what is older than the keep window; returns how many commands went. */
  async prune(now = new Date()): Promise<number> {
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
}
