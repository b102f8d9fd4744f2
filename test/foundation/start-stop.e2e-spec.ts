import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { DatabaseUnreachableError, ensureDatabase } from '../../src/database/database';
import { MIGRATIONS } from '../../src/database/migrations';
import { freePort, MAIN_JS } from '../support/gateway-process';
import { adminUrlFor, isTestDatabaseName } from '../support/test-db-plan';

/**
 * SIGTERM (docker stop, systemd) or Ctrl-C while the gateway still starts: the embedded database being created,
 * the first start's migrations running. It used to end the process mid-statement without a word (and node as
 * PID 1 in a container ignored it until the kill). Now it stops within seconds, says so, and leaves nothing
 * half-done: the next start completes. The real built gateway (`node dist/src/main.js`) on a fresh data directory,
 * and on a fresh DATABASE_URL database.
 */
const plan = inject('testDb');

/** A first start on a loaded machine takes minutes (the embedded cluster's creation); its stop, seconds. */
const START_MS = 300_000;
const STOP_MS = 15_000;

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startGateway(port: number, env: Record<string, string>): Run {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), TIME_ZONE: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('close', (code, signal) => r({ code, signal })));
  return { child, output: () => out, exited };
}

async function until(what: string, run: Run, ok: () => boolean | Promise<boolean>, ms = START_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ok()) return;
    if (run.child.exitCode !== null || run.child.signalCode !== null) throw new Error(`the gateway exited before ${what}:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  run.child.kill('SIGKILL');
  throw new Error(`no ${what} within ${ms} ms:\n${run.output()}`);
}

/** SIGTERM; the exit it makes, which must come within STOP_MS. */
async function terminate(run: Run): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const sent = Date.now();
  run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), STOP_MS);
  const exit = await run.exited;
  clearTimeout(timer);
  return { ...exit, ms: Date.now() - sent };
}

const said = (run: Run, text: string) => run.output().includes(text);
const MIGRATING = 'applying database migrations';
const STOPPED = 'stopped before the gateway was ready';
const MIGRATION_FAILED = 'failed, error:';

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) })).status === 200;
  } catch {
    return false;
  }
}

describe('a stop while node still loads the gateway\'s code (seconds on a busy machine)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  // pino: loaded before main() has its handlers (early-signals.ts keeps the signal); @nestjs/core: loaded after the
  // configuration and port checks, with the handlers set (main.ts loadGateway).
  for (const [signal, module] of [['SIGINT', '@nestjs/core'], ['SIGTERM', '@nestjs/core'], ['SIGTERM', 'pino']] as const) {
    it(`${signal} (Ctrl-C, docker stop) while ${module} loads is a clean stop, exit code 0, not a death by the signal`, async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'cvgw-start-load-'));
      dirs.push(dataDir);
      const run = startGateway(await freePort(), {
        DATA_DIR: dataDir,
        NODE_OPTIONS: `--require ${path.resolve('test/support/slow-load.cjs')}`,
        SLOW_LOAD_MODULE: module,
        SLOW_LOAD_MS: '1500',
      });
      await until('the code loading', run, () => said(run, 'slow-load: holding'), 60_000);
      run.child.kill(signal);
      const timer = setTimeout(() => run.child.kill('SIGKILL'), STOP_MS + 60_000);
      const exit = await run.exited;
      clearTimeout(timer);
      expect(exit, run.output()).toEqual({ code: 0, signal: null });
      expect(said(run, `${signal} while starting: stopping`)).toBe(true);
      // Honoured before the database was touched: main() lets the event loop deliver it before opening the database.
      // Nothing made in DATA_DIR: no lock, no pgdata, no pgdata.creating.
      expect(said(run, STOPPED), run.output()).toBe(false);
      expect(readdirSync(dataDir)).toEqual([]);
    }, 120_000);
  }
});

describe('a stop while the gateway starts, on a fresh data directory', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cvgw-start-stop-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'SIGTERM while the embedded database is created, then while it migrates: each stops within seconds, saying so; the third start completes',
    async () => {
      const port = await freePort();
      const env = { DATA_DIR: dataDir };

      const creating = startGateway(port, env);
      await until('the embedded database start', creating, () => said(creating, 'starting the embedded database'));
      // Into the cluster's creation (its files being written: a start would find a half-made cluster).
      await until('the cluster creation', creating, () => existsSync(path.join(dataDir, 'pgdata', 'base')));
      const first = await terminate(creating);
      // A stop asked for is a clean end, while starting as while running: exit code 0, as systemd (which counts
      // 143 a failure unless told otherwise) and Docker's restart policies read it.
      expect(first, creating.output()).toMatchObject({ code: 0, signal: null });
      expect(first.ms).toBeLessThan(STOP_MS);
      expect(said(creating, 'SIGTERM while starting')).toBe(true);
      expect(said(creating, STOPPED)).toBe(true);

      const migrating = startGateway(port, env);
      await until('the migrations', migrating, () => said(migrating, MIGRATING));
      // The creation is synchronous inside PGlite for stretches: a stop there was honoured either at once (the
      // half-made cluster is then made again: pgdata.creating) or once it was made; either way this start migrates.
      const second = await terminate(migrating);
      expect(second, migrating.output()).toMatchObject({ code: 0, signal: null });
      expect(second.ms).toBeLessThan(STOP_MS);
      expect(said(migrating, STOPPED)).toBe(true);
      expect(said(migrating, MIGRATION_FAILED)).toBe(false);
      expect(existsSync(path.join(dataDir, 'gateway.lock'))).toBe(false);

      const third = startGateway(port, env);
      await until('/health', third, () => healthy(port));
      // The stopped migrations were rolled back whole: this start applied them again.
      expect(said(third, MIGRATING)).toBe(true);
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await res.json()).toMatchObject({ status: 'ok', database: 'up' });
      const end = await terminate(third);
      expect(end).toMatchObject({ code: 0, signal: null });
    },
    3 * START_MS,
  );
});

describe.runIf(plan.mode === 'pg')('a stop while the gateway starts, on a fresh DATABASE_URL database', () => {
  const adminUrl = plan.mode === 'pg' ? plan.adminUrl : '';
  const name = `${plan.mode === 'pg' ? plan.prefix : ''}_start_stop_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async <T>(url: string, work: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };
  const applied = () =>
    admin(adminUrlFor(adminUrl, name), async (c) => {
      const table = await c.query(`SELECT to_regclass('typeorm_migrations') AS t`);
      if (!table.rows[0].t) return 0;
      return Number((await c.query('SELECT count(*) AS n FROM typeorm_migrations')).rows[0].n);
    });

  afterAll(async () => {
    if (!isTestDatabaseName(name)) return;
    await admin(adminUrl, async (c) => {
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
    });
  });

  it(
    'SIGTERM during the first migrations stops within seconds, saying so, with none applied; the next start applies them all',
    async () => {
      if (!isTestDatabaseName(name)) throw new Error(`refusing database name ${name}`);
      const port = await freePort();
      const env = { DATABASE_URL: adminUrlFor(adminUrl, name) };
      const migrating = startGateway(port, env);
      await until('the migrations', migrating, () => said(migrating, MIGRATING));
      const first = await terminate(migrating);
      expect(first, migrating.output()).toMatchObject({ code: 0, signal: null });
      expect(first.ms).toBeLessThan(STOP_MS);
      expect(said(migrating, 'SIGTERM while starting')).toBe(true);
      expect(said(migrating, STOPPED)).toBe(true);
      // Nothing failed: the stop was asked for. TypeORM's own "Migration … failed, error: stopped by SIGTERM" line
      // between the two said otherwise.
      expect(said(migrating, MIGRATION_FAILED)).toBe(false);
      expect(await applied()).toBe(0);

      const next = startGateway(port, env);
      await until('/health', next, () => healthy(port));
      expect(said(next, MIGRATING)).toBe(true);
      expect(await applied()).toBe(MIGRATIONS.length);
      // Ctrl-C on `npm start`: the terminal's SIGINT and npm's forward of it, milliseconds apart, are one request
      // to stop: the gateway shuts down whole (exit code 0), not "a second signal: exit at once" (exit code 1).
      next.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 5));
      next.child.kill('SIGINT');
      const timer = setTimeout(() => next.child.kill('SIGKILL'), STOP_MS);
      const stopped = await next.exited;
      clearTimeout(timer);
      expect(stopped, next.output()).toMatchObject({ code: 0, signal: null });
      expect(said(next, 'shutting down')).toBe(true);
      expect(said(next, 'exiting at once')).toBe(false);
    },
    2 * START_MS,
  );
});

describe('DATABASE_URL at a port that closes connections before PostgreSQL answers (a firewall, a balancer with no server)', () => {
  it('is a server that does not answer: waited for, then DatabaseUnreachableError (exit code 5), not a crash', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const err = await ensureDatabase(`postgres://u:secret@127.0.0.1:${port}/db`, undefined, 1000).then(
        () => new Error('expected a failure'),
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(DatabaseUnreachableError);
      expect(err.message).toContain(`PostgreSQL at u@127.0.0.1:${port}/db (DATABASE_URL) did not answer within 1 s`);
      expect(err.message).not.toContain('secret');
    } finally {
      server.close();
    }
  });
});
