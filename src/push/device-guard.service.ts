import { isDatabaseUnavailable } from '../database/unavailable';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { GatewayMetrics, type DEVICE_REFUSAL_REASONS } from '../metrics/gateway-metrics';
import { DeviceAddressService } from './device-address.service';
import { deviceQuery, httpDateNow } from './device-request';

/** Device query strings are short (SN, table, tablename, Stamp, cmdid, packcnt...); anything longer is not firmware. */
export const MAX_DEVICE_QUERY_CHARS = 2048;
const SN_PATTERN = /^[\x21-\x7e]{1,64}$/;
/** Paths whose POST is not an upload: the poll and the heartbeat. */
const NOT_UPLOADS = /^\/iclock\/(getrequest|ping)(\.aspx)?\/?$/i;
/** Requests that carry records or results for the device named by SN: with no usable SN they cannot be stored. */
const DATA_POSTS = /^\/iclock\/(cdata|fdata|querydata|devicecmd)(\.aspx)?\/?$/i;

export type RefusalReason = (typeof DEVICE_REFUSAL_REASONS)[number];

/** What the guard reads of a request: Fastify's request, or the raw fast path's view of one (device-fast-path.ts). */
export interface GuardedRequest {
  url: string;
  method: string;
  ip: string | undefined;
  headers: IncomingHttpHeaders;
}

