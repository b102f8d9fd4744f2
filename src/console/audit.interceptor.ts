import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { ConsoleAuditService, auditDetail } from './audit.service';
import type { ConsoleRequest } from './console-cookie';
import { AUDIT_KEY, type AuditSpec } from './console-roles';

/** Writes one audit line per audited console action, after it ran: `ok` or `failed` with the error's words and code. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: ConsoleAuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<AuditSpec>(AUDIT_KEY, context.getHandler());
    if (!spec) return next.handle();
    const req = context.switchToHttp().getRequest<ConsoleRequest>();
    const run = async () => {
      let target: string | undefined;
      try {
        target = spec.target?.(req as never);
      } catch {
        target = undefined;
      }
      try {
        const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await this.audit.record(req.console?.operator, req.ip, spec.action, target, 'ok', auditDetail(req.body));
        return result;
      } catch (err) {
        const e = err as { message?: string; code?: unknown };
        await this.audit.record(req.console?.operator, req.ip, spec.action, target, 'failed', { ...auditDetail(req.body), error: e?.message ?? String(err), code: typeof e?.code === 'number' ? e.code : undefined });
        throw err;
      }
    };
    return from(run());
  }
}
