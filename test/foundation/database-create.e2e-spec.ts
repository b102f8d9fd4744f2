import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { createGateway } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { DatabaseUnreachableError, ensureDatabase } from '../../src/database/database';
import { HEAVY_LOAD_SEEN } from '../support/gateway-process';
import { adminUrlFor, isTestDatabaseName } from '../support/test-db-plan';

/**
 * DATABASE_URL naming a database the server does not have: the gateway creates it at start (from the server's
 * `postgres` database), logs that, and migrates it; any other connection failure is left as it was.
 */
const plan = inject('testDb');

/** The error a promise fails with (a test failure when it succeeds). */
const failure = (p: Promise<unknown>): Promise<DatabaseUnreachableError> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: DatabaseUnreachableError) => e,
  );

describe.runIf(plan.mode === 'pg')('a DATABASE_URL database that does not exist', () => {
  const adminUrl = plan.mode === 'pg' ? plan.adminUrl : '';
  const made: string[] = [];
  const freshName = (what: string) => {
    const name = `${plan.mode === 'pg' ? plan.prefix : ''}_${what}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    if (!isTestDatabaseName(name)) throw new Error(`refusing database name ${name}`);
    made.push(name);
    return name;
  };
  const admin = async <T>(work: (c: Client) => Promise<T>): Promise<T> => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.end();
    }
  };
  const exists = (name: string) => admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);

  afterAll(async () => {
    await admin(async (c) => {
      for (const name of made) {
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      }
    });
    for (const name of made) expect(await exists(name)).toBe(false);
  });

  it('is created and migrated at start, with a log line naming it; the next start finds it and creates nothing', async () => {
    const name = freshName('created');
    expect(await exists(name)).toBe(false);
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const config = { ...loadConfig({}), databaseUrl: adminUrlFor(adminUrl, name), logLevel: 'silent' as const, apiToken: 'create-db-token-1', port: 0, host: '127.0.0.1' };
    const first = await createGateway(config, { logger, poolSize: 2 });
    try {
      expect(await exists(name)).toBe(true);
      await first.app.listen({ port: 0, host: '127.0.0.1' });
      const port = (first.app.getHttpServer().address() as { port: number }).port;
      const res = await fetch(`http://127.0.0.1:${port}/api/department/get/1?access_token=create-db-token-1`);
      expect(await res.json()).toMatchObject({ code: 0, data: { code: '1', name: 'Department Name' } });
    } finally {
      await first.close();
    }
    const created = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.msg.includes('did not exist'));
    expect(created).toEqual([expect.objectContaining({ level: 40, msg: `database "${name}" did not exist on ${new URL(adminUrl).host}: created it` })]);

    lines.length = 0;
    const second = await createGateway(config, { logger, poolSize: 2 });
    await second.close();
    expect(lines.filter((l) => l.includes('did not exist'))).toEqual([]);
  });

  it('two processes starting together on a new name create it once, and neither fails', async () => {
    const name = freshName('race');
    const url = adminUrlFor(adminUrl, name);
    const created = await Promise.all([ensureDatabase(url), ensureDatabase(url), ensureDatabase(url)]);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await exists(name)).toBe(true);
    expect(await ensureDatabase(url)).toBe(false);
  });

  it('refused credentials and a server that does not answer fail with a message that says what to do (no password in it), and nothing is created', async () => {
    const name = freshName('refused');
    const noRole = new URL(adminUrlFor(adminUrl, name));
    noRole.username = 'no_such_role_test_x';
    noRole.password = 'secret-pw-x';
    const started = Date.now();
    const err = await failure(ensureDatabase(noRole.toString(), undefined, 10_000));
    // Waiting would change nothing: at once.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect(err).toMatchObject({ code: expect.stringMatching(/^28/) });
    expect(err.message).toContain(`PostgreSQL at no_such_role_test_x@${noRole.hostname}:${noRole.port || 5432}/${name} refused the credentials of DATABASE_URL`);
    expect(err.message).not.toContain('secret-pw-x');
    const closedPort = new URL(adminUrlFor(adminUrl, name));
    closedPort.port = '1';
    const refused = await failure(ensureDatabase(closedPort.toString()));
    expect(refused).toBeInstanceOf(DatabaseUnreachableError);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(refused.message).toMatch(/did not answer: .*ECONNREFUSED.*Start it, fix DATABASE_URL, or unset it/);
    expect(await exists(name)).toBe(false);
  });

  it('a user who may not create it fails with a message naming the database and what to do, and exit code 5 (no stack)', async () => {
    const name = freshName('nocreate');
    const role = `${name}_role`;
    await admin((c) => c.query(`CREATE ROLE ${role} LOGIN NOCREATEDB PASSWORD 'nocreate-pw-x'`));
    try {
      const url = new URL(adminUrlFor(adminUrl, name));
      url.username = role;
      url.password = 'nocreate-pw-x';
      const err = await failure(ensureDatabase(url.toString()));
      expect(err).toBeInstanceOf(DatabaseUnreachableError);
      expect(err).toMatchObject({ code: '42501' });
      expect(err.message).toContain(`DATABASE_URL names database "${name}", which does not exist on ${url.host}, and creating it as ${role} failed: permission denied to create database (42501).`);
      expect(err.message).toContain(`Create it (CREATE DATABASE "${name}" OWNER "${role}"), give ${role} the CREATEDB privilege, or fix DATABASE_URL.`);
      expect(await exists(name)).toBe(false);

      const child = spawn(process.execPath, [path.resolve(process.cwd(), 'dist/src/main.js')], {
        env: { ...process.env, DATABASE_URL: url.toString(), DATABASE_WAIT_SECONDS: '0', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...HEAVY_LOAD_SEEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      expect(await new Promise<number | null>((resolve) => child.on('exit', resolve))).toBe(5);
      expect(stderr).toContain(`and creating it as ${role} failed`);
      expect(stderr).not.toContain('    at ');
      expect(stderr + err.message).not.toContain('nocreate-pw-x');
      expect(stderr).not.toContain('slow-load: holding');
    } finally {
      await admin((c) => c.query(`DROP ROLE IF EXISTS ${role}`));
    }
  });

  it('waits up to DATABASE_WAIT_SECONDS for a server that is not up yet, saying so', async () => {
    const name = freshName('late');
    const target = new URL(adminUrl);
    // A port with nothing on it for the first 1.5 s, then a relay to the real server there.
    const spare = net.createServer();
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r));
    const port = (spare.address() as net.AddressInfo).port;
    await new Promise<void>((r) => spare.close(() => r()));
    const relay = net.createServer((inbound) => {
      const out = net.connect(Number(target.port || 5432), target.hostname);
      inbound.pipe(out).pipe(inbound);
      const end = () => {
        inbound.destroy();
        out.destroy();
      };
      inbound.on('error', end);
      out.on('error', end);
    });
    const late = setTimeout(() => relay.listen(port, '127.0.0.1'), 1500);
    const url = new URL(adminUrlFor(adminUrl, name));
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const told: string[] = [];
    try {
      expect(await ensureDatabase(url.toString(), (m) => told.push(m), 20_000)).toBe(true);
      expect(told[0]).toMatch(new RegExp(`^waiting for PostgreSQL at .*127\\.0\\.0\\.1:${port}/${name}: .*ECONNREFUSED`));
      expect(await exists(name)).toBe(true);
      // Too short a wait: the message names the setting.
      const gone = new URL(url.toString());
      gone.port = '1';
      const err = await failure(ensureDatabase(gone.toString(), undefined, 1000));
      expect(err.message).toContain('did not answer within 1 s (DATABASE_WAIT_SECONDS)');
    } finally {
      clearTimeout(late);
      relay.close();
    }
  });
});

describe('DATABASE_URL on a server that does not answer', () => {
  it('the gateway does not start on a server that does not answer: exit code 5 and the message, no stack', async () => {
    const main = path.resolve(process.cwd(), 'dist/src/main.js');
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, DATABASE_URL: 'postgres://someone:pw-secret@127.0.0.1:1/nothing', DATABASE_WAIT_SECONDS: '1', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...HEAVY_LOAD_SEEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(5);
    expect(stderr).toContain('PostgreSQL at someone@127.0.0.1:1/nothing (DATABASE_URL) did not answer within 1 s (DATABASE_WAIT_SECONDS)');
    expect(stderr).not.toContain('pw-secret');
    expect(stderr).not.toContain('    at ');
    // Said before Nest, TypeORM and the gateway's modules were loaded (slow-load.cjs names @nestjs/core when it loads).
    expect(stderr).not.toContain('slow-load: holding');
  });
});
