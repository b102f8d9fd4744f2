import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import { answersRetMsg } from './ret-msg-routes';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { ProtocolValueError } from '../push/protocol/errors';
import { CvCode, CvError } from './cv-error';
import { fail } from './envelope';
import { isDeviceRoute, requestPath } from './request-context';
import { isForeignKeyViolation } from './write-transaction';
import { isDatabaseUnavailable, UNAVAILABLE_MESSAGE, UNAVAILABLE_RETRY_AFTER } from '../database/unavailable';
import { methodsServedAt, missingPathParam, missingPathParamAt } from './route-forms';

interface Mapped {
  status: number;
  code: number;
  message: string;
  /** The methods served at the path, for a 405's Allow header. */
  allow?: string;
  /** Seconds to wait before trying again (Retry-After), and the status a device gets instead of `status`. */
  retry?: { after: string; deviceStatus: number };
}

const HTTP_CODES: Record<number, number> = {
  400: CvCode.InvalidParameter,
  401: CvCode.Unauthorized,
  403: CvCode.Unauthorized,
  404: CvCode.NotFound,
  405: CvCode.MethodNotAllowed,
  409: CvCode.Conflict,
  413: CvCode.PayloadTooLarge,
  415: CvCode.InvalidParameter,
  429: CvCode.RateLimited,
};

function httpMessage(ex: HttpException): string {
  const r = ex.getResponse();
  if (typeof r === 'string') return r;
  const m = (r as { message?: unknown }).message;
  if (Array.isArray(m)) return m.join('; ');
  return typeof m === 'string' ? m : ex.message;
}

/**
 * The SQLSTATE of a database error: wrapped by TypeORM (QueryFailedError), or raw from pg where a write runs on a
 * client of its own (group commits, the person write path), which carries the same code and a severity.
 */
function databaseErrorCode(err: unknown): string | undefined {
  if (err instanceof QueryFailedError) return (err as QueryFailedError & { code?: string }).code ?? '';
  const e = err as { code?: unknown; severity?: unknown } | null;
  if (e && typeof e === 'object' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string') return e.code;
  return undefined;
}

/** Maps any failure to status + envelope code; returns undefined for the unexpected ones. */
export function mapError(err: unknown): Mapped | undefined {
  if (err instanceof CvError) return { status: err.httpStatus, code: err.code, message: err.message };
  // A value a device command cannot carry (TAB, CR, LF, NUL) that no DTO refused first: the write rolls back
  // with its commands, and the client is told which field, never a 5xx.
  if (err instanceof ProtocolValueError) {
    return { status: 200, code: CvCode.InvalidParameter, message: `A value cannot be sent to the devices: ${err.field} ${err.reason}` };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    if (status >= 500) return undefined;
    return { status, code: HTTP_CODES[status] ?? CvCode.InvalidParameter, message: httpMessage(err) };
  }
  // The database restarting, unreachable, cutting our connection or cancelling a statement: the same call succeeds
  // once it is back. An integrator gets the envelope (HTTP 200, as CVSecurity answers failures), a device a 503 with
  // Retry-After; neither is a program error.
  if (isDatabaseUnavailable(err)) {
    return { status: 200, code: CvCode.Unavailable, message: UNAVAILABLE_MESSAGE, retry: { after: UNAVAILABLE_RETRY_AFTER, deviceStatus: 503 } };
  }
  const pgCode = databaseErrorCode(err);
  if (pgCode !== undefined) {
    if (pgCode === '23505') return { status: 200, code: CvCode.Conflict, message: 'The record already exists' };
    if (isForeignKeyViolation(err)) return { status: 200, code: CvCode.Conflict, message: 'The record is referenced by other records' };
    if (pgCode === '22001') return { status: 200, code: CvCode.InvalidParameter, message: 'A value is too long' };
    if (pgCode === '23502') return { status: 200, code: CvCode.InvalidParameter, message: 'A required value is missing' };
    // A NUL character or bytes the database encoding cannot hold, in any text input.
    if (pgCode === '22021' || pgCode === '22P05') return { status: 200, code: CvCode.InvalidParameter, message: 'A value contains a character that cannot be stored' };
    if (pgCode === '22P02' || pgCode === '22003' || pgCode === '22007' || pgCode === '22008') {
      return { status: 200, code: CvCode.InvalidParameter, message: 'A value has the wrong format' };
    }
    return undefined;
  }
  const fastifyErr = err as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyErr?.statusCode === 'number' && fastifyErr.statusCode >= 400 && fastifyErr.statusCode < 500) {
    const status = fastifyErr.statusCode;
    const message =
      fastifyErr.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'Request body is too large'
        : fastifyErr.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'A path parameter is too long'
          : fastifyErr.code === 'FST_ERR_BAD_URL'
            ? 'The URL is malformed'
        : fastifyErr.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyErr.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError
          ? 'Request body is not valid JSON'
          : (fastifyErr.message ?? 'Bad request');
    return { status, code: HTTP_CODES[status] ?? CvCode.InvalidParameter, message };
  }
  return undefined;
}

