import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';
import { RateLimiter } from '../common/rate-limiter';
import { requestPath } from '../common/request-context';
import { tokenKeysInAnyCase } from '../common/input.decorator';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ApiClientService } from './api-client.service';

/**
 * The places real clients put the token (field notes, REST item 2): the query string, and the `api-key` header;
 * also a form body, whose fields Spring behind the real server reads as request parameters too (a Java
 * integration posts `doorId=8&interval=5&access_token=…` through HttpURLConnection). A parameter's name is
 * matched in any case (`ACCESS_TOKEN`, `Access_Token`: .NET query builders write it so) once the exact names
 * are absent; the token itself is compared as given. Last, the header forms integrators write from published
 * summaries of this API that describe "a Bearer token or API key in the Authorization header": an
 * `Authorization: Bearer <token>` header, the key alone as the whole Authorization header, or the token in an
 * `access_token` header. Any other Authorization scheme (a Basic header some clients send beside the query
 * token) is not a token. And a top-level
 * `access_token` (or `acc_token`, in any case) field of a JSON object body: integrators who send every input of a
 * POST as JSON put the token there too. The real server reads no request parameter from JSON, but refusing a
 * valid token protects nothing, and the token is checked the same way wherever it travels.
 */
export function tokenOf(req: FastifyRequest): string | undefined {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const body = objectBodyOf(req);
  const header = req.headers['api-key'];
  const named = req.headers['access_token'];
  const candidates = [
    q.access_token,
    q.acc_token,
    ...tokenKeysInAnyCase(q).map((k) => q[k]),
    ...(body ? [body.access_token, body.acc_token, ...tokenKeysInAnyCase(body).map((k) => body[k])] : []),
    Array.isArray(header) ? header[0] : header,
    authorizationTokenOf(req.headers.authorization),
    Array.isArray(named) ? named[0] : named,
  ];
  for (const c of candidates) {
    const v = Array.isArray(c) ? c[0] : c;
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}

/**
 * The token of an `Authorization: Bearer <token>` header (scheme in any case) or of one holding the key alone
 * (`Authorization: <token>`, one word); undefined for another scheme's credentials (`Basic …`).
 */
function authorizationTokenOf(header: string | undefined): string | undefined {
  const m = /^\s*(?:bearer\s+)?(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

/**
 * The fields of an object body, whatever it came as: an `application/x-www-form-urlencoded` form (rest-body.ts),
 * the text fields of a `multipart/form-data` one (multipart-body.ts, read before the guard runs), both of which
 * Spring reads as request parameters, or JSON. A bare array or a scalar body carries no token.
 */
function objectBodyOf(req: FastifyRequest): Record<string, unknown> | undefined {
  const body = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

const MAX_TOKEN_LENGTH = 512;

function perMinute(limit: number): RateLimiter | undefined {
  return limit > 0 ? new RateLimiter(limit, limit / 60) : undefined;
}

/**
 * Every /api route needs a valid token; the device side and the docs do not. Also the REST side's abuse
 * limits: requests per address and per client, and wrong-token guesses per address (a missing token is not
 * a guess). Limits are per process.
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  private readonly perIp: RateLimiter | undefined;
  private readonly perClient: RateLimiter | undefined;
  private readonly failures: RateLimiter | undefined;

  constructor(
    private readonly clients: ApiClientService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.perIp = perMinute(config.apiIpRateLimit);
    this.perClient = perMinute(config.apiRateLimit);
    this.failures = perMinute(config.authFailureLimit);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    if (!requestPath(req).startsWith('/api/')) return true;
    const reply = http.getResponse<FastifyReply>();
    const now = Date.now();
    const ip = req.ip ?? 'unknown';
    if (this.perIp && !this.perIp.take(ip, now)) this.tooMany(reply, this.perIp.retryAfter(ip, now), 'Too many requests from this address');
    const token = tokenOf(req);
    if (!token) throw new CvError(CvCode.Unauthorized, 'Authentication required: access_token is missing', 401);
    // An address that used up its guesses is refused any token the gateway has not verified recently, so
    // guessing stops while integrators already working from that address carry on.
    if (this.failures && !this.failures.peek(ip, now) && !this.clients.recentlyVerified(token, now)) {
      this.tooMany(reply, this.failures.retryAfter(ip, now), 'Too many failed authentication attempts from this address');
    }
    const client = token.length <= MAX_TOKEN_LENGTH ? await this.clients.verify(token, now) : undefined;
    if (!client) {
      this.failures?.take(ip, now);
      throw new CvError(CvCode.Unauthorized, 'Authentication failed: access_token is invalid or revoked', 401);
    }
    if (this.perClient && !this.perClient.take(client.id, now)) {
      this.tooMany(reply, this.perClient.retryAfter(client.id, now), 'Too many requests for this API client');
    }
    (req as FastifyRequest & { apiClient?: unknown }).apiClient = client;
    return true;
  }

  private tooMany(reply: FastifyReply, retryAfterSeconds: number, message: string): never {
    reply.header('Retry-After', String(Math.max(1, retryAfterSeconds)));
    throw new CvError(CvCode.RateLimited, `${message}; retry later`, 429);
  }
}
