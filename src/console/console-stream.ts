import type { FastifyReply } from 'fastify';
import { lastEventIdOf, openEventStream } from '../liveStream/live-stream.controller';
import type { LiveStreamService, StreamEventType } from '../liveStream/live-stream.service';
import type { ConsoleRequest } from './console-cookie';
import type { ConsoleSessionService } from './session.service';

const SESSION_CHECK_MS = 30_000;

/**
 * A console page's live stream (the SSE stream of /api/gateway/stream behind the session cookie, without a token in
 * the URL), limited to the event types the page shows.
 */
export async function openConsoleStream(req: ConsoleRequest, reply: FastifyReply, stream: LiveStreamService, sessions: ConsoleSessionService, types: Set<StreamEventType>): Promise<void> {
  await openEventStream(req, reply, stream, types, lastEventIdOf(req));
  // A stream outlives the request that opened it: end it once the session ends (sign-out, expiry, operator
  // disabled). Reading it does not count as activity, so an open page alone does not keep a session alive.
  const check = setInterval(async () => {
    const alive = await sessions.isAlive(req.consoleSessionId).catch(() => true);
    if (!alive) reply.raw.end();
  }, SESSION_CHECK_MS);
  check.unref();
  reply.raw.on('close', () => clearInterval(check));
}
