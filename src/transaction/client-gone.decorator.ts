import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * True once the client that sent the request closed its connection: nothing answered to it can still arrive.
 * `settled`, where the request has an HTTP answer, calls back once that answer is done with: `delivered` true when
 * all of it left the process (handed to the operating system, which still sends it if the process dies next),
 * false when the connection closed first or the answer failed.
 */
export type ClientGoneCheck = (() => boolean) & { settled?: (then: (delivered: boolean) => void) => void };

export const NEVER_GONE: ClientGoneCheck = () => false;

/**
 * The request's ClientGoneCheck. A monitor poll moves its cursor only if its client may still read the answer: one
 * that gave up waiting (an HTTP timeout while the poll waited for held-back events or read a large batch) polls
 * again and must get the same events, not the ones after them.
 */
export const ClientGone = createParamDecorator((_: unknown, ctx: ExecutionContext): ClientGoneCheck => {
  const http = ctx.switchToHttp();
  const socket = http.getRequest<FastifyRequest>().raw.socket;
  const res = http.getResponse<FastifyReply>().raw;
  const check: ClientGoneCheck = () => socket?.destroyed === true;
  // 'finish': the last byte went to the operating system. writableFinished cannot tell: it reads true once a
  // connection the client reset dropped what was still queued.
  let finished = false;
  res.once('finish', () => (finished = true));
  check.settled = (then) => {
    if (finished) then(true);
    else if (res.destroyed || res.writableEnded) then(false);
    else res.once('close', () => then(finished));
  };
  return check;
});

/** Thrown inside a monitor poll's transaction to roll its cursor move back: the client is gone. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed its connection before the answer');
  }
}

/** The poll's result, or null when it threw ClientGoneError (its transaction rolled back). */
export function nullIfGone<T>(poll: Promise<T>): Promise<T | null> {
  return poll.catch((err: unknown) => {
    if (err instanceof ClientGoneError) return null;
    throw err;
  });
}
