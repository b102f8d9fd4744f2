import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { ApiClientService } from './apiClient/api-client.service';
import { AppModule, type DatabaseTarget } from './app.module';
import { answerClientError } from './common/client-error';
import { registerApiCors } from './common/cors';
import { registerContentDecoding } from './common/content-encoding';
import { acceptRawUrlBytes } from './common/raw-url-bytes';
import { createRootLogger, NestPinoLogger } from './common/logger';
import { drainBody } from './common/drain-body';
import { sendError } from './common/exception.filter';
import { AccessLog } from './common/access-log';
import { collapseApiSlashes, fixPrintedQuery, stripSessionId } from './common/printed-url';
import { collapseDoubledIclock } from './push/doubled-iclock';
import multipart from '@fastify/multipart';
import { isDeviceRoute, requestContext, requestPath } from './common/request-context';
import { isIdlePoll } from './push/device-request';
import { DeviceFastPath } from './push/device-fast-path';
import { installRawDeviceFront } from './push/raw-device-front';
import { DeviceGuardService } from './push/device-guard.service';
import { DeviceStatusService } from './push/device-status.service';
import { WorkSignalService } from './push/work-signal.service';
import { GetrequestRoute } from './push/getrequest.route';
import { RealtimeUploadService } from './push/realtime-upload.service';
import { addReadMethodTwins } from './common/read-forms';
import { RouteForms } from './common/route-forms';
import { declaredCharset, namesNoMediaType, parseDeclaredJson, parseLooseRestBody, restBodyText } from './common/rest-body';
import { registerMultipartFormBody } from './common/multipart-body';
import { registerGetBody } from './common/get-body';
import { cvValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { migrateDatabase, openDatabase, stopPoint, type DatabaseHandle } from './database/database';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { buildOpenApiDocument, setupSwagger } from './swagger';
import packageJson from '../package.json';

export const BODY_LIMIT = 10 * 1024 * 1024;
/** How much of a refused oversize body is read and discarded so that the client can read the 413 (drain-body.ts). */
const OVERSIZE_DRAIN_LIMIT = 128 * 1024 * 1024;
const VERSION: string = packageJson.version;

/**
 * Device bodies come as application/push, text/plain or nothing at all, and now and then under a type that names
 * another parser (application/json, multipart/form-data): a device body is read raw whatever its type (field
 * notes, Devices 2), so under /iclock those types are read as the catch-all's octet stream, charset kept.
 * JSON clients send empty or `null` bodies.
 */
function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, _reply, done) => {
    const type = req.headers['content-type'];
    if (type !== undefined && OTHER_PARSER.test(type) && isDeviceRoute(req)) {
      const charset = declaredCharset(type);
      req.headers['content-type'] = charset === null ? 'application/octet-stream' : `application/octet-stream;charset=${charset}`;
    } else if (type !== undefined && namesNoMediaType(type) && requestPath(req).startsWith('/api/')) {
      const charset = declaredCharset(type);
      if (charset === null) delete req.headers['content-type'];
      else req.headers['content-type'] = `application/octet-stream;charset=${charset}`;
    }
    done();
  });
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (req, body, done) => {
    let parsed: unknown;
    try {
      parsed = parseDeclaredJson(restBodyText(body as Buffer, req.headers['content-type']).trim(), req.headers['content-type']);
    } catch (err) {
      return done(err as Error, undefined);
    }
    done(null, parsed);
  });
  // Devices: the raw text, whatever the type. REST: form bodies and mislabelled JSON become objects (rest-body.ts);
  // that includes `text/plain`, which .NET's StringContent and some Java clients send JSON as (Fastify's own
  // text/plain parser would hand the DTO a string).
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (req, body, done) => {
    const raw = body as Buffer;
    if (requestPath(req).startsWith('/api/')) {
      try {
        return done(null, parseLooseRestBody(restBodyText(raw, req.headers['content-type']), req.headers['content-type']));
      } catch (err) {
        return done(err as Error, undefined);
      }
    }
    // Device bodies stay bytes: the iclock controller decodes them (device-body.ts), or reads a photo byte for byte.
    done(null, isDeviceRoute(req) ? raw : raw.toString('utf8'));
  });
}

/** Content types that have a parser of their own (JSON, multipart): never a device body's. */
const OTHER_PARSER = /json|multipart/i;

/** A refusal of an oversize body waits until the client has sent it (up to a cap), so that it can be read. */
function registerOversizeDrain(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode === 413 && !req.raw.complete) await drainBody(req.raw, OVERSIZE_DRAIN_LIMIT, 30_000);
    return payload;
  });
}

