import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './gateway-process';

const run = promisify(execFile);

/** The directory of `initdb` and `pg_ctl`: `PG_BIN`, else the newest `/usr/lib/postgresql/<n>/bin`, else none. */
function binDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join(root, v, 'bin'));
  }
  return candidates.find((d) => existsSync(path.join(d, 'initdb')) && existsSync(path.join(d, 'pg_ctl')));
}

/** PostgreSQL refuses to run as root: there the server runs as the `postgres` user, through runuser. */
async function serverUser(): Promise<{ prefix: string[]; uid?: number; gid?: number } | undefined> {
  if (userInfo().uid !== 0) return { prefix: [] };
  if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return undefined;
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { prefix: ['runuser', '-u', 'postgres', '--'], uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * A throwaway PostgreSQL server of the test's own (initdb into a temporary directory, on a free port), which the
 * test may stop, start again and cut connections of without touching the machine's shared server. `create()`
 * answers undefined where the server binaries are missing (the test then skips).
 */
export class PrivatePostgres {
  private constructor(
    private readonly bin: string,
    private readonly prefix: string[],
    readonly dir: string,
    readonly port: number,
  ) {}

  /** The server binaries are there, and a user to run them as (PostgreSQL refuses root). */
  static available(): boolean {
    if (!binDir()) return false;
    if (userInfo().uid !== 0) return true;
    const runuser = existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser');
    return runuser && existsSync('/etc/passwd') && /^postgres:/m.test(readFileSync('/etc/passwd', 'utf8'));
  }

  static async create(): Promise<PrivatePostgres | undefined> {
    const bin = binDir();
    const user = await serverUser();
    if (!bin || !user) return undefined;
    const dir = mkdtempSync('/tmp/gw-private-pg-');
    if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
    const pg = new PrivatePostgres(bin, user.prefix, dir, await freePort());
    await pg.exec('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    await pg.start();
    return pg;
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    const [cmd, ...rest] = [...this.prefix, path.join(this.bin, tool), ...args];
    await run(cmd, rest, { timeout: 60_000 });
  }

  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await this.exec('pg_ctl', ['-D', path.join(this.dir, 'data'), '-o', opts, '-l', path.join(this.dir, 'log'), '-w', 'start']);
  }

  /** `pg_ctl stop -m fast` (connections are cut, transactions roll back) or `immediate` (a crash: recovery at the next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.exec('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', mode, '-w', 'stop']);
  }

  /** A query on a connection of its own (the postgres database unless told). */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = [], database = 'postgres'): Promise<T[]> {
    const c = new Client({ connectionString: this.url(database) });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  /** `pg_terminate_backend` of every other connection to `database`; answers how many were cut. */
  async terminate(database: string): Promise<number> {
    const rows = await this.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [database],
    );
    return rows[0].n;
  }

  /** The server's processes (the postmaster and its children). */
  private async pids(): Promise<number[]> {
    const postmaster = Number(readFileSync(path.join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = await run('pgrep', ['-P', String(postmaster)]).then(
      (r) => r.stdout.split('\n').filter(Boolean).map(Number),
      () => [] as number[],
    );
    return [postmaster, ...children];
  }

  /** SIGSTOP to every server process: connections stay open and nothing answers (a hung host, a network cut). */
  async freeze(): Promise<void> {
    for (const pid of await this.pids()) process.kill(pid, 'SIGSTOP');
  }

  async thaw(): Promise<void> {
    for (const pid of await this.pids()) process.kill(pid, 'SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.thaw().catch(() => undefined);
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
