import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { afterCommit } from '../database/after-commit';
import { PROCESS_TAG } from '../database/process-tag';
import { APP_CONFIG, type AppConfig } from '../config/config';

/** PostgreSQL channels: the payload of each is one device SN. */
export const COMMAND_CHANNEL = 'device_command';
export const DEVICE_CHANNEL = 'device_changed';

const notifySql = (channel: string, sn: string) => `pg_notify('${channel}', ${sn})`;

/** SQL that queues the "work waiting" NOTIFY of the device whose SN is the expression `sn`, for the other processes. */
export const commandNotifySql = (sn: string): string => notifySql(COMMAND_CHANNEL, sn);

/**
 * How often the LISTEN connection is asked `SELECT 1`, and how long the answer may take before the connection is
 * taken for dead. A LISTEN connection only receives: when its server side is gone without a word (a failover to
 * another host, a NAT or firewall dropping the idle flow, a network cut) nothing ever fails on it, and the process
 * would answer idle polls `OK` forever while other processes queue commands.
 */
const HEARTBEAT_MS = 3000;
const HEARTBEAT_TIMEOUT_MS = 3000;
/** Wait before a new LISTEN connection after one was lost, and between failed attempts. */
const RECONNECT_MS = 1000;
const RETRY_MS = 2000;

/**
 * The per-device "maybe work" flag that lets an idle getrequest answer `OK` without touching the database.
 *
 * The flag of an SN is set
 * - at start, for every SN with pending or sent commands (one query);
 * - after a transaction that queued commands for it commits (never for one that rolls back);
 * - when a delivered command's result timeout comes due (a timer);
 * - by `NOTIFY device_command, '<sn>'` from any gateway process sharing the database (LISTEN runs only on
 *   a real PostgreSQL server; the embedded database serves a single process).
 * A poll takes (clears) the flag before it looks at the queue, so a signal raised while it looks is kept.
 */
