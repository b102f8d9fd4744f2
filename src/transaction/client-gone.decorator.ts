import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** True once the client that sent the request closed its connection: nothing answered to it can still arrive. */
export type ClientGoneCheck = () => boolean;

export const NEVER_GONE: ClientGoneCheck = () => false;

/**
 * The request's ClientGoneCheck. A monitor poll moves its cursor only if its client may still read the answer: one
 * that gave up waiting (an HTTP timeout while the poll waited for held-back events or read a large batch) polls
 * again and must get the same events, not the ones after them.
 */
export const ClientGone = createParamDecorator((_: unknown, ctx: ExecutionContext): ClientGoneCheck => {
  const socket = ctx.switchToHttp().getRequest<FastifyRequest>().raw.socket;
  return () => socket?.destroyed === true;
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
