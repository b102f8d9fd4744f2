import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP receiver that answers `status` (500 while "down") and records every request. */
export class Receiver {
  status = 500;
  /** When set and it returns a status for a request body, that status is answered instead of `status`. */
  answer?: (body: string) => number | undefined;
  /** How long each answer is held back (a receiver slower than the gateway's timeout). */
  delayMs = 0;
  /** When set and it returns a promise for a request body, the request is answered (status chosen then) once it settles. */
  hold?: (body: string) => Promise<void> | undefined;
  readonly requests: Array<{ headers: IncomingHttpHeaders; body: string; answered: number; at: number }> = [];
  private server!: Server;
  url = '';

  /** A receiver already listening on a free port and answering `status` to every request. */
  static async answering(status = 200): Promise<Receiver> {
    const r = new Receiver();
    r.status = status;
    await r.start();
    return r;
  }

  /** Listens on `port` (0: any free one), so a receiver can come back where a refused one was. */
  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        await this.hold?.(body);
        const answered = this.answer?.(body) ?? this.status;
        const at = Date.now();
        const reply = () => {
          this.requests.push({ headers: req.headers, body, answered, at });
          res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'down');
        };
        if (this.delayMs > 0) setTimeout(reply, this.delayMs);
        else reply();
      });
    });
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
  }

  delivered() {
    return this.requests.filter((r) => r.answered === 200);
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
