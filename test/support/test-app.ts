import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as PinoLogger } from 'pino';
import { DataSource } from 'typeorm';
import { createGateway, type Gateway } from '../../src/bootstrap';
import { loadConfig, type AppConfig } from '../../src/config/config';
import { createTestDatabase, type TestDatabase } from './test-db';

export const TEST_TOKEN = 'test-token-0123456789';

/**
 * scrypt's cost for the operator passwords tests make (CONSOLE_PASSWORD_COST): 2^10 instead of the product's 2^15
 * takes a hash from about 100 ms to 3 ms (the console's files make and check some hundred). A file that sets
 * CONSOLE_PASSWORD_COST itself keeps its own.
 */
export const TEST_PASSWORD_COST = 10;

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface TestApp {
  baseUrl: string;
  app: NestFastifyApplication;
  gateway: Gateway;
  ds: DataSource;
  config: AppConfig;
  db: TestDatabase;
  /** GET /api... with the test token added. */
  get<T = any>(path: string, query?: Record<string, unknown>): Promise<HttpResult<T>>;
  /** POST /api... with a JSON body (undefined = no body) and the token. */
  post<T = any>(path: string, body?: unknown, query?: Record<string, unknown>): Promise<HttpResult<T>>;
  put<T = any>(path: string, body?: unknown, query?: Record<string, unknown>): Promise<HttpResult<T>>;
  delete<T = any>(path: string, query?: Record<string, unknown>, body?: unknown): Promise<HttpResult<T>>;
  /** Any request, no token added. */
  request<T = any>(method: string, path: string, init?: { query?: Record<string, unknown>; body?: string; headers?: Record<string, string> }): Promise<HttpResult<T>>;
  close(): Promise<void>;
}

function withQuery(base: string, path: string, query?: Record<string, unknown>): string {
  const u = new URL(path, base);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.toString();
}

async function call<T>(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
  const res = await fetch(url, { method, body, headers });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* plain text */
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

/**
 * The whole gateway on a database of this file's own, listening on a random loopback port. Auto admission
 * and UTC unless the test says otherwise.
 */
export interface StartTestAppOptions {
  /** Where the gateway's structured logs go (default: silent). */
  logger?: PinoLogger;
  /** false: without the raw device front, every device request through node:http (to compare both ways). */
  rawDeviceFront?: boolean;
}

export async function startTestApp(overrides: Partial<AppConfig> = {}, options: StartTestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config: AppConfig = {
    // The environment's optional tunables (a test may set PUSH_CENTER_* or VISITOR_SWEEP_INTERVAL_MS before
    // starting); everything that decides where the app runs is fixed below.
    ...loadConfig({ CONSOLE_PASSWORD_COST: String(TEST_PASSWORD_COST), ...process.env }),
    databaseUrl: db.url,
    apiToken: TEST_TOKEN,
    deviceAdmission: 'auto',
    // Tests watch a device's queue from an empty start; the clearing of a device at admission (the product's
    // default, DEVICE_CLEAR_ON_ADD) has tests of its own that turn it on (test/sync/clear-on-add.e2e-spec.ts).
    deviceClearOnAdd: false,
    // Most tests run a REST call, then let the simulated device poll: a remote action is answered once queued
    // there; the tests of the wait for the device's Return (DEVICE_ACTION_WAIT_MS) set PUSH_SETTINGS.actionWaitMs.
    deviceActionWaitMs: 0,
    timeZone: 'UTC',
    // Silent, unless TEST_LOG_LEVEL names a level: a test answered "Program error (request id …)" logs its stack at
    // `error` (TEST_LOG_LEVEL=error npx vitest run <spec>).
    logLevel: (process.env.TEST_LOG_LEVEL as AppConfig['logLevel'] | undefined) ?? 'silent',
    port: 0,
    host: '127.0.0.1',
    ...overrides,
  };
  const gateway = await createGateway(config, { logger: options.logger, poolSize: db.poolSize, rawDeviceFront: options.rawDeviceFront });
  await gateway.app.listen({ port: 0, host: '127.0.0.1' });
  const address = gateway.app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const auth = { access_token: TEST_TOKEN };
  const json = { 'content-type': 'application/json' };
  return {
    baseUrl,
    app: gateway.app,
    gateway,
    ds: gateway.app.get(DataSource),
    config,
    db,
    get: (path, query) => call('GET', withQuery(baseUrl, path, { ...auth, ...query })),
    post: (path, body, query) => call('POST', withQuery(baseUrl, path, { ...auth, ...query }), body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : json),
    put: (path, body, query) => call('PUT', withQuery(baseUrl, path, { ...auth, ...query }), body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : json),
    delete: (path, query, body) => call('DELETE', withQuery(baseUrl, path, { ...auth, ...query }), body === undefined ? undefined : JSON.stringify(body), body === undefined ? {} : json),
    request: (method, path, init = {}) => call(method, withQuery(baseUrl, path, init.query), init.body, init.headers),
    async close() {
      await gateway.close();
      await db.release();
    },
  };
}
