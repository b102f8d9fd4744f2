import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { isTestDatabaseName, TEST_DB_MARK } from './test-db-plan';

/**
 * A test run stopped with Ctrl-C (or killed) never reaches global-setup's teardown, so its throwaway databases
 * stay on the server and its embedded templates in the temporary directory. The next run sweeps them: only names
 * this suite makes (`cvgw_test_<time>_<pid>…`), only when that pid is no process on this machine (a run still going,
 * here or in another checkout, keeps its own), and, for databases, only on a server on this machine (a pid says
 * nothing about another machine's processes) and only while nobody is connected to them.
 */
const RUN_NAME = new RegExp(`^cvgw${TEST_DB_MARK}[0-9a-z]+_([0-9]+)(?:_|$)`);
const EMBEDDED_FILE = new RegExp(`^cvgw${TEST_DB_MARK}embedded_[a-z]+_([0-9]+)_[0-9a-z]+\\.tar$`);

export function runPid(name: string, pattern: RegExp = RUN_NAME): number | undefined {
  const m = pattern.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: a process of another user holds the pid: it runs.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a server URL names this machine (a socket path or a loopback host). */
export function serverIsLocal(adminUrl: string): boolean {
  const host = new URL(adminUrl).hostname.replace(/^\[|\]$/g, '');
  return host === '' || host === 'localhost' || host === '::1' || /^127\./.test(host) || host.startsWith('/');
}

/** A database of a finished run: a suite name whose run's pid is no process here. */
export function isStaleRunDatabase(name: string, alive: (pid: number) => boolean = processRuns): boolean {
  const pid = runPid(name);
  return pid !== undefined && pid !== process.pid && isTestDatabaseName(name) && !alive(pid);
}

/** Drops the databases earlier runs left; returns their names. Never fails the run: a sweep that cannot finish leaves the rest. */
export async function sweepStaleDatabases(admin: Client, adminUrl: string): Promise<string[]> {
  if (!serverIsLocal(adminUrl)) return [];
  const { rows } = await admin.query<{ datname: string; users: number }>(
    `SELECT d.datname, (SELECT count(*) FROM pg_stat_activity a WHERE a.datname = d.datname)::int AS users
       FROM pg_database d WHERE d.datname LIKE $1`,
    [`cvgw${TEST_DB_MARK.replace(/_/g, '\\_')}%`],
  );
  const dropped: string[] = [];
  for (const { datname, users } of rows) {
    if (users > 0 || !isStaleRunDatabase(datname)) continue;
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${datname}`);
      dropped.push(datname);
    } catch {
      // Someone connected meanwhile, or it is a template being copied: leave it for a later run.
    }
  }
  return dropped;
}

/** Removes the embedded templates earlier runs left in the temporary directory; returns their names. */
export function sweepStaleEmbeddedFiles(dir: string = os.tmpdir()): string[] {
  const removed: string[] = [];
  for (const file of fs.readdirSync(dir)) {
    const pid = runPid(file, EMBEDDED_FILE);
    if (pid === undefined || pid === process.pid || processRuns(pid)) continue;
    fs.rmSync(path.join(dir, file), { force: true });
    removed.push(file);
  }
  return removed;
}
