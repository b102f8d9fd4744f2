import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { ApiClientService } from './apiClient/api-client.service';
import { AppModule, type DatabaseTarget } from './app.module';
import { createRootLogger, NestPinoLogger } from './common/logger';
import { redactUrl } from './common/redact';
import { cvValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { migrateDatabase, openDatabase, type DatabaseHandle } from './database/database';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { buildOpenApiDocument, setupSwagger } from './swagger';
import packageJson from '../package.json';

export const BODY_LIMIT = 10 * 1024 * 1024;
const VERSION: string = packageJson.version;

/** Device bodies come as application/push, text/plain or nothing at all; JSON clients send empty or `null` bodies. */
function registerBodyParsers(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = new Error('Request body is not valid JSON') as Error & { statusCode: number; code: string };
      err.statusCode = 400;
      err.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
      done(err, undefined);
    }
  });
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
}

function registerAccessLog(fastify: FastifyInstance, log: PinoLogger, metrics: GatewayMetrics): void {
  fastify.addHook('onResponse', (req, reply, done) => {
    // The route pattern, not the URL, keeps the label set bounded.
    metrics.observeRequest(req.method, req.routeOptions?.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    log.info(
      { reqId: req.id, method: req.method, url: redactUrl(req.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
    done();
  });
}

export interface CreateAppOptions {
  /** Build the module graph without instantiating providers (no database): enough for the OpenAPI document. */
  preview?: boolean;
  logger?: PinoLogger;
}

export async function createApp(config: AppConfig, db: DatabaseTarget, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const log = options.logger ?? createRootLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // Devices post keys with mixed case and `~`; never let Fastify reject a query string.
    routerOptions: { ignoreTrailingSlash: true, caseSensitive: true },
  });
  const metrics = new GatewayMetrics();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, db, metrics), adapter, {
    logger: new NestPinoLogger(log),
    preview: options.preview,
    // Our own parsers below: Nest's JSON parser refuses the empty and `null` bodies real clients send.
    bodyParser: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  registerBodyParsers(fastify);
  registerAccessLog(fastify, log, metrics);
  app.useGlobalPipes(cvValidationPipe());
  setupSwagger(app, buildOpenApiDocument(app, VERSION));
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

/** Opens the database (embedded when DATABASE_URL is unset), migrates it, and builds the app. */
export async function createGateway(config: AppConfig, options: CreateAppOptions = {}): Promise<Gateway> {
  const db = await openDatabase(config);
  try {
    await migrateDatabase(db.url);
    const app = await createApp(config, db, options);
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
