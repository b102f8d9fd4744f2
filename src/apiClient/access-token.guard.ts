import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';
import { requestPath } from '../common/request-context';
import { ApiClientService } from './api-client.service';

/** The three places real clients put the token (field notes, REST item 2). */
export function tokenOf(req: FastifyRequest): string | undefined {
  const q = (req.query ?? {}) as Record<string, unknown>;
  const header = req.headers['api-key'];
  const candidates = [q.access_token, q.acc_token, Array.isArray(header) ? header[0] : header];
  for (const c of candidates) {
    const v = Array.isArray(c) ? c[0] : c;
    if (typeof v === 'string' && v.length > 0 && v.length <= 512) return v;
  }
  return undefined;
}

/** Every /api route needs a valid token; the device side and the docs do not. */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(private readonly clients: ApiClientService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!requestPath(req).startsWith('/api/')) return true;
    const token = tokenOf(req);
    if (!token) throw new CvError(CvCode.Unauthorized, 'Authentication required: access_token is missing', 401);
    const client = await this.clients.verify(token);
    if (!client) throw new CvError(CvCode.Unauthorized, 'Authentication failed: access_token is invalid or revoked', 401);
    (req as FastifyRequest & { apiClient?: unknown }).apiClient = client;
    return true;
  }
}
