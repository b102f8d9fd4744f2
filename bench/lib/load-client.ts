/**
 * A small keep-alive HTTP/1.1 load generator, run in a child process of its own (fork) so that it never
 * shares an event loop with the server it measures. Each connection sends one request, reads the whole
 * answer (Content-Length or chunked), and sends the next, like autocannon does; latencies are kept per
 * request. The parent sends a LoadPlan and gets LoadFigures back.
 *
 * Plans:
 * - `get`: GET `path` with `{sn}` replaced by the next of `devices` serial numbers, in turn;
 * - `rtlog`: POST /iclock/cdata?SN=..&table=rtlog with `perUpload` events for the next device; each
 *   device's event indexes start at `indexBase` + 1 and never repeat, so every 200 is a distinct event.
 */
import * as net from 'node:net';

export interface LoadPlan {
  port: number;
  connections: number;
  seconds: number;
  kind: 'get' | 'rtlog';
  /** For `get`: the path, `{sn}` replaced per request. */
  path?: string;
  /** Serial numbers are `${snPrefix}${i padded to 6}` for i < devices. */
  snPrefix?: string;
  devices?: number;
  perUpload?: number;
  indexBase?: number;
  /** `lean` (default): this file's own client; `autocannon`: the same plan driven by autocannon, as issue 11 measured. */
  generator?: 'lean' | 'autocannon';
  /** Lean client only: stop after this many requests in all (or `seconds`, whichever comes first); for a fixed workload. */
  requests?: number;
}

export interface LoadFigures {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  /** Answers other than 200 with the expected body. */
  bad: number;
  firstBad?: string;
  /** rtlog: the events the server answered OK for (each acknowledged once). */
  eventsAcked: number;
  /**
   * rtlog: the events sent. The lean client reads every answer before it stops (sent = answered); autocannon
   * stops at its deadline with requests in flight, which the server may still store without their answer
   * being counted, so a correct server stores between eventsAcked and eventsSent.
   */
  eventsSent: number;
  /** The load generator's own CPU seconds (user + system) for the plan, as a child process (the bench's fork). */
  loadCpu?: number;
}

export const snFor = (prefix: string, i: number) => `${prefix}${String(i).padStart(6, '0')}`;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function rtlogBody(index: number, perUpload: number): string {
  const lines: string[] = [];
  for (let k = 0; k < perUpload; k++) {
    const i = index + k;
    const s = i % 86400;
    const time = `2026-07-01 ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
    lines.push(`time=${time}\tpin=${1000 + (i % 500)}\tcardno=0\tsitecode=0\tlinkid=0\teventaddr=${1 + (i % 2)}\tevent=0\tinoutstatus=${i % 2}\tverifytype=1\tindex=${i}`);
  }
  return lines.join('\n');
}

/** Reads one HTTP answer at a time from a socket. */
class ResponseReader {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: ((r: { status: number; body: string }) => void) | undefined;
  private failed: ((e: Error) => void) | undefined;

  constructor(socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      this.tryParse();
    });
    const fail = (e: Error) => this.failed?.(e);
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  next(): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
      this.tryParse();
    });
  }

  private tryParse(): void {
    if (!this.waiting) return;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let bodyStart = end + 4;
    let body: string;
    let consumed: number;
    if (m) {
      const len = Number(m[1]);
      if (this.buf.length < bodyStart + len) return;
      body = this.buf.subarray(bodyStart, bodyStart + len).toString('utf8');
      consumed = bodyStart + len;
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = this.buf.indexOf('\r\n', bodyStart);
        if (lineEnd < 0) return;
        const size = parseInt(this.buf.subarray(bodyStart, lineEnd).toString('latin1'), 16);
        if (this.buf.length < lineEnd + 2 + size + 2) return;
        if (size === 0) {
          consumed = lineEnd + 4;
          break;
        }
        parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        bodyStart = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      body = '';
      consumed = bodyStart;
    }
    this.buf = this.buf.subarray(consumed);
    const w = this.waiting;
    this.waiting = undefined;
    this.failed = undefined;
    w({ status, body });
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
}

/**
 * The plan's requests in turn: devices in rotation; each upload's events numbered on from where that device's
 * last upload ended (from `indexBase` + 1), so that every acknowledged upload carries new events.
 */
function requestSequence(plan: LoadPlan): () => { method: 'GET' | 'POST'; path: string; body?: string } {
  const devices = plan.devices ?? 1;
  const perUpload = plan.perUpload ?? 1;
  const sns = Array.from({ length: devices }, (_, i) => snFor(plan.snPrefix ?? 'BENCH', i));
  const nextIndex = new Array<number>(devices).fill(plan.indexBase ?? 0);
  let turn = 0;
  return () => {
    const d = turn++ % devices;
    if (plan.kind === 'get') return { method: 'GET', path: plan.path!.replace('{sn}', sns[d]) };
    const index = nextIndex[d] + 1;
    nextIndex[d] += perUpload;
    return { method: 'POST', path: `/iclock/cdata?SN=${sns[d]}&table=rtlog&Stamp=9999`, body: rtlogBody(index, perUpload) };
  };
}

/**
 * The same plan driven by autocannon (the generator issue 11's outside measurement used): it spends more CPU
 * per request than the lean client, so on a 2-core machine its ceiling is lower and the server's share of the
 * machine larger. Devices and event indexes advance as in runLoad (requestSequence).
 */
async function runAutocannon(plan: LoadPlan): Promise<LoadFigures> {
  const autocannon = require('autocannon') as (opts: object) => Promise<AutocannonResult>;
  const perUpload = plan.perUpload ?? 1;
  const next = requestSequence(plan);
  let bad = 0;
  let firstBad: string | undefined;
  let eventsAcked = 0;
  let eventsSent = 0;
  // GET plans (the ceiling and the idle polls) use autocannon's cheapest form, pre-encoded requests it cycles
  // through (each connection from the first device on) and its own status count, so that its ceiling is as
  // high as it can make it; uploads need a fresh body each (setupRequest) and their answers read (onResponse).
  const requests =
    plan.kind === 'get'
      ? Array.from({ length: plan.devices ?? 1 }, next)
      : [
          {
            setupRequest: (req: object) => {
              eventsSent += perUpload;
              return { ...req, ...next(), headers: { 'content-type': 'application/push;charset=UTF-8' } };
            },
            onResponse: (status: number, body: string) => {
              if (status !== 200 || body !== 'OK') {
                bad++;
                firstBad ??= `${status} ${String(body).slice(0, 200)}`;
              } else eventsAcked += perUpload;
            },
          },
        ];
  const result = await autocannon({ url: `http://127.0.0.1:${plan.port}`, connections: plan.connections, duration: plan.seconds, requests });
  if (plan.kind === 'get' && result.non2xx > 0) {
    bad += result.non2xx;
    firstBad ??= `${result.non2xx} answers not 2xx`;
  }
  const total = result.requests.total;
  return {
    requests: total,
    seconds: result.duration,
    perSecond: total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    bad: bad + result.errors,
    firstBad,
    eventsAcked,
    eventsSent,
  };
}

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  duration: number;
  errors: number;
  non2xx: number;
}

