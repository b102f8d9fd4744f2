import { Get, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ok } from '../common/envelope';
import { LiveStreamService, type StreamEventType } from '../liveStream/live-stream.service';
import type { ConsoleRequest } from './console-cookie';
import { ConsoleController } from './console-http';
import { openConsoleStream } from './console-stream';
import { ConsoleStatusService } from './console-status.service';
import { ConsoleSessionService } from './session.service';

/**
 * What the dashboard's live events show: every module's events, door states (which refresh its numbers), and devices
 * going online and offline (CVSecurity's real-time monitoring shows each device's connection as it changes).
 */
const DASHBOARD_TYPES = new Set<StreamEventType>(['transaction', 'punch', 'moduleTransaction', 'doorState', 'deviceState']);

/**
 * The dashboard's numbers, and the live events behind the session cookie (the SSE stream of /api/gateway/stream,
 * without a token in the URL): access events, attendance punches, elevator and channel-controller events, as
 * CVSecurity's real-time monitoring shows every module's events.
 */
/** The events the live list opens with: as many as it keeps (dashboard.tsx LIVE_EVENTS_KEPT). */
const LATEST_EVENTS = 50;

@ConsoleController('dashboard')
export class ConsoleDashboardController {
  constructor(
    private readonly status: ConsoleStatusService,
    private readonly stream: LiveStreamService,
    private readonly sessions: ConsoleSessionService,
  ) {}

  @Get()
  async get() {
    return ok(await this.status.dashboard());
  }

  /**
   * Where the dashboard's live events start, read when the page opens, before its stream: a stream refused before
   * its first event (a proxy's 502) and opened again later still starts there, so the events stored in between show.
   * With it the latest events stored (`latest`, newest first, each with its feed position as `key`), as CVSecurity's
   * real-time monitoring opens on the last events: a reloaded dashboard was empty until the next event. Read after
   * the position, so an event stored meanwhile is in both (the page drops the stream's copy by its key), never neither.
   */
  @Get('stream-position')
  async position() {
    const lastEventId = await this.stream.positionNow(DASHBOARD_TYPES);
    return ok({ lastEventId, latest: await this.stream.latest(DASHBOARD_TYPES, LATEST_EVENTS) });
  }

  @Get('stream')
  async live(@Req() req: ConsoleRequest, @Res() reply: FastifyReply): Promise<void> {
    await openConsoleStream(req, reply, this.stream, this.sessions, DASHBOARD_TYPES);
  }
}
