import * as fs from 'node:fs';
import * as path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export class DataDirectoryInUseError extends Error {}

export interface EmbeddedDatabase {
  url: string;
  /** The pg pool size the embedded database can serve correctly. */
  poolSize: number;
  /** A tarball of the data directory as it is now (uncompressed): what startEmbeddedDatabase's `from` takes. */
  dumpDataDir(): Promise<Blob>;
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
 * Two processes on one PGlite directory silently lose rows, so the directory is locked. A lock left by a
 * dead process (kill -9) is taken over.
 */
export function lockDataDirectory(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8').trim() === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number.parseInt(fs.readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && processAlive(holder)) {
        throw new DataDirectoryInUseError(
          `The data directory ${dataDir} is in use by another gateway process (pid ${holder}). ` +
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
export async function startEmbeddedDatabase(dataDir: string | undefined, from?: Blob): Promise<EmbeddedDatabase> {
  const unlock = dataDir ? lockDataDirectory(dataDir) : () => undefined;
  try {
    const db = dataDir ? new PGlite(path.join(dataDir, 'pgdata')) : new PGlite(from ? { loadDataDir: from } : undefined);
    await db.waitReady;
    // Room for the app's one connection plus operators' tools (psql, the token command is refused by the lock).
    const maxConnections = 4;
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
    await server.start();
    const conn = server.getServerConn();
    const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      // One connection: the socket server feeds every connection's protocol messages into PGlite's single
      // session one message at a time, so two connections' extended-protocol queries (Parse/Bind/Execute)
      // interleave and clobber each other's unnamed statements ("bind message supplies 4 parameters, but
      // prepared statement requires 1"). The pool serialises them instead.
      poolSize: 1,
      dumpDataDir: async () => {
        // A checkpoint first: a copy whose last changes are only in the WAL is replayed on load, and replay
        // advances every sequence by the values it logs ahead (32), so ids would start at 34 instead of 2.
        await db.exec('CHECKPOINT');
        return (await db.dumpDataDir('none')) as Blob;
      },
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
