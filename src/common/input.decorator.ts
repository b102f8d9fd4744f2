import { createParamDecorator, ExecutionContext } from '@nestjs/common';
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
 * The request's inputs from the query string and the JSON body, merged (the body wins). Real clients put
 * POST inputs in either place, often with an empty or `null` body (field notes, REST item 4). Validated
 * against the parameter's DTO type by the global ValidationPipe. A key repeated in the query, or in a form body,
 * stays an array, marked, so that the pipe keeps it for a list field and takes the last value for any other
 * (client-forms.ts).
 */
export function cvInputOf(_: unknown, ctx: ExecutionContext): Record<string, unknown> {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const merged: Record<string, unknown> = {};
  const repeated: string[] = [];
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (isTokenKey(k)) continue;
    merged[k] = v;
    if (Array.isArray(v)) repeated.push(k);
  }
  const body = req.body;
  // The keys whose value the body gives. A token sent in a form body (access-token.guard.ts) is no input of the
  // endpoint, as in the query. A body's null, "" or [] does not blank a value the query gives: a client that sends
  // its inputs in the query with a JSON template of the same fields left null or empty (a serialised request object,
  // Jackson's nulls) means the query's values (where the manual prints the inputs in the URL, CVSecurity reads
  // them there and never from a JSON body).
  const fromBody = new Set<string>();
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body)) {
      if (isTokenKey(k) || (blank(v) && Object.hasOwn(merged, k) && !blank(merged[k]))) continue;
      merged[k] = v;
      fromBody.add(k);
    }
  }
  // A key a form body repeats (`pins=1&pins=2`) is a list as the same key repeated in the query is: every value.
  const bodyRepeated = Object.entries(repeatedBodyValues(body) ?? {}).filter(([k]) => !isTokenKey(k));
  for (const [k, values] of bodyRepeated) {
    merged[k] = values;
    fromBody.add(k);
  }
  const urlEncoded = new Set<string>();
  for (const k of Object.keys(merged)) if (!fromBody.has(k) || isFormBody(body)) urlEncoded.add(k.toLowerCase());
  if (urlEncoded.size) Object.defineProperty(merged, URL_ENCODED_KEYS, { value: urlEncoded, enumerable: false });
  const stillRepeated = [...repeated.filter((k) => !fromBody.has(k)), ...bodyRepeated.map(([k]) => k)];
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
