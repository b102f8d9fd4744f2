/**
 * Transport for the simulator: the injected `fetch` for ordinary requests, raw `node:http` for traffic fetch
 * refuses to send (an `Expect: 100-continue` header, a `Connection` header, a hand-made `Transfer-Encoding`).
 */
import * as http from 'node:http';

export type FetchLike = (input: string, init?: { method?: string; headers?: Record<string, string>; body?: Uint8Array }) => Promise<{
  status: number;
  headers: { forEach(cb: (value: string, key: string) => void): void; getSetCookie?: () => string[] };
  text(): Promise<string>;
  /** The body's bytes, for a caller that decodes them itself (a terminal reading GBK). */
  arrayBuffer?(): Promise<ArrayBuffer>;
}>;

export interface HttpResult {
  status: number;
  body: string;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
  setCookies: string[];
}

export interface Exchange {
  at: Date;
  transport: 'fetch' | 'http';
  method: string;
  url: string;
  path: string;
  query: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  error?: string;
  durationMs: number;
}

const FETCH_REFUSED = new Set(['expect', 'connection', 'transfer-encoding', 'keep-alive', 'upgrade', 'host']);

export function needsRawHttp(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((k) => FETCH_REFUSED.has(k.toLowerCase()));
}

/** `decode`: how the caller reads the answer's bytes (default: as UTF-8, what `text()` does). */
export async function viaFetch(
  fetchImpl: FetchLike,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Buffer,
  decode?: (bytes: Buffer) => string,
): Promise<HttpResult> {
  const res = await fetchImpl(url, { method, headers, body: body === undefined ? undefined : new Uint8Array(body) });
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    out[k.toLowerCase()] = v;
  });
  const setCookies = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : out['set-cookie'] ? [out['set-cookie']] : [];
  const text = decode && res.arrayBuffer ? decode(Buffer.from(await res.arrayBuffer())) : await res.text();
  return { status: res.status, body: text, headers: out, setCookies };
}

/** Plain node:http request. With `Expect: 100-continue` the body waits for `100 Continue` (or 1 s, as curl does). */
export function viaNodeHttp(url: string, method: string, headers: Record<string, string>, body?: Buffer, timeoutMs = 10_000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const expect = Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'expect' && /100-continue/i.test(v));
    const hasLength = Object.keys(headers).some((k) => ['content-length', 'transfer-encoding'].includes(k.toLowerCase()));
    const hdrs: Record<string, string> = { ...headers };
    let sent = false;
    let timer: NodeJS.Timeout | undefined;
    if (body !== undefined && !hasLength) hdrs['Content-Length'] = String(body.length);
    const req = http.request(
      { host: u.hostname, port: u.port || 80, path: u.pathname + u.search, method, headers: hdrs, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          const sc = res.headers['set-cookie'];
          if (!sent) {
            // Answered before we sent the body (no 100 Continue): drop the connection, keep the answer.
            clearTimeout(timer);
            req.destroy();
          }
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: out, setCookies: sc ?? [] });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    if (body === undefined || !expect) {
      sent = true;
      req.end(body);
      return;
    }
    const send = () => {
      if (sent) return;
      sent = true;
      clearTimeout(timer);
      req.end(body);
    };
    timer = setTimeout(send, 1000);
    req.on('continue', send);
    req.on('response', () => clearTimeout(timer));
    req.flushHeaders();
  });
}
