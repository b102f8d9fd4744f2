import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { GroupCommitService } from '../database/group-commit.service';
import { singleProcessDatabase } from '../database/process-tag';
import { retryDelayMs, type PushCenterConfig } from './push-center.config';
import { PushOutboxRepository, type ClaimedDelivery, type DeliveryGroup, type RunOutcome } from './push-outbox.repository';
import { SIGNATURE_HEADER, signBody, toPushBody } from './push-payload';
import { stopWorker } from '../common/stop-worker';

const GROUPS_PER_TICK = 200;
const CONCURRENCY = 8;
const PER_GROUP_PER_TICK = 1000;
/** Deliveries leased at once from a queue's head: one claim and one settling statement per run, not per event. */
const RUN = 100;
/** A request is only started when it ends (timeout included) this long before the run's lease runs out. */
const LEASE_MARGIN_MS = 5_000;
const PRUNE_EVERY_MS = 3_600_000;
/**
 * While a run is sent, its 2xx-answered deliveries are recorded once this long has passed since the last record (not
 * only when the run settles): what a kill -9 leaves unrecorded, and so sends again, is about this much of a queue.
 */
const RECORD_EVERY_MS = 250;
/** How often the leases of other processes are checked (see releaseDeadLeases). */
const LEASE_CHECK_EVERY_MS = 1_000;
/**
 * How long a lease holder must have been without any connection, at two checks this far apart, before its leases
 * are released: a live process whose connections were all cut (pg_terminate_backend, a failover) has its LISTEN
 * connection back within seconds, and releasing its run meanwhile would put a second sender on its queue.
 */
const DEAD_HOLDER_MS = 3_000;
/** After events are committed, the pass that delivers them starts this much later: a burst's batches share one pass. */
const WAKE_DELAY_MS = 20;
/** How long "is any target enabled?" is believed before a wake-up asks the database again (target writes reset it). */
const TARGETS_FRESH_MS = 5_000;

const queueKey = (g: DeliveryGroup) => `${g.target_id}\u0000${g.device_sn}`;

/**
 * Delivers push_outbox rows: each (target, device) queue in order, head first, one request at a time;
 * different queues in parallel. A run of up to RUN deliveries is leased from the head in one statement, sent
 * in order, and settled in one statement: the 2xx-answered ones delivered; at the first other answer (status,
 * network error, timeout) that delivery is scheduled again after an exponential backoff and the rest of the
 * run is released unsent, so the device's later events wait behind it. The outbox is a table, so pending
 * deliveries survive a restart (a lease left by a crash expires and its run is sent again: at-least-once).
 * A pass that left work behind (a full batch) is followed by the next one at once, not after the poll interval.
 * Events this process stores through group commit (rtlog, rtstate, ATTLOG) wake the worker within
 * WAKE_DELAY_MS when any target is enabled, so their first delivery does not wait for the poll interval (every
 * gateway process sharing the database runs this worker and wakes it for its own events); events stored another
 * way are found by the next poll. A retry this process schedules sooner than the next poll gets a pass of its
 * own when it comes due.
 */
