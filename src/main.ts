import 'reflect-metadata';
import * as net from 'node:net';
import { createGateway } from './bootstrap';
import { createRootLogger } from './common/logger';
import { ConfigError, loadConfig } from './config/config';
import { DatabaseUnreachableError } from './database/database';
import { DataDirectoryInUseError, lockDataDirectory } from './database/embedded-database';

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
  let gateway;
  try {
    gateway = await createGateway(config, { logger: log });
  } catch (err) {
    if (err instanceof DataDirectoryInUseError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(3);
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
  log.info(
    { port: config.port, host: config.host, database: config.databaseUrl ? 'postgresql' : `embedded (${config.dataDir})`, deviceAdmission: config.deviceAdmission, timeZone: config.timeZone },
    'cvsecurity-gateway listening',
  );
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await gateway.close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
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
