import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { VisRegistrationService } from './vis-registration.service';
import { stopWorker } from '../common/stop-worker';

/**
 * Ends visits whose window has passed without a check-out: the visitor goes off every device. Safe with
 * several gateway processes on one database (the claim uses FOR UPDATE SKIP LOCKED); one sweep at a time
 * per process.
 */
@Injectable()
export class VisitorSweeperService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(VisitorSweeperService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly registrations: VisRegistrationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.visitorSweepIntervalMs;
    if (every <= 0) return;
    this.timer = setInterval(() => void this.sweep().catch((e: unknown) => this.log.error(`visitor sweep failed: ${(e as Error).message}`)), every);
    this.timer.unref();
  }

  // Before the DataSource closes (stop-worker.ts).
  async beforeApplicationShutdown(): Promise<void> {
    const timer = this.timer;
    this.timer = undefined;
    await stopWorker([timer], this.running);
  }

  /** One sweep (also the gateway extension's "sweep now"); overlapping calls share the running one. */
  sweep(): Promise<number> {
    if (this.running) return this.running;
    this.running = (async () => {
      let total = 0;
      for (;;) {
        const n = await this.registrations.expireDue();
        total += n;
        if (n === 0) return total;
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
