import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CommandQueueService } from './command-queue.service';
import { DeviceRegistryService } from './device-registry.service';
import { DeviceStatusService } from './device-status.service';
import { EMPTY_QUEUE_REPLY, formatGetrequestReply, parseQuery } from './protocol';
import { WorkSignalService } from './work-signal.service';
import { DeviceKindService } from '../device/device-kind.service';
import { AttendanceTerminalService, speaksAttendance } from './attendance/attendance-terminal.service';

const SN_PATTERN = /^[\x21-\x7e]{1,64}$/;
export const GETREQUEST_PATHS = ['/iclock/getrequest', '/iclock/getrequest.aspx'];

/**
 * `GET /iclock/getrequest` (manual 8.1), the one request every device sends every RequestDelay seconds.
 *
 * It is a plain Fastify route rather than a Nest controller method: the common case, nothing queued, is
 * answered from memory (no database round trip) and the Nest request pipeline would cost more than
 * the answer itself. The reply rules are the same as the IclockController's: 200, plain text, a GMT Date.
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

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    let body: string;
    try {
      const i = req.url.indexOf('?');
      body = await this.answer(i < 0 ? '' : req.url.slice(i + 1));
    } catch (err) {
      // The queue could not be read: a 5xx makes the device poll again, which is what we want.
      this.logger.error(`getrequest failed: ${(err as Error)?.stack ?? err}`);
      reply.code(503);
      body = 'ERROR: the command queue is unavailable';
    }
    reply.header('Content-Type', 'text/plain;charset=UTF-8').header('Date', new Date().toUTCString()).send(body);
  }

  /** The reply body for a poll with this query string. */
  async answer(rawQuery: string): Promise<string> {
    const q = parseQuery(rawQuery);
    const sn = q.text('SN');
    if (!sn || !SN_PATTERN.test(sn)) return EMPTY_QUEUE_REPLY;
    this.status.touch(sn);
    // INFO= (Attendance PUSH 9) is attendance evidence and the terminal's counters; a plain poll costs nothing here.
    const info = q.text('INFO');
    if (info) await this.kinds.observe(sn, { info });
    const s = this.registry.cached(sn) ?? (await this.registry.resolve(sn));
    if (speaksAttendance(s)) {
      if (info && s.admission === 'admitted') await this.attTerminals.noteInfo(s, info);
      await this.attTerminals.noteContact(s);
    }
    if (s.admission !== 'admitted' || !this.signal.take(sn)) return EMPTY_QUEUE_REPLY;
    let claimed;
    try {
      claimed = await this.queue.claim(sn);
    } catch (err) {
      this.signal.set(sn);
      throw err;
    }
    if (claimed.length === 0) return EMPTY_QUEUE_REPLY;
    // There may be more: look again on the next poll.
    this.signal.set(sn);
    const wrap = s.capabilities?.dialect?.wrappedCommands ? { sn } : undefined;
    return formatGetrequestReply(
      claimed.map((c) => ({ cmdId: c.attemptId, command: c.command })),
      wrap,
    );
  }
}
