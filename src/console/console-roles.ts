import { SetMetadata } from '@nestjs/common';

/** Administrator ⊃ operator ⊃ viewer. A viewer reads; an operator runs the site; an administrator also manages access to the gateway itself. */
export type ConsoleRole = 'admin' | 'operator' | 'viewer';
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['admin', 'operator', 'viewer'];
const RANK: Record<ConsoleRole, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAtLeast(role: ConsoleRole, needed: ConsoleRole): boolean {
  return RANK[role] >= RANK[needed];
}

export const ROLE_KEY = 'console:role';
/** The least role a console route needs. Without it: viewer for GET, operator for anything that changes state. */
export const RequireRole = (role: ConsoleRole) => SetMetadata(ROLE_KEY, role);

export const AUDIT_KEY = 'console:audit';
export interface AuditSpec {
  action: string;
  /** What the action was done to, read from the request (a pin, an SN, a door id...). */
  target?: (req: { params: Record<string, string>; body: any; query: any }) => string | undefined;
}
/** Every state-changing console route names its action; the audit interceptor records it, refused, failed or done. */
export const Audit = (action: string, target?: AuditSpec['target']) => SetMetadata(AUDIT_KEY, { action, target } satisfies AuditSpec);

/** The signed-in operator, attached to the request by the console guard. */
export interface ConsoleOperator {
  id: string;
  name: string;
  role: ConsoleRole;
  totpEnabled: boolean;
}

export interface ConsoleSessionInfo {
  operator: ConsoleOperator;
  csrfToken: string;
}
