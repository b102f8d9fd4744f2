import { STATUS_CODES, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { FAST_UPLOAD_MAX_BYTES, type DeviceFastPath, type FastExchange } from './device-fast-path';

/**
 * The device fast path's requests read straight off the socket, before node:http parses them.
 *
 * node:http spends more on a request than the whole answer to an idle poll costs: an IncomingMessage and a
 * ServerResponse with their streams, the parser's callbacks into JavaScript, the outgoing header machinery
 * (measured on this machine: a bare node:http server answering `OK` costs about twice a socket answering the
 * same by hand). Devices send the same two requests all day (the `getrequest` poll and the one-event `rtlog`
 * upload), in plain HTTP/1.1 with a handful of headers, so a connection's requests are read here while they
 * are exactly that: `GET /iclock/…` or `POST /iclock/…` with a Content-Length body of at most 64 KB, in
 * HTTP/1.1, with well-formed headers, which DeviceFastPath.serve takes. The moment a request is anything else
 * (another path or method, HTTP/1.0, chunked, `Expect`, `Upgrade`, a header this reader does not vouch for, a
 * request still incomplete after PARTIAL_MS, bytes after a `Connection: close` request, a server closing), the connection and every byte not yet answered
 * go to node:http for good (the way raw-url-bytes.ts hands over a connection), which then parses, answers or
 * refuses exactly as it always did. So this reader never refuses anything itself: at worst it declines.
 *
 * Requests are answered in order, one at a time (a pipelined request waits for the answer before it); the
 * answer carries the headers the fast path gives plus `Connection` (and `Keep-Alive`, as node:http writes them).
 */

/** A header block larger than this is node:http's (its own limit is 16 KB; devices send a few hundred bytes). */
const MAX_HEAD = 8 * 1024;
/** A request begun but not complete after this long is node:http's, whose header and request timeouts apply. */
const PARTIAL_MS = 2_000;
/** Bytes of requests received while one is being answered, beyond which the connection is not read until it is. */
const MAX_PIPELINED = 256 * 1024;

const REQUEST_LINE = /^(GET|POST) (\/iclock\/[\x21-\x7e]*) HTTP\/1\.1$/;
const DIGITS = /^\d{1,9}$/;

/**
 * Per character code of a header line: 1 for a token character (a header name's, RFC 9110), 2 for a field-value
 * character only (HTAB, SP and the visible ASCII that is no token, obs-text), 0 for neither (CTLs, DEL: node:http
 * decides). Token characters are value characters too. A table, not a regular expression per header: a head's
 * headers are checked in one pass over its characters, without a string per name and value to test.
 */
const CHAR_CLASS = (() => {
  const t = new Uint8Array(256);
  const token = "!#$%&'*+.^_`|~-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  for (let c = 0x20; c <= 0x7e; c++) t[c] = 2;
  for (let c = 0x80; c <= 0xff; c++) t[c] = 2;
  t[9] = 2;
  for (const ch of token) t[ch.charCodeAt(0)] = 1;
  return t;
})();
const TOKEN = 1;

interface Head {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Body bytes after the head. */
  length: number;
  /** The head's length including its blank line. */
  headLength: number;
  close: boolean;
}

/** The request head at the start of `buf` when this reader takes it; 'more' when incomplete; null when node:http's. */
export function readHead(buf: Buffer): Head | 'more' | null {
  // The request line decides at once, before the rest arrives: another request, or bare LF line ends, are node:http's.
  const lf = buf.indexOf(10);
  if (lf < 0) return buf.length > MAX_HEAD ? null : 'more';
  if (lf === 0 || buf[lf - 1] !== 13) return null;
  const m = REQUEST_LINE.exec(buf.toString('latin1', 0, lf - 1));
  if (!m || !(m[2].startsWith('/iclock/getrequest') || m[2].startsWith('/iclock/cdata'))) return null;
  const end = buf.indexOf('\r\n\r\n', lf - 1);
  if (end < 0) return buf.length > MAX_HEAD ? null : 'more';
  if (end > MAX_HEAD) return null;
  const headers: IncomingHttpHeaders = {};
  if (end > lf) {
    // The header lines, each `name:value` with a token name, field-value characters, and the CRLF that ends it.
    const block = buf.toString('latin1', lf + 1, end);
    const n = block.length;
    let at = 0;
    while (at <= n) {
      let i = at;
      while (i < n && CHAR_CLASS[block.charCodeAt(i)] === TOKEN) i++;
      if (i === at || i === n || block.charCodeAt(i) !== 58 /* : */) return null;
      const colon = i;
      let eol = block.indexOf('\r\n', colon);
      if (eol < 0) eol = n;
      // Only SP and HTAB pad a value (RFC 9110 OWS, as node:http strips them); String.trim would also take away a
      // form feed, vertical tab or NBSP that node:http refuses or keeps.
      let from = colon + 1;
      while (from < eol && (block.charCodeAt(from) === 32 || block.charCodeAt(from) === 9)) from++;
      let to = eol;
      while (to > from && (block.charCodeAt(to - 1) === 32 || block.charCodeAt(to - 1) === 9)) to--;
      for (let k = from; k < to; k++) if (CHAR_CLASS[block.charCodeAt(k)] === 0) return null;
      const key = block.slice(at, colon).toLowerCase();
      // A repeated header is combined (or refused) by node:http's own rules: its business.
      if (headers[key] !== undefined) return null;
      headers[key] = block.slice(from, to);
      at = eol + 2;
    }
  }
  if (headers['transfer-encoding'] !== undefined || headers['expect'] !== undefined || headers['upgrade'] !== undefined) return null;
  const cl = headers['content-length'];
  let length = 0;
  if (cl !== undefined) {
    if (typeof cl !== 'string' || !DIGITS.test(cl)) return null;
    length = Number(cl);
    if (length > FAST_UPLOAD_MAX_BYTES) return null;
  }
  const connection = headers['connection'];
  const close = typeof connection === 'string' && /(^|,)\s*close\s*(,|$)/i.test(connection);
  return { method: m[1], url: m[2], headers, length, headLength: end + 4, close };
}

/** True when `buf` ends inside a request (node:http's parser would find it incomplete at the end of the stream). */
function cutShort(buf: Buffer): boolean {
  let at = 0;
  while (at < buf.length) {
    const head = readHead(at === 0 ? buf : buf.subarray(at));
    // Not a request this reader reads: it cannot tell, and ends the connection as for whole requests.
    if (head === null) return false;
    if (head === 'more') return true;
    at += head.headLength + head.length;
    if (at > buf.length) return true;
  }
  return false;
}

type ConnectionListener = (socket: Socket) => void;

class RawConnection {
  private buf: Buffer | null = null;
  /** A request is being answered. */
  private busy = false;
  /** Inside fast.serve: an answer sent now is picked up by the pump's loop, not by a new pump. */
  private serving = false;
  private closeAfter = false;
  private partial = false;
  private gone = false;

  constructor(
    private readonly socket: Socket,
    private readonly front: RawDeviceFront,
  ) {
    socket.on('data', this.onData);
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('end', this.onEnd);
    socket.once('close', this.onClose);
    socket.setTimeout(front.keepAliveMs());
  }

  get idle(): boolean {
    return !this.busy && this.buf === null;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The server is closing: an idle connection ends now, a busy one after its answer. */
  closeSoon(): void {
    if (this.idle) this.socket.destroy();
    else this.closeAfter = true;
  }

  private readonly onData = (chunk: Buffer) => {
    this.buf = this.buf === null ? chunk : Buffer.concat([this.buf, chunk]);
    if (!this.busy) this.pump();
    // A client sending request after request without reading the answers waits, as node:http makes it wait.
    else if (this.buf.length > MAX_PIPELINED) this.socket.pause();
  };

  private readonly onTimeout = () => {
    if (this.busy) return;
    if (this.buf !== null) this.handOff();
    else this.socket.destroy();
  };

  private readonly onError = () => this.socket.destroy();

  /**
   * The device half-closed: what node:http does (its server does not allow half-open connections). A request
   * received whole is still carried out (an upload is stored) but a request still being answered gets no answer,
   * and the connection ends at once; a request cut short by the end is refused as malformed (HPE_INVALID_EOF_STATE,
   * through the server's clientError handler, as node:http's parser reports it).
   */
  private readonly onEnd = () => {
    const rest = this.buf;
    this.buf = null;
    this.gone = true;
    this.front.forget(this);
    if (rest !== null && cutShort(rest)) {
      const err = Object.assign(new Error('Parse Error: Invalid EOF state'), { code: 'HPE_INVALID_EOF_STATE', reason: 'Invalid EOF state', bytesParsed: 0 });
      if (!this.front.server.emit('clientError', err, this.socket)) {
        if (this.socket.writable && this.socket.bytesWritten === 0) this.socket.write('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        this.socket.destroy(err);
      }
      return;
    }
    this.socket.end();
  };

  private readonly onClose = () => {
    this.gone = true;
    this.front.forget(this);
  };

  private pump(): void {
    while (this.buf !== null && !this.busy && !this.gone) {
      if (!this.front.open) return this.handOff();
      const head = readHead(this.buf);
      if (head === null) return this.handOff();
      if (head === 'more' || this.buf.length < head.headLength + head.length) return this.waitForRest();
      const total = head.headLength + head.length;
      // Bytes after a `Connection: close` request: node:http's parser refuses them (HPE_CLOSED_CONNECTION, a 400
      // after the answer), so the whole is node:http's.
      if (head.close && this.buf.length > total) return this.handOff();
      const body = this.buf.subarray(head.headLength, total);
      if (this.partial) {
        this.partial = false;
        this.socket.setTimeout(this.front.keepAliveMs());
      }
      // Asked to close: the answer says so, whether it is sent at once or later.
      const closeBefore = this.closeAfter;
      if (head.close) this.closeAfter = true;
      this.busy = true;
      this.serving = true;
      let taken = false;
      try {
        taken = this.front.fast.serve(this.exchange(head, body));
      } catch {
        // Not ours to decide what a request that breaks the fast path gets: node:http's listener answers it.
      } finally {
        this.serving = false;
      }
      if (!taken) {
        this.busy = false;
        this.closeAfter = closeBefore;
        return this.handOff();
      }
      if (this.buf === null) return; // answered at once and closed
      this.buf = this.buf.length === total ? null : this.buf.subarray(total);
    }
  }

  private waitForRest(): void {
    if (this.partial) return;
    this.partial = true;
    this.socket.setTimeout(PARTIAL_MS);
  }

  private exchange(head: Head, body: Buffer): FastExchange {
    let answered = false;
    return {
      url: head.url,
      method: head.method,
      headers: head.headers,
      ip: this.socket.remoteAddress,
      body: () => body,
      canSend: () => !answered && !this.gone && !this.socket.destroyed,
      send: (status, headers, payload) => {
        answered = true;
        this.write(status, headers, payload);
        this.answered();
      },
      drop: () => this.socket.destroy(),
    };
  }

  private write(status: number, headers: Record<string, string | number>, payload: string | Buffer): void {
    let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
    head += this.closeAfter ? 'Connection: close\r\n\r\n' : this.front.keepAliveHeaders();
    if (typeof payload === 'string') this.socket.write(head + payload);
    else this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
  }

  private answered(): void {
    this.busy = false;
    if (this.socket.isPaused()) this.socket.resume();
    if (this.closeAfter) {
      this.buf = null;
      this.gone = true;
      this.socket.end();
      return;
    }
    if (!this.serving && this.buf !== null) this.pump();
  }

  /** From now on the connection is node:http's, with every byte not answered yet. */
  private handOff(): void {
    const socket = this.socket;
    socket.removeListener('data', this.onData);
    socket.removeListener('timeout', this.onTimeout);
    socket.removeListener('error', this.onError);
    socket.removeListener('end', this.onEnd);
    socket.removeListener('close', this.onClose);
    socket.setTimeout(0);
    this.front.forget(this);
    this.gone = true;
    socket.pause();
    if (this.buf !== null) socket.unshift(this.buf);
    this.buf = null;
    this.front.next.call(this.front.server, socket);
    socket.resume();
  }
}

class RawDeviceFront {
  private readonly connections = new Set<RawConnection>();

  constructor(
    readonly server: Server,
    readonly fast: DeviceFastPath,
    readonly next: ConnectionListener,
  ) {}

  get open(): boolean {
    return this.fast.open;
  }

  keepAliveMs(): number {
    return this.server.keepAliveTimeout > 0 ? this.server.keepAliveTimeout : 5_000;
  }

  /** node:http's own keep-alive answer headers. */
  keepAliveHeaders(): string {
    const t = this.server.keepAliveTimeout;
    return t > 0 ? `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(t / 1000)}\r\n\r\n` : 'Connection: keep-alive\r\n\r\n';
  }

  accept(socket: Socket): void {
    this.connections.add(new RawConnection(socket, this));
  }

  forget(c: RawConnection): void {
    this.connections.delete(c);
  }

  closeIdle(): void {
    for (const c of [...this.connections]) c.closeSoon();
  }

  closeAll(): void {
    for (const c of [...this.connections]) c.destroy();
  }
}

/**
 * Puts the raw reader in front of the server's connection listener (node:http's, or raw-url-bytes.ts's in front
 * of it). Closing the server's idle connections (as a closing server does) closes the idle ones read here too,
 * and those answering a request after their answer. Returns false, installing nothing, when the server does not
 * have exactly one connection listener.
 */
export function installRawDeviceFront(server: Server, fast: DeviceFastPath): boolean {
  const listeners = server.listeners('connection') as ConnectionListener[];
  if (listeners.length !== 1) return false;
  const next = listeners[0];
  server.removeListener('connection', next);
  const front = new RawDeviceFront(server, fast, next);
  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {
    front.closeIdle();
    closeIdle();
  };
  const closeAll = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    front.closeAll();
    closeAll();
  };
  server.on('connection', (socket: Socket) => front.accept(socket));
  return true;
}
