import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { URL_ENCODED_KEYS } from './base64-text';
import { ARRAY_BODY, REPEATED_QUERY_KEYS } from './client-forms';
import { FORM_BODY, repeatedBodyValues } from './rest-body';

const TOKEN_KEYS = new Set(['access_token', 'acc_token']);

/** A query key naming the token: `access_token` or `acc_token` in any case (`ACCESS_TOKEN`, `Access_Token`). */
export const isTokenKey = (k: string): boolean => TOKEN_KEYS.has(k) || TOKEN_KEYS.has(k.toLowerCase());

/** The query's token keys that differ from the exact names only in case (rarely any: a cheap scan). */
export function tokenKeysInAnyCase(query: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const k of Object.keys(query)) if (!TOKEN_KEYS.has(k) && TOKEN_KEYS.has(k.toLowerCase())) keys.push(k);
  return keys;
}

/**
 * Marks a handler whose inputs CVSecurity binds with Spring's `@RequestParam`: the manual prints them in the URL
 * (`accLevel/syncPerson?pin=&levelIds=`, `door/remoteOpenById?doorId=&interval=`) with "Request Content None".
 * Spring reads such a parameter from the query string and from a form body (query first; a list gets both's
 * values), never from a JSON body. GET and HEAD handlers are read so without the mark.
 */
export const QUERY_PARAMS = 'cv:queryParams';
export const QueryParams = (): MethodDecorator => SetMetadata(QUERY_PARAMS, true);

/** Whether the handler reads its inputs where `@RequestParam` does (QueryParams), for a request of this method. */
export function readsQueryFirst(handler: Function, method: string): boolean {
  return method === 'GET' || method === 'HEAD' || Reflect.getMetadata(QUERY_PARAMS, handler) === true;
}

/**
 * The request's inputs from the query string and the body, merged. Real clients put POST inputs in either place,
 * often with an empty or `null` body (field notes, REST item 4). Where both give a key, the place CVSecurity reads
 * wins: the body for an endpoint whose manual shows a JSON body (`@RequestBody`), the query for one whose manual
 * prints its inputs in the URL (QueryParams: a JSON body then only fills what the query lacks, and a form body's
 * values join the query's, as Spring joins them). Validated against the parameter's DTO type by the global
 * ValidationPipe. A key repeated in the query, or in a form body, stays an array, marked, so that the pipe keeps
 * it for a list field and takes the one value for any other, refusing repeats that differ (client-forms.ts).
 */
export function cvInputOf(_: unknown, ctx: ExecutionContext): Record<string, unknown> {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const queryFirst = readsQueryFirst(ctx.getHandler(), req.method);
  const merged: Record<string, unknown> = {};
  const repeated: string[] = [];
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (isTokenKey(k)) continue;
    merged[k] = v;
    if (Array.isArray(v)) repeated.push(k);
  }
  const fromQuery = new Set(Object.keys(merged).filter((k) => !blank(merged[k])));
  const body = req.body;
  const formBody = isFormBody(body);
  // Spring binds @RequestParam from a urlencoded form and from a multipart form's fields alike.
  const paramsBody = formBody || /^\s*multipart\//i.test(String(req.headers['content-type'] ?? ''));
  const bodyRepeats = repeatedBodyValues(body) ?? {};
  // The keys whose value the body gives. A token sent in a form body (access-token.guard.ts) is no input of the
  // endpoint, as in the query. A body's null, "" or [] does not blank a value the query gives: a client that sends
  // its inputs in the query with a JSON template of the same fields left null or empty (a serialised request object,
  // Jackson's nulls) means the query's values.
  const fromBody = new Set<string>();
  const joined: string[] = [];
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body)) {
      if (isTokenKey(k) || (blank(v) && fromQuery.has(k))) continue;
      const values = Object.hasOwn(bodyRepeats, k) ? bodyRepeats[k] : [v];
      if (queryFirst && fromQuery.has(k)) {
        // @RequestParam: a JSON body is not read where the query gives the key; a form body's values follow the
        // query's (`?levelIds=a` with the form `levelIds=b` is both levels; a single value sent twice must agree).
        if (paramsBody) {
          merged[k] = [...([] as unknown[]).concat(merged[k]), ...values];
          joined.push(k);
        }
        continue;
      }
      merged[k] = Object.hasOwn(bodyRepeats, k) ? values : v;
      fromBody.add(k);
    }
  }
  const urlEncoded = new Set<string>();
  for (const k of Object.keys(merged)) if (!fromBody.has(k) || formBody) urlEncoded.add(k.toLowerCase());
  if (urlEncoded.size) Object.defineProperty(merged, URL_ENCODED_KEYS, { value: urlEncoded, enumerable: false });
  const bodyRepeated = Object.keys(bodyRepeats).filter((k) => fromBody.has(k));
  const stillRepeated = [...new Set([...repeated.filter((k) => !fromBody.has(k)), ...bodyRepeated, ...joined])];
  if (stillRepeated.length) Object.defineProperty(merged, REPEATED_QUERY_KEYS, { value: stillRepeated, enumerable: false });
  // A bare JSON array body is kept aside for the DTO that names a field for it (client-forms.ts, array bodies).
  if (Array.isArray(body)) Object.defineProperty(merged, ARRAY_BODY, { value: body, enumerable: false });
  return merged;
}

/** A value that gives nothing: absent, null, "" (`?doorId=`), or a list of nothing (`[]`, each repeat empty). */
const blank = (v: unknown): boolean => v === undefined || v === null || v === '' || (Array.isArray(v) && v.every((x) => x === '' || x === null));

const isFormBody = (body: unknown): boolean => (body as { [FORM_BODY]?: boolean } | null | undefined)?.[FORM_BODY] === true;

/** The inputs of an endpoint, as cvInputOf reads them; the OpenAPI document lists their fields (openapi-inputs.ts). */
export const CvInput = createParamDecorator(cvInputOf);
