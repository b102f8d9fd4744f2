import type { Logger } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AccessLog } from '../common/access-log';
import { deviceErrorAnswer } from '../common/exception.filter';
import { deviceBodyText, deviceReply } from './device-body';
import { requestContext } from '../common/request-context';
import type { DeviceGuardService, GuardedRequest, Refusal } from './device-guard.service';
import { deviceQuery, httpDateNow, rawQueryOf, setDeviceQuery } from './device-request';
import type { DeviceStatusService } from './device-status.service';
import { IDLE, type GetrequestRoute, type PollAnswer, type PollRequest } from './getrequest.route';
import { classifyCdataQuery, parseQuery, type KvMap } from './protocol';
import { realtimeRefusal, type RealtimeUploadService } from './realtime-upload.service';
import type { IngestSummary } from './rtlog-ingest.service';

/**
 * The device side's two hot requests, served straight from node:http, before Fastify and Nest see them:
 *
 * - `GET /iclock/getrequest?SN=…` (the poll every device sends every few seconds, all day);
 * - `POST /iclock/cdata?SN=…&table=rtlog` (or `rtstate`) with a small body (one event the moment it happens).
 *
 * Per request, Fastify builds a request and a reply object, routes, runs the hooks of every plugin (request
 * id, context, guard, multipart, the oversize drain's async onSend, the access log) and Nest adds its
 * router, pipes and filter: for an idle poll that is most of the work. Here the same code decides (the
 * DeviceGuardService's check: query length, comm key, SN conflicts, upload rate limit; the GetrequestRoute's
 * answer; the RealtimeUploadService that the IclockController also calls), the answer carries the same
 * headers (plain text, `Date`, `x-request-id`), errors become the same device text (deviceErrorAnswer), and
 * the AccessLog counts it in the same metrics. Anything else, or anything unusual about one of these
 * (a POST poll, a chunked or large body, a missing SN, a closing server), goes to Fastify as before.
 *
 * Not installed when TRUST_PROXY is set: the client address would then come from X-Forwarded-For, which
 * Fastify computes (proxy-addr) and the SN conflict guard needs.
 */

/** Bodies up to this size (Content-Length) are read here; larger ones (catch-up uploads) go through Fastify. */
export const FAST_UPLOAD_MAX_BYTES = 64 * 1024;

const POLL_PATHS = ['/iclock/getrequest?', '/iclock/getrequest.aspx?'];
const UPLOAD_PATHS = ['/iclock/cdata?', '/iclock/cdata.aspx?'];
const SN_PATTERN = /^[\x21-\x7e]{1,64}$/;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface DeviceFastPathDeps {
  guard: DeviceGuardService;
  poll: GetrequestRoute;
  realtime: RealtimeUploadService;
  status: DeviceStatusService;
  access: AccessLog;
  logger: Pick<Logger, 'error' | 'warn'>;
  /** The same request id rule as Fastify's genReqId (the caller's `x-request-id` when usable). */
  requestId(headers: IncomingHttpHeaders): string;
}

/**
 * One request as the fast path sees it, whatever carries it: node:http's request and response (nodeExchange), or
 * the raw socket front (raw-device-front.ts), which parses the commonest device requests itself.
 */
export interface FastExchange {
  readonly url: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly ip: string | undefined;
  /**
   * The whole body (the fast path only takes a Content-Length body): the bytes themselves when they are in hand
   * already (the raw front reads the whole request first), else a promise that rejects when the device went away
   * mid-body.
   */
  body(length: number): Buffer | Promise<Buffer>;
  /** False once an answer was sent or the connection is gone. */
  canSend(): boolean;
  send(status: number, headers: Record<string, string | number>, payload: string | Buffer): void;
  /** Drops the connection: nobody to answer. */
  drop(): void;
}

/** The fast path's view of a request: what the guard, the poll and the access log read. */
interface FastRequest extends GuardedRequest, PollRequest {
  x: FastExchange;
  started: number;
  /** The request's SN (usable: the fast path takes no other). */
  sn: string;
}

