import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { VisRegistrationService } from './visRegistration.service';

/** Milliseconds between sweeps: VISITOR_SWEEP_INTERVAL_MS (default 30 s; 0 turns the sweeper off). */
export function sweepIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VISITOR_SWEEP_INTERVAL_MS?.trim();
  if (!raw) return 30_000;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : 30_000;
}

/**
 * Ends visits whose window has passed without a check-out: the visitor goes off every device. Safe with
 * several gateway processes on one database (the claim uses FOR UPDATE SKIP LOCKED); one sweep at a time
 * per process.
 */
@Injectable()
export class VisitorSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(VisitorSweeperService.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly registrations: VisRegistrationService) {}

  onApplicationBootstrap(): void {
    const every = sweepIntervalMs();
    if (every <= 0) return;
    this.timer = setInterval(() => void this.sweep().catch((e: unknown) => this.log.error(`visitor sweep failed: ${(e as Error).message}`)), every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
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
