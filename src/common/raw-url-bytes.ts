import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Raw non-ASCII bytes in a request's URL (`curl 'http://gw/api/accLevel/getByName/前门?access_token=…'`, some Java
 * clients): CVSecurity's Tomcat takes them as UTF-8, node's HTTP parser refuses them before any code of ours
 * runs, whatever its options. So the first chunk of each connection is looked at before the parser gets it, and
 * the bytes of 0x80 and above in its request line are percent-encoded (`%E5%89%8D`), which is what the client
 * should have sent: routes then see the same decoded text.
 *
 * Only the first request of a connection is looked at (the parser reads the rest natively, at no cost per
 * request); clients that send raw bytes (curl, a script) send one request per connection. A later request on a
 * kept-alive connection with raw bytes is refused with a clear message (client-error.ts), as before.
 */

/** The request line's end in a chunk (its `\n`), or -1 when the chunk does not hold the whole line. */
function requestLineEnd(chunk: Buffer): number {
  return chunk.indexOf(0x0a);
}

/**
 * The chunk with the non-ASCII bytes of its request line percent-encoded, or null when there are none (or the
 * chunk does not hold the whole request line). Pure.
 */
export function encodeRawUrlBytes(chunk: Buffer): Buffer | null {
  const end = requestLineEnd(chunk);
  if (end < 0) return null;
  let high = 0;
  for (let i = 0; i < end; i++) if (chunk[i] >= 0x80) high++;
  if (high === 0) return null;
  const out = Buffer.allocUnsafe(chunk.length + 2 * high);
  let o = 0;
  for (let i = 0; i < end; i++) {
    const b = chunk[i];
    if (b < 0x80) out[o++] = b;
    else {
      out[o++] = 0x25; // %
      out[o++] = HEX[b >> 4];
      out[o++] = HEX[b & 15];
    }
  }
  o += chunk.copy(out, o, end);
  return out.subarray(0, o);
}

const HEX = Buffer.from('0123456789ABCDEF');

/**
 * Puts the look at each connection's first chunk in front of the server's connection listener. Until that chunk
 * arrives the connection is held with the server's headers timeout (a connection that sends nothing is closed, as
 * the parser would). Returns false, installing nothing, when the server does not have exactly one listener.
 */
export function acceptRawUrlBytes(server: Server): boolean {
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  if (listeners.length !== 1) return false;
  const original = listeners[0];
  server.removeListener('connection', original);
  // A connection still waiting for its first chunk is idle, but the server does not know it yet: closing the
  // server (which closes its idle connections, then waits for the rest) closes these too, or it would wait for them.
  const waiting = new Set<Socket>();
  const dropWaiting = () => {
    for (const s of waiting) s.destroy();
    waiting.clear();
  };
  for (const name of ['closeIdleConnections', 'closeAllConnections'] as const) {
    const own = server[name].bind(server);
    server[name] = () => {
      dropWaiting();
      own();
    };
  }
  server.on('connection', (socket: Socket) => {
    const waitMs = server.headersTimeout > 0 ? server.headersTimeout : 60_000;
    const giveUp = () => socket.destroy();
    const gone = () => socket.destroy();
    // The client half-closed without sending anything: node:http ends such a connection at once (its server does
    // not allow half-open connections), not after the headers timeout.
    const ended = () => socket.end();
    waiting.add(socket);
    socket.once('close', () => waiting.delete(socket));
    socket.setTimeout(waitMs, giveUp);
    socket.once('error', gone);
    socket.once('end', ended);
    socket.once('data', (chunk: Buffer) => {
      waiting.delete(socket);
      socket.setTimeout(0);
      socket.removeListener('timeout', giveUp);
      socket.removeListener('error', gone);
      socket.removeListener('end', ended);
      socket.pause();
      socket.unshift(encodeRawUrlBytes(chunk) ?? chunk);
      original.call(server, socket);
      socket.resume();
    });
  });
  return true;
}
