import type { IncomingMessage } from 'node:http';

/**
 * Reads and discards what is left of a request body, up to `maxBytes` and `timeoutMs`. A refusal sent while
 * the client is still sending its body makes Node close the connection after the answer, and a client that
 * reads only once it has sent everything (fetch, most HTTP libraries) then meets a reset connection instead
 * of the answer. Draining first lets it finish and read the refusal; past the cap the connection closes anyway.
 */
export function drainBody(raw: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (raw.complete || raw.destroyed) return resolve();
    let seen = 0;
    const finish = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', finish);
      raw.off('close', finish);
      raw.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    raw.on('data', onData);
    raw.once('end', finish);
    raw.once('close', finish);
    raw.once('error', finish);
    raw.resume();
  });
}