@Injectable()
export class PushDeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PushCenter');
  readonly config: PushCenterConfig;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private lastPruneAt = 0;
  private lastLeaseCheckAt = 0;
  /** Lease holders seen without a connection, and since when (Date.now()). */
  private readonly deadSince = new Map<string, number>();
  private readonly singleProcess: boolean;
  /** A pass was asked for while one ran (which may have listed the queues before the new work): run another. */
  private again = false;
  private wakeTimer?: NodeJS.Timeout;
  /** The follow-up passes of the last wake-up (see followUp). */
  private followTimer?: NodeJS.Timeout;
  /** The earliest retry this process scheduled that comes due before the next poll would find it. */
  private retryTimer?: { at: number; timer: NodeJS.Timeout };
  private hasTargets = false;
  /** The lanes running (each drains the queues it takes, one after another), across passes. */
  private readonly lanes = new Set<Promise<void>>();
  /** The queues this process's lanes hold (queueKey), and how many lanes each target holds. */
  private readonly draining = new Set<string>();
  private readonly targetLanes = new Map<string, number>();
  /** A pass listed queues it could not hand to a lane: the next lane to end asks for a pass. */
  private handOutLeft = false;
  private targetsCheckedAt = 0;
  /** Moved by every target write: an answer read across one is not kept (it may predate the write). */
  private targetsVersion = 0;

  constructor(
    private readonly outbox: PushOutboxRepository,
    @Inject(APP_CONFIG) appConfig: AppConfig,
    private readonly groupCommit: GroupCommitService,
    @InjectDataSource() ds: DataSource,
  ) {
    this.config = appConfig.pushCenter;
    this.singleProcess = singleProcessDatabase(ds);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.pollMs);
    this.timer.unref();
    this.groupCommit.onCommitted(() => this.eventsStored());
  }

  // Before the DataSource closes (stop-worker.ts).
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    // The pass first: it may hand queues to new lanes before it ends.
    await stopWorker([this.timer, this.wakeTimer, this.followTimer, this.retryTimer?.timer], this.running);
    await stopWorker([], ...this.lanes);
  }

  /** Events were committed in this process: a pass shortly, when any target is enabled (one per WAKE_DELAY_MS at most). */
  eventsStored(): void {
    if (this.stopped || this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.wakeIfTargets();
    }, WAKE_DELAY_MS);
    this.wakeTimer.unref();
  }

  /** A target was created, changed or deleted: the next wake-up asks the database whether any is enabled. */
  targetsChanged(): void {
    this.targetsVersion++;
    this.targetsCheckedAt = 0;
  }

  /** A pass now, or right after the running one. */
  soon(): void {
    if (this.running) this.again = true;
    else void this.tick();
  }

  /** A retry comes due in `ms`: a pass then, when that is sooner than the poll interval would run one. */
  private retryIn(ms: number): void {
    if (this.stopped || ms >= this.config.pollMs) return;
    const at = Date.now() + ms;
    if (this.retryTimer && this.retryTimer.at <= at) return;
    if (this.retryTimer) clearTimeout(this.retryTimer.timer);
    const timer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.soon();
    }, ms);
    timer.unref();
    this.retryTimer = { at, timer };
  }

  private async wakeIfTargets(): Promise<void> {
    if (Date.now() - this.targetsCheckedAt > TARGETS_FRESH_MS) {
      const version = this.targetsVersion;
      let found: boolean;
      try {
        found = await this.outbox.anyEnabledTarget();
      } catch (err) {
        // The poll interval still delivers; nothing is lost by skipping this wake-up.
        this.logger.debug(`wake-up skipped: ${(err as Error).message}`);
        return;
      }
      // A target written while the question was out: its answer may be from before, so it is not believed for
      // later wake-ups, and this one runs a pass (a pass with nothing due costs one query).
      if (version === this.targetsVersion) {
        this.hasTargets = found;
        this.targetsCheckedAt = Date.now();
      } else found = true;
      if (found) this.wake();
      return;
    }
    if (this.hasTargets) this.wake();
  }

  /**
   * A pass now, and follow-up passes at 2, 4, 8 … × WAKE_DELAY_MS while that is sooner than the poll. An event
   * is delivered only once every transaction older than its own has ended (SETTLED in push-outbox.repository.ts,
   * which keeps each device's events in order), and the database's oldest running transaction may be anyone's:
   * the first pass can find the new event not yet settled, and the follow-ups take it as soon as it is. A
   * wake-up during the series starts it again.
   */
  private wake(): void {
    if (this.stopped) return;
    this.soon();
    if (this.followTimer) clearTimeout(this.followTimer);
    this.followUp(2 * WAKE_DELAY_MS);
  }

  private followUp(delay: number): void {
    this.followTimer = undefined;
    if (this.stopped || delay >= this.config.pollMs) return;
    this.followTimer = setTimeout(() => {
      this.soon();
      this.followUp(2 * delay);
    }, delay);
    this.followTimer.unref();
  }

  /** One pass over the due queues (also called by tests and after a retry request); again at once while work is left. */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.pass()
      .catch((err) => {
        this.logger.warn(`delivery pass failed: ${(err as Error).message}`);
        return false;
      })
      .then((more) => {
        this.running = undefined;
        const again = this.again;
        this.again = false;
        if (more || again) setImmediate(() => !this.stopped && void this.tick());
      });
    return this.running;
  }

  /**
   * Lists the due queues and hands them to lanes (at most CONCURRENCY in all, at most CONCURRENCY - 1 on one
   * target); says whether work was left behind (as many due queues as a pass takes, or a queue drained to its
   * limit before the pass ended). The pass ends once every listed queue is taken, not once each is drained: a
   * request hanging to one target (up to PUSH_CENTER_TIMEOUT_MS) holds its queue and its lane, not the passes that
   * deliver the other targets' events. A lane that ends asks for a pass when it left work behind or a pass could not
   * hand out every queue it listed.
   */
  private async pass(): Promise<boolean> {
    if (Date.now() - this.lastPruneAt > PRUNE_EVERY_MS) {
      this.lastPruneAt = Date.now();
      await this.outbox.pruneDelivered(this.config.keepDeliveredDays);
    }
    if (Date.now() - this.lastLeaseCheckAt >= LEASE_CHECK_EVERY_MS) {
      this.lastLeaseCheckAt = Date.now();
      await this.releaseDeadLeases();
    }
    if (this.lanes.size >= CONCURRENCY) {
      this.handOutLeft = true;
      return false;
    }
    const listed = await this.outbox.findDueGroups(GROUPS_PER_TICK);
    const groups = listed.filter((g) => !this.draining.has(queueKey(g)));
    let more = listed.length === GROUPS_PER_TICK;
    let next = 0;
    const take = (): DeliveryGroup | undefined => {
      for (; next < groups.length; next++) {
        const g = groups[next];
        // Taken meanwhile by a lane of a later pass (this pass's lanes may take theirs long after it listed them).
        if (this.draining.has(queueKey(g))) continue;
        if ((this.targetLanes.get(g.target_id) ?? 0) >= CONCURRENCY - 1) {
          this.handOutLeft = true;
          continue;
        }
        next++;
        this.draining.add(queueKey(g));
        this.targetLanes.set(g.target_id, (this.targetLanes.get(g.target_id) ?? 0) + 1);
        return g;
      }
      return undefined;
    };
    let passOver!: () => void;
    const handedOut = new Promise<void>((r) => (passOver = r));
    // Whether it left work behind, and whether it freed a place (drained a queue) that a listed queue may take now.
    const lane = async (): Promise<{ left: boolean; freed: boolean }> => {
      let left = false;
      let freed = false;
      try {
        for (let g = take(); g && !this.stopped; g = take()) {
          freed = true;
          // Every listed queue is taken: the pass is over, whatever this lane now waits for.
          if (next >= groups.length) passOver();
          try {
            if (await this.drain(g)) left = more = true;
          } finally {
            this.draining.delete(queueKey(g));
            const n = (this.targetLanes.get(g.target_id) ?? 1) - 1;
            if (n) this.targetLanes.set(g.target_id, n);
            else this.targetLanes.delete(g.target_id);
          }
        }
      } finally {
        passOver();
      }
      return { left, freed };
    };
    const n = Math.min(CONCURRENCY - this.lanes.size, groups.length);
    for (let i = 0; i < n; i++) {
      const running: Promise<void> = lane()
        .catch((err) => {
          this.logger.warn(`delivery lane failed: ${(err as Error).message}`);
          return { left: false, freed: false };
        })
        .then(({ left, freed }) => {
          this.lanes.delete(running);
          if (this.stopped) return;
          if (left || (freed && this.handOutLeft)) {
            this.handOutLeft = false;
            this.soon();
          }
        });
      this.lanes.add(running);
    }
    if (n > 0) await handedOut;
    if (next < groups.length) this.handOutLeft = true;
    return more;
  }

  /**
   * Releases the leases of processes that are gone (killed with -9, their host lost), so that their runs are sent
   * by this process now instead of after the lease's expiry (PUSH_CENTER_TIMEOUT_MS + 30 s). A process is gone when
   * PostgreSQL lists no connection under its tag (process-tag.ts) at two checks DEAD_HOLDER_MS apart; on the
   * embedded database, which one process opens, every other holder is gone at once. Its unrecorded deliveries are
   * sent again (at-least-once: the receiver deduplicates on x-gateway-delivery).
   */
  private async releaseDeadLeases(): Promise<void> {
    const holders = await this.outbox.otherLeaseHolders();
    const dead = holders.length && !this.singleProcess ? await this.outbox.withoutConnection(holders) : holders;
    const now = Date.now();
    const release = dead.filter((tag) => this.singleProcess || now - (this.deadSince.get(tag) ?? now) >= DEAD_HOLDER_MS);
    for (const tag of [...this.deadSince.keys()]) if (!dead.includes(tag)) this.deadSince.delete(tag);
    for (const tag of dead) if (!this.deadSince.has(tag)) this.deadSince.set(tag, now);
    if (!release.length) return;
    const n = await this.outbox.releaseLeasesOf(release);
    for (const tag of release) this.deadSince.delete(tag);
    if (n) this.logger.warn(`released ${n} delivery lease(s) of a gateway process that is gone (${release.map((t) => t || 'an older version').join(', ')}): sent again from each queue's head`);
  }

  /** Sends the queue's runs in order until one fails or the queue is empty; true when it stopped at its limit. */
  private async drain(g: DeliveryGroup): Promise<boolean> {
    const leaseMs = this.config.timeoutMs + 30_000;
    for (let sent = 0; sent < PER_GROUP_PER_TICK && !this.stopped; ) {
      const leasedAt = Date.now();
      const asked = Math.min(RUN, PER_GROUP_PER_TICK - sent);
      const run = await this.outbox.claimRun(g, leaseMs, asked);
      if (!run.length) return false;
      const outcome = await this.sendRun(run, leasedAt + leaseMs);
      const settled = await this.outbox.settleRun(outcome);
      const lost = outcome.delivered.length - settled.delivered + (outcome.failed ? 1 : 0) - settled.failed + outcome.unsent.length - settled.released;
      if (lost) this.logger.warn(`the lease of ${lost} deliveries to target ${g.target_id} (device ${g.device_sn}) was taken over while this process sent them: left to the process that holds them now`);
      // Due at the settling statement's now() + retryInMs, which is no later than this: a pass then finds it due.
      if (outcome.failed) this.retryIn(outcome.failed.retryInMs + 10);
      sent += run.length - outcome.unsent.length - (outcome.failed ? 1 : 0);
      // A failure holds the queue (backoff); a run cut short by its lease budget or shutdown leaves work behind.
      if (outcome.failed) return false;
      if (outcome.unsent.length) return !this.stopped;
      // A short run was the whole settled queue: no claim that would find it empty.
      if (run.length < asked) return false;
    }
    return !this.stopped;
  }

  /**
   * Sends a leased run in order, one request at a time, stopping at the first failure, at shutdown, or when a
   * request could outlast the lease (another process may then lease the rest: never two senders at once).
   */
  private async sendRun(run: ClaimedDelivery[], leaseEndsAt: number): Promise<RunOutcome> {
    const outcome: RunOutcome = { delivered: [], unsent: [] };
    let recordedAt = Date.now();
    for (let i = 0; i < run.length; i++) {
      const d = run[i];
      if (this.stopped || (i > 0 && Date.now() + this.config.timeoutMs + LEASE_MARGIN_MS > leaseEndsAt)) {
        outcome.unsent = run.slice(i).map((r) => r.id);
        break;
      }
      const r = await this.send(d);
      if (r.ok) {
        outcome.delivered.push({ id: d.id, status: r.status });
        if (i < run.length - 1 && Date.now() - recordedAt >= RECORD_EVERY_MS) {
          if (!(await this.recordDelivered(outcome))) {
            // Another process holds the run now (this one stalled past its lease, or was taken for gone): it sends the rest.
            outcome.unsent = run.slice(i + 1).map((r) => r.id);
            break;
          }
          recordedAt = Date.now();
        }
        continue;
      }
      const delay = retryDelayMs(d.attempts + 1, this.config);
      outcome.failed = { id: d.id, status: r.status, error: r.error, retryInMs: delay };
      outcome.unsent = run.slice(i + 1).map((x) => x.id);
      this.logger.warn(`delivery ${d.id} to target ${d.target_id} failed (${r.error}); attempt ${d.attempts + 1}, retry in ${delay} ms`);
      break;
    }
    return outcome;
  }

  /**
   * Records the run's deliveries answered so far (the rest of the run stays leased); they leave `outcome`. A failure
   * keeps them there for the settling statement. False when some were not recorded because another process holds
   * their lease now (settleRun): the run is no longer this process's to send.
   */
  private async recordDelivered(outcome: RunOutcome): Promise<boolean> {
    const done = outcome.delivered;
    outcome.delivered = [];
    try {
      const settled = await this.outbox.settleRun({ delivered: done, unsent: [] });
      // The run's settling statement reports what was taken over.
      return settled.delivered === done.length;
    } catch (err) {
      outcome.delivered = done.concat(outcome.delivered);
      this.logger.debug(`recording ${done.length} deliveries failed, kept for the run's end: ${(err as Error).message}`);
      return true;
    }
  }

  /** One POST; fetch keeps the connection to the receiver alive between requests. */
  private async send(d: ClaimedDelivery): Promise<{ ok: true; status: number } | { ok: false; status: number | null; error: string }> {
    const body = toPushBody(d.event);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'x-gateway-delivery': d.id,
      'x-gateway-attempt': String(d.attempts + 1),
    };
    if (d.secret) headers[SIGNATURE_HEADER] = signBody(body, d.secret);
    try {
      const res = await fetch(d.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.config.timeoutMs), redirect: 'manual' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      const e = err as Error & { cause?: Error };
      return { ok: false, status: null, error: e.name === 'TimeoutError' ? `timeout after ${this.config.timeoutMs} ms` : `${e.message}${e.cause ? `: ${e.cause.message}` : ''}` };
    }
  }
}
