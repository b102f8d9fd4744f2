import { Client } from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it, inject } from 'vitest';
import { createGateway } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { ensureDatabase } from '../../src/database/database';
import { adminUrlFor, isTestDatabaseName } from '../support/test-db-plan';

/**
 * DATABASE_URL naming a database the server does not have: the gateway creates it at start (from the server's
 * `postgres` database), logs that, and migrates it; any other connection failure is left as it was.
 */
const plan = inject('testDb');

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

  it('any other connection failure is thrown as it came, and nothing is created', async () => {
    const name = freshName('refused');
    const noRole = new URL(adminUrlFor(adminUrl, name));
    noRole.username = 'no_such_role_test_x';
    noRole.password = 'x';
    const err = await ensureDatabase(noRole.toString()).catch((e: { code?: string }) => e);
    expect(err).toMatchObject({ code: expect.stringMatching(/^28/) });
    const closedPort = new URL(adminUrlFor(adminUrl, name));
    closedPort.port = '1';
    await expect(ensureDatabase(closedPort.toString())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await exists(name)).toBe(false);
  });
});
