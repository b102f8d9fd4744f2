import type { FastifyRequest } from 'fastify';

/** The part of a request that routes and filters look at. */
export function requestPath(req: Pick<FastifyRequest, 'url'>): string {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
}

export function isDeviceRoute(req: Pick<FastifyRequest, 'url'>): boolean {
  return requestPath(req).toLowerCase().startsWith('/iclock');
}
