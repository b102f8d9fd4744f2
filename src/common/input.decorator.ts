import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

const TOKEN_KEYS = new Set(['access_token', 'acc_token']);

/**
 * The request's inputs from the query string and the JSON body, merged (the body wins). Real clients put
 * POST inputs in either place, often with an empty or `null` body (field notes, REST item 4). Validated
 * against the parameter's DTO type by the global ValidationPipe.
 */
export const CvInput = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (!TOKEN_KEYS.has(k)) merged[k] = Array.isArray(v) ? v[v.length - 1] : v;
  }
  const body = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(merged, body);
  return merged;
});
