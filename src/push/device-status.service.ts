import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { fromDatabaseClock, measureDatabaseClock, toDatabaseClock } from '../database/database-clock';
import { DeviceRegistryService } from './device-registry.service';
import { onlineWindowMs, silentPast } from './online-window';
import { PUSH_SETTINGS, type PushSettings } from './push-settings';

/** A device row as the device REST endpoints hold it. */
export interface DeviceSeen {
  sn: string;
  lastSeenAt?: Date | null;
  requestDelay?: number | null;
}

/**
 * Liveness from the last contact. Every device request marks the SN as seen in memory; the times are written
 * to device.last_seen_at in one statement every few seconds, so a poll costs no write. A device is online
 * until it has been silent for longer than its online window and a tenth (online-window.ts: 33 s by default, so
 * that a terminal idle-polling every 30 to 31 s reads online throughout), and the flush interval on top when the
 * contact read is a stored one another process may not have written yet (online-window.ts, `lagMs`).
 */
const CLOCK_EVERY_MS = 60_000;

@Injectable()
export class DeviceStatusService implements OnModuleInit {
  private readonly logger = new Logger('DeviceStatus');
  private readonly seen = new Map<string, number>();
  private readonly dirty = new Set<string>();
  /** Devices whose stored contact was newer than this process's memory: another process serves them too. */
  private readonly servedElsewhere = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private clockMeasuredAt = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly registry: DeviceRegistryService,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.measureClock();
    this.schedule();
  }

  /** last_seen_at is kept in the database's clock (database-clock.ts): measured at start and every minute. */
  private async measureClock(): Promise<void> {
    this.clockMeasuredAt = Date.now();
    await measureDatabaseClock(this.ds).catch((err) => this.logger.warn(`reading the database clock failed: ${(err as Error).message}`));
  }

  /**
   * The last flush, once the HTTP server has closed (bootstrap.ts calls it from Fastify's onClose, before Nest's
   * onApplicationShutdown closes the DataSource). Devices keep polling while the workers stop
   * (beforeApplicationShutdown) and while the requests in flight end: a flush any earlier (it was onModuleDestroy)
   * left those contacts unwritten, and after a restart the device read as last seen, and online, until seconds
   * before it really was.
   */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A flush in progress took only the contacts before it: wait for it, then write the rest.
    await this.flushing?.catch(() => undefined);
    await this.flush().catch((err) => this.logger.warn(`last-seen flush at shutdown failed: ${(err as Error).message}`));
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      if (Date.now() - this.clockMeasuredAt > CLOCK_EVERY_MS) void this.measureClock();
      void this.flush()
        .catch((err) => this.logger.warn(`last-seen flush failed: ${(err as Error).message}`))
        .finally(() => {
          if (this.timer) this.schedule();
        });
    }, this.settings.lastSeenFlushMs);
    this.timer.unref();
  }

  /** Marks a contact now (no I/O). */
  touch(sn: string, at = Date.now()): void {
    this.seen.set(sn, at);
    this.dirty.add(sn);
  }

  /** Writes the contacts since the last flush: one UPDATE for all of them. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.dirty.size === 0) return Promise.resolve();
    const sns = [...this.dirty];
    this.dirty.clear();
    const times = sns.map((sn) => toDatabaseClock(this.seen.get(sn)!).toISOString());
    this.flushing = this.ds
      .query(
        `UPDATE device d SET last_seen_at = v.t FROM unnest($1::text[], $2::timestamptz[]) AS v(sn, t)
         WHERE d.sn = v.sn AND (d.last_seen_at IS NULL OR d.last_seen_at < v.t)`,
        [sns, times],
      )
      .then(() => undefined)
      .catch((err) => {
        for (const sn of sns) this.dirty.add(sn);
        throw err;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  /** The last contact (this process's clock): its memory, else the stored time (given, or from the cached device). */
  lastSeen(device: string | DeviceSeen): Date | null {
    const last = this.lastContact(device);
    return last.at > 0 ? new Date(last.at) : null;
  }

  /**
   * The last contact, and whether it may be older than the device's real one by a flush interval: read from the
   * database (this process has none in memory), or of a device another process serves too (its stored contact was
   * once newer than this process's memory: a load balancer spreading its polls, whose latest may not be written yet).
   */
  private lastContact(device: string | DeviceSeen): { at: number; lagging: boolean } {
    const sn = typeof device === 'string' ? device : device.sn;
    const stored = typeof device === 'string' ? (this.registry.cached(sn)?.lastSeenAt ?? null) : (device.lastSeenAt ?? this.registry.cached(sn)?.lastSeenAt ?? null);
    const mem = this.seen.get(sn);
    const storedAt = stored ? fromDatabaseClock(stored) : 0;
    // A second of tolerance: this process's own contact comes back from the database through the clock offset.
    if (mem !== undefined && storedAt > mem + 1000) this.servedElsewhere.add(sn);
    return { at: Math.max(mem ?? 0, storedAt), lagging: mem === undefined || this.servedElsewhere.has(sn) };
  }

  /**
   * isOnline, asking the database when this process has not seen the device lately: with several gateway
   * processes a device polls one of them, which writes its contacts every few seconds (and its registration at
   * once). For decisions that must not wrongly say offline (a remote action is refused for an offline device).
   */
  async isOnlineNow(device: string | DeviceSeen, now = Date.now()): Promise<boolean> {
    if (this.isOnline(device, now)) return true;
    const sn = typeof device === 'string' ? device : device.sn;
    const [row]: Array<{ seen: Date | null; request_delay: number | null }> = await this.ds.query(
      `SELECT greatest(last_seen_at, registered_at) AS seen, request_delay FROM device WHERE sn = $1`,
      [sn],
    );
    return !!row?.seen && this.isOnline({ sn, lastSeenAt: row.seen, requestDelay: row.request_delay }, now);
  }

  /** Not silent past its online window (online-window.ts). Pass the device row to use its stored last_seen_at. */
  isOnline(device: string | DeviceSeen, now = Date.now()): boolean {
    const last = this.lastContact(device);
    if (last.at <= 0) return false;
    const sn = typeof device === 'string' ? device : device.sn;
    const delay = (typeof device === 'string' ? null : device.requestDelay) ?? this.registry.cached(sn)?.requestDelay ?? this.settings.requestDelay;
    return !silentPast(now - last.at, onlineWindowMs(delay, this.settings), last.lagging ? this.settings.lastSeenFlushMs : 0);
  }
}
