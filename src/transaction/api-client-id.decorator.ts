import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Id of the API client the AccessTokenGuard verified for this request (the monitor keeps one cursor per client). */
export const ApiClientId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { apiClient?: { id?: string } }>();
  return req.apiClient?.id ?? 'anonymous';
});
