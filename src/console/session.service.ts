import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { insertOf } from '../database/columns';
import { ConsoleAuditService } from './audit.service';
import { addressMatcher } from './console.config';
import { CONSOLE_SESSION } from './console-tables';
import type { ConsoleOperator, ConsoleSessionInfo } from './console-roles';
import { OperatorService, toOperator, type OperatorRow } from './operator.service';
import { decoyHash, verifyPassword } from './password';
import { matchTotp } from './totp';

export const SESSION_COOKIE = 'cvgw_console';
const TOUCH_EVERY_MS = 30_000;
const SWEEP_EVERY_MS = 3_600_000;
const LOGIN_WINDOW_SECONDS = 15 * 60;
const START_SESSION = `INSERT INTO ${insertOf(CONSOLE_SESSION, ['idHash', 'operatorId', 'csrfToken', 'ip', 'createdAt', 'lastSeenAt'])}`;

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export type LoginResult = { session: ConsoleSessionInfo; sessionId: string; maxAgeSeconds: number } | { totpRequired: true };

/**
 * Sign-in and sessions. A session is a random 256-bit id in an HttpOnly cookie (only its hash is stored)
 * with its own CSRF token; it ends after CONSOLE_SESSION_IDLE_MINUTES without a request, or
 * CONSOLE_SESSION_MAX_HOURS after sign-in, or at logout. Failed sign-ins are limited per address and per
 * operator name, so neither guessing one account from many addresses nor many accounts from one works.
 */