@Injectable()
export class WorkSignalService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('WorkSignal');
  private readonly flags = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly deviceListeners: Array<(sn: string | null) => void> = [];
  private readonly raiseListeners: Array<(sn: string) => void> = [];
  private listener: Client | undefined;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** LISTEN/NOTIFY is used on a real PostgreSQL server only. */
  get notifies(): boolean {
    return !!this.config.databaseUrl;
  }

  async onModuleInit(): Promise<void> {
    await this.loadFromDatabase();
    if (this.notifies) await this.listen();
  }

  /**
   * Once the HTTP server has closed (bootstrap.ts calls it from Fastify's onClose): no poll reads a flag any more,
   * and the DataSource is still open, so a reconnect under way cannot meet a closed pool. onApplicationShutdown
   * came after TypeORM's (a global module's hooks run first) and left the LISTEN connection and its timers running
   * past the pool.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    const l = this.listener;
    this.listener = undefined;
    if (l) await l.end().catch(() => undefined);
  }

  /** The same stop, for an app closed without Fastify's onClose running it. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.stopped) await this.stop();
  }

  has(sn: string): boolean {
    return this.flags.has(sn);
  }

  set(sn: string): void {
    this.raise(sn);
  }

  /**
   * Called whenever the flag of an SN is raised (commands queued for it, here or in another process; a result timeout
   * come due), before any poll takes it: a cache that holds only while nothing is sent to the device forgets it here.
   */
  onRaised(fn: (sn: string) => void): void {
    this.raiseListeners.push(fn);
  }

  private raise(sn: string): void {
    this.flags.add(sn);
    for (const fn of this.raiseListeners) fn(sn);
  }

  /** Clears the flag and says whether it was set. */
  take(sn: string): boolean {
    return this.flags.delete(sn);
  }

  /** Sets the flag at `atMs` (keeps only the earliest pending wake-up per SN). */
  wakeAt(sn: string, atMs: number): void {
    const existing = this.timers.get(sn);
    if (existing && existing.at <= atMs) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(sn);
      this.raise(sn);
    }, Math.max(0, atMs - Date.now()));
    timer.unref();
    this.timers.set(sn, { at: atMs, timer });
  }

  /**
   * Called for every `device_changed` notification (another process registered or approved a device), with
   * null after a LISTEN reconnect (anything may have changed).
   */
  onDeviceChanged(fn: (sn: string | null) => void): void {
    this.deviceListeners.push(fn);
  }

  /**
   * Raise the flags of `sns` once `manager`'s transaction commits (at once without a transaction). On a
   * real PostgreSQL server also queue a NOTIFY in the same transaction, for the other gateway processes.
   */
  async afterCommit(manager: EntityManager, sns: Iterable<string>): Promise<void> {
    const list = [...new Set(sns)];
    if (list.length === 0) return;
    if (this.notifies) await manager.query(`SELECT ${notifySql(COMMAND_CHANNEL, 'sn')} FROM unnest($1::text[]) AS sn`, [list]);
    this.raiseAfterCommit(manager, list);
  }

  /**
   * Raise the flags of `sns` in this process once `manager`'s transaction commits, for a caller that queued the
   * NOTIFY for the other processes itself (`commandNotifySql` in one of its own statements, when `notifies`).
   */
  raiseAfterCommit(manager: EntityManager, sns: readonly string[]): void {
    afterCommit(manager, () => {
      for (const sn of sns) this.raise(sn);
    });
  }

  /** Tell the other processes that a device row changed (their caches reload it). */
  async notifyDeviceChanged(manager: EntityManager, sn: string): Promise<void> {
    if (this.notifies) await manager.query(`SELECT pg_notify('${DEVICE_CHANNEL}', $1)`, [sn]);
  }

  private async loadFromDatabase(): Promise<void> {
    const rows: Array<{ device_sn: string }> = await this.ds.query(
      `SELECT DISTINCT device_sn FROM device_command WHERE state IN ('pending', 'sent')`,
    );
    for (const r of rows) this.raise(r.device_sn);
  }

  private async listen(): Promise<void> {
    // Named as the pool's connections: while this one lives, other processes take this process for alive (process-tag.ts).
    const client = new Client({ connectionString: this.config.databaseUrl, application_name: PROCESS_TAG });
    client.on('notification', (n) => {
      if (!n.payload) return;
      if (n.channel === COMMAND_CHANNEL) this.raise(n.payload);
      else if (n.channel === DEVICE_CHANNEL) for (const fn of this.deviceListeners) fn(n.payload);
    });
    const lost = (err?: Error) => {
      if (this.stopped || this.listener !== client) return;
      this.listener = undefined;
      this.logger.warn(`LISTEN connection lost${err ? `: ${err.message}` : ''}; reconnecting`);
      if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
      client.end().catch(() => undefined);
      // A peer that went silent never answers the goodbye: close the socket ourselves.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
      this.reconnectTimer = setTimeout(() => void this.reconnect(), RECONNECT_MS);
      this.reconnectTimer.unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${COMMAND_CHANNEL}`);
      await client.query(`LISTEN ${DEVICE_CHANNEL}`);
    } catch (err) {
      client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      // Stopped while this connection opened (a reconnect under way): it must not outlive the stop.
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.heartbeat(client, lost);
  }

  /** Asks the LISTEN connection `SELECT 1` every HEARTBEAT_MS; no answer in HEARTBEAT_TIMEOUT_MS is a lost connection. */
  private heartbeat(client: Client, lost: (err?: Error) => void): void {
    this.heartbeatTimer = setTimeout(() => {
      if (this.stopped || this.listener !== client) return;
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${HEARTBEAT_TIMEOUT_MS} ms`)), HEARTBEAT_TIMEOUT_MS);
      });
      Promise.race([client.query('SELECT 1'), silent]).then(
        () => {
          clearTimeout(timer);
          this.heartbeat(client, lost);
        },
        (err: Error) => {
          clearTimeout(timer);
          lost(err);
        },
      );
    }, HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.listen();
      if (this.stopped) return;
      // Notifications sent while we were away are lost: look at the queue again.
      await this.loadFromDatabase();
      for (const fn of this.deviceListeners) fn(null);
    } catch (err) {
      if (this.stopped) return; // the stop ended what this attempt opened
      this.logger.warn(`LISTEN reconnect failed: ${(err as Error).message}`);
      // Listening but the queue unread: start over, or the commands queued while away would wait for a NOTIFY.
      const l = this.listener;
      this.listener = undefined;
      if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
      l?.end().catch(() => undefined);
      this.reconnectTimer = setTimeout(() => void this.reconnect(), RETRY_MS);
      this.reconnectTimer.unref();
    }
  }
}
