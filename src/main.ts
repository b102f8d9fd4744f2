import 'reflect-metadata';
import { createGateway } from './bootstrap';
import { createRootLogger } from './common/logger';
import { ConfigError, loadConfig } from './config/config';
import { DatabaseUnreachableError } from './database/database';
import { DataDirectoryInUseError } from './database/embedded-database';

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
    // Not a crash: the port is someone else's (another gateway, often) or not ours to open. Say what to do.
    process.stderr.write(`Port ${config.port} on ${config.host} ${problem.why}: ${problem.todo}.\n`);
    await gateway.close().catch(() => undefined);
    process.exit(4);
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

function portProblem(err: unknown): { why: string; todo: string } | null {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return { why: 'is already in use (another gateway, or another program)', todo: 'stop that program or set PORT to another' };
  if (code === 'EACCES') return { why: 'cannot be opened by this user (ports below 1024 need privileges)', todo: 'set PORT to 1024 or above, or run with the privilege' };
  if (code === 'EADDRNOTAVAIL') return { why: 'is not an address of this machine', todo: 'set HOST to one of its addresses, or to 0.0.0.0 for all of them' };
  return null;
}

main().catch((err) => {
  process.stderr.write(`cvsecurity-gateway failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
