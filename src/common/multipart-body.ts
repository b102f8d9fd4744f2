import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bodyShapeProblem, MAX_OBJECT_MEMBERS } from './body-shape';
import { CvCode, CvError } from './cv-error';
import { sendError } from './exception.filter';
import { putFormValue, repeatedBodyValues } from './rest-body';
import { requestPath } from './request-context';

const log = new Logger('MultipartBody');

/**
 * Route config (`@RouteConfig(MULTIPART_UPLOAD)`) of a route that reads its multipart parts itself (adMedia/add's
 * file): its body is left to it.
 */
export const MULTIPART_UPLOAD = { multipartUpload: true } as const;

/**
 * Text fields read of one form: one past the members a body's object may have (body-shape.ts), so a form of
 * more is refused with the same -400 a JSON or urlencoded body of as many keys gets, whichever limit trips.
 */
const MAX_FIELDS = MAX_OBJECT_MEMBERS + 1;
/** File parts of one form: a client sends one or two (a photo), never many. */
const MAX_FILES = 10;

/**
 * Inputs whose text is base64 data: a person's photo (person/add, updatePersonnelPhoto), a leave picture
 * (2.23.5 base64Image), a parking camera picture and a biometric template. PHP (`CURLFile`) and .NET
 * (`StreamContent`) clients send such a value as a file part: its bytes are read as the base64 text the JSON form
 * carries, so every check of the field (image type, size, the endpoint's own codes) applies unchanged.
 */
export const BASE64_FILE_FIELDS: ReadonlySet<string> = new Set(['personPhoto', 'base64Image', 'picture', 'template']);

type Part =
  | { type: 'file'; fieldname: string; file: NodeJS.ReadableStream & { truncated?: boolean } }
  | { type: 'field'; fieldname: string; value: unknown; valueTruncated?: boolean };

type MultipartRequest = FastifyRequest & {
  isMultipart?: () => boolean;
  parts?: (options?: { limits?: Record<string, number>; throwFileSizeLimit?: boolean }) => AsyncIterableIterator<Part>;
};

/**
 * PHP and .NET clients post forms as `multipart/form-data` (PHP's curl with an array body, .NET's
 * MultipartFormDataContent) where others send urlencoded: on /api its text fields become the body, as an
 * urlencoded form's do (rest-body.ts; a key sent twice is a list to a list field, its last value to any other). A file part for a base64 input
 * (BASE64_FILE_FIELDS) becomes that input's base64 text; any other file part, or a malformed multipart body, is
 * -400; fields beyond the body limit -413. A refused form is still read to its end (files drained, bounded by the
 * limits), so the connection stays usable. A route that takes an upload (MULTIPART_UPLOAD) reads its parts itself.
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
      req.body = await readFields(req.parts({ limits: { fields: MAX_FIELDS, parts: MAX_FIELDS + MAX_FILES, fieldSize: bodyLimit, files: MAX_FILES, fileSize: bodyLimit }, throwFileSizeLimit: false }), bodyLimit);
    } catch (err) {
      sendError(
        err instanceof CvError
          ? err
          : (err as { code?: string }).code === 'FST_FIELDS_LIMIT'
            ? shapeRefusal(`Request body has an object of more than ${MAX_OBJECT_MEMBERS} members`)
            : new CvError(CvCode.InvalidParameter, `The multipart body could not be read: ${(err as Error).message}`),
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
  // The first refusal is answered once the form has been read to its end: parts left unread would hold the request.
  let refused: CvError | undefined;
  for await (const part of parts) {
    if (refused) {
      if (part.type === 'file') await drain(part.file);
      continue;
    }
    let value: unknown;
    if (part.type === 'file') {
      if (!BASE64_FILE_FIELDS.has(part.fieldname)) {
        await drain(part.file);
        refused = new CvError(CvCode.InvalidParameter, `A file part (${part.fieldname}) is not accepted here: send the inputs as text fields (a file is read for ${[...BASE64_FILE_FIELDS].join(', ')})`);
        continue;
      }
      value = await fileAsBase64(part.file, Math.floor((bodyLimit * 3) / 4));
      if (value === undefined) {
        refused = tooLarge();
        continue;
      }
    } else {
      if (part.valueTruncated) {
        refused = tooLarge();
        continue;
      }
      value = part.value;
      // A field part typed application/json arrives parsed (@fastify/multipart): it may nest or widen as a JSON
      // body can, and is bounded the same way before anything walks it (JSON.stringify below, class-transformer).
      const problem = bodyShapeProblem({ [part.fieldname]: value });
      if (problem !== undefined) {
        refused = shapeRefusal(problem);
        continue;
      }
    }
    chars += part.fieldname.length + (typeof value === 'string' ? value.length : JSON.stringify(value ?? null).length);
    if (chars > bodyLimit) {
      refused = tooLarge();
      continue;
    }
    putFormValue(body, part.fieldname, value);
    any = true;
  }
  if (refused) throw refused;
  // Together the fields are one object: its members and every JSON field's (a repeated key's values too), under the body's limits.
  const problem = bodyShapeProblem([body, repeatedBodyValues(body) ?? {}]);
  if (problem !== undefined) throw shapeRefusal(problem);
  return any ? body : undefined;
}

/** The refusal a JSON body of that shape gets (body-shape.ts): HTTP 400, -400, naming the shape. */
const shapeRefusal = (problem: string) => new CvError(CvCode.InvalidParameter, problem, 400);

const tooLarge = () => new CvError(CvCode.PayloadTooLarge, 'Request body is too large', 413);

async function drain(file: NodeJS.ReadableStream): Promise<void> {
  for await (const _ of file) void _;
}

/** Text that is already base64 (a client that encoded the file itself): letters, digits, + / =, line breaks. */
const BASE64_TEXT = /^(?:data:[\w.+/-]+;base64,)?[A-Za-z0-9+/=\r\n]+$/;

/**
 * A file part's bytes as base64 text, or undefined when they exceed `maxBytes` (or the part limit cut them). Bytes that
 * already are base64 text (a client that encoded the file itself, or `Content-Transfer-Encoding: base64`) are kept.
 */
async function fileAsBase64(file: NodeJS.ReadableStream & { truncated?: boolean }, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of file as AsyncIterable<Buffer>) {
    n += c.length;
    if (n <= maxBytes) chunks.push(c);
  }
  if (n > maxBytes || file.truncated) return undefined;
  const bytes = Buffer.concat(chunks);
  const text = bytes.toString('latin1');
  return BASE64_TEXT.test(text) ? text.replace(/[\r\n]/g, '') : bytes.toString('base64');
}
