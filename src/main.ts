// First: a stop asked for while the rest loads is kept for main()'s handlers (see early-signals.ts).
import { releaseEarlySignals } from './early-signals';
import 'reflect-metadata';
import * as net from 'node:net';
import * as path from 'node:path';
// Only light modules here: Nest, TypeORM and every gateway module (./bootstrap, ./start-guide) cost about
// 1.5 CPU-s to load, so they are loaded once the configuration, the port and HOST are known good (loadGateway). A
// start refused for PORT, HOST or a taken port says so in a tenth of that; the error classes tested below live in
// modules that load neither.
import { createRootLogger } from './common/logger';
import { STOP_DEADLINE_MS } from './common/stop-deadline';
import { ConfigError, loadConfig } from './config/config';
import { DatabaseUnreachableError } from './database/database-unreachable';
import { StartStoppedError } from './database/start-stop';
import { DataDirectoryInUseError, DataDirectoryUnusableError, lockDataDirectory, markDataDirectoryStopping, waitWhileDataDirectoryStopping } from './database/embedded-database';
import { CHECK_EVERY_MS as LAUNCHER_CHECK_MS, watchLaunchers } from './common/launcher-watch';

/** A second SIGTERM/SIGINT within this of the first is the same request (npm's forward of a Ctrl-C), not "exit at once". */
const REPEATED_SIGNAL_MS = 2_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createRootLogger(config.logLevel);
  // A stop is honoured from the first moment, not only once listening. Without handlers, a SIGTERM during the
  // first start's migrations ended the process mid-statement without a word, and node as PID 1 (a container
  // without an init) ignored it: `docker stop` waited for its kill. Until the database is touched the process
  // just exits; after, the start ends at its next safe point (createGateway: the embedded database up and closed
  // again, the migration transaction rolled back), so the next start succeeds. A second signal exits at once.
  const starting = new AbortController();
  let databaseTouched = false;
  let stopNow: ((signal: string) => Promise<void>) | undefined;
  let asked = false;
  let askedAt = 0;
  const stopStart = (why: string) => {
    if (asked) {
      // One Ctrl-C on `npm start` arrives twice: the terminal sends SIGINT to npm and the gateway alike, and npm
      // forwards its own to the gateway milliseconds later. Only a signal sent again later means "stop now".
      if (Date.now() - askedAt < REPEATED_SIGNAL_MS) return;
      log.warn({ signal: why }, `${why} while already stopping: exiting at once`);
      process.exit(1);
    }
    asked = true;
    askedAt = Date.now();
    if (stopNow) return void stopNow(why);
    log.warn({ signal: why }, `${why} while starting: stopping${databaseTouched ? ' at the next safe point (no migration is left half-done)' : ''}`);
    if (!databaseTouched) process.exit(0);
    if (!config.databaseUrl) markDataDirectoryStopping(config.dataDir);
    starting.abort(new StartStoppedError(why));
    // PostgreSQL rolls back what a vanished connection left uncommitted, so DATABASE_URL's start need not be
    // waited for long (a connection attempt to a host that does not answer would hold it).
    if (config.databaseUrl) setTimeout(() => process.exit(0), 3_000).unref();
  };
  const onSignal = (signal: NodeJS.Signals) => stopStart(signal);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  releaseEarlySignals();
  // Watched from the start: an npm start killed during a long first start stops as on SIGTERM.
  watchLaunchers((pid) => {
    log.warn({ pid }, 'the npm process that started this gateway is gone (killed): stopping, as on SIGTERM');
    if (!config.databaseUrl) markDataDirectoryStopping(config.dataDir);
    // Its npm ends after forwarding a Ctrl-C: a stop already under way, not a second request to exit at once.
    if (!asked) stopStart('launcher gone');
  });
  // A gateway stopping on this data directory (its npm start killed, see launcher-watch.ts) is followed, not refused;
  // one that has not noticed its launcher's end yet (it checks every second) is given two checks to say it stops.
  if (!config.databaseUrl && !(await waitWhileDataDirectoryStopping(config.dataDir, 20_000, 2 * LAUNCHER_CHECK_MS + 500))) log.warn('the gateway stopping on this data directory is still running after 20 s');
  // Try the port before the database: a first embedded start migrates for a minute on a loaded machine, and
  // a newcomer whose port is taken (or whose HOST is mistyped) should hear so at once, not after it.
  const early = await probeListen(config.port, config.host);
  if (early) {
    // The port's holder is most often a gateway already running on this data directory (started twice): that is
    // what to say (exit code 3), as the start did before it tried the port first; "set PORT to another" would only
    // lead to that refusal next.
    if (early.inUse && !config.databaseUrl) exitIfDataDirectoryHeld(config.dataDir);
    exitPortProblem(config.port, config.host, early);
  }
  // The database's place too, before the heavy modules load: a DATA_DIR this user cannot write or another gateway
  // holds, or a DATABASE_URL server that does not answer (after DATABASE_WAIT_SECONDS), refuses the credentials or
  // may not create the database, is said in a tenth of the CPU a start that loaded them all took to say it.
  if (config.databaseUrl) await exitIfDatabaseUnusable(config.databaseUrl, config.databaseWaitSeconds, log, starting.signal);
  else exitIfDataDirectoryUnusable(config.dataDir);
  const { createGateway, accountCounts, lanAddresses, nonDefaultDataDir, npmScriptsPresent, startGuide } = await loadGateway();
  // A stop asked for while they loaded (seconds on a busy machine) reaches its handler only at the event loop's next
  // poll: two turns of the loop let it run now, so it ends the start at once, before the database is touched.
  await new Promise(setImmediate);
  await new Promise(setImmediate);
  let gateway;
  databaseTouched = true;
  try {
    gateway = await createGateway(config, { logger: log, signal: starting.signal });
  } catch (err) {
    if (err instanceof StartStoppedError) {
      log.info({ signal: err.signalName }, 'stopped before the gateway was ready; the database is as it was before this start, and the next start begins again');
      process.exit(0);
    }
    if (err instanceof DataDirectoryInUseError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(3);
    }
    if (err instanceof DataDirectoryUnusableError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof DatabaseUnreachableError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(5);
    }
    throw err;
  }
  try {
    await gateway.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    const problem = portProblem(err);
    if (!problem) throw err;
    await gateway.close().catch(() => undefined);
    exitPortProblem(config.port, config.host, problem);
  }
  // The port bound: PORT=0 asks the system for a free one, and the lines below name the one it gave.
  const port = (gateway.app.getHttpServer().address() as net.AddressInfo | null)?.port ?? config.port;
  log.info(
    { port, host: config.host, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})`, deviceAdmission: config.deviceAdmission, timeZone: config.timeZone },
    'cvsecurity-gateway listening',
  );
  // Where to go next, and what a fresh install still lacks (no operator, no API token): said once, never fatal.
  try {
    const counts = await accountCounts(gateway.app);
    const root = path.resolve(__dirname, '../..');
    const guide = startGuide({ port, host: config.host, embedded: !config.databaseUrl, lanAddresses: lanAddresses(), npmScripts: npmScriptsPresent(root), dataDir: nonDefaultDataDir(config.dataDir, root), ...counts });
    for (const line of guide.info) log.info(line);
    for (const line of guide.warn) log.warn(line);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'could not read the operator and API client counts for the start guide');
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    if (!config.databaseUrl) markDataDirectoryStopping(config.dataDir);
    const force = setTimeout(() => process.exit(1), STOP_DEADLINE_MS);
    force.unref();
    try {
      await gateway.close();
    } finally {
      process.exit(0);
    }
  };
  stopNow = shutdown;
  // Asked to stop while the app was being built, after the last safe point: stop now that it can close whole.
  if (starting.signal.aborted) void shutdown((starting.signal.reason as StartStoppedError).signalName);
}

/**
 * The gateway's heavy modules, loaded after the checks above. import() of these compiled CommonJS files goes through
 * Node's CommonJS loader and its one module cache, so the error classes main() tests for are the very ones
 * bootstrap's modules throw.
 */
async function loadGateway() {
  const [{ createGateway }, guide] = await Promise.all([import('./bootstrap.js'), import('./start-guide.js')]);
  return { createGateway, ...guide };
}

interface PortProblem {
  why: string;
  todo: string;
  /** The address is taken (EADDRINUSE). */
  inUse?: true;
}

/** Exit code 3 when another live gateway process holds the embedded data directory (the lock is released at once). */
function exitIfDataDirectoryHeld(dataDir: string): void {
  try {
    lockDataDirectory(dataDir)();
  } catch (err) {
    if (!(err instanceof DataDirectoryInUseError)) return;
    process.stderr.write(`${err.message}\n`);
    process.exit(3);
  }
}

/**
 * Exit code 2 when this user cannot create or write DATA_DIR, 3 when another live gateway process holds it: the
 * embedded database's own lock, taken (the directory made) and released at once; createGateway takes it again.
 */
function exitIfDataDirectoryUnusable(dataDir: string): void {
  try {
    lockDataDirectory(dataDir)();
  } catch (err) {
    if (!(err instanceof DataDirectoryInUseError) && !(err instanceof DataDirectoryUnusableError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(err instanceof DataDirectoryInUseError ? 3 : 2);
  }
}

/**
 * Exit code 5 when DATABASE_URL's server does not answer within DATABASE_WAIT_SECONDS, refuses the credentials, or
 * lacks the database and may not create it (ensureDatabase, which creates it when it may: createGateway then finds
 * it). Only pg is loaded for it. A stop asked for meanwhile exits at once, as before the database is touched.
 */
async function exitIfDatabaseUnusable(url: string, waitSeconds: number, log: ReturnType<typeof createRootLogger>, signal: AbortSignal): Promise<void> {
  const { ensureDatabase } = await import('./database/ensure-database.js');
  try {
    await ensureDatabase(url, (message) => log.warn(message), waitSeconds * 1000, signal);
  } catch (err) {
    if (!(err instanceof DatabaseUnreachableError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(5);
  }
}

// Not a crash: the port is someone else's (another gateway, often) or not ours to open. Say what to do.
function exitPortProblem(port: number, host: string, problem: PortProblem): never {
  process.stderr.write(`Port ${port} on ${host} ${problem.why}: ${problem.todo}.\n`);
  process.exit(4);
}

/** Opens and closes the listening address once; the problem it met, or null when it could be opened. */
function probeListen(port: number, host: string): Promise<PortProblem | null> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err) => {
      const problem = portProblem(err);
      if (problem) resolve(problem);
      else reject(err);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}

function portProblem(err: unknown): PortProblem | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return { why: 'cannot be opened: the host name does not resolve to an address', todo: 'set HOST to one of this machine\'s addresses, or to 0.0.0.0 for all of them' };
  }
  if (code === 'EADDRINUSE') return { why: 'is already in use (another gateway, or another program)', todo: 'stop that program or set PORT to another', inUse: true };
  if (code === 'EACCES') return { why: 'cannot be opened by this user (ports below 1024 need privileges)', todo: 'set PORT to 1024 or above, or run with the privilege' };
  if (code === 'EADDRNOTAVAIL') return { why: 'is not an address of this machine', todo: 'set HOST to one of its addresses, or to 0.0.0.0 for all of them' };
  return null;
}

main().catch((err) => {
  process.stderr.write(`cvsecurity-gateway failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