/**
 * Every answer carries its request id (`x-request-id`: the caller's own when it sent a usable one), and
 * every log line written while a request is served carries it too (the context is entered again after the
 * body is read, since body parsing runs outside the request's async context).
 */
function registerRequestContext(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    // The poll enters the context itself, and only when it has work to do (GetrequestRoute).
    if (isPoll(req)) return done();
    requestContext.run({ reqId: req.id }, done);
  });
  fastify.addHook('preHandler', (req, _reply, done) => {
    if (isPoll(req) || requestContext.getStore()?.reqId === req.id) return done();
    requestContext.run({ reqId: req.id }, done);
  });
}

const isPoll = (req: FastifyRequest) => req.url.startsWith('/iclock/getrequest');

function registerAccessLog(fastify: FastifyInstance, access: AccessLog): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    if (isIdlePoll(req)) access.idlePoll(req, reply.statusCode, reply.elapsedTime);
    else access.request(req, req.routeOptions?.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
    done();
  });
}

/** The request id of an answer: the caller's own `x-request-id` when it is usable, else a new one. */
function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
}

/**
 * The idle poll and the one-event upload served from node:http (device-fast-path.ts), with the same guard,
 * answer code and metrics as the Fastify routes. Not behind a trusted proxy (the client address is Fastify's).
 */
function installDeviceFastPath(app: NestFastifyApplication, fastify: FastifyInstance, config: AppConfig, access: AccessLog): DeviceFastPath | null {
  if (config.trustProxy !== false) return null;
  const fast = new DeviceFastPath({
    guard: app.get(DeviceGuardService),
    poll: app.get(GetrequestRoute),
    realtime: app.get(RealtimeUploadService),
    status: app.get(DeviceStatusService),
    access,
    logger: new Logger('Error'),
    requestId: requestIdOf,
  });
  if (!fast.install(fastify.server)) return null;
  fastify.addHook('preClose', (done) => {
    fast.close();
    done();
  });
  return fast;
}

/**
 * What serves devices' requests stops once the HTTP server has closed and before the DataSource does. Nest's close
 * runs the modules' hooks around the server's close: onModuleDestroy and beforeApplicationShutdown while it still
 * serves (devices poll, REST writes commit), onApplicationShutdown after TypeORM's (a global module) has closed the
 * pool. Fastify's onClose hooks run after its own, which closes the server and waits for the requests in flight: so
 * the last polls' contacts are written, and the work signal's LISTEN connection ends before the pool.
 */
function stopDeviceSideAfterServer(app: NestFastifyApplication, fastify: FastifyInstance): void {
  fastify.addHook('onClose', async () => {
    await app.get(DeviceStatusService).stop();
    await app.get(WorkSignalService).stop();
  });
}

export interface CreateAppOptions {
  /** Build the module graph without instantiating providers (no database): enough for the OpenAPI document. */
  preview?: boolean;
  logger?: PinoLogger;
  /** Pool size when DATABASE_URL is set (tests on an embedded database reached by URL pass 1). */
  poolSize?: number;
  /**
   * false: no raw device front (raw-device-front.ts), so every device request goes through node:http's parser, as
   * before the front existed. Only for tests that compare what devices get both ways; the product always has it.
   */
  rawDeviceFront?: boolean;
  /**
   * createGateway: aborted (with a StartStoppedError) when the gateway is asked to stop while it starts; the start
   * then ends at its next safe point with that error, the database closed and nothing half-done kept.
   */
  signal?: AbortSignal;
}

