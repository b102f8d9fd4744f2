import type { Socket } from 'node:net';
import { CvCode } from './cv-error';

/**
 * Requests node's HTTP parser refuses before any route, hook or filter sees them (a header line without a
 * colon, a non-numeric Content-Length, raw non-ASCII bytes in the URL, headers over 16 KB, a request that took
 * too long): answered in the gateway's own format instead of the framework's JSON (`{"error":"Bad Request"…}`),
 * so an integrator's client still parses `{code, message, data}` and a device still reads plain text.
 */
export interface ClientErrorAnswer {
  status: number;
  reason: string;
  contentType: string;
  body: string;
}

/** Why node refused the request, in words a client's developer can act on. */
function refusal(code: string | undefined): { status: number; reason: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', message: 'The request headers are too large' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', message: 'The request took too long to arrive' };
    case 'HPE_INVALID_URL':
      return { status: 400, reason: 'Bad Request', message: 'The URL is malformed: percent-encode characters outside ASCII and spaces (RFC 3986)' };
    case 'HPE_INVALID_METHOD':
      return { status: 400, reason: 'Bad Request', message: 'The request line is not HTTP' };
    default:
      return { status: 400, reason: 'Bad Request', message: `The request is malformed HTTP${code ? ` (${code})` : ''}` };
  }
}

/** The path of the request line in what was received so far ('' when there is none to read). */
function requestedPath(raw: unknown): string {
  if (!Buffer.isBuffer(raw)) return '';
  const line = raw.subarray(0, Math.min(raw.length, 256)).toString('latin1');
  const m = /^[A-Za-z]+ +(\/[^ ?\r\n]*)/.exec(line);
  return m ? m[1] : '';
}

export function clientErrorAnswer(err: { code?: string; rawPacket?: unknown }): ClientErrorAnswer {
  const r = refusal(err.code);
  if (requestedPath(err.rawPacket).toLowerCase().startsWith('/iclock')) {
    return { status: r.status, reason: r.reason, contentType: 'text/plain;charset=UTF-8', body: `ERROR: ${r.message}` };
  }
  const body = JSON.stringify({ code: CvCode.InvalidParameter, message: r.message, data: null });
  return { status: r.status, reason: r.reason, contentType: 'application/json; charset=utf-8', body };
}

/** Fastify's `clientErrorHandler`: writes the answer straight to the socket (there is no request), then closes it. */
export function answerClientError(err: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const a = clientErrorAnswer(err);
    socket.write(
      `HTTP/1.1 ${a.status} ${a.reason}\r\nContent-Type: ${a.contentType}\r\nContent-Length: ${Buffer.byteLength(a.body)}\r\nConnection: close\r\n\r\n${a.body}`,
    );
  }
  socket.destroy(err);
}
