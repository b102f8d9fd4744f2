import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestContext } from '../common/request-context';
import { CommandQueueService } from './command-queue.service';
import { DeviceRegistryService, type DeviceSession } from './device-registry.service';
import { deviceReply, type LegacyText } from './device-body';
import { deviceQuery, httpDateNow, markIdlePoll } from './device-request';
import { DeviceStatusService } from './device-status.service';
import { EMPTY_QUEUE_REPLY, formatGetrequestReply } from './protocol';
import { WorkSignalService } from './work-signal.service';
import { DeviceKindService } from '../device/device-kind.service';
import { AttendanceTerminalService, speaksAttendance, type ContactGap } from './attendance/attendance-terminal.service';

/** What the fast path learned about a poll it could not answer from memory. */
interface SlowPoll {
  cached: DeviceSession | undefined;
  info: string | undefined;
  gap: ContactGap | null;
  /** The terminal's contact was already noted (and `gap` computed) by the fast path. */
  contactNoted: boolean;
  signalTaken: boolean;
  /** A terminal owing a user count that polls without INFO= is sent the INFO command (wantsInfoCommand). */
  askInfo: boolean;
  /** A terminal told another TimeZone than the site's offset now, or whose records were cleared, is sent CHECK (wantsCheck). */
  zoneCheck: boolean;
}

/** A poll as the answer needs it: Fastify's request, or the raw fast path's view of one. */
export interface PollRequest {
  url: string;
  id: string;
}

export interface PollAnswer {
  status: number;
  body: string;
}

/** The idle poll's answer (a known device, nothing queued): the one object, so callers can tell it apart. */
export const IDLE: PollAnswer = Object.freeze({ status: 200, body: EMPTY_QUEUE_REPLY });
const NO_SN: PollAnswer = Object.freeze({ status: 200, body: EMPTY_QUEUE_REPLY });

const SN_PATTERN = /^[\x21-\x7e]{1,64}$/;
export const GETREQUEST_PATHS = ['/iclock/getrequest', '/iclock/getrequest.aspx'];

/**
 * `GET /iclock/getrequest` (manual 8.1), the one request every device sends every RequestDelay seconds.
 *
 * It is a plain Fastify route rather than a Nest controller method: the common case, nothing queued, is
 * answered from memory and synchronously (no database round trip, no promise, no string built: the query
 * was parsed once by the DeviceGuard hook, the Date header is formatted once per second) and the Nest
 * request pipeline would cost more than the answer itself. Such an idle poll is counted in the metrics
 * (`cvgw_device_idle_polls_total`) and logged at debug level only. The reply rules are the same as the
 * IclockController's: 200, plain text, a GMT Date. Attendance terminals add two things, both kept off the
 * idle path unless needed: a poll carrying `INFO=` (kind evidence, the terminal's counters) goes the slow
 * way, and a terminal's contact is noted in memory, its punch recovery queued only when it is back after an
 * outage.
 */