export async function createApp(config: AppConfig, db: DatabaseTarget, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const log = options.logger ?? createRootLogger(config.logLevel);
  const frameworkLog = new Logger('Error');
  const routeForms = new RouteForms();
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    // 2.6's printed URLs put `&access_token=` straight after the path (printed-url.ts); then path and query
    // parameters are interchangeable (route-forms.ts): a URL no route matches as sent is routed in the form
    // another route takes. A doubled device prefix (`/iclock/iclock/cdata`) is the device path (doubled-iclock.ts),
    // and doubled slashes in an /api path are one, a `;jsessionid=` path parameter is none (printed-url.ts).
    rewriteUrl: (req: IncomingMessage) =>
      routeForms.rewriteUrl(Object.assign(req, { url: collapseDoubledIclock(fixPrintedQuery(stripSessionId(collapseApiSlashes(req.url ?? '/')))) })),
    // Behind a load balancer or reverse proxy the client address comes from X-Forwarded-For (TRUST_PROXY).
    trustProxy: config.trustProxy as boolean | string[], // a hop count works too (proxy-addr)
    genReqId: (req: { headers: IncomingHttpHeaders }) => requestIdOf(req.headers),
    // Devices post keys with mixed case and `~`; never let Fastify reject a query string.
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: true },
    // The router itself refuses a malformed URL (400) or a path parameter over 100 characters (414) before
    // any hook or filter runs: answer those the same way as every other failure (envelope or device text).
    // node's parser refuses some requests before the router (client-error.ts): the same formats again.
    clientErrorHandler: answerClientError,
    // A request without a Host header (HTTP/1.0 firmware, some HTTP/1.1 ones) is served, not refused with
    // node's bare 400 before any log line: the device side never needs the host.
    http: { requireHostHeader: false },
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      reply.header('x-request-id', request.id);
      sendError(error, request, reply, frameworkLog);
    },
  });
  const metrics = new GatewayMetrics();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, db, metrics), adapter, {
    logger: new NestPinoLogger(log),
    preview: options.preview,
    // Our own parsers below: Nest's JSON parser refuses the empty and `null` bodies real clients send.
    bodyParser: false,
    abortOnError: false,
  });
  // Reads under the other method too (read-forms.ts): before the routes are registered and read by route-forms.
  addReadMethodTwins(app);
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  routeForms.attach(app, fastify);
  registerContentDecoding(fastify);
  registerBodyParsers(fastify);
  registerOversizeDrain(fastify);
  // adMedia/add (2.6.1) is a multipart form; one file, bounded by MEDIA_MAX_BYTES.
  await app.register(multipart as never, { limits: { fileSize: config.mediaMaxBytes, files: 1, fields: 20, parts: 25 } });
  // Every other /api route reads a multipart form's text fields as its body (PHP and .NET form posts).
  registerMultipartFormBody(fastify, BODY_LIMIT);
  // A read's inputs sent as a GET body are read as a POST's (get-body.ts).
  registerGetBody(fastify, BODY_LIMIT);
  registerRequestContext(fastify);
  // Browser pages of other origins may call /api with their token (cors.ts).
  registerApiCors(fastify);
  // Path parameters a client sent in the JSON body (route-forms.ts), once the body is parsed.
  fastify.addHook('preHandler', routeForms.fillPathFromBody);
  const access = new AccessLog(log, metrics);
  registerAccessLog(fastify, access);
  if (!options.preview) {
    const fast = installDeviceFastPath(app, fastify, config, access);
    // Raw non-ASCII bytes in a URL, as curl sends them, percent-encoded before node's parser refuses them.
    acceptRawUrlBytes(fastify.server);
    // In front of both: devices' polls and one-event uploads read off the socket while they are just that.
    if (fast && options.rawDeviceFront !== false) installRawDeviceFront(fastify.server, fast);
    stopDeviceSideAfterServer(app, fastify);
  }
  app.useGlobalPipes(cvValidationPipe());
  // Built at the first /api-docs request, not at every start (a quarter of a second, for a page few starts see).
  setupSwagger(app, () => buildOpenApiDocument(app, VERSION));
  return app;
}

export function openApiDocumentOf(app: NestFastifyApplication) {
  return buildOpenApiDocument(app, VERSION);
}

export interface Gateway {
  app: NestFastifyApplication;
  db: DatabaseHandle;
  /** Stop accepting, finish in-flight requests, close the pool, then the embedded database. */
  close(): Promise<void>;
}

/**
 * Opens the database (embedded when DATABASE_URL is unset; DATABASE_URL's database created when missing),
 * migrates it, and builds the app.
 */
export async function createGateway(config: AppConfig, options: CreateAppOptions = {}): Promise<Gateway> {
  const log = options.logger ?? createRootLogger(config.logLevel);
  stopPoint(options.signal);
  const db = await openDatabase(config, {
    poolSize: options.poolSize,
    log: (message) => log.warn(message),
    signal: options.signal,
    // Said once DATA_DIR is usable and ours: a DATA_DIR refused (exit code 2 or 3) is all such a start says.
    onEmbeddedStarting: () => log.info({ dataDir: config.dataDir }, 'starting the embedded database'),
  });
  try {
    // The embedded database's start cannot be interrupted: a stop asked for meanwhile is honoured here, once it
    // is up and can be closed cleanly.
    stopPoint(options.signal);
    await migrateDatabase(db.url, { signal: options.signal, log: (message) => log.info(message) });
    stopPoint(options.signal);
    const app = await createApp(config, db, { ...options, logger: log });
    await app.init();
    if (config.apiToken) await app.get(ApiClientService).seed(config.apiToken);
    let closing: Promise<void> | undefined;
    return {
      app,
      db,
      close: () =>
        (closing ??= (async () => {
          await app.close();
          await db.stop();
        })()),
    };
  } catch (err) {
    await db.stop();
    throw err;
  }
}
