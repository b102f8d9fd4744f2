import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CvCode, CvError } from './cv-error';
import { sendError } from './exception.filter';
import { requestPath } from './request-context';

const log = new Logger('MultipartBody');

/**
 * Route config (`@RouteConfig(MULTIPART_UPLOAD)`) of a route that reads its multipart parts itself (adMedia/add's
 * file): its body is left to it.
 */
export const MULTIPART_UPLOAD = { multipartUpload: true } as const;

/** Text fields of one form: far more than any input DTO has. */
const MAX_FIELDS = 1000;

type Part =
  | { type: 'file'; fieldname: string; file: NodeJS.ReadableStream }
  | { type: 'field'; fieldname: string; value: unknown; valueTruncated?: boolean };

type MultipartRequest = FastifyRequest & {
  isMultipart?: () => boolean;
  parts?: (options?: { limits?: Record<string, number> }) => AsyncIterableIterator<Part>;
};

/**
 * PHP and .NET clients post forms as `multipart/form-data` (PHP's curl with an array body, .NET's
 * MultipartFormDataContent) where others send urlencoded: on /api its text fields become the body, as an
 * urlencoded form's do (rest-body.ts; a key sent twice gives its last value). A file part there, or a
 * malformed multipart body, is -400; fields beyond the body limit -413. A route that takes an upload
 * (MULTIPART_UPLOAD) reads its parts itself.
 *
 * A `preValidation` hook: @fastify/multipart's content-type parser only marks the request, and the body must
 * be an object before the route forms take path parameters from it (route-forms.ts, a `preHandler`).
 */
export function registerMultipartFormBody(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addHook('preValidation', async (req: MultipartRequest, reply: FastifyReply) => {
    if (!req.isMultipart?.() || !req.parts || !requestPath(req).startsWith('/api/')) return;
    if ((req.routeOptions.config as { multipartUpload?: boolean } | undefined)?.multipartUpload) return;
    // No body at all (a query-only POST under a form type, boundary or not): no inputs, as an empty JSON body.
    if (req.headers['content-length'] === '0') return;
    try {
      req.body = await readFields(req.parts({ limits: { fields: MAX_FIELDS, parts: MAX_FIELDS, fieldSize: bodyLimit } }), bodyLimit);
    } catch (err) {
      sendError(
        err instanceof CvError ? err : new CvError(CvCode.InvalidParameter, `The multipart body could not be read: ${(err as Error).message}`),
        req,
        reply,
        log,
      );
      return reply;
    }
  });
}

async function readFields(parts: AsyncIterableIterator<Part>, bodyLimit: number): Promise<Record<string, unknown> | undefined> {
  const body: Record<string, unknown> = {};
  let chars = 0;
  let any = false;
  for await (const part of parts) {
    if (part.type === 'file') {
      throw new CvError(CvCode.InvalidParameter, `A file part (${part.fieldname}) is not accepted here: send the inputs as text fields`);
    }
    const value = part.value;
    chars += part.fieldname.length + (typeof value === 'string' ? value.length : JSON.stringify(value ?? null).length);
    if (part.valueTruncated || chars > bodyLimit) throw new CvError(CvCode.PayloadTooLarge, 'Request body is too large', 413);
    body[part.fieldname] = value;
    any = true;
  }
  return any ? body : undefined;
}
