import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP receiver that answers `status` (500 while "down") and records every request. */
export class Receiver {
  status = 500;
  /** When set and it returns a status for a request body, that status is answered instead of `status`. */
  answer?: (body: string) => number | undefined;
  readonly requests: Array<{ headers: IncomingHttpHeaders; body: string; answered: number; at: number }> = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const answered = this.answer?.(body) ?? this.status;
        this.requests.push({ headers: req.headers, body, answered, at: Date.now() });
        res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'down');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
  }

  delivered() {
    return this.requests.filter((r) => r.answered === 200);
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