/** A refused request's answer: plain text, never 200. */
export interface Refusal {
  reason: RefusalReason;
  status: number;
  body: string;
  /** Retry-After seconds, for the 503s. */
  retryAfter?: string;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * The device side's gate, a Fastify onRequest hook on every /iclock request, before the body is
 * read and before any handler (the Nest controller and the plain getrequest route alike):
 *
 * 1. the query string is at most 2 KB (414 otherwise);
 * 2. with DEVICE_COMM_KEY set, the request presents it, as the query parameter `CommKey` or the header
 *    `X-Comm-Key` (401 otherwise; nothing about the SN is recorded);
 * 3. an upload or command result (POST to cdata, fdata, querydata, devicecmd) names a usable SN (400 otherwise);
 * 4. an admitted SN talks from its own address (DeviceAddressService; 403 for a second device under
 *    DEVICE_SN_CONFLICT=refuse);
 * 5. uploads (every POST but getrequest and ping) stay within DEVICE_UPLOAD_RATE_LIMIT per SN and minute
 *    (503 with Retry-After otherwise).
 *
 * Refusals are plain text (`ERROR: ...`) and never 200: firmware keeps what it could not upload and sends
 * it again after ErrorDelay, so a refusal loses no event. A 503 is the answer any HTTP client reads as
 * "try again later".
 */
@Injectable()
export class DeviceGuardService implements OnModuleInit {
  private readonly logger = new Logger('DeviceGuard');
  private readonly uploads: RateLimiter | undefined;
  private readonly commKey: Buffer | undefined;
  /** One warning per address and reason per minute. */
  private readonly warnings = new RateLimiter(1, 1 / 60);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly addresses: DeviceAddressService,
    private readonly metrics: GatewayMetrics,
  ) {
    const limit = config.deviceUploadRateLimit;
    this.uploads = limit > 0 ? new RateLimiter(limit, limit / 60) : undefined;
    this.commKey = config.deviceCommKey ? digest(config.deviceCommKey) : undefined;
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.addHook !== 'function') return;
    // A callback hook, not an async one: the common case (a known device at its address) costs no promise.
    fastify.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
      if (req.url.length < 7 || req.url.slice(0, 7).toLowerCase() !== '/iclock') return done();
      const verdict = this.check(req);
      if (verdict === null) return done();
      if (!(verdict instanceof Promise)) return sendRefusal(reply, verdict);
      verdict.then((r) => (r === null ? done() : sendRefusal(reply, r)), done);
    });
  }

  /**
   * The refusal of a device request, or null when it may proceed (a Promise when the address check needs the
   * database). Counted and logged here; the caller sends it (Fastify's reply, or the raw fast path's).
   */
  check(req: GuardedRequest, now = Date.now()): Refusal | null | Promise<Refusal | null> {
    const i = req.url.indexOf('?');
    const raw = i < 0 ? '' : req.url.slice(i + 1);
    if (raw.length > MAX_DEVICE_QUERY_CHARS) return this.refuse(req, 'query_too_long', 414, 'query string too long');
    const q = deviceQuery(req);
    if (this.commKey && !this.keyPresented(req, q.get('CommKey'))) {
      return this.refuse(req, 'comm_key', 401, 'comm key missing or wrong');
    }
    const sn = q.text('SN');
    if (!sn || !SN_PATTERN.test(sn)) {
      // Records or command results of no device (SN is required on every upload, attendance manual 11.2, push 7):
      // answered `OK` they would be lost, so they are refused, and the firmware keeps them. Polls and handshakes
      // without one get the protocol's own answers from their handlers.
      if (req.method === 'POST' && DATA_POSTS.test(req.url.slice(0, i < 0 ? undefined : i))) return this.refuse(req, 'no_sn', 400, 'SN missing or not a serial number');
      return null;
    }
    let admitted: boolean | Promise<boolean>;
    try {
      admitted = this.addresses.admit(sn, req.ip ?? 'unknown', now);
    } catch (err) {
      return this.unavailable(req, sn, err);
    }
    if (admitted === true) return this.afterAddress(req, sn, i, now);
    if (admitted === false) return this.conflict(req, sn);
    return admitted.then(
      (ok) => (ok ? this.afterAddress(req, sn, i, now) : this.conflict(req, sn)),
      (err) => this.unavailable(req, sn, err),
    );
  }

  private conflict(req: GuardedRequest, sn: string): Refusal {
    return this.refuse(req, 'sn_conflict', 403, `serial number ${sn} is in use by a device at another address`, sn);
  }

  private unavailable(req: GuardedRequest, sn: string, err: unknown): Refusal {
    // The database away: every device's check fails alike, and refuse() logs it (at most once a minute per device).
    if (!isDatabaseUnavailable(err)) this.logger.error(`device ${sn}: address check failed: ${(err as Error)?.stack ?? err}`);
    return this.refuse(req, 'unavailable', 503, 'temporarily unavailable', sn, '30');
  }

  /** The upload limit, once the address is known to be the device's. */
  private afterAddress(req: GuardedRequest, sn: string, i: number, now: number): Refusal | null {
    if (this.uploads && req.method === 'POST' && !NOT_UPLOADS.test(req.url.slice(0, i < 0 ? undefined : i)) && !this.uploads.take(sn, now)) {
      return this.refuse(req, 'rate_limit', 503, 'too many uploads from this device; retry later', sn, String(Math.max(1, this.uploads.retryAfter(sn, now))));
    }
    return null;
  }

  private keyPresented(req: GuardedRequest, fromQuery: string | undefined): boolean {
    const header = req.headers['x-comm-key'];
    const given = fromQuery ?? (Array.isArray(header) ? header[0] : header);
    if (typeof given !== 'string' || given.length === 0 || given.length > 256) return false;
    return timingSafeEqual(digest(given), this.commKey!);
  }

  private refuse(req: GuardedRequest, reason: RefusalReason, status: number, message: string, sn?: string, retryAfter?: string): Refusal {
    this.metrics.deviceRequestsRefused.inc({ reason });
    const who = `${req.ip ?? 'unknown'}${sn ? ` (SN ${sn})` : ''}`;
    if (reason !== 'sn_conflict' && this.warnings.take(`${reason}\n${who}`, Date.now())) {
      this.logger.warn(`device request from ${who} refused: ${message} (${status})`);
    }
    return { reason, status, body: `ERROR: ${message}`, retryAfter };
  }
}

function sendRefusal(reply: FastifyReply, r: Refusal): void {
  if (r.retryAfter) reply.header('Retry-After', r.retryAfter);
  reply.code(r.status).header('Content-Type', 'text/plain;charset=UTF-8').header('Date', httpDateNow()).send(r.body);
}
