import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

/** dist/src/main.js, from dist/bench/lib/ (BENCH_GATEWAY_MAIN: another build's, to compare two versions with one bench). */
const MAIN_JS = process.env.BENCH_GATEWAY_MAIN ?? path.resolve(__dirname, '../../src/main.js');

export interface GatewayChild {
  port: number;
  child: ChildProcess;
  /** SIGTERM, then SIGKILL after 10 s. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * One gateway process as production runs it (`node dist/src/main.js`), on its own port, against `databaseUrl`,
 * with auto admission and warn-level logs; resolves once /health answers 200. The load generators' panels never
 * answer commands, so they are admitted as converged panels would be (DEVICE_CLEAR_ON_ADD=false: no clearing
 * owed at admission, whose commands would wait for results all through the phases).
 */
export async function startGateway(databaseUrl: string, env: Record<string, string> = {}, opts: { quietStdout?: boolean; nodeArgs?: string[] } = {}): Promise<GatewayChild> {
  // BENCH_GATEWAY_PORT: a fixed port (a shared machine where each session keeps to its own range), else any free one.
  const port = process.env.BENCH_GATEWAY_PORT ? Number(process.env.BENCH_GATEWAY_PORT) : await freePort();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), MAIN_JS], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', DEVICE_ADMISSION: 'auto', DEVICE_CLEAR_ON_ADD: 'false', TIME_ZONE: 'UTC', LOG_LEVEL: 'warn', ...env },
    // quietStdout: the log lines still get written (their cost is part of the figures), just not shown.
    stdio: ['ignore', opts.quietStdout ? 'ignore' : 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode} during start`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('gateway did not answer /health within 60 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
