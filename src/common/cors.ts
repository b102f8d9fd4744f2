import type { FastifyInstance } from 'fastify';
import { requestPath } from './request-context';

/**
 * Cross-origin calls to /api from browser pages (a visitor kiosk page, an HR portal's front end). The API's
 * credential is the token the page sends itself (access_token, api-key, Authorization: Bearer), never a
 * cookie, so any origin may read the answers, exactly as a server-side client could: `*`, and no
 * Allow-Credentials (the console's cookie session is under /console and gets none of this).
 *
 * A preflight (OPTIONS with Access-Control-Request-Method) is answered here, 204, before routing, the token
 * check or the rate limits: browsers send it without the page's token.
 */
const CORS_ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const PREFLIGHT_MAX_AGE_SECONDS = '600';
/** Headers a page may read beside the CORS-safelisted ones. */
const EXPOSED = 'x-request-id, retry-after, content-disposition';
/** A requested header list as browsers send it: header names, comma separated. Anything else is not echoed. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

export function registerApiCors(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    if (req.headers.origin === undefined || !requestPath(req).startsWith('/api/')) return done();
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', EXPOSED);
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return done();
    const requested = req.headers['access-control-request-headers'];
    reply.header('access-control-allow-methods', CORS_ALLOW_METHODS);
    if (typeof requested === 'string' && HEADER_LIST.test(requested.trim())) reply.header('access-control-allow-headers', requested.trim());
    reply.header('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
    reply.code(204).send();
  });
}
