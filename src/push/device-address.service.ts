import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { clip, DeviceRegistryService } from './device-registry.service';
import { DeviceStatusService } from './device-status.service';
import { onlineLimitMs, onlineWindowMs, silentPast } from './online-window';
import { PUSH_SETTINGS, type PushSettings } from './push-settings';
import { WorkSignalService } from './work-signal.service';
import { fromDatabaseClock } from '../database/database-clock';

/** What is known about the address an SN talks from. */
export interface AddressFacts {
  /** The address of this request. */
  ip: string;
  /** The address the SN is bound to (null: none recorded yet). */
  boundIp: string | null;
  /** The last contact from the bound address (ms), or null. */
  lastSeenAt: number | null;
  now: number;
  /** The online window (online-window.ts): a device silent for longer than it and a tenth is offline. */
  windowMs: number;
}

/**
 * The rule of DEVICE_SN_CONFLICT, pure: `same` (the bound address, or none bound yet), `move` (another
 * address, and the bound one is offline, silent past the online window (online-window.ts): a DHCP change, a
 * replaced panel; accepted and rebound), `conflict` (another address while the bound one is online: a second
 * device claims the SN). The same rule as the device status: a device it calls online keeps its address.
 */
export function addressDecision(f: AddressFacts): 'same' | 'move' | 'conflict' {
  if (f.boundIp === null || f.boundIp === f.ip) return 'same';
  if (f.lastSeenAt !== null && !silentPast(f.now - f.lastSeenAt, f.windowMs)) return 'conflict';
  return 'move';
}

const MAX_REMEMBERED = 50_000;

/**
 * Binds each admitted SN to the address it talks from, so that a second device claiming the SN from another
 * address is noticed. A request from the bound address costs no I/O; a request from another
 * address, or the first one a process sees, reads the device row once (the binding and the last contact are
 * shared by every gateway process through the database: device.last_ip, device.last_seen_at).
 *
 * A conflict is logged, counted, and recorded on the device (sn_conflict_ip / sn_conflict_at, shown by
 * GET /api/gateway/devices/{sn}); under DEVICE_SN_CONFLICT=refuse the request is refused. A legitimate
 * change of address is accepted once the old address has been silent for longer than the online window, or
 * at once when an operator approves the device again (the flagged address becomes the bound one).
 */