/**
 * The single place where failures become answers: the CVSecurity envelope on /api, plain text on the
 * device routes (firmware cannot parse JSON). Unexpected errors are logged with the request id and
 * answered without internals.
 */
@Catch()
export class CvExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Error');

  catch(err: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    sendError(err, req, reply, this.logger);
  }
}

export function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply, logger: Pick<Logger, 'error' | 'warn'>): void {
  const mapped = wrongMethod(err, req) ?? mappedOrLogged(missingParam(err, req) ?? err, req, logger);
  if (reply.sent) return;
  if (mapped.allow) reply.header('allow', mapped.allow);
  if (mapped.retry) reply.header('retry-after', mapped.retry.after);
  if (isDeviceRoute(req)) {
    const a = deviceAnswer(mapped);
    reply.status(a.status).type('text/plain').send(a.body);
    return;
  }
  const body = answersRetMsg(requestPath(req)) ? { ret: 'fail', msg: mapped.message, data: null, i18nArgs: null } : fail(mapped.code, mapped.message);
  reply.status(mapped.status).type('application/json; charset=utf-8').send(body);
}

/** A failed device request's answer (for the raw fast path, device-fast-path.ts, which has no Fastify reply). */
export function deviceErrorAnswer(err: unknown, req: FailedRequest, logger: Pick<Logger, 'error' | 'warn'>): { status: number; body: string; retryAfter?: string } {
  const mapped = mappedOrLogged(err, req, logger);
  return { ...deviceAnswer(mapped), retryAfter: mapped.retry?.after };
}

/**
 * A request no route took although its path is served under another method (a GET to a POST endpoint): -405
 * naming the methods to use, not "no such endpoint", which would send the integrator looking for a wrong path.
 */
/** A request that reached an endpoint but left its path parameter out (route-forms.ts, missingPathParam): no -404. */
function missingParam(err: unknown, req: FastifyRequest): CvError | undefined {
  if (!(err instanceof NotFoundException) || !req.server || !requestPath(req).startsWith('/api/')) return undefined;
  const missing = missingPathParamAt(req.server, req.method, req.url);
  return missing === undefined ? undefined : missingPathParam(missing.name, missing.answer);
}

function wrongMethod(err: unknown, req: FastifyRequest): Mapped | undefined {
  if (!(err instanceof NotFoundException) || !req.server || !requestPath(req).startsWith('/api/')) return undefined;
  const served = methodsServedAt(req.server, req.url).filter((m) => m !== 'HEAD');
  if (served.length === 0 || served.includes(req.method)) return undefined;
  return {
    status: HttpStatus.METHOD_NOT_ALLOWED,
    code: CvCode.MethodNotAllowed,
    message: `${req.method} is not served at ${requestPath(req)}: use ${served.join(' or ')}`,
    allow: served.join(', '),
  };
}

interface FailedRequest {
  id: string;
  method: string;
  url: string;
}

function mappedOrLogged(err: unknown, req: FailedRequest, logger: Pick<Logger, 'error' | 'warn'>): Mapped {
  const mapped = mapError(err);
  if (mapped?.status === 404 && err instanceof NotFoundException) {
    // Nest's text repeats the URL, token included; name the path only.
    mapped.message = `No such endpoint: ${req.method} ${requestPath(req)}`;
  }
  if (mapped?.retry && unavailableWarnings.take(Date.now())) {
    logger.warn(`request ${req.id}: ${(err as Error)?.message ?? String(err)}: answered "${mapped.message}"${unavailableWarnings.suppressed()}`);
  }
  if (mapped) return mapped;
  logger.error(`request ${req.id} failed: ${(err as Error)?.stack ?? String(err)}`);
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: CvCode.ProgramError, message: `Program error (request id ${req.id})` };
}

/**
 * One warning per second while the database is away (every request fails alike: a line each would flood the log),
 * with the count of the requests answered so since the last one.
 */
const unavailableWarnings = (() => {
  let last = 0;
  let quiet = 0;
  return {
    take(now: number): boolean {
      if (now - last < 1000) {
        quiet++;
        return false;
      }
      last = now;
      return true;
    },
    suppressed(): string {
      const n = quiet;
      quiet = 0;
      return n > 0 ? ` (and ${n} more since the last such line)` : '';
    },
  };
})();

/** Devices retry on anything but 200 OK; a 5xx here only makes them resend, so say so in text. */
function deviceAnswer(mapped: Mapped): { status: number; body: string } {
  return { status: mapped.retry?.deviceStatus ?? (mapped.status === 200 ? 400 : mapped.status), body: `ERROR: ${mapped.message}` };
}