export async function runLoad(plan: LoadPlan): Promise<LoadFigures> {
  if (plan.generator === 'autocannon') return runAutocannon(plan);
  const perUpload = plan.perUpload ?? 1;
  const next = requestSequence(plan);
  const latencies = new Float64Array(4_000_000);
  let n = 0;
  let bad = 0;
  let firstBad: string | undefined;
  let eventsAcked = 0;
  const sockets = await Promise.all(Array.from({ length: plan.connections }, () => connect(plan.port)));
  const t0 = process.hrtime.bigint();
  const stopAt = Date.now() + plan.seconds * 1000;
  const limit = plan.requests ?? Infinity;
  let started = 0;
  await Promise.all(
    sockets.map(async (socket) => {
      const reader = new ResponseReader(socket);
      while (Date.now() < stopAt && started < limit) {
        started++;
        const req = next();
        const expect = plan.kind === 'get' ? '' : 'OK';
        const raw =
          req.body === undefined
            ? `GET ${req.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`
            : `POST ${req.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/push;charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(req.body)}\r\n\r\n${req.body}`;
        const s = process.hrtime.bigint();
        socket.write(raw);
        const r = await reader.next();
        if (n < latencies.length) latencies[n++] = Number(process.hrtime.bigint() - s) / 1e6;
        if (r.status !== 200 || (expect && r.body !== expect)) {
          bad++;
          firstBad ??= `${r.status} ${r.body.slice(0, 200)}`;
        } else if (plan.kind === 'rtlog') eventsAcked += perUpload;
      }
      socket.end();
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const sorted = latencies.subarray(0, n).sort();
  const eventsSent = plan.kind === 'rtlog' ? n * perUpload : 0;
  return { requests: n, seconds, perSecond: n / seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[n - 1] ?? NaN, bad, firstBad, eventsAcked, eventsSent };
}

// As a child process: one plan in, figures out.
if (require.main === module) {
  process.once('message', (plan: LoadPlan) => {
    const c0 = process.cpuUsage();
    runLoad(plan).then(
      (f) => {
        const c = process.cpuUsage(c0);
        process.send!({ ...f, loadCpu: (c.user + c.system) / 1e6 } satisfies LoadFigures, () => process.exit(0));
      },
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
