import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';
import { LiveStreamService, type StreamEventType } from './live-stream.service';

const TYPES: StreamEventType[] = ['transaction', 'doorState', 'punch', 'moduleTransaction'];
const HEARTBEAT_MS = 15_000;

/** Hijacks the reply into a Server-Sent Events stream fed by the live stream service (also used by the operator console). */
export async function openEventStream(req: FastifyRequest, reply: FastifyReply, stream: LiveStreamService, types: Set<StreamEventType>, lastEventId: string | undefined): Promise<void> {
  reply.hijack();
  const raw = reply.raw;
  // The stream is answered once the client's position in the feeds is read (in subscribe): a client that saw it open
  // then gets every event stored after that, none stored in between taken for already behind it.
  let answered = false;
  const answer = () => {
    if (answered) return;
    answered = true;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 3000\n\n');
  };
  let closed = false;
  const sink = {
    send: (event: StreamEventType, data: unknown, id?: string) => {
      if (closed) return;
      answer();
      raw.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close: () => {
      answer();
      if (!closed) raw.end();
      closed = true;
    },
  };
  let unsubscribe: () => void;
  try {
    unsubscribe = await stream.subscribe(sink, types, lastEventId);
  } finally {
    answer();
  }
  const heartbeat = setInterval(() => !closed && raw.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const done = () => {
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.raw.on('close', done);
  raw.on('close', done);
}

/**
 * Where a client resumes: the Last-Event-ID header the browser sends when it reconnects by itself, else a
 * `lastEventId` query value (a client that opens a new EventSource itself cannot set the header).
 */
export function lastEventIdOf(req: FastifyRequest): string | undefined {
  const q = (req.query ?? {}) as Record<string, unknown>;
  return (req.headers['last-event-id'] as string | undefined) ?? (typeof q.lastEventId === 'string' ? q.lastEventId : undefined);
}

/** Gateway extension: Server-Sent Events for dashboards (EventSource: `/api/gateway/stream?access_token=...`). */
@ApiTags('Gateway extensions')
@Controller('api/gateway/stream')
export class LiveStreamController {
  constructor(private readonly stream: LiveStreamService) {}

  @Get()
  @ApiOperation({
    summary:
      'Live stream (SSE): `transaction` events (v2 transaction items with module "acc", id t:<xid>:<id> for Last-Event-ID resume), `doorState` events, and `punch` events (attendance punches: the listAttTransaction item with module "att", id p:<xid>:<id>) and `moduleTransaction` events (elevator and entrance-control events: the eleTransaction or psgTransaction list item with module "ele" or "psg", id m:<xid>:<id>); each id is followed by the client\'s position in the other feeds it asked for (t:<xid>:<id>,p:<xid>:<id>,m:<xid>:<id>), so a Last-Event-ID of any type resumes every feed',
  })
  @ApiQuery({ name: 'types', required: false, example: 'transaction,doorState,punch,moduleTransaction', description: 'event types to receive (default all four)' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream' })
  async open(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const wanted = typeof q.types === 'string' && q.types.trim() ? q.types.split(',').map((s) => s.trim()) : TYPES;
    const bad = wanted.filter((t) => !TYPES.includes(t as StreamEventType));
    if (bad.length) throw new CvError(CvCode.InvalidParameter, `types: unknown event type ${bad.join(', ')} (${TYPES.join(', ')})`);
    await openEventStream(req, reply, this.stream, new Set(wanted as StreamEventType[]), lastEventIdOf(req));
  }
}
