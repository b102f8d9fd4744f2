import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { createGateway } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { migrateDatabase } from '../../src/database/database';
import { lockDataDirectory } from '../../src/database/embedded-database';
import { MIGRATIONS } from '../../src/database/migrations';
import { DepartmentSortDefault1763700004820 } from '../../src/database/migrations/1763700004820-department-sort-default';
import { RANDOM_PAGE_COST } from '../../src/database/migrations/1763700003200-planner-costs';
import { RAW_TABLES } from '../../src/database/raw-tables';
import { HEAVY_LOAD_SEEN } from '../support/gateway-process';
import { createEmptyDatabase, seedMigratedDataDir } from '../support/test-db';

const tmpDirs: string[] = [];
function tmpDataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cvgw-data-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('migrations', () => {
  it('run on an empty database and leave the schema builder nothing to do', { timeout: 120_000 }, async () => {
    const db = await createEmptyDatabase();
    try {
      const ran = await migrateDatabase(db.url);
      expect(ran).toEqual(MIGRATIONS.map((m) => new m().name));
      expect(await migrateDatabase(db.url)).toEqual([]);
      const ds = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
      await ds.initialize();
      try {
        const pending = await ds.driver.createSchemaBuilder().log();
        expect(pending.upQueries.map((q) => q.query)).toEqual([]);
        const [seeded] = await ds.query(
          `SELECT (SELECT name FROM department WHERE code = '1') AS dept, (SELECT name FROM area WHERE code = '1') AS area,
                  (SELECT schedule->'mon' FROM time_segment WHERE name = '24-Hour Accessible') AS mon`,
        );
        expect(seeded).toEqual({ dept: 'Department Name', area: 'Area Name', mon: [['00:00', '23:59']] });
        // A later session plans with the cost of a cached database (migration 1763700003200), not a spinning disk's.
        const [costs] = await ds.query(`SELECT current_setting('random_page_cost') AS random_page_cost`);
        expect(costs).toEqual({ random_page_cost: RANDOM_PAGE_COST });
        // The tables without an entity: each described column exists, with the type described.
        for (const t of RAW_TABLES) {
          const rows: Array<{ name: string; type: string }> = await ds.query(
            `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
            [t.table],
          );
          const actual = Object.fromEntries(rows.map((r) => [r.name, r.type]));
          for (const [column, type] of Object.values(t.columns)) expect(`${t.table}.${column} ${actual[column]}`).toBe(`${t.table}.${column} ${type}`);
        }
      } finally {
        await ds.destroy();
      }
    } finally {
      await db.drop();
    }
  });
});

describe('migration 1763700004820 (department sortNo default)', () => {
  it('gives departments that took the old default 999999 the new one, 99999, and keeps a chosen sortNo', { timeout: 120_000 }, async () => {
    const db = await createEmptyDatabase();
    try {
      const before = MIGRATIONS.filter((m) => m !== DepartmentSortDefault1763700004820);
      const old = new DataSource({ ...dataSourceOptions(db.url, { poolSize: 1 }), migrations: before });
      await old.initialize();
      try {
        await old.runMigrations({ transaction: 'all' });
        await old.query(`INSERT INTO department (id, code, name) VALUES (md5('a'), '20', 'Defaulted')`);
        await old.query(`INSERT INTO department (id, code, name, sort_no) VALUES (md5('b'), '21', 'Chosen', 5)`);
      } finally {
        await old.destroy();
      }
      expect(await migrateDatabase(db.url)).toEqual(['DepartmentSortDefault1763700004820']);
      const ds = new DataSource(dataSourceOptions(db.url, { poolSize: 1 }));
      await ds.initialize();
      try {
        await ds.query(`INSERT INTO department (id, code, name) VALUES (md5('c'), '22', 'New')`);
        const rows = await ds.query(`SELECT code, sort_no FROM department ORDER BY code`);
        expect(rows).toEqual([
          { code: '1', sort_no: 1 },
          { code: '20', sort_no: 99999 },
          { code: '21', sort_no: 5 },
          { code: '22', sort_no: 99999 },
        ]);
      } finally {
        await ds.destroy();
      }
    } finally {
      await db.drop();
    }
  });
});

describe('the embedded database', () => {
  const config = (dataDir: string) => ({ ...loadConfig({}), databaseUrl: undefined, dataDir, logLevel: 'silent' as const, apiToken: 'embedded-token-1' });

  it('keeps its data across a restart', async () => {
    const dataDir = tmpDataDir();
    // On the embedded database, a cluster a gateway made and migrated before (its creation: start-stop.e2e-spec.ts).
    await seedMigratedDataDir(dataDir);
    const first = await createGateway(config(dataDir));
    await first.app.listen({ port: 0, host: '127.0.0.1' });
    const base1 = `http://127.0.0.1:${(first.app.getHttpServer().address() as { port: number }).port}`;
    const added = await fetch(`${base1}/api/department/add?access_token=embedded-token-1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'kept', name: 'Survives restart' }),
    });
    expect(((await added.json()) as { code: number }).code).toBe(0);
    await first.close();
    expect(fs.existsSync(path.join(dataDir, 'gateway.lock'))).toBe(false);

    const second = await createGateway(config(dataDir));
    try {
      await second.app.listen({ port: 0, host: '127.0.0.1' });
      const base2 = `http://127.0.0.1:${(second.app.getHttpServer().address() as { port: number }).port}`;
      const got = await (await fetch(`${base2}/api/department/get/kept?access_token=embedded-token-1`)).json();
      expect(got).toEqual({ code: 0, message: 'success', data: { name: 'Survives restart', code: 'kept', parentCode: null } });
    } finally {
      await second.close();
    }
  }, 180_000);

  it('refuses a second process on the same data directory with a clear message', async () => {
    const dataDir = tmpDataDir();
    const main = path.resolve(process.cwd(), 'dist/src/main.js');
    expect(fs.existsSync(main), 'dist/src/main.js is built by `npm test` (pretest)').toBe(true);
    const release = lockDataDirectory(dataDir);
    try {
      const child = spawn(process.execPath, [main], {
        env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.stdout.on('data', (c) => (stdout += c));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(3);
      expect(stderr).toContain(`The data directory ${dataDir} is in use by another gateway process (pid ${process.pid})`);
      // Refused before anything started: no "starting the embedded database" line before the refusal.
      expect(stdout).not.toContain('starting the embedded database');
    } finally {
      release();
    }
  }, 120_000);

  /** `node dist/src/main.js` on the embedded database in `dataDir`, listening on 127.0.0.1:`port`: how it exited. */
  async function startOnPort(main: string, dataDir: string, port: number): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, stderr };
  }

  it('a gateway started twice (same data directory, same port) is told the data directory is in use, not to change PORT', async () => {
    const dataDir = tmpDataDir();
    const main = path.resolve(process.cwd(), 'dist/src/main.js');
    const release = lockDataDirectory(dataDir);
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await startOnPort(main, dataDir, port);
      expect(stderr).toContain(`The data directory ${dataDir} is in use by another gateway process (pid ${process.pid})`);
      expect(code).toBe(3);
      // The lock is still the first gateway's.
      expect(fs.readFileSync(path.join(dataDir, 'gateway.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    } finally {
      holder.close();
      release();
    }
  }, 60_000);

  // Each of these starts an embedded PostgreSQL cluster from nothing (initdb): 45 s on a loaded 2-core machine.
  it('a port already in use stops the start with a message that says what to do, and frees the data directory', async () => {
    const dataDir = tmpDataDir();
    const main = path.resolve(process.cwd(), 'dist/src/main.js');
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await startOnPort(main, dataDir, port);
      expect(code).toBe(4);
      expect(stderr).toContain(`Port ${port} on 127.0.0.1 is already in use (another gateway, or another program): stop that program or set PORT to another.`);
      expect(stderr).not.toContain('    at ');
      expect(fs.existsSync(path.join(dataDir, 'gateway.lock'))).toBe(false);
    } finally {
      holder.close();
    }
  }, 180_000);

  it('a HOST that does not resolve stops the start with exit code 4 and a message, before the database starts', async () => {
    const dataDir = tmpDataDir();
    const main = path.resolve(process.cwd(), 'dist/src/main.js');
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: 'no-such-host.invalid', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(4);
    expect(stderr).toContain('Port 0 on no-such-host.invalid cannot be opened: the host name does not resolve to an address');
    expect(stderr).not.toContain('    at ');
    expect(fs.readdirSync(dataDir)).toEqual([]);
  }, 60_000);

  // A Docker volume mounted from a host folder root created, while the image runs as node (uid 1000): the start
  // crashed with fs's EACCES stack (exit code 1). Now a bad DATA_DIR, said as such, before the database starts.
  it.each([
    ['a path through a file', (d: string) => (fs.writeFileSync(path.join(d, 'file'), ''), path.join(d, 'file', 'data')), 'ENOTDIR'],
    ["a directory another user owns", (d: string) => (fs.chmodSync(d, 0o555), path.join(d, 'data')), 'EACCES'],
    // A file itself: refused, not taken for a directory.
    ['a file', (d: string) => (fs.writeFileSync(path.join(d, 'file'), ''), path.join(d, 'file')), 'ENOTDIR'],
    // Under /proc, Node's recursive mkdir spun forever (ENOENT although the parent exists): the start hung, deaf to
    // Ctrl-C. The spawn below is killed after 60 s, so a hang fails the test instead of holding it.
    ['a path under /proc', () => `/proc/cvgw-no-such-${process.pid}/data`, 'ENOENT'],
  ])('a DATA_DIR the gateway cannot write (%s) stops the start with exit code 2 and a message that says what to do', async (_, make, code) => {
    const dataDir = make(tmpDataDir());
    const main = path.resolve(process.cwd(), 'dist/src/main.js');
    // Root writes anywhere: the directory's owner (root) is then "another user" to the gateway run as nobody.
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const child = spawn(process.execPath, [main], {
      // slow-load.cjs says so when the gateway's heavy modules start loading (@nestjs/core): a refusal needs none of them.
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...HEAVY_LOAD_SEEN },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(code === 'EACCES' ? asOther : {}),
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.on('data', (c) => (stdout += c));
    const exit = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The directory is refused before anything starts: the start does not say "starting the embedded database" first.
    expect(stdout).not.toContain('starting the embedded database');
    expect(stderr).toContain(`DATA_DIR ${dataDir} cannot be used: this process (uid `);
    expect(stderr).toContain(`(${code}: `);
    // chown helps a permission refusal only: a file or a path under /proc is no one's to give.
    if (code === 'EACCES') expect(stderr).toContain('the Docker image runs as node, uid 1000), set DATA_DIR to a directory it may write, or set DATABASE_URL');
    // The command it gives can be run as written: a DATA_DIR not made yet is made before it is given (chown alone fails on it).
    if (code === 'EACCES') expect(stderr).toContain(`(${fs.existsSync(dataDir) ? '' : `mkdir -p ${dataDir} && `}chown -R ${'uid' in asOther ? asOther.uid : process.getuid?.()} ${dataDir}; `);
    else expect(stderr).toMatch(/\)\. Set DATA_DIR to a directory it may write, or set DATABASE_URL/);
    if (code !== 'EACCES') expect(stderr).not.toContain('chown');
    expect(stderr).not.toContain('    at ');
    // Refused before Nest, TypeORM and the gateway's modules were loaded (they were, for a second or more of CPU).
    expect(stderr).not.toContain('slow-load: holding');
    expect(exit).toBe(2);
  }, 90_000);

  it('a DATA_DIR another gateway process holds stops the start with exit code 3 before the heavy modules load', async () => {
    const dataDir = tmpDataDir();
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dataDir, 'gateway.lock'), `${holder.pid}\n`);
      const child = spawn(process.execPath, [path.resolve(process.cwd(), 'dist/src/main.js')], {
        env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...HEAVY_LOAD_SEEN },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
        killSignal: 'SIGKILL',
      });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      const exit = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(stderr).toContain(`The data directory ${dataDir} is in use by another gateway process (pid ${holder.pid})`);
      expect(stderr).not.toContain('slow-load: holding');
      expect(exit).toBe(3);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 90_000);

  it('takes over a lock left by a dead process', () => {
    const dataDir = tmpDataDir();
    fs.writeFileSync(path.join(dataDir, 'gateway.lock'), '2147483646');
    const release = lockDataDirectory(dataDir);
    expect(fs.readFileSync(path.join(dataDir, 'gateway.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    release();
  });

  it('takes over a lock whose pid belongs to another program now (a crash or power cut, then a restart that reused the pid)', async () => {
    const dataDir = tmpDataDir();
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      // The lock of a gateway that ran before a reboot: the same pid, another boot.
      fs.writeFileSync(path.join(dataDir, 'gateway.lock'), `${other.pid}\n00000000-0000-0000-0000-000000000000:12345\n`);
      const release = lockDataDirectory(dataDir);
      expect(fs.readFileSync(path.join(dataDir, 'gateway.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid));
      release();
      expect(fs.existsSync(path.join(dataDir, 'gateway.lock'))).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
  });
});