@Injectable()
export class GetrequestRoute implements OnModuleInit {
  private readonly logger = new Logger('Getrequest');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly registry: DeviceRegistryService,
    private readonly status: DeviceStatusService,
    private readonly queue: CommandQueueService,
    private readonly signal: WorkSignalService,
    private readonly kinds: DeviceKindService,
    private readonly attTerminals: AttendanceTerminalService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (!fastify || typeof fastify.route !== 'function') return;
    for (const url of GETREQUEST_PATHS) {
      fastify.route({ method: ['GET', 'POST'], url, handler: (req, reply) => this.handle(req, reply) });
    }
  }

  private handle(req: FastifyRequest, reply: FastifyReply): void | Promise<void> {
    const a = this.answer(req);
    if (a instanceof Promise) return a.then((x) => this.send(req, reply, x));
    if (a === IDLE) markIdlePoll(req);
    this.send(req, reply, a);
  }

  private send(req: FastifyRequest, reply: FastifyReply, a: PollAnswer): void {
    const r = deviceReply(a.body, this.replyText(deviceQuery(req).text('SN')));
    reply.code(a.status).header('Content-Type', r.contentType).header('Date', httpDateNow()).send(r.payload);
  }

  /** The encoding of the device's replies: GBK (a terminal set to Chinese), a code page (older firmware) or UTF-8 (null); in memory. */
  replyText(sn: string | undefined): LegacyText | null {
    return sn === undefined ? null : this.attTerminals.replyText(sn);
  }

  /**
   * The answer to one poll, shared by the Fastify route above and the raw fast path (device-fast-path.ts):
   * `IDLE` (synchronously) for a known device with nothing queued, else a promise of the queue's answer.
   */
  answer(req: PollRequest): PollAnswer | Promise<PollAnswer> {
    const sn = deviceQuery(req).text('SN');
    if (!sn || !SN_PATTERN.test(sn)) return NO_SN;
    this.status.touch(sn);
    const s = this.registry.cached(sn);
    // INFO= (Attendance PUSH 9) is attendance evidence and the terminal's counters: only polls that carry it
    // (a substring test on the raw URL, so the others pay nothing) take the slow path.
    const info = req.url.indexOf('INFO=') < 0 ? undefined : deviceQuery(req).text('INFO');
    // A terminal back after an outage owes a punch recovery; the test is in memory (no query per poll).
    const contactNoted = s !== undefined && speaksAttendance(s);
    const gap = contactNoted ? this.attTerminals.contactGap(s) : null;
    const askInfo = contactNoted && !info && s.admission === 'admitted' && this.attTerminals.wantsInfoCommand(s, Date.now());
    // A terminal told another offset than the site's now (daylight saving time), or whose records were cleared and
    // that has not read Stamp 0 since: CHECK, so that it reads its initialisation again.
    const zoneCheck = contactNoted && s.admission === 'admitted' && this.attTerminals.wantsCheck(s, Date.now());
    // The common case: a known device with nothing queued.
    if (s && !info && !gap && !askInfo && !zoneCheck && (s.admission !== 'admitted' || !this.signal.take(sn))) return IDLE;
    // Past the test above with a cached session, no INFO, no gap and no INFO or CHECK to queue: admitted, and the work signal was taken.
    const signalTaken = s !== undefined && !info && !gap && !askInfo && !zoneCheck;
    // Work may be waiting (or the device is not in memory yet): the queue, in the request's log context.
    return requestContext.run({ reqId: req.id }, () =>
      this.look(sn, { cached: s, info, gap, contactNoted, signalTaken, askInfo, zoneCheck }).then(
        (body): PollAnswer => ({ status: 200, body }),
        (err): PollAnswer => {
          // The queue could not be read: a 5xx makes the device poll again, which is what we want.
          this.logger.error(`getrequest failed: ${(err as Error)?.stack ?? err}`);
          return { status: 503, body: 'ERROR: the command queue is unavailable' };
        },
      ),
    );
  }

  /** The reply body once the device is known (`p.signalTaken`: the caller already took its work signal). */
  private async look(sn: string, p: SlowPoll): Promise<string> {
    if (p.info) await this.kinds.observe(sn, { info: p.info });
    // observe may have replaced the cached session (a new kind): read it again after it.
    const s = (p.info ? this.registry.cached(sn) : p.cached) ?? (await this.registry.resolve(sn));
    if (speaksAttendance(s)) {
      if (p.info && s.admission === 'admitted') await this.attTerminals.noteInfo(s, p.info);
      const gap = p.contactNoted ? p.gap : this.attTerminals.contactGap(s);
      if (gap) await this.attTerminals.recoverGap(s, gap.from, gap.to);
      if (p.askInfo && s.admission === 'admitted') await this.attTerminals.askInfo(s);
      if (p.zoneCheck && s.admission === 'admitted') await this.attTerminals.sendCheck(s);
    }
    if (s.admission !== 'admitted' || (!p.signalTaken && !this.signal.take(sn))) return EMPTY_QUEUE_REPLY;
    return this.claim(sn, s);
  }

  /** Hands out the device's next commands; the work signal was taken by the caller. */
  private async claim(sn: string, s: DeviceSession): Promise<string> {
    let claimed;
    try {
      claimed = await this.queue.claim(sn);
    } catch (err) {
      this.signal.set(sn);
      throw err;
    }
    // No `signal.set` after a delivery: the next reply waits for this one's results (they raise the signal when
    // recorded) or for its timeout (the queue set a wake-up).
    if (claimed.length === 0) return EMPTY_QUEUE_REPLY;
    const wrap = s.capabilities?.dialect?.wrappedCommands ? { sn } : undefined;
    return formatGetrequestReply(
      claimed.map((c) => ({ cmdId: c.attemptId, command: c.command })),
      wrap,
    );
  }
}
