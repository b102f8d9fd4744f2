import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Client } from 'pg';
import { TEST_PASSWORD_COST, TEST_TOKEN } from './test-app';

/** Tests run from the repository root (vitest.config.ts). */
export const MAIN_JS = path.resolve(process.cwd(), 'dist/src/main.js');

/** A gateway process's environment that makes it say `slow-load: holding @nestjs/core` when it loads Nest (test/support/slow-load.cjs). */
export const HEAVY_LOAD_SEEN = {
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.resolve('test/support/slow-load.cjs')}`.trim(),
  SLOW_LOAD_MODULE: '@nestjs/core',
  SLOW_LOAD_MS: '1',
};

/**
 * The kernel's ephemeral range (outgoing connections take their local port from it). A port handed out by
 * listen(0) comes from that range too, so between closing the probe and the gateway's own bind an outgoing
 * connection of another test (a pg client, a fetch) can take it: CI once saw EADDRINUSE that way.
 */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    /* not Linux: the usual default */
  }
  return [32768, 60999];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Ports this process has handed out: a gateway may not have bound one yet, so it is not handed out twice. */
const handedOut = new Set<number>();

/**
 * A port nobody listens on right now, chosen below the ephemeral range so that no outgoing connection can take
 * it before the gateway binds it (or while a killed gateway is down, for a restart on the same port). Random,
 * so the test workers (separate processes) rarely try the same one; a taken one is skipped.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 20_000;
  const high = Math.max(low + 1_000, ephemeralLow) - 1;
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${low} and ${high}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A real gateway process (`node dist/src/main.js`), as production runs it. Needs `npm run build` first
 * (`npm test` does it). start() waits for /health; kill() is `kill -9`; the same port is reused on restart,
 * so clients keep their base URL.
 */
export class GatewayProcess {
  child: ChildProcess | undefined;
  output = '';
  readonly baseUrl: string;

  constructor(
    readonly port: number,
    readonly env: Record<string, string>,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  static async create(databaseUrl: string, env: Record<string, string> = {}): Promise<GatewayProcess> {
    return new GatewayProcess(await freePort(), { DATABASE_URL: databaseUrl, ...env });
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first (npm test does)`);
    const child = spawn(process.execPath, [MAIN_JS], {
      env: {
        PATH: process.env.PATH ?? '',
        API_TOKEN: TEST_TOKEN,
        DEVICE_ADMISSION: 'auto',
        // As startTestApp: queues watched from an empty start (the clearing at admission has its own tests).
        DEVICE_CLEAR_ON_ADD: 'false',
        // As startTestApp: remote actions answered once queued (tests that wait for the Return turn it on).
        DEVICE_ACTION_WAIT_MS: '0',
        LOG_LEVEL: 'warn',
        TIME_ZONE: 'UTC',
        // As startTestApp: operator passwords hashed at the tests' lower cost.
        CONSOLE_PASSWORD_COST: String(TEST_PASSWORD_COST),
        HOST: '127.0.0.1',
        ...this.env,
        PORT: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`gateway on port ${this.port} exited during start (${child.exitCode ?? child.signalCode}):\n${this.output}`);
      try {
        const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 200) return;
      } catch {
        /* not listening yet */
      }
      await sleep(50);
    }
    await this.kill();
    throw new Error(`gateway on port ${this.port} did not answer /health within ${timeoutMs} ms:\n${this.output}`);
  }

  /** `kill -9`, and wait until the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  /** SIGTERM (graceful), then SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** An /api call with the test token. */
  async api<T = any>(method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; body: T }> {
    const u = new URL(pathAndQuery, this.baseUrl);
    u.searchParams.set('access_token', TEST_TOKEN);
    const res = await fetch(u, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* text */
    }
    return { status: res.status, body: parsed as T };
  }
}

/**
 * After a kill, PostgreSQL rolls back the transactions of the connections that vanished: waits until no other
 * client backend of `pg`'s database is left (at most 10 s), so what is read next is what had committed.
 */
export async function untilDisconnected(pg: Client): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [{ n }] = (
      await pg.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`)
    ).rows;
    if (n === 0) return;
    await sleep(50);
  }
  throw new Error('the killed process’s connections are still there after 10 s');
}
