import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { ConsoleAuditService, auditDetail } from './audit.service';
import type { ConsoleRequest } from './console-cookie';
import { AUDIT_KEY, AUDIT_NAMED_TABLES, type AuditNamed, type AuditSpec } from './console-roles';

/** Writes one audit line per audited console action, after it ran: `ok` or `failed` with the error's words and code. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: ConsoleAuditService,
    private readonly ds: DataSource,
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
      const named = await this.nameOf(spec.named, req);
      try {
        const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
        const body = auditDetail(req.body);
        await this.audit.record(req.console?.operator, req.ip, spec.action, target, 'ok', named || body ? { ...named, ...body } : null);
        return result;
      } catch (err) {
        const e = err as { message?: string; code?: unknown };
        await this.audit.record(req.console?.operator, req.ip, spec.action, target, 'failed', { ...named, ...auditDetail(req.body), error: e?.message ?? String(err), code: typeof e?.code === 'number' ? e.code : undefined });
        throw err;
      }
    };
    return from(run());
  }

  /** The named row's name as `{ [key]: name }`; nothing when there is no such row (the action refuses it itself). */
  private async nameOf(named: AuditNamed | undefined, req: ConsoleRequest): Promise<Record<string, string> | undefined> {
    const key = named?.id(req as never);
    if (!named || !key) return undefined;
    const { by, name } = AUDIT_NAMED_TABLES[named.table];
    // A malformed key names nothing (and a char(32) id compared with a longer text would still read nothing).
    if (by === 'id' ? !/^[0-9a-f]{32}$/i.test(key) : key.length > 100) return undefined;
    // Table and columns are AUDIT_NAMED_TABLES', never the request's. A failed read leaves the name out, not the action undone.
    const rows: Array<{ name: string }> | undefined = await this.ds.query(`SELECT ${name} AS name FROM ${named.table} WHERE ${by} = $1`, [key]).catch(() => undefined);
    return rows?.[0] ? { [named.key]: rows[0].name } : undefined;
  }
}
