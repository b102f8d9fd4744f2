import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import { CvCode, CvError } from '../common/cv-error';
import { ConsoleAuditService, auditDetail } from './audit.service';
import { cookieOf, type ConsoleRequest } from './console-cookie';
import { AUDIT_KEY, ROLE_KEY, roleAtLeast, type AuditSpec, type ConsoleRole } from './console-roles';
import { ConsoleSessionService, SESSION_COOKIE } from './session.service';

export const PUBLIC_KEY = 'console:public';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Every console API route: a live session (cookie), the session's CSRF token in `X-CSRF-Token` on anything
 * that is not a GET (a synchronizer token: a forged cross-site request cannot read it), and the role the
 * route needs. A refused change is written to the audit log too.
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: ConsoleSessionService,
    private readonly audit: ConsoleAuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ConsoleRequest>();
    const handler = context.getHandler();
    if (this.reflector.get<boolean>(PUBLIC_KEY, handler)) return true;
    const sessionId = cookieOf(req, SESSION_COOKIE);
    const safe = SAFE.has(req.method);
    // A read the page sent by itself (its periodic refresh, long after the operator's last key or click) leaves the
    // idle clock alone: a console left open on the dashboard still times out. A change always counts.
    const session = await this.sessions.resolve(sessionId, Date.now(), { touch: !(safe && req.headers['x-console-background'] === '1') });
    if (!session) throw new CvError(CvCode.Unauthorized, 'Not signed in, or the session has expired; sign in again', 401);
    req.console = session;
    req.consoleSessionId = sessionId;
    if (!safe && !sameToken(req.headers['x-csrf-token'] as string | undefined, session.csrfToken)) {
      throw new CvError(CvCode.Unauthorized, 'The request has no valid CSRF token; reload the page', 403);
    }
    const needed: ConsoleRole = this.reflector.get<ConsoleRole>(ROLE_KEY, handler) ?? (safe ? 'viewer' : 'operator');
    if (!roleAtLeast(session.operator.role, needed)) {
      const spec = this.reflector.get<AuditSpec>(AUDIT_KEY, handler);
      if (spec) await this.audit.record(session.operator, req.ip, spec.action, spec.target?.(req as never), 'refused', { needs: needed, ...auditDetail(req.body) });
      throw new CvError(CvCode.Unauthorized, `Your role (${session.operator.role}) may not do this; it needs ${needed === 'admin' ? 'an administrator' : 'an operator'}`, 403);
    }
    return true;
  }
}
