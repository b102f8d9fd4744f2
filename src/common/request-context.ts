import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';

/** The request being served, for log lines written anywhere below its handler. */
export const requestContext = new AsyncLocalStorage<{ reqId: string }>();

/** The id of the request being served (the `x-request-id` answered), if any. */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.reqId;
}

/** The part of a request that routes and filters look at. */
export function requestPath(req: Pick<FastifyRequest, 'url'>): string {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
}

export function isDeviceRoute(req: Pick<FastifyRequest, 'url'>): boolean {
  return requestPath(req).toLowerCase().startsWith('/iclock');
}
