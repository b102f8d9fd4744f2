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
      let named = await this.nameOf(spec.named, req);
      try {
        const result = await lastValueFrom(next.handle(), { defaultValue: undefined });
        // Nothing of that key before the action: the row it made (a device added by SN) is named as it is now.
        named ??= await this.nameOf(spec.named, req);
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

  /** The named rows' names as `{ [key]: "name, name" }`, in the order given; nothing when no such row is (the action refuses it itself). */
  private async nameOf(named: AuditNamed | undefined, req: ConsoleRequest): Promise<Record<string, string> | undefined> {
    const given = named?.id(req as never);
    const keys = (typeof given === 'string' ? [given] : (given ?? [])).slice(0, 50);
    if (!named || keys.length === 0) return undefined;
    const names = new Map<string, string>();
    for (const table of typeof named.table === 'string' ? [named.table] : named.table) {
      const { by, name } = AUDIT_NAMED_TABLES[table];
      // A malformed key names nothing (and a char(32) id compared with a longer text would still read nothing).
      const valid = keys.filter((k) => (by === 'id' ? /^[0-9a-f]{32}$/i.test(k) : k.length <= 100));
      if (valid.length === 0) continue;
      // Table and columns are AUDIT_NAMED_TABLES', never the request's. A failed read leaves the name out, not the action undone.
      const rows: Array<{ key: string; name: string }> | undefined = await this.ds
        .query(`SELECT ${by}::text AS key, ${name} AS name FROM ${table} WHERE ${by} = ANY($1)`, [valid])
        .catch(() => undefined);
      for (const r of rows ?? []) names.set(r.key.trim(), r.name);
    }
    const found = keys.map((k) => names.get(k)).filter((n): n is string => n !== undefined);
    return found.length ? { [named.key]: found.join(', ') } : undefined;
  }
}
