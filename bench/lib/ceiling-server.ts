/**
 * The ceiling: a bare `node:http` server answering `OK` to everything, in a child process of its own
 * (fork), so the load generator measures what this machine can do for one HTTP request with nothing
 * behind it. The parent gets the port as its first message.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CeilingServer {
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

export function startCeilingServer(): Promise<CeilingServer> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(__filename, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`ceiling server exited with ${code}`)));
    child.once('message', (port) =>
      resolve({
        port: port as number,
        pid: child.pid,
        stop: () =>
          new Promise<void>((r) => {
            if (child.exitCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
      }),
    );
  });
}

if (require.main === module) {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('OK');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
}
