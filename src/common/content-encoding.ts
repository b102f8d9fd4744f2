import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/**
 * Bodies sent compressed (`Content-Encoding: gzip`, `deflate`, `br`): an HTTP client library set to compress
 * requests, or a firmware's HTTP stack doing so, sends the same records, and they are read as if sent plain
 * (devices' uploads as much as REST bodies). The body limit holds for the decompressed bytes (Fastify counts
 * what the stream gives, and the compressed bytes against Content-Length); a body that does not decompress is
 * refused with 400, an encoding this gateway cannot read with 415. `identity` is no encoding.
 */
export function registerContentDecoding(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', async (req, _reply, payload) => {
    const encoding = req.headers['content-encoding'];
    if (encoding === undefined) return payload;
    const codings = encoding.toLowerCase().split(',').map((c) => c.trim()).filter((c) => c !== '' && c !== 'identity');
    if (codings.length === 0) return payload;
    // Applied in the order listed, so undone in reverse.
    let stream: Readable = payload;
    for (const coding of codings.reverse()) {
      const decoder = decoderFor(coding);
      if (!decoder) throw httpError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', `Content-Encoding ${coding} is not supported: send the body as gzip, deflate, br or uncompressed`);
      stream.on('error', (err) => decoder.destroy(err));
      stream = stream.pipe(decoder);
    }
    const decoded = stream as Readable & { receivedEncodedLength?: number };
    decoded.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      decoded.receivedEncodedLength! += chunk.length;
    });
    // A damaged stream is the client's fault: 400 with the reason, never a 500.
    decoded.on('error', (err: Error & { statusCode?: number }) => {
      if (err.statusCode !== undefined) return;
      err.statusCode = 400;
      err.message = `The ${encoding} body does not decompress: ${err.message}`;
    });
    return decoded;
  });
}

function decoderFor(coding: string) {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

function httpError(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}
