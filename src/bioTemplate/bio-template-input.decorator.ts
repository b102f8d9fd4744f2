import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

const TOKEN_KEYS = new Set(['access_token', 'acc_token']);

/**
 * Like `@CvInput()` (query + body, the body wins), and a body wrapped as `{"apiBioTemplate": {...}}` (the
 * Swagger parameter name some clients copy, field notes REST 7) is unwrapped first.
 */
export const BioTemplateInput = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const merged: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (!TOKEN_KEYS.has(k)) merged[k] = Array.isArray(v) ? v[v.length - 1] : v;
  }
  const body = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const { apiBioTemplate, ...rest } = body as Record<string, unknown>;
    Object.assign(merged, rest);
    if (apiBioTemplate && typeof apiBioTemplate === 'object' && !Array.isArray(apiBioTemplate)) Object.assign(merged, apiBioTemplate);
  }
  return merged;
});
