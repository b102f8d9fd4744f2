import * as fs from 'node:fs';
import * as path from 'node:path';
// Types only here: PGlite is loaded when an embedded database starts (startEmbeddedDatabase), so a gateway on
// DATABASE_URL (every test gateway, each production PostgreSQL start) does not load the WASM build's modules.
import type * as PgliteModule from '@electric-sql/pglite';
import type { PGlite } from '@electric-sql/pglite';
import type * as PgliteSocketModule from '@electric-sql/pglite-socket';
import type { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { EmbeddedSessionQueue } from './embedded-session-queue';
import { stopPoint } from './start-stop';

export class DataDirectoryInUseError extends Error {}

/**
 * DATA_DIR cannot be created or written by this process: a directory another user owns (a Docker volume mounted
 * from a host folder root created, while the image runs as `node`), a read-only mount, a path through a file.
 * A bad DATA_DIR, said as such (exit code 2), rather than a crash with fs's stack.
 */
export class DataDirectoryUnusableError extends Error {}

// ENOENT: a directory whose parent exists yet cannot hold it (/proc, /sys), as makeDataDirectory asks.
const UNUSABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOENT']);

/**
 * `mkdir -p` one level at a time. Node's own recursive mkdirSync spins forever on a path under /proc or /sys
 * (mkdir there says ENOENT although the parent exists, and Node retries the parent): `DATA_DIR=/proc/foo` hung
 * the start, deaf to Ctrl-C, instead of refusing the setting. Here each level is made once, the parent first,
 * and any refusal is thrown (ENOENT included) for unusable() to word.
 */
function makeDataDirectory(dir: string): void {
  try {
    if (fs.statSync(dir).isDirectory()) return;
    throw Object.assign(new Error(`ENOTDIR: ${dir} is a file, not a directory`), { code: 'ENOTDIR' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const parent = path.dirname(dir);
  if (parent !== dir) makeDataDirectory(parent);
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    // Made meanwhile by another process: fine when it is a directory.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(dir).isDirectory()) throw err;
  }
}

/** The command (as root) that gives DATA_DIR to `uid`: a directory that is not there yet is made first, else chown has nothing to give. */
function giveCommand(dataDir: string, uid: number): string {
  let exists = false;
  try {
    exists = fs.statSync(dataDir).isDirectory();
  } catch {
    // not there (or not reachable): made by the command
  }
  return `${exists ? '' : `mkdir -p ${dataDir} && `}chown -R ${uid} ${dataDir}`;
}

function unusable(dataDir: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (!UNUSABLE.has(code)) return err as Error;
  const uid = process.getuid?.();
  const who = uid === undefined ? 'this process' : `this process (uid ${uid})`;
  // Giving the directory to the gateway's user helps a permission refusal only: not a file, /proc or a read-only mount.
  const chown = code === 'EACCES' || code === 'EPERM'
    ? `Give the directory to the user the gateway runs as (${uid === undefined ? '' : `${giveCommand(dataDir, uid)}; `}the Docker image runs as node, uid 1000), `
    : '';
  return new DataDirectoryUnusableError(
    `DATA_DIR ${dataDir} cannot be used: ${who} cannot create or write it (${(err as Error).message}). ` +
      `${chown}${chown ? 'set' : 'Set'} DATA_DIR to a directory it may write, or set DATABASE_URL to use a PostgreSQL server.`,
    { cause: err },
  );
}

export interface EmbeddedDatabase {
  url: string;
  /** The pg pool size the embedded database can serve correctly. */
  poolSize: number;
  /** A tarball of the data directory as it is now (uncompressed): what startEmbeddedDatabase's `from` takes. */
  dumpDataDir(): Promise<Blob>;
  /** Protocol messages of its connections waiting for the database's one session. */
  waiting(): number;
  stop(): Promise<void>;
}

const LOCK_FILE = 'gateway.lock';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Who a process is, beyond its pid: the boot and the process's start time (Linux /proc). A pid in a lock file left
 * by a crash or a power cut may belong to another program after the restart (pids are reused, and a host or
 * container restart hands them out again); the start time tells the two apart. Undefined where /proc is missing.
 */
function processIdentity(pid: number): string | undefined {
  try {
    const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, which may hold spaces): state is field 3, starttime field 22.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start ? `${boot}:${start}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Two processes on one PGlite directory silently lose rows, so the directory is locked: the lock file holds the
 * pid and the identity (processIdentity) of its holder. A lock left by a dead process (kill -9, a power cut) is
 * taken over, also when its pid now belongs to another program.
 */
/** The lock's holder as its file names it: pid, identity, and whether it said it is stopping (markDataDirectoryStopping). */
function readLock(lockPath: string): { holder: number; identity: string | undefined; stopping: boolean } | undefined {
  try {
    const [pidLine, identity, state] = fs.readFileSync(lockPath, 'utf8').split('\n');
    return { holder: Number.parseInt(pidLine, 10), identity: identity?.trim() || undefined, stopping: state?.trim() === 'stopping' };
  } catch {
    return undefined;
  }
}

/** Whether the lock's holder is a live process, the one that wrote it (not another one that got its pid since). */
function holderAlive(lock: { holder: number; identity: string | undefined }): boolean {
  const same = !lock.identity || processIdentity(lock.holder) === undefined || processIdentity(lock.holder) === lock.identity;
  return Number.isInteger(lock.holder) && lock.holder !== process.pid && processAlive(lock.holder) && same;
}

/**
 * Marks this process's lock of `dataDir` as stopping (a graceful stop began): a gateway started on the directory
 * meanwhile waits for it to end (waitWhileDataDirectoryStopping) instead of refusing to start.
 */
export function markDataDirectoryStopping(dataDir: string): void {
  const lockPath = path.join(dataDir, LOCK_FILE);
  const lock = readLock(lockPath);
  if (lock?.holder !== process.pid) return;
  try {
    fs.writeFileSync(lockPath, `${process.pid}\n${lock.identity ?? ''}\nstopping\n`);
  } catch {
    /* the stop goes on; a new start then says the directory is in use, as before */
  }
}

/**
 * Waits (at most `ms`) while the data directory's lock is held by a live gateway that is stopping: `npm start`
 * killed with -9 leaves its gateway running, which notices and stops (launcher-watch.ts), and a start right after
 * should follow it, not refuse. True when no stopping holder is left.
 *
 * The orphan notices its launcher is gone only at its next check (launcher-watch.ts, every second), and a start
 * right after the kill can read the lock before that: a live holder not (yet) stopping is watched for `graceMs`
 * more, and followed if it says it stops meanwhile. Without it, a start at once after the kill was refused "in
 * use" (exit code 3) now and then, by the very gateway that was about to stop. A holder that stays running past
 * the grace is a gateway really running: true, and the start refuses as before.
 */
export async function waitWhileDataDirectoryStopping(dataDir: string, ms: number, graceMs = 0): Promise<boolean> {
  const lockPath = path.join(dataDir, LOCK_FILE);
  const started = Date.now();
  for (const end = started + ms; ; ) {
    const lock = readLock(lockPath);
    if (!lock || !holderAlive(lock)) return true;
    if (!lock.stopping && Date.now() - started >= graceMs) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function lockDataDirectory(dataDir: string): () => void {
  try {
    makeDataDirectory(dataDir);
  } catch (err) {
    throw unusable(dataDir, err);
  }
  const lockPath = path.join(dataDir, LOCK_FILE);
  const mine = processIdentity(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, mine ? `${process.pid}\n${mine}\n` : String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8').split('\n')[0].trim() === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(dataDir, err);
      const lock = readLock(lockPath);
      if (lock && holderAlive(lock)) {
        throw new DataDirectoryInUseError(
          `The data directory ${dataDir} is in use by another gateway process (pid ${lock.holder}). ` +
            'Stop that process, use another DATA_DIR, or set DATABASE_URL to share a PostgreSQL server.',
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DataDirectoryInUseError(`Could not lock the data directory ${dataDir}`);
}

/**
 * PGlite (PostgreSQL compiled to WASM) behind a wire-protocol socket on 127.0.0.1, so the app keeps one
 * code path: the plain pg driver. It has no authentication, hence loopback only. `dataDir` undefined keeps
 * the database in memory (tests); `from`, a dumpDataDir tarball, then gives it that content instead of an
 * empty cluster (about 0.5 s to start where creating a cluster takes 3: the tests start one per file from a
 * migrated template).
 */
/**
 * The socket server's queue (a private field of @electric-sql/pglite-socket's server, read by each connection it
 * accepts) replaced with EmbeddedSessionQueue, which keeps one connection's query whole in the shared session.
 * A version of the package without that field fails the start here instead of losing statements.
 */
function keepSessionsWhole(server: PGLiteSocketServer, db: PGlite): void {
  const internals = server as unknown as { queryQueue?: unknown };
  if (typeof (internals.queryQueue as { enqueue?: unknown } | undefined)?.enqueue !== 'function') {
    throw new Error('@electric-sql/pglite-socket has no queryQueue to replace: check EmbeddedSessionQueue against this version');
  }
  internals.queryQueue = new EmbeddedSessionQueue(db);
}

/**
 * Written in DATA_DIR while its database cluster is being created, removed once the cluster is up. PGlite takes a
 * pgdata with PG_VERSION in it for a cluster to resume, and creating one writes PG_VERSION long before it ends (a
 * minute, on a loaded machine): a first start stopped meanwhile (SIGTERM, Ctrl-C, kill -9) left a cluster that
 * could never start. A start that finds this file finds such a half-made cluster, which holds no data yet.
 */
const CREATING_FILE = 'pgdata.creating';

export interface StartEmbeddedOptions {
  /** Aborted when the gateway is asked to stop: the creation of a fresh cluster is left at once (StartStoppedError). */
  signal?: AbortSignal;
  log?: (message: string) => void;
  /**
   * Called once DATA_DIR is known usable and this process holds it (created, writable, locked), before the
   * database starts: "starting the embedded database" said before a refusal of DATA_DIR told a newcomer it started.
   */
  onStarting?: () => void;
}

/** PGlite on DATA_DIR's cluster, created when there is none (or only a half-made one: CREATING_FILE). */
async function openDataDir(PGliteClass: typeof PGlite, dataDir: string, options: StartEmbeddedOptions): Promise<PGlite> {
  const pgdata = path.join(dataDir, 'pgdata');
  const creating = path.join(dataDir, CREATING_FILE);
  if (fs.existsSync(creating)) {
    options.log?.(`the embedded database's creation under ${dataDir} was interrupted by an earlier start's stop: creating it again`);
    fs.rmSync(pgdata, { recursive: true, force: true });
  }
  if (fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    const db = new PGliteClass(pgdata);
    // Resuming an existing cluster (its recovery included) is not interrupted: createGateway stops once it is up.
    await db.waitReady;
    return db;
  }
  fs.writeFileSync(creating, `${process.pid}
`);
  const db = new PGliteClass(pgdata);
  // A stop during the creation leaves it behind at once: the cluster holds nothing yet, and CREATING_FILE tells the
  // next start to create it again. (PGlite goes on in the background until the process exits, as it then does.)
  stopPoint(options.signal);
  await new Promise<void>((resolve, reject) => {
    const stopped = () => {
      try {
        stopPoint(options.signal);
      } catch (err) {
        reject(err as Error);
      }
    };
    options.signal?.addEventListener('abort', stopped, { once: true });
    db.waitReady.then(resolve, reject).finally(() => options.signal?.removeEventListener('abort', stopped));
  });
  fs.rmSync(creating, { force: true });
  return db;
}

export async function startEmbeddedDatabase(dataDir: string | undefined, from?: Blob, options: StartEmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const unlock = dataDir ? lockDataDirectory(dataDir) : () => undefined;
  try {
    options.onStarting?.();
    // import() gives the packages' ES module builds (what the tests' runner loads too), typed here as the CommonJS
    // ones this file names: one class either way.
    const [{ PGlite: PGliteClass }, { PGLiteSocketServer: SocketServer }] = (await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')])) as unknown as [
      typeof PgliteModule,
      typeof PgliteSocketModule,
    ];
    const db = dataDir ? await openDataDir(PGliteClass, dataDir, options) : new PGliteClass(from ? { loadDataDir: from } : undefined);
    await db.waitReady;
    // Room for the app's one connection plus operators' tools (psql, the token command is refused by the lock).
    const maxConnections = 4;
    const server = new SocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    keepSessionsWhole(server, db);
    await server.start();
    const conn = server.getServerConn();
    const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      // One connection: every connection's statements run in PGlite's single session, one after the other
      // (EmbeddedSessionQueue keeps a query's Parse to Sync together), so a pool of more only waits there.
      poolSize: 1,
      dumpDataDir: async () => {
        // A checkpoint first: a copy whose last changes are only in the WAL is replayed on load, and replay
        // advances every sequence by the values it logs ahead (32), so ids would start at 34 instead of 2.
        await db.exec('CHECKPOINT');
        return (await db.dumpDataDir('none')) as Blob;
      },
      waiting: () => server.getStats().queuedQueries,
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.stop();
        await db.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
