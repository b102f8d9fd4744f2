/**
 * A tiny stand-in for the gateway's device side, for testing the simulator itself (never the server).
 * Answers the handshake / registry / push, hands out queued command lines on getrequest, records everything.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  rawQuery: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakePushServerOptions {
  /** Answer the handshake with the registry block (true) or `OK` (false, default). */
  knownDevice?: boolean;
  /** `Date` header value (default: now). */
  date?: () => string;
  /** Extra configuration lines for handshake / push replies (e.g. `TimeZone=8`). */
  config?: Record<string, string>;
  /** Registry reply body (default `RegistryCode=Uy47fxftP3`). */
  registryBody?: string;
  /** Commands handed out per getrequest (default: all queued). */
  batchSize?: number;
  /** Answer of /iclock/devicecmd (default 200 `OK`). */
  devicecmdReply?: () => { status: number; body: string };
}

export class FakePushServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: string[] = [];
  private server?: http.Server;
  baseUrl = '';

  constructor(readonly opts: FakePushServerOptions = {}) {}

  /** Queue command blocks (a block may hold several LF-joined lines). */
  enqueue(...blocks: string[]): void {
    this.queue.push(...blocks);
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  get devicecmdBodies(): string[] {
    return this.requestsTo('/iclock/devicecmd').map((r) => r.body);
  }

  clear(): void {
    this.requests.length = 0;
    this.queue.length = 0;
  }

  private configBlock(): string[] {
    return [
      'ServerVersion=3.0.1',
      'ServerName=ADMS',
      'PushProtVer=3.0.1',
      'ErrorDelay=30',
      'RequestDelay=2',
      'TransTimes=00:00;14:00',
      'TransInterval=1',
      'TransTables=User Transaction',
      'Realtime=1',
      'SessionID=30BFB04B2C8AECC72C01C03BFD549D15',
      'TimeoutSec=10',
      ...Object.entries(this.opts.config ?? {}).map(([k, v]) => `${k}=${v}`),
    ];
  }

  private answer(req: RecordedRequest): { status: number; body: string; headers?: Record<string, string> } {
    switch (req.path) {
      case '/iclock/cdata':
        if (req.method === 'GET') {
          return { status: 200, body: this.opts.knownDevice ? ['registry=ok', 'RegistryCode=Uy47fxftP3', ...this.configBlock()].join('\n') : 'OK' };
        }
        if (req.query.table === 'tabledata') return { status: 200, body: `${req.query.tablename}=${req.body.split(/\r?\n/).filter(Boolean).length}` };
        return { status: 200, body: 'OK' };
      case '/iclock/registry':
        return {
          status: 200,
          body: this.opts.registryBody ?? 'RegistryCode=Uy47fxftP3',
          headers: { 'Set-Cookie': 'JSESSIONID=30BFB04B2C8AECC72C01C03BFD549D15; Path=/; HttpOnly' },
        };
      case '/iclock/push':
        return { status: 200, body: this.configBlock().join('\n') };
      case '/iclock/getrequest': {
        if (!this.queue.length) return { status: 200, body: 'OK' };
        const n = this.opts.batchSize ?? this.queue.length;
        return { status: 200, body: this.queue.splice(0, n).join('\n') };
      }
      case '/iclock/devicecmd':
        return this.opts.devicecmdReply?.() ?? { status: 200, body: 'OK' };
      case '/iclock/querydata':
        if (req.query.type === 'tabledata') return { status: 200, body: `${req.query.tablename}=${req.query.count}` };
        return { status: 200, body: 'OK' };
      default:
        return { status: 200, body: 'OK' };
    }
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const rec: RecordedRequest = {
          method: req.method ?? '',
          path: u.pathname,
          rawQuery: u.search.replace(/^\?/, ''),
          query: Object.fromEntries(u.searchParams.entries()),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(rec);
        const a = this.answer(rec);
        res.writeHead(a.status, {
          'Content-Type': 'text/plain;charset=UTF-8',
          Date: this.opts.date ? this.opts.date() : new Date().toUTCString(),
          ...(a.headers ?? {}),
        });
        res.end(a.body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
