import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CvCode, CvError } from './cv-error';
import { sendError } from './exception.filter';
import { requestPath } from './request-context';
import { parseDeclaredJson, parseLooseRestBody, restBodyText } from './rest-body';

const log = new Logger('GetBody');

/**
 * Clients send a read's inputs as a body under GET too (.NET's HttpClient and Postman allow it, and every read is
 * served under GET and POST alike, read-forms.ts): `GET /api/v2/person/getPersonList` with `{"pins": "1"}`. Fastify
 * reads no GET body, so the inputs were dropped and the read answered `code: 0` for the wrong thing (every person
 * instead of those asked for). On /api such a body is read as a POST's would be (JSON, a form, JSON under another
 * type; the same size and shape limits); query and body then merge as for a POST (CvInput).
 * A `preValidation` hook, before the route forms take path parameters from the body (a `preHandler`).
 */
export function registerGetBody(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== 'GET' || req.body !== undefined || !requestPath(req).startsWith('/api/')) return;
    const h = req.headers;
    if (h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0')) return;
    try {
      req.body = parse(await readRaw(req, bodyLimit), h['content-type']);
    } catch (err) {
      sendError(err instanceof CvError ? err : new CvError(CvCode.InvalidParameter, (err as Error).message, 400), req, reply, log);
      return reply;
    }
  });
}

function parse(raw: Buffer, contentType: string | undefined): unknown {
  const text = restBodyText(raw, contentType).trim();
  return /json/i.test(contentType ?? '') ? parseDeclaredJson(text, contentType) : parseLooseRestBody(text, contentType);
}

/** The body's bytes, refused past the limit (-413) once the client has sent it (the oversize drain reads the rest). */
async function readRaw(req: FastifyRequest, limit: number): Promise<Buffer> {
  if (h(req, 'content-encoding')) throw new CvError(CvCode.InvalidParameter, 'A GET body is read uncompressed only: send it without Content-Encoding, or POST it', 400);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req.raw as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw new CvError(CvCode.PayloadTooLarge, 'Request body is too large', 413);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

const h = (req: FastifyRequest, name: string): boolean => {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() !== '' && v.trim().toLowerCase() !== 'identity';
};