const startsWithAny = (url: string, prefixes: string[]) => {
  for (const p of prefixes) if (url.startsWith(p)) return true;
  return false;
};

export class DeviceFastPath {
  private closing = false;

  constructor(private readonly d: DeviceFastPathDeps) {}

  /**
   * Puts the fast path in front of the server's request listener (Fastify's). Returns false, installing
   * nothing, when the server does not have exactly one.
   */
  install(server: Server): boolean {
    const listeners = server.listeners('request') as RequestListener[];
    if (listeners.length !== 1) return false;
    const fallback = listeners[0];
    server.removeListener('request', fallback);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.closing || !this.serve(nodeExchange(req, res))) fallback.call(server, req, res);
    });
    return true;
  }

  /** From now on everything goes to Fastify (which answers 503 while it closes). */
  close(): void {
    this.closing = true;
  }

  /** True while the fast path takes requests (false once the server closes). */
  get open(): boolean {
    return !this.closing;
  }

  /** True when the request is (being) answered here; false, having done nothing, when it is the framework's. */
  serve(x: FastExchange): boolean {
    const url = x.url;
    const method = x.method;
    const headers = x.headers;
    let upload: { kind: 'rtlog' | 'rtstate'; table: string | null | undefined; length: number } | undefined;
    let query: KvMap | undefined;
    if (method === 'GET') {
      if (!startsWithAny(url, POLL_PATHS) || headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return false;
    } else if (method === 'POST') {
      // The body is read raw whatever its declared type (field notes, Devices 2), as the controller reads it.
      // A compressed body is Fastify's to decompress (content-encoding.ts).
      if (!startsWithAny(url, UPLOAD_PATHS) || headers['transfer-encoding'] !== undefined || headers['content-encoding'] !== undefined) return false;
      const length = Number(headers['content-length']);
      if (!(length > 0 && length <= FAST_UPLOAD_MAX_BYTES)) return false;
      // The query as parsed once: its kind and table name read from it, not an UploadQuery's eight fields.
      query = parseQuery(rawQueryOf({ url }));
      const kind = classifyCdataQuery(query);
      if (kind !== 'rtlog' && kind !== 'rtstate') return false;
      upload = { kind, table: query.text('tablename') ?? query.text('table'), length };
    } else return false;
    query ??= parseQuery(rawQueryOf({ url }));
    // Without a usable SN the controller's rules apply (answered `OK`, nothing recorded): Fastify's way.
    const sn = query.text('SN');
    if (!sn || !SN_PATTERN.test(sn)) return false;
    const req: FastRequest = { x, url, method, ip: x.ip, headers, id: this.d.requestId(headers), started: performance.now(), sn };
    setDeviceQuery(req, query);
    try {
      const verdict = this.d.guard.check(req);
      if (verdict === null) this.go(req, upload);
      else if (!(verdict instanceof Promise)) this.refuse(req, verdict);
      else verdict.then((r) => (r === null ? this.go(req, upload) : this.refuse(req, r)), (err) => this.fail(req, err));
    } catch (err) {
      this.fail(req, err);
    }
    return true;
  }

  /** The request once the guard let it through. */
  private go(req: FastRequest, upload: { kind: 'rtlog' | 'rtstate'; table: string | null | undefined; length: number } | undefined): void {
    if (upload) this.upload(req, req.sn, upload);
    else this.poll(req);
  }

  private poll(req: FastRequest): void {
    const a = this.d.poll.answer(req);
    if (a === IDLE) {
      this.send(req, a);
      this.d.access.idlePoll(req, a.status, performance.now() - req.started);
      return;
    }
    if (!(a instanceof Promise)) return this.answered(req, a, '/iclock/getrequest');
    a.then((x) => this.answered(req, x, '/iclock/getrequest'), (err) => this.fail(req, err));
  }

  private upload(req: FastRequest, sn: string, u: { kind: 'rtlog' | 'rtstate'; table: string | null | undefined; length: number }): void {
    this.d.status.touch(sn);
    const body = req.x.body(u.length);
    // The raw front has the body in hand: stored at once, without a promise for the body.
    if (!(body instanceof Promise)) return this.store(req, sn, u, body);
    body.then(
      (b) => this.store(req, sn, u, b),
      // The device went away mid-body: nothing was stored, nobody to answer.
      () => req.x.drop(),
    );
  }

  /** Hands the upload to the ingest and answers once its rows are committed: one promise per upload. */
  private store(req: FastRequest, sn: string, u: { kind: 'rtlog' | 'rtstate'; table: string | null | undefined }, body: Buffer): void {
    let stored: Promise<IngestSummary>;
    try {
      stored = requestContext.run({ reqId: req.id }, () => this.d.realtime.receive(sn, u.kind, u.table, deviceBodyText(body, req.headers['content-type'])));
    } catch (err) {
      return this.fail(req, err);
    }
    stored.then(
      (summary) => {
        const refusal = realtimeRefusal(sn, summary);
        this.answered(req, refusal === null ? OK_ANSWER : { status: 200, body: refusal }, '/iclock/cdata');
      },
      (err) => this.fail(req, err),
    );
  }

  private refuse(req: FastRequest, r: Refusal): void {
    const headers: Record<string, string> = {};
    if (r.retryAfter) headers['Retry-After'] = r.retryAfter;
    this.answered(req, r, req.url.startsWith('/iclock/getrequest') ? '/iclock/getrequest' : '/iclock/cdata', headers);
  }

  private fail(req: FastRequest, err: unknown): void {
    if (!req.x.canSend()) return;
    const a = requestContext.run({ reqId: req.id }, () => deviceErrorAnswer(err, req, this.d.logger));
    this.answered(req, a, req.url.startsWith('/iclock/getrequest') ? '/iclock/getrequest' : '/iclock/cdata', a.retryAfter ? { 'Retry-After': a.retryAfter } : undefined);
  }

  private answered(req: FastRequest, a: PollAnswer, route: string, extra?: Record<string, string>): void {
    this.send(req, a, extra);
    this.d.access.request(req, route, a.status, performance.now() - req.started);
  }

  /** The answer in the device's encoding: UTF-8, GBK for a terminal set to Chinese, or an older terminal's code page (deviceReply). */
  private send(req: FastRequest, a: PollAnswer, extra?: Record<string, string>): void {
    if (!req.x.canSend()) return;
    const r = deviceReply(a.body, this.d.poll.replyText(req.sn));
    const length = Buffer.byteLength(r.payload);
    req.x.send(
      a.status,
      extra === undefined
        ? { 'x-request-id': req.id, 'Content-Type': r.contentType, Date: httpDateNow(), 'Content-Length': length }
        : { ...extra, 'x-request-id': req.id, 'Content-Type': r.contentType, Date: httpDateNow(), 'Content-Length': length },
      r.payload,
    );
  }
}

/** node:http's request and response as a FastExchange. */
export function nodeExchange(raw: IncomingMessage, res: ServerResponse): FastExchange {
  return {
    url: raw.url ?? '',
    method: raw.method ?? '',
    headers: raw.headers,
    ip: raw.socket.remoteAddress,
    body: (length) => readBody(raw, length),
    canSend: () => !res.headersSent && !res.destroyed,
    send(status, headers, payload) {
      res.writeHead(status, headers);
      res.end(payload);
    },
    drop: () => res.destroy(),
  };
}

const OK_ANSWER: PollAnswer = Object.freeze({ status: 200, body: 'OK' });

/** The whole body (at most `length` bytes: node's parser ends the stream at Content-Length). */
function readBody(raw: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    raw.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen <= length) chunks.push(c);
    });
    raw.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    raw.once('error', reject);
    raw.once('aborted', () => reject(new Error('request aborted')));
  });
}