@Injectable()
export class ConsoleSessionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Console');
  private sweeper?: NodeJS.Timeout;
  private readonly failures: RateLimiter;
  private readonly adminAllowed: ((ip: string) => boolean) | undefined;

  constructor(
    private readonly ds: DataSource,
    private readonly operators: OperatorService,
    private readonly audit: ConsoleAuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const limit = config.console.loginLimit;
    this.failures = new RateLimiter(limit, limit / LOGIN_WINDOW_SECONDS);
    this.adminAllowed = addressMatcher(config.console.adminAllow);
  }

  /** First start: with CONSOLE_ADMIN_PASSWORD set and no operator yet, an administrator `admin` is created. */
  async onApplicationBootstrap(): Promise<void> {
    this.sweeper = setInterval(() => void this.sweep().catch((err) => this.logger.warn(`session sweep failed: ${err.message}`)), SWEEP_EVERY_MS);
    this.sweeper.unref();
    const password = this.config.console.adminPassword;
    if (!password || (await this.operators.count()) > 0) return;
    try {
      await this.operators.create('admin', 'admin', password);
      await this.audit.record(undefined, undefined, 'operator.create', 'admin', 'ok', { role: 'admin', by: 'CONSOLE_ADMIN_PASSWORD' });
      this.logger.log('operator console: created administrator "admin" from CONSOLE_ADMIN_PASSWORD');
    } catch (err) {
      // Two processes starting together: the other one created it.
      if (!(err instanceof CvError && err.code === CvCode.Conflict)) throw err;
    }
  }

  private get idleMs() {
    return this.config.console.sessionIdleMinutes * 60_000;
  }
  private get maxMs() {
    return this.config.console.sessionMaxHours * 3_600_000;
  }

  async login(name: unknown, password: unknown, code: unknown, ip: string, now = Date.now()): Promise<LoginResult> {
    if (typeof name !== 'string' || typeof password !== 'string' || !name || !password || name.length > 64 || password.length > 200) {
      throw new CvError(CvCode.InvalidParameter, 'Enter your operator name and password');
    }
    const keys = [`ip:${ip}`, `name:${name.toLowerCase()}`];
    const blocked = keys.find((k) => !this.failures.peek(k, now));
    if (blocked) {
      await this.audit.record({ name, role: null }, ip, 'session.login', name, 'refused', { reason: 'too many failed sign-ins' });
      throw new CvError(CvCode.RateLimited, `Too many failed sign-ins; try again in ${this.failures.retryAfter(blocked, now)} seconds`, 429);
    }
    const row = await this.operators.findByName(name);
    const good = await verifyPassword(password, row?.password_hash ?? (await decoyHash(this.operators.passwordCost)));
    if (!row || !good || row.disabled) return this.failed(keys, name, ip, now, row?.disabled && good ? 'account disabled' : 'wrong name or password');
    if (row.role === 'admin' && this.adminAllowed && !this.adminAllowed(ip)) {
      await this.audit.record(row, ip, 'session.login', row.name, 'refused', { reason: 'address not in CONSOLE_ADMIN_ALLOW' });
      throw new CvError(CvCode.Unauthorized, 'Administrators may not sign in from this address', 403);
    }
    if (row.totp_secret) {
      if (code === undefined || code === null || code === '') return { totpRequired: true };
      const step = typeof code === 'string' ? matchTotp(row.totp_secret, code, now) : undefined;
      if (step === undefined || !(await this.operators.useTotpStep(row.id, step))) return this.failed(keys, name, ip, now, 'wrong one-time code');
    }
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    await this.ds.query(START_SESSION, [hashSessionId(sessionId), row.id, csrfToken, ip, new Date(now), new Date(now)]);
    const operator = toOperator(row);
    await this.audit.record(operator, ip, 'session.login', row.name, 'ok', null);
    return { session: { operator: { id: operator.id, name: operator.name, role: operator.role, totpEnabled: operator.totpEnabled }, csrfToken }, sessionId, maxAgeSeconds: Math.floor(this.maxMs / 1000) };
  }

  private async failed(keys: string[], name: string, ip: string, now: number, reason: string): Promise<never> {
    for (const k of keys) this.failures.take(k, now);
    await this.audit.record({ name, role: null }, ip, 'session.login', name, 'failed', { reason });
    throw new CvError(CvCode.Unauthorized, reason === 'wrong one-time code' ? 'The one-time code is wrong' : 'Wrong operator name or password', 401);
  }

  /**
   * The session behind a cookie value, or undefined when there is none, it expired, or its operator was disabled.
   * `touch: false` (a page's own refresh) reads it without resetting its idle clock.
   */
  async resolve(sessionId: string | undefined, now = Date.now(), opts: { touch?: boolean } = {}): Promise<ConsoleSessionInfo | undefined> {
    if (!sessionId || sessionId.length > 100) return undefined;
    const idHash = hashSessionId(sessionId);
    const rows: Array<OperatorRow & { csrf_token: string; s_created_at: Date; last_seen_at: Date }> = await this.ds.query(
      `SELECT o.*, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at
         FROM console_session s JOIN console_operator o ON o.id = s.operator_id WHERE s.id_hash = $1`,
      [idHash],
    );
    const r = rows[0];
    if (!r) return undefined;
    if (this.ended({ disabled: r.disabled, created_at: r.s_created_at, last_seen_at: r.last_seen_at }, now)) {
      await this.ds.query(`DELETE FROM console_session WHERE id_hash = $1`, [idHash]);
      return undefined;
    }
    if (opts.touch !== false && now - r.last_seen_at.getTime() > TOUCH_EVERY_MS) await this.ds.query(`UPDATE console_session SET last_seen_at = $2 WHERE id_hash = $1`, [idHash, new Date(now)]);
    const operator: ConsoleOperator = { id: r.id, name: r.name, role: r.role, totpEnabled: !!r.totp_secret };
    return { operator, csrfToken: r.csrf_token };
  }

  /** Whether a session still stands, without touching its idle clock (for long-lived streams). */
  async isAlive(sessionId: string | undefined, now = Date.now()): Promise<boolean> {
    if (!sessionId) return false;
    const rows: Array<{ disabled: boolean; created_at: Date; last_seen_at: Date }> = await this.ds.query(
      `SELECT o.disabled, s.created_at, s.last_seen_at FROM console_session s JOIN console_operator o ON o.id = s.operator_id WHERE s.id_hash = $1`,
      [hashSessionId(sessionId)],
    );
    return !!rows[0] && !this.ended(rows[0], now);
  }

  private ended(s: { disabled: boolean; created_at: Date; last_seen_at: Date }, now: number): boolean {
    return s.disabled || now - s.last_seen_at.getTime() > this.idleMs || now - s.created_at.getTime() > this.maxMs;
  }

  /** A TOTP secret offered to this session, kept with the session until confirmed (so any gateway process can confirm it). */
  async offerTotp(sessionId: string | undefined, secret: string): Promise<void> {
    await this.ds.query(`UPDATE console_session SET totp_pending = $2 WHERE id_hash = $1`, [hashSessionId(sessionId ?? ''), secret]);
  }

  async offeredTotp(sessionId: string | undefined): Promise<string | undefined> {
    const rows: Array<{ totp_pending: string | null }> = await this.ds.query(`SELECT totp_pending FROM console_session WHERE id_hash = $1`, [hashSessionId(sessionId ?? '')]);
    return rows[0]?.totp_pending ?? undefined;
  }

  async clearOfferedTotp(sessionId: string | undefined): Promise<void> {
    await this.ds.query(`UPDATE console_session SET totp_pending = NULL WHERE id_hash = $1`, [hashSessionId(sessionId ?? '')]);
  }

  async logout(sessionId: string | undefined): Promise<void> {
    if (sessionId) await this.ds.query(`DELETE FROM console_session WHERE id_hash = $1`, [hashSessionId(sessionId)]);
  }

  /** Other sessions of an operator end when the password changes. */
  async endOtherSessions(operatorId: string, keepSessionId: string | undefined): Promise<void> {
    await this.ds.query(`DELETE FROM console_session WHERE operator_id = $1 AND id_hash <> $2`, [operatorId, keepSessionId ? hashSessionId(keepSessionId) : '']);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Expired sessions are deleted when met; this (hourly) sweeps the ones never met again. */
  async sweep(now = Date.now()): Promise<void> {
    await this.ds.query(`DELETE FROM console_session WHERE last_seen_at < $1 OR created_at < $2`, [new Date(now - this.idleMs), new Date(now - this.maxMs)]);
  }
}