@Injectable()
export class DeviceAddressService implements OnModuleInit {
  private readonly logger = new Logger('DeviceAddress');
  /** This process's view: the bound address of an SN and its last accepted contact. */
  private readonly bound = new Map<string, { ip: string; at: number }>();
  /** SN → address → refused until this time: repeated requests of a refused address cost no query. */
  private readonly refusedUntil = new Map<string, Map<string, number>>();
  /** One warning and one flag write per SN and address per minute. */
  private readonly reports = new RateLimiter(1, 1 / 60);

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly registry: DeviceRegistryService,
    private readonly status: DeviceStatusService,
    private readonly signal: WorkSignalService,
  ) {}

  onModuleInit(): void {
    this.signal.onDeviceChanged((sn) => (sn === null ? this.forgetAll() : this.forget(sn)));
  }

  private windowMs(requestDelay: number | null): number {
    return onlineWindowMs(requestDelay, this.settings);
  }

  /**
   * Whether the request of `sn` from `ip` may proceed. Only admitted devices are bound; unknown SNs are left
   * to the handlers (nothing is recorded here). Answered from memory (a boolean, no I/O) for a device this
   * process knows and that talks from its address; a Promise when the device row must be read.
   */
  admit(sn: string, ip: string, now = Date.now()): boolean | Promise<boolean> {
    const s = this.registry.cached(sn);
    if (s && s.admission !== 'admitted') return true;
    const b = this.bound.get(sn);
    if (s && b && !silentPast(now - b.at, this.windowMs(s.requestDelay))) {
      if (b.ip === ip) {
        b.at = now;
        return true;
      }
      return this.conflict(sn, ip, b.ip, b.at + onlineLimitMs(this.windowMs(s.requestDelay)), now);
    }
    return this.admitFromDatabase(sn, ip, b, now);
  }

  private async admitFromDatabase(sn: string, ip: string, b: { ip: string; at: number } | undefined, now: number): Promise<boolean> {
    const until = this.refusedUntil.get(sn)?.get(ip);
    if (until !== undefined && until > now) return this.config.deviceSnConflict === 'allow';
    if (until !== undefined) this.refusedUntil.get(sn)!.delete(ip);

    const [row]: Array<{ admission: string; request_delay: number | null; last_ip: string | null; last_seen_at: Date | null }> = await this.ds.query(
      `SELECT admission, request_delay, last_ip, last_seen_at FROM device WHERE sn = $1`,
      [sn],
    );
    if (!row || row.admission !== 'admitted') return true;
    const windowMs = this.windowMs(row.request_delay);
    const stored = row.last_seen_at ? fromDatabaseClock(row.last_seen_at) : 0;
    const mem = this.status.lastSeen(sn)?.getTime() ?? 0;
    const lastSeenAt = Math.max(stored, mem, b?.at ?? 0) || null;
    const decision = addressDecision({ ip, boundIp: row.last_ip, lastSeenAt, now, windowMs });
    if (decision === 'conflict') return this.conflict(sn, ip, row.last_ip!, lastSeenAt! + onlineLimitMs(windowMs), now);
    if (decision === 'move' || row.last_ip === null) {
      await this.ds.query(
        `UPDATE device SET last_ip = $2::varchar,
           sn_conflict_ip = CASE WHEN sn_conflict_ip = $2::varchar THEN NULL ELSE sn_conflict_ip END,
           sn_conflict_at = CASE WHEN sn_conflict_ip = $2::varchar THEN NULL ELSE sn_conflict_at END
         WHERE sn = $1`,
        [sn, clip(ip, 64)],
      );
      if (decision === 'move') {
        const silent = lastSeenAt === null ? 'never seen' : `silent for ${Math.round((now - lastSeenAt) / 1000)} s`;
        this.logger.log(`device ${sn} now talks from ${ip} (was ${row.last_ip}, ${silent}): address change accepted`);
      }
    }
    this.bound.set(sn, { ip, at: now });
    this.trim(this.bound);
    return true;
  }

  /**
   * An operator's approval of a flagged device: the flagged address becomes the device's address (the old one
   * is refused from now on while it stays online). Returns false when nothing was flagged.
   */
  async acceptFlaggedAddress(sn: string): Promise<boolean> {
    const accepted = await this.ds.transaction(async (m) => {
      const [, n] = await m.query(
        `UPDATE device SET last_ip = sn_conflict_ip, sn_conflict_ip = NULL, sn_conflict_at = NULL WHERE sn = $1 AND sn_conflict_ip IS NOT NULL`,
        [sn],
      );
      if (!n) return false;
      await this.signal.notifyDeviceChanged(m, sn);
      return true;
    });
    this.forget(sn);
    if (accepted) this.logger.log(`device ${sn}: the flagged address was approved and is now the device's address`);
    return accepted;
  }

  private conflict(sn: string, ip: string, boundIp: string, refuseUntil: number, now: number): boolean {
    const refuse = this.config.deviceSnConflict === 'refuse';
    let ips = this.refusedUntil.get(sn);
    if (!ips) {
      this.refusedUntil.set(sn, (ips = new Map()));
      this.trim(this.refusedUntil);
    }
    ips.set(ip, Math.min(refuseUntil, now + 5_000));
    if (ips.size > 100) ips.delete(ips.keys().next().value as string);
    if (this.reports.take(`${sn}\n${ip}`, now)) {
      this.logger.warn(
        `device ${sn}: claimed from ${ip} while it is online at ${boundIp}: ${refuse ? 'refused' : 'allowed (DEVICE_SN_CONFLICT=allow)'}; ` +
          `approve the device again to make ${ip} its address`,
      );
      void this.ds
        .query(`UPDATE device SET sn_conflict_ip = $2, sn_conflict_at = now() WHERE sn = $1`, [sn, clip(ip, 64)])
        .catch((err) => this.logger.warn(`could not flag device ${sn}: ${(err as Error).message}`));
    }
    return !refuse;
  }

  private forget(sn: string): void {
    this.bound.delete(sn);
    this.refusedUntil.delete(sn);
  }

  private forgetAll(): void {
    this.bound.clear();
    this.refusedUntil.clear();
  }

  private trim(map: Map<string, unknown>): void {
    while (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value as string);
  }
}
