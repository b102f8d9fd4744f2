import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { retryDelayMs, type PushCenterConfig } from './push-center.config';
import { PushOutboxRepository, type ClaimedDelivery, type DeliveryGroup } from './push-outbox.repository';
import { SIGNATURE_HEADER, signBody, toPushBody } from './push-payload';

const GROUPS_PER_TICK = 200;
const CONCURRENCY = 8;
const PER_GROUP_PER_TICK = 200;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Delivers push_outbox rows: each (target, device) queue in order, head first, one request at a time;
 * different queues in parallel. A 2xx answer marks the row delivered; anything else (status, network
 * error, timeout) schedules the same head again after an exponential backoff, so the device's later events
 * wait behind it. The outbox is a table, so pending deliveries survive a restart (a lease left by a crash
 * expires and the head is sent again: at-least-once).
 */
@Injectable()
export class PushDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PushCenter');
  readonly config: PushCenterConfig;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private lastPruneAt = 0;

  constructor(
    private readonly outbox: PushOutboxRepository,
    @Inject(APP_CONFIG) appConfig: AppConfig,
  ) {
    this.config = appConfig.pushCenter;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.pollMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass over the due queues (also called by tests and after a retry request). */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.pass()
      .catch((err) => this.logger.warn(`delivery pass failed: ${(err as Error).message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    if (Date.now() - this.lastPruneAt > PRUNE_EVERY_MS) {
      this.lastPruneAt = Date.now();
      await this.outbox.pruneDelivered(this.config.keepDeliveredDays);
    }
    const groups = await this.outbox.findDueGroups(GROUPS_PER_TICK);
    let next = 0;
    const lane = async () => {
      while (!this.stopped && next < groups.length) await this.drain(groups[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, groups.length) }, lane));
  }

  /** Sends the queue's heads in order until one fails or the queue is empty. */
  private async drain(g: DeliveryGroup): Promise<void> {
    for (let i = 0; i < PER_GROUP_PER_TICK && !this.stopped; i++) {
      const d = await this.outbox.claimHead(g, this.config.timeoutMs + 30_000);
      if (!d) return;
      if (!(await this.deliver(d))) return;
    }
  }

  private async deliver(d: ClaimedDelivery): Promise<boolean> {
    const body = toPushBody(d.event);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-gateway-delivery': d.id,
      'x-gateway-attempt': String(d.attempts + 1),
    };
    if (d.secret) headers[SIGNATURE_HEADER] = signBody(body, d.secret);
    let status: number | null = null;
    let error: string;
    try {
      const res = await fetch(d.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.config.timeoutMs), redirect: 'manual' });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        await this.outbox.markDelivered(d.id, res.status);
        return true;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? `timeout after ${this.config.timeoutMs} ms` : `${(err as Error).message}${(err as Error & { cause?: Error }).cause ? `: ${(err as Error & { cause?: Error }).cause?.message}` : ''}`;
    }
    const delay = retryDelayMs(d.attempts + 1, this.config);
    await this.outbox.markFailed(d.id, status, error, delay);
    this.logger.warn(`delivery ${d.id} to target ${d.target_id} failed (${error}); attempt ${d.attempts + 1}, retry in ${delay} ms`);
    return false;
  }
}
